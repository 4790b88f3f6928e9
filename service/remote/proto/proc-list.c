/* proc-list.c: listing procedures: connect_list_all_* with libvirt's filter flags (as the D-Bus door's List* methods), and the legacy count/name/id lists. */
#include "dispatch.h"

#include <string.h>

#include "domain.h"
#include "network.h"
#include "storage.h"
#include "list-filter.h"

/* The filters are the core's (list-filter.c), shared with the D-Bus door. */
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

static const ListKind list_domains = { list_filter_domain, put_domain, REMOTE_DOMAIN_LIST_MAX, "domains" };
static const ListKind list_networks = { list_filter_network, put_network, REMOTE_NETWORK_LIST_MAX, "networks" };
static const ListKind list_pools = { list_filter_pool, put_pool, REMOTE_STORAGE_POOL_LIST_MAX, "storage pools" };
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
                /* past the limit only counted: the refusal names how many there are, as libvirt's */
                if (++n <= kind->max && need_results)
                        kind->put(&rc->ret, o);
        }
        if (n > kind->max)
                return remote_error_rpc(&rc->err, "Too many %s '%u' for limit '%u'", kind->what, n, kind->max);
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
        return list_all(rc, &rc->client->conn->net->networks, &list_networks, LIST_NETWORKS_ALL);
}

REMOTE_HANDLER(proc_connect_list_all_storage_pools) {
        return list_all(rc, &rc->client->conn->storage->pools, &list_pools, LIST_POOLS_ALL);
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
                if (!list_filter_domain(o, LIST_DOMAINS_ACTIVE))
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
        return reply_count(rc, &rc->client->conn->net->networks, &list_networks, LIST_ACTIVE);
}

REMOTE_HANDLER(proc_connect_num_of_defined_networks) {
        return reply_count(rc, &rc->client->conn->net->networks, &list_networks, LIST_INACTIVE);
}

REMOTE_HANDLER(proc_connect_list_networks) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_NETWORK_LIST_MAX", REMOTE_NETWORK_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->net->networks, &list_networks, LIST_ACTIVE, max);
}

REMOTE_HANDLER(proc_connect_list_defined_networks) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_NETWORK_LIST_MAX", REMOTE_NETWORK_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->net->networks, &list_networks, LIST_INACTIVE, max);
}

REMOTE_HANDLER(proc_connect_num_of_storage_pools) {
        return reply_count(rc, &rc->client->conn->storage->pools, &list_pools, LIST_ACTIVE);
}

REMOTE_HANDLER(proc_connect_num_of_defined_storage_pools) {
        return reply_count(rc, &rc->client->conn->storage->pools, &list_pools, LIST_INACTIVE);
}

REMOTE_HANDLER(proc_connect_list_storage_pools) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_STORAGE_POOL_LIST_MAX", REMOTE_STORAGE_POOL_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->storage->pools, &list_pools, LIST_ACTIVE, max);
}

REMOTE_HANDLER(proc_connect_list_defined_storage_pools) {
        int32_t max;
        if (read_max(rc, "maxnames", "REMOTE_STORAGE_POOL_LIST_MAX", REMOTE_STORAGE_POOL_LIST_MAX, &max) < 0)
                return -1;
        return reply_names(rc, &rc->client->conn->storage->pools, &list_pools, LIST_INACTIVE, max);
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
