/* bus-iface.c: org.libvirt.Interface (host interfaces at <connect>/interface/EncodeStr(MAC)) and Connect's ListInterfaces and lookups. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"

/* The paths of a list's interfaces below prefix. */
static char **iface_paths(const char *prefix, const HostIfaceList *l) {
        return bus_paths_of_keys(prefix, l->items, l->n, sizeof *l->items, offsetof(HostIface, mac));
}

/* The interface a path names, looked up afresh (libvirt-dbus: virInterfaceLookupByMACString). */
static int iface_of_path(BusSubtree *t, const char *path, HostIface *out, VbError *err) {
        char *mac = bus_path_key(t->path, path);
        /* no MAC there: libvirt's lookup finds nothing (or says the connection cannot look) */
        int r = host_iface_by_mac(t->conn, mac && strlen(mac) < HOST_IFACE_MAC_MAX ? mac : "", out, err);
        free(mac);
        return r;
}

int bus_iface_lookup(BusSubtree *t, const char *path, VbError *err) {
        HostIface i = { 0 };
        int r = iface_of_path(t, path, &i, err);
        host_iface_done(&i);
        return r;
}

static int iface_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        HostIface i = { 0 };
        VbError err = { 0 };
        if (iface_of_path(userdata, path, &i, &err) < 0)
                return bus_error(ret_error, &err);
        int r = -ENOENT;
        if (strcmp(property, "Active") == 0)
                r = sd_bus_message_append(reply, "b", i.active);
        else if (strcmp(property, "MAC") == 0)
                r = sd_bus_message_append(reply, "s", i.mac);
        else if (strcmp(property, "Name") == 0)
                r = sd_bus_message_append(reply, "s", i.name);
        host_iface_done(&i);
        return r;
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        HostIface i = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (iface_of_path(t, sd_bus_message_get_path(m), &i, &err) < 0)
                return bus_error(ret_error, &err);
        char *xml = host_iface_xml(t->conn, &i, flags, &err);
        host_iface_done(&i);
        return bus_reply_string_owned(m, xml, &err, ret_error);
}

static bool iface_exists(BusSubtree *t, const char *path) {
        return bus_iface_lookup(t, path, &(VbError) { 0 }) == 0;
}

static int iface_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        HostIfaceList l;
        *nodes = NULL;
        if (host_iface_list(t->conn, 0, &l, &(VbError) { 0 }) < 0)
                return 0;       /* a connection without interfaces: an empty node */
        *nodes = iface_paths(t->path, &l);      /* prefix is the path asked about */
        host_iface_list_done(&l);
        return *nodes ? 0 : -ENOMEM;
}

#define CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable iface_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", iface_property_get, 0, 0),
        SD_BUS_PROPERTY("MAC", "s", iface_property_get, 0, CONST),
        SD_BUS_PROPERTY("Name", "s", iface_property_get, 0, CONST),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), method_get_xml_desc,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        BUS_INTERFACE_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_interface = {
        .kind = OBJECT_INTERFACE,
        .interface = "org.libvirt.Interface",
        .vtable = iface_vtable,
        .exists = iface_exists,
        .enumerate = iface_enumerate,
};

/* --- Connect --- */

static int reply_iface(sd_bus_message *m, BusSubtree *t, int r, HostIface *i, const VbError *err,
                       sd_bus_error *ret_error) {
        if (r < 0)
                return bus_error(ret_error, err);
        char *prefix = bus_path_join(t->path, "interface");
        char *path = prefix ? bus_path_of_key(prefix, i->mac) : NULL;
        host_iface_done(i);
        r = path ? sd_bus_reply_method_return(m, "o", path) : -ENOMEM;
        free(prefix);
        free(path);
        return r;
}

int bus_method_interface_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *name;
        HostIface i = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        return reply_iface(m, t, host_iface_by_name(t->conn, name, &i, &err), &i, &err, ret_error);
}

int bus_method_interface_lookup_by_mac(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *mac;
        HostIface i = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &mac);
        if (r < 0)
                return r;
        return reply_iface(m, t, host_iface_by_mac(t->conn, mac, &i, &err), &i, &err, ret_error);
}

int bus_method_list_interfaces(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        HostIfaceList l;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (host_iface_list(t->conn, flags, &l, &err) < 0)
                return bus_error(ret_error, &err);
        char *prefix = bus_path_join(t->path, "interface");
        char **paths = prefix ? iface_paths(prefix, &l) : NULL;
        free(prefix);
        host_iface_list_done(&l);
        return bus_reply_paths(m, paths);
}
