/* client-timers.c: a remote client's deadlines (handshake, authentication, closing) and keepalive, set on its one timer. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <string.h>

#include "client-internal.h"
#include "log.h"

uint64_t client_keepalive_deadline(const Client *c) {
        const RemoteLimits *lim = client_limits(c);
        if (!c->ka_on || lim->keepalive_interval <= 0 || c->pub.closing || c->eof)
                return 0;
        uint64_t base = c->ka_unanswered ? c->ka_last_ping : c->ka_last_rx;
        return base + (uint64_t) lim->keepalive_interval * 1000000ull;
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
        /* The timer is made with the client (client-new.c) and lives until the drop. */
        int r;
        if (!next)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
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
