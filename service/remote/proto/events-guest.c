/* events-guest.c: the guest's own domain events (RTC, watchdog, I/O errors, graphics, tray, power
 * management, balloon, control error, tunables, migration passes, ended jobs): which legacy or
 * callback procedure a subscription gets for a notice, and the message's body (remote_protocol.x's
 * remote_domain_event_*_msg layouts). */
#include "events-guest.h"

#include "domain.h"

/* virDomainEventID */
enum {
        DOMAIN_EVENT_ID_RTC_CHANGE = 2,
        DOMAIN_EVENT_ID_WATCHDOG = 3,
        DOMAIN_EVENT_ID_IO_ERROR = 4,
        DOMAIN_EVENT_ID_GRAPHICS = 5,
        DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,
        DOMAIN_EVENT_ID_CONTROL_ERROR = 7,
        DOMAIN_EVENT_ID_DISK_CHANGE = 9,
        DOMAIN_EVENT_ID_TRAY_CHANGE = 10,
        DOMAIN_EVENT_ID_PMWAKEUP = 11,
        DOMAIN_EVENT_ID_PMSUSPEND = 12,
        DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,
        DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,
        DOMAIN_EVENT_ID_TUNABLE = 17,
        DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
        DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
};

/* MESSAGE procedures. */
enum {
        /* the guest's own events: legacy and callback procedures */
        PROC_DOMAIN_EVENT_RTC_CHANGE = 170,
        PROC_DOMAIN_EVENT_WATCHDOG = 171,
        PROC_DOMAIN_EVENT_IO_ERROR = 172,
        PROC_DOMAIN_EVENT_GRAPHICS = 173,
        PROC_DOMAIN_EVENT_IO_ERROR_REASON = 195,
        PROC_DOMAIN_EVENT_CONTROL_ERROR = 224,
        PROC_DOMAIN_EVENT_DISK_CHANGE = 248,
        PROC_DOMAIN_EVENT_TRAY_CHANGE = 268,
        PROC_DOMAIN_EVENT_PMWAKEUP = 269,
        PROC_DOMAIN_EVENT_PMSUSPEND = 270,
        PROC_DOMAIN_EVENT_BALLOON_CHANGE = 276,
        PROC_DOMAIN_EVENT_PMSUSPEND_DISK = 292,
        PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE = 320,
        PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG = 321,
        PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR = 322,
        PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS = 323,
        PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON = 324,
        PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR = 325,
        PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE = 327,
        PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE = 328,
        PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP = 329,
        PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND = 330,
        PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE = 331,
        PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK = 332,
        PROC_DOMAIN_EVENT_CALLBACK_TUNABLE = 346,
        PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION = 359,
        PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED = 363,
};

#define REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX 20u
#define REMOTE_DOMAIN_EVENT_TUNABLE_MAX 2048u
#define REMOTE_DOMAIN_JOB_STATS_MAX 64u

/* The guest's own events: the subscription's event id, and the legacy and callback procedures
 * of each (0: none in that form). */
static const struct {
        NoticeType type;
        int which;              /* NOTICE_PM: the kind; else -1 */
        int event_id, legacy, callback;
} guest_events[] = {
        { NOTICE_RTC_CHANGE, -1, DOMAIN_EVENT_ID_RTC_CHANGE, PROC_DOMAIN_EVENT_RTC_CHANGE, PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE },
        { NOTICE_WATCHDOG, -1, DOMAIN_EVENT_ID_WATCHDOG, PROC_DOMAIN_EVENT_WATCHDOG, PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG },
        { NOTICE_IO_ERROR, -1, DOMAIN_EVENT_ID_IO_ERROR, PROC_DOMAIN_EVENT_IO_ERROR, PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR },
        { NOTICE_IO_ERROR, -1, DOMAIN_EVENT_ID_IO_ERROR_REASON, PROC_DOMAIN_EVENT_IO_ERROR_REASON,
          PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON },
        { NOTICE_GRAPHICS, -1, DOMAIN_EVENT_ID_GRAPHICS, PROC_DOMAIN_EVENT_GRAPHICS, PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS },
        { NOTICE_CONTROL_ERROR, -1, DOMAIN_EVENT_ID_CONTROL_ERROR, PROC_DOMAIN_EVENT_CONTROL_ERROR,
          PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR },
        { NOTICE_DISK_CHANGE, -1, DOMAIN_EVENT_ID_DISK_CHANGE, PROC_DOMAIN_EVENT_DISK_CHANGE, PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE },
        { NOTICE_TRAY_CHANGE, -1, DOMAIN_EVENT_ID_TRAY_CHANGE, PROC_DOMAIN_EVENT_TRAY_CHANGE, PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE },
        { NOTICE_PM, NOTICE_PM_WAKEUP, DOMAIN_EVENT_ID_PMWAKEUP, PROC_DOMAIN_EVENT_PMWAKEUP, PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP },
        { NOTICE_PM, NOTICE_PM_SUSPEND, DOMAIN_EVENT_ID_PMSUSPEND, PROC_DOMAIN_EVENT_PMSUSPEND, PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND },
        { NOTICE_PM, NOTICE_PM_SUSPEND_DISK, DOMAIN_EVENT_ID_PMSUSPEND_DISK, PROC_DOMAIN_EVENT_PMSUSPEND_DISK,
          PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK },
        { NOTICE_BALLOON_CHANGE, -1, DOMAIN_EVENT_ID_BALLOON_CHANGE, PROC_DOMAIN_EVENT_BALLOON_CHANGE,
          PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE },
        { NOTICE_TUNABLE, -1, DOMAIN_EVENT_ID_TUNABLE, 0, PROC_DOMAIN_EVENT_CALLBACK_TUNABLE },
        { NOTICE_MIGRATION_ITERATION, -1, DOMAIN_EVENT_ID_MIGRATION_ITERATION, 0, PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION },
        { NOTICE_JOB_COMPLETED, -1, DOMAIN_EVENT_ID_JOB_COMPLETED, 0, PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED },
};


int remote_guest_event_proc(int event_id, bool legacy, const Notice *n) {
        for (size_t i = 0; i < sizeof guest_events / sizeof guest_events[0]; i++)
                if (guest_events[i].type == n->type && guest_events[i].event_id == event_id &&
                    (guest_events[i].which < 0 || guest_events[i].which == n->event))
                        return legacy ? guest_events[i].legacy : guest_events[i].callback;
        return 0;
}

static void put_graphics_address(XdrWriter *w, const NoticeGraphicsAddress *a) {
        xdr_put_i32(w, a->family);
        xdr_put_string(w, a->node ? a->node : "");
        xdr_put_string(w, a->service ? a->service : "");
}

/* {int phase; address local; address remote; string authScheme; identity subject<20>} */
static void put_graphics(XdrWriter *w, const NoticeGraphics *g) {
        size_t n = g->n_identities < REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX ? g->n_identities
                                                                                 : REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX;
        xdr_put_i32(w, g->phase);
        put_graphics_address(w, &g->local);
        put_graphics_address(w, &g->remote);
        xdr_put_string(w, g->auth_scheme ? g->auth_scheme : "");
        xdr_put_u32(w, (uint32_t) n);
        for (size_t i = 0; i < n; i++) {
                xdr_put_string(w, g->identities[i][0]);
                xdr_put_string(w, g->identities[i][1]);
        }
}

/* {remote_typed_param params<max>} */
static void put_params(XdrWriter *w, const Notice *n, size_t max) {
        size_t k = n->n_params < max ? n->n_params : max;
        xdr_put_u32(w, (uint32_t) k);
        for (size_t i = 0; i < k; i++)
                remote_put_stat_param(&n->params[i], w);
}

/* The body of a guest event's message after the domain (or, for the power management
 * callbacks, {int reason; dom}: the reason comes first). */
bool remote_put_guest_event(XdrWriter *w, int callback_id, bool legacy, const Notice *n, int proc) {
        switch (proc) {
        case PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP:
        case PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND:
        case PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK:
                xdr_put_i32(w, callback_id);
                xdr_put_i32(w, n->detail);
                remote_put_domain(w, (const Domain *) n->obj);
                return true;
        default:
                break;
        }
        if (!legacy)
                xdr_put_i32(w, callback_id);
        remote_put_domain(w, (const Domain *) n->obj);
        switch (proc) {
        case PROC_DOMAIN_EVENT_RTC_CHANGE:
        case PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE:
                xdr_put_i64(w, n->number);
                break;
        case PROC_DOMAIN_EVENT_WATCHDOG:
        case PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG:
                xdr_put_i32(w, n->event);
                break;
        case PROC_DOMAIN_EVENT_IO_ERROR:
        case PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR:
        case PROC_DOMAIN_EVENT_IO_ERROR_REASON:
        case PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON:
                xdr_put_string(w, n->path ? n->path : "");
                xdr_put_string(w, n->text ? n->text : "");
                xdr_put_i32(w, n->event);
                if (proc == PROC_DOMAIN_EVENT_IO_ERROR_REASON || proc == PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON)
                        xdr_put_string(w, n->reason ? n->reason : "");
                break;
        case PROC_DOMAIN_EVENT_GRAPHICS:
        case PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS:
                if (!n->graphics)
                        return false;
                put_graphics(w, n->graphics);
                break;
        case PROC_DOMAIN_EVENT_DISK_CHANGE:    /* {remote_string old; remote_string new; devAlias; int reason} */
        case PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE:
                xdr_put_opt_string(w, n->path);
                xdr_put_opt_string(w, n->new_path);
                xdr_put_string(w, n->text ? n->text : "");
                xdr_put_i32(w, n->event);
                break;
        case PROC_DOMAIN_EVENT_TRAY_CHANGE:
        case PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE:
                xdr_put_string(w, n->text ? n->text : "");
                xdr_put_i32(w, n->event);
                break;
        case PROC_DOMAIN_EVENT_BALLOON_CHANGE:
        case PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE:
                xdr_put_u64(w, (uint64_t) n->number);
                break;
        case PROC_DOMAIN_EVENT_CALLBACK_TUNABLE:
                put_params(w, n, REMOTE_DOMAIN_EVENT_TUNABLE_MAX);
                break;
        case PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED:
                put_params(w, n, REMOTE_DOMAIN_JOB_STATS_MAX);
                break;
        case PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION:
                xdr_put_i32(w, (int32_t) n->number);
                break;
        default:        /* control error, legacy power management: the domain alone */
                break;
        }
        return true;
}

