/* bus-pool-sources.c: Connect.FindStoragePoolSources: the core's scan answers later with a string
 * (libvirt's <sources> XML), so the call carries its own completion. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>

#include "storage.h"

static int reply_sources(sd_bus_message *m, const void *xml) {
        return sd_bus_reply_method_return(m, "s", (const char *) xml);
}

int bus_method_find_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *type, *spec;
        uint32_t flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &type, &spec, &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new_reply(m, reply_sources, false);
        if (!call)
                return -ENOMEM;
        r = pool_find_sources(t->conn, type, bus_empty_to_null(spec), flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);   /* the sources come later */
}
