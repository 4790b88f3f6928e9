/* admin.c: libvirt's admin program (virt-admin) on the admin socket: servers, clients, client limits, logging, TLS reload. */
#define LOG_MODULE "admin"

#include "admin.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "log.h"
#include "server.h"

/* admin_protocol.x (libvirt 9.0) */
#define ADMIN_PROGRAM 0x06900690u
#define ADMIN_PROTOCOL_VERSION 1u
#define ADMIN_STRING_MAX (4u * 1024u * 1024u)
#define ADMIN_SERVER_CLIENT_LIMITS_MAX 32u
enum {
        ADMIN_PROC_CONNECT_OPEN = 1,
        ADMIN_PROC_CONNECT_CLOSE = 2,
        ADMIN_PROC_CONNECT_GET_LIB_VERSION = 3,
        ADMIN_PROC_CONNECT_LIST_SERVERS = 4,
        ADMIN_PROC_CONNECT_LOOKUP_SERVER = 5,
        ADMIN_PROC_SERVER_LIST_CLIENTS = 8,
        ADMIN_PROC_SERVER_LOOKUP_CLIENT = 9,
        ADMIN_PROC_CLIENT_GET_INFO = 10,
        ADMIN_PROC_CLIENT_CLOSE = 11,
        ADMIN_PROC_SERVER_GET_CLIENT_LIMITS = 12,
        ADMIN_PROC_SERVER_SET_CLIENT_LIMITS = 13,
        ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS = 14,
        ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS = 15,
        ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS = 16,
        ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS = 17,
        ADMIN_PROC_SERVER_UPDATE_TLS_FILES = 18,
};
/* virTypedParameterType */
enum { TP_INT = 1, TP_UINT = 2, TP_LLONG = 3, TP_ULLONG = 4, TP_DOUBLE = 5, TP_BOOLEAN = 6, TP_STRING = 7 };

/* The servers virt-admin sees, as libvirtd names them: the remote protocol's, and this one. */
static const char *const admin_servers[] = { "libvirtd", "admin" };
#define N_SERVERS 2

typedef struct AdminCall {
        RemoteClient *c;
        XdrReader in;
        XdrWriter *out;
        VbError err;
} AdminCall;

static int admin_fail(AdminCall *a, VbErrorCode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int admin_fail(AdminCall *a, VbErrorCode code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vb_error_setv(&a->err, code, VB_FROM_NONE, fmt, ap);
        va_end(ap);
        return -1;
}

static int admin_decode_error(AdminCall *a) {
        return remote_error_rpc(&a->err, "Unable to decode message payload");
}

/* An admin_nonnull_server: its index in admin_servers. */
static int admin_get_server(AdminCall *a, int *out) {
        char *name = NULL;
        if (xdr_get_string(&a->in, ADMIN_STRING_MAX, &name, NULL) < 0)
                return admin_decode_error(a);
        for (int i = 0; i < N_SERVERS; i++)
                if (strcmp(name, admin_servers[i]) == 0) {
                        free(name);
                        *out = i;
                        return 0;
                }
        admin_fail(a, VB_ERR_INVALID_ARG, "no server with matching name '%s'", name);
        free(name);
        return -1;
}

/* An admin_nonnull_client: the live client of that server with that id. */
static int admin_get_client(AdminCall *a, RemoteClient **out) {
        int srv;
        uint64_t id;
        int64_t ts;
        uint32_t transport;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_u64(&a->in, &id) < 0 || xdr_get_i64(&a->in, &ts) < 0 || xdr_get_u32(&a->in, &transport) < 0)
                return admin_decode_error(a);
        RemoteClient *c = id <= UINT32_MAX ? remote_server_find_client(a->c->server, (unsigned) id) : NULL;
        if (!c || remote_client_is_admin(c) != (srv == 1))
                return admin_fail(a, VB_ERR_INVALID_ARG, "no client with matching id '%llu'", (unsigned long long) id);
        *out = c;
        return 0;
}

static void admin_put_client(XdrWriter *w, RemoteClient *c) {
        RemoteClientInfo info;
        remote_client_info(c, &info);
        xdr_put_string(w, admin_servers[info.admin ? 1 : 0]);
        xdr_put_u64(w, info.id);
        xdr_put_i64(w, info.connected_at);
        xdr_put_u32(w, (uint32_t) info.transport);
}

static void tp_string(XdrWriter *w, size_t *n, const char *field, const char *v) {
        xdr_put_string(w, field);
        xdr_put_i32(w, TP_STRING);
        xdr_put_string(w, v);
        (*n)++;
}

static void tp_int(XdrWriter *w, size_t *n, const char *field, int type, int32_t v) {
        xdr_put_string(w, field);
        xdr_put_i32(w, type);
        xdr_put_i32(w, v);
        (*n)++;
}

static int admin_flags(AdminCall *a, unsigned allowed) {
        uint32_t flags;
        if (xdr_get_u32(&a->in, &flags) < 0)
                return admin_decode_error(a);
        if (flags & ~allowed)
                return admin_fail(a, VB_ERR_INVALID_ARG, "unsupported flags (0x%x)", flags & ~allowed);
        return 0;
}

static int admin_list_servers(AdminCall *a) {
        uint32_t need;
        if (xdr_get_u32(&a->in, &need) < 0 || admin_flags(a, 0) < 0)
                return -1;
        uint32_t n = need ? N_SERVERS : 0;     /* need_results: a yes or no, not a count */
        xdr_put_u32(a->out, n);
        for (uint32_t i = 0; i < n; i++)
                xdr_put_string(a->out, admin_servers[i]);
        return xdr_put_u32(a->out, N_SERVERS);
}

static int admin_lookup_server(AdminCall *a) {
        int srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        return xdr_put_string(a->out, admin_servers[srv]);
}

static int admin_list_clients(AdminCall *a) {
        int srv;
        uint32_t need;
        if (admin_get_server(a, &srv) < 0 || xdr_get_u32(&a->in, &need) < 0 || admin_flags(a, 0) < 0)
                return a->err.code ? -1 : admin_decode_error(a);
        /* Every live client of that server, admin ones on "admin", in the order they came. */
        uint32_t n_out = 0, total = 0;
        xdr_put_u32(a->out, 0);                         /* the count, patched below */
        size_t count_at = a->out->len - 4;
        RemoteClient *c;
        for (size_t i = 0; (c = remote_server_client_at(a->c->server, i)); i++) {
                if (remote_client_is_dropped(c) || remote_client_is_admin(c) != (srv == 1))
                        continue;
                total++;
                if (need) {
                        admin_put_client(a->out, c);
                        n_out++;
                }
        }
        xdr_patch_u32(a->out, count_at, n_out);
        return xdr_put_u32(a->out, total);
}

static int admin_lookup_client(AdminCall *a) {
        int srv;
        uint64_t id;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_u64(&a->in, &id) < 0)
                return admin_decode_error(a);
        if (admin_flags(a, 0) < 0)
                return -1;
        RemoteClient *c = id <= UINT32_MAX ? remote_server_find_client(a->c->server, (unsigned) id) : NULL;
        if (!c || remote_client_is_admin(c) != (srv == 1))
                return admin_fail(a, VB_ERR_INVALID_ARG, "no client with matching id '%llu'", (unsigned long long) id);
        admin_put_client(a->out, c);
        return 0;
}

static int admin_client_info(AdminCall *a) {
        RemoteClient *c;
        if (admin_get_client(a, &c) < 0 || admin_flags(a, 0) < 0)
                return -1;
        RemoteClientInfo info;
        if (remote_client_info(c, &info) < 0)
                return admin_fail(a, VB_ERR_OPERATION_INVALID, "client %u has disconnected", info.id);
        size_t n = 0;
        xdr_put_u32(a->out, 0);
        size_t count_at = a->out->len - 4;
        tp_int(a->out, &n, "readonly", TP_BOOLEAN, info.readonly);
        if (info.address[0])
                tp_string(a->out, &n, "sock_addr", info.address);
        if (info.sasl_username)
                tp_string(a->out, &n, "sasl_user_name", info.sasl_username);
        if (info.x509_dname)
                tp_string(a->out, &n, "tls_x509_dname", info.x509_dname);
        if (info.has_cred) {
                char buf[256];
                struct passwd pw, *pwp = NULL;
                struct group gr, *grp = NULL;
                tp_int(a->out, &n, "unix_user_id", TP_INT, (int32_t) info.uid);
                /* NSS may block on a remote directory; local files are the common case */
                if (getpwuid_r(info.uid, &pw, buf, sizeof buf, &pwp) == 0 && pwp)
                        tp_string(a->out, &n, "unix_user_name", pw.pw_name);
                tp_int(a->out, &n, "unix_group_id", TP_INT, (int32_t) info.gid);
                if (getgrgid_r(info.gid, &gr, buf, sizeof buf, &grp) == 0 && grp)
                        tp_string(a->out, &n, "unix_group_name", gr.gr_name);
                tp_int(a->out, &n, "unix_process_id", TP_INT, (int32_t) info.pid);
        }
        xdr_patch_u32(a->out, count_at, (uint32_t) n);
        return 0;
}

static int admin_client_close(AdminCall *a) {
        RemoteClient *c;
        if (admin_get_client(a, &c) < 0 || admin_flags(a, 0) < 0)
                return -1;
        if (c == a->c)
                return admin_fail(a, VB_ERR_OPERATION_INVALID, "a client cannot disconnect itself");
        log_info("client %u disconnected by an administrator (admin client %u)", remote_client_id(c),
                 remote_client_id(a->c));
        remote_client_drop(c, LOG_LEVEL_INFO, "disconnected by the admin interface");
        return 0;
}

static size_t admin_count(RemoteServer *s, bool admin) {
        size_t n = 0;
        RemoteClient *c;
        for (size_t i = 0; (c = remote_server_client_at(s, i)); i++)
                n += !remote_client_is_dropped(c) && remote_client_is_admin(c) == admin;
        return n;
}

static int admin_get_limits(AdminCall *a) {
        int srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        RemoteServer *s = a->c->server;
        const RemoteLimits *lim = remote_server_limits(s);
        size_t n = 0;
        xdr_put_u32(a->out, 0);
        size_t count_at = a->out->len - 4;
        tp_int(a->out, &n, "nclients_max", TP_UINT, (int32_t) lim->max_clients);
        tp_int(a->out, &n, "nclients", TP_UINT, (int32_t) admin_count(s, srv == 1));
        tp_int(a->out, &n, "nclients_unauth_max", TP_UINT, (int32_t) lim->max_anonymous_clients);
        tp_int(a->out, &n, "nclients_unauth", TP_UINT, (int32_t) remote_server_n_unauthenticated(s));
        xdr_patch_u32(a->out, count_at, (uint32_t) n);
        return 0;
}

static int admin_set_limits(AdminCall *a) {
        int srv;
        uint32_t n;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_array_len(&a->in, ADMIN_SERVER_CLIENT_LIMITS_MAX, 12, &n) < 0)
                return admin_decode_error(a);
        RemoteLimits next = *remote_server_limits(a->c->server);
        for (uint32_t i = 0; i < n; i++) {
                char *field = NULL;
                int32_t type;
                uint32_t v;
                if (xdr_get_string(&a->in, ADMIN_STRING_MAX, &field, NULL) < 0 || xdr_get_i32(&a->in, &type) < 0 ||
                    type != TP_UINT || xdr_get_u32(&a->in, &v) < 0) {
                        free(field);
                        return a->err.code ? -1 : admin_fail(a, VB_ERR_INVALID_ARG, "client limits are unsigned integers");
                }
                int bad = 0;
                if (strcmp(field, "nclients_max") == 0)
                        next.max_clients = v;
                else if (strcmp(field, "nclients_unauth_max") == 0)
                        next.max_anonymous_clients = v;
                else
                        bad = admin_fail(a, VB_ERR_INVALID_ARG, "unknown or read-only client limit '%s'", field);
                free(field);
                if (bad)
                        return -1;
        }
        if (admin_flags(a, 0) < 0)
                return -1;
        if (next.max_clients == 0 || (next.max_anonymous_clients && next.max_anonymous_clients > next.max_clients))
                return admin_fail(a, VB_ERR_INVALID_ARG,
                                  "nclients_max must be at least 1 and not below nclients_unauth_max (%u, %u)",
                                  next.max_clients, next.max_anonymous_clients);
        *remote_server_limits(a->c->server) = next;
        log_info("client limits set by the admin interface: nclients_max %u, nclients_unauth_max %u", next.max_clients,
                 next.max_anonymous_clients);
        return 0;
}

static int admin_get_log(AdminCall *a, bool filters) {
        if (admin_flags(a, 0) < 0)
                return -1;
        const char *v = filters ? log_get_filters() : log_get_outputs();
        char fallback[32];
        if (!filters && !v) {           /* no outputs configured: stderr takes everything from the level up */
                snprintf(fallback, sizeof fallback, "%d:stderr", log_get_level());
                v = fallback;
        }
        if (filters)
                xdr_put_opt_string(a->out, v);
        else
                xdr_put_string(a->out, v);
        return xdr_put_u32(a->out, (uint32_t) log_count_tokens(v));
}

static int admin_set_log(AdminCall *a, bool filters) {
        char *v = NULL;
        if (xdr_get_opt_string(&a->in, ADMIN_STRING_MAX, &v) < 0)
                return admin_decode_error(a);
        if (admin_flags(a, 0) < 0) {
                free(v);
                return -1;
        }
        char msg[256] = "";
        int r = filters ? log_setup(log_get_level(), v, log_get_outputs(), msg, sizeof msg)
                        : log_setup(log_get_level(), log_get_filters(), v, msg, sizeof msg);
        if (r < 0) {
                admin_fail(a, VB_ERR_INVALID_ARG, "%s", msg);
                free(v);
                return -1;
        }
        log_info("log %s set by the admin interface: \"%s\"", filters ? "filters" : "outputs", v ? v : "");
        free(v);
        return 0;
}

static int admin_update_tls(AdminCall *a) {
        int srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        char msg[512] = "";
        if (srv != 0 || remote_server_update_tls(a->c->server, msg, sizeof msg) == -EOPNOTSUPP)
                return admin_fail(a, VB_ERR_OPERATION_INVALID, "server '%s' has no TLS listener", admin_servers[srv]);
        if (msg[0])
                return admin_fail(a, VB_ERR_INTERNAL_ERROR, "TLS credentials not reloaded: %s", msg);
        return 0;
}

static int admin_call(AdminCall *a, int proc) {
        switch (proc) {
        case ADMIN_PROC_CONNECT_OPEN:
        case ADMIN_PROC_CONNECT_CLOSE:
                return proc == ADMIN_PROC_CONNECT_OPEN ? admin_flags(a, 0) : 0;
        case ADMIN_PROC_CONNECT_GET_LIB_VERSION:
                return xdr_put_u64(a->out, REMOTE_LIB_VERSION);
        case ADMIN_PROC_CONNECT_LIST_SERVERS:
                return admin_list_servers(a);
        case ADMIN_PROC_CONNECT_LOOKUP_SERVER:
                return admin_lookup_server(a);
        case ADMIN_PROC_SERVER_LIST_CLIENTS:
                return admin_list_clients(a);
        case ADMIN_PROC_SERVER_LOOKUP_CLIENT:
                return admin_lookup_client(a);
        case ADMIN_PROC_CLIENT_GET_INFO:
                return admin_client_info(a);
        case ADMIN_PROC_CLIENT_CLOSE:
                return admin_client_close(a);
        case ADMIN_PROC_SERVER_GET_CLIENT_LIMITS:
                return admin_get_limits(a);
        case ADMIN_PROC_SERVER_SET_CLIENT_LIMITS:
                return admin_set_limits(a);
        case ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS:
        case ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS:
                return admin_get_log(a, proc == ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS);
        case ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS:
        case ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS:
                return admin_set_log(a, proc == ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS);
        case ADMIN_PROC_SERVER_UPDATE_TLS_FILES:
                return admin_update_tls(a);
        default:
                /* threadpool parameters (virtbusd has no worker pool), daemon timeout */
                return admin_fail(a, VB_ERR_NO_SUPPORT, "admin procedure %d", proc);
        }
}

static void admin_packet(RemoteClient *c, const uint8_t *packet, size_t len) {
        PacketHeader h;
        if (packet_header_decode(packet, len, &h) < 0) {
                remote_client_close(c);
                return;
        }
        uint8_t *out = NULL;
        size_t out_len = 0;
        if (h.prog == KEEPALIVE_PROGRAM) {
                if (h.proc == KEEPALIVE_PROC_PING && remote_packet_keepalive(KEEPALIVE_PROC_PONG, &out, &out_len) == 0)
                        remote_client_send(c, out, out_len);
                return;
        }
        if (h.type != MSG_CALL)
                return;
        AdminCall a = { .c = c };
        if (h.prog != ADMIN_PROGRAM || h.vers != ADMIN_PROTOCOL_VERSION) {
                remote_error_rpc(&a.err, "Cannot find program %d version %d", h.prog, h.vers);
        } else {
                XdrWriter w;
                PacketHeader rh = h;
                rh.type = MSG_REPLY;
                rh.status = MSG_STATUS_OK;
                packet_begin(&w, &rh);
                a.out = &w;
                xdr_reader_init(&a.in, packet + 4 + PACKET_HEADER_SIZE, len - 4 - PACKET_HEADER_SIZE);
                int r = admin_call(&a, h.proc);
                if (r >= 0 && xdr_remaining(&a.in) != 0)
                        r = admin_decode_error(&a);
                if (r >= 0 && packet_end(&w, &out, &out_len) == 0) {
                        remote_client_send(c, out, out_len);
                        return;
                }
                if (r >= 0)
                        vb_error_errno(&a.err, -ENOMEM, "admin reply");
                else
                        xdr_writer_done(&w);
        }
        if (packet_error(&h, MSG_REPLY, &a.err, &out, &out_len) == 0)
                remote_client_send(c, out, out_len);
}

static void admin_notice(RemoteClient *c, const Notice *n) {
}

static void admin_nothing(RemoteClient *c) {
}

const RemoteProtocol remote_admin_protocol = {
        .packet = admin_packet,
        .notice = admin_notice,
        .output_drained = admin_nothing,
        .dropped = admin_nothing,
        .freed = admin_nothing,
        .keepalive = remote_packet_keepalive,
};
