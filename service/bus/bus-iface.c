/* bus-iface.c: org.libvirt.Interface (host interfaces at <connect>/interface/EncodeStr(MAC)) and Connect's ListInterfaces and lookups. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"

static char *iface_path(const BusSubtree *t, const char *connect_path, const char *mac) {
        char *leaf = bus_path_encode_str(mac);
        char *prefix = bus_path_join(connect_path, "interface");
        char *path = leaf && prefix ? bus_path_join(prefix, leaf) : NULL;
        free(leaf);
        free(prefix);
        return path;
}

/* The interface a path names, looked up afresh (libvirt-dbus: virInterfaceLookupByMACString). */
static int iface_of_path(BusSubtree *t, const char *path, HostIface *out, VbError *err) {
        const char *leaf = bus_path_leaf(t->path, path);
        char *mac = NULL;
        if (!leaf || bus_path_decode_str(leaf, &mac) < 0 || strlen(mac) >= HOST_IFACE_MAC_MAX) {
                free(mac);
                /* no MAC there: libvirt's lookup finds nothing (or says the connection cannot look) */
                return host_iface_by_mac(t->conn, "", out, err);
        }
        int r = host_iface_by_mac(t->conn, mac, out, err);
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
        char **v = calloc(l.n + 1, sizeof *v);
        for (size_t i = 0; v && i < l.n; i++) {
                char *leaf = bus_path_encode_str(l.items[i].mac);
                v[i] = leaf ? bus_path_join(t->path, leaf) : NULL;       /* prefix is the path asked about */
                free(leaf);
        }
        host_iface_list_done(&l);
        if (!v)
                return -ENOMEM;
        *nodes = v;
        return 0;
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
        char *path = iface_path(t, t->path, i->mac);
        host_iface_done(i);
        if (!path)
                return -ENOMEM;
        r = sd_bus_reply_method_return(m, "o", path);
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
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (host_iface_list(t->conn, flags, &l, &err) < 0)
                return bus_error(ret_error, &err);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (size_t i = 0; r >= 0 && i < l.n; i++) {
                char *path = iface_path(t, t->path, l.items[i].mac);
                r = path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
                free(path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        host_iface_list_done(&l);
        return r;
}
