/* server-reload.c: what SIGHUP changes in the remote server: limits, the SASL allow list, TLS credentials; socket keys are only reported. */
#define LOG_MODULE "remote"

#include "server-internal.h"
#include "server-reload.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "log.h"


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
_Static_assert(N_RESTART_KEYS == SERVER_N_RESTART_KEYS, "server-internal.h sizes started[] by it");

static const char *config_string(const Config *cfg, size_t offset) {
        return *(char *const *) ((const char *) cfg + offset);
}

int server_remember_config(RemoteServer *s, const Config *cfg) {
        for (size_t i = 0; i < N_RESTART_KEYS; i++) {
                const char *v = config_string(cfg, restart_keys[i].offset);
                if (v && !(s->started[i] = strdup(v)))
                        return -ENOMEM;
        }
        s->started_listen_tcp = cfg->listen_tcp;
        s->started_listen_tls = cfg->listen_tls;
        return 0;
}

/* New credentials for new connections; sessions keep theirs. A bad new file keeps the old ones. */
static int server_load_tls(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen) {
        TlsContext *fresh = NULL;
        int r = tls_context_load(cfg, s->system, &fresh, errbuf, errlen);
        if (r < 0) {
                log_error("TLS credentials not reloaded, the previous ones stay in service: %s", errbuf);
                return r;
        }
        tls_context_unref(s->tls);
        s->tls = fresh;
        log_info("TLS credentials reloaded");
        return 0;
}

static void server_reload_tls(RemoteServer *s, const Config *cfg) {
        char msg[512] = "";
        if (s->tls)
                (void) server_load_tls(s, cfg, msg, sizeof msg);
}

int remote_server_update_tls(RemoteServer *s, char *errbuf, size_t errlen) {
        if (!s->tls || !s->cfg) {
                snprintf(errbuf, errlen, "this server has no TLS listener");
                return -EOPNOTSUPP;
        }
        /* The files as the configuration names them now (the daemon reloads it in place). */
        return server_load_tls(s, s->cfg, errbuf, errlen);
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
                if (!server_streq_null(s->started[i], config_string(cfg, restart_keys[i].offset)))
                        log_warning("%s changed: it takes effect at the next start", restart_keys[i].name);
        if (s->started_listen_tcp != cfg->listen_tcp)
                log_warning("listen_tcp changed: it takes effect at the next start");
        if (s->started_listen_tls != cfg->listen_tls)
                log_warning("listen_tls changed: it takes effect at the next start");
        server_reload_tls(s, cfg);
        return 0;
}

