/* qemu-tune.c: virDomainGetCPUStats from the guest's cgroup (cpuacct.usage_percpu of the guest and of each vCPU's group) and virDomainSetMemoryStatsPeriod through QMP qom-set on the balloon; block I/O counters come from the stats' query-blockstats (qemu-stats.c). */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cgroup.h"
#include "domain-model.h"
#include "domain-tune-stats.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

#define PERCPU_MAX 8192         /* host CPUs one usage_percpu line may list */

/* A cgroup v1 cpuacct.usage_percpu: nanoseconds per host CPU, added to sum (n entries, grown). */
static int read_percpu(const char *group, const char *child, uint64_t **sum, int *n) {
        char *dir = NULL, path[1024];
        if (cgroup_path(NULL, false, "cpuacct", group, &dir) < 0)
                return -ENOMEM;
        snprintf(path, sizeof path, "%s%s%s/cpuacct.usage_percpu", dir, child ? "/" : "", child ? child : "");
        free(dir);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int i = 0;
        unsigned long long v;
        while (i < PERCPU_MAX && fscanf(f, "%llu", &v) == 1) {
                if (i >= *n) {
                        uint64_t *more = realloc(*sum, (size_t) (i + 1) * sizeof *more);
                        if (!more) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        more[i] = 0;
                        *sum = more;
                        *n = i + 1;
                }
                (*sum)[i++] += v;
        }
        fclose(f);
        return i > 0 ? 0 : -EIO;
}

static int no_cpuacct(VbError *err) {
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cgroup CPUACCT controller is not mounted");
}

/* The guest's QEMU with its monitor ready, or NULL with err set. */
static int qemu_cpu_stats_percpu(Domain *d, uint64_t **cpu, uint64_t **vcpu, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        QemuDomain *qd = d->driver_data;
        char group[512];
        *cpu = *vcpu = NULL;
        if (!qc || !qc->cgroups || cgroup_is_v2(NULL) || qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return no_cpuacct(err);
        int n = 0, nv = 0;
        int r = read_percpu(group, NULL, cpu, &n);
        /* the vCPUs' part: their own groups when they have them (qemu-pin.c), else none known */
        for (size_t i = 0; r == 0 && qd && i < qd->n_vcpu_tids; i++) {
                char child[32];
                snprintf(child, sizeof child, "vcpu%zu", i);
                int q = read_percpu(group, child, vcpu, &nv);
                if (q == -ENOMEM)
                        r = q;
        }
        if (r == 0 && nv < n) {
                uint64_t *more = realloc(*vcpu, (size_t) n * sizeof *more);
                if (!more) {
                        r = -ENOMEM;
                } else {
                        memset(more + nv, 0, (size_t) (n - nv) * sizeof *more);
                        *vcpu = more;
                }
        }
        if (r < 0) {
                free(*cpu);
                free(*vcpu);
                *cpu = *vcpu = NULL;
                return r == -ENOMEM ? vb_error_errno(err, r, "cpu stats") : no_cpuacct(err);
        }
        return n;
}

static int qemu_cpu_stats_total(Domain *d, uint64_t out[DOMAIN_CPU_STATS_TOTAL], VbError *err) {
        if (qemu_cgroup_cpu_stat(d, &out[0], &out[1], &out[2]) < 0)
                return no_cpuacct(err);
        return 0;
}

static int qemu_set_memory_stats_period(Domain *d, int period, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        json_object *args = json_object_new_object();
        json_object_object_add(args, "path", json_object_new_string("/machine/peripheral/balloon0"));
        json_object_object_add(args, "property", json_object_new_string("guest-stats-polling-interval"));
        json_object_object_add(args, "value", json_object_new_int64(period));
        int r = qmp_send(qd->qmp, "qom-set", args, qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "qom-set");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* block_resize on the disk's format node ("drive-<alias>", qemu-command-disk.c). */
static int qemu_block_resize(Domain *d, size_t index, uint64_t bytes, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        char alias[64];
        if (!qd)
                return -1;
        if (bytes > INT64_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "size %llu is too large",
                                    (unsigned long long) bytes);
        if (qemu_disk_alias(d->live, index, alias, sizeof alias, err) < 0)
                return -1;
        char node[80];
        snprintf(node, sizeof node, "drive-%s", alias);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "node-name", json_object_new_string(node));
        json_object_object_add(args, "size", json_object_new_int64((int64_t) bytes));
        int r = qmp_send(qd->qmp, "block_resize", args, qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "block_resize");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* virDomainSetBlockIoTune: block_set_io_throttle on the disk's device with the whole set. */
static int qemu_set_block_io_tune(Domain *d, size_t index, const DomainDiskIotune *t, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        char alias[64];
        if (!qd || qemu_disk_alias(d->live, index, alias, sizeof alias, err) < 0)
                return -1;
        int r = qmp_send(qd->qmp, "block_set_io_throttle", qemu_iotune_args(&d->live->priv->devices.disks[index], alias, t), qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "block_set_io_throttle");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* What this driver carries out: a guest's reboot as a reboot (QEMU resets it) or as a power
 * off (QEMU stops, as with -no-reboot: the daemon destroys it), told to QEMU with set-action;
 * power off and crash end the guest (destroy) and nothing else yet. */
static int qemu_set_lifecycle_action(Domain *d, const char *type, const char *action, Call *call, VbError *err) {
        bool reboot = strcmp(type, "reboot") == 0;
        if (strcmp(action, "destroy") != 0 && !(reboot && strcmp(action, "restart") == 0))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "action '%s' for lifecycle event '%s' is not supported by this QEMU driver", action,
                                    type);
        if (!reboot)
                return 0;       /* the daemon ends a guest that powered off or crashed: nothing to tell QEMU */
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        json_object *args = json_object_new_object();
        const char *what = strcmp(action, "restart") == 0 ? "reset" : "shutdown";
        json_object_object_add(args, "reboot", json_object_new_string(what));
        int r = qmp_send(qd->qmp, "set-action", args, qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "set-action");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

typedef struct DiskErrorsQuery {
        QemuDomain *qd;
        Domain *d;              /* a reference */
        Call *call;             /* a reference */
        unsigned max;
} DiskErrorsQuery;

/* query-block's qdev: the device id itself, or "/machine/peripheral/<id>/virtio-backend". */
static void qdev_id(const char *qdev, char *out, size_t len) {
        const char *p = strncmp(qdev, "/machine/peripheral/", 20) == 0 ? qdev + 20 : qdev;
        size_t n = strcspn(p, "/");
        snprintf(out, len, "%.*s", (int) (n < len ? n : len - 1), p);
}

/* Each disk whose io-status is not "ok": "nospace" is libvirt's no-space error, any other
 * ("failed") an unspecified one. Devices without an io-status (no error policy) have none. */
static void on_query_block(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        DiskErrorsQuery *dq = userdata;
        VbError e = { 0 };
        DomainDiskErrors *de = calloc(1, sizeof *de);
        if (cls || !de) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "query-block: %s",
                             desc ? desc : cls ? cls : "out of memory");
                call_complete(dq->call, -1, &e, NULL);
        } else {
                size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
                const DomainDef *live = dq->d->live;
                for (size_t i = 0; i < n && (unsigned) de->n < dq->max && live; i++) {
                        json_object *b = json_object_array_get_idx(ret, i), *v;
                        const char *status = NULL, *qdev = NULL;
                        if (json_object_object_get_ex(b, "io-status", &v))
                                status = json_object_get_string(v);
                        if (json_object_object_get_ex(b, "qdev", &v))
                                qdev = json_object_get_string(v);
                        if (!status || !qdev || strcmp(status, "ok") == 0)
                                continue;
                        char id[64];
                        qdev_id(qdev, id, sizeof id);
                        long k = qemu_disk_by_alias(live, id);
                        if (k < 0 || !live->priv->devices.disks[k].target_dev)
                                continue;
                        DomainDiskError *x = &de->e[de->n++];
                        snprintf(x->disk, sizeof x->disk, "%s", live->priv->devices.disks[k].target_dev);
                        x->error = strcmp(status, "nospace") == 0 ? 2 : 1;
                }
                call_complete(dq->call, 0, NULL, de);
        }
        free(de);
        call_unref(dq->call);
        domain_unref(dq->d);
        free(dq);
}

static int qemu_disk_errors(Domain *d, unsigned max, Call *call, DomainDiskErrors *out, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        DiskErrorsQuery *dq = calloc(1, sizeof *dq);
        if (!dq)
                return vb_error_errno(err, -ENOMEM, "query-block");
        *dq = (DiskErrorsQuery) { .qd = qd, .d = domain_ref(d), .call = call_ref(call), .max = max };
        int r = qmp_send(qd->qmp, "query-block", NULL, on_query_block, dq);
        if (r < 0) {
                call_unref(dq->call);
                domain_unref(dq->d);
                free(dq);
                return vb_error_errno(err, r, "query-block");
        }
        return VERB_PENDING;
}

static int qemu_job_stats(Domain *d, DomainJobStats *out, VbError *err) {
        const QemuDomain *qd = d->driver_data;
        if (d->backup)
                return qemu_backup_job_stats(d, out);
        return qd ? qemu_save_job_stats(qd, out) : 0;
}

static int qemu_abort_job(Domain *d, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (d->backup)
                return qemu_backup_abort(d, err);
        if (!qd || !qd->save)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "no job is active on the domain");
        return qemu_save_abort(qd, err);
}

static int qemu_start_dirty_rate_calc(Domain *d, int seconds, const char *mode, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        json_object *args = json_object_new_object();
        json_object_object_add(args, "calc-time", json_object_new_int64(seconds));
        json_object_object_add(args, "mode", json_object_new_string(mode));
        int r = qmp_send(qd->qmp, "calc-dirty-rate", args, qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "calc-dirty-rate");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

const DomainTuneOps qemu_tune_ops = {
        .start_dirty_rate_calc = qemu_start_dirty_rate_calc,
        .job_stats = qemu_job_stats,
        .abort_job = qemu_abort_job,
        .disk_errors = qemu_disk_errors,
        .set_lifecycle_action = qemu_set_lifecycle_action,
        .block_resize = qemu_block_resize,
        .cpu_stats_percpu = qemu_cpu_stats_percpu,
        .cpu_stats_total = qemu_cpu_stats_total,
        .set_memory_stats_period = qemu_set_memory_stats_period,
        .set_block_io_tune = qemu_set_block_io_tune,
        .add_iothread = qemu_add_iothread,
        .del_iothread = qemu_del_iothread,
        .set_iothread_params = qemu_set_iothread_params,
        .pin_iothread = qemu_pin_iothread,
        .set_block_threshold = qemu_set_block_threshold,
        .set_perf_events = qemu_set_perf_events,
        .read_perf_events = qemu_read_perf_events,
        .set_interface_bandwidth = qemu_set_interface_bandwidth,
        .launch_security_string_okay = true,
};
