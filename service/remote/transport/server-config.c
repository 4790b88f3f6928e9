/* server-config.c: the remote server's configuration into listeners (unix, TCP, TLS), their auth, limits and the SASL allow list. */
#define LOG_MODULE "remote"

#include "server-internal.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sasl-auth.h"

#define DEFAULT_TCP_PORT "16509"
#define DEFAULT_TLS_PORT "16514"

int server_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) {
        if (errbuf && errlen > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errbuf, errlen, fmt, ap);
                va_end(ap);
        }
        return r;
}

bool server_streq_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void server_strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

/* sasl_allowed_username_list, copied; on failure the old list stays. */
int server_apply_sasl_allowed(RemoteServer *s, const Config *cfg) {
        char **const src = cfg->sasl_allowed_username_list;
        size_t n = 0;
        while (src && src[n])
                n++;
        char **v = src ? calloc(n + 1, sizeof *v) : NULL;
        if (src && !v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!(v[i] = strdup(src[i]))) {
                        server_strv_free(v);
                        return -ENOMEM;
                }
        server_strv_free(s->sasl_allowed);
        s->sasl_allowed = v;
        return 0;
}

void server_apply_limits(RemoteServer *s, const Config *cfg) {
        s->limits.max_clients = (unsigned) cfg->max_clients;
        s->limits.max_anonymous_clients = (unsigned) cfg->max_anonymous_clients;
        s->limits.max_client_requests = (unsigned) cfg->max_client_requests;
        s->limits.max_client_streams = (unsigned) cfg->max_client_streams;
        s->limits.keepalive_interval = cfg->keepalive_interval;
        s->limits.keepalive_count = (unsigned) cfg->keepalive_count;
}

/* The first key that asks for SASL on a listener that will exist, or NULL. */
static const char *server_sasl_key(const Config *cfg, bool tcp, bool tls) {
        if (tcp && !server_streq_null(cfg->auth_tcp, "none"))
                return "auth_tcp";
        if (tls && server_streq_null(cfg->auth_tls, "sasl"))
                return "auth_tls";
        if (server_streq_null(cfg->auth_unix_rw, "sasl"))
                return "auth_unix_rw";
        if (server_streq_null(cfg->auth_unix_ro, "sasl"))
                return "auth_unix_ro";
        return NULL;
}

/* What the protocol side cannot serve yet is refused here, naming the key. */
int server_check_auth(const Config *cfg, bool tcp, bool tcp_from_systemd, bool tls, char *errbuf,
                             size_t errlen) {
        const struct {
                const char *key, *value;
        } unix_auth[] = { { "auth_unix_rw", cfg->auth_unix_rw }, { "auth_unix_ro", cfg->auth_unix_ro } };
        for (size_t i = 0; i < 2; i++)
                if (unix_auth[i].value && strcmp(unix_auth[i].value, "none") != 0 &&
                    strcmp(unix_auth[i].value, "polkit") != 0 && strcmp(unix_auth[i].value, "sasl") != 0)
                        return server_fail(-EOPNOTSUPP, errbuf, errlen,
                                           "%s = \"%s\" is not supported (only \"none\", \"polkit\" and \"sasl\" are)",
                                           unix_auth[i].key, unix_auth[i].value);
        /* config.c refuses other values with file:line; a Config built otherwise is checked here:
         * running without checks the admin asked for would let callers do more than allowed. */
        for (char **d = cfg->access_drivers; d && *d; d++)
                if (strcmp(*d, "nop") != 0 && strcmp(*d, "polkit") != 0)
                        return server_fail(-EOPNOTSUPP, errbuf, errlen,
                                           "access_drivers = [ \"%s\" ] is not supported yet (only \"nop\" and \"polkit\" are)",
                                           *d);
        /* SASL's plugins and libvirt.conf are read now: a broken setup stops the start. */
        const char *key = server_sasl_key(cfg, tcp, tls);
        char why[256] = "";
        if (key && remote_sasl_global_init(why, sizeof why) < 0)
                return server_fail(-EIO, errbuf, errlen, "%s = \"sasl\"%s: %s", key,
                                   strcmp(key, "auth_tcp") == 0 && !cfg->auth_tcp ? " (the default)" : "", why);
        (void) tcp_from_systemd;
        return 0;
}

static RemoteAuthType server_auth_of(const char *value) {
        return value && strcmp(value, "polkit") == 0 ? REMOTE_AUTH_POLKIT
             : value && strcmp(value, "sasl") == 0   ? REMOTE_AUTH_SASL
                                                     : REMOTE_AUTH_NONE;
}

/* Each listener takes its auth key: auth_tcp defaults to "sasl", auth_tls to "none", as in libvirt. */
void server_apply_auth(RemoteServer *s, const Config *cfg) {
        for (size_t i = 0; i < s->n_listeners; i++) {
                Listener *l = s->listeners[i];
                if (l->sock.kind == LISTEN_UNIX_RW)
                        l->auth = server_auth_of(cfg->auth_unix_rw);
                else if (l->sock.kind == LISTEN_UNIX_RO)
                        l->auth = server_auth_of(cfg->auth_unix_ro);
                else if (l->sock.kind == LISTEN_TCP)
                        l->auth = server_auth_of(cfg->auth_tcp ? cfg->auth_tcp : "sasl");
                else if (l->sock.kind == LISTEN_TLS)
                        l->auth = server_auth_of(cfg->auth_tls);
        }
}

int server_socket_dir(const Config *cfg, bool system, const char *run_root, char **out, char *errbuf,
                             size_t errlen) {
        if (cfg->unix_sock_dir) {
                *out = strdup(cfg->unix_sock_dir);
                return *out ? 0 : server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        const char *base = run_root ? run_root : system ? "/run" : getenv("XDG_RUNTIME_DIR");
        if (!base || base[0] != '/')
                return server_fail(-ENOENT, errbuf, errlen,
                                   "none of XDG_RUNTIME_DIR, XDG_CACHE_HOME and HOME is an absolute path: "
                                   "cannot place the libvirt sockets "
                                   "(set unix_sock_dir in virtbusd.conf)");
        if (asprintf(out, "%s/libvirt", base) < 0)
                return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        return 0;
}

static int server_lookup_group(const char *name, gid_t *gid, char *errbuf, size_t errlen) {
        size_t n = strspn(name, "0123456789");
        if (n > 0 && name[n] == '\0' && n < 10) {
                *gid = (gid_t) strtoul(name, NULL, 10);
                return 0;
        }
        long max = sysconf(_SC_GETGR_R_SIZE_MAX);
        size_t size = max > 0 ? (size_t) max : 16384;
        for (;;) {
                char *buf = malloc(size);
                if (!buf)
                        return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
                struct group gr, *res = NULL;
                int e = getgrnam_r(name, &gr, buf, size, &res);
                if (e == 0 && res)
                        *gid = gr.gr_gid;
                free(buf);
                if (e == ERANGE && size < (1u << 24)) {
                        size *= 2;
                        continue;
                }
                if (e == 0 && res)
                        return 0;
                return server_fail(e ? -e : -ENOENT, errbuf, errlen, "unix_sock_group: %s '%s'",
                                   e ? strerror(e) : "no such group", name);
        }
}

int server_add_listener(RemoteServer *s, ListenSocket *sock) {
        Listener **v = realloc(s->listeners, (s->n_listeners + 1) * sizeof *v);
        Listener *l = calloc(1, sizeof *l);
        if (v)
                s->listeners = v;
        if (!v || !l) {
                free(l);
                listen_socket_close(sock);
                return -ENOMEM;
        }
        *l = (Listener) { .server = s, .sock = *sock, .auth = REMOTE_AUTH_NONE };
        *sock = (ListenSocket) { .fd = -1 };
        s->listeners[s->n_listeners++] = l;
        return 0;
}


int server_open_unix(RemoteServer *s, const Config *cfg, bool system, const char *run_root, bool need_rw,
                            bool need_ro, char *errbuf, size_t errlen) {
        mode_t rw_mode, ro_mode;
        /* libvirt's default: with polkit deciding, anyone may connect to the rw socket */
        const char *rw_default = server_auth_of(cfg->auth_unix_rw) == REMOTE_AUTH_POLKIT ? "0777" : "0700";
        if (listen_parse_mode(cfg->unix_sock_rw_perms ? cfg->unix_sock_rw_perms : rw_default, &rw_mode) < 0)
                return server_fail(-EINVAL, errbuf, errlen, "unix_sock_rw_perms: not an octal mode");
        if (listen_parse_mode(cfg->unix_sock_ro_perms ? cfg->unix_sock_ro_perms : "0777", &ro_mode) < 0)
                return server_fail(-EINVAL, errbuf, errlen, "unix_sock_ro_perms: not an octal mode");
        gid_t gid = (gid_t) -1;
        int r = cfg->unix_sock_group ? server_lookup_group(cfg->unix_sock_group, &gid, errbuf, errlen) : 0;
        if (r < 0)
                return r;
        char *dir = NULL, *path = NULL;
        r = server_socket_dir(cfg, system, run_root, &dir, errbuf, errlen);
        if (r < 0)
                return r;
        r = listen_mkdir_p(dir, system ? 0755 : 0700, errbuf, errlen);
        for (int ro = 0; ro < 2 && r == 0; ro++) {
                if (!(ro ? need_ro : need_rw))
                        continue;
                if (asprintf(&path, "%s/libvirt-sock%s", dir, ro ? "-ro" : "") < 0) {
                        r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
                        break;
                }
                ListenSocket sock;
                r = listen_unix(path, ro ? LISTEN_UNIX_RO : LISTEN_UNIX_RW, ro ? ro_mode : rw_mode, gid, &sock, errbuf,
                                errlen);
                if (r == 0 && server_add_listener(s, &sock) < 0)
                        r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
                free(path);
                path = NULL;
        }
        free(dir);
        return r;
}

int server_open_tcp(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen) {
        ListenSocket *v = NULL;
        size_t n = 0;
        int r = listen_tcp(cfg->listen_addr, cfg->tcp_port ? cfg->tcp_port : DEFAULT_TCP_PORT, &v, &n, errbuf, errlen);
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (server_streq_null(cfg->auth_tcp, "none"))
                        log_warning("listening on %s with auth_tcp = \"none\": anyone who reaches it has full "
                                    "control, unencrypted", v[i].name);
                if (server_add_listener(s, &v[i]) < 0)
                        r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        for (size_t i = 0; v && i < n; i++)
                listen_socket_close(&v[i]);     /* those not taken (after a failure); taken ones are fd -1 */
        free(v);
        return r;
}

int server_open_tls(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen) {
        ListenSocket *v = NULL;
        size_t n = 0;
        int r = listen_tcp(cfg->listen_addr, cfg->tls_port ? cfg->tls_port : DEFAULT_TLS_PORT, &v, &n, errbuf, errlen);
        for (size_t i = 0; r == 0 && i < n; i++) {
                v[i].kind = LISTEN_TLS;
                if (server_add_listener(s, &v[i]) < 0)
                        r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        for (size_t i = 0; v && i < n; i++)
                listen_socket_close(&v[i]);
        free(v);
        return r;
}

