/* qemu-backup-pull.c: a pull backup's side on QEMU: the NBD server (nbd-server-start on TCP or a unix
 * socket) and one read-only export per disk of its scratch node (block-export-add, with the
 * incremental bitmap), the scratch files' default place, and their end. */
#define LOG_MODULE "qemu"
#include "qemu-backup-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "qemu-ports.h"

static void export_next(QemuBackup *b);
static void on_export_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

/* Pull: the exports and the NBD server go, and the incremental bitmaps. */
void qemu_backup_drop_exports(QemuBackup *b) {
        Qmp *q = qemu_backup_qmp(b);
        for (size_t i = 0; q && i < b->exported; i++) {
                json_object *a = json_object_new_object();
                char id[96];
                snprintf(id, sizeof id, "export-%s", b->disks[i].alias);
                qemu_backup_add_str(a, "id", id);
                qemu_backup_add_str(a, "mode", "hard");
                qmp_send(q, "block-export-del", a, qemu_backup_ignore, NULL);
        }
        b->exported = 0;
        if (q && b->nbd)
                qmp_send(q, "nbd-server-stop", NULL, qemu_backup_ignore, NULL);
        b->nbd = false;
        for (size_t i = 0; q && b->pull && b->def->incremental && i < b->n; i++) {
                if (!b->disks[i].def->export_bitmap || !b->disks[i].node[0])
                        continue;
                json_object *a = json_object_new_object();
                qemu_backup_add_str(a, "node", b->disks[i].node);
                qemu_backup_add_str(a, "name", b->disks[i].def->export_bitmap);
                qmp_send(q, "block-dirty-bitmap-remove", a, qemu_backup_ignore, NULL);
        }
        if (b->port) {
                qemu_ports_release(&qemu_conn_of(b->d->obj.conn)->ports, b->port);
                b->port = 0;
        }
}

/* The exports failed after the backup's jobs started: why, in b->start_err, goes to the step the
 * start handed qemu_backup_nbd_start. */
static void exports_fail(QemuBackup *b, const char *what, const char *desc) {
        vb_error_set(&b->start_err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot start the backup: %s%s%s", what,
                     desc ? ": " : "", desc ? desc : "");
        log_error("domain %s: %s", b->d->obj.name, b->start_err.message);
        b->exported_then(b, &b->start_err);
}

/* {type nbd, id, node-name: the scratch node, name, writable false, bitmaps} */
static void export_next(QemuBackup *b) {
        if (b->exported == b->n) {
                log_info("domain %s: pull backup exported over NBD", b->d->obj.name);
                return b->exported_then(b, NULL);
        }
        BkDisk *k = &b->disks[b->exported];
        char id[96];
        snprintf(id, sizeof id, "export-%s", k->alias);
        json_object *a = json_object_new_object();
        qemu_backup_add_str(a, "type", "nbd");
        qemu_backup_add_str(a, "id", id);
        qemu_backup_add_str(a, "node-name", k->target);
        qemu_backup_add_str(a, "name", k->def->export_name);
        json_object_object_add(a, "writable", json_object_new_boolean(0));
        if (k->def->export_bitmap) {
                json_object *bm = json_object_new_array();
                json_object_array_add(bm, json_object_new_string(k->def->export_bitmap));
                json_object_object_add(a, "bitmaps", bm);
        }
        Qmp *q = qemu_backup_qmp(b);
        if (!q || qmp_send(q, "block-export-add", a, on_export_added, b) < 0)
                exports_fail(b, "the QEMU monitor went away", NULL);
}

static void on_export_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        if (cls)
                return exports_fail(b, "block-export-add", desc);
        b->exported++;
        export_next(b);
}

static void on_nbd_started(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        if (cls)
                return exports_fail(b, "nbd-server-start", desc);
        b->nbd = true;
        export_next(b);
}

/* nbd-server-start {addr: {type inet, data {host, port}} or {type unix, data {path}}} */
void qemu_backup_nbd_start(QemuBackup *b, QemuBackupExported then) {
        const BackupDef *def = b->def;
        b->exported_then = then;
        json_object *data = json_object_new_object(), *addr = json_object_new_object(), *a = json_object_new_object();
        if (def->server_socket) {
                qemu_backup_add_str(data, "path", def->server_socket);
                qemu_backup_add_str(addr, "type", "unix");
        } else {
                char port[16];
                snprintf(port, sizeof port, "%u", def->server_port);
                qemu_backup_add_str(data, "host", def->server_name);
                qemu_backup_add_str(data, "port", port);
                qemu_backup_add_str(addr, "type", "inet");
        }
        json_object_object_add(addr, "data", data);
        json_object_object_add(a, "addr", addr);
        Qmp *q = qemu_backup_qmp(b);
        if (!q || qmp_send(q, "nbd-server-start", a, on_nbd_started, b) < 0)
                exports_fail(b, "the QEMU monitor went away", NULL);
}

/* Pull, incremental: the export's bitmap, a disabled copy of the checkpoint's made in the same instant. */
void qemu_backup_pull_bitmaps(json_object *actions, const BkDisk *k, const char *checkpoint) {
        json_object *add = json_object_new_object(), *a = json_object_new_object();
        qemu_backup_add_str(add, "node", k->node);
        qemu_backup_add_str(add, "name", k->def->export_bitmap);
        json_object_object_add(add, "persistent", json_object_new_boolean(0));
        json_object_object_add(add, "disabled", json_object_new_boolean(1));
        qemu_backup_add_str(a, "type", "block-dirty-bitmap-add");
        json_object_object_add(a, "data", add);
        json_object_array_add(actions, a);
        json_object *merge = json_object_new_object(), *from = json_object_new_array();
        json_object_array_add(from, json_object_new_string(checkpoint));
        qemu_backup_add_str(merge, "node", k->node);
        qemu_backup_add_str(merge, "target", k->def->export_bitmap);
        json_object_object_add(merge, "bitmaps", from);
        a = json_object_new_object();
        qemu_backup_add_str(a, "type", "block-dirty-bitmap-merge");
        json_object_object_add(a, "data", merge);
        json_object_array_add(actions, a);
}

/* A pull's scratch file not given: beside the guest's monitor socket, in the driver's own
 * runtime directory, named after the guest and the disk. */
int qemu_backup_scratch_path(const QemuDomain *qd, BackupDiskDef *k, VbError *err) {
        const char *mon = qd->monitor_path, *slash = mon ? strrchr(mon, '/') : NULL;
        if (!slash)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "no runtime directory for the scratch file of disk '%s'",
                                    k->name);
        if (asprintf(&k->target_file, "%.*s/%s-backup-scratch-%s.qcow2", (int) (slash - mon), mon, qd->domain->obj.name,
                     k->name) < 0) {
                k->target_file = NULL;
                return vb_error_errno(err, -ENOMEM, "scratch file");
        }
        return 0;
}
