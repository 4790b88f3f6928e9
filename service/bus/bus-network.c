/* bus-network.c: org.libvirt.Network: properties and verbs of one virtual network. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "network.h"

static Network *network_of(BusSubtree *t, const char *path, VbError *err) {
        return bus_path_network(t->conn, t->path, path, err);
}

static bool network_active(const Object *o) {
        return ((const Network *) o)->active;
}

static int network_autostart(Object *o, bool autostart, VbError *err) {
        return network_set_autostart((Network *) o, autostart, err);
}

static char *network_xml(Object *o, unsigned flags, VbError *err) {
        return network_get_xml((Network *) o, flags, err);
}

static const BusObjectState network_state = {
        .active = network_active,
        .autostart = offsetof(Network, autostart),
        .persistent = offsetof(Network, persistent),
        .set_autostart = network_autostart,
};

static int network_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                             sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return bus_enumerate_registry(&t->conn->net->networks, nodes);
}

typedef enum NetworkVerb { NETWORK_CREATE, NETWORK_DESTROY, NETWORK_UNDEFINE } NetworkVerb;

static int run_verb(sd_bus_message *m, BusSubtree *t, NetworkVerb verb, sd_bus_error *ret_error) {
        VbError err = { 0 };
        int r;
        Network *n = network_of(t, sd_bus_message_get_path(m), &err);
        if (!n)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        switch (verb) {
        case NETWORK_CREATE: r = network_start(n, call, &err); break;
        case NETWORK_DESTROY: r = network_destroy(n, call, &err); break;
        case NETWORK_UNDEFINE: r = network_undefine(n, &err); break;
        default: r = -1; break;
        }
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_verb(m, userdata, NETWORK_CREATE, ret_error);
}
static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_verb(m, userdata, NETWORK_DESTROY, ret_error);
}
static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_verb(m, userdata, NETWORK_UNDEFINE, ret_error);
}

/* virNetworkUpdate(command, section, parentIndex, xml, flags), in libvirt-dbus's order. */
static int method_update(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint32_t command, section, flags;
        int32_t parent_index;
        const char *xml;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uuisu", &command, &section, &parent_index, &xml, &flags);
        if (r < 0)
                return r;
        Network *n = network_of(userdata, sd_bus_message_get_path(m), &err);
        if (!n)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = network_update(n, command, section, parent_index, xml, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* virNetworkGetDHCPLeases: "" for a NULL mac in, "" for NULL strings out (libvirt-dbus's rule). */
static int method_get_dhcp_leases(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *mac;
        uint32_t flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &mac, &flags);
        if (r < 0)
                return r;
        Network *n = network_of(userdata, sd_bus_message_get_path(m), &err);
        NetworkLease *leases = NULL;
        size_t count = 0;
        if (!n || network_get_dhcp_leases(n, mac[0] ? mac : NULL, flags, &leases, &count, &err) < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sxisssuss)");
        for (size_t i = 0; r >= 0 && i < count; i++) {
                const NetworkLease *l = &leases[i];
                r = sd_bus_message_append(reply, "(sxisssuss)", l->iface, l->expiry, l->type, l->mac ? l->mac : "",
                                          l->iaid ? l->iaid : "", l->ipaddr, l->prefix, l->hostname ? l->hostname : "",
                                          l->clientid ? l->clientid : "");
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        network_leases_free(leases, count);
        return r < 0 ? r : 1;
}

#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable network_vtable[] = {
        SD_BUS_VTABLE_START(0),
        BUS_OBJECT_STATE_PROPERTIES
        SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_create, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_destroy, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetDHCPLeases", SD_BUS_ARGS("s", mac, "u", flags),
                                SD_BUS_RESULT("a(sxisssuss)", leases), method_get_dhcp_leases, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                                bus_object_method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_undefine, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Update",
                                SD_BUS_ARGS("u", command, "u", section, "i", parentIndex, "s", xml, "u", flags),
                                SD_BUS_NO_RESULT, method_update, UNPRIV),
        BUS_NETWORK_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

static const BusPropName network_changes[] = {
        { PROP_ACTIVE, "Active" },
        { PROP_AUTOSTART, "Autostart" },
        { PROP_PERSISTENT, "Persistent" },
        { 0, NULL },
};

const BusKind bus_kind_network = {
        .kind = OBJECT_NETWORK,
        .interface = "org.libvirt.Network",
        .vtable = network_vtable,
        .changes = network_changes,
        .exists = bus_object_exists,
        .enumerate = network_enumerate,
        .state = &network_state,
        .xml = network_xml,
};
