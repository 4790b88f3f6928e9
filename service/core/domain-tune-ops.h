/* domain-tune-ops.h: the driver's DomainTuneOps (driver.h: Driver.tune) and the records its ops fill: block I/O counters, CPU time per host CPU, disk errors, job statistics. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
