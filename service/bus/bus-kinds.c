/* bus-kinds.c: the BusKind (interface, vtable, enumerator) that serves each kind of core object. */
#include "bus-internal.h"

const BusKind *bus_kind_of(ObjectKind kind) {
        switch (kind) {
        case OBJECT_DOMAIN: return &bus_kind_domain;
        case OBJECT_NETWORK: return &bus_kind_network;
        case OBJECT_POOL: return &bus_kind_pool;
        case OBJECT_VOLUME: return &bus_kind_vol;
        case OBJECT_INTERFACE: return &bus_kind_interface;
        case OBJECT_NODEDEV: return &bus_kind_nodedev;
        case OBJECT_SECRET: return &bus_kind_secret;
        case OBJECT_NWFILTER: return &bus_kind_nwfilter;
        case OBJECT_SNAPSHOT: return &bus_kind_snapshot;
        default: return &bus_kind_connect;
        }
}
