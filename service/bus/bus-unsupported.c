/* bus-unsupported.c: the answer of a libvirt-dbus member virtbus does not serve yet: the object first (a stale path is "not found", as libvirt-dbus looks it up before it calls), then libvirt's "not supported" naming the API of the member's row. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include "domain.h"
#include "network.h"
#include "storage.h"

/* libvirt-dbus finds the object of a path before it calls the API: a domain, network, pool or
 * volume that is gone answers its lookup's error; the kinds virtbus keeps no objects of yet
 * answer the lookup's own "not supported". */
static int object_of_path(BusSubtree *t, const char *path, VbError *err) {
        switch (t->kind->kind) {
        case OBJECT_DOMAIN:
                return bus_path_domain(t->conn, t->path, path, err) ? 0 : -1;
        case OBJECT_NETWORK:
                return bus_path_network(t->conn, t->path, path, err) ? 0 : -1;
        case OBJECT_POOL:
                return bus_path_pool(t->conn, t->path, path, err) ? 0 : -1;
        case OBJECT_VOLUME:
                return bus_path_vol(t->conn, t->path, path, err) ? 0 : -1;
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
