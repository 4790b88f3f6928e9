/* hostmem.h: the kernel's same-page merging (KSM) settings and counters, /sys/kernel/mm/ksm, as virNodeGetMemoryParameters reports them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* libvirt's order: pages_to_scan, sleep_millisecs, pages_shared, pages_sharing, pages_unshared,
 * pages_volatile, full_scans, merge_across_nodes. */
#define HOSTMEM_KSM_NPARAMS 8

/* Read dir's files (NULL: /sys/kernel/mm/ksm) into out; *has_merge is false when the kernel has
 * no merge_across_nodes (no NUMA). 0, or a negative errno (-ENOENT: no KSM in this kernel). */
int hostmem_ksm_read(const char *dir, uint64_t out[HOSTMEM_KSM_NPARAMS], bool *has_merge);
