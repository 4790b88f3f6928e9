/* server.c: the remote door's server: made from the configuration and freed, its accessors, event fan-out. */
#define LOG_MODULE "remote"

#include "server-admin.h"
#include "server-internal.h"
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "log.h"

static void server_deliver_one(RemoteClient *c, void *userdata) {
        c->server->proto->notice(c, userdata);
}

static void server_on_notice(const Notice *n, void *userdata) {
        remote_server_foreach_client(userdata, server_deliver_one, (void *) n);
}

/* ---- setup and teardown ---- */

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
        s->cfg = cfg;
        s->client_owner = (ClientOwner) {
                .server = s,
                .manager = m,
                .event = e,
                .proto = proto,
                .limits = &s->limits,
                .gone = remote_server_client_gone,
                .freed = remote_server_client_freed,
        };
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

int remote_server_add_admin(RemoteServer *s, const Config *cfg, bool system, const char *run_root,
                            const RemoteProtocol *admin_proto, char *errbuf, size_t errlen) {
        char *dir = NULL, *path = NULL;
        int r = server_socket_dir(cfg, system, run_root, &dir, errbuf, errlen);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/libvirt-admin-sock", dir) < 0) {
                free(dir);
                return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        free(dir);
        ListenSocket sock;
        /* root only, whatever unix_sock_rw_perms says: it can change how the daemon logs and
         * disconnect anyone */
        r = listen_unix(path, LISTEN_UNIX_RW, 0700, (gid_t) -1, &sock, errbuf, errlen);
        free(path);
        if (r < 0)
                return r;
        if (server_add_listener(s, &sock) < 0)
                return server_fail(-ENOMEM, errbuf, errlen, "out of memory");
        Listener *l = s->listeners[s->n_listeners - 1];
        l->admin_proto = admin_proto;
        l->auth = REMOTE_AUTH_NONE;
        r = sd_event_add_io(s->event, &l->io, l->sock.fd, EPOLLIN, server_on_listener_io, l);
        if (r < 0)
                return server_fail(r, errbuf, errlen, "cannot watch %s: %s", l->sock.name, strerror(-r));
        log_info("listening on %s (admin)", l->sock.name);
        return 0;
}

RemoteServer *remote_server_free(RemoteServer *s) {
        if (!s)
                return NULL;
        remote_server_admin_unregister(s);
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
        for (size_t i = 0; i < SERVER_N_RESTART_KEYS; i++)
                free(s->started[i]);
        tls_context_unref(s->tls);
        server_strv_free(s->sasl_allowed);
        sd_event_unref(s->event);
        free(s);
        return NULL;
}

/* ---- internal accessors ---- */

RemoteLimits *remote_server_limits(RemoteServer *s) {
        return &s->limits;
}

sd_event *remote_server_event(RemoteServer *s) {
        return s->event;
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

