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
int node_get_info(Connection *c, NodeInfo *info, VbError *err);
int node_free_memory(Connection *c, uint64_t *bytes, VbError *err);

/* virNodeGetMemoryStats in KiB for cell (-1: all). buffers and cached stay 0 until a driver
 * reports them. */
typedef struct NodeMemoryStats {
        uint64_t total_kib, free_kib, buffers_kib, cached_kib;
} NodeMemoryStats;
int node_memory_stats(Connection *c, int cell, unsigned flags, NodeMemoryStats *st, VbError *err);

/* virConnectGetMaxVcpus: the number, or -1 with err set. */
int node_max_vcpus(Connection *c, VbError *err);
/* virNodeGetSecurityModel: the driver's, or libvirt's "none" with DOI "0". */
void node_security_model(const Connection *c, const char **model, const char **doi);
