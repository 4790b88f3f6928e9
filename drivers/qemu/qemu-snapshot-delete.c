/* qemu-snapshot-delete.c: deleting an external snapshot with its data, as libvirt 9.0 does: each overlay the snapshot made, which its disk writes to now, is committed into the image below it (a shut-off domain: qemu-img commit, a watched child per disk; a running one: an active block commit, pivoted when ready); the disk goes back to that image and the overlay is removed; then the snapshot's memory image goes. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "process-run.h"
#include "snapshot-conf.h"

static const ProcessProgram qemu_img_prog = { "qemu-img", VB_FROM_QEMU };

typedef struct ExtDisk {
        long index;             /* in d->def, or d->live when the domain runs */
        char *overlay, *base;
        char *base_fmt;
} ExtDisk;

typedef struct ExtDelete {
        Domain *d;              /* a reference */
        Call *call;             /* a reference */
        ExtDisk *disks;
        size_t n, i;
        bool live;              /* block commits of a running QEMU */
        char *memory_file;      /* <memory snapshot='external'>: its save image, removed at the end */
} ExtDelete;

static void ext_free(ExtDelete *x) {
        for (size_t i = 0; i < x->n; i++) {
                free(x->disks[i].overlay);
                free(x->disks[i].base);
                free(x->disks[i].base_fmt);
        }
        free(x->disks);
        free(x->memory_file);
        call_unref(x->call);
        domain_unref(x->d);
        free(x);
}

static int ext_next(ExtDelete *x, VbError *err);

static void overlay_remove(ExtDelete *x) {
        ExtDisk *e = &x->disks[x->i];
        if (unlink(e->overlay) < 0)
                log_warning("domain %s: overlay %s not removed: %s", x->d->obj.name, e->overlay, strerror(errno));
        log_info("domain %s: overlay %s committed into %s and removed", x->d->obj.name, e->overlay, e->base);
}

/* Disk i's data is in its base: the definition goes back to the base, the overlay goes. (A
 * running QEMU's pivot moved both definitions already.) */
static int ext_disk_done(ExtDelete *x, VbError *err) {
        ExtDisk *e = &x->disks[x->i];
        Domain *d = x->d;
        if (x->live) {
                overlay_remove(x);
                return 0;
        }
        DomainDef *next = domain_def_copy(d->def);
        if (!next)
                return vb_error_errno(err, -ENOMEM, "snapshot definition");
        DomainDisk *dd = &next->priv->devices.disks[e->index];
        char *file = strdup(e->base), *fmt = strdup(e->base_fmt);
        if (!file || !fmt) {
                free(file);
                free(fmt);
                domain_def_free(next);
                return vb_error_errno(err, -ENOMEM, "snapshot definition");
        }
        free(dd->source_file);
        free(dd->driver_type);
        dd->source_file = file;
        dd->driver_type = fmt;
        if (domain_save_config(d->obj.conn, next, err) < 0) {
                domain_def_free(next);
                return -1;
        }
        domain_def_free(d->def);
        d->def = next;
        overlay_remove(x);
        return 0;
}

/* Every disk is back on its base: the snapshot's memory image has nothing to go with. */
static void memory_remove(ExtDelete *x) {
        if (!x->memory_file)
                return;
        if (unlink(x->memory_file) < 0 && errno != ENOENT)
                log_warning("domain %s: memory image %s not removed: %s", x->d->obj.name, x->memory_file, strerror(errno));
        else
                log_info("domain %s: memory image %s removed", x->d->obj.name, x->memory_file);
}

/* Disk i done (failed: e set): the next disk, or the answer. */
static void ext_step_done(ExtDelete *x, VbError *e) {
        if (!e->code && ext_disk_done(x, e) == 0) {
                x->i++;
                int r = ext_next(x, e);
                if (r == VERB_PENDING)
                        return;
                if (r == 0) {
                        memory_remove(x);
                        call_complete(x->call, 0, NULL, NULL);
                        ext_free(x);
                        return;
                }
        }
        log_error("domain %s: %s", x->d->obj.name, e->message);
        call_complete(x->call, -1, e, NULL);
        ext_free(x);
}

static void on_block_committed(Call *c, int r, const VbError *why, void *result) {
        VbError e = { 0 };
        if (r < 0)
                e = *why;
        ext_step_done(c->userdata, &e);
}

static void on_committed(int status, const char *out, size_t len, void *userdata) {
        ExtDelete *x = userdata;
        VbError e = { 0 };
        if (status != 0) {
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot commit overlay %s into %s: %.*s",
                             x->disks[x->i].overlay, x->disks[x->i].base, (int) n, n ? out : "qemu-img failed");
        }
        ext_step_done(x, &e);
}

static int ext_next(ExtDelete *x, VbError *err) {
        if (x->i == x->n)
                return 0;
        ExtDisk *e = &x->disks[x->i];
        if (x->live) {
                Call *c = call_new(CALL_DOOR_INTERNAL, &x->call->who, on_block_committed, x);
                if (!c)
                        return vb_error_errno(err, -ENOMEM, "snapshot delete");
                log_info("domain %s: block commit of %s into %s", x->d->obj.name, e->overlay, e->base);
                int r = qemu_blockjob_commit_pivot(x->d, (size_t) e->index, e->base, c, err);
                if (r != VERB_PENDING)
                        c->completed = true;
                call_unref(c);
                return r < 0 ? -1 : VERB_PENDING;
        }
        char *argv[] = { (char *) "/usr/bin/qemu-img", (char *) "commit", (char *) "-q", (char *) "-f", (char *) "qcow2",
                         (char *) "-b", e->base, e->overlay, NULL };
        log_info("domain %s: qemu-img commit %s into %s", x->d->obj.name, e->overlay, e->base);
        if (process_run_exec(qemu_conn_of(x->d->obj.conn)->event, &qemu_img_prog, argv, NULL, 0, on_committed, x,
                             err) < 0)
                return -1;
        return VERB_PENDING;
}

/* The disk of dom whose file is path (by_file) or whose target is path, or -1. */
static long disk_find(const DomainDef *dom, const char *path, bool by_file) {
        const DomainDevices *dev = dom ? &dom->priv->devices : NULL;
        for (size_t i = 0; dev && i < dev->n_disks; i++) {
                const char *v = by_file ? dev->disks[i].source_file : dev->disks[i].target_dev;
                if (v && strcmp(v, path) == 0)
                        return (long) i;
        }
        return -1;
}

int qemu_snapshot_delete_external(Domain *d, const SnapshotDef *def, Call *call, VbError *err) {
        ExtDelete *x = calloc(1, sizeof *x);
        if (!x || !(x->disks = calloc(def->n_disks + 1, sizeof *x->disks))) {
                free(x);
                return vb_error_errno(err, -ENOMEM, "snapshot delete");
        }
        x->d = domain_ref(d);
        x->call = call_ref(call);
        x->live = domain_is_active(d);
        const DomainDef *now = x->live ? d->live : d->def;
        int r = 0;
        /* Every check before anything is changed. */
        for (size_t i = 0; r == 0 && i < def->n_disks; i++) {
                const SnapshotDiskDef *sd = &def->disks[i];
                if (!sd->snapshot || strcmp(sd->snapshot, "external") != 0 || !sd->source_file)
                        continue;
                long k = disk_find(now, sd->source_file, true);
                long b = disk_find(def->dom, sd->name, false);
                const DomainDisk *before = b >= 0 ? &def->dom->priv->devices.disks[b] : NULL;
                if (k < 0)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                         "deleting external snapshot '%s': disk %s does not write to its overlay %s (only the disks' current overlays are merged; delete the later snapshots first)",
                                         def->name, sd->name, sd->source_file);
                else if (!before || !before->source_file)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                         "deleting external snapshot '%s': it does not say which image disk %s had before",
                                         def->name, sd->name);
                else if (access(sd->source_file, F_OK) < 0 || access(before->source_file, W_OK) < 0)
                        r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                         "deleting external snapshot '%s': overlay %s or its base %s is missing",
                                         def->name, sd->source_file, before->source_file);
                if (r < 0)
                        break;
                ExtDisk *e = &x->disks[x->n++];
                e->index = k;
                e->overlay = strdup(sd->source_file);
                e->base = strdup(before->source_file);
                e->base_fmt = strdup(before->driver_type ? before->driver_type : "raw");
                if (!e->overlay || !e->base || !e->base_fmt)
                        r = vb_error_errno(err, -ENOMEM, "snapshot delete");
        }
        if (r == 0 && def->memory && strcmp(def->memory, "external") == 0 && def->memory_file &&
            !(x->memory_file = strdup(def->memory_file)))
                r = vb_error_errno(err, -ENOMEM, "snapshot delete");
        if (r == 0)
                r = ext_next(x, err);
        if (r == 0)
                memory_remove(x);
        if (r != VERB_PENDING)
                ext_free(x);
        return r;
}
