/* node.c: the host's facts a connection answers, through the driver's host ops and traits; one place for both doors' "not supported". */
#include "node.h"

#include "api.h"
#include "manager.h"

/* libvirt's "this function is not supported by the connection driver: <the row's function>". */
static int node_unsupported(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", row ? row->name : "virConnect");
}

static const HostOps *node_host_ops(const Connection *c) {
        static const HostOps none;
        return c->driver->host ? c->driver->host : &none;
}

char *node_capabilities(Connection *c, VbError *err) {
        if (!node_host_ops(c)->capabilities) {
                node_unsupported(API_CONNECT_GET_CAPABILITIES, err);
                return NULL;
        }
        return node_host_ops(c)->capabilities(c, err);
}

char *node_sysinfo(Connection *c, unsigned flags, VbError *err) {
        if (api_check_flags(api_row(API_CONNECT_GET_SYSINFO), flags, err) < 0)
                return NULL;
        if (!node_host_ops(c)->sysinfo) {
                node_unsupported(API_CONNECT_GET_SYSINFO, err);
                return NULL;
        }
        return node_host_ops(c)->sysinfo(c, err);
}

static const char *nonempty(const char *s) {
        return s && *s ? s : NULL;
}

char *node_domain_capabilities(Connection *c, const char *emulator, const char *arch, const char *machine,
                               const char *virttype, unsigned flags, VbError *err) {
        if (api_check_flags(api_row(API_CONNECT_GET_DOMAIN_CAPABILITIES), flags, err) < 0)
                return NULL;
        if (!node_host_ops(c)->domain_capabilities) {
                node_unsupported(API_CONNECT_GET_DOMAIN_CAPABILITIES, err);
                return NULL;
        }
        return node_host_ops(c)->domain_capabilities(c, nonempty(emulator), nonempty(arch), nonempty(machine),
                                                     nonempty(virttype), err);
}

int node_get_info(Connection *c, NodeInfo *info, VbError *err) {
        if (!node_host_ops(c)->node_info)
                return node_unsupported(API_NODE_GET_INFO, err);
        return node_host_ops(c)->node_info(c, info, err);
}

int node_free_memory(Connection *c, uint64_t *bytes, VbError *err) {
        if (!node_host_ops(c)->free_memory)
                return node_unsupported(API_NODE_GET_FREE_MEMORY, err);
        return node_host_ops(c)->free_memory(c, bytes, err);
}

int node_memory_stats(Connection *c, int cell, unsigned flags, NodeMemoryStats *st, VbError *err) {
        uint64_t v[4] = { 0 };
        if (api_check_flags(api_row(API_NODE_GET_MEMORY_STATS), flags, err) < 0)
                return -1;
        if (!node_host_ops(c)->memory_stats)
                return node_unsupported(API_NODE_GET_MEMORY_STATS, err);
        if (cell < -1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "cell number %d out of range", cell);
        if (node_host_ops(c)->memory_stats(c, cell, v, err) < 0)
                return -1;
        *st = (NodeMemoryStats) { .total_kib = v[0], .free_kib = v[1], .buffers_kib = v[2], .cached_kib = v[3] };
        return 0;
}

int node_cpu_stats(Connection *c, int cpu, unsigned flags, NodeCpuStats *st, VbError *err) {
        uint64_t v[4] = { 0 };
        if (api_check_flags(api_row(API_NODE_GET_CPU_STATS), flags, err) < 0)
                return -1;
        if (!node_host_ops(c)->cpu_stats)
                return node_unsupported(API_NODE_GET_CPU_STATS, err);
        if (cpu < -1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "Invalid cpuNum in virNodeGetCPUStats");
        if (node_host_ops(c)->cpu_stats(c, cpu, v, err) < 0)
                return -1;
        *st = (NodeCpuStats) { .kernel_ns = v[0], .user_ns = v[1], .idle_ns = v[2], .iowait_ns = v[3] };
        return 0;
}

int node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err) {
        if (!node_host_ops(c)->cells_free_memory)
                return node_unsupported(API_NODE_GET_CELLS_FREE_MEMORY, err);
        if (start < 0 || max <= 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "start %d and count %d of cells out of range",
                                    start, max);
        return node_host_ops(c)->cells_free_memory(c, start, max, bytes, err);
}

int node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, unsigned flags, VbError *err) {
        if (api_check_flags(api_row(API_NODE_GET_CPU_MAP), flags, err) < 0)
                return -1;
        if (!node_host_ops(c)->cpu_map)
                return node_unsupported(API_NODE_GET_CPU_MAP, err);
        return node_host_ops(c)->cpu_map(c, map, maplen, online, err);
}

int node_max_vcpus(Connection *c, VbError *err) {
        if (c->driver->max_vcpus <= 0)
                return node_unsupported(API_CONNECT_GET_MAX_VCPUS, err);
        return c->driver->max_vcpus;
}

void node_security_model(const Connection *c, const char **model, const char **doi) {
        if (node_host_ops(c)->security_model) {
                node_host_ops(c)->security_model(c, model, doi);
                return;
        }
        *model = c->driver->security_model ? c->driver->security_model : "none";
        *doi = c->driver->security_model ? (c->driver->security_doi ? c->driver->security_doi : "") : "0";
}

