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
        char file[32];
        char value[48];
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

/* The directory of group (e.g. "machine.slice/virtbus-qemu-NAME.scope") for controller: on v2
 * ROOT/group whatever the controller, on v1 ROOT/CONTROLLER/group. */
int cgroup_path(const char *root, bool v2, const char *controller, const char *group, char **out);

/* Create group (and its parents) in the cpu, cpuacct and memory hierarchies (v1) or once
 * with those controllers enabled above it (v2), move pid into it, and write the plan. 0, or -1
 * with err (what was created is removed again). */
int cgroup_create_for(const char *root, const char *group, pid_t pid, const CgroupWrite *w, size_t n, VbError *err);
/* Write more settings into an existing group (live changes). */
int cgroup_apply(const char *root, const char *group, const CgroupWrite *w, size_t n, VbError *err);
/* Remove group (its processes must have ended). Never fails: logs. */
void cgroup_remove(const char *root, const char *group);
/* CPU time used by group, in nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
int cgroup_cpu_time(const char *root, const char *group, uint64_t *ns);
/* CPU time used by group and its user and system parts, in nanoseconds (v2 cpu.stat
 * usage_usec/user_usec/system_usec; v1 cpuacct.usage and cpuacct.stat in clock ticks). */
int cgroup_cpu_stat(const char *root, const char *group, uint64_t *total, uint64_t *user, uint64_t *system);
