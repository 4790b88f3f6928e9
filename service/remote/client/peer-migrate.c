/* peer-migrate.c: migrate-peer.h's client over the remote protocol: libvirt's connection URI to a socket, authentication as this daemon (none, or polkit on a local socket: its own uid), connect_open, then Prepare3Params and Finish3Params; the destination's errors come back as it said them. */
#include "peer-client.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "peer-conn.h"
#include "xdr.h"

#define PEER_STRING_MAX 4194304u        /* REMOTE_STRING_MAX */
#define PEER_WRITE_MAX (16u * 1024u * 1024u)
#define LIBVIRT_TCP_PORT "16509"

enum {
        PROC_CONNECT_OPEN = 1,
        PROC_AUTH_LIST = 66,
        PROC_AUTH_POLKIT = 67,
        PROC_PREPARE3_PARAMS = 303,
        PROC_FINISH3_PARAMS = 306,
};
enum { AUTH_NONE = 0, AUTH_POLKIT = 2 };
enum { PARAM_STRING = 7 };
#define FROM_RPC ((VbErrorFrom) 7)              /* VIR_FROM_RPC */
#define ERR_AUTH_FAILED ((VbErrorCode) 45)      /* VIR_ERR_AUTH_FAILED */

struct MigratePeer {
        PeerConn *conn;
        uint32_t proc;          /* the call in flight */
        char *name;             /* what connect_open asks for: driver:///path */
        MigratePeerDone done;
        void *userdata;
};

/* A step's answer to the core; the VbError lives only for the callback. */
static void answer(MigratePeer *p, int r, VbError *err, const char *str) {
        MigratePeerDone done = p->done;
        p->done = NULL;
        if (done)
                done(r, err, str, p->userdata);
        vb_error_clear(err);
}

static void fail(MigratePeer *p, VbErrorCode code, const char *fmt, const char *what) {
        VbError e = { 0 };
        vb_error_set_raw(&e, code, FROM_RPC, fmt, what);
        answer(p, -1, &e, NULL);
}

static void send_call(MigratePeer *p, uint32_t proc, XdrWriter *w) {
        size_t len = 0;
        uint8_t *args = xdr_writer_steal(w, &len);
        int r = args || len == 0 ? peer_conn_call(p->conn, proc, args, len) : -ENOMEM;
        free(args);
        xdr_writer_done(w);
        p->proc = proc;
        if (r < 0)
                fail(p, VB_ERR_INTERNAL_ERROR, "cannot send to the destination: %s", strerror(-r));
}

/* remote_error: {int code; int domain; remote_string message; …}: the rest is not needed. */
static void fail_remote(MigratePeer *p, const uint8_t *body, size_t len) {
        XdrReader r;
        int32_t code = 0, from = 0;
        char *message = NULL;
        xdr_reader_init(&r, body, len);
        xdr_get_i32(&r, &code);
        xdr_get_i32(&r, &from);
        xdr_get_opt_string(&r, PEER_STRING_MAX, &message);
        VbError e = { 0 };
        vb_error_set_raw(&e, code > 0 ? (VbErrorCode) code : VB_ERR_OPERATION_FAILED, (VbErrorFrom) from, "%s",
                         message ? message : "the destination failed without a message");
        free(message);
        answer(p, -1, &e, NULL);
}

static void open_connection(MigratePeer *p) {
        XdrWriter w;
        xdr_writer_init(&w, PEER_WRITE_MAX);
        xdr_put_opt_string(&w, p->name);
        xdr_put_i32(&w, 0);
        send_call(p, PROC_CONNECT_OPEN, &w);
}

/* remote_auth_list_ret {remote_auth_type types<20>}: none, or polkit on a local socket (the
 * destination asks polkit about this daemon's own process); SASL needs credentials it has not. */
static void auth_listed(MigratePeer *p, const uint8_t *body, size_t len) {
        XdrReader r;
        uint32_t n = 0;
        bool none = false, polkit = false;
        xdr_reader_init(&r, body, len);
        xdr_get_array_len(&r, 20, 4, &n);
        for (uint32_t i = 0; i < n; i++) {
                int32_t t = -1;
                xdr_get_i32(&r, &t);
                none |= t == AUTH_NONE;
                polkit |= t == AUTH_POLKIT;
        }
        if (n == 0 || none) {
                open_connection(p);
        } else if (polkit) {
                XdrWriter w;
                xdr_writer_init(&w, PEER_WRITE_MAX);
                send_call(p, PROC_AUTH_POLKIT, &w);
        } else {
                fail(p, ERR_AUTH_FAILED, "%s", "the destination asks for SASL authentication, which peer-to-peer migration cannot give");
        }
}

static void on_reply(PeerConn *c, int status, const uint8_t *body, size_t len, void *userdata) {
        MigratePeer *p = userdata;
        if (status < 0) {
                fail(p, VB_ERR_SYSTEM_ERROR, "the connection to the destination failed: %s", strerror(-status));
                return;
        }
        if (status == 1) {
                fail_remote(p, body, len);
                return;
        }
        if (p->proc == PROC_AUTH_LIST) {
                auth_listed(p, body, len);
        } else if (p->proc == PROC_AUTH_POLKIT) {
                open_connection(p);
        } else if (p->proc == PROC_PREPARE3_PARAMS) {
                /* {opaque cookie_out<>; remote_string uri_out} */
                XdrReader r;
                uint8_t *cookie = NULL;
                size_t cookie_len = 0;
                char *uri = NULL;
                xdr_reader_init(&r, body, len);
                xdr_get_opaque(&r, 4u * 1024u * 1024u, &cookie, &cookie_len);
                xdr_get_opt_string(&r, PEER_STRING_MAX, &uri);
                free(cookie);
                VbError e = { 0 };
                if (!uri)
                        vb_error_set_raw(&e, VB_ERR_INTERNAL_ERROR, FROM_RPC, "%s", "the destination gave no migration URI");
                answer(p, uri ? 0 : -1, &e, uri);
                free(uri);
        } else {
                VbError e = { 0 };
                answer(p, 0, &e, NULL);
        }
}

/* ---- the URI ---- */

static int uri_fail(VbError *err, const char *uri, const char *why) {
        return vb_error_set_raw(err, VB_ERR_INVALID_ARG, FROM_RPC, "cannot migrate to '%s': %s", uri, why);
}

static int connect_unix(const char *path, VbError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, FROM_RPC, "socket path '%s' is too long", path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 && errno != EINPROGRESS && errno != EAGAIN)) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, FROM_RPC, "Failed to connect socket to '%s': %s", path,
                                        strerror(e));
        }
        return fd;
}

/* host[:port] or [v6]:port, numeric only: resolving a name would block the event loop. */
static int connect_tcp(const char *uri, char *host, VbError *err) {
        char *port = NULL;
        if (host[0] == '[') {
                char *end = strchr(host, ']');
                if (!end)
                        return uri_fail(err, uri, "unterminated IPv6 address");
                *end = '\0';
                port = end[1] == ':' ? end + 2 : NULL;
                host++;
        } else if ((port = strchr(host, ':'))) {
                *port++ = '\0';
        }
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai = NULL;
        if (getaddrinfo(host, port && *port ? port : LIBVIRT_TCP_PORT, &hints, &ai) != 0 || !ai)
                return uri_fail(err, uri, "the host must be a numeric address (and the port a number)");
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                freeaddrinfo(ai);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, FROM_RPC, "unable to connect to server at '%s': %s",
                                        host, strerror(e));
        }
        freeaddrinfo(ai);
        return fd;
}

/* driver[+transport]://[host]/path[?socket=…&…]: a connected (or connecting) socket and the
 * name connect_open asks for (driver:///path). */
static int uri_open(const char *uri, char **name, VbError *err) {
        const char *sep = strstr(uri, "://");
        if (!sep || sep == uri)
                return uri_fail(err, uri, "not a connection URI");
        size_t scheme_len = sep - uri;
        const char *plus = memchr(uri, '+', scheme_len);
        size_t driver_len = plus ? (size_t) (plus - uri) : scheme_len;
        char transport[16] = "unix";
        if (plus && (size_t) (sep - plus - 1) >= sizeof transport)
                return uri_fail(err, uri, "unknown transport");
        if (plus)
                snprintf(transport, sizeof transport, "%.*s", (int) (sep - plus - 1), plus + 1);
        const char *authority = sep + 3, *path = authority + strcspn(authority, "/?");
        const char *query = strchr(path, '?');
        size_t path_len = query ? (size_t) (query - path) : strlen(path);
        char *host = strndup(authority, path - authority);
        if (!host || asprintf(name, "%.*s:///%.*s", (int) driver_len, uri, (int) (path_len ? path_len - 1 : 0),
                              path_len ? path + 1 : "") < 0) {
                free(host);
                *name = NULL;
                return vb_error_errno(err, -ENOMEM, "migration");
        }
        int fd;
        if (strcmp(transport, "unix") == 0) {
                const char *sock = query ? strstr(query, "socket=") : NULL;
                char *path_buf = NULL;
                if (sock && (sock == query + 1 || sock[-1] == '&'))
                        path_buf = strndup(sock + 7, strcspn(sock + 7, "&"));
                else if (strncmp(path, "/system", path_len) == 0 && path_len == 7)
                        path_buf = strdup("/run/libvirt/libvirt-sock");
                else if (getenv("XDG_RUNTIME_DIR") && asprintf(&path_buf, "%s/libvirt/libvirt-sock", getenv("XDG_RUNTIME_DIR")) < 0)
                        path_buf = NULL;
                fd = *host ? uri_fail(err, uri, "a unix socket is on this host: no host name")
                     : path_buf ? connect_unix(path_buf, err) : uri_fail(err, uri, "no socket");
                free(path_buf);
        } else if (strcmp(transport, "tcp") == 0) {
                fd = *host ? connect_tcp(uri, host, err) : uri_fail(err, uri, "no host");
        } else {
                fd = vb_error_set_raw(err, VB_ERR_ARGUMENT_UNSUPPORTED, FROM_RPC,
                                      "peer-to-peer migration over transport '%s' is not supported (unix and tcp are)",
                                      transport);
        }
        free(host);
        if (fd < 0) {
                free(*name);
                *name = NULL;
        }
        return fd;
}

/* ---- the ops ---- */

static MigratePeer *peer_open(sd_event *event, const char *uri, MigratePeerDone done, void *userdata, VbError *err) {
        MigratePeer *p = calloc(1, sizeof *p);
        if (!p) {
                vb_error_errno(err, -ENOMEM, "migration");
                return NULL;
        }
        int fd = uri_open(uri, &p->name, err);
        if (fd < 0) {
                free(p);
                return NULL;
        }
        p->conn = peer_conn_new(event, fd, on_reply, p);
        if (!p->conn) {
                free(p->name);
                free(p);
                vb_error_errno(err, -ENOMEM, "migration");
                return NULL;
        }
        p->done = done;
        p->userdata = userdata;
        int r = peer_conn_call(p->conn, PROC_AUTH_LIST, NULL, 0);
        p->proc = PROC_AUTH_LIST;
        if (r < 0) {
                peer_conn_free(p->conn);
                free(p->name);
                free(p);
                vb_error_errno(err, r, "migration");
                return NULL;
        }
        return p;
}

static void put_string_param(XdrWriter *w, const char *field, const char *value, uint32_t *n) {
        if (!value)
                return;
        xdr_put_string(w, field);
        xdr_put_i32(w, PARAM_STRING);
        xdr_put_string(w, value);
        (*n)++;
}

/* The step's callback, and its typed parameters (the strings given) and an empty cookie into w. */
static void step_begin(MigratePeer *p, XdrWriter *w, MigratePeerDone done, void *userdata, const char *xml,
                       const char *dname) {
        uint32_t n = 0;
        p->done = done;
        p->userdata = userdata;
        xdr_writer_init(w, PEER_WRITE_MAX);
        xdr_put_u32(w, 0);              /* the count, patched */
        put_string_param(w, "destination_xml", xml, &n);
        put_string_param(w, "destination_name", dname, &n);
        xdr_patch_u32(w, 0, n);
        xdr_put_u32(w, 0);              /* cookie_in: none */
}

static void peer_prepare(MigratePeer *p, const char *xml, const char *dname, unsigned flags, MigratePeerDone done,
                         void *userdata) {
        XdrWriter w;
        step_begin(p, &w, done, userdata, xml, dname);
        xdr_put_u32(&w, flags);
        send_call(p, PROC_PREPARE3_PARAMS, &w);
}

static void peer_finish(MigratePeer *p, const char *dname, unsigned flags, bool cancelled, MigratePeerDone done,
                        void *userdata) {
        XdrWriter w;
        step_begin(p, &w, done, userdata, NULL, dname);
        xdr_put_u32(&w, flags);
        xdr_put_i32(&w, cancelled ? 1 : 0);
        send_call(p, PROC_FINISH3_PARAMS, &w);
}

static void peer_close(MigratePeer *p) {
        if (!p)
                return;
        peer_conn_free(p->conn);
        free(p->name);
        free(p);
}

const MigratePeerOps remote_migrate_peer_ops = {
        .open = peer_open,
        .prepare = peer_prepare,
        .finish = peer_finish,
        .close = peer_close,
};
