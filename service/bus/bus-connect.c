/* bus-connect.c: org.libvirt.Connect: one hypervisor connection's properties, lists, lookups, define/create and host queries. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"
#include "list-filter.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "driver.h"
#include "node.h"
#include "network.h"
#include "storage.h"
#include "uuid.h"

/* --- Properties --- */

static int connect_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        if (strcmp(property, "Encrypted") == 0 || strcmp(property, "Secure") == 0)
                return sd_bus_message_append(reply, "b", 0);  /* a local connection: neither */
        if (strcmp(property, "LibVersion") == 0)
                return sd_bus_message_append(reply, "t", BUS_LIB_VERSION);
        if (strcmp(property, "Version") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t) t->conn->driver->version);
        if (strcmp(property, "Hostname") == 0) {
                char name[HOST_NAME_MAX + 1] = "";
                if (gethostname(name, sizeof name) < 0)
                        return bus_errno(ret_error, -errno);
                name[HOST_NAME_MAX] = '\0';
                return sd_bus_message_append(reply, "s", name);
        }
        return -ENOENT;
}

static bool connect_exists(BusSubtree *t, const char *path) {
        return true;
}

/* --- Lists: the core filters (list-filter.c), adapted to bus_reply_object_list --- */

static bool keep_domain(const Object *o, void *data) {
        return list_filter_domain(o, *(unsigned *) data);
}

static bool keep_network(const Object *o, void *data) {
        return list_filter_network(o, *(unsigned *) data);
}

static bool keep_pool(const Object *o, void *data) {
        return list_filter_pool(o, *(unsigned *) data);
}

/* List*(u flags): libvirt's flag check, then the filtered paths. */
static int reply_list(sd_bus_message *m, const Registry *reg, bool (*keep)(const Object *o, void *data),
                      unsigned allowed, const char *function, sd_bus_error *ret_error) {
        unsigned flags;
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, allowed, function, ret_error);
        if (r < 0)
                return r;
        return bus_reply_object_list(m, reg, keep, &flags);
}

static int method_list_domains(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return reply_list(m, &t->conn->domains, keep_domain, LIST_DOMAINS_ALL, "virConnectListAllDomains",
                          ret_error);
}

static int method_list_networks(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return reply_list(m, &t->conn->net->networks, keep_network, LIST_NETWORKS_ALL, "virConnectListAllNetworks",
                          ret_error);
}

static int method_list_pools(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return reply_list(m, &t->conn->storage->pools, keep_pool, LIST_POOLS_ALL, "virConnectListAllStoragePools",
                          ret_error);
}

/* --- Domains --- */

static int method_domain_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        Domain *d = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_create_xml(t->conn, xml, strlen(xml), flags, call, &d, &err);
        if (r >= 0 && !d && r != VERB_PENDING) {
                /* started and already gone again (a transient guest that stopped at once) */
                r = vb_error_set(&err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, NULL);
        }
        return bus_call_finish(call, r, &err, d ? &d->obj : NULL, ret_error);
}

static int method_domain_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        Domain *d = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        if (domain_define(t->conn, xml, strlen(xml), 0, &d, &err) < 0)
                return bus_error(ret_error, &err);
        return bus_reply_object(m, &d->obj);
}

static int method_domain_lookup_by_id(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        int32_t id;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "i", &id);
        if (r < 0)
                return r;
        Domain *d = domain_lookup_id(t->conn, id, &err);
        return bus_reply_found(m, d ? &d->obj : NULL, &err, ret_error);
}

/* Connect's <Kind>LookupByName and <Kind>LookupByUUID: (s) → o, by the member called. */
static const struct {
        const char *member;
        ObjectKind kind;
        bool by_uuid;
} lookups[] = {
        { "DomainLookupByName", OBJECT_DOMAIN, false },
        { "DomainLookupByUUID", OBJECT_DOMAIN, true },
        { "NetworkLookupByName", OBJECT_NETWORK, false },
        { "NetworkLookupByUUID", OBJECT_NETWORK, true },
        { "NWFilterLookupByName", OBJECT_NWFILTER, false },
        { "NWFilterLookupByUUID", OBJECT_NWFILTER, true },
        { "SecretLookupByUUID", OBJECT_SECRET, true },
        { "StoragePoolLookupByName", OBJECT_POOL, false },
        { "StoragePoolLookupByUUID", OBJECT_POOL, true },
};

int bus_method_lookup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *member = sd_bus_message_get_member(m);
        const char *s;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
                if (strcmp(member, lookups[i].member) != 0)
                        continue;
                Object *o = lookups[i].by_uuid ? bus_lookup_uuid(t->conn, lookups[i].kind, s, &err)
                                               : bus_lookup_name(t->conn, lookups[i].kind, s, &err);
                return bus_reply_found(m, o, &err, ret_error);
        }
        return -ENOENT;         /* a vtable row with no lookup here */
}

/* --- Networks and pools --- */

/* <Kind>DefineXML answers at once, <Kind>CreateXML may answer later; both with the object's
 * path. The pool methods carry flags, the network ones none. */
static int object_from_xml(sd_bus_message *m, BusSubtree *t, ObjectKind kind, bool start, sd_bus_error *ret_error) {
        const char *xml;
        unsigned flags = 0;
        Network *n = NULL;
        StoragePool *p = NULL;
        VbError err = { 0 };
        bool pool = kind == OBJECT_POOL;
        int r = pool ? sd_bus_message_read(m, "su", &xml, &flags) : sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        size_t len = strlen(xml);
        if (!start) {
                r = pool ? pool_define(t->conn, xml, len, flags, &p, &err)
                         : network_define(t->conn, xml, len, 0, &n, &err);
                return r < 0 ? bus_error(ret_error, &err) : bus_reply_object(m, pool ? &p->obj : &n->obj);
        }
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = pool ? pool_create_xml(t->conn, xml, len, flags, call, &p, &err)
                 : network_create_xml(t->conn, xml, len, 0, call, &n, &err);
        return bus_call_finish(call, r, &err, p ? &p->obj : n ? &n->obj : NULL, ret_error);
}

static int method_network_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return object_from_xml(m, userdata, OBJECT_NETWORK, true, ret_error);
}

static int method_network_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return object_from_xml(m, userdata, OBJECT_NETWORK, false, ret_error);
}

static int method_pool_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return object_from_xml(m, userdata, OBJECT_POOL, true, ret_error);
}

static int method_pool_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return object_from_xml(m, userdata, OBJECT_POOL, false, ret_error);
}

/* --- Storage volumes --- */

static int method_vol_lookup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *s;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        bool by_key = strcmp(sd_bus_message_get_member(m), "StorageVolLookupByKey") == 0;
        StorageVol *v = by_key ? vol_lookup_key(t->conn, s, &err) : vol_lookup_path(t->conn, s, &err);
        return bus_reply_found(m, v ? &v->obj : NULL, &err, ret_error);
}

/* --- Host --- */

/* The capabilities XML, now or once QEMU's probe has ended (node-wait.c). */
static int reply_xml(sd_bus_message *m, const void *xml) {
        return sd_bus_reply_method_return(m, "s", (const char *) xml);
}

static int capabilities_finish(Call *call, int r, char *xml, const VbError *err, sd_bus_error *ret_error) {
        r = bus_call_finish_reply(call, r, err, xml, ret_error);
        free(xml);
        return r;
}

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        Call *call = bus_call_new_reply(m, reply_xml, false);
        if (!call)
                return -ENOMEM;
        char *xml = NULL;
        int r = node_capabilities_call(t->conn, call, &xml, &err);
        return capabilities_finish(call, r, xml, &err, ret_error);
}

/* Empty strings stand for NULL arguments, as in libvirt-dbus. */
static int method_get_domain_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *emulator, *arch, *machine, *virttype;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssssu", &emulator, &arch, &machine, &virttype, &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new_reply(m, reply_xml, false);
        if (!call)
                return -ENOMEM;
        char *xml = NULL;
        r = node_domain_capabilities_call(t->conn, emulator, arch, machine, virttype, flags, call, &xml, &err);
        return capabilities_finish(call, r, xml, &err, ret_error);
}

static int method_get_sysinfo(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        return bus_reply_string_owned(m, node_sysinfo(t->conn, flags, &err), &err, ret_error);
}

static int method_node_get_free_memory(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        uint64_t bytes = 0;
        VbError err = { 0 };
        if (node_free_memory(t->conn, &bytes, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "t", bytes);
}

/* virNodeGetMemoryStats in KiB. */
static int method_node_get_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        int32_t cell;
        unsigned flags;
        NodeMemoryStats st;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "iu", &cell, &flags);
        if (r < 0)
                return r;
        if (node_memory_stats(t->conn, cell, flags, &st, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "a{st}", 4, "total", st.total_kib, "free", st.free_kib, "buffers",
                                          st.buffers_kib, "cached", st.cached_kib);
}

#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable connect_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Encrypted", "b", connect_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Hostname", "s", connect_property_get, 0, 0),
        SD_BUS_PROPERTY("LibVersion", "t", connect_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Secure", "b", connect_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Version", "t", connect_property_get, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("DomainCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", domain),
                                method_domain_create_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainRestore", SD_BUS_ARGS("s", from, "s", xml, "u", flags), SD_BUS_NO_RESULT,
                                bus_method_domain_restore, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainSaveImageGetXMLDesc", SD_BUS_ARGS("s", file, "u", flags), SD_BUS_RESULT("s", xml),
                                bus_method_domain_save_image_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainDefineXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", domain),
                                method_domain_define_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainLookupByID", SD_BUS_ARGS("i", id), SD_BUS_RESULT("o", domain),
                                method_domain_lookup_by_id, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", domain),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("DomainLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", domain),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", capabilities),
                                method_get_capabilities, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetDomainCapabilities",
                                SD_BUS_ARGS("s", emulatorbin, "s", arch, "s", machine, "s", virttype, "u", flags),
                                SD_BUS_RESULT("s", domCapabilities), method_get_domain_capabilities, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetSysinfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", sysinfo),
                                method_get_sysinfo, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetAllDomainStats", SD_BUS_ARGS("u", stats, "u", flags),
                                SD_BUS_RESULT("a(sa{sv})", records), bus_method_get_all_domain_stats, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("InterfaceLookupByMAC", SD_BUS_ARGS("s", mac), SD_BUS_RESULT("o", interface),
                                bus_method_interface_lookup_by_mac, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("InterfaceLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", interface),
                                bus_method_interface_lookup_by_name, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ListInterfaces", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", interfaces),
                                bus_method_list_interfaces, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NodeGetSecurityModel", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ss)", secModel),
                                bus_method_node_get_security_model, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ListDomains", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domains),
                                method_list_domains, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ListNetworks", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", networks),
                                method_list_networks, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ListStoragePools", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", storagePools),
                                method_list_pools, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NetworkCreateXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", network),
                                method_network_create_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NetworkDefineXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", network),
                                method_network_define_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NetworkLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", network),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NetworkLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", network),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NodeGetFreeMemory", SD_BUS_NO_ARGS, SD_BUS_RESULT("t", freemem),
                                method_node_get_free_memory, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("NodeGetMemoryStats", SD_BUS_ARGS("i", cellNum, "u", flags),
                                SD_BUS_RESULT("a{st}", stats), method_node_get_memory_stats, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StoragePoolCreateXML", SD_BUS_ARGS("s", xml, "u", flags),
                                SD_BUS_RESULT("o", storagePool), method_pool_create_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StoragePoolDefineXML", SD_BUS_ARGS("s", xml, "u", flags),
                                SD_BUS_RESULT("o", storagePool), method_pool_define_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("FindStoragePoolSources", SD_BUS_ARGS("s", type, "s", srcSpec, "u", flags),
                                SD_BUS_RESULT("s", storagePoolSources), bus_method_find_pool_sources, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StoragePoolLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", storagePool),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StoragePoolLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", storagePool),
                                bus_method_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StorageVolLookupByKey", SD_BUS_ARGS("s", key), SD_BUS_RESULT("o", storageVol),
                                method_vol_lookup, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StorageVolLookupByPath", SD_BUS_ARGS("s", path), SD_BUS_RESULT("o", storageVol),
                                method_vol_lookup, UNPRIV),
        SD_BUS_SIGNAL_WITH_ARGS("DomainEvent", SD_BUS_ARGS("o", domain, "i", event, "i", detail), 0),
        SD_BUS_SIGNAL_WITH_ARGS("NetworkEvent", SD_BUS_ARGS("o", network, "i", event), 0),
        SD_BUS_SIGNAL_WITH_ARGS("StoragePoolEvent", SD_BUS_ARGS("o", storagePool, "i", event, "i", detail), 0),
        BUS_CONNECT_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_connect = {
        .kind = _OBJECT_KIND_MAX,
        .interface = "org.libvirt.Connect",
        .vtable = connect_vtable,
        .changes = NULL,
        .exists = connect_exists,
        .enumerate = NULL,
};
