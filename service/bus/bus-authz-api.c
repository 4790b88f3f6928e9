/* bus-authz-api.c: the D-Bus door's fine-grained rules: (interface, member) → libvirt's object and permissions, the object found from the path alone. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <stdint.h>
#include <string.h>

#include "authz-api.h"
#include "domain.h"
#include "network.h"
#include "storage.h"
#include "uuid.h"

typedef struct BusApiEntry {
        const char *member;
        AuthzApiRule rule;
} BusApiEntry;

#define R(obj, ...) { .object = AUTHZ_API_##obj, .perms = { __VA_ARGS__ } }

/* The Connect object: lookups of domains, networks and pools check getattr on the object their
 * argument names (bus_api_lookup_arg); lists and volume lookups are connect-level (libvirt
 * filters lists object by object; virtbus does not). Create and define are checked before the
 * XML is parsed: the new object's name is not known yet, so only connect_driver is in the
 * details. */
static const BusApiEntry connect_rules[] = {
        { "DomainCreateXML", R(DOMAIN, "write", "start") },
        { "DomainDefineXML", R(DOMAIN, "write", "save") },
        { "DomainLookupByID", R(DOMAIN, "getattr") },           /* the object the argument names */
        { "DomainLookupByName", R(DOMAIN, "getattr") },
        { "DomainLookupByUUID", R(DOMAIN, "getattr") },
        { "GetCapabilities", R(CONNECT, "read") },
        { "GetSysinfo", R(CONNECT, "read") },
        { "ListDomains", R(CONNECT, "search_domains") },
        { "ListNetworks", R(CONNECT, "search_networks") },
        { "ListStoragePools", R(CONNECT, "search_storage_pools") },
        { "NetworkCreateXML", R(NETWORK, "write", "start") },
        { "NetworkDefineXML", R(NETWORK, "write", "save") },
        { "NetworkLookupByName", R(NETWORK, "getattr") },
        { "NetworkLookupByUUID", R(NETWORK, "getattr") },
        { "NodeGetFreeMemory", R(CONNECT, "read") },
        { "NodeGetMemoryStats", R(CONNECT, "read") },
        { "StoragePoolCreateXML", R(POOL, "write", "start") },
        { "StoragePoolDefineXML", R(POOL, "write", "save") },
        { "StoragePoolLookupByName", R(POOL, "getattr") },
        { "StoragePoolLookupByUUID", R(POOL, "getattr") },
        { "StorageVolLookupByKey", R(CONNECT, "search_storage_pools") },
        { "StorageVolLookupByPath", R(CONNECT, "search_storage_pools") },
        { NULL },
};

static const BusApiEntry domain_rules[] = {
        { "Create", R(DOMAIN, "start") },
        { "Destroy", R(DOMAIN, "stop") },
        { "GetMetadata", R(DOMAIN, "read") },
        { "GetState", R(DOMAIN, "read") },
        { "GetStats", R(DOMAIN, "read") },
        { "GetVcpus", R(DOMAIN, "read") },
        { "GetXMLDesc", R(DOMAIN, "read") },            /* read_secure with VIR_DOMAIN_XML_SECURE */
        { "Reboot", R(DOMAIN, "init_control") },
        { "Reset", R(DOMAIN, "reset") },
        { "Resume", R(DOMAIN, "suspend") },
        { "SetMemory", R(DOMAIN, "write") },
        { "SetMetadata", R(DOMAIN, "write") },
        { "Shutdown", R(DOMAIN, "init_control") },
        { "Suspend", R(DOMAIN, "suspend") },
        { "Undefine", R(DOMAIN, "delete") },
        { NULL },
};

static const BusApiEntry network_rules[] = {
        { "Create", R(NETWORK, "start") },
        { "Destroy", R(NETWORK, "stop") },
        { "GetXMLDesc", R(NETWORK, "read") },
        { "Undefine", R(NETWORK, "delete") },
        { "Update", R(NETWORK, "write", "save") },
        { NULL },
};

static const BusApiEntry pool_rules[] = {
        { "Build", R(POOL, "format") },
        { "Create", R(POOL, "start") },
        { "Delete", R(POOL, "format") },
        { "Destroy", R(POOL, "stop") },
        { "GetInfo", R(POOL, "read") },
        { "GetXMLDesc", R(POOL, "read") },
        { "ListStorageVolumes", R(POOL, "search_storage_vols") },
        { "Refresh", R(POOL, "refresh") },
        { "StorageVolCreateXML", R(VOL, "create") },
        { "StorageVolCreateXMLFrom", R(VOL, "create") },
        { "StorageVolLookupByName", R(POOL, "search_storage_vols") },
        { "Undefine", R(POOL, "delete") },
        { NULL },
};

static const BusApiEntry vol_rules[] = {
        { "Delete", R(VOL, "delete") },
        { "GetInfo", R(VOL, "read") },
        { "GetXMLDesc", R(VOL, "read") },
        { "Resize", R(VOL, "resize") },
        { "Wipe", R(VOL, "data_write") },
        { NULL },
};

static const AuthzApiRule read_rules[] = {
        [OBJECT_DOMAIN] = R(DOMAIN, "read"),
        [OBJECT_NETWORK] = R(NETWORK, "read"),
        [OBJECT_POOL] = R(POOL, "read"),
        [OBJECT_VOLUME] = R(VOL, "read"),
        [_OBJECT_KIND_MAX] = R(CONNECT, "read"),
};

static const AuthzApiRule write_rules[] = {
        [OBJECT_DOMAIN] = R(DOMAIN, "write"),
        [OBJECT_NETWORK] = R(NETWORK, "write"),
        [OBJECT_POOL] = R(POOL, "write"),
        [OBJECT_VOLUME] = R(VOL, "data_write"),        /* libvirt has no storage_vol.write */
        [_OBJECT_KIND_MAX] = R(CONNECT, "write"),
};

static const BusApiEntry *kind_rules(ObjectKind k) {
        switch (k) {
        case OBJECT_DOMAIN: return domain_rules;
        case OBJECT_NETWORK: return network_rules;
        case OBJECT_POOL: return pool_rules;
        case OBJECT_VOLUME: return vol_rules;
        default: return connect_rules;
        }
}

/* A Connect lookup (DomainLookupByName, NetworkLookupByUUID, DomainLookupByID, …): the object its
 * first argument names, read and rewound (the handler reads it again), or NULL. */
static Object *bus_api_lookup_arg(Connection *c, sd_bus_message *m, const char *member) {
        const char *by = strstr(member, "LookupBy");
        if (!by)
                return NULL;
        by += strlen("LookupBy");
        VbError ignored = { 0 };
        Object *o = NULL;
        if (strcmp(by, "ID") == 0) {
                int32_t id = 0;
                if (sd_bus_message_read(m, "i", &id) >= 0)
                        o = (Object *) domain_lookup_id(c, (int) id, &ignored);
        } else {
                const char *arg = NULL;
                uint8_t uuid[16];
                if (sd_bus_message_read(m, "s", &arg) < 0 || !arg)
                        arg = NULL;
                bool by_uuid = strcmp(by, "UUID") == 0;
                if (arg && by_uuid && uuid_parse(arg, uuid) < 0)
                        arg = NULL;
                if (arg && strncmp(member, "Domain", 6) == 0)
                        o = by_uuid ? (Object *) domain_lookup_uuid(c, uuid, &ignored)
                                    : (Object *) domain_lookup_name(c, arg, &ignored);
                else if (arg && strncmp(member, "Network", 7) == 0)
                        o = by_uuid ? (Object *) network_lookup_uuid(c, uuid, &ignored)
                                    : (Object *) network_lookup_name(c, arg, &ignored);
                else if (arg && strncmp(member, "StoragePool", 11) == 0)
                        o = by_uuid ? (Object *) pool_lookup_uuid(c, uuid, &ignored)
                                    : (Object *) pool_lookup_name(c, arg, &ignored);
        }
        sd_bus_message_rewind(m, true);
        return o;
}

/* The registration serving path: the Connect object itself, or the subtree path is below. */
static BusSubtree *bus_api_subtree(Bus *b, const char *path) {
        for (size_t i = 0; i < b->n_subtrees; i++) {
                BusSubtree *t = b->subtrees[i];
                size_t n = strlen(t->path);
                if (strncmp(path, t->path, n) != 0)
                        continue;
                if (t->kind->kind == _OBJECT_KIND_MAX ? path[n] == '\0' : path[n] == '/')
                        return t;
        }
        return NULL;
}

int bus_authz_api_rule(Bus *b, sd_bus_message *m, AuthzApiRule *rule, Connection **conn, Object **obj) {
        const char *path = sd_bus_message_get_path(m);
        const char *interface = sd_bus_message_get_interface(m);
        const char *member = sd_bus_message_get_member(m);
        if (!path || !member)
                return 0;
        if (interface && (strcmp(interface, "org.freedesktop.DBus.Introspectable") == 0 ||
                          strcmp(interface, "org.freedesktop.DBus.Peer") == 0))
                return 0;
        BusSubtree *t = bus_api_subtree(b, path);
        if (!t)
                return 0;       /* /org/libvirt itself (GetManagedObjects): the connection-level check only */
        ObjectKind k = t->kind->kind;
        *conn = t->conn;
        *obj = NULL;
        if (k != _OBJECT_KIND_MAX) {
                VbError ignored = { 0 };
                switch (k) {
                case OBJECT_DOMAIN: *obj = (Object *) bus_path_domain(t->conn, t->path, path, &ignored); break;
                case OBJECT_NETWORK: *obj = (Object *) bus_path_network(t->conn, t->path, path, &ignored); break;
                case OBJECT_POOL: *obj = (Object *) bus_path_pool(t->conn, t->path, path, &ignored); break;
                case OBJECT_VOLUME: *obj = (Object *) bus_path_vol(t->conn, t->path, path, &ignored); break;
                default: break;
                }
                if (!*obj)
                        return 0;       /* gone or never there: the handler says so, as libvirt's lookup would */
        }
        if (interface && strcmp(interface, "org.freedesktop.DBus.Properties") == 0) {
                bool get = strcmp(member, "Get") == 0 || strcmp(member, "GetAll") == 0;
                *rule = get ? read_rules[k] : write_rules[k];
                return 1;
        }
        for (const BusApiEntry *e = kind_rules(k); e->member; e++)
                if (strcmp(e->member, member) == 0) {
                        *rule = e->rule;
                        if (k == _OBJECT_KIND_MAX && strcmp(rule->perms[0], "getattr") == 0 &&
                            rule->object != AUTHZ_API_CONNECT) {
                                *obj = bus_api_lookup_arg(t->conn, m, member);
                                if (!*obj)
                                        return 0;       /* not found: the handler says so */
                        }
                        return 1;
                }
        /* A method not listed yet: reading if its name says so, writing otherwise. */
        *rule = strncmp(member, "Get", 3) == 0 || strncmp(member, "List", 4) == 0 ? read_rules[k] : write_rules[k];
        return 1;
}
