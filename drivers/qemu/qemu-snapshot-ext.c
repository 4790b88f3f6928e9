/* qemu-snapshot-ext.c: a running guest's external snapshot, step after step as libvirt's: the guest agent's freeze (--quiesce), the memory into a save image (the save's QEMU migration stream, QEMU kept), the disks' overlays (qemu-snapshot-live.c, one transaction), the guest resumed, the thaw; a failure undoes what was done. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-conf.h"
#include "domain-save.h"
#include "log.h"
#include "qemu-agent.h"
#include "snapshot-conf.h"
#include "snapshot.h"

typedef struct ExtSnap {
        Domain *d;              /* a reference */
        Call *call;             /* the core's call (a reference) */
        const SnapshotDef *def; /* the core's, alive until the call is answered */
        bool reuse, live;
        bool memory;            /* <memory snapshot='external'>: a save image first */
        size_t n_disks;         /* external disks */
        bool frozen;            /* the agent froze the guest's file systems: thaw at the end */
        bool resume;            /* the guest ran: QEMU stopped it for the memory, cont at the end */
        bool memory_made;       /* the image is whole: removed again if the disks fail */
        bool memory_existed;
        VbError error;          /* the first failure; the steps after it only undo */
} ExtSnap;

static void ext_free(ExtSnap *x) {
        call_unref(x->call);
        domain_unref(x->d);
        free(x);
}

typedef void (*ExtStep)(ExtSnap *x, int r, const VbError *err);

typedef struct ExtInner {
        ExtSnap *x;
        ExtStep next;
} ExtInner;

static void on_inner(Call *call, int r, const VbError *err, void *result) {
        ExtInner *in = call->userdata;
        ExtSnap *x = in->x;
        ExtStep next = in->next;
        free(in);
        next(x, r, err);
}

/* An internal call whose completion runs next; NULL on allocation failure. */
static Call *inner_call(ExtSnap *x, ExtStep next) {
        ExtInner *in = calloc(1, sizeof *in);
        Call *c = in ? call_new(CALL_DOOR_INTERNAL, &x->call->who, on_inner, in) : NULL;
        if (!c) {
                free(in);
                return NULL;
        }
        in->x = x;
        in->next = next;
        return c;
}

/* Run op through an inner call: next runs once, now (op failed at once) or later. */
static void run_step(ExtSnap *x, ExtStep next, int (*op)(ExtSnap *x, Call *inner, VbError *err)) {
        VbError e = { 0 };
        Call *c = inner_call(x, next);
        if (!c) {
                vb_error_errno(&e, -ENOMEM, "snapshot step");
                return next(x, -1, &e);
        }
        int r = op(x, c, &e);
        if (r != VERB_PENDING) {
                ExtInner *in = c->userdata;
                c->completed = true;
                free(in);
        }
        call_unref(c);
        if (r != VERB_PENDING)
                next(x, r < 0 ? -1 : 0, r < 0 ? &e : NULL);
}

static void fail_keep(ExtSnap *x, const VbError *err) {
        if (!x->error.code && err)
                x->error = *err;
}

/* ---- the end: thaw, answer ---- */

static void finish(ExtSnap *x) {
        if (x->error.code) {
                log_error("domain %s: external snapshot %s failed: %s", x->d->obj.name, x->def->name, x->error.message);
                call_complete(x->call, -1, &x->error, NULL);
        } else {
                log_info("domain %s: external snapshot %s taken", x->d->obj.name, x->def->name);
                call_complete(x->call, 0, NULL, NULL);
        }
        ext_free(x);
}

static void on_thawed(ExtSnap *x, int r, const VbError *err) {
        if (r < 0)      /* the snapshot itself is there: the thaw's failure is only told */
                log_warning("domain %s: thaw after snapshot %s: %s", x->d->obj.name, x->def->name,
                            err ? err->message : "failed");
        finish(x);
}

static int thaw_op(ExtSnap *x, Call *inner, VbError *err) {
        return qemu_agent_ops.fs_freeze(x->d, NULL, 0, true, inner, err);
}

static void thaw(ExtSnap *x) {
        if (!x->frozen)
                return finish(x);
        x->frozen = false;
        run_step(x, on_thawed, thaw_op);
}

/* ---- resume ---- */

/* A QMP command's refusal kept as the snapshot's failure (the first one counts); true if refused. */
static bool qmp_refused(ExtSnap *x, const char *what, const char *cls, const char *desc) {
        if (!cls)
                return false;
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s: %s", what, desc ? desc : cls);
        fail_keep(x, &e);
        return true;
}

static void on_cont(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        qmp_refused(userdata, "resuming after snapshot failed", cls, desc);
        thaw(userdata);
}

static void resume(ExtSnap *x) {
        QemuDomain *qd = x->d->driver_data;
        if (!x->resume || !qd || !qd->qmp || qd->phase != QEMU_PHASE_RUNNING)
                return thaw(x);
        x->resume = false;
        if (qmp_send(qd->qmp, "cont", NULL, on_cont, x) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "resuming after snapshot failed");
                fail_keep(x, &e);
                thaw(x);
        }
}

/* ---- the disks ---- */

static void on_disks(ExtSnap *x, int r, const VbError *err) {
        if (r < 0) {
                fail_keep(x, err);
                /* The disks are as they were: so must the memory image be (gone). */
                if (x->memory_made && !x->memory_existed && unlink(x->def->memory_file) == 0)
                        log_info("domain %s: memory image %s removed", x->d->obj.name, x->def->memory_file);
        }
        resume(x);
}

static int disks_op(ExtSnap *x, Call *inner, VbError *err) {
        return qemu_snapshot_live_overlays(x->d, x->def, x->reuse, inner, err);
}

static void snapshot_disks(ExtSnap *x) {
        if (x->n_disks == 0)
                return resume(x);
        run_step(x, on_disks, disks_op);
}

/* ---- the memory ---- */

static void on_memory(QemuDomain *qd, const VbError *err, void *data) {
        ExtSnap *x = data;
        if (err) {
                /* qemu-save.c removed the image; a guest stopped here is continued below, one
                 * that ran through a live stream went on already. */
                fail_keep(x, err);
                if (x->live)
                        x->resume = false;
                return resume(x);
        }
        x->memory_made = true;
        /* A live stream ends with QEMU stopping the CPUs (its STOP came while it streamed). */
        if (x->live && x->resume && x->d->state == DOMAIN_RUNNING)
                domain_transition(x->d, DOMAIN_INPUT_PAUSED);
        snapshot_disks(x);
}

static void stream_memory(ExtSnap *x) {
        Domain *d = x->d;
        VbError e = { 0 };
        char *xml = domain_def_format(d->live, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
        bool regular = false;
        x->memory_existed = access(x->def->memory_file, F_OK) == 0;
        int fd = xml ? guest_memory_file_create(x->def->memory_file, &regular, &e) : vb_error_errno(&e, -ENOMEM, "domain XML");
        /* The image restores a guest that ran as running. */
        if (fd >= 0 && save_image_write_header(fd, xml, x->resume, &e) < 0) {
                close(fd);
                fd = -1;
                if (regular && !x->memory_existed)
                        unlink(x->def->memory_file);
        }
        free(xml);
        log_info("domain %s: snapshot %s: memory into %s%s", d->obj.name, x->def->name, x->def->memory_file,
                 x->live ? " (live)" : "");
        if (fd < 0 || qemu_domain_save_memory(d, fd, regular ? x->def->memory_file : NULL, x->live, on_memory, x, &e) < 0) {
                fail_keep(x, &e);
                if (x->live)
                        x->resume = false;
                resume(x);
        }
}

static void on_stopped(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ExtSnap *x = userdata;
        if (qmp_refused(x, "cannot stop the guest for its snapshot", cls, desc))
                return resume(x);
        stream_memory(x);
}

/* A guest that runs is stopped first (its STOP is reported: SUSPENDED, then RESUMED at the
 * end, as libvirt's), unless --live: then QEMU stops it once the stream has converged. */
static void save_memory(ExtSnap *x) {
        QemuDomain *qd = x->d->driver_data;
        x->resume = x->d->state == DOMAIN_RUNNING;
        if (!x->resume || x->live)
                return stream_memory(x);
        if (!qd || !qd->qmp || qmp_send(qd->qmp, "stop", NULL, on_stopped, x) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the QEMU monitor went away");
                fail_keep(x, &e);
                x->resume = false;
                thaw(x);
        }
}

/* ---- the beginning: quiesce ---- */

static void on_frozen(ExtSnap *x, int r, const VbError *err) {
        if (r < 0) {
                fail_keep(x, err);
                return finish(x);
        }
        x->frozen = true;
        if (x->memory)
                return save_memory(x);
        snapshot_disks(x);
}

static int freeze_op(ExtSnap *x, Call *inner, VbError *err) {
        return qemu_agent_ops.fs_freeze(x->d, NULL, 0, false, inner, err);
}

int qemu_snapshot_external_active(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        bool memory = def->memory && strcmp(def->memory, "external") == 0;
        size_t n = 0;
        for (size_t i = 0; i < def->n_disks; i++) {
                const char *how = def->disks[i].snapshot;
                if (how && strcmp(how, "internal") == 0)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "mixing internal and external targets for a snapshot is not yet supported");
                n += how && strcmp(how, "external") == 0;
        }
        if (!memory && n == 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk-only snapshots require at least one disk to be selected for snapshot");
        if (memory && !def->memory_file)        /* snapshot-conf.c refuses it already */
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU, "external memory snapshots require a filename");
        /* Everything checked before anything changes. */
        if (n && qemu_snapshot_live_check(d, def, flags & SNAPSHOT_CREATE_REUSE_EXT, err) < 0)
                return -1;
        QemuDomain *qd = d->driver_data;
        if (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not ready",
                                    d->obj.name);
        if ((flags & SNAPSHOT_CREATE_QUIESCE) && qemu_agent_available(qd, err) < 0)
                return -1;
        ExtSnap *x = calloc(1, sizeof *x);
        if (!x)
                return vb_error_errno(err, -ENOMEM, "snapshot");
        x->d = domain_ref(d);
        x->call = call_ref(call);
        x->def = def;
        x->reuse = flags & SNAPSHOT_CREATE_REUSE_EXT;
        x->live = flags & SNAPSHOT_CREATE_LIVE;
        x->memory = memory;
        x->n_disks = n;
        log_info("domain %s: external snapshot %s (%s%zu disks)", d->obj.name, def->name, memory ? "memory and " : "", n);
        if (flags & SNAPSHOT_CREATE_QUIESCE)
                run_step(x, on_frozen, freeze_op);
        else if (memory)
                save_memory(x);
        else
                snapshot_disks(x);
        return VERB_PENDING;
}
