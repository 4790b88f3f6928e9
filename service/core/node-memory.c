/* node-memory.c: virNodeGetMemoryParameters (the driver's KSM values as libvirt's typed parameters: names, types, order) and virNodeGetFreePages. */
#include "node.h"

#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "manager.h"

#define TYPED_PARAM_STRING_OKAY 4u

int node_memory_parameters(Connection *c, unsigned flags, NodeMemParam out[NODE_MEMORY_PARAMS_MAX], VbError *err) {
        static const struct {
                const char *name;
                int type;       /* virTypedParameterType: 2 uint, 4 ullong */
        } params[NODE_MEMORY_PARAMS_MAX] = {
                { "shm_pages_to_scan", 2 }, { "shm_sleep_millisecs", 2 }, { "shm_pages_shared", 4 },
                { "shm_pages_sharing", 4 }, { "shm_pages_unshared", 4 }, { "shm_pages_volatile", 4 },
                { "shm_full_scans", 4 }, { "shm_merge_across_nodes", 2 },
        };
        const HostOps *ops = c->driver->host;
        if (!ops || !ops->memory_parameters)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "virNodeGetMemoryParameters");
        if (vb_check_flags(flags, TYPED_PARAM_STRING_OKAY, "virNodeGetMemoryParameters", err) < 0)
                return -1;
        uint64_t v[NODE_MEMORY_PARAMS_MAX] = { 0 };
        int n = ops->memory_parameters(c, v, err);
        if (n < 0)
                return -1;
        for (int i = 0; i < n && i < NODE_MEMORY_PARAMS_MAX; i++) {
                snprintf(out[i].name, sizeof out[i].name, "%s", params[i].name);
                out[i].type = params[i].type;
                out[i].value = v[i];
        }
        return n;
}

int node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells, unsigned flags,
                    uint64_t *counts, VbError *err) {
        const HostOps *ops = c->driver->host;
        if (!ops || !ops->free_pages)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "virNodeGetFreePages");
        const char *fn = c->driver->error_from == VB_FROM_TEST ? "testNodeGetFreePages" : "qemuNodeGetFreePages";
        if (vb_check_flags(flags, 0, fn, err) < 0) {
                if (err)
                        err->from = c->driver->error_from;
                return -1;
        }
        if (npages == 0 || cells == 0 || start < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "%s",
                                    npages == 0 ? "npages in virNodeGetFreePages must not be zero"
                                    : cells == 0 ? "cellCount in virNodeGetFreePages must not be zero"
                                                 : "startCell in virNodeGetFreePages must be zero or greater");
        return ops->free_pages(c, pages, npages, start, cells, counts, err);
}
