/* qemu-snapshot-state.c: a revert that changes whether the guest runs, as libvirt's: a running guest and a shut-off snapshot (QEMU destroyed, the disks' tags applied, the guest started again only with --running/--paused), a shut-off guest and a running snapshot (QEMU started with -loadvm, then running or paused as the snapshot was or the flags say). The snapshot's definition comes back before anything starts. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "driver.h"
#include "log.h"
#include "snapshot-conf.h"
#include "snapshot.h"

typedef enum Step { STEP_STOP, STEP_DEFINE, STEP_DISKS, STEP_START, STEP_DONE } Step;

typedef struct Across {
        Domain *d;                      /* a reference */
        Call *call;                     /* the snapshot verb's call (a reference) */
        const SnapshotDef *def;         /* its tree keeps it: the revert holds the domain's job */
        bool loadvm;                    /* a running snapshot: QEMU starts from its state */
        bool start, paused;             /* the guest runs afterwards; kept paused */
        Step step;
} Across;

static void across_free(Across *a) {
        call_unref(a->call);
        domain_unref(a->d);
        free(a);
}

static void across_end(Across *a, int r, const VbError *err) {
        call_complete(a->call, r < 0 ? -1 : 0, r < 0 ? err : NULL, NULL);
        across_free(a);
}

/* The stop and the start report FROM_SNAPSHOT inputs only while they run for a revert. */
static void revert_marks_clear(Domain *d) {
        QemuDomain *qd = d->driver_data;
        if (qd) {
                qd->snapshot_revert = false;
                qd->loadvm = NULL;
        }
}

static int step_run(Across *a, VbError *err);

static void on_step_done(Call *c, int r, const VbError *why, void *result) {
        Across *a = c->userdata;
        VbError e = { 0 };
        revert_marks_clear(a->d);
        if (r < 0)
                return across_end(a, -1, why);
        /* The stop and the start end the domain's job with their call: the revert keeps it
         * (taken again before anything else can run: this is the same turn of the loop). */
        if (a->d->job == DOMAIN_JOB_NONE && domain_job_begin(a->d, DOMAIN_JOB_MODIFY, &e) < 0)
                return across_end(a, -1, &e);
        a->step++;
        int k = step_run(a, &e);
        if (k != VERB_PENDING)
                across_end(a, k, &e);
}

/* One step's driver op with a call of its own; VERB_PENDING, 0 or -1. */
static int step_op(Across *a, VbError *err) {
        Domain *d = a->d;
        QemuDomain *qd = qemu_domain_get(d);
        Call *c = qd ? call_new(CALL_DOOR_INTERNAL, &a->call->who, on_step_done, a) : NULL;
        if (!c)
                return vb_error_errno(err, -ENOMEM, "snapshot revert");
        int r = 0;
        switch (a->step) {
        case STEP_STOP:
                qd->snapshot_revert = true;
                log_info("domain %s: stopped for the revert to snapshot %s", d->obj.name, a->def->name);
                r = d->obj.conn->driver->domain->destroy(d, 0, c, err);
                break;
        case STEP_DISKS:
                r = qemu_snapshot_disks_revert(d, a->def, c, err);
                break;
        case STEP_START:
                qd->snapshot_revert = true;
                qd->loadvm = a->loadvm ? a->def->name : NULL;
                log_info("domain %s: started%s for the revert to snapshot %s", d->obj.name,
                         a->loadvm ? " from its state" : "", a->def->name);
                r = qemu_domain_start(d, a->paused ? DOMAIN_START_PAUSED : 0, c, err);
                break;
        default:
                break;
        }
        if (r != VERB_PENDING) {
                c->completed = true;    /* answered here, not through the call */
                revert_marks_clear(d);
        }
        call_unref(c);
        return r;
}

static int step_run(Across *a, VbError *err) {
        for (; a->step < STEP_DONE; a->step++) {
                bool skip = (a->step == STEP_STOP && !domain_is_active(a->d)) ||
                            (a->step == STEP_DISKS && a->loadvm) || (a->step == STEP_START && !a->start);
                if (skip)
                        continue;
                if (a->step == STEP_DEFINE) {
                        if (snapshot_restore_definition(a->d, a->def, err) < 0)
                                return -1;
                        continue;
                }
                int r = step_op(a, err);
                if (r != 0)
                        return r;
        }
        return 0;
}

int qemu_snapshot_revert_across(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        bool ran = def->state && (strcmp(def->state, "running") == 0 || strcmp(def->state, "paused") == 0);
        Across *a = calloc(1, sizeof *a);
        if (!a)
                return vb_error_errno(err, -ENOMEM, "snapshot revert");
        a->d = domain_ref(d);
        a->call = call_ref(call);
        a->def = def;
        a->loadvm = ran;
        a->start = ran || (flags & (SNAPSHOT_REVERT_RUNNING | SNAPSHOT_REVERT_PAUSED));
        a->paused = flags & SNAPSHOT_REVERT_PAUSED ? true
                    : flags & SNAPSHOT_REVERT_RUNNING ? false
                    : ran && strcmp(def->state, "paused") == 0;
        log_info("domain %s: revert to %s snapshot %s: %s%s", d->obj.name, def->state ? def->state : "?", def->name,
                 domain_is_active(d) ? "stop, " : "", a->start ? (a->paused ? "start paused" : "start") : "stay off");
        int r = step_run(a, err);
        if (r != VERB_PENDING)
                across_free(a);
        return r < 0 ? -1 : r;
}
