/* server-accept.c: accepting the remote server's clients within max_clients and max_anonymous_clients, with their first layers. */
#define LOG_MODULE "remote"

#include "server-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authz.h"
#include "layer-tls.h"
#include "log.h"

#define ACCEPT_BATCH 32                                 /* per wakeup, so that clients get their turn */
#define ACCEPT_PAUSE_USEC (1000ull * 1000ull)           /* after EMFILE and friends */
#define REFUSAL_LOG_INTERVAL_USEC (5ull * 1000ull * 1000ull)
#define SOCKET_SNDBUF (1024 * 1024)                     /* a unix client's send buffer: 4 stream packets */

int server_on_accept_resume(sd_event_source *es, uint64_t usec, void *userdata) {
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

size_t remote_server_n_unauthenticated(RemoteServer *s) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_clients; i++)
                if (!remote_client_is_dropped(s->clients[i]) && !s->clients[i]->authenticated)
                        n++;
        return n;
}

static void server_take_client(RemoteServer *s, Listener *l, int fd) {
        if (!l->admin_proto && s->n_live - server_n_live_admin(s) >= s->limits.max_clients) {
                server_refuse(s, fd, l, "max_clients", s->limits.max_clients);
                return;
        }
        if (l->auth != REMOTE_AUTH_NONE && s->limits.max_anonymous_clients &&
            remote_server_n_unauthenticated(s) >= s->limits.max_anonymous_clients) {
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
        int r = remote_client_new(&s->client_owner, fd, &l->sock, l->auth, ++s->next_client_id, &c);
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
        if (l->admin_proto)
                remote_client_set_admin(c, l->admin_proto);
        c->authz = s->authz;
        c->authz_api = s->authz_api;
        if (l->auth == REMOTE_AUTH_POLKIT || s->authz_api) {
                /* The peer's start time now, while SO_PEERCRED's pid is known to be the peer: with
                 * pid and uid it names the process even if the pid is reused later. */
                if (c->who.pid > 0 && authz_process_start_time(c->who.pid, &c->start_time) < 0)
                        c->start_time = 0;      /* polkitd then refuses: the subject does not match */
                if (c->who.uid == 0 && l->auth == REMOTE_AUTH_POLKIT) {
                        /* as libvirt: root is authenticated at once and auth_list answers none
                         * (polkit's only: with auth_unix_rw = "sasl" root gives its SASL name too) */
                        c->authenticated = true;
                        c->auth_type = REMOTE_AUTH_NONE;
                }
        }
        s->clients[s->n_clients++] = c;
        s->n_live++;
}

int server_on_listener_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Listener *l = userdata;
        for (int i = 0; i < ACCEPT_BATCH; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd >= 0) {
                        if (l->sock.kind == LISTEN_UNIX_RW || l->sock.kind == LISTEN_UNIX_RO) {
                                /* A unix socket's default send buffer (wmem_default, 208 KiB) is
                                 * less than one 256 KiB stream packet: every download packet then
                                 * takes two sendmsg calls and two wake-ups of the client. TCP
                                 * keeps the kernel's auto-tuning. Capped by wmem_max; best effort. */
                                int sndbuf = SOCKET_SNDBUF;
                                (void) setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
                        }
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

