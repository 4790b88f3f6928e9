/* qemu-checkpoint.c: checkpoints on QEMU: a persistent dirty bitmap per qcow2 disk, made or removed in one QMP transaction on a running guest, with qemu-img bitmap (watched children, one disk after the other) on a stopped one. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint-conf.h"
#include "domain-model.h"
#include "log.h"
#include "process-run.h"
#include "qemu-block-node.h"
#include "qemu-command.h"

static const ProcessProgram qemu_img_prog = { "qemu-img", VB_FROM_QEMU };

typedef struct CkDisk {
        char alias[64];         /* running: the device (virtio-disk0) */
        char *path;             /* stopped: the qcow2 image */
        char *bitmap;
        char node[128];         /* running: the node the device writes to (query-block) */
        bool present;           /* running, delete: QEMU has the bitmap */
} CkDisk;

typedef struct QemuCk {
        Domain *d;              /* a reference */
        Call *call;             /* a reference */
        bool add;
        CkDisk *disks;
        size_t n, i;
} QemuCk;

static void ck_free(QemuCk *k) {
        for (size_t i = 0; i < k->n; i++) {
                free(k->disks[i].path);
                free(k->disks[i].bitmap);
        }
        free(k->disks);
        call_unref(k->call);
        domain_unref(k->d);
        free(k);
}

static void ck_end(QemuCk *k, const VbError *err) {
        call_complete(k->call, err ? -1 : 0, err, NULL);
        ck_free(k);
}

static void ck_fail(QemuCk *k, const char *what, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot %s checkpoint bitmap: %s%s%s", k->add ? "add" : "remove",
                     what, desc ? ": " : "", desc ? desc : "");
        log_error("domain %s: %s", k->d->obj.name, e.message);
        ck_end(k, &e);
}

/* The bitmap disks of def, checked against dom (qcow2, a source), with their aliases and paths. */
static QemuCk *ck_new(Domain *d, const DomainDef *dom, const CheckpointDef *def, bool add, Call *call, VbError *err) {
        QemuCk *k = calloc(1, sizeof *k);
        if (!k || !(k->disks = calloc(def->n_disks + 1, sizeof *k->disks))) {
                free(k);
                vb_error_errno(err, -ENOMEM, "checkpoint");
                return NULL;
        }
        k->d = domain_ref(d);
        k->call = call_ref(call);
        k->add = add;
        const DomainDevices *dev = &dom->priv->devices;
        int r = 0;
        for (size_t i = 0; i < def->n_disks && r == 0; i++) {
                const CheckpointDiskDef *cd = &def->disks[i];
                if (!cd->type || strcmp(cd->type, "bitmap") != 0 || !cd->bitmap)
                        continue;
                size_t x = 0;
                while (x < dev->n_disks && (!dev->disks[x].target_dev || strcmp(dev->disks[x].target_dev, cd->name) != 0))
                        x++;
                if (x == dev->n_disks) {
                        if (add)
                                r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "no disk named '%s'", cd->name);
                        continue;       /* delete: the disk went since; its bitmap went with it */
                }
                const DomainDisk *dd = &dev->disks[x];
                const char *fmt = dd->driver_type ? dd->driver_type : "raw";
                CkDisk *kd = &k->disks[k->n];
                if (strcmp(fmt, "qcow2") != 0)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                         "checkpoint for disk %s unsupported for storage type %s", cd->name, fmt);
                else if (qemu_disk_alias(dom, x, kd->alias, sizeof kd->alias, err) < 0)
                        r = -1;
                else if (!(kd->bitmap = strdup(cd->bitmap)) ||
                         !(kd->path = strdup(dd->source_file ? dd->source_file : dd->source_dev ? dd->source_dev : "")))
                        r = vb_error_errno(err, -ENOMEM, "checkpoint");
                k->n++;
        }
        if (r < 0) {
                ck_free(k);
                return NULL;
        }
        return k;
}

/* ---- a stopped guest: qemu-img bitmap --add / --remove ---- */

static int img_next(QemuCk *k, VbError *err);

static void on_rollback(int status, const char *out, size_t len, void *userdata) {
        if (status != 0)
                log_warning("a checkpoint bitmap made before a failure stays: %s", out);
}

static void on_img_done(int status, const char *out, size_t len, void *userdata) {
        QemuCk *k = userdata;
        /* A bitmap already gone is what a delete wants. */
        if (status != 0 && (k->add || !strstr(out, "not found"))) {
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                char msg[512];
                snprintf(msg, sizeof msg, "%s: %.*s", k->disks[k->i].path, (int) n, n ? out : "qemu-img failed");
                /* A create that failed part way: the bitmaps made go again (best effort). */
                for (size_t i = 0; k->add && i < k->i; i++) {
                        char *argv[] = { (char *) "/usr/bin/qemu-img", (char *) "bitmap", (char *) "--remove",
                                         k->disks[i].path, k->disks[i].bitmap, NULL };
                        VbError e = { 0 };
                        if (process_run_exec(qemu_conn_of(k->d->obj.conn)->event, &qemu_img_prog, argv, NULL, 0, on_rollback, NULL,
                                             &e) < 0)
                                log_warning("domain %s: bitmap %s stays on %s: %s", k->d->obj.name, k->disks[i].bitmap,
                                            k->disks[i].path, e.message);
                }
                return ck_fail(k, "qemu-img bitmap", msg);
        }
        k->i++;
        VbError e = { 0 };
        if (k->i == k->n)
                return ck_end(k, NULL);
        if (img_next(k, &e) < 0)
                ck_end(k, &e);
}

static int img_next(QemuCk *k, VbError *err) {
        CkDisk *kd = &k->disks[k->i];
        char *argv[] = { (char *) "/usr/bin/qemu-img", (char *) "bitmap", (char *) (k->add ? "--add" : "--remove"), kd->path,
                         kd->bitmap, NULL };
        log_info("domain %s: qemu-img bitmap %s %s %s", k->d->obj.name, argv[2], kd->path, kd->bitmap);
        return process_run_exec(qemu_conn_of(k->d->obj.conn)->event, &qemu_img_prog, argv, NULL, 0, on_img_done, k, err);
}

/* ---- a running guest: one transaction ---- */

static void on_transaction(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuCk *k = userdata;
        if (cls)
                return ck_fail(k, "transaction", desc);
        log_info("domain %s: %zu checkpoint bitmap(s) %s", k->d->obj.name, k->n, k->add ? "added" : "removed");
        ck_end(k, NULL);
}

static void on_query_block(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuCk *k = userdata;
        if (cls || !ret)
                return ck_fail(k, "query-block", desc);
        json_object *actions = json_object_new_array();
        size_t n_actions = 0;
        for (size_t i = 0; i < k->n; i++) {
                CkDisk *kd = &k->disks[i];
                json_object *inserted = qemu_block_find_inserted(ret, kd->alias);
                const char *node = qemu_block_inserted_node(inserted);
                if (!node) {
                        json_object_put(actions);
                        return ck_fail(k, "QEMU does not show the node of disk", kd->alias);
                }
                snprintf(kd->node, sizeof kd->node, "%s", node);
                if (!k->add && !qemu_block_has_bitmap(inserted, kd->bitmap))
                        continue;       /* gone already: nothing to remove */
                json_object *data = json_object_new_object(), *a = json_object_new_object();
                json_object_object_add(data, "node", json_object_new_string(kd->node));
                json_object_object_add(data, "name", json_object_new_string(kd->bitmap));
                if (k->add)
                        json_object_object_add(data, "persistent", json_object_new_boolean(1));
                json_object_object_add(a, "type", json_object_new_string(k->add ? "block-dirty-bitmap-add"
                                                                                 : "block-dirty-bitmap-remove"));
                json_object_object_add(a, "data", data);
                json_object_array_add(actions, a);
                n_actions++;
        }
        if (n_actions == 0) {
                json_object_put(actions);
                return ck_end(k, NULL);
        }
        json_object *args = json_object_new_object();
        json_object_object_add(args, "actions", actions);
        if (qmp_send(q, "transaction", args, on_transaction, k) < 0)
                ck_fail(k, "the QEMU monitor went away", NULL);
}

static int checkpoint_bitmaps(Domain *d, const CheckpointDef *def, bool add, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        bool running = domain_is_active(d);
        if (running && (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp || !d->live))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not ready",
                                    d->obj.name);
        const DomainDef *dom = running ? d->live : d->def;
        if (!dom)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain '%s' has no definition", d->obj.name);
        QemuCk *k = ck_new(d, dom, def, add, call, err);
        if (!k)
                return -1;
        if (k->n == 0) {
                ck_free(k);             /* no bitmap disk: the checkpoint is its metadata */
                return 0;
        }
        int r = running ? qmp_send(qd->qmp, "query-block", NULL, on_query_block, k) : img_next(k, err);
        if (r < 0) {
                if (running)
                        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the QEMU monitor went away");
                ck_free(k);
                return -1;
        }
        return VERB_PENDING;
}

int qemu_checkpoint_create(Domain *d, const CheckpointDef *def, Call *call, VbError *err) {
        return checkpoint_bitmaps(d, def, true, call, err);
}

int qemu_checkpoint_delete(Domain *d, const CheckpointDef *def, Call *call, VbError *err) {
        return checkpoint_bitmaps(d, def, false, call, err);
}
