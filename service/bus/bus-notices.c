/* bus-notices.c: the core's notices (manager.h) turned into libvirt-dbus 1.4.1's signals: objects
 * added and removed, lifecycle, properties changed, and the guest's own events (bus-domain-events.c). */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void emit_lifecycle(Bus *b, const Notice *n, const char *path) {
        Connection *c = n->obj->conn;
        char *connect_path = bus_connect_path(c);
        int r = -ENOMEM;
        if (!connect_path)
                goto out;
        switch (n->obj->kind) {
        case OBJECT_DOMAIN:
                r = sd_bus_emit_signal(b->bus, connect_path, bus_kind_connect.interface, "DomainEvent", "oii",
                                       path, n->event, n->detail);
                break;
        case OBJECT_NETWORK:
                /* libvirt-dbus drops the network event's detail */
                r = sd_bus_emit_signal(b->bus, connect_path, bus_kind_connect.interface, "NetworkEvent", "oi",
                                       path, n->event);
                break;
        case OBJECT_POOL:
                r = sd_bus_emit_signal(b->bus, connect_path, bus_kind_connect.interface, "StoragePoolEvent",
                                       "oii", path, n->event, n->detail);
                break;
        case OBJECT_SECRET:
                r = sd_bus_emit_signal(b->bus, connect_path, bus_kind_connect.interface, "SecretEvent",
                                       "oii", path, n->event, n->detail);
                break;
        case OBJECT_NODEDEV:
                r = sd_bus_emit_signal(b->bus, connect_path, bus_kind_connect.interface, "NodeDeviceEvent",
                                       "oii", path, n->event, n->detail);
                break;
        default:
                r = 0;  /* volumes have no lifecycle signal in libvirt-dbus */
                break;
        }
out:
        if (r < 0)
                log_warning("cannot emit lifecycle signal for %s: %s", path, strerror(-r));
        free(connect_path);
}

static void emit_changed(Bus *b, const Notice *n, const char *path) {
        const BusKind *kind = bus_kind_of(n->obj->kind);
        const char *names[16];
        size_t k = 0;
        if (!kind->changes)
                return;
        for (const BusPropName *p = kind->changes; p->name && k < 15; p++)
                if (n->changed & p->bit)
                        names[k++] = p->name;
        if (k == 0)
                return;         /* e.g. only PROP_STATE: no D-Bus property shows it */
        names[k] = NULL;
        int r = sd_bus_emit_properties_changed_strv(b->bus, path, kind->interface, (char **) names);
        if (r < 0)
                log_warning("cannot emit PropertiesChanged for %s: %s", path, strerror(-r));
}

void bus_on_notice(const Notice *n, void *userdata) {
        Bus *b = userdata;
        char *path = bus_object_path(n->obj);
        int r = 0;
        if (!path) {
                log_error("out of memory formatting an object path");
                return;
        }
        switch (n->type) {
        case NOTICE_ADDED:
                r = sd_bus_emit_object_added(b->bus, path);
                break;
        case NOTICE_REMOVED:
                r = sd_bus_emit_object_removed(b->bus, path);
                break;
        case NOTICE_LIFECYCLE:
                emit_lifecycle(b, n, path);
                break;
        case NOTICE_CHANGED:
                emit_changed(b, n, path);
                break;
        case NOTICE_REBOOT:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "Reboot", NULL);
                break;
        case NOTICE_METADATA:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "MetadataChange", "is",
                                       n->event, n->text ? n->text : "");
                break;
        case NOTICE_POOL_REFRESH:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_pool.interface, "Refresh", NULL);
                break;
        case NOTICE_SECRET_VALUE:
                break;  /* libvirt-dbus 1.4.1 has no signal for it (the remote door has its event) */
        case NOTICE_DEVICE_ADDED:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "DeviceAdded", "s", n->text ? n->text : "");
                break;
        case NOTICE_DEVICE_REMOVED:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "DeviceRemoved", "s", n->text ? n->text : "");
                break;
        case NOTICE_DEVICE_REMOVAL_FAILED:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "DeviceRemovalFailed", "s",
                                       n->text ? n->text : "");
                break;
        case NOTICE_AGENT_LIFECYCLE:
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "AgentEvent", "ii", n->event, n->detail);
                break;
        case NOTICE_BLOCK_JOB:  /* libvirt-dbus: BlockJob(s disk, i type, i status) with the disk's target */
                r = sd_bus_emit_signal(b->bus, path, bus_kind_domain.interface, "BlockJob", "sii", n->text ? n->text : "",
                                       n->event, n->detail);
                break;
        case NOTICE_BLOCK_THRESHOLD:    /* libvirt-dbus 1.4.1 has no such signal */
                break;
        default:
                r = bus_emit_guest_event(b->bus, n, path);
                break;
        }
        if (r < 0)
                log_warning("cannot emit signal (notice %d) for %s: %s", n->type, path, strerror(-r));
        free(path);
}
