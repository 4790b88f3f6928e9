/* node.h: the host's facts a connection answers (capabilities, sysinfo, node info and memory, limits, security model), through the driver's host ops and traits: "not supported" when it has none. */
#pragma once

#include <stdint.h>

#include "driver.h"
#include "error.h"

typedef struct Connection Connection;

/* Newly allocated text, or NULL with err set. */
char *node_capabilities(Connection *c, VbError *err);
char *node_sysinfo(Connection *c, unsigned flags, VbError *err);
/* virConnectGetDomainCapabilities; NULL or "" arguments: the driver's defaults. */
char *node_domain_capabilities(Connection *c, const char *emulator, const char *arch, const char *machine,
                               const char *virttype, unsigned flags, VbError *err);
/* The same, waiting for what the driver is still learning (node-wait.c; QEMU's capabilities
 * probe after the daemon's start): 0 with *out (the caller frees it), VERB_PENDING when call
 * completes later with the XML (a char *, borrowed) or the error, or -1 with err set. */
int node_capabilities_call(Connection *c, Call *call, char **out, VbError *err);
int node_domain_capabilities_call(Connection *c, const char *emulator, const char *arch, const char *machine,
                                  const char *virttype, unsigned flags, Call *call, char **out, VbError *err);
/* virConnectCompareCPU (node-cpu.c): 0 incompatible, 1 identical, 2 superset, or -1 (also
 * for incompatible with flag FAIL_INCOMPATIBLE). The _check: flags and arguments, before any wait. */
int node_compare_cpu(Connection *c, const char *xml, unsigned flags, VbError *err);
int node_compare_cpu_check(Connection *c, const char *xml, unsigned flags, VbError *err);
/* virConnectBaselineCPU: the <cpu> all n descriptions can run, or NULL with err set. */
char *node_baseline_cpu(Connection *c, const char *const *xmls, size_t n, unsigned flags, VbError *err);
int node_baseline_cpu_check(Connection *c, size_t n, unsigned flags, VbError *err);
/* Both, waiting for the driver as node_capabilities_call does: VERB_PENDING completes call
 * with an int * (compare) or the XML (baseline). */
int node_compare_cpu_call(Connection *c, const char *xml, unsigned flags, Call *call, int *out, VbError *err);
int node_baseline_cpu_call(Connection *c, const char *const *xmls, size_t n, unsigned flags, Call *call,
                           char **out, VbError *err);
/* virConnectCompareHypervisorCPU / BaselineHypervisorCPU (node-cpu.c): as the two above, against
 * the CPU the hypervisor hv gives guests; the _call variants (node-wait.c) wait for the driver likewise. */
int node_compare_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags, VbError *err);
char *node_baseline_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                   unsigned flags, VbError *err);
int node_compare_hypervisor_cpu_call(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags,
                                     Call *call, int *out, VbError *err);
int node_baseline_hypervisor_cpu_call(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                      unsigned flags, Call *call, char **out, VbError *err);
int node_compare_hypervisor_cpu_check(Connection *c, const char *xml, unsigned flags, VbError *err);
int node_baseline_hypervisor_cpu_check(Connection *c, size_t n, unsigned flags, VbError *err);
int node_get_info(Connection *c, NodeInfo *info, VbError *err);
int node_free_memory(Connection *c, uint64_t *bytes, VbError *err);

/* virNodeGetMemoryStats in KiB for cell (-1: all), from the driver's memory_stats op. */
typedef struct NodeMemoryStats {
        uint64_t total_kib, free_kib, buffers_kib, cached_kib;
} NodeMemoryStats;
int node_memory_stats(Connection *c, int cell, unsigned flags, NodeMemoryStats *st, VbError *err);

/* virConnectGetMaxVcpus: the number, or -1 with err set. */
int node_max_vcpus(Connection *c, VbError *err);
/* virNodeGetSecurityModel: the driver's, or libvirt's "none" with DOI "0". */
void node_security_model(const Connection *c, const char **model, const char **doi);

/* virNodeGetCPUStats in ns for cpu (-1: all). */
typedef struct NodeCpuStats {
        uint64_t kernel_ns, user_ns, idle_ns, iowait_ns;
} NodeCpuStats;
int node_cpu_stats(Connection *c, int cpu, unsigned flags, NodeCpuStats *st, VbError *err);
/* virNodeGetCellsFreeMemory: bytes of up to max cells from start; the count, or -1. */
int node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err);
/* virNodeGetCPUMap: map (maplen bytes) of the CPUs online, their count; the CPUs present, or -1. */
int node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, unsigned flags, VbError *err);

/* virNodeGetMemoryParameters (node-memory.c): KSM's settings and counters as libvirt's typed
 * parameters, from the driver's memory_parameters op ("not supported" without one, as libvirt's
 * test driver). The count, or -1. */
#define NODE_MEMORY_PARAMS_MAX 8
typedef struct NodeMemParam {
        char name[32];
        int type;               /* virTypedParameterType: 2 uint, 4 ullong */
        uint64_t value;
} NodeMemParam;
int node_memory_parameters(Connection *c, unsigned flags, NodeMemParam out[NODE_MEMORY_PARAMS_MAX], VbError *err);
/* virNodeSetMemoryParameters (node-memory-set.c): shm_pages_to_scan, shm_sleep_millisecs,
 * shm_merge_across_nodes (uint), checked whole; flags: none. 0, VERB_PENDING (call completes),
 * or -1. */
struct DomainTuneParam;
int node_set_memory_parameters(Connection *c, const struct DomainTuneParam *params, size_t n, unsigned flags, Call *call,
                               VbError *err);
/* virNodeGetFreePages: npages sizes (KiB) × cells from start into counts; 0 or -1. */
int node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells, unsigned flags,
                    uint64_t *counts, VbError *err);
