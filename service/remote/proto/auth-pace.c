/* auth-pace.c: a failed authentication is answered after a pause, on a timer, and the connection then closed: password guessing costs a second per try and a new connection, and the loop serves everyone else meanwhile. */
#define LOG_MODULE "remote"

#include "auth-pace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server.h"

typedef struct AuthPace {
        Call *call;
        RemoteClient *client;
        VbError err;
        sd_event_source *timer;
} AuthPace;

static int auth_pace_fire(sd_event_source *s, uint64_t usec, void *userdata) {
        AuthPace *p = userdata;
        call_complete(p->call, -1, &p->err, NULL);      /* the error goes out now */
        remote_client_close(p->client);                 /* once it is out */
        call_unref(p->call);
        remote_client_unref(p->client);
        sd_event_source_disable_unref(p->timer);
        free(p);
        return 0;
}

int remote_auth_fail_paced(RemoteCall *rc, uint64_t delay_usec) {
        RemoteClient *c = rc->client;
        sd_event *e = remote_server_event(c->server);
        AuthPace *p = delay_usec && e ? calloc(1, sizeof *p) : NULL;
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        if (!call) {
                free(p);
                remote_client_close(c);                 /* no pause (no memory, no loop): answer now */
                return -1;
        }
        p->err = rc->err;
        p->call = call_ref(call);
        p->client = remote_client_ref(c);
        int r = sd_event_add_time_relative(e, &p->timer, CLOCK_MONOTONIC, delay_usec,
                                           10000, auth_pace_fire, p);
        if (r < 0) {
                log_warning("no timer to pace a failed authentication: %s", strerror(-r));
                call_unref(p->call);
                remote_client_unref(p->client);
                free(p);
                remote_call_finish(rc, call, -1);
                remote_client_close(c);
                return -1;
        }
        return remote_call_finish(rc, call, VERB_PENDING);
}
