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
        char *leaf = bus_path_encode_str(key);
        char *prefix = bus_subtree_path(o->conn, o->kind);
        char *path = leaf && prefix ? bus_path_join(prefix, leaf) : NULL;
        free(leaf);
        free(prefix);
        return path;
}

/* The UUID a leaf names; libvirt-dbus hands the decoded text to vir*LookupByUUIDString, so a
 * malformed leaf gets that function's complaint. */
static int leaf_uuid(const char *prefix, const char *path, uint8_t uuid[16]) {
        char text[BUS_UUID_LEAF_LEN];
        const char *leaf = bus_path_leaf(prefix, path);
        if (!leaf || bus_path_decode_uuid(leaf, text) < 0)
                return -EINVAL;
        return uuid_parse(text, uuid);
}

Domain *bus_path_domain(Connection *c, const char *prefix, const char *path, VbError *err) {
        uint8_t uuid[16];
        if (leaf_uuid(prefix, path, uuid) < 0) {
                vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Invalid UUID");
                return NULL;
        }
        return domain_lookup_uuid(c, uuid, err);
}

Network *bus_path_network(Connection *c, const char *prefix, const char *path, VbError *err) {
        uint8_t uuid[16];
        if (leaf_uuid(prefix, path, uuid) < 0) {
                vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_NETWORK,
                                 "uuidstr in virNetworkLookupByUUIDString must be a valid UUID");
                return NULL;
        }
        return network_lookup_uuid(c, uuid, err);
}

StoragePool *bus_path_pool(Connection *c, const char *prefix, const char *path, VbError *err) {
        uint8_t uuid[16];
        if (leaf_uuid(prefix, path, uuid) < 0) {
                vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                 "uuidstr in virStoragePoolLookupByUUIDString must be a valid UUID");
                return NULL;
        }
        return pool_lookup_uuid(c, uuid, err);
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
