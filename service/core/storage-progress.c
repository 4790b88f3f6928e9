/* storage-progress.c: how far a long volume operation got (bytes done of total), told to observers a few times a second so that a client can draw a progress bar. */
#include <systemd/sd-event.h>
#include <time.h>

#include "storage.h"

#define PROGRESS_INTERVAL_USEC 200000

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void progress_tell(StorageVol *v) {
        v->progress.told_usec = now_usec();
        v->progress.told_done = v->progress.done;
        notify_changed(&v->obj, PROP_PROGRESS);
}

static int on_later(sd_event_source *s, uint64_t usec, void *userdata) {
        StorageVol *v = userdata;
        if (v->progress.op && v->progress.done != v->progress.told_done)
                progress_tell(v);
        return 0;
}

void vol_progress_begin(StorageVol *v, const char *op, uint64_t total) {
        sd_event_source_disable_unref(v->progress.later);
        v->progress = (VolProgress) { .op = op, .done = 0, .total = total };
        progress_tell(v);
}

void vol_progress_update(StorageVol *v, uint64_t done) {
        if (!v->progress.op)
                return;
        v->progress.done = done > v->progress.total ? v->progress.total : done;
        uint64_t since = now_usec() - v->progress.told_usec;
        if (since >= PROGRESS_INTERVAL_USEC) {
                progress_tell(v);
                return;
        }
        /* Held back: told when the interval is over unless a newer count is told first. */
        sd_event *e = v->obj.conn->manager->event;
        uint64_t now;
        if (sd_event_now(e, CLOCK_MONOTONIC, &now) < 0)
                return;
        uint64_t when = now + (PROGRESS_INTERVAL_USEC - since);
        if (v->progress.later) {
                (void) sd_event_source_set_time(v->progress.later, when);
                (void) sd_event_source_set_enabled(v->progress.later, SD_EVENT_ONESHOT);
        } else {
                (void) sd_event_add_time(e, &v->progress.later, CLOCK_MONOTONIC, when, 0, on_later, v);
        }
}

void vol_progress_end(StorageVol *v) {
        if (!v->progress.op)
                return;
        progress_tell(v);       /* the last count, even when the operation stopped short */
        sd_event_source_disable_unref(v->progress.later);
        v->progress = (VolProgress) { 0 };
        progress_tell(v);
}
