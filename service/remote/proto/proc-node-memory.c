/* proc-node-memory.c: virNodeSetMemoryParameters (virsh node-memory-tune --shm-*): decode → core node-memory-set.c, answered once the driver's writer is done. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "call.h"
#include "domain.h"
#include "node.h"

#define REMOTE_NODE_MEMORY_PARAMETERS_MAX 64u

/* {remote_typed_param params<64>; u32 flags} → {} */
REMOTE_HANDLER(proc_node_set_memory_parameters) {
        uint32_t n = 0, flags = 0;
        bool bad = false;
        DomainTuneParam *params = calloc(REMOTE_NODE_MEMORY_PARAMETERS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        if (xdr_get_array_len(&rc->args, REMOTE_NODE_MEMORY_PARAMETERS_MAX, 12, &n) == 0)
                for (uint32_t i = 0; i < n && !bad; i++)
                        bad = remote_get_tune_param(&rc->args, &params[i]) < 0;
        if (!bad)
                xdr_get_u32(&rc->args, &flags);
        Call *call = NULL;
        if (remote_args_end(rc) == 0) {
                if (bad)
                        vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type");
                else
                        call = remote_call_plain(rc, NULL);
        }
        int r = call ? node_set_memory_parameters(rc->client->conn, params, n, flags, call, &rc->err) : -1;
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}
