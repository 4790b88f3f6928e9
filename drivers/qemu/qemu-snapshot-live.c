/* qemu-snapshot-live.c: a running guest's external disk snapshot: each disk's qcow2 overlay made by qemu-img (-u) or reused, added with blockdev-add, then one QMP transaction of blockdev-snapshot for all of them (all or none); the definitions follow the overlays. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "process-run.h"
#include "qemu-command.h"
#include "snapshot-conf.h"

static const ProcessProgram qemu_img_prog = { "qemu-img", VB_FROM_QEMU };

typedef struct LiveDisk {
        long index;             /* in d->live */
        char alias[64];         /* the device's id: virtio-disk0 */
        char *overlay, *base;
        const char *base_fmt;
        uint64_t size;          /* the guest's size of the disk */
        char top[128];          /* the node the device writes to now (query-block) */
        char node[128];         /* the overlay's format node; its file node: node + "-storage" */
        bool existed;           /* the overlay file was there before (reused, or an empty file) */
        bool made;              /* qemu-img wrote the overlay */
        bool added_file, added_format;  /* blockdev-add done for its nodes */
} LiveDisk;

typedef struct LiveSnap {
        Domain *d;              /* a reference */
        Call *call;             /* a reference */
        LiveDisk *disks;
        size_t n, i;
        bool reuse;             /* REUSE_EXT: the overlays are the user's, used as they are */
} LiveSnap;

int qemu_snapshot_check_target(const char *disk, const char *path, bool reuse, bool *existed, VbError *err) {
        struct stat st;
        *existed = false;
        if (stat(path, &st) < 0) {
                int e = errno;
                if (e != ENOENT)
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "unable to stat for disk %s: %s: %s", disk,
                                            path, strerror(e));
                if (reuse)
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "missing existing file for disk %s: %s: %s",
                                            disk, path, strerror(e));
                return 0;
        }
        *existed = true;
        if (!S_ISREG(st.st_mode))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "mismatch between configured type for snapshot disk '%s' and the type of existing file '%s'",
                                    disk, path);
        if (!reuse && st.st_size > 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "external snapshot file for disk %s already exists and is not a block device: %s", disk,
                                    path);
        return 0;
}

static void live_free(LiveSnap *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->disks[i].overlay);
                free(s->disks[i].base);
        }
        free(s->disks);
        call_unref(s->call);
        domain_unref(s->d);
        free(s);
}

static Qmp *qmp_of(LiveSnap *s) {
        QemuDomain *qd = s->d->driver_data;
        return qd && qd->phase == QEMU_PHASE_RUNNING ? qd->qmp : NULL;
}

static void on_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
}

static void node_del(Qmp *q, const char *node) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "node-name", json_object_new_string(node));
        qmp_send(q, "blockdev-del", a, on_ignore, NULL);
}

/* Something failed before the transaction or in it: no disk changed; the nodes added go, and
 * so do the overlays made (an empty file that was there is emptied again). */
static void live_fail(LiveSnap *s, const char *what, const char *desc) {
        LiveDisk *ld = &s->disks[s->i < s->n ? s->i : s->n - 1];
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot snapshot disk %s to %s: %s%s%s", ld->alias,
                     ld->overlay, what, desc ? ": " : "", desc ? desc : "");
        log_error("domain %s: %s", s->d->obj.name, e.message);
        Qmp *q = qmp_of(s);
        for (size_t i = 0; i < s->n; i++) {
                LiveDisk *x = &s->disks[i];
                char storage[160];
                snprintf(storage, sizeof storage, "%s-storage", x->node);
                if (q && x->added_format)
                        node_del(q, x->node);
                if (q && x->added_file)
                        node_del(q, storage);
                if (x->made && !x->existed)
                        unlink(x->overlay);
                else if (x->made && truncate(x->overlay, 0) < 0)
                        log_warning("domain %s: cannot empty %s again: %s", s->d->obj.name, x->overlay, strerror(errno));
        }
        call_complete(s->call, -1, &e, NULL);
        live_free(s);
}

/* Every disk writes to its overlay: the running and the persistent definitions say so. */
static void live_done(LiveSnap *s) {
        Domain *d = s->d;
        DomainDef *defs[2] = { d->live, d->persistent ? d->def : NULL };
        for (size_t k = 0; k < 2; k++) {
                for (size_t i = 0; defs[k] && i < s->n; i++) {
                        DomainDevices *dev = &defs[k]->priv->devices;
                        for (size_t j = 0; j < dev->n_disks; j++) {
                                DomainDisk *dd = &dev->disks[j];
                                if (!dd->source_file || strcmp(dd->source_file, s->disks[i].base) != 0)
                                        continue;
                                char *file = strdup(s->disks[i].overlay), *fmt = strdup("qcow2");
                                if (!file || !fmt) {
                                        free(file);
                                        free(fmt);
                                        continue;
                                }
                                free(dd->source_file);
                                free(dd->driver_type);
                                dd->source_file = file;
                                dd->driver_type = fmt;
                        }
                }
        }
        VbError e = { 0 };
        if (defs[1] && domain_save_config(d->obj.conn, defs[1], &e) < 0)
                log_warning("domain %s: the definition with its overlays was not saved: %s", d->obj.name, e.message);
        if (domain_save_status(d, &e) < 0)
                log_warning("domain %s: its status was not saved: %s", d->obj.name, e.message);
        log_info("domain %s: its disks now write to their snapshot overlays", d->obj.name);
        call_complete(s->call, 0, NULL, NULL);
        live_free(s);
}

static void on_transaction(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        LiveSnap *s = userdata;
        if (cls)
                return live_fail(s, "transaction", desc);
        live_done(s);
}

/* All disks at once: QEMU takes every blockdev-snapshot of the transaction or none. */
static void snapshot_all(LiveSnap *s, Qmp *q) {
        json_object *actions = json_object_new_array();
        for (size_t i = 0; i < s->n; i++) {
                json_object *data = json_object_new_object(), *act = json_object_new_object();
                json_object_object_add(data, "node", json_object_new_string(s->disks[i].top));
                json_object_object_add(data, "overlay", json_object_new_string(s->disks[i].node));
                json_object_object_add(act, "type", json_object_new_string("blockdev-snapshot"));
                json_object_object_add(act, "data", data);
                json_object_array_add(actions, act);
        }
        json_object *a = json_object_new_object();
        json_object_object_add(a, "actions", actions);
        s->i = 0;
        if (qmp_send(q, "transaction", a, on_transaction, s) < 0)
                live_fail(s, "the QEMU monitor went away", NULL);
}

static void add_next(LiveSnap *s, Qmp *q);

static void on_format_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        LiveSnap *s = userdata;
        if (cls)
                return live_fail(s, "blockdev-add", desc);
        s->disks[s->i].added_format = true;
        s->i++;
        add_next(s, q);
}

static void on_file_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        LiveSnap *s = userdata;
        LiveDisk *ld = &s->disks[s->i];
        if (cls)
                return live_fail(s, "blockdev-add", desc);
        ld->added_file = true;
        char storage[160];
        snprintf(storage, sizeof storage, "%s-storage", ld->node);
        json_object *a = json_object_new_object();
        json_object_object_add(a, "driver", json_object_new_string("qcow2"));
        json_object_object_add(a, "node-name", json_object_new_string(ld->node));
        json_object_object_add(a, "file", json_object_new_string(storage));
        json_object_object_add(a, "backing", NULL);    /* blockdev-snapshot puts the old top there */
        if (qmp_send(q, "blockdev-add", a, on_format_added, s) < 0)
                live_fail(s, "the QEMU monitor went away", NULL);
}

/* The overlays' nodes, one disk after the other; then the transaction. */
static void add_next(LiveSnap *s, Qmp *q) {
        if (s->i == s->n)
                return snapshot_all(s, q);
        LiveDisk *ld = &s->disks[s->i];
        static unsigned seq;
        snprintf(ld->node, sizeof ld->node, "snap%u-%s", ++seq, ld->alias);
        char storage[160];
        snprintf(storage, sizeof storage, "%s-storage", ld->node);
        json_object *a = json_object_new_object();
        json_object_object_add(a, "driver", json_object_new_string("file"));
        json_object_object_add(a, "filename", json_object_new_string(ld->overlay));
        json_object_object_add(a, "node-name", json_object_new_string(storage));
        if (qmp_send(q, "blockdev-add", a, on_file_added, s) < 0)
                live_fail(s, "the QEMU monitor went away", NULL);
}

/* query-block: [{"qdev": "/machine/peripheral/virtio-disk0/virtio-backend", "inserted": {"node-name"}}] */
static void on_query_block(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        LiveSnap *s = userdata;
        if (cls || !ret)
                return live_fail(s, "query-block", desc);
        for (s->i = 0; s->i < s->n; s->i++) {
                LiveDisk *ld = &s->disks[s->i];
                char want[96];
                snprintf(want, sizeof want, "/%s/", ld->alias);
                json_object *v, *ins;
                for (size_t i = 0; i < json_object_array_length(ret) && !ld->top[0]; i++) {
                        json_object *b = json_object_array_get_idx(ret, i);
                        const char *qdev = json_object_object_get_ex(b, "qdev", &v) ? json_object_get_string(v) : "";
                        if ((strstr(qdev, want) || strcmp(qdev, ld->alias) == 0) &&
                            json_object_object_get_ex(b, "inserted", &ins) && json_object_object_get_ex(ins, "node-name", &v))
                                snprintf(ld->top, sizeof ld->top, "%s", json_object_get_string(v));
                }
                if (!ld->top[0])
                        return live_fail(s, "QEMU does not show the disk's node", NULL);
        }
        s->i = 0;
        add_next(s, q);
}

static void create_next(LiveSnap *s);

static void on_overlay_made(int status, const char *out, size_t len, void *userdata) {
        LiveSnap *s = userdata;
        if (status != 0) {
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                char msg[512];
                snprintf(msg, sizeof msg, "%.*s", (int) n, n ? out : "qemu-img failed");
                s->disks[s->i].made = true;     /* whatever qemu-img left goes */
                return live_fail(s, "qemu-img create", msg);
        }
        s->disks[s->i].made = true;
        s->i++;
        create_next(s);
}

/* The overlay files, one qemu-img after the other (none with REUSE_EXT); then query-block. */
static void create_next(LiveSnap *s) {
        if (s->reuse)
                s->i = s->n;
        if (s->i == s->n) {
                Qmp *q = qmp_of(s);
                if (!q || qmp_send(q, "query-block", NULL, on_query_block, s) < 0)
                        live_fail(s, "the QEMU monitor went away", NULL);
                return;
        }
        LiveDisk *ld = &s->disks[s->i];
        char size[32];
        snprintf(size, sizeof size, "%" PRIu64, ld->size);
        /* -u: the base is QEMU's, open and locked; its size is known already. */
        char *argv[] = { (char *) "/usr/bin/qemu-img", (char *) "create", (char *) "-q", (char *) "-f", (char *) "qcow2",
                         (char *) "-u", (char *) "-F", (char *) ld->base_fmt, (char *) "-b", ld->base, ld->overlay, size,
                         NULL };
        VbError e = { 0 };
        log_info("domain %s: qemu-img create overlay %s on %s", s->d->obj.name, ld->overlay, ld->base);
        if (process_run_exec(qemu_conn_of(s->d->obj.conn)->event, &qemu_img_prog, argv, NULL, 0, on_overlay_made, s,
                             &e) < 0)
                live_fail(s, "qemu-img create", e.message);
}

/* The snapshot's external disks of the running definition, checked; NULL with err. call may be
 * NULL (a check only). */
static LiveSnap *live_new(Domain *d, const SnapshotDef *snap, bool reuse, Call *call, VbError *err) {
        const DomainDef *dom = d->live;
        LiveSnap *s = calloc(1, sizeof *s);
        if (!s || !(s->disks = calloc(snap->n_disks + 1, sizeof *s->disks))) {
                free(s);
                vb_error_errno(err, -ENOMEM, "snapshot");
                return NULL;
        }
        s->d = domain_ref(d);
        s->call = call_ref(call);
        s->reuse = reuse;
        for (size_t i = 0; i < snap->n_disks; i++) {
                const SnapshotDiskDef *sd = &snap->disks[i];
                if (!sd->snapshot || strcmp(sd->snapshot, "external") != 0)
                        continue;
                LiveDisk *ld = &s->disks[s->n];
                const DomainDevices *dev = &dom->priv->devices;
                ld->index = -1;
                for (size_t k = 0; k < dev->n_disks && ld->index < 0; k++)
                        if (dev->disks[k].target_dev && strcmp(dev->disks[k].target_dev, sd->name) == 0)
                                ld->index = (long) k;
                const DomainDisk *dd = ld->index >= 0 ? &dev->disks[ld->index] : NULL;
                uint64_t alloc, phys;
                int r = 0;
                if (!dd || !dd->source_file)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                         "disk '%s' has no file to put an overlay on", sd->name);
                else if (qemu_snapshot_check_target(sd->name, sd->source_file, reuse, &ld->existed, err) < 0)
                        r = -1;
                else if (qemu_disk_alias(dom, (size_t) ld->index, ld->alias, sizeof ld->alias, err) < 0)
                        r = -1;
                else if (domain_block_file_sizes(dd->source_file, &ld->size, &alloc, &phys) < 0)
                        r = vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot read the size of %s",
                                         dd->source_file);
                s->n++;
                ld->base_fmt = dd && dd->driver_type ? dd->driver_type : "raw";
                ld->overlay = strdup(sd->source_file);
                ld->base = dd && dd->source_file ? strdup(dd->source_file) : NULL;
                if (r == 0 && (!ld->overlay || !ld->base))
                        r = vb_error_errno(err, -ENOMEM, "snapshot");
                if (r < 0) {
                        live_free(s);
                        return NULL;
                }
        }
        if (s->n == 0) {
                live_free(s);
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                             "disk-only snapshots require at least one disk to be selected for snapshot");
                return NULL;
        }
        return s;
}

int qemu_snapshot_live_check(Domain *d, const SnapshotDef *snap, bool reuse, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!d->live || !qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not ready",
                                    d->obj.name);
        LiveSnap *s = live_new(d, snap, reuse, NULL, err);
        if (!s)
                return -1;
        live_free(s);
        return 0;
}

int qemu_snapshot_live_overlays(Domain *d, const SnapshotDef *snap, bool reuse, Call *call, VbError *err) {
        if (qemu_snapshot_live_check(d, snap, reuse, err) < 0)
                return -1;
        LiveSnap *s = live_new(d, snap, reuse, call, err);
        if (!s)
                return -1;
        create_next(s);
        return VERB_PENDING;
}
