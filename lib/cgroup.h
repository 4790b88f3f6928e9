/* cgroup.h: a cgroup per guest under machine.slice, on cgroup v2 (unified) or v1 (one hierarchy per controller). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The settings a guest's cgroup gets; a field left unset (false / 0) is not written. */
typedef struct CgroupCpuTune {
        bool has_shares;
        unsigned long long shares;      /* libvirt's cputune shares (v1 cpu.shares; v2 cpu.weight from it) */
        unsigned long long period_us;   /* 0: unset */
        long long quota_us;             /* 0: unset; < 0: no limit */
} CgroupCpuTune;

/* The cgroup file a setting goes to and its value, for the host's cgroup version: pure. v1
 * writes cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us; v2 cpu.weight (libvirt's
 * conversion: 1 + (shares - 2) * 9999 / 262142) and cpu.max ("QUOTA PERIOD", "max" for none). */
typedef struct CgroupWrite {
        const char *controller;         /* "cpu" */
        char file[48];
        char value[128];
} CgroupWrite;
#define CGROUP_MAX_WRITES 4
size_t cgroup_cpu_plan(const CgroupCpuTune *t, bool v2, CgroupWrite out[CGROUP_MAX_WRITES]);

/* <memtune> in KiB; 0 = unset (not written). */
typedef struct CgroupMemTune {
        unsigned long long hard_kib, soft_kib, swap_hard_kib;
} CgroupMemTune;
/* Pure, like cgroup_cpu_plan. v1: memory.limit_in_bytes, memory.soft_limit_in_bytes,
 * memory.memsw.limit_in_bytes (memory plus swap); v2 (libvirt's mapping): memory.max,
 * memory.high, memory.swap.max (swap only: swap_hard - hard). The hard limit is written before
 * the swap limit, which must not be below it (the order a new, unlimited group needs). */
size_t cgroup_memory_plan(const CgroupMemTune *t, bool v2, CgroupWrite out[CGROUP_MAX_WRITES]);

/* The host's cgroups: v2 when /sys/fs/cgroup is the unified hierarchy. root overrides
 * /sys/fs/cgroup (tests). */
bool cgroup_is_v2(const char *root);

/* qemu.conf cgroup_controllers, as libvirt reads it: only the listed controllers are used (v1:
 * no group in the other hierarchies; v2: only those enabled in subtree_control), and a tune
 * that needs another one is refused at start and live. */
#define CGROUP_CTRL_CPU (1u << 0)
#define CGROUP_CTRL_CPUACCT (1u << 1)
#define CGROUP_CTRL_MEMORY (1u << 2)
#define CGROUP_CTRL_CPUSET (1u << 3)
#define CGROUP_CTRL_BLKIO (1u << 4)    /* v2: io */
#define CGROUP_CTRL_ALL 0x1fu
/* The bit of a controller's name ("io" is blkio's), or -1. */
int cgroup_controller_bit(const char *name);
/* From now on use only mask's controllers (default: all). Process-wide. */
void cgroup_use_controllers(unsigned mask);

/* The directory of group (e.g. "machine.slice/virtbus-qemu-NAME.scope") for controller: on v2
 * ROOT/group whatever the controller, on v1 ROOT/CONTROLLER/group. */
int cgroup_path(const char *root, bool v2, const char *controller, const char *group, char **out);

/* Create group (and its parents) in the cpu, cpuacct and memory hierarchies (v1) or once
 * with those controllers enabled above it (v2), move pid into it, and write the plan. 0, or -1
 * with err (what was created is removed again). */
int cgroup_create_for(const char *root, const char *group, pid_t pid, const CgroupWrite *w, size_t n, VbError *err);
/* Write more settings into an existing group (live changes). */
/* Does every write of a plan belong to mask's controllers? 0, or -1 with err naming the
 * controller and file. Pure. */
int cgroup_plan_check(const struct CgroupWrite *w, size_t n, unsigned mask, VbError *err);
int cgroup_apply(const char *root, const char *group, const CgroupWrite *w, size_t n, VbError *err);
/* Remove group (its processes must have ended). Never fails: logs. */
void cgroup_remove(const char *root, const char *group);
/* CPU time used by group, in nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
int cgroup_cpu_time(const char *root, const char *group, uint64_t *ns);

/* Is there a cpuset controller to pin with (v1: its hierarchy mounted; v2: in cgroup.controllers)? */
bool cgroup_has_cpuset(const char *root);
/* GROUP/CHILD (vcpu0, emulator) for some threads of a guest already in GROUP: created (v1 in
 * the cpu, cpuacct and cpuset hierarchies, cpuset.cpus/mems from GROUP; v2 a threaded child
 * with cpu and cpuset enabled above it) and tids moved in (v1 tasks, v2 cgroup.threads). A
 * thread that has ended is skipped. 0, or -1 with err. cgroup_remove() removes the children. */
int cgroup_thread_group(const char *root, const char *group, const char *child, const pid_t *tids, size_t n,
                        VbError *err);

/* <blkiotune> for one guest, devices already resolved to major:minor; 0 = unset. */
typedef struct CgroupBlkioDev {
        unsigned major, minor, weight;
        uint64_t read_bytes_sec, write_bytes_sec, read_iops_sec, write_iops_sec;
} CgroupBlkioDev;
typedef struct CgroupBlkio {
        unsigned weight;
        const CgroupBlkioDev *devices;
        size_t n_devices;
} CgroupBlkio;
/* The weight file group has on this host (v1 blkio.bfq.weight or blkio.weight; v2 io.bfq.weight
 * or io.weight), or NULL when its I/O scheduler has none (no CFQ/BFQ). */
const char *cgroup_blkio_weight_file(const char *root, const char *group);
/* Pure: the writes for b (v1: the weight file, WEIGHT_device, blkio.throttle.{read,write}_{bps,
 * iops}_device, 0 lifting a limit; v2: the weight file and one io.max line per device, "max"
 * for an unset limit). A weight without weight_file, a weight outside 100-1000 or more devices
 * than max allows: -1 with err (nothing planned). Otherwise the count. */
int cgroup_blkio_plan(const CgroupBlkio *b, bool v2, const char *weight_file, CgroupWrite *out, size_t max,
                      VbError *err);

/* GetStats' cpu group from group's counters: cpu.time (as cgroup_cpu_time), cpu.user and
 * cpu.system (v1 cpuacct.stat in USER_HZ ticks, v2 cpu.stat user_usec/system_usec), in ns. */
typedef struct CgroupCpuStats {
        uint64_t time_ns, user_ns, system_ns;
} CgroupCpuStats;
int cgroup_cpu_stats(const char *root, const char *group, CgroupCpuStats *out);
/* CPU time used by group and its user and system parts, in nanoseconds (v2 cpu.stat
 * usage_usec/user_usec/system_usec; v1 cpuacct.usage and cpuacct.stat in clock ticks). */
int cgroup_cpu_stat(const char *root, const char *group, uint64_t *total, uint64_t *user, uint64_t *system);
