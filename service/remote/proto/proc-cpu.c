/* proc-cpu.c: the remote procedures of host CPU models (virConnectGetCPUModelNames) and memory parameters (virNodeGetMemoryParameters): thin decode → core cpu-models.c → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "cpu-models.h"
#include "node.h"

#define REMOTE_CONNECT_CPU_MODELS_MAX 8192

/* {remote_nonnull_string arch; int need_results; u32 flags} → {remote_nonnull_string models<>; int ret} */
REMOTE_HANDLER(proc_connect_get_cpu_model_names) {
        char *arch = NULL;
        int32_t need_results;
        uint32_t flags;
        const char *const *models = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &arch, NULL);
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        int n = remote_args_end(rc);
        if (n == 0) {
                if (need_results > REMOTE_CONNECT_CPU_MODELS_MAX)
                        n = remote_error_rpc(&rc->err, "maxModels > REMOTE_CONNECT_CPU_MODELS_MAX");
                else
                        n = cpu_model_names(rc->client->conn, arch, flags, &models, &rc->err);
        }
        free(arch);
        if (n < 0)
                return -1;
        /* need_results 0: only the count (virsh asks for the names) */
        uint32_t k = need_results ? (uint32_t) n : 0;
        xdr_put_u32(&rc->ret, k);
        for (uint32_t i = 0; i < k; i++)
                xdr_put_string(&rc->ret, models[i]);
        xdr_put_i32(&rc->ret, n);
        return 0;
}

#define REMOTE_NODE_MEMORY_PARAMETERS_MAX 64

/* {int nparams; u32 flags} → {remote_typed_param params<>; int nparams}: nparams 0 asks for the count. */
REMOTE_HANDLER(proc_node_get_memory_parameters) {
        int32_t want;
        uint32_t flags;
        NodeMemParam p[NODE_MEMORY_PARAMS_MAX];
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (want < 0 || want > REMOTE_NODE_MEMORY_PARAMETERS_MAX)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE, "nparams too large");
        int n = node_memory_parameters(rc->client->conn, flags, p, &rc->err);
        if (n < 0)
                return -1;
        if (want == 0) {
                xdr_put_u32(&rc->ret, 0);
                xdr_put_i32(&rc->ret, NODE_MEMORY_PARAMS_MAX);   /* libvirt answers its constant */
                return 0;
        }
        if (n > want)
                n = want;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_string(&rc->ret, p[i].name);
                xdr_put_i32(&rc->ret, p[i].type);
                if (p[i].type == 2)
                        xdr_put_u32(&rc->ret, (uint32_t) p[i].value);
                else
                        xdr_put_u64(&rc->ret, p[i].value);
        }
        xdr_put_i32(&rc->ret, n);
        return 0;
}

#define REMOTE_NODE_MAX_PAGES 1024u
#define REMOTE_NODE_FREE_PAGES_MAX 1024u

/* {unsigned pages<REMOTE_NODE_MAX_PAGES>; int startCell; unsigned cellCount; unsigned flags}
 * → {unsigned hyper counts<REMOTE_NODE_FREE_PAGES_MAX>} */
REMOTE_HANDLER(proc_node_get_free_pages) {
        uint32_t n = 0, cells = 0, flags = 0;
        uint32_t pages[REMOTE_NODE_MAX_PAGES];
        int32_t start = 0;
        if (xdr_get_array_len(&rc->args, REMOTE_NODE_MAX_PAGES, 4, &n) < 0)
                n = 0;
        for (uint32_t i = 0; i < n; i++)
                xdr_get_u32(&rc->args, &pages[i]);
        xdr_get_i32(&rc->args, &start);
        xdr_get_u32(&rc->args, &cells);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        /* the limit before any allocation: n ≤ 1024, so the product fits 64 bits */
        if ((uint64_t) n * cells > REMOTE_NODE_FREE_PAGES_MAX)
                return remote_error_rpc(&rc->err, "the result won't fit into REMOTE_NODE_FREE_PAGES_MAX");
        uint64_t counts[REMOTE_NODE_FREE_PAGES_MAX];
        if (node_free_pages(rc->client->conn, pages, n, start, cells, flags, counts, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, n * cells);
        for (uint32_t i = 0; i < n * cells; i++)
                xdr_put_u64(&rc->ret, counts[i]);
        return 0;
}
