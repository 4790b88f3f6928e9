/* bus-pool-sources.c: Connect.FindStoragePoolSources: the core's scan answers later with a string
 * (libvirt's <sources> XML), so the call carries its own completion. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "storage.h"

static void sources_done(Call *call, int r, const VbError *err, void *result) {
        sd_bus_message *m = call->userdata;
        if (!m)
                return;
        call->userdata = NULL;
        int q;
        if (r < 0 || !result) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                VbError none = { 0 };
                if (r >= 0)
                        vb_error_set(&none, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "no pool sources");
                bus_error(&e, r < 0 ? err : &none);
                q = sd_bus_reply_method_error(m, &e);
                sd_bus_error_free(&e);
        } else
                q = sd_bus_reply_method_return(m, "s", (const char *) result);
        if (q < 0)
                log_warning("cannot send the reply of FindStoragePoolSources: %s", strerror(-q));
        sd_bus_message_unref(m);
}

int bus_method_find_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *type, *spec;
        uint32_t flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &type, &spec, &flags);
        if (r < 0)
                return r;
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, sources_done, sd_bus_message_ref(m));
        if (!call) {
                sd_bus_message_unref(m);
                return -ENOMEM;
        }
        r = pool_find_sources(t->conn, type, bus_empty_to_null(spec), flags, call, &err);
        if (r < 0) {
                /* Nothing will complete the call: answer now. */
                sd_bus_message_unref(call->userdata);
                call->userdata = NULL;
                call_unref(call);
                return bus_error(ret_error, &err);
        }
        call_unref(call);
        return 1;
}
