/* hostinfo.h: the host's CPU times, memory, NUMA cells' free memory and CPU map, read from /proc and /sys under a root (tests give a fake tree). */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct HostCpuTimes {
        uint64_t kernel_ns, user_ns, idle_ns, iowait_ns;
} HostCpuTimes;

/* /proc/stat's "cpu" line (cpu < 0) or "cpuN": -ENOENT when that CPU has none. */
int hostinfo_cpu_times(const char *root, int cpu, HostCpuTimes *out);
/* A "Key:   value kB" line of /proc/meminfo (or of a node's meminfo with its "Node N " prefix). */
int hostinfo_meminfo(const char *path, const char *key, uint64_t *kib);
/* MemFree of NUMA node `cell` (/sys/devices/system/node/nodeN/meminfo); -ENOENT without NUMA. */
int hostinfo_cell_free_kib(const char *root, int cell, uint64_t *kib);
/* The CPUs present (the highest number + 1) and online: map gets one bit per CPU (little endian,
 * libvirt's cpumap), maplen bytes; *online the number online. Returns the number present. */
int hostinfo_cpu_map(const char *root, uint8_t *map, size_t maplen, unsigned *online);
