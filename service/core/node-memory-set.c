/* node-memory-set.c: virNodeSetMemoryParameters: the kernel's same-page merging settings (shm_pages_to_scan, shm_sleep_millisecs, shm_merge_across_nodes), checked as libvirt does, written by the driver off the loop. */
#define LOG_MODULE "node"
#include "node.h"

#include <string.h>

#include "call.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

int node_set_memory_parameters(Connection *c, const DomainTuneParam *params, size_t n, unsigned flags, Call *call,
                               VbError *err) {
        static const char *const names[3] = { "shm_pages_to_scan", "shm_sleep_millisecs", "shm_merge_across_nodes" };
        const HostOps *ops = c->driver->host;
        if (!ops || !ops->set_memory_parameters)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "virNodeSetMemoryParameters");
        if (vb_check_flags(flags, 0, "virNodeSetMemoryParameters", err) < 0)
                return -1;
        bool set[3] = { false };
        unsigned v[3] = { 0 };
        for (size_t i = 0; i < n; i++) {
                size_t k = 0;
                while (k < 3 && strcmp(params[i].name, names[k]) != 0)
                        k++;
                if (k == 3)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_NONE, "parameter '%s' not supported",
                                            params[i].name);
                if (params[i].type != DOMAIN_STAT_UINT)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                            "invalid type for parameter '%s', expected 'uint'", params[i].name);
                if (k == 2 && params[i].ull > 1)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                            "invalid value %llu for parameter 'shm_merge_across_nodes': 0 or 1",
                                            (unsigned long long) params[i].ull);
                set[k] = true;
                v[k] = (unsigned) params[i].ull;
        }
        if (!set[0] && !set[1] && !set[2])
                return 0;
        log_info("KSM: pages_to_scan %s%u, sleep_millisecs %s%u, merge_across_nodes %s%u", set[0] ? "" : "(kept) ", v[0],
                 set[1] ? "" : "(kept) ", v[1], set[2] ? "" : "(kept) ", v[2]);
        return ops->set_memory_parameters(c, set, v, call, err);
}
