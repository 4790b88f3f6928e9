/* domain-tune-stats.c: virDomainBlockStats(Flags), GetCPUStats, GetControlInfo, GetDiskErrors: libvirt's checks, then the driver's DomainTuneOps (or, for block I/O, the block group of the driver's stats). */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-model.h"
#include "domain.h"
#include "driver.h"

static const DomainTuneOps *tune_ops(const Domain *d) {
        static const DomainTuneOps none;
        return d->obj.conn->driver->tune ? d->obj.conn->driver->tune : &none;
}

static int unsupported(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", row ? row->name : "virDomain");
}

static int need_running(const Domain *d, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (domain_is_active(d))
                return 0;
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
}

/* The disk of the running definition named by its target or its source. */
static const DomainDisk *disk_by_path(const Domain *d, const char *path) {
        const DomainDef *def = domain_current_def(d);
        const DomainDevices *dev = def && def->priv ? &def->priv->devices : NULL;
        for (size_t i = 0; dev && i < dev->n_disks; i++) {
                const DomainDisk *k = &dev->disks[i];
                if ((k->target_dev && strcmp(k->target_dev, path) == 0) ||
                    (k->source_file && strcmp(k->source_file, path) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, path) == 0))
                        return k;
        }
        return NULL;
}

typedef struct BlockRequest {
        Call *outer;
        char *target;           /* NULL: every disk, summed */
} BlockRequest;

/* The counters of target (NULL: all summed) out of the block group; -1 when QEMU had none. */
static int block_from_stats(const DomainStats *st, const char *target, DomainBlockIo *out, VbError *err) {
        *out = (DomainBlockIo) { .errs = -1, .has_ext = true };
        bool found = false;
        for (size_t i = 0; i < st->n_blocks; i++) {
                const DomainBlockStat *b = &st->blocks[i];
                if (!b->has_io || (target && (!b->name || strcmp(b->name, target) != 0)))
                        continue;
                found = true;
                out->rd_req += (int64_t) b->rd_reqs;
                out->rd_bytes += (int64_t) b->rd_bytes;
                out->wr_req += (int64_t) b->wr_reqs;
                out->wr_bytes += (int64_t) b->wr_bytes;
                out->fl_req += (int64_t) b->fl_reqs;
                out->rd_times += (int64_t) b->rd_times;
                out->wr_times += (int64_t) b->wr_times;
                out->fl_times += (int64_t) b->fl_times;
        }
        if (!found && target)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "cannot find statistics for device '%s'",
                                    target);
        return 0;
}

static void block_done(Call *inner, int r, const VbError *err, void *result) {
        BlockRequest *q = inner->userdata;
        VbError e = { 0 };
        DomainBlockIo io;
        if (r < 0 || !result)
                call_complete(q->outer, -1, err, NULL);
        else if (block_from_stats(result, q->target, &io, &e) < 0)
                call_complete(q->outer, -1, &e, NULL);
        else
                call_complete(q->outer, 0, NULL, &io);
        call_unref(q->outer);
        free(q->target);
        free(q);
}

int domain_block_stats_call(Domain *d, ApiId api, const char *path, unsigned flags, Call *call, DomainBlockIo *out,
                            VbError *err) {
        const ApiRow *row = api_row(api);
        const DomainOps *ops = d->obj.conn->driver->domain;
        bool legacy = tune_ops(d)->block_stats != NULL;
        /* a driver with only the five counters has no virDomainBlockStatsFlags (libvirt's test driver) */
        if ((legacy && api == API_DOMAIN_BLOCK_STATS_FLAGS) || (!legacy && (!ops || !ops->get_stats)))
                return unsupported(api, err);
        if (vb_check_flags(flags, 0, row ? row->name : "virDomainBlockStatsFlags", err) < 0)
                return -1;
        if (legacy && !path[0])
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "summary statistics are not supported yet");
        if (need_running(d, err) < 0)
                return -1;
        const DomainDisk *disk = NULL;
        if (path[0]) {
                disk = disk_by_path(d, path);
                if (!disk)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid path: %s", path);
        }
        if (legacy) {
                *out = (DomainBlockIo) { 0 };
                return tune_ops(d)->block_stats(d, disk, out, err);
        }
        BlockRequest *q = calloc(1, sizeof *q);
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, block_done, q) : NULL;
        if (!inner || (disk && disk->target_dev && !(q->target = strdup(disk->target_dev)))) {
                call_unref(inner);
                free(q);
                return vb_error_errno(err, -ENOMEM, "block stats");
        }
        q->outer = call_ref(call);
        DomainStats *st = NULL;
        int r = domain_get_stats(d, DOMAIN_STATS_BLOCK, 0, inner, &st, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        if (r == 0) {
                r = block_from_stats(st, q->target, out, err);
                domain_stats_free(st);
        }
        call_unref(q->outer);
        free(q->target);
        free(q);
        inner->userdata = NULL;
        call_unref(inner);
        return r < 0 ? -1 : 0;
}

int domain_cpu_stats(Domain *d, int start_cpu, unsigned ncpus, unsigned nparams, DomainCpuStat *out, unsigned flags,
                     VbError *err) {
        const DomainTuneOps *t = tune_ops(d);
        if (!t->cpu_stats_percpu || !t->cpu_stats_total)
                return unsupported(API_DOMAIN_GET_CPU_STATS, err);
        if (vb_check_flags(flags, 0, "virDomainGetCPUStats", err) < 0 || need_running(d, err) < 0)
                return -1;
        if (start_cpu < -1 || (start_cpu == -1 && ncpus != 1))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "ncpus in virDomainGetCPUStats must be 1 when start_cpu is -1");
        if (ncpus > DOMAIN_CPU_STATS_NCPUS_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "ncpus must be at most %d",
                                    DOMAIN_CPU_STATS_NCPUS_MAX);
        if (start_cpu == -1) {
                if (nparams == 0)
                        return DOMAIN_CPU_STATS_TOTAL;
                static const char *const names[DOMAIN_CPU_STATS_TOTAL] = { "cpu_time", "user_time", "system_time" };
                uint64_t v[DOMAIN_CPU_STATS_TOTAL];
                if (t->cpu_stats_total(d, v, err) < 0)
                        return -1;
                unsigned n = nparams < DOMAIN_CPU_STATS_TOTAL ? nparams : DOMAIN_CPU_STATS_TOTAL;
                for (unsigned i = 0; i < n; i++)
                        out[i] = (DomainCpuStat) { .name = names[i], .ns = v[i] };
                return (int) n;
        }
        if (nparams == 0 && ncpus > 0)
                return DOMAIN_CPU_STATS_PERCPU;
        uint64_t *cpu = NULL, *vcpu = NULL;
        int total = t->cpu_stats_percpu(d, &cpu, &vcpu, err);
        if (total < 0)
                return -1;
        int r;
        if (nparams == 0) {
                r = total;
        } else if (start_cpu >= total) {
                r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "start_cpu %d larger than maximum of %d",
                                 start_cpu, total - 1);
        } else {
                unsigned per = nparams < DOMAIN_CPU_STATS_PERCPU ? nparams : DOMAIN_CPU_STATS_PERCPU;
                for (unsigned c = 0; c < ncpus; c++) {
                        int cpu_id = start_cpu + (int) c;
                        for (unsigned k = 0; k < nparams; k++)
                                out[c * nparams + k] = (DomainCpuStat) { 0 };
                        if (cpu_id >= total)
                                continue;
                        out[c * nparams] = (DomainCpuStat) { .name = "cpu_time", .ns = cpu[cpu_id] };
                        if (per > 1)
                                out[c * nparams + 1] = (DomainCpuStat) { .name = "vcpu_time", .ns = vcpu[cpu_id] };
                }
                r = (int) per;
        }
        free(cpu);
        free(vcpu);
        return r;
}

int domain_control_info(Domain *d, unsigned flags, unsigned *state, unsigned *details, uint64_t *state_time,
                        VbError *err) {
        if (vb_check_flags(flags, 0, "virDomainGetControlInfo", err) < 0 || need_running(d, err) < 0)
                return -1;
        /* a save is libvirt's asynchronous job (VIR_DOMAIN_CONTROL_JOB); the modify jobs here
         * never keep the monitor busy between replies, so the monitor is free otherwise */
        *state = d->job == DOMAIN_JOB_SAVE ? 1 : 0;
        *details = 0;
        *state_time = 0;
        return 0;
}

int domain_disk_errors(Domain *d, unsigned max, unsigned flags, Call *call, DomainDiskErrors *out, VbError *err) {
        if (!tune_ops(d)->disk_errors)
                return unsupported(API_DOMAIN_GET_DISK_ERRORS, err);
        if (vb_check_flags(flags, 0, "virDomainGetDiskErrors", err) < 0 || need_running(d, err) < 0)
                return -1;
        out->n = 0;
        if (max == 0) {
                const DomainDef *def = domain_current_def(d);
                out->n = def && def->priv ? (int) def->priv->devices.n_disks : 0;
                return 0;
        }
        if (max > DOMAIN_DISK_ERRORS_MAX)
                max = DOMAIN_DISK_ERRORS_MAX;
        return tune_ops(d)->disk_errors(d, max, call, out, err);
}

int domain_job_stats(Domain *d, unsigned flags, DomainJobStats *out, VbError *err) {
        if (!tune_ops(d)->job_stats)
                return unsupported(API_DOMAIN_GET_JOB_STATS, err);
        /* no completed job is kept (VIR_DOMAIN_JOB_STATS_COMPLETED): refused by name, not answered "none" */
        if (vb_check_flags(flags, 0, "virDomainGetJobStats", err) < 0)
                return -1;
        *out = (DomainJobStats) { 0 };
        if (need_running(d, err) < 0)           /* as virDomainGetJobInfo (domain-info.c) */
                return -1;
        return tune_ops(d)->job_stats(d, out, err);
}

int domain_abort_job(Domain *d, ApiId api, unsigned flags, VbError *err) {
        if (!tune_ops(d)->abort_job)
                return unsupported(api, err);
        if (vb_check_flags(flags, 0, api == API_DOMAIN_ABORT_JOB ? "virDomainAbortJob" : "virDomainAbortJobFlags", err) < 0 ||
            need_running(d, err) < 0)
                return -1;
        return tune_ops(d)->abort_job(d, err);
}

int domain_get_launch_security_info(Domain *d, unsigned flags, VbError *err) {
        const DomainTuneOps *t = d->obj.conn->driver->tune;
        unsigned allowed = t && t->launch_security_string_okay ? 1u << 2 : 0;  /* VIR_TYPED_PARAM_STRING_OKAY */
        if (flags & ~allowed)   /* the driver's refusal (libvirt's test driver: VIR_FROM_TEST) */
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, (VbErrorFrom) connection_error_origin(d->obj.conn),
                                    "unsupported flags (0x%x) in function virDomainGetLaunchSecurityInfo", flags & ~allowed);
        return 0;
}
