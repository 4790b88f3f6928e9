/* client-new.c: a remote client made on an accepted socket: its socket layer, and its I/O, kick and timer handlers wired on the loop. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client-internal.h"
#include "log.h"

static char *client_describe_peer(const RemotePeer *p) {
        char *s = NULL;
        if (!p->has_cred)
                return strdup(p->address[0] ? p->address : "tcp peer");
        return asprintf(&s, "pid %d, uid %u", (int) p->pid, (unsigned) p->uid) < 0 ? NULL : s;
}

int remote_client_new(const ClientOwner *owner, int fd, const ListenSocket *l, RemoteAuthType auth, unsigned id,
                      RemoteClient **out) {
        Client *c = calloc(1, sizeof *c);
        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        bool readonly = l->kind == LISTEN_UNIX_RO;
        c->pub = (RemoteClient) {
                .n_ref = 1,
                .server = owner->server,
                .manager = owner->manager,
                .who = { .uid = (uid_t) -1, .gid = (gid_t) -1, .pid = -1, .readonly = readonly },
                .readonly = readonly,
                .authenticated = auth == REMOTE_AUTH_NONE,
                .auth_type = auth,
        };
        c->id = id;
        c->kind = l->kind;
        c->connected_at = (int64_t) time(NULL);
        c->owner = owner;
        c->proto = owner->proto;
        c->event = sd_event_ref(owner->event);
        if (l->kind == LISTEN_TCP || l->kind == LISTEN_TLS) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* small RPCs, one at a time */
        }
        RemotePeer peer;
        int r = remote_transport_new(fd, &c->t);
        if (r == 0)
                r = remote_transport_identity(c->t, &peer);     /* a unix socket without credentials is not served */
        if (r == 0 && peer.has_cred)
                c->pub.who = (Identity) { .uid = peer.uid, .gid = peer.gid, .pid = peer.pid, .readonly = readonly };
        if (r == 0 && !(c->peer = client_describe_peer(&peer)))
                r = -ENOMEM;
        if (r == 0)
                r = sd_event_add_io(c->event, &c->io, c->t->fd, EPOLLIN, client_on_io, c);
        if (r == 0) {
                c->io_events = EPOLLIN;
                c->io_enabled = true;
                r = sd_event_add_defer(c->event, &c->kick, client_on_kick, c);
        }
        if (r == 0)
                r = sd_event_source_set_enabled(c->kick, SD_EVENT_OFF);
        /* The one timer is made here, off until a deadline comes: client_timer_update() only
         * moves it, so the deadlines need not know what firing does (client-expiry.c). */
        if (r == 0) {
                if (!c->pub.authenticated)
                        c->auth_deadline = client_now(c) + client_limits(c)->auth_timeout_usec;
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, c->auth_deadline, TIMER_ACCURACY_USEC,
                                      client_on_timer, c);
        }
        if (r == 0 && !c->auth_deadline)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        if (r < 0) {
                c->pub.server = NULL;
                client_free(c);
                return r;
        }
        log_debug("client %u (%s) connected on %s%s", id, c->peer, l->name, readonly ? " (read-only)" : "");
        *out = &c->pub;
        return 0;
}
