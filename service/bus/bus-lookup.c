/* bus-lookup.c: the path of each object, and the object behind each path, looked up on every call. */
#include "bus-path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "driver.h"
#include "manager.h"
#include "network.h"
#include "nwfilter.h"
#include "secret.h"
#include "storage.h"
#include "uuid.h"

const char *bus_kind_node(ObjectKind kind) {
        switch (kind) {
        case OBJECT_DOMAIN: return "domain";
        case OBJECT_NETWORK: return "network";
        case OBJECT_POOL: return "storagepool";
        case OBJECT_VOLUME: return "storagevol";
        case OBJECT_INTERFACE: return "interface";
        case OBJECT_NODEDEV: return "nodedev";
        case OBJECT_SECRET: return "secret";
        case OBJECT_NWFILTER: return "nwfilter";
        case OBJECT_SNAPSHOT: return "domainsnapshot";
        default: return NULL;
        }
}

char *bus_connect_path(const Connection *c) {
        return bus_path_join(BUS_ROOT_PATH, c->driver->name);
}

char *bus_subtree_path(const Connection *c, ObjectKind kind) {
        char *s = NULL;
        if (asprintf(&s, BUS_ROOT_PATH "/%s/%s", c->driver->name, bus_kind_node(kind)) < 0)
                return NULL;
        return s;
}

/* UUID-named objects fit a fixed buffer: lists of thousands are built with no allocation. */
int bus_object_path_buf(const Object *o, char *buf, size_t n) {
        char uuid_leaf[BUS_UUID_LEAF_LEN];
        if (o->kind == OBJECT_VOLUME || o->kind == OBJECT_NODEDEV)   /* named by key / name */
                return -EINVAL;
        bus_path_encode_uuid(o->uuid, uuid_leaf);
        const char *parts[] = { BUS_ROOT_PATH "/", o->conn->driver->name, "/", bus_kind_node(o->kind), "/", uuid_leaf };
        size_t len = 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
                size_t l = strlen(parts[i]);
                if (len + l >= n)
                        return -ENAMETOOLONG;
                memcpy(buf + len, parts[i], l);
                len += l;
        }
        buf[len] = '\0';
        return 0;
}

char *bus_object_path(const Object *o) {
        char buf[256];
        if (bus_object_path_buf(o, buf, sizeof buf) == 0)
                return strdup(buf);
        const char *key = o->kind == OBJECT_VOLUME && ((const StorageVol *) o)->def &&
                                          ((const StorageVol *) o)->def->key
                                  ? ((const StorageVol *) o)->def->key
                                  : o->name;
        char *prefix = bus_subtree_path(o->conn, o->kind);
        char *path = prefix ? bus_path_of_key(prefix, key) : NULL;
        free(prefix);
        return path;
}

/* The kinds named by UUID: where libvirt reports from, and its complaint about a malformed UUID
 * (libvirt-dbus hands a path's decoded leaf, like a Connect argument, to vir*LookupByUUIDString). */
static const struct {
        VbErrorFrom from;
        const char *bad_uuid;
} uuid_kinds[_OBJECT_KIND_MAX] = {
        [OBJECT_DOMAIN] = { VB_FROM_DOMAIN, "Invalid UUID" },
        [OBJECT_NETWORK] = { VB_FROM_NETWORK, "uuidstr in virNetworkLookupByUUIDString must be a valid UUID" },
        [OBJECT_POOL] = { VB_FROM_STORAGE, "uuidstr in virStoragePoolLookupByUUIDString must be a valid UUID" },
        [OBJECT_SECRET] = { VB_FROM_SECRET, "uuidstr in virSecretLookupByUUIDString must be a valid UUID" },
        [OBJECT_NWFILTER] = { VB_FROM_NWFILTER, "uuidstr in virNWFilterLookupByUUIDString must be a valid UUID" },
};

/* Secrets and network filters live in stores only the system daemon has; their lookups say so
 * before they look at the UUID. (Object is the first member of every kind: the casts hold.) */
Object *bus_lookup_uuid(Connection *c, ObjectKind kind, const char *text, VbError *err) {
        uint8_t uuid[16];
        if (kind >= _OBJECT_KIND_MAX || !uuid_kinds[kind].bad_uuid) {       /* not a UUID-named kind */
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "no UUID lookup");
                return NULL;
        }
        if ((kind == OBJECT_SECRET && !secret_store(c, "virSecretLookupByUUID", err)) ||
            (kind == OBJECT_NWFILTER && !nwfilter_store(c, "virNWFilterLookupByUUID", err)))
                return NULL;
        if (uuid_parse(text, uuid) < 0) {
                vb_error_set_raw(err, VB_ERR_INVALID_ARG, uuid_kinds[kind].from, "%s", uuid_kinds[kind].bad_uuid);
                return NULL;
        }
        switch (kind) {
        case OBJECT_DOMAIN: return (Object *) domain_lookup_uuid(c, uuid, err);
        case OBJECT_NETWORK: return (Object *) network_lookup_uuid(c, uuid, err);
        case OBJECT_POOL: return (Object *) pool_lookup_uuid(c, uuid, err);
        case OBJECT_SECRET: return (Object *) secret_lookup_uuid(c, uuid, err);
        default: return (Object *) nwfilter_lookup_uuid(c, uuid, err);   /* OBJECT_NWFILTER */
        }
}

Object *bus_lookup_name(Connection *c, ObjectKind kind, const char *name, VbError *err) {
        switch (kind) {
        case OBJECT_DOMAIN: return (Object *) domain_lookup_name(c, name, err);
        case OBJECT_NETWORK: return (Object *) network_lookup_name(c, name, err);
        case OBJECT_POOL: return (Object *) pool_lookup_name(c, name, err);
        case OBJECT_NWFILTER: return (Object *) nwfilter_lookup_name(c, name, err);
        default: vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "no name lookup"); return NULL;
        }
}

Object *bus_path_object(Connection *c, ObjectKind kind, const char *prefix, const char *path, VbError *err) {
        if (kind == OBJECT_VOLUME)
                return (Object *) bus_path_vol(c, prefix, path, err);
        char text[BUS_UUID_LEAF_LEN];
        const char *leaf = bus_path_leaf(prefix, path);
        if (!leaf || bus_path_decode_uuid(leaf, text) < 0)
                text[0] = '\0';        /* no UUID there: the lookup's complaint */
        return bus_lookup_uuid(c, kind, text, err);
}

Domain *bus_path_domain(Connection *c, const char *prefix, const char *path, VbError *err) {
        return (Domain *) bus_path_object(c, OBJECT_DOMAIN, prefix, path, err);
}

Network *bus_path_network(Connection *c, const char *prefix, const char *path, VbError *err) {
        return (Network *) bus_path_object(c, OBJECT_NETWORK, prefix, path, err);
}

StoragePool *bus_path_pool(Connection *c, const char *prefix, const char *path, VbError *err) {
        return (StoragePool *) bus_path_object(c, OBJECT_POOL, prefix, path, err);
}

StorageVol *bus_path_vol(Connection *c, const char *prefix, const char *path, VbError *err) {
        const char *leaf = bus_path_leaf(prefix, path);
        char *key = NULL;
        if (!leaf || bus_path_decode_str(leaf, &key) < 0) {
                /* Not a key any volume can have: the lookup's own "not found" text. */
                return vol_lookup_key(c, leaf ? leaf : "", err);
        }
        StorageVol *v = vol_lookup_key(c, key, err);
        free(key);
        return v;
}
