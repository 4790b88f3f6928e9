/* proc-host.c: the remote procedures of host facts beyond nodeinfo (node statistics, CPU map, cells): thin decode → core node_* → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "node.h"

#define REMOTE_NODE_CPU_STATS_MAX 16
#define REMOTE_NODE_MEMORY_STATS_MAX 16
#define REMOTE_NODE_MAX_CELLS 1024
#define NODE_CPUMAP_BYTES 1024          /* 8192 CPUs */

/* {remote_node_get_*_stats params<>: {string field; uhyper value}; int nparams}: nparams 0 asks
 * for the count only. */
static int reply_node_params(RemoteCall *rc, int32_t nparams, const char *const *fields, const uint64_t *values,
                             int n) {
        int k = nparams <= 0 ? 0 : (nparams < n ? nparams : n);
        xdr_put_u32(&rc->ret, (uint32_t) k);
        for (int i = 0; i < k; i++) {
                xdr_put_string(&rc->ret, fields[i]);
                xdr_put_u64(&rc->ret, values[i]);
        }
        xdr_put_i32(&rc->ret, nparams <= 0 ? n : k);
        return 0;
}

/* {int cpuNum; int nparams; u32 flags} */
REMOTE_HANDLER(proc_node_get_cpu_stats) {
        int32_t cpu = 0, nparams = 0;
        uint32_t flags = 0;
        xdr_get_i32(&rc->args, &cpu);
        xdr_get_i32(&rc->args, &nparams);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (nparams > REMOTE_NODE_CPU_STATS_MAX)
                return remote_error_rpc(&rc->err, "nparams too large");
        NodeCpuStats st;
        if (node_cpu_stats(rc->client->conn, cpu, flags, &st, &rc->err) < 0)
                return -1;
        static const char *const fields[] = { "kernel", "user", "idle", "iowait" };
        const uint64_t values[] = { st.kernel_ns, st.user_ns, st.idle_ns, st.iowait_ns };
        return reply_node_params(rc, nparams, fields, values, 4);
}

/* {int nparams; int cellNum; u32 flags} */
REMOTE_HANDLER(proc_node_get_memory_stats) {
        int32_t nparams = 0, cell = 0;
        uint32_t flags = 0;
        xdr_get_i32(&rc->args, &nparams);
        xdr_get_i32(&rc->args, &cell);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (nparams > REMOTE_NODE_MEMORY_STATS_MAX)
                return remote_error_rpc(&rc->err, "nparams too large");
        NodeMemoryStats st;
        if (node_memory_stats(rc->client->conn, cell, flags, &st, &rc->err) < 0)
                return -1;
        static const char *const fields[] = { "total", "free", "buffers", "cached" };
        const uint64_t values[] = { st.total_kib, st.free_kib, st.buffers_kib, st.cached_kib };
        return reply_node_params(rc, nparams, fields, values, cell == -1 ? 4 : 2);
}

/* {int startCell; int maxcells} → {uhyper cells<>} */
REMOTE_HANDLER(proc_node_get_cells_free_memory) {
        int32_t start = 0, max = 0;
        xdr_get_i32(&rc->args, &start);
        xdr_get_i32(&rc->args, &max);
        if (remote_args_end(rc) < 0)
                return -1;
        if (max > REMOTE_NODE_MAX_CELLS)
                return remote_error_rpc(&rc->err, "maxCells > REMOTE_NODE_MAX_CELLS");
        uint64_t cells[REMOTE_NODE_MAX_CELLS];
        int n = node_cells_free_memory(rc->client->conn, start, max, cells, &rc->err);
        if (n < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++)
                xdr_put_u64(&rc->ret, cells[i]);
        return 0;
}

/* {int need_map; int need_online; u32 flags} → {opaque cpumap<>; u32 online; int ret} */
REMOTE_HANDLER(proc_node_get_cpu_map) {
        int32_t need_map = 0, need_online = 0;
        uint32_t flags = 0;
        xdr_get_i32(&rc->args, &need_map);
        xdr_get_i32(&rc->args, &need_online);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        uint8_t map[NODE_CPUMAP_BYTES];
        unsigned online = 0;
        int present = node_cpu_map(rc->client->conn, map, sizeof map, &online, flags, &rc->err);
        if (present < 0)
                return -1;
        size_t len = need_map ? ((size_t) present + 7) / 8 : 0;
        if (len > sizeof map)
                len = sizeof map;
        xdr_put_u32(&rc->ret, (uint32_t) len);
        xdr_put_fixed(&rc->ret, map, len);
        xdr_put_u32(&rc->ret, need_online ? online : 0);
        xdr_put_i32(&rc->ret, present);
        return 0;
}
