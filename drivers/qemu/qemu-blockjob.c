/* qemu-blockjob.c: block jobs on QEMU (domain-blockjob.h): block-stream (pull), block-commit
 * (active and not), query-block-jobs, block-job-cancel / job-complete (abort, pivot),
 * block-job-set-speed; QEMU's BLOCK_JOB_* events end the jobs, move the running definition to
 * the new top after a pivot and become NOTICE_BLOCK_JOB. A job's QMP id is the disk's alias. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-blockjob.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-command.h"

/* A job this daemon started and QEMU still runs. */
typedef struct Job {
        struct Job *next;
        Domain *d;              /* a reference */
        char alias[64];
        int type;               /* DOMAIN_BLOCK_JOB_TYPE_* */
        char *new_top;          /* active commit: the image the disk writes to after a pivot */
        char *new_format;
        bool ready;             /* QEMU said BLOCK_JOB_READY: a pivot may come */
        bool pivot, cancel;     /* what an abort asked */
        bool auto_pivot;        /* the daemon's own active commit: pivoted once ready */
        Call *wait;             /* an abort without ASYNC, answered when the job is gone */
} Job;

static Job *jobs;

static Job *job_find(Domain *d, const char *alias) {
        for (Job *j = jobs; j; j = j->next)
                if (j->d == d && strcmp(j->alias, alias) == 0)
                        return j;
        return NULL;
}

static void job_free(Job *j) {
        for (Job **p = &jobs; *p; p = &(*p)->next)
                if (*p == j) {
                        *p = j->next;
                        break;
                }
        if (j->wait) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the block job ended with QEMU");
                call_complete(j->wait, -1, &e, NULL);
                call_unref(j->wait);
        }
        free(j->new_top);
        free(j->new_format);
        domain_unref(j->d);
        free(j);
}

void qemu_blockjob_release(Domain *d) {
        for (Job *j = jobs, *next; j; j = next) {
                next = j->next;
                if (j->d == d)
                        job_free(j);
        }
}

/* The daemon's own active commit (qemu_blockjob_commit_pivot): its call is answered once the
 * job has pivoted and ended, not when it starts. */
#define COMMIT_PIVOT_AND_WAIT (1u << 31)

/* One request in flight. */
typedef enum { REQ_PULL, REQ_COMMIT, REQ_COPY, REQ_INFO, REQ_ABORT, REQ_SPEED } ReqKind;

typedef struct Req {
        ReqKind kind;
        Domain *d;              /* a reference */
        Call *call;             /* a reference */
        char alias[64];
        char *base, *top;
        uint64_t bandwidth;
        unsigned flags;
        DomainBlockJobInfo info;
        DomainBlockCopyTuning tuning;   /* a copy's drive-mirror options (0: QEMU's) */
} Req;

static void req_free(Req *r) {
        domain_unref(r->d);
        call_unref(r->call);
        free(r->base);
        free(r->top);
        free(r);
}

static void req_fail(Req *r, const char *what, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s: %s", what, desc ? desc : "failed");
        call_complete(r->call, -1, &e, NULL);
        req_free(r);
}

static Qmp *monitor(Domain *d) {
        QemuDomain *qd = d->driver_data;
        return qd && qd->qmp && qmp_is_ready(qd->qmp) ? qd->qmp : NULL;
}

static Req *req_new(Domain *d, size_t index, ReqKind kind, Call *call, VbError *err) {
        if (!monitor(d)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not available",
                             d->obj.name);
                return NULL;
        }
        Req *r = calloc(1, sizeof *r);
        if (!r) {
                vb_error_errno(err, -ENOMEM, "block job");
                return NULL;
        }
        if (qemu_disk_alias(d->live, index, r->alias, sizeof r->alias, err) < 0) {
                free(r);
                return NULL;
        }
        r->kind = kind;
        r->d = domain_ref(d);
        r->call = call_ref(call);
        return r;
}

/* Send for r; VERB_PENDING, or -1 with err (r freed). */
static int req_send(Req *r, const char *command, json_object *args, QmpReplyFn fn, VbError *err) {
        Qmp *q = monitor(r->d);
        int e = q ? qmp_send(q, command, args, fn, r) : -ENOTCONN;
        if (!q)
                json_object_put(args);
        if (e < 0) {
                vb_error_errno(err, e, command);
                req_free(r);
                return -1;
        }
        return VERB_PENDING;
}

static json_object *job_args(const char *alias) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "device", json_object_new_string(alias));
        return a;
}

/* ---- starting a job ---- */

static const char *cmd_of(const Req *r) {
        return r->kind == REQ_PULL ? "block-stream" : r->kind == REQ_COPY ? "drive-mirror" : "block-commit";
}

static void on_started(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Req *r = userdata;
        if (cls) {
                Job *j = job_find(r->d, r->alias);
                if (j)
                        job_free(j);
                return req_fail(r, cmd_of(r), desc);
        }
        log_info("domain %s: block job on %s started", r->d->obj.name, r->alias);
        qemu_blockjob_record_save(r->d);
        Job *j = r->flags & COMMIT_PIVOT_AND_WAIT ? job_find(r->d, r->alias) : NULL;
        if (j && !j->wait) {
                j->wait = r->call;      /* answered at the job's end */
                r->call = NULL;
                req_free(r);
                return;
        }
        call_complete(r->call, 0, NULL, NULL);
        req_free(r);
}

/* A job of d on disk alias, in the list; NULL when out of memory. */
static Job *job_new(Domain *d, const char *alias, int type, const char *new_top, const char *new_format) {
        Job *j = calloc(1, sizeof *j);
        if (!j || (new_top && !(j->new_top = strdup(new_top))) || (new_format && !(j->new_format = strdup(new_format)))) {
                if (j)
                        free(j->new_top);
                free(j);
                return NULL;
        }
        j->d = domain_ref(d);
        snprintf(j->alias, sizeof j->alias, "%s", alias);
        j->type = type;
        j->next = jobs;
        jobs = j;
        return j;
}

/* The job's record, made before QEMU is asked: its first events may come before the reply. */
static int job_add(Req *r, const char *new_top, const char *new_format) {
        int type = r->kind == REQ_PULL                        ? DOMAIN_BLOCK_JOB_TYPE_PULL
                   : r->kind == REQ_COPY                   ? DOMAIN_BLOCK_JOB_TYPE_COPY
                   : r->flags & DOMAIN_BLOCK_COMMIT_ACTIVE ? DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT
                                                           : DOMAIN_BLOCK_JOB_TYPE_COMMIT;
        Job *j = job_new(r->d, r->alias, type, new_top, new_format);
        if (j)  /* before QEMU is asked: the job may be ready before its command's answer */
                j->auto_pivot = r->flags & COMMIT_PIVOT_AND_WAIT;
        return j ? 0 : -ENOMEM;
}

/* query-block: the disk's top node and the bottom of its chain (file and format). */
static void on_query_block(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Req *r = userdata;
        if (cls || !ret)
                return req_fail(r, "query-block", desc);
        char want[96];
        snprintf(want, sizeof want, "/%s/", r->alias);
        const char *top = NULL, *bottom = NULL, *bottom_fmt = NULL, *base_fmt = NULL;
        json_object *v, *ins = NULL;
        for (size_t i = 0; i < json_object_array_length(ret) && !top; i++) {
                json_object *b = json_object_array_get_idx(ret, i);
                const char *qdev = json_object_object_get_ex(b, "qdev", &v) ? json_object_get_string(v) : "";
                if ((strstr(qdev, want) || strcmp(qdev, r->alias) == 0) && json_object_object_get_ex(b, "inserted", &ins) &&
                    json_object_object_get_ex(ins, "node-name", &v))
                        top = json_object_get_string(v);
        }
        if (!top)
                return req_fail(r, "query-block", "QEMU does not show the disk's node");
        json_object *img = NULL, *back;
        if (json_object_object_get_ex(ins, "image", &img))
                while (json_object_object_get_ex(img, "backing-image", &back)) {
                        img = back;
                        bottom = json_object_object_get_ex(img, "filename", &v) ? json_object_get_string(v) : NULL;
                        bottom_fmt = json_object_object_get_ex(img, "format", &v) ? json_object_get_string(v) : NULL;
                        if (r->base && bottom && strcmp(bottom, r->base) == 0)
                                base_fmt = bottom_fmt;
                }
        if (!bottom && r->kind != REQ_COPY)
                return req_fail(r, cmd_of(r), "the disk has no backing image");
        const char *cmd = cmd_of(r);
        json_object *a = json_object_new_object();
        if (r->kind == REQ_COPY) {      /* base: the destination, top: its format */
                json_object_object_add(a, "target", json_object_new_string(r->base));
                json_object_object_add(a, "format", json_object_new_string(r->top));
                json_object_object_add(a, "sync", json_object_new_string(r->flags & DOMAIN_BLOCK_REBASE_SHALLOW ? "top"
                                                                                                                 : "full"));
                json_object_object_add(a, "mode", json_object_new_string(r->flags & DOMAIN_BLOCK_REBASE_REUSE_EXT
                                                                                  ? "existing"
                                                                                  : "absolute-paths"));
                if (r->tuning.granularity)
                        json_object_object_add(a, "granularity", json_object_new_int64(r->tuning.granularity));
                if (r->tuning.buf_size)
                        json_object_object_add(a, "buf-size", json_object_new_int64((int64_t) r->tuning.buf_size));
                if (r->tuning.sync_writes)
                        json_object_object_add(a, "copy-mode", json_object_new_string("write-blocking"));
        } else {
                if (r->base)
                        json_object_object_add(a, "base", json_object_new_string(r->base));
                if (r->top)
                        json_object_object_add(a, "top", json_object_new_string(r->top));
        }
        json_object_object_add(a, "job-id", json_object_new_string(r->alias));
        json_object_object_add(a, "device", json_object_new_string(top));
        if (r->bandwidth)
                json_object_object_add(a, "speed", json_object_new_int64((int64_t) r->bandwidth));
        /* after a pivot the disk writes to the base: remember which, and its format */
        bool active = r->kind == REQ_COMMIT && (r->flags & DOMAIN_BLOCK_COMMIT_ACTIVE);
        int added = r->kind == REQ_COPY ? job_add(r, r->base, r->top)
                                        : job_add(r, active ? (r->base ? r->base : bottom) : NULL,
                                                  active ? (r->base ? base_fmt : bottom_fmt) : NULL);
        if (added < 0) {
                json_object_put(a);
                return req_fail(r, cmd, "out of memory");
        }
        if (qmp_send(q, cmd, a, on_started, r) < 0) {
                job_free(job_find(r->d, r->alias));
                req_fail(r, cmd, "the QEMU monitor went away");
        }
}

static int start_job(Domain *d, size_t index, ReqKind kind, const char *base, const char *top, uint64_t bw,
                     unsigned flags, const DomainBlockCopyTuning *t, Call *call, VbError *err) {
        Req *r = req_new(d, index, kind, call, err);
        if (!r)
                return -1;
        if (job_find(d, r->alias)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "disk '%s' already in active block job",
                             d->live->priv->devices.disks[index].target_dev);
                req_free(r);
                return -1;
        }
        r->bandwidth = bw;
        r->flags = flags;
        if (t)
                r->tuning = *t;
        if ((base && !(r->base = strdup(base))) || (top && !(r->top = strdup(top)))) {
                req_free(r);
                return vb_error_errno(err, -ENOMEM, "block job");
        }
        return req_send(r, "query-block", NULL, on_query_block, err);
}

static int qemu_block_pull(Domain *d, size_t index, const char *base, uint64_t bw, Call *call, VbError *err) {
        return start_job(d, index, REQ_PULL, base, NULL, bw, 0, NULL, call, err);
}

static int qemu_block_commit(Domain *d, size_t index, const char *base, const char *top, uint64_t bw, unsigned flags,
                             Call *call, VbError *err) {
        return start_job(d, index, REQ_COMMIT, base, top, bw, flags, NULL, call, err);
}

static int qemu_block_copy(Domain *d, size_t index, const char *dest, const char *format, uint64_t bw,
                           unsigned flags, Call *call, VbError *err) {
        return start_job(d, index, REQ_COPY, dest, format, bw, flags, NULL, call, err);
}

static int qemu_block_copy_tuned(Domain *d, size_t index, const char *dest, const char *format, unsigned flags,
                                 const DomainBlockCopyTuning *t, Call *call, VbError *err) {
        return start_job(d, index, REQ_COPY, dest, format, t->bandwidth, flags, t, call, err);
}

/* ---- info, speed, abort ---- */

static int type_of(const char *qemu_type, const Job *j) {
        if (j)
                return j->type;
        if (strcmp(qemu_type, "stream") == 0)
                return DOMAIN_BLOCK_JOB_TYPE_PULL;
        if (strcmp(qemu_type, "commit") == 0)
                return DOMAIN_BLOCK_JOB_TYPE_COMMIT;
        if (strcmp(qemu_type, "mirror") == 0)
                return DOMAIN_BLOCK_JOB_TYPE_COPY;
        return DOMAIN_BLOCK_JOB_TYPE_UNKNOWN;
}

static void on_jobs(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Req *r = userdata;
        if (cls || !ret)
                return req_fail(r, "query-block-jobs", desc);
        json_object *v;
        for (size_t i = 0; i < json_object_array_length(ret); i++) {
                json_object *b = json_object_array_get_idx(ret, i);
                const char *dev = json_object_object_get_ex(b, "device", &v) ? json_object_get_string(v) : "";
                if (strcmp(dev, r->alias) != 0)
                        continue;
                const char *t = json_object_object_get_ex(b, "type", &v) ? json_object_get_string(v) : "";
                r->info.type = type_of(t, job_find(r->d, r->alias));
                r->info.cur = json_object_object_get_ex(b, "offset", &v) ? (uint64_t) json_object_get_int64(v) : 0;
                r->info.end = json_object_object_get_ex(b, "len", &v) ? (uint64_t) json_object_get_int64(v) : 0;
                r->info.bandwidth = json_object_object_get_ex(b, "speed", &v) ? (uint64_t) json_object_get_int64(v) : 0;
                if (!r->flags)
                        r->info.bandwidth = (r->info.bandwidth + 1024 * 1024 - 1) / (1024 * 1024);
        }
        call_complete(r->call, 0, NULL, &r->info);
        req_free(r);
}

static int qemu_block_job_info(Domain *d, size_t index, bool bytes, Call *call, DomainBlockJobInfo *out, VbError *err) {
        Req *r = req_new(d, index, REQ_INFO, call, err);
        if (r)
                r->flags = bytes;
        return r ? req_send(r, "query-block-jobs", NULL, on_jobs, err) : -1;
}

static void on_done(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Req *r = userdata;
        Job *j = r->kind == REQ_ABORT ? job_find(r->d, r->alias) : NULL;
        if (cls) {
                if (j)
                        j->pivot = j->cancel = false;   /* QEMU did not take it: the job runs on */
                return req_fail(r, r->kind == REQ_SPEED ? "block-job-set-speed" : "block job abort", desc);
        }
        if (j && !(r->flags & DOMAIN_BLOCK_JOB_ABORT_ASYNC) && !j->wait) {
                j->wait = call_ref(r->call);    /* answered when QEMU reports the job's end */
                r->call = call_unref(r->call);
                req_free(r);
                return;
        }
        call_complete(r->call, 0, NULL, NULL);
        req_free(r);
}

static int qemu_block_job_set_speed(Domain *d, size_t index, uint64_t bw, Call *call, VbError *err) {
        Req *r = req_new(d, index, REQ_SPEED, call, err);
        if (!r)
                return -1;
        json_object *a = job_args(r->alias);
        json_object_object_add(a, "speed", json_object_new_int64((int64_t) bw));
        return req_send(r, "block-job-set-speed", a, on_done, err);
}

static int qemu_block_job_abort(Domain *d, size_t index, unsigned flags, Call *call, VbError *err) {
        Req *r = req_new(d, index, REQ_ABORT, call, err);
        if (!r)
                return -1;
        const char *target = d->live->priv->devices.disks[index].target_dev;
        Job *j = job_find(d, r->alias);
        if (!j) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "disk '%s' does not have an active block job",
                             target);
                req_free(r);
                return -1;
        }
        if ((flags & DOMAIN_BLOCK_JOB_ABORT_PIVOT) && j->type != DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT &&
            j->type != DOMAIN_BLOCK_JOB_TYPE_COPY) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "pivot of disk '%s' requires an active copy job",
                             target);
                req_free(r);
                return -1;
        }
        if ((flags & DOMAIN_BLOCK_JOB_ABORT_PIVOT) && !j->ready) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "block job '%s' not ready for pivot yet", target);
                req_free(r);
                return -1;
        }
        r->flags = flags;
        if (flags & DOMAIN_BLOCK_JOB_ABORT_PIVOT) {
                j->pivot = true;
                json_object *a = json_object_new_object();
                json_object_object_add(a, "id", json_object_new_string(r->alias));
                return req_send(r, "job-complete", a, on_done, err);
        }
        j->cancel = true;
        return req_send(r, "block-job-cancel", job_args(r->alias), on_done, err);
}

/* ---- QEMU's events ---- */

static long disk_of(Domain *d, const char *alias) {
        char a[64];
        VbError e = { 0 };
        for (size_t i = 0; d->live && i < d->live->priv->devices.n_disks; i++)
                if (qemu_disk_alias(d->live, i, a, sizeof a, &e) == 0 && strcmp(a, alias) == 0)
                        return (long) i;
        return -1;
}

/* Disk k to file (and format); false when out of memory (k unchanged). */
static bool move_disk(DomainDisk *k, const char *file, const char *format) {
        char *f = strdup(file), *t = format ? strdup(format) : NULL;
        if (!f || (format && !t)) {
                free(f);
                free(t);
                return false;
        }
        free(k->source_file);
        k->source_file = f;
        if (t) {
                free(k->driver_type);
                k->driver_type = t;
        }
        return true;
}

/* After a pivot the running definition names the image the disk now writes to; after an
 * active commit the persistent one too (its disk on the old top), as libvirt's. */
static void pivoted(Domain *d, long i, Job *j) {
        DomainDisk *k = &d->live->priv->devices.disks[i];
        if (!j->new_top)
                return;
        char *old = k->source_file ? strdup(k->source_file) : NULL;
        if (!move_disk(k, j->new_top, j->new_format)) {
                free(old);
                return;
        }
        VbError e = { 0 };
        if (domain_save_status(d, &e) < 0)
                log_warning("domain %s: its status was not saved: %s", d->obj.name, e.message);
        DomainDevices *dev = d->persistent && d->def && old && j->type == DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT
                                     ? &d->def->priv->devices
                                     : NULL;
        for (size_t n = 0; dev && n < dev->n_disks; n++)
                if (dev->disks[n].source_file && strcmp(dev->disks[n].source_file, old) == 0 &&
                    move_disk(&dev->disks[n], j->new_top, j->new_format) && domain_save_config(d->obj.conn, d->def, &e) < 0)
                        log_warning("domain %s: the definition was not saved: %s", d->obj.name, e.message);
        free(old);
}

static void on_auto_pivot(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_warning("job-complete of the daemon's own commit: %s", desc ? desc : cls);
}

void qemu_blockjob_event(QemuDomain *qd, const char *event, json_object *data) {
        Domain *d = qd->domain;
        json_object *v;
        const char *alias = data && json_object_object_get_ex(data, "device", &v) ? json_object_get_string(v) : NULL;
        long i = alias ? disk_of(d, alias) : -1;
        if (i < 0)
                return;
        Job *j = job_find(d, alias);
        const char *qtype = json_object_object_get_ex(data, "type", &v) ? json_object_get_string(v) : "";
        int type = type_of(qtype, j);
        if (strcmp(event, "BLOCK_JOB_READY") == 0) {
                if (j)
                        j->ready = true;
                domain_notify_block_job(d, (size_t) i, type, DOMAIN_BLOCK_JOB_READY);
                if (j && j->auto_pivot && !j->pivot && monitor(d)) {
                        j->pivot = true;
                        json_object *a = json_object_new_object();
                        json_object_object_add(a, "id", json_object_new_string(alias));
                        qmp_send(monitor(d), "job-complete", a, on_auto_pivot, NULL);
                }
                return;
        }
        int status;
        if (strcmp(event, "BLOCK_JOB_CANCELLED") == 0)
                status = DOMAIN_BLOCK_JOB_CANCELED;
        else if (strcmp(event, "BLOCK_JOB_COMPLETED") == 0)
                /* a ready job cancelled without pivot ends "completed" for QEMU */
                status = json_object_object_get_ex(data, "error", &v) ? DOMAIN_BLOCK_JOB_FAILED
                         : j && j->cancel                            ? DOMAIN_BLOCK_JOB_CANCELED
                                                                     : DOMAIN_BLOCK_JOB_COMPLETED;
        else
                return;         /* BLOCK_JOB_ERROR: QEMU goes on or stops the job as told */
        log_info("domain %s: block job on %s ended (%s)", d->obj.name, alias, event);
        if (j && status == DOMAIN_BLOCK_JOB_COMPLETED && j->pivot)
                pivoted(d, i, j);
        domain_notify_block_job(d, (size_t) i, type, status);
        if (j) {
                if (j->wait && status != DOMAIN_BLOCK_JOB_COMPLETED && j->auto_pivot) {
                        VbError e = { 0 };
                        const char *why = json_object_object_get_ex(data, "error", &v) ? json_object_get_string(v) : NULL;
                        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "block commit of disk %s %s%s%s",
                                     d->live->priv->devices.disks[i].target_dev,
                                     status == DOMAIN_BLOCK_JOB_CANCELED ? "was cancelled" : "failed",
                                     why ? ": " : "", why ? why : "");
                        call_complete(j->wait, -1, &e, NULL);
                        j->wait = call_unref(j->wait);
                } else if (j->wait) {
                        call_complete(j->wait, 0, NULL, NULL);
                        j->wait = call_unref(j->wait);
                }
                job_free(j);
                qemu_blockjob_record_save(d);
        }
}

int qemu_blockjob_commit_pivot(Domain *d, size_t index, const char *base, Call *call, VbError *err) {
        return start_job(d, index, REQ_COMMIT, base, NULL, 0, DOMAIN_BLOCK_COMMIT_ACTIVE | COMMIT_PIVOT_AND_WAIT, NULL,
                         call, err);
}

/* ---- across a daemon restart ---- */

void qemu_blockjob_record_save(Domain *d) {
        QemuBlockJobRecord recs[64];
        size_t n = 0;
        for (Job *j = jobs; j && n < sizeof recs / sizeof recs[0]; j = j->next)
                if (j->d == d)
                        recs[n++] = (QemuBlockJobRecord) { j->alias, j->type, j->new_top, j->new_format };
        qemu_blockjob_record_write(d, recs, n);
}

int qemu_blockjob_adopt(Domain *d, const char *alias, const char *qemu_type, int kind, const char *new_top,
                        const char *new_format, bool ready) {
        if (disk_of(d, alias) < 0)
                return -1;
        if (job_find(d, alias))
                return 0;
        Job *j = job_new(d, alias, kind >= 0 ? kind : type_of(qemu_type, NULL), new_top, new_format);
        if (!j)
                return -1;
        j->ready = ready;
        log_info("domain %s: block job on %s (%s%s) taken over after the restart", d->obj.name, alias, qemu_type,
                 ready ? ", ready" : "");
        return 0;
}

const DomainBlockJobOps qemu_blockjob_ops = {
        .pull = qemu_block_pull,
        .commit = qemu_block_commit,
        .copy = qemu_block_copy,
        .info = qemu_block_job_info,
        .abort = qemu_block_job_abort,
        .set_speed = qemu_block_job_set_speed,
        .copy_tuned = qemu_block_copy_tuned,
};
