/* proc-list.c: listing procedures: connect_list_all_* with libvirt's filter flags (as the D-Bus door's List* methods), and the legacy count/name/id lists. */
#include "dispatch.h"

#include <string.h>

#include "domain.h"
#include "network.h"
#include "storage.h"

/* virConnectListAllDomainsFlags */
enum {
        LIST_DOMAINS_ACTIVE = 1 << 0, LIST_DOMAINS_INACTIVE = 1 << 1,
        LIST_DOMAINS_PERSISTENT = 1 << 2, LIST_DOMAINS_TRANSIENT = 1 << 3,
        LIST_DOMAINS_RUNNING = 1 << 4, LIST_DOMAINS_PAUSED = 1 << 5,
        LIST_DOMAINS_SHUTOFF = 1 << 6, LIST_DOMAINS_OTHER = 1 << 7,
        LIST_DOMAINS_MANAGEDSAVE = 1 << 8, LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
        LIST_DOMAINS_AUTOSTART = 1 << 10, LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
        LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12, LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,
        LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14, LIST_DOMAINS_NO_CHECKPOINT = 1 << 15,
        LIST_DOMAINS_ALL = (1 << 16) - 1,
};
/* virConnectListAllNetworksFlags; pools share the first six bits and add one per pool type. */
enum {
        LIST_INACTIVE = 1 << 0, LIST_ACTIVE = 1 << 1, LIST_PERSISTENT = 1 << 2, LIST_TRANSIENT = 1 << 3,
        LIST_AUTOSTART = 1 << 4, LIST_NO_AUTOSTART = 1 << 5,
        LIST_NETWORKS_ALL = (1 << 6) - 1,
        LIST_POOLS_ALL = (1 << 20) - 1,
};

/* A group of filter bits passes when none of them is asked for, or the object has one that is. */
static bool group_passes(unsigned flags, unsigned group, unsigned have) {
        return !(flags & group) || (flags & have & group);
}

static bool keep_domain(const Object *o, unsigned flags) {
        const Domain *d = (const Domain *) o;
        unsigned state_bit = d->state == DOMAIN_RUNNING ? LIST_DOMAINS_RUNNING
                : d->state == DOMAIN_PAUSED ? LIST_DOMAINS_PAUSED
                : d->state == DOMAIN_SHUTOFF ? LIST_DOMAINS_SHUTOFF : LIST_DOMAINS_OTHER;
        return group_passes(flags, LIST_DOMAINS_ACTIVE | LIST_DOMAINS_INACTIVE,
                            domain_is_active(d) ? LIST_DOMAINS_ACTIVE : LIST_DOMAINS_INACTIVE) &&
               group_passes(flags, LIST_DOMAINS_PERSISTENT | LIST_DOMAINS_TRANSIENT,
                            d->persistent ? LIST_DOMAINS_PERSISTENT : LIST_DOMAINS_TRANSIENT) &&
               group_passes(flags, LIST_DOMAINS_RUNNING | LIST_DOMAINS_PAUSED | LIST_DOMAINS_SHUTOFF |
                            LIST_DOMAINS_OTHER, state_bit) &&
               /* no managed save images, snapshots or checkpoints exist yet */
               group_passes(flags, LIST_DOMAINS_MANAGEDSAVE | LIST_DOMAINS_NO_MANAGEDSAVE, LIST_DOMAINS_NO_MANAGEDSAVE) &&
               group_passes(flags, LIST_DOMAINS_AUTOSTART | LIST_DOMAINS_NO_AUTOSTART,
                            d->autostart ? LIST_DOMAINS_AUTOSTART : LIST_DOMAINS_NO_AUTOSTART) &&
               group_passes(flags, LIST_DOMAINS_HAS_SNAPSHOT | LIST_DOMAINS_NO_SNAPSHOT, LIST_DOMAINS_NO_SNAPSHOT) &&
               group_passes(flags, LIST_DOMAINS_HAS_CHECKPOINT | LIST_DOMAINS_NO_CHECKPOINT, LIST_DOMAINS_NO_CHECKPOINT);
}

static bool keep_common(unsigned flags, bool active, bool persistent, bool autostart) {
        return group_passes(flags, LIST_ACTIVE | LIST_INACTIVE, active ? LIST_ACTIVE : LIST_INACTIVE) &&
               group_passes(flags, LIST_PERSISTENT | LIST_TRANSIENT, persistent ? LIST_PERSISTENT : LIST_TRANSIENT) &&
               group_passes(flags, LIST_AUTOSTART | LIST_NO_AUTOSTART, autostart ? LIST_AUTOSTART : LIST_NO_AUTOSTART);
}

static bool keep_network(const Object *o, unsigned flags) {
        const Network *n = (const Network *) o;
        return keep_common(flags, n->active, n->persistent, n->autostart);
}

/* virConnectListAllStoragePoolsFlags' type bits, from bit 6 on. */
static const char *const pool_types[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd", "sheepdog",
        "gluster", "zfs", "vstorage", "iscsi-direct",
};

static bool keep_pool(const Object *o, unsigned flags) {
        const StoragePool *p = (const StoragePool *) o;
        unsigned type_bit = 0;
        for (size_t i = 0; i < sizeof pool_types / sizeof pool_types[0]; i++)
                if (p->def && p->def->type && strcmp(p->def->type, pool_types[i]) == 0)
                        type_bit = 1u << (6 + i);
        return keep_common(flags, pool_is_active(p), p->persistent, p->autostart) &&
               group_passes(flags, LIST_POOLS_ALL & ~LIST_NETWORKS_ALL, type_bit);
}

static bool keep_any(const Object *o, unsigned flags) {
        return true;
}

typedef struct ListKind {
        bool (*keep)(const Object *o, unsigned flags);
        int (*put)(XdrWriter *w, const Object *o);
        unsigned max;
        const char *what;       /* libvirt's "Too many %s" */
} ListKind;

static int put_domain(XdrWriter *w, const Object *o) {
        return remote_put_domain(w, (const Domain *) o);
}
static int put_network(XdrWriter *w, const Object *o) {
        return remote_put_network(w, (const Network *) o);
}
static int put_pool(XdrWriter *w, const Object *o) {
        return remote_put_pool(w, (const StoragePool *) o);
}
static int put_vol(XdrWriter *w, const Object *o) {
        return remote_put_vol(w, (const StorageVol *) o);
}

static const ListKind list_domains = { keep_domain, put_domain, REMOTE_DOMAIN_LIST_MAX, "domains" };
static const ListKind list_networks = { keep_network, put_network, REMOTE_NETWORK_LIST_MAX, "networks" };
static const ListKind list_pools = { keep_pool, put_pool, REMOTE_STORAGE_POOL_LIST_MAX, "storage pools" };
static const ListKind list_vols = { keep_any, put_vol, REMOTE_STORAGE_VOL_LIST_MAX, "storage volumes" };

/* {T objs<max>; u32 ret}: the objects only when the client asked for them, the count always. */
static int reply_list_all(RemoteCall *rc, const Registry *reg, const ListKind *kind, bool need_results,
                          unsigned flags) {
        size_t at = rc->ret.len;
        uint32_t n = 0;
        xdr_put_u32(&rc->ret, 0);
        REGISTRY_FOREACH(o, reg) {
                if (!kind->keep(o, flags))
                        continue;
                if (++n > kind->max)
                        return remote_error_rpc(&rc->err, "Too many %s '%u' for limit '%u'", kind->what, n, kind->max);
                if (need_results)
                        kind->put(&rc->ret, o);
        }
        if (need_results)
                xdr_patch_u32(&rc->ret, at, n);
        xdr_put_u32(&rc->ret, n);
        return 0;
}

/* {int need_results; u32 flags} */
static int list_all(RemoteCall *rc, const Registry *reg, const ListKind *kind, unsigned allowed) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0 || remote_check_flags(rc, flags, allowed) < 0)
                return -1;
        return reply_list_all(rc, reg, kind, need_results != 0, flags);
}

REMOTE_HANDLER(proc_connect_list_all_domains) {
        return list_all(rc, &rc->client->conn->domains, &list_domains, LIST_DOMAINS_ALL);
}

REMOTE_HANDLER(proc_connect_list_all_networks) {
        return list_all(rc, &rc->client->conn->networks, &list_networks, LIST_NETWORKS_ALL);
}

REMOTE_HANDLER(proc_connect_list_all_storage_pools) {
        return list_all(rc, &rc->client->conn->pools, &list_pools, LIST_POOLS_ALL);
}

REMOTE_HANDLER(proc_storage_pool_list_all_volumes) {
        RemoteRef ref = { 0 };
        int32_t need_results;
        uint32_t flags;
        remote_get_pool_ref(rc, &ref);
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0 || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        StoragePool *p = remote_find_pool(rc, &ref);
        if (!p || pool_list_volumes(p, &rc->err) < 0)
                return -1;
        return reply_list_all(rc, &p->volumes, &list_vols, need_results != 0, 0);
}

/* ------------------------------------------------------------------ legacy lists */

static size_t count_kept(const Registry *reg, const ListKind *kind, unsigned flags) {
        size_t n = 0;
        REGISTRY_FOREACH(o, reg)
                n += kind->keep(o, flags);
        return n;
}

static int reply_count(RemoteCall *rc, const Registry *reg, const ListKind *kind, unsigned flags) {
        return remote_reply_int(rc, (int32_t) count_kept(reg, kind, flags));
}

/* {int max} → {T items<limit>}: libvirt refuses a max above the limit before it looks. */
static int read_max(RemoteCall *rc, const char *arg, const char *limit_name, unsigned limit, int32_t *max) {
        xdr_get_i32(&rc->args, max);
        if (remote_args_end(rc) < 0)
                return -1;
        if (*max > (int32_t) limit)
                return remote_error_rpc(&rc->err, "%s > %s", arg, limit_name);
        if (*max < 0) {
                const RemoteProcName *name = remote_proc_name(rc->hdr.proc);
                return vb_error_set(&rc->err, VB_ERR_INVALID_ARG, (VbErrorFrom) name->from, "%s in %s must not be negative",
                                    arg, name->api);
        }
        return 0;
}

static int reply_names(RemoteCall *rc, const Registry *reg, const ListKind *kind, unsigned flags, int32_t max) {
        size_t at = rc->ret.len;
        uint32_t n = 0;
        xdr_put_u32(&rc->ret, 0);
        REGISTRY_FOREACH(o, reg) {
                if ((int32_t) n >= max)
                        break;
                if (!kind->keep(o, flags))
                        continue;
                xdr_put_string(&rc->ret, o->name);
                n++;
        }
        xdr_patch_u32(&rc->ret, at, n);
        return 0;
}

REMOTE_HANDLER(proc_connect_num_of_domains) {
        return reply_count(rc, &rc->client->conn->domains, &list_domains, LIST_DOMAINS_ACTIVE);
}

REMOTE_HANDLER(proc_connect_num_of_defined_domains) {
        return reply_count(rc, &rc->client->conn->domains, &list_domains, LIST_DOMAINS_INACTIVE);
}

REMOTE_HANDLER(proc_connect_list_domains) {
        int32_t max;
        if (read_max(rc, "maxids", "REMOTE_DOMAIN_LIST_MAX", REMOTE_DOMAIN_LIST_MAX, &max) < 0)
                return -1;
        size_t at = rc->ret.len;
        uint32_t n = 0;
        xdr_put_u32(&rc->ret, 0);
        REGISTRY_FOREACH(o, &rc->client->conn->domains) {
                if ((int32_t) n >= max)
                        break;
                if (!keep_domain(o, LIST_DOMAINS_ACTIVE))
                        continue;
                xdr_put_i32(&rc->ret, o->id);
                n++;
        }
        xdr_patch_u32(&rc->ret, at, n);
        return 0;
}

REMOTE_HANDLER(proc_connect_list_defined_domains) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_DOMAIN_LIST_MAX", REMOTE_DOMAIN_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->domains, &list_domains, LIST_DOMAINS_INACTIVE, max);
}

REMOTE_HANDLER(proc_connect_num_of_networks) {
        return reply_count(rc, &rc->client->conn->networks, &list_networks, LIST_ACTIVE);
}

REMOTE_HANDLER(proc_connect_num_of_defined_networks) {
        return reply_count(rc, &rc->client->conn->networks, &list_networks, LIST_INACTIVE);
}

REMOTE_HANDLER(proc_connect_list_networks) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_NETWORK_LIST_MAX", REMOTE_NETWORK_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->networks, &list_networks, LIST_ACTIVE, max);
}

REMOTE_HANDLER(proc_connect_list_defined_networks) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_NETWORK_LIST_MAX", REMOTE_NETWORK_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->networks, &list_networks, LIST_INACTIVE, max);
}

REMOTE_HANDLER(proc_connect_num_of_storage_pools) {
        return reply_count(rc, &rc->client->conn->pools, &list_pools, LIST_ACTIVE);
}

REMOTE_HANDLER(proc_connect_num_of_defined_storage_pools) {
        return reply_count(rc, &rc->client->conn->pools, &list_pools, LIST_INACTIVE);
}

REMOTE_HANDLER(proc_connect_list_storage_pools) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_STORAGE_POOL_LIST_MAX", REMOTE_STORAGE_POOL_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->pools, &list_pools, LIST_ACTIVE, max);
}

REMOTE_HANDLER(proc_connect_list_defined_storage_pools) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_STORAGE_POOL_LIST_MAX", REMOTE_STORAGE_POOL_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->pools, &list_pools, LIST_INACTIVE, max);
}

REMOTE_HANDLER(proc_storage_pool_num_of_volumes) {
        StoragePool *p = remote_read_pool(rc, NULL);
        if (!p || pool_check_active(p, &rc->err) < 0)
                return -1;
        return remote_reply_int(rc, (int32_t) p->volumes.count);
}

REMOTE_HANDLER(proc_storage_pool_list_volumes) {
        RemoteRef ref = { 0 };
        int32_t max;
        remote_get_pool_ref(rc, &ref);
        if (read_max(rc, "maxnames", "REMOTE_STORAGE_VOL_LIST_MAX", REMOTE_STORAGE_VOL_LIST_MAX, &max) < 0)
                return -1;
        StoragePool *p = remote_find_pool(rc, &ref);
        if (!p || pool_check_active(p, &rc->err) < 0)
                return -1;
        return reply_names(rc, &p->volumes, &list_vols, 0, max);
}
