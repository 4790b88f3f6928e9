/* server.c: the remote door's server: its listeners, accepting clients within the limits, the client list, event fan-out. */
#define LOG_MODULE "remote"

#include "server.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "authz.h"
#include "layer-tls.h"
#include "log.h"
#include "sasl-auth.h"
#include "tls-context.h"

#define ACCEPT_BATCH 32                                 /* per wakeup, so that clients get their turn */
#define ACCEPT_PAUSE_USEC (1000ull * 1000ull)           /* after EMFILE and friends */
#define REFUSAL_LOG_INTERVAL_USEC (5ull * 1000ull * 1000ull)
#define DEFAULT_TCP_PORT "16509"
#define DEFAULT_TLS_PORT "16514"

typedef struct Listener {
        RemoteServer *server;
        ListenSocket sock;
        RemoteAuthType auth;
        bool from_systemd;
        sd_event_source *io;
} Listener;

/* Socket keys a reload cannot change: kept as started, to tell the admin. */
static const struct {
        const char *name;
        size_t offset;
} restart_keys[] = {
        { "unix_sock_dir", offsetof(Config, unix_sock_dir) },
        { "unix_sock_group", offsetof(Config, unix_sock_group) },
        { "unix_sock_ro_perms", offsetof(Config, unix_sock_ro_perms) },
        { "unix_sock_rw_perms", offsetof(Config, unix_sock_rw_perms) },
        { "listen_addr", offsetof(Config, listen_addr) },
        { "tcp_port", offsetof(Config, tcp_port) },
        { "tls_port", offsetof(Config, tls_port) },
        { "auth_tls", offsetof(Config, auth_tls) },
        { "auth_tcp", offsetof(Config, auth_tcp) },
        { "auth_unix_ro", offsetof(Config, auth_unix_ro) },
        { "auth_unix_rw", offsetof(Config, auth_unix_rw) },
};
#define N_RESTART_KEYS (sizeof restart_keys / sizeof restart_keys[0])

struct RemoteServer {
        Manager *manager;
        sd_event *event;
        RemoteLimits limits;
        Listener **listeners;
        size_t n_listeners;
        RemoteClient **clients;         /* the server holds a reference on each; dropped ones until the reap */
        size_t n_clients, cap_clients;
        size_t n_live;                  /* clients not dropped */
        RemoteClient **zombies;         /* reaped, still referenced by pending calls: told when the server goes */
        size_t n_zombies, cap_zombies;
        sd_event_source *reap;
        sd_event_source *accept_resume;
        int next_callback_id;
        unsigned next_client_id;
        bool observing;
        uint64_t refusal_logged_at;
        unsigned refusals_unlogged;
        char *started[N_RESTART_KEYS];
        bool started_listen_tcp, started_listen_tls;
        bool system;                    /* for the TLS files' default paths on reload */
        TlsContext *tls;                /* the TLS listeners' credentials; NULL without one */
        char **sasl_allowed;            /* sasl_allowed_username_list; NULL = anyone */
        unsigned auth_failures;
        Authz *authz;                   /* not owned */
        bool authz_api;                 /* access_drivers = [ "polkit" ] */
        const RemoteProtocol *proto;    /* the protocol side, for every client */
        RemoteLayersFn layers;          /* layers above the socket, for each new client */
        void *layers_userdata;
};

static int server_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int server_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) {
        if (errbuf && errlen > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errbuf, errlen, fmt, ap);
                va_end(ap);
        }
        return r;
}

static bool streq_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *config_string(const Config *cfg, size_t offset) {
        return *(char *const *) ((const char *) cfg + offset);
}

static void server_strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

/* sasl_allowed_username_list, copied; on failure the old list stays. */
static int server_apply_sasl_allowed(RemoteServer *s, const Config *cfg) {
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

static void server_apply_limits(RemoteServer *s, const Config *cfg) {
        s->limits.max_clients = (unsigned) cfg->max_clients;
        s->limits.max_anonymous_clients = (unsigned) cfg->max_anonymous_clients;
        s->limits.max_client_requests = (unsigned) cfg->max_client_requests;
        s->limits.keepalive_interval = cfg->keepalive_interval;
        s->limits.keepalive_count = (unsigned) cfg->keepalive_count;
}

/* What the protocol side cannot serve yet is refused here, naming the key. */
static int server_check_auth(const Config *cfg, bool tcp, bool tcp_from_systemd, bool tls, char *errbuf,
                             size_t errlen) {
        const struct {
                const char *key, *value;
        } unix_auth[] = { { "auth_unix_rw", cfg->auth_unix_rw }, { "auth_unix_ro", cfg->auth_unix_ro } };
        for (size_t i = 0; i < 2; i++)
                if (unix_auth[i].value && strcmp(unix_auth[i].value, "none") != 0 &&
                    strcmp(unix_auth[i].value, "polkit") != 0)
                        return server_fail(-EOPNOTSUPP, errbuf, errlen,
                                           "%s = \"%s\" is not supported yet (only \"none\" and \"polkit\" are)",
                                           unix_auth[i].key, unix_auth[i].value);
        /* config.c refuses other values with file:line; a Config built otherwise is checked here:
         * running without checks the admin asked for would let callers do more than allowed. */
        for (char **d = cfg->access_drivers; d && *d; d++)
                if (strcmp(*d, "nop") != 0 && strcmp(*d, "polkit") != 0)
                        return server_fail(-EOPNOTSUPP, errbuf, errlen,
                                           "access_drivers = [ \"%s\" ] is not supported yet (only \"nop\" and \"polkit\" are)",
                                           *d);
        /* SASL's plugins and libvirt.conf are read now: a broken setup stops the start. */
        bool sasl = (tcp && !streq_null(cfg->auth_tcp, "none")) || (tls && streq_null(cfg->auth_tls, "sasl"));
        char why[256] = "";
        if (sasl && remote_sasl_global_init(why, sizeof why) < 0)
                return server_fail(-EIO, errbuf, errlen, "%s = \"sasl\"%s: %s",
                                   tcp && !streq_null(cfg->auth_tcp, "none") ? "auth_tcp" : "auth_tls",
                                   tcp && !cfg->auth_tcp ? " (the default)" : "", why);
        (void) tcp_from_systemd;
        return 0;
}

static RemoteAuthType server_auth_of(const char *value) {
        return value && strcmp(value, "polkit") == 0 ? REMOTE_AUTH_POLKIT
             : value && strcmp(value, "sasl") == 0   ? REMOTE_AUTH_SASL
                                                     : REMOTE_AUTH_NONE;
}

/* Each listener takes its auth key: auth_tcp defaults to "sasl", auth_tls to "none", as in libvirt. */
static void server_apply_auth(RemoteServer *s, const Config *cfg) {
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

static int server_socket_dir(const Config *cfg, bool system, const char *run_root, char **out, char *errbuf,
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

static int server_add_listener(RemoteServer *s, ListenSocket *sock) {
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

/* ---- accepting ---- */

static int server_on_accept_resume(sd_event_source *es, uint64_t usec, void *userdata) {
        RemoteServer *s = userdata;
        for (size_t i = 0; i < s->n_listeners; i++)
                sd_event_source_set_enabled(s->listeners[i]->io, SD_EVENT_ON);
        return 0;
}

/* Out of file descriptors: the listening sockets would stay readable and spin the loop. */
static void server_pause_accepting(RemoteServer *s, int e) {
        log_warning("cannot accept connections: %s; pausing for a second", strerror(e));
        for (size_t i = 0; i < s->n_listeners; i++)
                sd_event_source_set_enabled(s->listeners[i]->io, SD_EVENT_OFF);
        uint64_t now = 0;
        sd_event_now(s->event, CLOCK_MONOTONIC, &now);
        /* The timer was made at the start: now there may be no descriptor for a timerfd. */
        if (sd_event_source_set_time(s->accept_resume, now + ACCEPT_PAUSE_USEC) < 0 ||
            sd_event_source_set_enabled(s->accept_resume, SD_EVENT_ONESHOT) < 0)
                server_on_accept_resume(NULL, 0, s);   /* better spinning than deaf */
}

static void server_refuse(RemoteServer *s, int fd, const Listener *l, const char *why, unsigned limit) {
        close(fd);
        uint64_t now = 0;
        sd_event_now(s->event, CLOCK_MONOTONIC, &now);
        if (s->refusal_logged_at && now < s->refusal_logged_at + REFUSAL_LOG_INTERVAL_USEC) {
                s->refusals_unlogged++;
                return;
        }
        if (s->refusals_unlogged)
                log_warning("refused a connection on %s: %s (%u) reached; %u more refused since the last message",
                            l->sock.name, why, limit, s->refusals_unlogged);
        else
                log_warning("refused a connection on %s: %s (%u) reached", l->sock.name, why, limit);
        s->refusal_logged_at = now ? now : 1;
        s->refusals_unlogged = 0;
}

static size_t server_n_unauthenticated(RemoteServer *s) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_clients; i++)
                if (!remote_client_is_dropped(s->clients[i]) && !s->clients[i]->authenticated)
                        n++;
        return n;
}

static void server_take_client(RemoteServer *s, Listener *l, int fd) {
        if (s->n_live >= s->limits.max_clients) {
                server_refuse(s, fd, l, "max_clients", s->limits.max_clients);
                return;
        }
        if (l->auth != REMOTE_AUTH_NONE && s->limits.max_anonymous_clients &&
            server_n_unauthenticated(s) >= s->limits.max_anonymous_clients) {
                server_refuse(s, fd, l, "max_anonymous_clients", s->limits.max_anonymous_clients);
                return;
        }
        if (s->n_clients == s->cap_clients) {
                size_t cap = s->cap_clients ? s->cap_clients * 2 : 16;
                RemoteClient **v = realloc(s->clients, cap * sizeof *v);
                if (!v) {
                        close(fd);
                        log_error("refused a connection on %s: out of memory", l->sock.name);
                        return;
                }
                s->clients = v;
                s->cap_clients = cap;
        }
        RemoteClient *c = NULL;
        int r = remote_client_new(s, fd, &l->sock, l->auth, ++s->next_client_id, &c);
        if (r < 0) {
                log_error("refused a connection on %s: %s", l->sock.name, strerror(-r));
                return;
        }
        /* The listener's own layer first: TLS is the TLS listener's alone. */
        if (l->sock.kind == LISTEN_TLS) {
                RemoteLayer *tls = NULL;
                r = s->tls ? remote_layer_tls_new(s->tls, &tls) : -ENOKEY;
                if (r == 0)
                        remote_client_push_layer(c, tls);
        }
        if (r == 0 && s->layers)
                r = s->layers(c, &l->sock, s->layers_userdata);
        if (r < 0) {
                log_error("refused a connection on %s: cannot set up its layers: %s", l->sock.name, strerror(-r));
                c->server = NULL;       /* never counted: nothing for the server to forget */
                remote_client_drop(c, LOG_LEVEL_DEBUG, "refused");
                remote_client_unref(c);
                return;
        }
        c->authz = s->authz;
        c->authz_api = s->authz_api;
        if (l->auth == REMOTE_AUTH_POLKIT || s->authz_api) {
                /* The peer's start time now, while SO_PEERCRED's pid is known to be the peer: with
                 * pid and uid it names the process even if the pid is reused later. */
                if (c->who.pid > 0 && authz_process_start_time(c->who.pid, &c->start_time) < 0)
                        c->start_time = 0;      /* polkitd then refuses: the subject does not match */
                if (c->who.uid == 0) {
                        /* as libvirt: root is authenticated at once and auth_list answers none */
                        c->authenticated = true;
                        c->auth_type = REMOTE_AUTH_NONE;
                }
        }
        s->clients[s->n_clients++] = c;
        s->n_live++;
}

static int server_on_listener_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Listener *l = userdata;
        for (int i = 0; i < ACCEPT_BATCH; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd >= 0) {
                        server_take_client(l->server, l, cfd);
                        continue;
                }
                switch (errno) {
                case EAGAIN:
                        return 0;
                case EINTR:
                case ECONNABORTED:
                case EPROTO:
                case EPERM:             /* a firewall said no */
                        continue;
                case EMFILE:
                case ENFILE:
                case ENOBUFS:
                case ENOMEM:
                        server_pause_accepting(l->server, errno);
                        return 0;
                default:
                        log_error("accept on %s failed: %s", l->sock.name, strerror(errno));
                        return 0;
                }
        }
        return 0;
}

/* ---- the client list ---- */

static int server_on_reap(sd_event_source *es, void *userdata) {
        RemoteServer *s = userdata;
        size_t j = 0;
        bool again = false;
        for (size_t i = 0; i < s->n_clients; i++) {
                RemoteClient *c = s->clients[i];
                if (!remote_client_is_dropped(c)) {
                        s->clients[j++] = c;
                        continue;
                }
                if (c->n_ref > 1) {     /* a pending call still holds it: remember it for remote_server_free() */
                        if (s->n_zombies == s->cap_zombies) {
                                size_t cap = s->cap_zombies ? s->cap_zombies * 2 : 8;
                                RemoteClient **v = realloc(s->zombies, cap * sizeof *v);
                                if (!v) {
                                        s->clients[j++] = c;
                                        again = true;
                                        continue;
                                }
                                s->zombies = v;
                                s->cap_zombies = cap;
                        }
                        s->zombies[s->n_zombies++] = c;
                }
                remote_client_unref(c);
        }
        s->n_clients = j;
        if (again)
                sd_event_source_set_enabled(s->reap, SD_EVENT_ONESHOT);
        return 0;
}

void remote_server_client_gone(RemoteServer *s, RemoteClient *c) {
        if (!s)
                return;
        if (s->n_live > 0)
                s->n_live--;
        sd_event_source_set_enabled(s->reap, SD_EVENT_ONESHOT);
}

void remote_server_client_freed(RemoteServer *s, RemoteClient *c) {
        for (size_t i = 0; s && i < s->n_zombies; i++)
                if (s->zombies[i] == c) {
                        s->zombies[i] = s->zombies[--s->n_zombies];
                        return;
                }
}

void remote_server_foreach_client(RemoteServer *s, void (*fn)(RemoteClient *c, void *userdata), void *userdata) {
        /* Indexing afresh each time: fn may drop clients (the reap comes later) but adds none. */
        for (size_t i = 0; s && i < s->n_clients; i++) {
                RemoteClient *c = s->clients[i];
                if (!remote_client_is_dropped(c) && !c->closing)
                        fn(c, userdata);
        }
}

int remote_server_next_callback_id(RemoteServer *s) {
        if (!s)
                return -1;
        int id = s->next_callback_id;
        s->next_callback_id = id == INT_MAX ? 0 : id + 1;
        return id;
}

static void server_deliver_one(RemoteClient *c, void *userdata) {
        c->server->proto->notice(c, userdata);
}

static void server_on_notice(const Notice *n, void *userdata) {
        remote_server_foreach_client(userdata, server_deliver_one, (void *) n);
}

/* ---- setup and teardown ---- */

static int server_open_unix(RemoteServer *s, const Config *cfg, bool system, const char *run_root, bool need_rw,
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

static int server_open_tcp(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen) {
        ListenSocket *v = NULL;
        size_t n = 0;
        int r = listen_tcp(cfg->listen_addr, cfg->tcp_port ? cfg->tcp_port : DEFAULT_TCP_PORT, &v, &n, errbuf, errlen);
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (streq_null(cfg->auth_tcp, "none"))
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

static int server_open_tls(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen) {
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

static int server_remember_config(RemoteServer *s, const Config *cfg) {
        for (size_t i = 0; i < N_RESTART_KEYS; i++) {
                const char *v = config_string(cfg, restart_keys[i].offset);
                if (v && !(s->started[i] = strdup(v)))
                        return -ENOMEM;
        }
        s->started_listen_tcp = cfg->listen_tcp;
        s->started_listen_tls = cfg->listen_tls;
        return 0;
}

int remote_server_new_with_fds(Manager *m, sd_event *e, const Config *cfg, bool system, const char *run_root,
                               const int *fds, char **names, size_t n_fds, const RemoteProtocol *proto,
                               RemoteServer **out, char *errbuf, size_t errlen) {
        RemoteServer *s = calloc(1, sizeof *s);
        if (!s) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        s->manager = m;
        s->event = sd_event_ref(e);
        s->proto = proto;
        s->limits = (RemoteLimits) {
                .auth_timeout_usec = REMOTE_AUTH_TIMEOUT_USEC,
                .handshake_timeout_usec = REMOTE_HANDSHAKE_TIMEOUT_USEC,
                .close_timeout_usec = REMOTE_CLOSE_TIMEOUT_USEC,
                .output_max = REMOTE_OUTPUT_MAX,
        };
        server_apply_limits(s, cfg);

        bool have[LISTEN_N_KINDS] = { false };
        if (server_apply_sasl_allowed(s, cfg) < 0) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                remote_server_free(s);
                return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        int r = 0;
        for (size_t i = 0; i < n_fds; i++) {
                ListenSocket sock;
                char msg[256] = "";
                if (r < 0 || listen_adopt(fds[i], names ? names[i] : NULL, &sock, msg, sizeof msg) < 0) {
                        if (r == 0)
                                log_warning("ignoring a socket from systemd: %s", msg);
                        close(fds[i]);
                        continue;
                }
                have[sock.kind] = true;
                if (server_add_listener(s, &sock) < 0)
                        r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
                else
                        s->listeners[s->n_listeners - 1]->from_systemd = true;
        }
        if (r == 0)
                r = server_check_auth(cfg, have[LISTEN_TCP] || cfg->listen_tcp, have[LISTEN_TCP],
                                      have[LISTEN_TLS] || cfg->listen_tls, errbuf, errlen);
        /* The credentials before any socket: a daemon that cannot serve TLS must not be seen
         * listening, not even for a moment. */
        s->system = system;
        if (r == 0 && (have[LISTEN_TLS] || cfg->listen_tls))
                r = tls_context_load(cfg, system, &s->tls, errbuf, errlen);
        if (r == 0 && (!have[LISTEN_UNIX_RW] || !have[LISTEN_UNIX_RO]))
                r = server_open_unix(s, cfg, system, run_root, !have[LISTEN_UNIX_RW], !have[LISTEN_UNIX_RO], errbuf,
                                     errlen);
        if (r == 0 && cfg->listen_tcp && !have[LISTEN_TCP])
                r = server_open_tcp(s, cfg, errbuf, errlen);
        if (r == 0 && cfg->listen_tls && !have[LISTEN_TLS])
                r = server_open_tls(s, cfg, errbuf, errlen);
        if (r == 0)
                server_apply_auth(s, cfg);
        for (char **d = cfg->access_drivers; r == 0 && d && *d; d++)
                if (strcmp(*d, "polkit") == 0)
                        s->authz_api = true;
        if (r == 0 && (server_remember_config(s, cfg) < 0 || sd_event_add_defer(e, &s->reap, server_on_reap, s) < 0 ||
                       sd_event_add_time(e, &s->accept_resume, CLOCK_MONOTONIC, 0, 0, server_on_accept_resume, s) < 0))
                r = server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        if (r == 0) {
                sd_event_source_set_enabled(s->reap, SD_EVENT_OFF);
                sd_event_source_set_enabled(s->accept_resume, SD_EVENT_OFF);
        }
        for (size_t i = 0; r == 0 && i < s->n_listeners; i++) {
                Listener *l = s->listeners[i];
                r = sd_event_add_io(e, &l->io, l->sock.fd, EPOLLIN, server_on_listener_io, l);
                if (r < 0)
                        server_fail(r, errbuf, errlen, "cannot watch %s: %s", l->sock.name, strerror(-r));
        }
        if (r == 0) {
                r = manager_add_observer(m, server_on_notice, s);
                if (r < 0)
                        server_fail(r, errbuf, errlen, "out of memory");
                s->observing = r == 0;
        }
        if (r < 0) {
                remote_server_free(s);
                return r;
        }
        for (size_t i = 0; i < s->n_listeners; i++)
                log_info("listening on %s (%s%s)", s->listeners[i]->sock.name, listen_kind_name(s->listeners[i]->sock.kind),
                         s->listeners[i]->from_systemd ? ", from systemd" : "");
        *out = s;
        return 0;
}

int remote_server_new(Manager *m, sd_event *e, const Config *cfg, bool system, const char *run_root,
                      const RemoteProtocol *proto, RemoteServer **out, char *errbuf, size_t errlen) {
        char **names = NULL;
        int n = sd_listen_fds_with_names(true, &names);
        if (n < 0) {
                log_warning("ignoring the sockets systemd passed: %s", strerror(-n));
                n = 0;
        }
        int fds[n > 0 ? n : 1];
        for (int i = 0; i < n; i++)
                fds[i] = SD_LISTEN_FDS_START + i;
        int r = remote_server_new_with_fds(m, e, cfg, system, run_root, fds, names, (size_t) n, proto, out, errbuf, errlen);
        for (char **p = names; p && *p; p++)
                free(*p);
        free(names);
        return r;
}

RemoteServer *remote_server_free(RemoteServer *s) {
        if (!s)
                return NULL;
        if (s->observing)
                manager_remove_observer(s->manager, server_on_notice, s);
        for (size_t i = 0; i < s->n_listeners; i++) {
                sd_event_source_disable_unref(s->listeners[i]->io);
                listen_socket_close(&s->listeners[i]->sock);
                free(s->listeners[i]);
        }
        free(s->listeners);
        for (size_t i = 0; i < s->n_clients; i++)
                remote_client_drop(s->clients[i], LOG_LEVEL_DEBUG, "the server is shutting down");
        for (size_t i = 0; i < s->n_clients; i++) {
                s->clients[i]->server = NULL;
                remote_client_unref(s->clients[i]);
        }
        for (size_t i = 0; i < s->n_zombies; i++)
                s->zombies[i]->server = NULL;
        free(s->clients);
        free(s->zombies);
        sd_event_source_disable_unref(s->reap);
        sd_event_source_disable_unref(s->accept_resume);
        for (size_t i = 0; i < N_RESTART_KEYS; i++)
                free(s->started[i]);
        tls_context_unref(s->tls);
        server_strv_free(s->sasl_allowed);
        sd_event_unref(s->event);
        free(s);
        return NULL;
}

/* New credentials for new connections; sessions keep theirs. A bad new file keeps the old ones. */
static void server_reload_tls(RemoteServer *s, const Config *cfg) {
        if (!s->tls)
                return;
        char msg[512] = "";
        TlsContext *fresh = NULL;
        if (tls_context_load(cfg, s->system, &fresh, msg, sizeof msg) < 0) {
                log_error("TLS credentials not reloaded, the previous ones stay in service: %s", msg);
                return;
        }
        tls_context_unref(s->tls);
        s->tls = fresh;
        log_info("TLS credentials reloaded");
}

int remote_server_reconfigure(RemoteServer *s, const Config *cfg) {
        if (!s || !cfg)
                return -EINVAL;
        bool keepalive_restarted = s->limits.keepalive_interval <= 0 && cfg->keepalive_interval > 0;
        server_apply_limits(s, cfg);
        if (server_apply_sasl_allowed(s, cfg) < 0)
                log_error("sasl_allowed_username_list not reloaded: out of memory");
        for (size_t i = 0; i < s->n_clients; i++)
                if (!remote_client_is_dropped(s->clients[i]))
                        remote_client_limits_changed(s->clients[i], keepalive_restarted);
        for (size_t i = 0; i < N_RESTART_KEYS; i++)
                if (!streq_null(s->started[i], config_string(cfg, restart_keys[i].offset)))
                        log_warning("%s changed: it takes effect at the next start", restart_keys[i].name);
        if (s->started_listen_tcp != cfg->listen_tcp)
                log_warning("listen_tcp changed: it takes effect at the next start");
        if (s->started_listen_tls != cfg->listen_tls)
                log_warning("listen_tls changed: it takes effect at the next start");
        server_reload_tls(s, cfg);
        return 0;
}

/* ---- internal accessors ---- */

const RemoteProtocol *remote_server_protocol(RemoteServer *s) {
        return s->proto;
}

RemoteLimits *remote_server_limits(RemoteServer *s) {
        return &s->limits;
}

sd_event *remote_server_event(RemoteServer *s) {
        return s->event;
}

Manager *remote_server_manager(RemoteServer *s) {
        return s->manager;
}

size_t remote_server_n_clients(RemoteServer *s) {
        return s->n_live;
}

size_t remote_server_n_listeners(RemoteServer *s) {
        return s->n_listeners;
}

const ListenSocket *remote_server_listener(RemoteServer *s, size_t i) {
        return i < s->n_listeners ? &s->listeners[i]->sock : NULL;
}

void remote_server_set_authz(RemoteServer *s, Authz *authz) {
        s->authz = authz;
}

void remote_server_set_auth(RemoteServer *s, RemoteAuthType auth) {
        for (size_t i = 0; i < s->n_listeners; i++)
                s->listeners[i]->auth = auth;
}

void remote_server_set_layers(RemoteServer *s, RemoteLayersFn fn, void *userdata) {
        s->layers = fn;
        s->layers_userdata = userdata;
}

char *const *remote_server_sasl_allowed(RemoteServer *s) {
        return s ? s->sasl_allowed : NULL;
}

unsigned remote_server_auth_failed(RemoteServer *s) {
        return s ? ++s->auth_failures : 0;
}
