/* client-state.c: one remote client's state: references, dropping and freeing, what it holds released, its identity and small accessors. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
                c->owner->freed(c->pub.server, &c->pub);
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
        if (rc->server)
                c->owner->gone(rc->server, rc);
}

/* A payload being read goes back to the protocol side (a drop, the end). */
void client_payload_reset(Client *c) {
        if (c->rx_pay)
                c->proto->payload_free(c->rx_pay);
        c->rx_pay = NULL;
        c->rx_pay_len = c->rx_pay_got = 0;
}

/* A held CALL_WITH_FDS is forgotten and the descriptors it got are closed (a drop, the end). */
void client_fds_reset(Client *c) {
        for (unsigned i = 0; i < c->fd_got; i++)
                close(c->fds[i]);
        free(c->fd_pkt);
        c->fd_pkt = NULL;
        c->fd_pkt_len = 0;
        c->fd_want = c->fd_got = 0;
}

void client_kick(Client *c) {
        if (!c->dropped)
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);
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
