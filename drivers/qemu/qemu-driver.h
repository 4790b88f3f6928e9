/* qemu-driver.h: the QEMU driver's shared state: per connection (QemuConn) and per running domain (QemuDomain). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "domain.h"
#include "driver.h"
#include "qemu-caps.h"
#include "qemu-conf.h"
#include "qemu-find.h"
#include "process.h"
#include "qmp.h"
#include "security.h"

/* The drivers main.c adds: qemu:///session (session mode) or qemu:///system (system mode).
 * Not const: the hypervisor version is learnt from the QEMU binary at open. */
extern Driver qemu_session_driver;
extern Driver qemu_system_driver;

#define QEMU_EMULATOR_DEFAULT "/usr/bin/qemu-system-x86_64"
#define QEMU_DESTROY_GRACE_USEC (10 * 1000000ULL)
#define QEMU_MONITOR_TIMEOUT_USEC (30 * 1000000ULL)     /* a starting QEMU: may be slow to get there */
#define QEMU_RECOVER_TIMEOUT_USEC (10 * 1000000ULL)     /* a running one found again: answers at once */

typedef struct QemuConn {
        Connection *conn;
        sd_event *event;
        QemuConfig cfg;
        QemuCapsCache *caps;
        char *log_dir;          /* QEMU's logs: NAME.log */
        bool probing;
        SecurityDacConfig dac;  /* qemu.conf's user and group, resolved */
        SecurityStack sec;      /* dac, or none when QEMU runs as the daemon's own user */
        SecuritySelinuxConfig selinux;  /* sVirt's state where SELinux is enabled (else unused) */
        bool sec_ready;         /* false: sec_error says why no guest starts */
        VbError sec_error;
        bool cgroups;           /* each guest gets a cgroup (qemu-cgroup.c) */
} QemuConn;

/* Where the domain's QEMU process stands, as the driver sees it (the guest's own state,
 * running or paused, is the core's). Only qemu_phase_enter() (qemu-domain.c) writes it: it
 * logs old → new, stops what the old phase had running (the destroy grace timer, the
 * recovery retry timer) and starts what the new one needs. */
typedef enum QemuPhase {
        QEMU_PHASE_NONE,           /* no QEMU: nothing watched, no runtime files */
        QEMU_PHASE_STARTING,       /* spawned with -S: monitor, query-chardev, cont; the start waits */
        QEMU_PHASE_RUNNING,        /* the monitor answers; verbs are QMP commands */
        QEMU_PHASE_REBOOTING,      /* reboot asked (ACPI): the next SHUTDOWN is a reset, not an end */
        QEMU_PHASE_RESETTING,      /* that SHUTDOWN came: system_reset and cont sent; RESET ends it */
        QEMU_PHASE_POWERED_OFF,    /* the guest powered off (SHUTDOWN): quit sent, the exit follows */
        QEMU_PHASE_DESTROYING,     /* SIGTERM sent, SIGKILL after the grace time: the exit follows */
        QEMU_PHASE_RECONNECTING,   /* found again after a restart: monitor reconnecting, query-status */
        QEMU_PHASE_UNMANAGED,      /* runs, but its monitor is unreachable or was dropped: kept, marked */
        QEMU_PHASE_LOST,           /* after a restart: may run, but cannot be found or watched now;
                                    * looked for again on a timer, never reported gone meanwhile */
        _QEMU_PHASE_MAX,
} QemuPhase;

typedef struct QemuDomain {
        Domain *domain;         /* not a reference: the domain owns this */
        QemuConn *qc;           /* NULL once the connection is closing */
        QemuPhase phase;
        Process *proc;
        Qmp *qmp;
        char *monitor_path;
        bool job;               /* a verb answered VERB_PENDING: the driver ends its job */
        Call *call;             /* that verb's call (a reference), or NULL */
        unsigned start_flags;
        DomainInput after_reply;        /* transition on the reply when the event has not come (or _MAX) */
        DomainDef *live;        /* STARTING: the running definition, handed to the core at BOOTED */
        VbError start_error;    /* STARTING: why the start is being given up (code 0: QEMU's log says) */
        uint64_t balloon_kib;   /* last BALLOON_CHANGE (0: none seen) */
        uint64_t balloon_target_kib;    /* the balloon command in flight */
        char lost_why[256];     /* LOST: what stands in the way */
        uint64_t retry_usec;    /* LOST: the delay before the next look */
        sd_event_source *kill_timer;    /* DESTROYING */
        sd_event_source *retry_timer;   /* LOST */
        struct QemuConsole *console;    /* the client of the console (qemu-console.c), or NULL */
        pid_t *vcpu_tids;       /* vCPU i's thread (query-cpus-fast), n_vcpu_tids of them */
        size_t n_vcpu_tids;
} QemuDomain;

typedef struct QemuConsole QemuConsole;

QemuConn *qemu_conn_of(Connection *c);
QemuDomain *qemu_domain_get(Domain *d);        /* created on first use; NULL on ENOMEM */

/* qemu-domain.c: the process, its phases and its monitor. */
const char *qemu_phase_to_string(QemuPhase p);
/* The one writer of qd->phase. */
void qemu_phase_enter(QemuDomain *qd, QemuPhase next);
int qemu_domain_start(Domain *d, unsigned flags, Call *call, VbError *err);
void qemu_domain_forget(Domain *d);
/* A verb answered VERB_PENDING: keep its call; qemu_domain_finish() ends the job and answers. */
void qemu_domain_pending(QemuDomain *qd, Call *call);
void qemu_domain_finish(QemuDomain *qd, int r, const VbError *err);
/* Watch a QEMU found again after a restart (process_adopt with the domain's exit handler). */
int qemu_domain_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, const char *log_path, VbError *err);
/* Let go of every QEMU without signalling it (the daemon is stopping). */
void qemu_domain_release_all(Connection *c);

/* qemu-security.c: the security stack of a connection. */
int qemu_security_init(QemuConn *qc, bool system);
void qemu_security_done(QemuConn *qc);
/* Does QEMU run as another user than the daemon's? */
bool qemu_security_confined(const QemuConn *qc);
/* Label def's files and fill creds; -1 with err (nothing left labelled) on failure. */
int qemu_security_start(QemuConn *qc, const DomainDef *def, ProcessCreds *creds, VbError *err);
/* Add the DAC <seclabel> (user and image label) to the running definition. */
int qemu_security_live_label(QemuConn *qc, DomainDef *live);
/* QEMU is gone: give def's files back. */
void qemu_security_stop(QemuConn *qc, const DomainDef *def);
/* virDomainGetSecurityLabelList: none, then DAC (qemu-security.c). */
#include "domain-seclabel.h"
int qemu_security_labels(Domain *d, DomainSecLabel *out, int max, VbError *err);
/* capabilities XML with the DAC <secmodel> added after the primary one (xml is taken). */
char *qemu_security_caps_secmodel(QemuConn *qc, char *xml);
/* A unix socket bound at path (QEMU listens on it) for QEMU to inherit (fd >= 3), or -1 with err. */
int qemu_monitor_listen(const char *path, VbError *err);

/* qemu-cgroup.c: a cgroup per guest. */
void qemu_cgroup_init(QemuConn *qc, bool system);
int qemu_cgroup_start(QemuConn *qc, const char *name, const DomainDef *def, pid_t pid, VbError *err);
void qemu_cgroup_stop(QemuConn *qc, const char *name);
int qemu_cgroup_set_memtune(Domain *d, const DomainMemtune *m, VbError *err);
int qemu_cgroup_cpu_time(Domain *d, uint64_t *ns);
int qemu_cgroup_set_cputune(Domain *d, const DomainCputune *t, VbError *err);
/* The guest's group below the cgroup root: machine.slice/virtbus-qemu-NAME.scope. */
int qemu_cgroup_group(const char *name, char *buf, size_t len);
/* <numatune> (cpuset.mems) and <blkiotune> into the guest's group (at start and live). */
int qemu_cgroup_apply_numatune(const char *group, const DomainNumatune *nt, VbError *err);
int qemu_cgroup_apply_blkiotune(const char *group, const DomainBlkiotune *bt, VbError *err);
int qemu_cgroup_set_blkiotune(Domain *d, const DomainBlkiotune *t, VbError *err);
int qemu_cgroup_set_numatune(Domain *d, const DomainNumatune *t, VbError *err);

/* qemu-ns.c: qemu.conf namespaces = [ "mount" ]: the private /dev of one QEMU. */
/* Unset in qemu.conf: [ "mount" ] for the system daemon, none for the session. */
int qemu_ns_init(QemuConn *qc, bool system);
#include "process-ns.h"
#define QEMU_DEV_NODES_MAX 64
typedef struct QemuMountNs {
        ProcessMountNs ns;
        ProcessDevNode nodes[QEMU_DEV_NODES_MAX];
        char staging[512];
} QemuMountNs;
/* 1 with out filled (the host's nodes QEMU needs: null, zero, full, random, urandom, ptmx,
 * kvm and net/tun where present, the definition's block disks), 0 when qemu.conf asks for no
 * mount namespace, -1 with err. */
int qemu_ns_prepare(QemuConn *qc, Connection *c, const DomainDef *def, QemuMountNs *out, VbError *err);

/* qemu-stats-cpu.c: GetStats' cpu group (cpu.time, cpu.user, cpu.system) from the guest's
 * cgroup; -1 without one. */
int qemu_stats_cpu(Domain *d, uint64_t *time_ns, uint64_t *user_ns, uint64_t *system_ns);

/* qemu-pin.c: vCPU and emulator threads (query-cpus-fast; place: STARTING, put them in their
 * cgroups and pin them, then qemu_domain_threads_placed(); otherwise only learn them). */
int qemu_threads_query(QemuDomain *qd, Qmp *q, bool place);
int qemu_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
int qemu_pin_emulator(Domain *d, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
extern const struct DomainInfoOps qemu_info_ops;
/* qemu-domain.c: the start goes on once the threads are placed (err: it is given up). */
void qemu_domain_threads_placed(QemuDomain *qd, Qmp *q, const VbError *err);

/* qemu-ops.c */
extern const DomainOps qemu_domain_ops;

/* qemu-console.c: virDomainOpenConsole; close ends the client's session (why NULL: an end). */
int qemu_domain_open_console(Domain *d, const char *dev_name, unsigned flags, Stream *out, Stream *in,
                             VbError *err);
void qemu_console_close(QemuDomain *qd, const VbError *why);
/* qemu-screenshot.c: virDomainScreenshot through QMP screendump (PNG). */
int qemu_domain_screenshot(Domain *d, unsigned screen, Stream *st, char **mime, VbError *err);

/* Define-time settling of a definition (qemu-define.c): the versioned machine type. */
int qemu_domain_post_parse(Connection *c, DomainDef *def, VbError *err);
/* Undefine and the guest's NVRAM (qemu-define.c). */
int qemu_domain_undefine_check(Domain *d, unsigned flags, VbError *err);
void qemu_domain_undefined(Domain *d, const DomainDef *def, unsigned flags);

/* qemu-recover.c: the runtime record beside the core's status file, and restart recovery. */
#define QEMU_RECOVER_RETRY_MIN_USEC (2 * 1000000ULL)
#define QEMU_RECOVER_RETRY_MAX_USEC (60 * 1000000ULL)
typedef struct QemuRuntime {
        pid_t pid;
        uint64_t start_time;
        char *monitor;
} QemuRuntime;
int qemu_runtime_save(QemuDomain *qd, VbError *err);
/* 0 with *rt (qemu_runtime_clear() it), -ENOENT without a record, -EBADMSG for one that does
 * not read as ours, or another negative errno; why says what. */
int qemu_runtime_read(Connection *c, const char *name, QemuRuntime *rt, char *why, size_t whylen);
void qemu_runtime_clear(QemuRuntime *rt);
/* Is a QEMU of d alive? Its runtime record (a live process with the recorded start time),
 * else qemu_find_running(). 1 found, 0 none, -1 cannot tell (out->why). */
int qemu_domain_find(Domain *d, QemuFound *out);
/* LOST: look for the QEMU again (the retry timer). */
void qemu_recover_retry(QemuDomain *qd);
void qemu_runtime_remove(Connection *c, const char *name);
int qemu_recover_all(QemuConn *qc);
int qemu_monitor_path(Connection *c, const char *name, char **out);

/* qemu-host.c: node statistics from /proc and /sys (HostOps). */
int qemu_node_memory_stats(Connection *c, int cell, uint64_t out[4], VbError *err);
int qemu_node_cpu_stats(Connection *c, int cpu, uint64_t out[4], VbError *err);
int qemu_node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err);
int qemu_node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err);
extern const struct HostIfaceOps qemu_iface_ops;
extern const struct NodeDevOps qemu_nodedev_ops;
/* qemu-nic-link.c: a running NIC's link (DomainOps.set_interface_link), and the links written
 * down in the definition set so before the guest runs. */
int qemu_domain_set_interface_link(Domain *d, size_t index, bool up, Call *call, VbError *err);
void qemu_nics_start_links(QemuDomain *qd, Qmp *q);
/* qemu-info.c: per-request information (a NIC's counters). */
extern const struct DomainInfoOps qemu_info_ops;
