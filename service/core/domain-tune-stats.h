/* domain-tune-stats.h: statistics and small live settings of a running guest that have no home elsewhere: block I/O counters (virDomainBlockStats / BlockStatsFlags), CPU time per host CPU (virDomainGetCPUStats), the monitor's state (virDomainGetControlInfo), disk errors (virDomainGetDiskErrors) and the balloon's statistics period (virDomainSetMemoryStatsPeriod); the driver's DomainTuneOps (domain-tune-ops.h) answers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "domain-tune-ops.h"
#include "error.h"

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
