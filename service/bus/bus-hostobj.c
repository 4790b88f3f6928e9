/* bus-hostobj.c: the lookup of the host object kinds' paths (interfaces, node devices, domain snapshots), each in its own file. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

/* The API libvirt-dbus looks the object of a path up with (its "not supported" names it). */
static const char *lookup_api(ObjectKind kind) {
        switch (kind) {
        case OBJECT_INTERFACE: return "virInterfaceLookupByMACString";
        case OBJECT_NODEDEV: return "virNodeDeviceLookupByName";
        case OBJECT_SNAPSHOT: return "virDomainSnapshotLookupByName";
        default: return "unknown";
        }
}

int bus_host_object_lookup(BusSubtree *t, const char *path, VbError *err) {
        if (t->kind->kind == OBJECT_INTERFACE)
                return bus_iface_lookup(t, path, err);
        if (t->kind->kind == OBJECT_NODEDEV)
                return bus_nodedev_lookup(t, path, err);
        if (t->kind->kind == OBJECT_SNAPSHOT)
                return bus_snapshot_lookup(t, path, err);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "%s", lookup_api(t->kind->kind));
}

