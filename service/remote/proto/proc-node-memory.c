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
        DomainTuneParam *params = calloc(REMOTE_NODE_MEMORY_PARAMETERS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        int bad = remote_get_tune_params(&rc->args, REMOTE_NODE_MEMORY_PARAMETERS_MAX, params, &n, &flags);
        Call *call = remote_params_end(rc, bad) < 0 ? NULL : remote_call_plain(rc, NULL);
        int r = call ? node_set_memory_parameters(rc->client->conn, params, n, flags, call, &rc->err) : -1;
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}
