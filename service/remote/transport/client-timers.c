/* client-timers.c: a remote client's deadlines (handshake, authentication, closing) and keepalive, on one timer. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <string.h>

#include "client-internal.h"
#include "log.h"

/* ---- timers: authentication, closing, keepalive ---- */

static uint64_t client_keepalive_deadline(const Client *c) {
        const RemoteLimits *lim = client_limits(c);
        if (!c->ka_on || lim->keepalive_interval <= 0 || c->pub.closing || c->eof)
                return 0;
        uint64_t base = c->ka_unanswered ? c->ka_last_ping : c->ka_last_rx;
        return base + (uint64_t) lim->keepalive_interval * 1000000ull;
}

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

void client_timer_update(Client *c) {
        if (c->dropped)
                return;
        if (c->handshake_deadline && remote_transport_ready(c->t))
                c->handshake_deadline = 0;
        uint64_t d[4] = {
                c->handshake_deadline,
                c->pub.authenticated ? 0 : c->auth_deadline,
                c->pub.closing || c->eof ? c->close_deadline : 0,
                client_keepalive_deadline(c),
        };
        uint64_t next = 0;
        for (size_t i = 0; i < 4; i++)
                if (d[i] && (!next || d[i] < next))
                        next = d[i];
        int r;
        if (!next)
                r = c->timer ? sd_event_source_set_enabled(c->timer, SD_EVENT_OFF) : 0;
        else if (!c->timer)
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, next, TIMER_ACCURACY_USEC, client_on_timer, c);
        else {
                r = sd_event_source_set_time(c->timer, next);
                if (r >= 0)
                        r = sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "cannot arm its timer: %s", strerror(-r));
}

void remote_client_keepalive_start(RemoteClient *rc) {
        Client *c = client_of(rc);
        rc->keepalive_requested = true;
        if (c->dropped || c->ka_on)
                return;
        c->ka_on = true;
        c->ka_last_rx = client_now(c);
        c->ka_unanswered = 0;
        client_timer_update(c);
}

void remote_client_keepalive_seen(RemoteClient *rc) {
        Client *c = client_of(rc);
        /* No re-arming here: the timer fires at the old deadline and moves itself on. */
        c->ka_last_rx = client_now(c);
        c->ka_unanswered = 0;
}

void remote_client_limits_changed(RemoteClient *rc, bool keepalive_restarted) {
        Client *c = client_of(rc);
        if (keepalive_restarted) {      /* silence while the server did not ping is no fault */
                c->ka_last_rx = client_now(c);
                c->ka_unanswered = 0;
        }
        client_timer_update(c);
        client_kick(c);
}
