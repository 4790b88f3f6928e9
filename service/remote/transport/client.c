/* client.c: one remote client's life: made on an accepted socket, its layers pushed, references, dropped and freed. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client-internal.h"
#include "log.h"
#include "sasl-auth.h"

const RemoteLimits client_fallback_limits = {
        .max_clients = 1, .max_client_requests = 1, .keepalive_interval = -1,
        .auth_timeout_usec = REMOTE_AUTH_TIMEOUT_USEC, .handshake_timeout_usec = REMOTE_HANDSHAKE_TIMEOUT_USEC,
        .close_timeout_usec = REMOTE_CLOSE_TIMEOUT_USEC,
        .output_max = REMOTE_OUTPUT_MAX,
};

void client_free(Client *c) {
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->kick);
        c->proto->freed(&c->pub);
        if (c->next_layer)
                c->next_layer->ops->close(c->next_layer);
        remote_sasl_free(c->pub.sasl);
        free(c->pub.sasl_username);
        free(c->pub.x509_dname);
        remote_transport_free(c->t);
        out_queue_clear(&c->out);
        free(c->rx_big);
        client_payload_reset(c);
        client_fds_reset(c);
        if (c->pub.server)
                remote_server_client_freed(c->pub.server, &c->pub);
        sd_event_unref(c->event);
        free(c->peer);
        free(c);
}

/* Reading waited for pending calls to end (or for the last one, after the end of input): are
 * they over? Only then is the kick worth it; kicking on every unref would spin the loop. */
bool client_wait_over(const Client *c) {
        if (!c->waiting || c->dropped)
                return false;
        if (c->eof)
                return c->pub.pending == 0;
        return c->pub.pending < client_limits(c)->max_client_requests;
}

RemoteClient *remote_client_ref(RemoteClient *rc) {
        if (rc)
                rc->n_ref++;
        return rc;
}

RemoteClient *remote_client_unref(RemoteClient *rc) {
        if (!rc || rc->n_ref == 0)
                return NULL;
        Client *c = client_of(rc);
        if (--rc->n_ref == 0)
                client_free(c);
        else if (client_wait_over(c))
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);   /* a pending call has ended */
        return NULL;
}

bool remote_client_is_dropped(const RemoteClient *rc) {
        return ((const Client *) rc)->dropped;
}

void remote_client_drop(RemoteClient *rc, int level, const char *fmt, ...) {
        Client *c = client_of(rc);
        if (c->dropped)
                return;
        c->dropped = true;
        rc->closing = true;
        if (log_enabled(LOG_MODULE, (LogLevel) level)) {
                char why[256];
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, sizeof why, fmt, ap);
                va_end(ap);
                log_at((LogLevel) level, "client %u (%s): %s; connection closed", c->id, c->peer, why);
        }
        c->io = sd_event_source_disable_unref(c->io);
        c->timer = sd_event_source_disable_unref(c->timer);
        c->kick = sd_event_source_disable_unref(c->kick);
        c->t = remote_transport_free(c->t);
        out_queue_clear(&c->out);
        free(c->rx_big);
        c->rx_big = NULL;
        client_payload_reset(c);
        client_fds_reset(c);
        c->waiting = false;
        c->proto->dropped(rc);
        remote_server_client_gone(rc->server, rc);
}

void client_kick(Client *c) {
        if (!c->dropped)
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);
}

/* ---- a new client ---- */

static char *client_describe_peer(const RemotePeer *p) {
        char *s = NULL;
        if (!p->has_cred)
                return strdup(p->address[0] ? p->address : "tcp peer");
        return asprintf(&s, "pid %d, uid %u", (int) p->pid, (unsigned) p->uid) < 0 ? NULL : s;
}

int remote_client_new(RemoteServer *s, int fd, const ListenSocket *l, RemoteAuthType auth, unsigned id,
                      RemoteClient **out) {
        Client *c = calloc(1, sizeof *c);
        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        bool readonly = l->kind == LISTEN_UNIX_RO;
        c->pub = (RemoteClient) {
                .n_ref = 1,
                .server = s,
                .manager = remote_server_manager(s),
                .who = { .uid = (uid_t) -1, .gid = (gid_t) -1, .pid = -1, .readonly = readonly },
                .readonly = readonly,
                .authenticated = auth == REMOTE_AUTH_NONE,
                .auth_type = auth,
        };
        c->id = id;
        c->kind = l->kind;
        c->connected_at = (int64_t) time(NULL);
        c->proto = remote_server_protocol(s);
        c->event = sd_event_ref(remote_server_event(s));
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
        if (r == 0 && !c->pub.authenticated) {
                c->auth_deadline = client_now(c) + client_limits(c)->auth_timeout_usec;
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, c->auth_deadline, TIMER_ACCURACY_USEC,
                                      client_on_timer, c);
        }
        if (r < 0) {
                c->pub.server = NULL;
                client_free(c);
                return r;
        }
        log_debug("client %u (%s) connected on %s%s", id, c->peer, l->name, readonly ? " (read-only)" : "");
        *out = &c->pub;
        return 0;
}

void remote_client_push_layer(RemoteClient *rc, RemoteLayer *l) {
        Client *c = client_of(rc);
        if (c->dropped) {
                l->ops->close(l);
                return;
        }
        remote_transport_push(c->t, l);
        if (!l->ready && !c->handshake_deadline) {
                c->handshake_deadline = client_now(c) + client_limits(c)->handshake_timeout_usec;
                client_timer_update(c);
        }
        client_update(c);       /* reading waits for the handshake, which may speak first */
}

void remote_client_push_layer_after_reply(RemoteClient *rc, RemoteLayer *l) {
        Client *c = client_of(rc);
        if (c->dropped || c->next_layer) {
                l->ops->close(l);
                return;
        }
        c->next_layer = l;
        c->next_layer_armed = false;
}

/* "ip;port" of a socket address, as cyrus-sasl wants it. */
static int client_sasl_addr(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        if (getnameinfo((const struct sockaddr *) ss, len, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0)
                return -EINVAL;
        return snprintf(buf, size, "%s;%s", host, serv) < (int) size ? 0 : -ENAMETOOLONG;
}

int remote_client_sasl_new(RemoteClient *rc, RemoteSasl **out, char *errbuf, size_t errlen) {
        Client *c = client_of(rc);
        if (c->dropped)
                return -ENOTCONN;
        struct sockaddr_storage local, remote;
        socklen_t llen = sizeof local, rlen = sizeof remote;
        char la[NI_MAXHOST + NI_MAXSERV + 2], ra[NI_MAXHOST + NI_MAXSERV + 2];
        bool inet = getsockname(c->t->fd, (struct sockaddr *) &local, &llen) == 0 &&
                    getpeername(c->t->fd, (struct sockaddr *) &remote, &rlen) == 0 &&
                    local.ss_family != AF_UNIX && client_sasl_addr(&local, llen, la, sizeof la) == 0 &&
                    client_sasl_addr(&remote, rlen, ra, sizeof ra) == 0;
        RemotePeer peer;
        if (remote_transport_identity(c->t, &peer) < 0)
                peer.tls_ssf = 0;
        return remote_sasl_new(inet ? la : NULL, inet ? ra : NULL, peer.tls_ssf, remote_client_is_unix(rc), out,
                               errbuf, errlen);
}

bool remote_client_is_unix(RemoteClient *rc) {
        const Client *c = client_of(rc);
        return c->kind == LISTEN_UNIX_RW || c->kind == LISTEN_UNIX_RO;
}

const char *remote_client_peer_name(RemoteClient *rc) {
        return client_of(rc)->peer;
}

bool remote_client_has_tls(RemoteClient *rc) {
        Client *c = client_of(rc);
        RemotePeer peer;
        return !c->dropped && remote_transport_identity(c->t, &peer) == 0 && peer.tls_ssf > 0;
}


unsigned remote_client_id(const RemoteClient *rc) {
        return ((const Client *) rc)->id;
}

int remote_client_info(RemoteClient *rc, RemoteClientInfo *out) {
        Client *c = client_of(rc);
        *out = (RemoteClientInfo) {
                .id = c->id,
                .connected_at = c->connected_at,
                .transport = c->kind == LISTEN_TLS ? REMOTE_CLIENT_TRANS_TLS
                           : c->kind == LISTEN_TCP ? REMOTE_CLIENT_TRANS_TCP
                                                   : REMOTE_CLIENT_TRANS_UNIX,
                .admin = c->admin,
                .readonly = rc->readonly,
                .sasl_username = rc->sasl_username,
                .x509_dname = rc->x509_dname,
                .uid = (uid_t) -1,
                .gid = (gid_t) -1,
                .pid = -1,
        };
        if (c->dropped)
                return -ENOTCONN;
        RemotePeer peer;
        int r = remote_transport_identity(c->t, &peer);
        if (r < 0)
                return r;
        snprintf(out->address, sizeof out->address, "%s", peer.address);
        if (peer.has_cred) {
                out->has_cred = true;
                out->uid = peer.uid;
                out->gid = peer.gid;
                out->pid = peer.pid;
        }
        return 0;
}

void remote_client_set_admin(RemoteClient *rc, const RemoteProtocol *proto) {
        client_of(rc)->proto = proto;
        client_of(rc)->admin = true;
}

bool remote_client_is_admin(const RemoteClient *rc) {
        return ((const Client *) rc)->admin;
}
