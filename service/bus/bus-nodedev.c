/* bus-nodedev.c: org.libvirt.NodeDevice (host node devices at <connect>/nodedev/EncodeStr(name)) and Connect's ListNodeDevices and lookup. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "nodedev.h"

/* The paths of a list's devices below prefix. */
static char **dev_paths(const char *prefix, const NodeDevList *l) {
        return bus_paths_of_keys(prefix, l->items, l->n, sizeof *l->items, offsetof(NodeDev, name));
}

/* The device a path names, looked up afresh (libvirt-dbus: virNodeDeviceLookupByName). */
static int dev_of_path(BusSubtree *t, const char *path, NodeDev *out, VbError *err) {
        char *name = bus_path_key(t->path, path);
        int r = nodedev_by_name(t->conn, name ? name : "", out, err);
        free(name);
        return r;
}

int bus_nodedev_lookup(BusSubtree *t, const char *path, VbError *err) {
        NodeDev d = { 0 };
        int r = dev_of_path(t, path, &d, err);
        nodedev_done(&d);
        return r;
}

static int dev_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        NodeDev d = { 0 };
        VbError err = { 0 };
        if (dev_of_path(userdata, path, &d, &err) < 0)
                return bus_error(ret_error, &err);
        int r = -ENOENT;
        if (strcmp(property, "Name") == 0)
                r = sd_bus_message_append(reply, "s", d.name);
        else if (strcmp(property, "Parent") == 0)
                r = sd_bus_message_append(reply, "s", d.parent);      /* "" for the root */
        nodedev_done(&d);
        return r;
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        NodeDev d = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (dev_of_path(t, sd_bus_message_get_path(m), &d, &err) < 0)
                return bus_error(ret_error, &err);
        char *xml = nodedev_xml(t->conn, &d, flags, &err);
        nodedev_done(&d);
        return bus_reply_string_owned(m, xml, &err, ret_error);
}

static int method_list_caps(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        NodeDev d = { 0 };
        VbError err = { 0 };
        if (dev_of_path(t, sd_bus_message_get_path(m), &d, &err) < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < d.n_caps; i++)
                r = sd_bus_message_append(reply, "s", d.caps[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        nodedev_done(&d);
        return r;
}

static bool dev_exists(BusSubtree *t, const char *path) {
        return bus_nodedev_lookup(t, path, &(VbError) { 0 }) == 0;
}

static int dev_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        NodeDevList l;
        *nodes = NULL;
        if (nodedev_list(t->conn, 0, &l, &(VbError) { 0 }) < 0)
                return 0;       /* a connection without node devices: an empty node */
        *nodes = dev_paths(t->path, &l);        /* prefix is the path asked about */
        nodedev_list_done(&l);
        return *nodes ? 0 : -ENOMEM;
}

#define CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable nodedev_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", dev_property_get, 0, CONST),
        SD_BUS_PROPERTY("Parent", "s", dev_property_get, 0, CONST),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), method_get_xml_desc,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListCaps", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", names), method_list_caps,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        BUS_NODEDEVICE_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_nodedev = {
        .kind = OBJECT_NODEDEV,
        .interface = "org.libvirt.NodeDevice",
        .vtable = nodedev_vtable,
        .exists = dev_exists,
        .enumerate = dev_enumerate,
};

/* --- Connect --- */

int bus_method_node_device_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *name;
        NodeDev d = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (nodedev_by_name(t->conn, name, &d, &err) < 0)
                return bus_error(ret_error, &err);
        char *prefix = bus_path_join(t->path, "nodedev");
        char *path = prefix ? bus_path_of_key(prefix, d.name) : NULL;
        r = path ? sd_bus_reply_method_return(m, "o", path) : -ENOMEM;
        free(prefix);
        free(path);
        nodedev_done(&d);
        return r;
}

int bus_method_list_node_devices(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        NodeDevList l;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (nodedev_list(t->conn, flags, &l, &err) < 0)
                return bus_error(ret_error, &err);
        char *prefix = bus_path_join(t->path, "nodedev");
        char **paths = prefix ? dev_paths(prefix, &l) : NULL;
        free(prefix);
        nodedev_list_done(&l);
        return bus_reply_paths(m, paths);
}
