/* bus-unsupported.c: the answer of a libvirt-dbus member virtbus does not serve yet: the object first (a stale path is "not found", as libvirt-dbus looks it up before it calls), then libvirt's "not supported" naming the API of the member's row. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

/* libvirt-dbus finds the object of a path before it calls the API: a domain, network, pool,
 * volume, secret or network filter that is gone answers its lookup's error; the other kinds
 * answer through their own lookups (bus-hostobj.c). */
static int object_of_path(BusSubtree *t, const char *path, VbError *err) {
        switch (t->kind->kind) {
        case OBJECT_DOMAIN:
        case OBJECT_NETWORK:
        case OBJECT_POOL:
        case OBJECT_VOLUME:
        case OBJECT_SECRET:
        case OBJECT_NWFILTER:
                return bus_object_of(t, path, err) ? 0 : -1;
        case _OBJECT_KIND_MAX:
                return 0;       /* the Connect object */
        default:
                return bus_host_object_lookup(t, path, err);
        }
}

int bus_method_not_supported(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        if (object_of_path(t, sd_bus_message_get_path(m), &err) < 0)
                return bus_error(ret_error, &err);
        const ApiRow *row = bus_api_row(m);
        vb_error_set(&err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "%s", row ? row->name : sd_bus_message_get_member(m));
        return bus_error(ret_error, &err);
}
