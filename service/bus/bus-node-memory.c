/* bus-node-memory.c: org.libvirt.Connect.NodeSetMemoryParameters over core node-memory-set.c (KSM, written off the loop by the driver). */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>

#include "call.h"
#include "domain.h"
#include "node.h"

/* Connect.NodeSetMemoryParameters (a{sv} params, u flags): the driver writes KSM's files later. */
int bus_method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        DomainTuneParam p[BUS_TUNE_PARAMS_MAX];
        size_t n = 0;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = bus_read_tune_params(m, p, &n, &err);
        if (r == -1 && err.code)
                return bus_error(ret_error, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = node_set_memory_parameters(t->conn, p, n, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
