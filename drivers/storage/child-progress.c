/* child-progress.c: a shared anonymous page the child writes its byte count into, and a timer on the loop that turns it into the volume's progress (vol_progress_update). */
#include "child-progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <systemd/sd-event.h>

#define TICK_USEC 200000

struct ChildProgress {
        StoragePool *pool;
        char *name;
        uint64_t *counter;      /* MAP_SHARED: the child's writes are seen here */
        sd_event_source *timer;
};

static StorageVol *cp_vol(ChildProgress *cp) {
        return (StorageVol *) registry_find_name(&cp->pool->volumes, cp->name);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        ChildProgress *cp = userdata;
        StorageVol *v = cp_vol(cp);
        if (v)
                vol_progress_update(v, __atomic_load_n(cp->counter, __ATOMIC_RELAXED));
        sd_event_source_set_time(s, usec + TICK_USEC);
        return 0;
}

ChildProgress *child_progress_new(StoragePool *p, const char *name, const char *op, uint64_t total) {
        ChildProgress *cp = calloc(1, sizeof *cp);
        if (!cp)
                return NULL;
        cp->pool = p;
        cp->name = strdup(name);
        void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        cp->counter = page == MAP_FAILED ? NULL : page;
        sd_event *e = p->obj.conn->manager->event;
        uint64_t now = 0;
        if (!cp->name || !cp->counter || sd_event_now(e, CLOCK_MONOTONIC, &now) < 0 ||
            sd_event_add_time(e, &cp->timer, CLOCK_MONOTONIC, now + TICK_USEC, 0, on_tick, cp) < 0) {
                if (cp->counter)
                        munmap(cp->counter, 4096);
                free(cp->name);
                free(cp);
                return NULL;
        }
        (void) sd_event_source_set_enabled(cp->timer, SD_EVENT_ON);
        StorageVol *v = cp_vol(cp);
        if (v)
                vol_progress_begin(v, op, total);
        return cp;
}

uint64_t *child_progress_counter(ChildProgress *cp) {
        return cp ? cp->counter : NULL;
}

void child_progress_free(ChildProgress *cp) {
        if (!cp)
                return;
        StorageVol *v = cp_vol(cp);
        if (v) {
                vol_progress_update(v, __atomic_load_n(cp->counter, __ATOMIC_RELAXED));
                vol_progress_end(v);
        }
        sd_event_source_disable_unref(cp->timer);
        munmap(cp->counter, 4096);
        free(cp->name);
        free(cp);
}
