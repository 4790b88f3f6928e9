/* client-expiry.c: what a remote client's timer does when it fires: drops the client whose deadline passed, or sends a keepalive PING. */
#define LOG_MODULE "remote"

#include "client-internal.h"
#include "log.h"

static void client_keepalive_fire(Client *c, uint64_t now) {
        const RemoteLimits *lim = client_limits(c);
        if (c->ka_unanswered >= lim->keepalive_count) {
                remote_client_drop(&c->pub, LOG_LEVEL_INFO,
                                   "silent for %llu s, %u keepalive PINGs unanswered (keepalive_interval %d, "
                                   "keepalive_count %u)",
                                   (unsigned long long) ((now - c->ka_last_rx) / 1000000ull), c->ka_unanswered,
                                   lim->keepalive_interval, lim->keepalive_count);
                return;
        }
        uint8_t *p = NULL;
        size_t len = 0;
        if (c->proto->keepalive(KEEPALIVE_PROC_PING, &p, &len) < 0) {
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "out of memory for a keepalive PING");
                return;
        }
        c->ka_unanswered++;
        c->ka_last_ping = now;
        remote_client_send(&c->pub, p, len);
}

int client_on_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        Client *c = userdata;
        remote_client_ref(&c->pub);
        uint64_t now = client_now(c);
        uint64_t ka = client_keepalive_deadline(c);
        if ((c->pub.closing || c->eof) && c->close_deadline && now >= c->close_deadline)
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, c->eof ? "gone before its calls were answered"
                                                                   : "did not take its last replies in time");
        else if (c->handshake_deadline && now >= c->handshake_deadline && !remote_transport_ready(c->t))
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, "did not finish its %s handshake within %llu s",
                                   remote_transport_unready(c->t)->ops->name,
                                   (unsigned long long) (client_limits(c)->handshake_timeout_usec / 1000000ull));
        else if (!c->pub.authenticated && c->auth_deadline && now >= c->auth_deadline)
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, "did not authenticate within %llu s",
                                   (unsigned long long) (client_limits(c)->auth_timeout_usec / 1000000ull));
        else if (ka && now >= ka)
                client_keepalive_fire(c, now);
        client_timer_update(c);
        remote_client_unref(&c->pub);
        return 0;
}
