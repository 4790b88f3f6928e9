/* qemu-snapshot.c: internal snapshots on QEMU: qemu-img snapshot -c/-a/-d per qcow2 disk of a stopped guest (watched children), QMP snapshot-save/load/delete jobs on a running one, followed by QEMU's JOB_STATUS_CHANGE events. */
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
#include "qemu-command.h"
#include "snapshot-conf.h"
#include "snapshot.h"
#include "storage.h"

#define QEMU_IMG_PATH "/usr/bin/qemu-img"

static const ProcessProgram qemu_img_prog = { "qemu-img", VB_FROM_QEMU };

typedef enum SnapOp { SNAP_CREATE, SNAP_REVERT, SNAP_DELETE, SNAP_OVERLAY } SnapOp;
static const char *const img_flag[] = { "-c", "-a", "-d", NULL };
static const char *const qmp_command[] = { "snapshot-save", "snapshot-load", "snapshot-delete", NULL };
static const char *const what[] = { "create", "revert to", "delete", "create the overlay of" };

typedef struct QemuSnap {
        struct QemuSnap *next;          /* running: in the list of jobs QEMU's events are for */
        Domain *d;                      /* a reference */
        Call *call;                     /* a reference */
        SnapOp op;
        char *tag;
        char **paths;                   /* stopped: the qcow2 images (overlays), one qemu-img each */
        size_t n_paths, i;
        char **bases;                   /* SNAP_OVERLAY: each overlay's backing image and format */
        const char **base_fmts;
        long *disk_index;               /* SNAP_OVERLAY: the disk of d->def each overlay replaces */
        bool undoing;                   /* a create failed part way: the tags made go again */
        bool reused;                    /* SNAP_OVERLAY with REUSE_EXT: the overlays are the user's */
        VbError error;
        char job_id[64];                /* running: the QMP job */
        bool started, concluded;        /* QEMU answered the command; its job's status is concluded */
        const char *after;              /* revert: "cont", "stop" or NULL once loaded */
} QemuSnap;

static QemuSnap *watched;          /* the running guests' snapshot jobs */

static void snap_free(QemuSnap *s) {
        for (QemuSnap **p = &watched; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        for (size_t i = 0; i < s->n_paths; i++) {
                free(s->paths[i]);
                if (s->bases)
                        free(s->bases[i]);
        }
        free(s->paths);
        free(s->bases);
        free(s->base_fmts);
        free(s->disk_index);
        free(s->tag);
        call_unref(s->call);
        domain_unref(s->d);
        free(s);
}

static void snap_end(QemuSnap *s, const VbError *err) {
        call_complete(s->call, err ? -1 : 0, err, NULL);
        snap_free(s);
}

static QemuSnap *snap_new(Domain *d, SnapOp op, const SnapshotDef *def, Call *call, VbError *err) {
        QemuSnap *s = calloc(1, sizeof *s);
        if (!s || !(s->tag = strdup(def->name))) {
                free(s);
                vb_error_errno(err, -ENOMEM, "snapshot");
                return NULL;
        }
        s->d = domain_ref(d);
        s->call = call_ref(call);
        s->op = op;
        return s;
}

/* The disk of def (the domain's) a snapshot's disk entry names, or -1. */
static long disk_index(const DomainDef *def, const char *name) {
        const DomainDevices *dev = &def->priv->devices;
        for (size_t i = 0; i < dev->n_disks; i++)
                if (dev->disks[i].target_dev && strcmp(dev->disks[i].target_dev, name) == 0)
                        return (long) i;
        return -1;
}

static bool is_internal(const SnapshotDiskDef *sd) {
        return sd->snapshot && strcmp(sd->snapshot, "internal") == 0;
}

/* Every internal disk of snap must be a qcow2 disk of dom: libvirt's refusal otherwise. */
static int check_disks(const DomainDef *dom, const SnapshotDef *snap, size_t *n_internal, VbError *err) {
        *n_internal = 0;
        for (size_t i = 0; i < snap->n_disks; i++) {
                const SnapshotDiskDef *sd = &snap->disks[i];
                if (sd->snapshot && strcmp(sd->snapshot, "external") == 0)
                        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_QEMU,
                                            "external snapshot of disk %s (not done yet: internal snapshots only)", sd->name);
                if (!is_internal(sd))
                        continue;
                long k = disk_index(dom, sd->name);
                if (k < 0)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "no disk named '%s'", sd->name);
                const DomainDisk *dd = &dom->priv->devices.disks[k];
                const char *fmt = dd->driver_type ? dd->driver_type : "raw";
                if (strcmp(fmt, "qcow2") != 0)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "internal snapshot for disk %s unsupported for storage type %s", sd->name, fmt);
                if (!dd->source_file && !dd->source_dev)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "disk %s has no source to snapshot", sd->name);
                (*n_internal)++;
        }
        return 0;
}

/* ---- a stopped guest: qemu-img, one disk after the other ---- */

static int img_next(QemuSnap *s, VbError *err);

static void overlays_done(QemuSnap *s, bool ok);

static void on_img_done(int status, const char *out, size_t len, void *userdata) {
        QemuSnap *s = userdata;
        if (s->op == SNAP_OVERLAY && status != 0) {
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                vb_error_set(&s->error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot create overlay %s of %s: %.*s",
                             s->paths[s->i], s->bases[s->i], (int) n, n ? out : "qemu-img failed");
                return overlays_done(s, false);
        }
        if (s->op == SNAP_OVERLAY && s->i + 1 == s->n_paths)
                return overlays_done(s, true);
        if (status != 0 && !s->undoing) {
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                vb_error_set(&s->error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot %s internal snapshot '%s' of %s: %.*s",
                             what[s->op], s->tag, s->paths[s->i], (int) n, n ? out : "qemu-img failed");
                log_error("domain %s: %s", s->d->obj.name, s->error.message);
                if (s->op == SNAP_CREATE && s->i > 0) {
                        /* Nothing is left half made: the disks done already lose their tag. */
                        s->undoing = true;
                        s->op = SNAP_DELETE;
                        s->n_paths = s->i;
                        s->i = 0;
                        VbError e = { 0 };
                        if (img_next(s, &e) == 0)
                                return;
                }
                snap_end(s, &s->error);
                return;
        }
        s->i++;
        VbError e = { 0 };
        if (s->i < s->n_paths) {
                if (img_next(s, &e) < 0)
                        snap_end(s, s->undoing ? &s->error : &e);
                return;
        }
        snap_end(s, s->undoing ? &s->error : NULL);
}

static int img_next(QemuSnap *s, VbError *err) {
        char *argv[] = { (char *) QEMU_IMG_PATH, (char *) "snapshot", (char *) img_flag[s->op], s->tag, s->paths[s->i], NULL };
        QemuConn *qc = qemu_conn_of(s->d->obj.conn);
        if (s->op == SNAP_OVERLAY) {
                char *create[] = { (char *) QEMU_IMG_PATH, (char *) "create", (char *) "-q", (char *) "-f", (char *) "qcow2",
                                   (char *) "-F", (char *) s->base_fmts[s->i], (char *) "-b", s->bases[s->i],
                                   s->paths[s->i], NULL };
                log_info("domain %s: qemu-img create overlay %s on %s", s->d->obj.name, s->paths[s->i], s->bases[s->i]);
                return process_run_exec(qc->event, &qemu_img_prog, create, NULL, 0, on_img_done, s, err);
        }
        log_info("domain %s: qemu-img snapshot %s %s %s", s->d->obj.name, img_flag[s->op], s->tag, s->paths[s->i]);
        return process_run_exec(qc->event, &qemu_img_prog, argv, NULL, 0, on_img_done, s, err);
}

static int stopped_on(Domain *d, const DomainDef *dom, SnapOp op, const SnapshotDef *snap, Call *call, VbError *err) {
        size_t n = 0;
        if (check_disks(dom, snap, &n, err) < 0)
                return -1;
        if (n == 0)
                return 0;       /* nothing on disk: the snapshot is its metadata */
        QemuSnap *s = snap_new(d, op, snap, call, err);
        if (!s)
                return -1;
        s->paths = calloc(n, sizeof *s->paths);
        for (size_t i = 0; s->paths && i < snap->n_disks; i++) {
                if (!is_internal(&snap->disks[i]))
                        continue;
                const DomainDisk *dd = &dom->priv->devices.disks[disk_index(dom, snap->disks[i].name)];
                if (!(s->paths[s->n_paths++] = strdup(dd->source_file ? dd->source_file : dd->source_dev)))
                        break;
        }
        if (!s->paths || s->n_paths != n || !s->paths[n - 1]) {
                snap_free(s);
                return vb_error_errno(err, -ENOMEM, "snapshot disks");
        }
        if (img_next(s, err) < 0) {
                snap_free(s);
                return -1;
        }
        return VERB_PENDING;
}

/* On a copy of the definition whose <disk type='volume'>s are the files (or block devices) of
 * their volumes now: qemu-img works on those (a disk cockpit-machines attached from a pool). */
static int stopped(Domain *d, SnapOp op, const SnapshotDef *snap, Call *call, VbError *err) {
        if (!d->def)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain '%s' has no definition", d->obj.name);
        DomainDef *dom = domain_def_copy(d->def);
        if (!dom)
                return vb_error_errno(err, -ENOMEM, "snapshot disks");
        int r = domain_resolve_volume_disks(d->obj.conn, dom, err) < 0 ? -1 : stopped_on(d, dom, op, snap, call, err);
        domain_def_free(dom);
        return r;
}

/* ---- a stopped guest's external (disk-only) snapshot: qcow2 overlays ---- */

/* All made: the definition's disks follow their overlays; one failed: the overlays made go. */
static void overlays_done(QemuSnap *s, bool ok) {
        Domain *d = s->d;
        VbError err = { 0 };
        if (ok && d->def) {
                DomainDef *next = domain_def_copy(d->def);
                for (size_t i = 0; next && i < s->n_paths && ok; i++) {
                        DomainDisk *dd = &next->priv->devices.disks[s->disk_index[i]];
                        char *file = strdup(s->paths[i]), *fmt = strdup("qcow2");
                        ok = file && fmt;
                        free(ok ? dd->source_file : file);
                        free(ok ? dd->driver_type : fmt);
                        if (ok) {
                                dd->source_file = file;
                                dd->driver_type = fmt;
                        }
                }
                if (!next || !ok)
                        ok = vb_error_errno(&s->error, -ENOMEM, "snapshot definition") == 0;
                else if (domain_save_config(d->obj.conn, next, &s->error) < 0)
                        ok = false;
                if (ok) {
                        domain_def_free(d->def);
                        d->def = next;
                        next = NULL;
                        log_info("domain %s: its disks now write to their snapshot overlays", d->obj.name);
                }
                domain_def_free(next);
        }
        if (!ok) {
                for (size_t i = 0; !s->reused && i <= s->i && i < s->n_paths; i++)
                        if (unlink(s->paths[i]) == 0)
                                log_info("domain %s: overlay %s removed", d->obj.name, s->paths[i]);
                err = s->error;
        }
        snap_end(s, ok ? NULL : &err);
}

static int overlays(Domain *d, const SnapshotDef *snap, bool reuse, Call *call, VbError *err) {
        const DomainDef *dom = d->def;
        size_t n = 0;
        for (size_t i = 0; i < snap->n_disks; i++) {
                const SnapshotDiskDef *sd = &snap->disks[i];
                if (is_internal(sd))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "mixing internal and external snapshots is not supported");
                if (!sd->snapshot || strcmp(sd->snapshot, "external") != 0)
                        continue;
                long k = dom ? disk_index(dom, sd->name) : -1;
                if (k < 0 || !dom->priv->devices.disks[k].source_file)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "disk '%s' has no file to put an overlay on", sd->name);
                if (sd->driver_type && strcmp(sd->driver_type, "qcow2") != 0)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "unsupported disk snapshot format '%s' of disk %s", sd->driver_type, sd->name);
                bool existed;
                if (qemu_snapshot_check_target(sd->name, sd->source_file, reuse, &existed, err) < 0)
                        return -1;
                n++;
        }
        if (n == 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk-only snapshots require at least one disk to be selected for snapshot");
        QemuSnap *s = snap_new(d, SNAP_OVERLAY, snap, call, err);
        if (!s)
                return -1;
        s->paths = calloc(n, sizeof *s->paths);
        s->bases = calloc(n, sizeof *s->bases);
        s->base_fmts = calloc(n, sizeof *s->base_fmts);
        s->disk_index = calloc(n, sizeof *s->disk_index);
        bool oom = !s->paths || !s->bases || !s->base_fmts || !s->disk_index;
        for (size_t i = 0; !oom && i < snap->n_disks; i++) {
                const SnapshotDiskDef *sd = &snap->disks[i];
                if (!sd->snapshot || strcmp(sd->snapshot, "external") != 0)
                        continue;
                long k = disk_index(dom, sd->name);
                const DomainDisk *dd = &dom->priv->devices.disks[k];
                size_t j = s->n_paths++;
                s->disk_index[j] = k;
                s->base_fmts[j] = dd->driver_type ? dd->driver_type : "raw";
                s->paths[j] = strdup(sd->source_file);
                s->bases[j] = strdup(dd->source_file);
                oom = !s->paths[j] || !s->bases[j];
        }
        if (oom) {
                snap_free(s);
                return vb_error_errno(err, -ENOMEM, "snapshot overlays");
        }
        if (reuse) {
                /* The user's overlays as they are: only the definition follows them. */
                s->reused = true;
                overlays_done(s, true);
                return VERB_PENDING;
        }
        if (img_next(s, err) < 0) {
                snap_free(s);
                return -1;
        }
        return VERB_PENDING;
}

size_t qemu_snapshot_count_external(const SnapshotDef *def) {
        size_t n = 0;
        for (size_t i = 0; i < def->n_disks; i++)
                n += def->disks[i].snapshot && strcmp(def->disks[i].snapshot, "external") == 0;
        return n;
}

/* ---- a running guest: a QMP job ---- */

static void qmp_fail(QemuSnap *s, const char *fmt, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s %s", fmt, desc ? desc : "");
        log_error("domain %s: %s", s->d->obj.name, e.message);
        snap_end(s, &e);
}

static Qmp *qmp_of(QemuSnap *s) {
        QemuDomain *qd = s->d->driver_data;
        return qd && qd->phase == QEMU_PHASE_RUNNING ? qd->qmp : NULL;
}

static void on_after(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuSnap *s = userdata;
        if (cls)
                qmp_fail(s, "cannot set the reverted guest's state:", desc);
        else
                snap_end(s, NULL);
}

static void on_dismissed(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuSnap *s = userdata;
        if (cls)
                log_warning("domain %s: job-dismiss %s: %s", s->d->obj.name, s->job_id, desc ? desc : cls);
        if (s->error.code) {
                snap_end(s, &s->error);
        } else if (s->op == SNAP_REVERT && s->after && qmp_of(s)) {
                if (qmp_send(qmp_of(s), s->after, NULL, on_after, s) < 0)
                        qmp_fail(s, "the QEMU monitor went away after the revert", NULL);
        } else {
                snap_end(s, NULL);
        }
}

/* query-jobs, asked once the job has concluded: [{"id", "status", "error"?}, …]; the job is
 * dismissed, then its outcome answers. */
static void on_jobs(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuSnap *s = userdata;
        if (cls || !ret)
                return qmp_fail(s, "query-jobs:", desc ? desc : "no answer");
        json_object *job = NULL, *v;
        for (size_t i = 0; i < json_object_array_length(ret) && !job; i++) {
                json_object *j = json_object_array_get_idx(ret, i);
                if (json_object_object_get_ex(j, "id", &v) && strcmp(json_object_get_string(v), s->job_id) == 0)
                        job = j;
        }
        if (!job)
                return qmp_fail(s, "QEMU lost the snapshot job", s->job_id);
        if (json_object_object_get_ex(job, "error", &v))
                vb_error_set(&s->error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot %s internal snapshot '%s': %s",
                             what[s->op], s->tag, json_object_get_string(v));
        json_object *args = json_object_new_object();
        json_object_object_add(args, "id", json_object_new_string(s->job_id));
        if (qmp_send(q, "job-dismiss", args, on_dismissed, s) < 0)
                qmp_fail(s, "the QEMU monitor went away during the snapshot", NULL);
}

/* Both the command's answer and the concluded status are needed: QEMU may send either first. */
static void job_concluded(QemuSnap *s) {
        Qmp *q = qmp_of(s);
        if (!q || qmp_send(q, "query-jobs", NULL, on_jobs, s) < 0)
                qmp_fail(s, "the QEMU monitor went away during the snapshot", NULL);
}

static void on_started(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuSnap *s = userdata;
        if (cls)
                return qmp_fail(s, qmp_command[s->op], desc);
        s->started = true;
        if (s->concluded)
                job_concluded(s);
}

/* JOB_STATUS_CHANGE {"id", "status"}: created, running, … concluded (the snapshot jobs wait for
 * job-dismiss there). Block jobs' ids are disk aliases and match no snapshot job. */
void qemu_snapshot_job_event(QemuDomain *qd, json_object *data) {
        json_object *v;
        const char *id = data && json_object_object_get_ex(data, "id", &v) ? json_object_get_string(v) : NULL;
        const char *status = data && json_object_object_get_ex(data, "status", &v) ? json_object_get_string(v) : "";
        QemuSnap *s = watched;
        while (s && (s->d != qd->domain || !id || strcmp(s->job_id, id) != 0))
                s = s->next;
        if (!s || s->concluded || strcmp(status, "concluded") != 0)
                return;
        s->concluded = true;
        if (s->started)
                job_concluded(s);
}

/* QEMU or its monitor went away: the domain's snapshot jobs will not conclude. */
void qemu_snapshot_release(Domain *d) {
        for (QemuSnap *s = watched, *next; s; s = next) {
                next = s->next;
                if (s->d == d)
                        qmp_fail(s, "the QEMU monitor went away during the snapshot", NULL);
        }
}

static int running(Domain *d, SnapOp op, const SnapshotDef *snap, const char *after, Call *call, VbError *err) {
        const DomainDef *dom = d->live;
        size_t n = 0;
        if (check_disks(dom, snap, &n, err) < 0)
                return -1;
        if (op == SNAP_CREATE && (!snap->memory || strcmp(snap->memory, "internal") != 0))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "internal snapshot of a running VM must include the memory state");
        if (n == 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "no qcow2 disk of domain '%s' can hold the state of an internal snapshot", d->obj.name);
        QemuDomain *qd = d->driver_data;
        if (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not ready",
                                    d->obj.name);
        json_object *args = json_object_new_object(), *devices = json_object_new_array();
        char node[96] = "";
        for (size_t i = 0; i < snap->n_disks; i++) {
                if (!is_internal(&snap->disks[i]))
                        continue;
                char alias[64];
                if (qemu_disk_alias(dom, (size_t) disk_index(dom, snap->disks[i].name), alias, sizeof alias, err) < 0) {
                        json_object_put(args);
                        json_object_put(devices);
                        return -1;
                }
                bool first = !node[0];
                snprintf(node, sizeof node, "drive-%s", alias);
                json_object_array_add(devices, json_object_new_string(node));
                if (first && op != SNAP_DELETE)
                        json_object_object_add(args, "vmstate", json_object_new_string(node));
        }
        QemuSnap *s = snap_new(d, op, snap, call, err);
        if (!s) {
                json_object_put(args);
                json_object_put(devices);
                return -1;
        }
        static unsigned seq;
        snprintf(s->job_id, sizeof s->job_id, "virtbus-snapshot-%u", ++seq);
        s->after = after;
        json_object_object_add(args, "job-id", json_object_new_string(s->job_id));
        json_object_object_add(args, "tag", json_object_new_string(s->tag));
        json_object_object_add(args, "devices", devices);
        log_info("domain %s: %s %s", d->obj.name, qmp_command[op], s->tag);
        s->next = watched;      /* before the command: its job's events may come before its answer */
        watched = s;
        if (qmp_send(qd->qmp, qmp_command[op], args, on_started, s) < 0) {
                snap_free(s);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the QEMU monitor went away");
        }
        return VERB_PENDING;
}

/* ---- what the ops (qemu-snapshot-ops.c) route here ---- */

int qemu_snapshot_internal(Domain *d, QemuSnapshotOp op, const SnapshotDef *def, const char *after, Call *call,
                           VbError *err) {
        SnapOp o = op == QEMU_SNAPSHOT_CREATE ? SNAP_CREATE : op == QEMU_SNAPSHOT_REVERT ? SNAP_REVERT : SNAP_DELETE;
        return domain_is_active(d) ? running(d, o, def, after, call, err) : stopped(d, o, def, call, err);
}

int qemu_snapshot_disks_revert(Domain *d, const SnapshotDef *def, Call *call, VbError *err) {
        return stopped(d, SNAP_REVERT, def, call, err);
}

int qemu_snapshot_offline_overlays(Domain *d, const SnapshotDef *def, bool reuse, Call *call, VbError *err) {
        return overlays(d, def, reuse, call, err);
}
