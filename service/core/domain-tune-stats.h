/* domain-tune-stats.h: statistics and small live settings of a running guest that have no home elsewhere: block I/O counters (virDomainBlockStats / BlockStatsFlags), CPU time per host CPU (virDomainGetCPUStats), the monitor's state (virDomainGetControlInfo), disk errors (virDomainGetDiskErrors) and the balloon's statistics period (virDomainSetMemoryStatsPeriod); the driver's DomainTuneOps answers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "error.h"

typedef struct Domain Domain;
typedef struct DomainDisk DomainDisk;
typedef struct Call Call;
typedef struct DomainTuneParam DomainTuneParam;
typedef struct DomainDiskIotune DomainDiskIotune;
typedef struct DomainIothreadParams DomainIothreadParams;
typedef struct DomainBandwidthRate DomainBandwidthRate;

/* One disk's (or, for the path "", every disk's summed) I/O counters. has_ext: the eight of
 * virDomainBlockStatsFlags are known (QEMU's query-blockstats); errs -1: unknown. */
typedef struct DomainBlockIo {
        int64_t rd_req, rd_bytes, wr_req, wr_bytes, errs;
        bool has_ext;
        int64_t fl_req, rd_times, wr_times, fl_times;
} DomainBlockIo;

/* virDomainGetCPUStats: per host CPU cpu_time and vcpu_time, total cpu_time/user_time/system_time, ns. */
#define DOMAIN_CPU_STATS_PERCPU 2
#define DOMAIN_CPU_STATS_TOTAL 3
#define DOMAIN_CPU_STATS_NCPUS_MAX 128        /* REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX */
typedef struct DomainCpuStat {
        const char *name;       /* NULL: an empty slot (a CPU past the last) */
        uint64_t ns;
} DomainCpuStat;

/* virDomainDiskError; a virDomainGetDiskErrors answer */
#define DOMAIN_DISK_ERRORS_MAX 256      /* REMOTE_DOMAIN_DISK_ERRORS_MAX */
typedef struct DomainDiskError {
        char disk[64];          /* the target ("vda") */
        int error;              /* virDomainDiskErrorCode: 0 none, 1 unspecified, 2 no space */
} DomainDiskError;
typedef struct DomainDiskErrors {
        int n;
        DomainDiskError e[DOMAIN_DISK_ERRORS_MAX];
} DomainDiskErrors;

/* virDomainGetJobStats: the job's type (virDomainJobType: 0 none, 2 unbounded) and its
 * parameters (ullong, but "operation": int virDomainJobOperation). */
#define DOMAIN_JOB_STATS_MAX 16
typedef struct DomainJobStats {
        int type;
        int n;
        struct {
                const char *name;
                bool is_int;
                uint64_t v;
        } p[DOMAIN_JOB_STATS_MAX];
} DomainJobStats;

/* A driver's answers (driver.h: Driver.tune). The core has checked that the domain runs and
 * found the disk. A NULL op: libvirt's "not supported" unless the core says otherwise. */
typedef struct DomainTuneOps {
        /* One disk's counters at once (Test, as libvirt's test driver, which has no
         * virDomainBlockStatsFlags). NULL: the core reads the block group of the driver's
         * stats (QEMU: query-blockstats), which serves both calls and the summary path "". */
        int (*block_stats)(Domain *d, const DomainDisk *disk, DomainBlockIo *out, VbError *err);
        /* Time on each host CPU: *cpu and *vcpu (malloc'ed, the vCPU threads' part) for every
         * host CPU; their count, or -1. */
        int (*cpu_stats_percpu)(Domain *d, uint64_t **cpu, uint64_t **vcpu, VbError *err);
        /* cpu_time, user_time, system_time. */
        int (*cpu_stats_total)(Domain *d, uint64_t out[DOMAIN_CPU_STATS_TOTAL], VbError *err);
        /* Up to max (1 … DOMAIN_DISK_ERRORS_MAX) disks' errors: 0 with out filled, or
         * VERB_PENDING: call completes with a DomainDiskErrors (borrowed) as its result. */
        int (*disk_errors)(Domain *d, unsigned max, Call *call, DomainDiskErrors *out, VbError *err);
        /* The balloon's statistics period of a running guest to period seconds (0: off); the
         * core then keeps <stats period> in d->live. May answer VERB_PENDING (the core holds a
         * modify job, which the op ends through its call's completion). NULL: only the
         * definitions change (Test, as libvirt's test driver). */
        int (*set_memory_stats_period)(Domain *d, int period, Call *call, VbError *err);
        /* Disk index of d->live to bytes (the core holds a modify job, ended through call's
         * completion when the op answers VERB_PENDING). NULL: "not supported" (Test). */
        int (*block_resize)(Domain *d, size_t index, uint64_t bytes, Call *call, VbError *err);
        /* A running guest's <on_TYPE> (type "poweroff", "reboot", "crash") to action: the op tells
         * the hypervisor (may answer VERB_PENDING, as set_memory_stats_period), or refuses an
         * action it cannot carry out; the core then keeps it in d->live. NULL: the definition
         * alone changes (Test, as libvirt's test driver). */
        int (*set_lifecycle_action)(Domain *d, const char *type, const char *action, Call *call, VbError *err);
        /* Start measuring the guest's dirty page rate for seconds in mode ("page-sampling",
         * "dirty-bitmap", "dirty-ring"); may answer VERB_PENDING as block_resize. */
        int (*start_dirty_rate_calc)(Domain *d, int seconds, const char *mode, Call *call, VbError *err);
        /* The running guest's background job (a save): type 0 when none. */
        int (*job_stats)(Domain *d, DomainJobStats *out, VbError *err);
        /* Cancel that job; the verb that started it then fails with VB_ERR_OPERATION_ABORTED.
         * No job: libvirt's "no job is active on the domain". */
        int (*abort_job)(Domain *d, VbError *err);
        /* Disk index of d->live to the I/O limits t (the whole set, 0 = none); may answer
         * VERB_PENDING as block_resize. NULL: virDomainSet/GetBlockIoTune "not supported". */
        int (*set_block_io_tune)(Domain *d, size_t index, const DomainDiskIotune *t, Call *call, VbError *err);
        /* IOThreads of the running guest (domain-iothread.c has checked the id against d->live and
         * records the change once the op succeeded): start IOThread id, end it, set its polling
         * values (may answer VERB_PENDING as block_resize); pin it to map/cpuset (at once).
         * NULL: "not supported". */
        int (*add_iothread)(Domain *d, unsigned id, Call *call, VbError *err);
        int (*del_iothread)(Domain *d, unsigned id, Call *call, VbError *err);
        int (*set_iothread_params)(Domain *d, unsigned id, const DomainIothreadParams *p, Call *call, VbError *err);
        int (*pin_iothread)(Domain *d, unsigned id, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
        /* Disk index of d->live's write threshold to threshold bytes (0: none); may answer
         * VERB_PENDING as block_resize. A write past it: domain_notify_block_threshold(). NULL:
         * "not supported". */
        int (*set_block_threshold)(Domain *d, size_t index, uint64_t threshold, Call *call, VbError *err);
        /* virDomainSetPerfEvents on the running guest (domain-perf.c): on[i] for each of the
         * DOMAIN_PERF_NEVENTS events, in domain-model.h's order; the op opens the counters to
         * open and closes those to close, all or nothing (a refusal closes what it opened and
         * names the event). NULL: the definitions alone change (Test, as libvirt's test driver). */
        int (*set_perf_events)(Domain *d, const bool *on, VbError *err);
        /* The open counters' values: bit i of *open for event i, counts[i] (DOMAIN_PERF_NEVENTS
         * of them) its count. */
        void (*read_perf_events)(Domain *d, uint32_t *open, uint64_t *counts);
        /* NIC index of d->live to the bandwidth in/out (the whole set; .set false: none), on
         * the host (QEMU: its tap's qdiscs); may answer VERB_PENDING as block_resize. The core
         * then keeps it in d->live (domain-iftune.c). NULL: "not supported". */
        int (*set_interface_bandwidth)(Domain *d, size_t index, const DomainBandwidthRate *in,
                                       const DomainBandwidthRate *out, Call *call, VbError *err);
        /* virDomainSetInterfaceParameters changes one definition per call (libvirt's test driver
         * refuses LIVE with CONFIG as mutually exclusive). */
        bool interface_bandwidth_one_def;
        /* virDomainGetLaunchSecurityInfo takes VIR_TYPED_PARAM_STRING_OKAY (libvirt's QEMU driver;
         * its test driver takes no flag). */
        bool launch_security_string_okay;
} DomainTuneOps;

/* virDomainBlockStats (api API_DOMAIN_BLOCK_STATS) or BlockStatsFlags (API_DOMAIN_BLOCK_STATS_FLAGS,
 * flags: none): 0 with out filled, or VERB_PENDING: call completes with a DomainBlockIo
 * (borrowed) as its result; -1 with err. path: a disk's target or source, or "" for all disks. */
int domain_block_stats_call(Domain *d, ApiId api, const char *path, unsigned flags, Call *call, DomainBlockIo *out,
                            VbError *err);
/* virDomainGetCPUStats. nparams 0 asks a count: the host CPUs (start_cpu 0, ncpus 0), the
 * parameters per CPU (ncpus > 0) or of the total (start_cpu -1). Else out holds ncpus * nparams
 * slots; returns the parameters filled per CPU, or -1. */
int domain_cpu_stats(Domain *d, int start_cpu, unsigned ncpus, unsigned nparams, DomainCpuStat *out, unsigned flags,
                     VbError *err);
/* virDomainGetControlInfo: state (virDomainControlState), details, stateTime (ms). */
int domain_control_info(Domain *d, unsigned flags, unsigned *state, unsigned *details, uint64_t *state_time,
                        VbError *err);
/* virDomainGetDiskErrors: max 0 asks how many there can be (out->n, no entries, never pending);
 * else up to max entries: 0 with out filled, or VERB_PENDING as the op's; -1 with err. */
int domain_disk_errors(Domain *d, unsigned max, unsigned flags, Call *call, DomainDiskErrors *out, VbError *err);
/* virDomainSetMemoryStatsPeriod (flags DOMAIN_AFFECT_*): 0, VERB_PENDING (call completes), or -1. */
int domain_set_memory_stats_period(Domain *d, int period, unsigned flags, Call *call, VbError *err);
/* domain-blockjob.c: virDomainBlockResize (flags: DOMAIN_BLOCK_RESIZE_BYTES, else size in KiB):
 * 0, VERB_PENDING (call completes), or -1. */
#define DOMAIN_BLOCK_RESIZE_BYTES 1u
int domain_block_resize(Domain *d, const char *path, uint64_t size, unsigned flags, Call *call, VbError *err);
/* domain-tune-lifecycle.c: virDomainSetLifecycleAction: type (virDomainLifecycle: 0 poweroff,
 * 1 reboot, 2 crash), action (virDomainLifecycleAction: 0 destroy … 5 coredump-restart), flags
 * DOMAIN_AFFECT_*. 0, VERB_PENDING (call completes) or -1. */
#define DOMAIN_LIFECYCLE_TYPES 3
#define DOMAIN_LIFECYCLE_ACTIONS 6
int domain_set_lifecycle_action(Domain *d, unsigned type, unsigned action, unsigned flags, Call *call, VbError *err);

/* domain-tune-later.c, for the verbs above: with the domain's modify job held, live(d, a, b,
 * inner call) changes the running guest (0 now, VERB_PENDING: the driver ends the job and
 * completes the inner call); once it has succeeded, record(d, a, b, config) keeps the setting in
 * d->live and, with config, in the persistent definition, and call completes. 0, VERB_PENDING
 * or -1; the job is ended in every case. */
typedef int (*TuneLiveFn)(Domain *d, int a, int b, Call *inner, VbError *err);
typedef int (*TuneRecordFn)(Domain *d, int a, int b, bool config, VbError *err);
int domain_tune_live(Domain *d, TuneLiveFn live, TuneRecordFn record, int a, int b, bool config, Call *call,
                     VbError *err);
/* The same with the change described by data (owned: data_free'd once done, whatever the outcome). */
typedef int (*TuneLiveDataFn)(Domain *d, void *data, Call *inner, VbError *err);
typedef int (*TuneRecordDataFn)(Domain *d, void *data, bool config, VbError *err);
int domain_tune_live_data(Domain *d, TuneLiveDataFn live, TuneRecordDataFn record, void *data,
                          void (*data_free)(void *), bool config, Call *call, VbError *err);

/* domain-tune-stats.c: virDomainGetJobStats (flags: none) and virDomainAbortJob(Flags) (api
 * API_DOMAIN_ABORT_JOB or _FLAGS; flags: none). 0 or -1. */
int domain_job_stats(Domain *d, unsigned flags, DomainJobStats *out, VbError *err);
int domain_abort_job(Domain *d, ApiId api, unsigned flags, VbError *err);
/* domain-tune-dirtyrate.c: virDomainStartDirtyRateCalc (seconds 1-60; flags: the mode,
 * page sampling when none). 0, VERB_PENDING (call completes) or -1. */
#define DOMAIN_DIRTYRATE_BITMAP (1u << 0)
#define DOMAIN_DIRTYRATE_RING (1u << 1)
int domain_start_dirty_rate_calc(Domain *d, int seconds, unsigned flags, Call *call, VbError *err);

/* domain-iotune.c: virDomainGetBlockIoTune (fills out: the 19 values in libvirt's order with
 * group_name, a string, only when flags has VIR_TYPED_PARAM_STRING_OKAY; returns their count; out NULL: only the count, disk unused)
 * and virDomainSetBlockIoTune (may answer VERB_PENDING; call completes once the driver has). */
#define DOMAIN_IOTUNE_NPARAMS 20
int domain_get_block_io_tune(Domain *d, const char *disk, unsigned flags, DomainTuneParam *out, VbError *err);
int domain_set_block_io_tune(Domain *d, const char *disk, const DomainTuneParam *params, size_t n, unsigned flags,
                             Call *call, VbError *err);

/* virDomainGetLaunchSecurityInfo: no guest runs with launch security (AMD SEV), so there is
 * never a parameter: 0, as libvirt's drivers answer for such a guest, or -1 (flags). */
int domain_get_launch_security_info(Domain *d, unsigned flags, VbError *err);
