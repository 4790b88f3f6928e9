/* qemu-tune.c: virDomainGetCPUStats from the guest's cgroup (cpuacct.usage_percpu of the guest and of each vCPU's group) and virDomainSetMemoryStatsPeriod through QMP qom-set on the balloon; block I/O counters come from the stats' query-blockstats (qemu-stats.c). */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "domain-tune-stats.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-driver.h"

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

static void on_stats_period_set(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "unable to change balloon collection period: %s",
                             desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
        } else {
                qemu_domain_finish(qd, 0, NULL);
        }
}

static int qemu_set_memory_stats_period(Domain *d, int period, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "path", json_object_new_string("/machine/peripheral/balloon0"));
        json_object_object_add(args, "property", json_object_new_string("guest-stats-polling-interval"));
        json_object_object_add(args, "value", json_object_new_int64(period));
        int r = qmp_send(qd->qmp, "qom-set", args, on_stats_period_set, qd);
        if (r < 0)
                return vb_error_errno(err, r, "qom-set");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

static void on_block_resize(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "block_resize failed: %s", desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
        } else {
                qemu_domain_finish(qd, 0, NULL);
        }
}

/* block_resize on the disk's format node ("drive-<alias>", qemu-command-disk.c). */
static int qemu_block_resize(Domain *d, size_t index, uint64_t bytes, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        char alias[64];
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
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
        int r = qmp_send(qd->qmp, "block_resize", args, on_block_resize, qd);
        if (r < 0)
                return vb_error_errno(err, r, "block_resize");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

const DomainTuneOps qemu_tune_ops = {
        .block_resize = qemu_block_resize,
        .cpu_stats_percpu = qemu_cpu_stats_percpu,
        .cpu_stats_total = qemu_cpu_stats_total,
        .set_memory_stats_period = qemu_set_memory_stats_period,
};
