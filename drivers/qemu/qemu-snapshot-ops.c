/* qemu-snapshot-ops.c: the snapshot ops of QEMU guests (DomainOps.snapshot_create / _revert / _delete): libvirt's checks of the flags, then each kind of snapshot to the file that does it (internal and offline: qemu-snapshot.c; a running guest's external: qemu-snapshot-ext.c; across states: qemu-snapshot-state.c; external deletes: qemu-snapshot-delete.c); and --halt of any snapshot: the guest stopped once it is taken. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-conf.h"
#include "log.h"
#include "snapshot-conf.h"
#include "snapshot.h"

/* ---- --halt: the guest stops once its snapshot is taken ---- */

typedef struct Halt {
        Domain *d;              /* a reference */
        Call *call;             /* the core's call (a reference) */
} Halt;

static void halt_end(Halt *h, int r, const VbError *err) {
        call_complete(h->call, r < 0 ? -1 : 0, r < 0 ? err : NULL, NULL);
        call_unref(h->call);
        domain_unref(h->d);
        free(h);
}

/* The snapshot is taken whatever the stop does: a failed stop is only told. The destroy ended
 * the domain's job with its call: the snapshot's job is taken again, in this turn of the loop. */
static void on_halted(Call *c, int r, const VbError *why, void *result) {
        Halt *h = c->userdata;
        QemuDomain *qd = h->d->driver_data;
        VbError e = { 0 };
        if (qd)
                qd->snapshot_revert = false;
        if (r < 0)
                log_warning("domain %s: not halted after its snapshot: %s", h->d->obj.name, why ? why->message : "?");
        if (h->d->job == DOMAIN_JOB_NONE && domain_job_begin(h->d, DOMAIN_JOB_MODIFY, &e) < 0)
                log_warning("domain %s: %s", h->d->obj.name, e.message);
        halt_end(h, 0, NULL);
}

static void halt_after(Halt *h, int r, const VbError *why) {
        QemuDomain *qd = h->d->driver_data;
        if (r < 0 || !domain_is_active(h->d) || !qd)
                return halt_end(h, r, why);
        VbError e = { 0 };
        Call *stop = call_new(CALL_DOOR_INTERNAL, &h->call->who, on_halted, h);
        if (!stop) {
                log_warning("domain %s: not halted after its snapshot: out of memory", h->d->obj.name);
                return halt_end(h, 0, NULL);
        }
        qd->snapshot_revert = true;     /* the stop's input: STOPPED, FROM_SNAPSHOT */
        log_info("domain %s: halted after its snapshot", h->d->obj.name);
        int k = h->d->obj.conn->driver->domain->destroy(h->d, 0, stop, &e);
        if (k != VERB_PENDING) {
                stop->completed = true;
                on_halted(stop, k, &e, NULL);
        }
        call_unref(stop);
}

static void on_taken(Call *c, int r, const VbError *why, void *result) {
        halt_after(c->userdata, r, why);
}

int qemu_snapshot_create_halt(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cannot halt after transient domain snapshot");
        Halt *h = calloc(1, sizeof *h);
        Call *taken = h ? call_new(CALL_DOOR_INTERNAL, &call->who, on_taken, h) : NULL;
        if (!taken) {
                free(h);
                return vb_error_errno(err, -ENOMEM, "snapshot");
        }
        h->d = domain_ref(d);
        h->call = call_ref(call);
        int r = qemu_snapshot_create(d, def, flags & ~SNAPSHOT_CREATE_HALT, taken, err);
        if (r == VERB_PENDING) {
                call_unref(taken);
                return VERB_PENDING;
        }
        taken->completed = true;
        call_unref(taken);
        if (r < 0) {
                call_unref(h->call);
                domain_unref(h->d);
                free(h);
                return -1;
        }
        halt_after(h, 0, NULL);         /* taken at once: now the stop, which answers the call */
        return VERB_PENDING;
}

/* ---- the ops ---- */

int qemu_snapshot_create(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        bool active = domain_is_active(d), memory = def->memory && strcmp(def->memory, "external") == 0;
        if ((flags & SNAPSHOT_CREATE_HALT) && active)
                return qemu_snapshot_create_halt(d, def, flags, call, err);
        if ((flags & SNAPSHOT_CREATE_QUIESCE) && !(flags & SNAPSHOT_CREATE_DISK_ONLY))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                                    "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY' is required by flag "
                                    "'VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE'");
        if (memory && (!active || (flags & SNAPSHOT_CREATE_DISK_ONLY)))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "memory state cannot be saved with offline or disk-only snapshot");
        if ((flags & SNAPSHOT_CREATE_LIVE) && (!active || !memory))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "live snapshot creation is supported only during full system snapshots");
        if (active && ((flags & SNAPSHOT_CREATE_DISK_ONLY) || memory))
                return qemu_snapshot_external_active(d, def, flags, call, err);
        if (flags & SNAPSHOT_CREATE_DISK_ONLY)
                return qemu_snapshot_offline_overlays(d, def, flags & SNAPSHOT_CREATE_REUSE_EXT, call, err);
        return qemu_snapshot_internal(d, QEMU_SNAPSHOT_CREATE, def, NULL, call, err);
}

static bool snapshot_ran(const SnapshotDef *def) {
        return def->state && (strcmp(def->state, "running") == 0 || strcmp(def->state, "paused") == 0 ||
                              strcmp(def->state, "blocked") == 0);
}

int qemu_snapshot_revert(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        /* libvirt 9.0's answer (reverts to external snapshots came with libvirt 9.9). */
        if (qemu_snapshot_count_external(def) || (def->memory && strcmp(def->memory, "external") == 0))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "revert to external snapshot not supported yet");
        bool active = domain_is_active(d), ran = snapshot_ran(def);
        if (active != ran || (!active && (flags & (SNAPSHOT_REVERT_RUNNING | SNAPSHOT_REVERT_PAUSED))))
                return qemu_snapshot_revert_across(d, def, flags, call, err);
        if (!active)
                return qemu_snapshot_internal(d, QEMU_SNAPSHOT_REVERT, def, NULL, call, err);
        /* snapshot-load resumes a guest that ran; the wanted state is then set. */
        bool want_paused = flags & SNAPSHOT_REVERT_PAUSED ? true
                           : flags & SNAPSHOT_REVERT_RUNNING ? false
                           : strcmp(def->state, "paused") == 0;
        bool paused_now = d->state == DOMAIN_PAUSED;
        const char *after = want_paused ? (paused_now ? NULL : "stop") : (paused_now ? "cont" : NULL);
        return qemu_snapshot_internal(d, QEMU_SNAPSHOT_REVERT, def, after, call, err);
}

int qemu_snapshot_delete(Domain *d, const SnapshotDef *def, Call *call, VbError *err) {
        if (qemu_snapshot_count_external(def) || (def->memory && strcmp(def->memory, "external") == 0))
                return qemu_snapshot_delete_external(d, def, call, err);
        return qemu_snapshot_internal(d, QEMU_SNAPSHOT_DELETE, def, NULL, call, err);
}
