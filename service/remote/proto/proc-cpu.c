/* proc-cpu.c: the remote procedures of host CPU models (virConnectGetCPUModelNames): thin decode → core cpu-models.c → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "cpu-models.h"

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
