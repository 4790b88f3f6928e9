/* domain.h: the Domain object, its core verbs and its one transition function. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api-types.h"
#include "call.h"
#include "domain-conf.h"
#include "domain-state.h"
#include "error.h"
#include "manager.h"
#include "stream.h"

/* A job is one mutating verb in flight. One at a time per domain. */
typedef enum DomainJob {
        DOMAIN_JOB_NONE,
        DOMAIN_JOB_START,
        DOMAIN_JOB_SHUTDOWN,
        DOMAIN_JOB_REBOOT,
        DOMAIN_JOB_RESET,
        DOMAIN_JOB_SUSPEND,
        DOMAIN_JOB_RESUME,
        DOMAIN_JOB_DESTROY,
        DOMAIN_JOB_MODIFY,
        DOMAIN_JOB_SAVE,
        DOMAIN_JOB_DUMP,
} DomainJob;

typedef struct Domain {
        Object obj;             /* first: uuid, name, id */
        DomainDef *def;         /* the persistent configuration; NULL when transient */
        DomainDef *live;        /* the running configuration; NULL when shut off */
        bool persistent, autostart;
        bool updated;           /* the configuration changed since the running one was made */
        DomainState state;
        int reason;
        DomainJob job;
        unsigned n_ref;         /* the registry holds one; a verb in flight holds one */
        bool removed;           /* out of the registry, freed at the last unref */
        void *driver_data;
        struct SnapshotTree *snapshots;  /* snapshot.h; NULL until first used */
        struct CheckpointTree *checkpoints;  /* checkpoint.h; NULL until first used */
        struct BackupDef *backup;       /* backup.h: the running backup job, or NULL */
} Domain;

/* libvirt's virDomainInfo */
typedef struct DomainInfo {
        int state;
        uint64_t max_mem_kib, memory_kib;
        unsigned vcpus;
        uint64_t cpu_time_ns;
} DomainInfo;

/* Flags, libvirt's values. */
enum {
        DOMAIN_DEFINE_VALIDATE = 1u << 0,        /* VIR_DOMAIN_DEFINE_VALIDATE */
        DOMAIN_START_PAUSED = 1u << 0,           /* VIR_DOMAIN_START_PAUSED */
        DOMAIN_START_AUTODESTROY = 1u << 1,
        DOMAIN_START_VALIDATE = 1u << 4,
        DOMAIN_AFFECT_LIVE = 1u << 0,
        DOMAIN_AFFECT_CONFIG = 1u << 1,
        DOMAIN_MEM_MAXIMUM = 1u << 2,            /* VIR_DOMAIN_MEM_MAXIMUM */
};

/* virDomainListGetStats groups virtbus answers (libvirt's VIR_DOMAIN_STATS_* values). */
enum {
        DOMAIN_STATS_STATE = 1u << 0,
        DOMAIN_STATS_CPU_TOTAL = 1u << 1,
        DOMAIN_STATS_BALLOON = 1u << 2,
        DOMAIN_STATS_VCPU = 1u << 3,
        DOMAIN_STATS_INTERFACE = 1u << 4,
        DOMAIN_STATS_BLOCK = 1u << 5,
        DOMAIN_STATS_PERF = 1u << 6,    /* answered; empty while no perf event is enabled, as libvirt's */
        DOMAIN_STATS_DIRTYRATE = 1u << 9,
};

typedef struct DomainVcpuStat {
        int state;              /* virVcpuState: 0 offline, 1 running */
        uint64_t time_ns;       /* 0 with has_time false: unknown */
        bool has_time;
        bool has_sched;         /* wait (sched's wait_sum) and delay (schedstat's run delay) known */
        uint64_t wait_ns, delay_ns;
} DomainVcpuStat;

typedef struct DomainBlockStat {
        char *name, *path;      /* target dev, source file (path may be NULL) */
        bool has_sizes;
        uint64_t capacity, allocation, physical;
        unsigned backing_index; /* the running image's index in its chain (0: none known) */
        bool has_io;            /* the hypervisor's counters (query-blockstats) */
        uint64_t rd_reqs, rd_bytes, rd_times, wr_reqs, wr_bytes, wr_times, fl_reqs, fl_times;
} DomainBlockStat;

/* One guest NIC's counters, as the guest sees them (a tap's rx is the guest's tx). */
typedef struct DomainNetStat {
        char *name;             /* the host-side device (tap) */
        bool has_counters;
        uint64_t rx_bytes, rx_pkts, rx_errs, rx_drop, tx_bytes, tx_pkts, tx_errs, tx_drop;
} DomainNetStat;

/* virDomainMemoryStatTags: the tags of DomainBalloonStat and of virDomainMemoryStats
 * (domain-info.h). */
enum {
        DOMAIN_MEMSTAT_SWAP_IN, DOMAIN_MEMSTAT_SWAP_OUT, DOMAIN_MEMSTAT_MAJOR_FAULT, DOMAIN_MEMSTAT_MINOR_FAULT,
        DOMAIN_MEMSTAT_UNUSED, DOMAIN_MEMSTAT_AVAILABLE, DOMAIN_MEMSTAT_ACTUAL_BALLOON, DOMAIN_MEMSTAT_RSS,
        DOMAIN_MEMSTAT_USABLE, DOMAIN_MEMSTAT_LAST_UPDATE, DOMAIN_MEMSTAT_DISK_CACHES,
        DOMAIN_MEMSTAT_HUGETLB_PGALLOC, DOMAIN_MEMSTAT_HUGETLB_PGFAIL,
        DOMAIN_MEMSTAT_NR,
};

/* balloon.* beyond current/maximum: libvirt's virDomainMemoryStatTags (above), KiB or counts,
 * in the order they were found. */
typedef struct DomainBalloonStat {
        int tag;
        uint64_t val;
} DomainBalloonStat;
#define DOMAIN_BALLOON_STATS_MAX 16

/* One domain's record of virDomainListGetStats, as plain values (the doors encode it). */
#define VB_TUNE_FIELD_MAX 80     /* VIR_TYPED_PARAM_FIELD_LENGTH */

typedef struct DomainStats {
        unsigned groups;        /* the DOMAIN_STATS_* present */
        int state, reason;
        uint64_t balloon_current_kib, balloon_maximum_kib;
        unsigned vcpu_current, vcpu_maximum;
        DomainVcpuStat *vcpus;  size_t n_vcpus;    /* running domains only */
        DomainBlockStat *blocks; size_t n_blocks;
        bool has_cpu;           /* cpu.time/user/system (ns) known: the driver filled them */
        uint64_t cpu_time_ns, cpu_user_ns, cpu_system_ns;
        uint64_t haltpoll_success_ns, haltpoll_fail_ns;    /* with has_cpu */
        DomainBalloonStat balloon[DOMAIN_BALLOON_STATS_MAX]; size_t n_balloon;
        bool has_net;           /* the driver gathered the interfaces (net.count is emitted) */
        DomainNetStat *nets;    size_t n_nets;
        bool has_dirtyrate;     /* query-dirty-rate answered */
        int dirty_status;       /* virDomainDirtyRateStatus: 0 unstarted, 1 measuring, 2 measured */
        int64_t dirty_start, dirty_mbps;
        int dirty_period;
        char dirty_mode[16];
        uint32_t perf_open;     /* bit i: perf event i (domain-model.h's order) counts; perf.<name> */
        uint64_t perf_count[32];
} DomainStats;

DomainStats *domain_stats_free(DomainStats *st);
/* A disk image's capacity (what the guest sees: a qcow2 header's virtual size, else the size),
 * allocation (bytes in use on the host) and physical size; 0 or a negative errno. */
int domain_block_file_sizes(const char *path, uint64_t *capacity, uint64_t *allocation, uint64_t *physical);

/* The record as libvirt's typed parameters, in libvirt's order and with its keys and types
 * (state.state int, balloon.current ullong KiB, vcpu.N.time ullong ns, block.N.name string, …). */
typedef enum DomainStatType {
        DOMAIN_STAT_INT = 1, DOMAIN_STAT_UINT = 2, DOMAIN_STAT_LLONG = 3, DOMAIN_STAT_ULLONG = 4, DOMAIN_STAT_STRING = 7,
        DOMAIN_STAT_BOOLEAN = 6,        /* perf events' enabled (DomainTuneParam.ull 0 or 1) */
} DomainStatType;     /* virTypedParameterType */
typedef struct DomainStatParam {
        char key[48];
        DomainStatType type;
        int32_t i;
        uint32_t u;
        uint64_t ull;
        const char *s;
} DomainStatParam;
/* Calls fn for each parameter until it returns < 0 (returned). */
int domain_stats_foreach(const DomainStats *st, int (*fn)(const DomainStatParam *p, void *userdata), void *userdata);

static inline bool domain_is_active(const Domain *d) {
        return d->state != DOMAIN_SHUTOFF && d->state != DOMAIN_NOSTATE;
}
/* domain-affect.c: after the caller's check of flags, CURRENT (neither DOMAIN_AFFECT_LIVE nor
 * CONFIG) becomes LIVE for a running domain, else CONFIG; LIVE and CONFIG together are refused
 * unless both_ok, LIVE needs a running domain and CONFIG a persistent one (libvirt's texts; the
 * transient one is the API's own, NULL: "transient domains do not have any persistent
 * config"). */
int domain_affect_resolve(Domain *d, unsigned *flags, bool both_ok, const char *transient, VbError *err);
/* The definition callers see: the live one while running, else the persistent one. */
static inline const DomainDef *domain_current_def(const Domain *d) {
        return d->live ? d->live : d->def;
}

/* Lookups: NULL with libvirt's "Domain not found: …" in err. */
Domain *domain_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err);
Domain *domain_lookup_name(Connection *c, const char *name, VbError *err);
Domain *domain_lookup_id(Connection *c, int id, VbError *err);

/* Verbs. Each returns 0 (done), VERB_PENDING (call completes later) or -1 with err set, and
 * on failure leaves every object and file as it was. */
int domain_define(Connection *c, const char *xml, size_t len, unsigned flags, Domain **out, VbError *err);
int domain_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call,
                      Domain **out, VbError *err);
int domain_undefine(Domain *d, unsigned flags, VbError *err);
/* The lifecycle verbs, one for every door: api is the API row the caller asked for
 * (API_DOMAIN_SUSPEND, API_DOMAIN_DESTROY_FLAGS, …), whose flags are checked here. */
int domain_lifecycle(Domain *d, ApiId api, unsigned flags, Call *call, VbError *err);
/* The same for the daemon's own callers (autostart, tests). */
int domain_start(Domain *d, unsigned flags, Call *call, VbError *err);
int domain_shutdown(Domain *d, unsigned flags, Call *call, VbError *err);
int domain_suspend(Domain *d, Call *call, VbError *err);
int domain_resume(Domain *d, Call *call, VbError *err);
int domain_destroy(Domain *d, unsigned flags, Call *call, VbError *err);
int domain_set_autostart(Domain *d, bool autostart, VbError *err);
/* What virDomainGetOSType, virDomainGetSchedulerType and virDomainGetSecurityLabel answer: the
 * driver's traits (driver.h) where it has its own answer, the definition otherwise. */
const char *domain_os_type(const Domain *d);
const char *domain_scheduler_type(const Domain *d, int *nparams);
char *domain_get_xml(Domain *d, unsigned flags, VbError *err);
int domain_get_info(Domain *d, DomainInfo *info, VbError *err);
/* virDomainSetMemoryFlags: the balloon of a running domain (LIVE) and/or <currentMemory> (CONFIG).
 * May be pending (the QEMU balloon command): the call completes when QEMU has answered. */
int domain_set_memory(Domain *d, uint64_t kib, unsigned flags, Call *call, VbError *err);
/* virDomainListGetStats for one domain: 0 with *out (the caller frees it), or VERB_PENDING: call
 * completes with the DomainStats as its result (borrowed: freed after the completion). */
int domain_get_stats(Domain *d, unsigned stats, unsigned flags, Call *call, DomainStats **out, VbError *err);
/* virDomainScreenshot: 0 with *st (the door consumes it, and unrefs it) and *mime (freed by
 * the caller), or -1. The driver produces the image into the stream from the event loop. */
int domain_screenshot(Domain *d, unsigned screen, unsigned flags, Stream **st, char **mime, VbError *err);
/* virDomainOpenConsole: 0 with *out (guest → client; the door consumes it) and *in (client →
 * guest; the door produces into it), both unref'ed by the door; or -1. */
#define DOMAIN_CONSOLE_FORCE 1u
#define DOMAIN_CONSOLE_SAFE 2u
int domain_open_console(Domain *d, const char *dev_name, unsigned flags, Stream **out, Stream **in, VbError *err);
/* domain-console.c: virDomainOpenChannel, as domain_open_console on a <channel>. */
#define DOMAIN_CHANNEL_FORCE 1u
int domain_open_channel(Domain *d, const char *name, unsigned flags, Stream **out, Stream **in, VbError *err);

/* domain-graphics.c: virDomainSendKey (up to DOMAIN_SEND_KEY_MAX keycodes of one codeset,
 * libvirt's numbering: 0 linux, 1 xt, 2 atset1, … 9 qnum). May answer VERB_PENDING. */
#define DOMAIN_SEND_KEY_MAX 16
#define DOMAIN_KEYCODE_SET_LAST 9
int domain_send_key(Domain *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                    unsigned flags, Call *call, VbError *err);
/* virDomainOpenGraphicsFD: answers VERB_PENDING; the completion's result is an int * to a
 * socket connected to the display (the door duplicates it). */
#define DOMAIN_OPEN_GRAPHICS_SKIPAUTH (1u << 0)
int domain_open_graphics_fd(Domain *d, unsigned idx, unsigned flags, Call *call, VbError *err);
/* virDomainOpenGraphics: the caller's connected socket fd (taken in every case, closed on
 * failure) becomes a client of display idx. May answer VERB_PENDING. */
int domain_open_graphics(Domain *d, unsigned idx, int fd, unsigned flags, Call *call, VbError *err);
/* domain-files.c: virDomainCreateWithFiles / virDomainCreateXMLWithFiles: domain_start() and
 * domain_create_xml() for a driver whose start takes the caller's n_files descriptors
 * (DomainOps.start_takes_files); "not supported" elsewhere, with nothing started. The caller
 * keeps and closes the descriptors (no driver keeps them yet). */
int domain_create_with_files(Domain *d, size_t n_files, unsigned flags, Call *call, VbError *err);
int domain_create_xml_with_files(Connection *c, const char *xml, size_t len, size_t n_files, unsigned flags,
                                 Call *call, Domain **out, VbError *err);
int domain_get_metadata(Domain *d, int type, const char *uri, unsigned flags, char **out, VbError *err);
int domain_set_metadata(Domain *d, int type, const char *text, const char *key, const char *uri,
                        unsigned flags, VbError *err);

/* virDomainGetMemoryParameters / SetMemoryParameters (domain-tune.c): libvirt's typed
 * parameters hard_limit, soft_limit, swap_hard_limit (ullong KiB; DOMAIN_MEMORY_UNLIMITED for
 * none). Flags: DOMAIN_AFFECT_*. A set is checked whole, then applied live by the driver's
 * set_memtune (the guest's cgroup) and/or saved in the persistent definition. */
#define DOMAIN_MEMTUNE_NPARAMS 3
#define DOMAIN_MEMORY_UNLIMITED 9007199254740991ULL     /* VIR_DOMAIN_MEMORY_PARAM_UNLIMITED */
#define DOMAIN_TUNE_STR_MAX 1024 /* a string parameter's bytes with its NUL (blkio device lists) */
#define DOMAIN_CPUMAP_NODES 1024  /* NUMA nodes a nodeset may name */
typedef struct DomainTuneParam {
        char name[VB_TUNE_FIELD_MAX];
        DomainStatType type;
        uint64_t ull;
        char str[DOMAIN_TUNE_STR_MAX];  /* DOMAIN_STAT_STRING */
} DomainTuneParam;
/* Fills out, returns the number of parameters (3), or -1. */
int domain_get_memory_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_MEMTUNE_NPARAMS], VbError *err);
int domain_set_memory_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);

/* virDomainGet/SetSchedulerParameters(Flags) (domain-sched.c). Test ("fair"): weight (uint,
 * always 50, a set is checked and dropped, as libvirt's test driver); others ("posix"):
 * cpu_shares (ullong), vcpu_period (ullong, µs), vcpu_quota (llong, µs, -1 none) from <cputune>,
 * applied live by the driver's set_cputune. */
#define DOMAIN_SCHED_NPARAMS_MAX 3
int domain_get_sched_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_SCHED_NPARAMS_MAX], VbError *err);
int domain_set_sched_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);

/* virDomainGet/SetBlkioParameters (domain-blkio-tune.c): weight (uint) and device_weight,
 * device_read_iops_sec, device_write_iops_sec, device_read_bytes_sec, device_write_bytes_sec
 * (strings "PATH,VALUE[,PATH,VALUE…]", 0 removing a value) from <blkiotune>, applied live by the
 * driver's set_blkiotune. virDomainGet/SetNumaParameters: numa_mode (int: 0 strict, 1 preferred,
 * 2 interleave, 3 restrictive) and numa_nodeset (string) from <numatune>, live by set_numatune. */
#define DOMAIN_BLKIO_NPARAMS 6
#define DOMAIN_NUMA_NPARAMS 2
int domain_get_blkio_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_BLKIO_NPARAMS], VbError *err);
int domain_set_blkio_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);
int domain_get_numa_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_NUMA_NPARAMS], VbError *err);
int domain_set_numa_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);

/* The only place a domain's state changes: looks (state, input) up in the table, logs
 * old → new, persists the status where the driver persists, and notifies observers.
 * An input that is not valid in the current state is logged and ignored (-EINVAL). */
int domain_transition(Domain *d, DomainInput input);
/* The same for a driver whose guest has just begun to run (DOMAIN_INPUT_BOOTED): live, when
 * not NULL, becomes the running definition before anything is written or announced, so the
 * status file and the observers of the STARTED event see what the driver learnt at start (pty
 * paths, automatic ports); it is taken in every case. A status file that cannot be written
 * refuses the entry into an active state: -1 with err, the domain as it was (inactive, no
 * id), nothing announced, and the driver stops its guest. An input not valid in the current
 * state is refused the same way. */
int domain_transition_live(Domain *d, DomainInput input, DomainDef *live, VbError *err);

Domain *domain_ref(Domain *d);
Domain *domain_unref(Domain *d);

/* Job bracket for drivers that complete later: the core begins the job; the driver ends it. */
/* Begin a job (refused while another runs or in a state the job cannot start from). */
int domain_job_begin(Domain *d, DomainJob job, VbError *err);
void domain_job_end(Domain *d);
/* The job's name in logs and refusals ("start", "modify", …; NULL for DOMAIN_JOB_NONE). */
const char *domain_job_name(DomainJob job);

/* Add a domain built by a driver (test content, restart recovery); takes def. */
int domain_add(Connection *c, DomainDef *def, bool persistent, Domain **out, VbError *err);
/* Drop every domain (connection teardown); no notices. */
void domain_free_all(Connection *c);
/* Out of the registry and announced gone (NOTICE_REMOVED); freed when the last verb lets go. */
void domain_remove(Domain *d);
/* A definition parsed for c (the driver's post-parse, libvirt's name/UUID rule); *existing:
 * the domain it redefines, or NULL. */
DomainDef *domain_parse_for(Connection *c, const char *xml, size_t len, bool validate,
                            Domain **existing, VbError *err);

/* Put a domain into a state found rather than reached (built-in content, restart recovery):
 * no lifecycle event, since nothing happened; an active state gets a running definition and an id. */
int domain_restore_state(Domain *d, DomainState state, int reason, VbError *err);
