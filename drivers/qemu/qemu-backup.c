/* qemu-backup.c: backups on QEMU: per disk a target image (qemu-img create, a watched child), its blockdev nodes, then one transaction of blockdev-backup jobs and the bitmaps of a checkpoint made at the same instant; the jobs followed with query-jobs until they conclude.
 * Push: sync full, or sync bitmap with the checkpoint's bitmap (left as it is) into the target files.
 * Pull: the target is a scratch qcow2 backed by the disk, sync none (QEMU copies a block there before the guest
 * overwrites it), exported read-only over NBD (nbd-server-start, block-export-add) with, for an incremental
 * backup, a disabled copy of the checkpoint's bitmap; the client ends it (domjobabort), and the exports, the
 * scratch nodes and files and that bitmap go. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "checkpoint-conf.h"
#include "domain-events.h"
#include "domain-model.h"
#include "domain-tune-stats.h"
#include "log.h"
#include "process-run.h"
#include "qemu-backup-priv.h"
#include "qemu-block-node.h"
#include "qemu-command.h"
#include "qemu-ports.h"

#define BACKUP_POLL_USEC (100 * 1000ULL)
#define JOB_OPERATION_BACKUP 9          /* VIR_DOMAIN_JOB_OPERATION_BACKUP */
#define BACKUP_PORT_MIN 10809           /* a pull backup's NBD server without a port: IANA's NBD port, up */
#define BACKUP_PORT_MAX 10872

static const ProcessProgram qemu_img_prog = { "qemu-img", VB_FROM_QEMU };

static QemuBackup *backups;     /* the running ones, one per domain at most */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static QemuBackup *backup_of(Domain *d) {
        for (QemuBackup *b = backups; b; b = b->next)
                if (b->d == d)
                        return b;
        return NULL;
}

/* The target nodes go (and, unless the copy is there, the files; a pull's scratch files always). */
static void drop_targets(QemuBackup *b, bool keep_files) {
        Qmp *q = qemu_backup_qmp(b);
        if (b->pull) {
                qemu_backup_drop_exports(b);
                keep_files = false;
        }
        for (size_t i = 0; i < b->n; i++) {
                BkDisk *k = &b->disks[i];
                char storage[96];
                snprintf(storage, sizeof storage, "%s-storage", k->target);
                for (int level = k->added; q && level > 0; level--) {
                        json_object *a = json_object_new_object();
                        json_object_object_add(a, "node-name", json_object_new_string(level == 2 ? k->target : storage));
                        qmp_send(q, "blockdev-del", a, qemu_backup_ignore, NULL);
                }
                k->added = 0;
                if (!keep_files && k->created && unlink(k->def->target_file) == 0)
                        log_info("domain %s: backup target %s removed", b->d->obj.name, k->def->target_file);
        }
}

static void backup_free(QemuBackup *b) {
        for (QemuBackup **p = &backups; *p; p = &(*p)->next)
                if (*p == b) {
                        *p = b->next;
                        break;
                }
        b->poll = sd_event_source_disable_unref(b->poll);
        json_object_put(b->chk_nodes);
        free(b->disks);
        call_unref(b->call);
        domain_unref(b->d);
        free(b);
}

/* The start failed: nothing stays (nodes, files); the core hears it through the call. */
static void start_fail(QemuBackup *b, const char *what, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot start the backup: %s%s%s", what, desc ? ": " : "",
                     desc ? desc : "");
        log_error("domain %s: %s", b->d->obj.name, e.message);
        drop_targets(b, false);
        call_complete(b->call, -1, &e, NULL);
        backup_free(b);
}

/* ---- the running jobs ---- */

static int poll_later(QemuBackup *b);

/* The targets are closed: the core and the clients hear the backup ended. */
static void backup_finish(QemuBackup *b) {
        Domain *d = b->d;
        DomainJobStats js = { 0 };
        qemu_backup_job_stats(d, &js);          /* the job's last figures, for its completion event */
        domain_ref(d);
        backup_ended(d, b->closing_ok);
        backup_free(b);
        if (js.n > 0)
                domain_notify_job_completed(d, &js);
        domain_unref(d);
}

/* The reply after the targets' blockdev-del (or the monitor gone: QEMU closed them then too). */
static void on_targets_closed(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        backup_finish(userdata);
}

/* The jobs concluded (or cannot be followed): the backup ends, or a pull's failed start answers. */
static void jobs_end(QemuBackup *b) {
        if (b->call) {          /* a pull whose exports failed: its jobs are gone, the start fails */
                VbError e = b->start_err;
                drop_targets(b, false);
                call_complete(b->call, -1, &e, NULL);
                return backup_free(b);
        }
        /* a pull backup runs until its client ends it: that is its completion */
        bool ok = !b->failed && (!b->cancelled || b->pull);
        for (size_t i = 0; i < b->n; i++)
                b->disks[i].def->state = ok ? "complete" : b->cancelled ? "cancelled" : "failed";
        drop_targets(b, ok);
        /* The backup ends once QEMU has closed its targets (blockdev-del flushes a target's
         * data and metadata): QEMU answers in order, so the reply to one more command says so.
         * Until then the job shows, as libvirt's does, and a client that sees it gone may read
         * the target files. */
        Qmp *q = qemu_backup_qmp(b);
        b->closing = true;
        b->closing_ok = ok;
        if (!q || qmp_send(q, "query-status", NULL, on_targets_closed, b) < 0)
                backup_finish(b);
}

static void on_jobs(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        if (cls || !ret) {
                b->failed = true;
                return jobs_end(b);
        }
        bool all = true;
        json_object *v;
        for (size_t i = 0; i < b->n; i++) {
                BkDisk *k = &b->disks[i];
                json_object *job = NULL;
                for (size_t x = 0; x < json_object_array_length(ret) && !job; x++) {
                        json_object *j = json_object_array_get_idx(ret, x);
                        if (json_object_object_get_ex(j, "id", &v) && strcmp(json_object_get_string(v), k->job) == 0)
                                job = j;
                }
                if (!job) {
                        k->concluded = true;    /* dismissed already */
                        continue;
                }
                if (json_object_object_get_ex(job, "current-progress", &v))
                        k->done = (uint64_t) json_object_get_int64(v);
                if (json_object_object_get_ex(job, "total-progress", &v))
                        k->total = (uint64_t) json_object_get_int64(v);
                const char *status = json_object_object_get_ex(job, "status", &v) ? json_object_get_string(v) : "";
                if (strcmp(status, "concluded") != 0) {
                        all = false;
                        continue;
                }
                if (json_object_object_get_ex(job, "error", &v)) {
                        log_error("domain %s: backup of disk %s: %s", b->d->obj.name, k->def->name, json_object_get_string(v));
                        if (!b->cancelled)
                                b->failed = true;
                }
                k->concluded = true;
                json_object *a = json_object_new_object();
                json_object_object_add(a, "id", json_object_new_string(k->job));
                qmp_send(q, "job-dismiss", a, qemu_backup_ignore, NULL);
        }
        for (size_t i = 0; i < b->n && all; i++)
                all = b->disks[i].concluded;
        if (all)
                return jobs_end(b);
        if (poll_later(b) < 0) {
                b->failed = true;
                jobs_end(b);
        }
}

static int on_poll(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuBackup *b = userdata;
        Qmp *q = qemu_backup_qmp(b);
        if (!q || qmp_send(q, "query-jobs", NULL, on_jobs, b) < 0) {
                b->failed = true;       /* QEMU went away with its jobs */
                jobs_end(b);
        }
        return 0;
}

static int poll_later(QemuBackup *b) {
        b->poll = sd_event_source_disable_unref(b->poll);
        return sd_event_add_time_relative(qemu_conn_of(b->d->obj.conn)->event, &b->poll, CLOCK_MONOTONIC, BACKUP_POLL_USEC, 0,
                                          on_poll, b);
}

static void jobs_started(QemuBackup *b);
static void on_exported(QemuBackup *b, const VbError *err);

static void on_transaction(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        if (cls)
                return start_fail(b, "transaction", desc);
        b->started_usec = now_usec();
        for (size_t i = 0; i < b->n; i++)
                b->disks[i].def->state = "running";
        if (b->pull)
                return qemu_backup_nbd_start(b, on_exported);
        jobs_started(b);
}

/* The start succeeded: the call answers and the jobs are followed. */
static void jobs_started(QemuBackup *b) {
        Call *call = b->call;
        b->call = NULL;
        if (poll_later(b) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot watch the backup jobs");
                call_complete(call, -1, &e, NULL);
                call_unref(call);
                b->failed = true;
                return jobs_end(b);
        }
        log_info("domain %s: %zu backup job(s) running", b->d->obj.name, b->n);
        call_complete(call, 0, NULL, NULL);
        call_unref(call);
}

/* A pull's exports are up (err NULL), or failed after its jobs started (err: b->start_err):
 * the jobs are cancelled, and once they concluded jobs_end answers the start with why. */
static void on_exported(QemuBackup *b, const VbError *err) {
        if (!err)
                return jobs_started(b);
        Qmp *q = qemu_backup_qmp(b);
        for (size_t i = 0; q && i < b->n; i++) {
                json_object *a = json_object_new_object();
                qemu_backup_add_str(a, "id", b->disks[i].job);
                qmp_send(q, "job-cancel", a, qemu_backup_ignore, NULL);
        }
        b->failed = true;
        if (!q || poll_later(b) < 0)
                jobs_end(b);
}

static void run_transaction(QemuBackup *b) {
        json_object *actions = json_object_new_array();
        for (size_t i = 0; b->pull && b->def->incremental && i < b->n; i++)
                qemu_backup_pull_bitmaps(actions, &b->disks[i], b->def->incremental);
        for (size_t i = 0; i < b->n; i++) {
                BkDisk *k = &b->disks[i];
                json_object *data = json_object_new_object(), *a = json_object_new_object();
                json_object_object_add(data, "job-id", json_object_new_string(k->job));
                json_object_object_add(data, "device", json_object_new_string(k->node));
                json_object_object_add(data, "target", json_object_new_string(k->target));
                json_object_object_add(data, "sync", json_object_new_string(b->pull ? "none" : b->def->incremental ? "bitmap" : "full"));
                if (b->def->incremental && !b->pull) {
                        /* the checkpoint's bitmap is read, never cleared: it stays a checkpoint */
                        json_object_object_add(data, "bitmap", json_object_new_string(b->def->incremental));
                        json_object_object_add(data, "bitmap-mode", json_object_new_string("never"));
                }
                json_object_object_add(data, "auto-dismiss", json_object_new_boolean(0));
                json_object_object_add(a, "type", json_object_new_string("blockdev-backup"));
                json_object_object_add(a, "data", data);
                json_object_array_add(actions, a);
        }
        for (size_t i = 0; b->chk_nodes && i < json_object_array_length(b->chk_nodes); i++)
                json_object_array_add(actions, json_object_get(json_object_array_get_idx(b->chk_nodes, i)));
        json_object *args = json_object_new_object();
        json_object_object_add(args, "actions", actions);
        Qmp *q = qemu_backup_qmp(b);
        if (!q || qmp_send(q, "transaction", args, on_transaction, b) < 0)
                start_fail(b, "the QEMU monitor went away", NULL);
}

/* ---- the start: targets made and added one disk after the other ---- */

static void disk_next(QemuBackup *b);

static void on_node_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        BkDisk *k = &b->disks[b->i];
        if (cls)
                return start_fail(b, "blockdev-add", desc);
        if (++k->added == 1) {
                char storage[96];
                snprintf(storage, sizeof storage, "%s-storage", k->target);
                json_object *a = json_object_new_object();
                json_object_object_add(a, "driver", json_object_new_string(k->def->driver_type));
                json_object_object_add(a, "node-name", json_object_new_string(k->target));
                json_object_object_add(a, "file", json_object_new_string(storage));
                if (b->pull)    /* reads of what the guest has not overwritten go to the disk */
                        qemu_backup_add_str(a, "backing", k->node);
                if (qmp_send(q, "blockdev-add", a, on_node_added, b) < 0)
                        start_fail(b, "the QEMU monitor went away", NULL);
                return;
        }
        b->i++;
        disk_next(b);
}

static void on_target_made(int status, const char *out, size_t len, void *userdata) {
        QemuBackup *b = userdata;
        BkDisk *k = &b->disks[b->i];
        if (status != 0) {
                char msg[512];
                size_t n = strlen(out);
                while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                        n--;
                snprintf(msg, sizeof msg, "%s: %.*s", k->def->target_file, (int) n, n ? out : "qemu-img failed");
                return start_fail(b, "qemu-img create", msg);
        }
        char storage[96];
        snprintf(storage, sizeof storage, "%s-storage", k->target);
        json_object *a = json_object_new_object();
        json_object_object_add(a, "driver", json_object_new_string("file"));
        json_object_object_add(a, "filename", json_object_new_string(k->def->target_file));
        json_object_object_add(a, "node-name", json_object_new_string(storage));
        Qmp *q = qemu_backup_qmp(b);
        if (!q || qmp_send(q, "blockdev-add", a, on_node_added, b) < 0)
                start_fail(b, "the QEMU monitor went away", NULL);
}

static void disk_next(QemuBackup *b) {
        if (b->i == b->n)
                return run_transaction(b);
        BkDisk *k = &b->disks[b->i];
        char size[32];
        snprintf(size, sizeof size, "%" PRIu64, k->size);
        /* made here first, 0600 and never an existing file: it will hold the guest's data (qemu-img
         * create keeps the mode of the file it truncates) */
        int fd = open(k->def->target_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
                char msg[512];
                snprintf(msg, sizeof msg, "%s: %s", k->def->target_file, strerror(errno));
                return start_fail(b, "cannot create the target file", msg);
        }
        close(fd);
        k->created = true;
        char *argv[] = { (char *) "/usr/bin/qemu-img", (char *) "create", (char *) "-q", (char *) "-f", k->def->driver_type,
                         k->def->target_file, size, NULL };
        VbError e = { 0 };
        log_info("domain %s: backup target %s (%s, %s bytes)", b->d->obj.name, k->def->target_file, k->def->driver_type, size);
        if (process_run_exec(qemu_conn_of(b->d->obj.conn)->event, &qemu_img_prog, argv, NULL, 0, on_target_made, b, &e) < 0)
                start_fail(b, "qemu-img", e.message);
}

/* query-block: each disk's node and size; the checkpoint's bitmaps on their nodes. */
static void on_query_block(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuBackup *b = userdata;
        if (cls || !ret)
                return start_fail(b, "query-block", desc);
        json_object *v, *img;
        for (size_t i = 0; i < b->n; i++) {
                BkDisk *k = &b->disks[i];
                json_object *ins = qemu_block_find_inserted(ret, k->alias);
                const char *node = qemu_block_inserted_node(ins);
                if (!node)
                        return start_fail(b, "QEMU does not show the node of disk", k->def->name);
                snprintf(k->node, sizeof k->node, "%s", node);
                if (json_object_object_get_ex(ins, "image", &img) && json_object_object_get_ex(img, "virtual-size", &v))
                        k->size = (uint64_t) json_object_get_int64(v);
                if (b->def->incremental && !qemu_block_has_bitmap(ins, b->def->incremental))
                        return start_fail(b, "disk has no bitmap of checkpoint", b->def->incremental);
        }
        for (size_t i = 0; b->chk && i < b->chk->n_disks; i++) {
                const CheckpointDiskDef *cd = &b->chk->disks[i];
                if (!cd->type || strcmp(cd->type, "bitmap") != 0)
                        continue;
                char alias[64];
                long x = -1;
                const DomainDevices *dev = &b->d->live->priv->devices;
                for (size_t j = 0; j < dev->n_disks && x < 0; j++)
                        if (dev->disks[j].target_dev && strcmp(dev->disks[j].target_dev, cd->name) == 0)
                                x = (long) j;
                VbError e = { 0 };
                const char *node = x >= 0 && qemu_disk_alias(b->d->live, (size_t) x, alias, sizeof alias, &e) == 0
                                           ? qemu_block_inserted_node(qemu_block_find_inserted(ret, alias))
                                           : NULL;
                if (!node)
                        return start_fail(b, "QEMU does not show the node of disk", cd->name);
                json_object *data = json_object_new_object(), *a = json_object_new_object();
                json_object_object_add(data, "node", json_object_new_string(node));
                json_object_object_add(data, "name", json_object_new_string(cd->bitmap));
                json_object_object_add(data, "persistent", json_object_new_boolean(1));
                json_object_object_add(a, "type", json_object_new_string("block-dirty-bitmap-add"));
                json_object_object_add(a, "data", data);
                json_object_array_add(b->chk_nodes, a);
        }
        disk_next(b);
}

int qemu_backup_begin(Domain *d, BackupDef *def, const CheckpointDef *chk, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp || !d->live)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not ready",
                                    d->obj.name);
        if (backup_of(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "there is already a backup job running");
        QemuBackup *b = calloc(1, sizeof *b);
        if (!b || !(b->disks = calloc(def->n_disks + 1, sizeof *b->disks)) || !(b->chk_nodes = json_object_new_array())) {
                if (b)
                        free(b->disks);
                free(b);
                return vb_error_errno(err, -ENOMEM, "backup");
        }
        b->d = domain_ref(d);
        b->def = def;
        b->chk = chk;
        b->pull = def->pull;
        b->next = backups;
        backups = b;
        const DomainDevices *dev = &d->live->priv->devices;
        for (size_t i = 0; i < def->n_disks; i++) {
                if (def->disks[i].skip)
                        continue;
                BkDisk *k = &b->disks[b->n];
                size_t x = 0;
                while (x < dev->n_disks && strcmp(dev->disks[x].target_dev ? dev->disks[x].target_dev : "", def->disks[i].name) != 0)
                        x++;
                const char *fmt = x < dev->n_disks && dev->disks[x].driver_type ? dev->disks[x].driver_type : "raw";
                int r = 0;
                if (x == dev->n_disks)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "no disk named '%s'", def->disks[i].name);
                else if (def->incremental && strcmp(fmt, "qcow2") != 0)
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                         "incremental backup of disk %s unsupported for storage type %s", def->disks[i].name, fmt);
                else
                        r = qemu_disk_alias(d->live, x, k->alias, sizeof k->alias, err);
                if (r < 0) {
                        backup_free(b);
                        return -1;
                }
                k->def = &def->disks[i];
                if (b->pull && !k->def->target_file && qemu_backup_scratch_path(qd, k->def, err) < 0) {
                        backup_free(b);
                        return -1;
                }
                snprintf(k->target, sizeof k->target, "bk-%s", k->alias);
                snprintf(k->job, sizeof k->job, "backup-%s", k->alias);
                b->n++;
        }
        if (b->n == 0) {
                backup_free(b);
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "no disk to back up");
        }
        if (b->pull && def->server_transport && strcmp(def->server_transport, "tcp") == 0 && !def->server_port) {
                int port = qemu_ports_acquire(&qemu_conn_of(d->obj.conn)->ports, BACKUP_PORT_MIN, BACKUP_PORT_MAX);
                if (port < 0) {
                        backup_free(b);
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "Unable to find an unused port in range 'backup' (%d-%d)",
                                            BACKUP_PORT_MIN, BACKUP_PORT_MAX);
                }
                b->port = port;
                def->server_port = (unsigned) port;
        }
        b->call = call_ref(call);
        if (qmp_send(qd->qmp, "query-block", NULL, on_query_block, b) < 0) {
                backup_free(b);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the QEMU monitor went away");
        }
        return VERB_PENDING;
}

int qemu_backup_job_stats(Domain *d, DomainJobStats *out) {
        const QemuBackup *b = backup_of(d);
        if (!b || !b->started_usec)
                return 0;
        uint64_t done = 0, total = 0;
        for (size_t i = 0; i < b->n; i++) {
                done += b->disks[i].done;
                total += b->disks[i].total;
        }
        out->type = 2;          /* VIR_DOMAIN_JOB_UNBOUNDED */
        out->p[out->n++] = (typeof(out->p[0])) { .name = "operation", .is_int = true, .v = JOB_OPERATION_BACKUP };
        out->p[out->n++] = (typeof(out->p[0])) { .name = "time_elapsed", .v = (now_usec() - b->started_usec) / 1000 };
        out->p[out->n++] = (typeof(out->p[0])) { .name = "data_total", .v = total };
        out->p[out->n++] = (typeof(out->p[0])) { .name = "data_processed", .v = done };
        out->p[out->n++] = (typeof(out->p[0])) { .name = "data_remaining", .v = total - done };
        return 0;
}

int qemu_backup_abort(Domain *d, VbError *err) {
        QemuBackup *b = backup_of(d);
        Qmp *q = b ? qemu_backup_qmp(b) : NULL;
        if (!b || !b->started_usec || !q)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "no job is active on the domain");
        if (b->closing)         /* its jobs are over; it ends as soon as its targets are closed */
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the backup cannot be aborted: it has completed and is closing its targets");
        for (size_t i = 0; i < b->n; i++) {
                json_object *a = json_object_new_object();
                json_object_object_add(a, "id", json_object_new_string(b->disks[i].job));
                qmp_send(q, "job-cancel", a, qemu_backup_ignore, NULL);
        }
        b->cancelled = true;
        log_info("domain %s: backup aborted by a client", d->obj.name);
        return 0;
}
