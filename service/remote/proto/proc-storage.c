/* proc-storage.c: storage pool procedures. */
#include "dispatch.h"

#include <stdlib.h>

#include "storage.h"

static int reply_pool(RemoteCall *rc, StoragePool *p) {
        if (!p)
                return -1;
        remote_put_pool(&rc->ret, p);
        return 0;
}

REMOTE_HANDLER(proc_storage_pool_lookup_by_name) {
        char *name = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        int r = remote_args_end(rc);
        if (r == 0)
                r = reply_pool(rc, pool_lookup_name(rc->client->conn, name, &rc->err));
        free(name);
        return r;
}

/* {remote_nonnull_string path} → {remote_nonnull_storage_pool pool} */
REMOTE_HANDLER(proc_storage_pool_lookup_by_target_path) {
        char *path = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &path, NULL);
        int r = remote_args_end(rc);
        if (r == 0)
                r = reply_pool(rc, pool_lookup_target_path(rc->client->conn, path, &rc->err));
        free(path);
        return r;
}

/* {u32 flags} → {remote_nonnull_string capabilities} */
REMOTE_HANDLER(proc_connect_get_storage_pool_capabilities) {
        uint32_t flags = 0;
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        return remote_reply_string(rc, pool_capabilities(rc->client->conn, flags, &rc->err));
}

REMOTE_HANDLER(proc_storage_pool_lookup_by_uuid) {
        uint8_t uuid[16];
        xdr_get_fixed(&rc->args, uuid, sizeof uuid);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_pool(rc, pool_lookup_uuid(rc->client->conn, uuid, &rc->err));
}

REMOTE_HANDLER(proc_storage_pool_lookup_by_volume) {
        StorageVol *v = remote_read_vol(rc, NULL);
        return v ? reply_pool(rc, pool_lookup_volume(v)) : -1;
}

/* A pending create answers with the pool the completion hands over. */
static int encode_pool(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                remote_put_pool(w, result);
        return 0;
}

/* {string xml; u32 flags} → {pool} */
static int from_xml(RemoteCall *rc, bool start) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags;
        StoragePool *p = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0) {
                Call *call = start ? remote_call_plain(rc, encode_pool) : NULL;
                if (!start)
                        r = pool_define(rc->client->conn, xml, len, flags, &p, &rc->err) < 0 ? -1 : 0;
                else if (!call)
                        r = -1;
                else
                        r = remote_call_finish(rc, call, pool_create_xml(rc->client->conn, xml, len, flags,
                                                                         call, &p, &rc->err));
                if (r == 0)
                        r = reply_pool(rc, p);
        }
        free(xml);
        return r;
}

REMOTE_HANDLER(proc_storage_pool_define_xml) {
        return from_xml(rc, false);
}

REMOTE_HANDLER(proc_storage_pool_create_xml) {
        return from_xml(rc, true);
}

REMOTE_HANDLER(proc_storage_pool_create) {
        unsigned flags = 0;
        StoragePool *p = remote_read_pool(rc, &flags);
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, pool_start(p, flags, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_build) {
        unsigned flags = 0;
        StoragePool *p = remote_read_pool(rc, &flags);
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, pool_build(p, flags, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_destroy) {
        StoragePool *p = remote_read_pool(rc, NULL);
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, pool_destroy(p, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_delete) {
        unsigned flags = 0;
        StoragePool *p = remote_read_pool(rc, &flags);
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, pool_delete(p, flags, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_undefine) {
        StoragePool *p = remote_read_pool(rc, NULL);
        return p ? remote_done(pool_undefine(p, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_refresh) {
        unsigned flags = 0;
        StoragePool *p = remote_read_pool(rc, &flags);
        Call *call = p ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, pool_refresh(p, flags, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_get_xml_desc) {
        unsigned flags = 0;
        StoragePool *p = remote_read_pool(rc, &flags);
        return p ? remote_reply_string(rc, pool_get_xml(p, flags, &rc->err)) : -1;
}

/* {uchar state; uhyper capacity, allocation, available} */
REMOTE_HANDLER(proc_storage_pool_get_info) {
        PoolInfo info = { 0 };
        StoragePool *p = remote_read_pool(rc, NULL);
        if (!p || pool_get_info(p, &info, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint8_t) info.state);
        xdr_put_u64(&rc->ret, info.capacity);
        xdr_put_u64(&rc->ret, info.allocation);
        xdr_put_u64(&rc->ret, info.available);
        return 0;
}

REMOTE_HANDLER(proc_storage_pool_get_autostart) {
        StoragePool *p = remote_read_pool(rc, NULL);
        return p ? remote_reply_int(rc, p->autostart) : -1;
}

REMOTE_HANDLER(proc_storage_pool_set_autostart) {
        RemoteRef ref = { 0 };
        int32_t autostart;
        remote_get_pool_ref(rc, &ref);
        xdr_get_i32(&rc->args, &autostart);
        if (remote_args_end(rc) < 0)
                return -1;
        StoragePool *p = remote_find_pool(rc, &ref);
        return p ? remote_done(pool_set_autostart(p, autostart != 0, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_is_active) {
        StoragePool *p = remote_read_pool(rc, NULL);
        return p ? remote_reply_int(rc, pool_is_active(p)) : -1;
}

REMOTE_HANDLER(proc_storage_pool_is_persistent) {
        StoragePool *p = remote_read_pool(rc, NULL);
        return p ? remote_reply_int(rc, p->persistent) : -1;
}

/* The <sources> XML the completion hands over. */
static int encode_sources(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (!result)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "no pool sources");
        xdr_put_string(w, result);
        return 0;
}

/* {string type; string *srcSpec; u32 flags} → {string xml}: answered when the scan is done. */
REMOTE_HANDLER(proc_connect_find_storage_pool_sources) {
        char *type = NULL, *spec = NULL;
        uint32_t flags;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &type, NULL);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &spec);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0) {
                Call *call = remote_call_plain(rc, encode_sources);
                r = call ? remote_call_finish(rc, call, pool_find_sources(rc->client->conn, type, spec, flags, call,
                                                                           &rc->err))
                         : -1;
        }
        free(type);
        free(spec);
        return r;
}
