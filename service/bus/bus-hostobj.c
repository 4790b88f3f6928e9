/* bus-hostobj.c: the D-Bus face of domain snapshots: their subtrees, properties and methods, with libvirt's answers while the core keeps none of them. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

/* The API libvirt-dbus looks the object of a path up with (its "not supported" names it). */
static const char *lookup_api(ObjectKind kind) {
        switch (kind) {
        case OBJECT_INTERFACE: return "virInterfaceLookupByMACString";
        case OBJECT_NODEDEV: return "virNodeDeviceLookupByName";
        case OBJECT_SECRET: return "virSecretLookupByUUID";
        case OBJECT_NWFILTER: return "virNWFilterLookupByUUID";
        case OBJECT_SNAPSHOT: return "virDomainSnapshotLookupByName";
        default: return "unknown";
        }
}

int bus_host_object_lookup(BusSubtree *t, const char *path, VbError *err) {
        if (t->kind->kind == OBJECT_INTERFACE)
                return bus_iface_lookup(t, path, err);
        if (t->kind->kind == OBJECT_NODEDEV)
                return bus_nodedev_lookup(t, path, err);
        if (t->kind->kind == OBJECT_SECRET)
                return bus_secret_lookup(t, path, err);
        if (t->kind->kind == OBJECT_NWFILTER)
                return bus_nwfilter_lookup(t, path, err);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "%s", lookup_api(t->kind->kind));
}

static bool host_exists(BusSubtree *t, const char *path) {
        return false;
}

static int host_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        *nodes = NULL;
        return 0;
}

static const sd_bus_vtable snapshot_vtable[] = {
        SD_BUS_VTABLE_START(0),
        BUS_DOMAINSNAPSHOT_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

static const BusPropName no_changes[] = { { 0, NULL } };

#define HOST_KIND(var, kind_, iface, vt) \
        const BusKind var = { .kind = kind_, .interface = iface, .vtable = vt, .changes = no_changes, \
                              .exists = host_exists, .enumerate = host_enumerate }

HOST_KIND(bus_kind_snapshot, OBJECT_SNAPSHOT, "org.libvirt.DomainSnapshot", snapshot_vtable);
