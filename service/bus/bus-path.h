/* bus-path.h: libvirt-dbus object paths: leaf encodings, paths of objects, objects of paths. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "object.h"

typedef struct Domain Domain;
typedef struct Network Network;
typedef struct StoragePool StoragePool;
typedef struct StorageVol StorageVol;

#define BUS_ROOT_PATH "/org/libvirt"

/* "_" + the UUID with '-' turned into '_': 1 + 36 characters and the NUL. */
#define BUS_UUID_LEAF_LEN 38

/* --- Pure encodings (bus-path.c, no core dependencies beyond uuid.c). --- */

/* libvirt-dbus's EncodeStr: [A-Za-z0-9] pass through, every other byte becomes '_' and two
 * lowercase hex digits. The empty string encodes as "_" (an empty path element is not allowed),
 * which decodes back to "". Returns a new string or NULL (out of memory). */
char *bus_path_encode_str(const char *s);
/* The inverse. -EINVAL when leaf is not a valid encoding, -ENOMEM. */
int bus_path_decode_str(const char *leaf, char **out);

void bus_path_encode_uuid(const uint8_t uuid[16], char out[BUS_UUID_LEAF_LEN]);
/* libvirt-dbus's DecodeUUID: drop the leading '_' and turn every '_' into '-'. The result is
 * text for a UUID lookup, not yet validated. -EINVAL when leaf lacks the '_' or is too long. */
int bus_path_decode_uuid(const char *leaf, char out[BUS_UUID_LEAF_LEN]);

/* The single element of path below prefix ("prefix/leaf"), or NULL when path is not exactly one
 * non-empty element below prefix. */
const char *bus_path_leaf(const char *prefix, const char *path);
/* prefix + "/" + leaf, newly allocated; NULL when out of memory. */
char *bus_path_join(const char *prefix, const char *leaf);

/* The objects named by a string (volumes by key, interfaces by MAC, node devices by name):
 * prefix + "/" + EncodeStr(key), newly allocated (NULL: out of memory); and the key the single
 * element of path below prefix encodes, newly allocated (NULL: none there, or out of memory). */
char *bus_path_of_key(const char *prefix, const char *key);
char *bus_path_key(const char *prefix, const char *path);
/* The paths of n items, stride bytes apart, each keyed by the char array at offset key in it:
 * a NULL-terminated strv (free with bus_strv_free), NULL when out of memory. */
char **bus_paths_of_keys(const char *prefix, const void *items, size_t n, size_t stride, size_t key);
void bus_strv_free(char **v);

/* --- Objects and paths (bus-lookup.c). --- */

/* Path element below a Connect path for a kind: "domain", "network", "storagepool", "storagevol". */
const char *bus_kind_node(ObjectKind kind);
/* "/org/libvirt/<driver name>". */
char *bus_connect_path(const Connection *c);
/* "<connect path>/<kind node>". */
char *bus_subtree_path(const Connection *c, ObjectKind kind);
/* The path of an object: UUID leaf for domains, networks and pools; EncodeStr(key) for volumes. */
char *bus_object_path(const Object *o);
/* Into buf, for the kinds named by UUID (not volumes): 0, -EINVAL or -ENAMETOOLONG. */
int bus_object_path_buf(const Object *o, char *buf, size_t n);

/* The object of a UUID's text (domains, networks, pools, secrets, network filters) or of a name
 * (domains, networks, pools, network filters), as Connect's *LookupByUUID and *LookupByName find
 * it: libvirt's complaint about a malformed UUID, its "not found" texts. */
Object *bus_lookup_uuid(Connection *c, ObjectKind kind, const char *text, VbError *err);
Object *bus_lookup_name(Connection *c, ObjectKind kind, const char *name, VbError *err);

/* The object a path names, looked up again on every call (libvirt's texts when it is gone).
 * prefix is the kind's subtree path; bus_path_object serves the kinds above and volumes. */
Object *bus_path_object(Connection *c, ObjectKind kind, const char *prefix, const char *path, VbError *err);
Domain *bus_path_domain(Connection *c, const char *prefix, const char *path, VbError *err);
Network *bus_path_network(Connection *c, const char *prefix, const char *path, VbError *err);
StoragePool *bus_path_pool(Connection *c, const char *prefix, const char *path, VbError *err);
StorageVol *bus_path_vol(Connection *c, const char *prefix, const char *path, VbError *err);
