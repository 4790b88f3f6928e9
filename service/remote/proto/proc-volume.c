/* proc-volume.c: storage volume procedures. */
#include "dispatch.h"

#include <stdlib.h>

#include "storage.h"

static int reply_vol(RemoteCall *rc, StorageVol *v) {
        if (!v)
                return -1;
        remote_put_vol(&rc->ret, v);
        return 0;
}

REMOTE_HANDLER(proc_storage_vol_lookup_by_name) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        int r;
        remote_get_pool_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        r = remote_args_end(rc);
        if (r == 0) {
                StoragePool *p = remote_find_pool(rc, &ref);
                r = p ? reply_vol(rc, vol_lookup_name(p, name, &rc->err)) : -1;
        }
        free(name);
        return r;
}

/* {string key} or {string path} → {vol} */
static int lookup_string(RemoteCall *rc, bool by_key) {
        char *s = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &s, NULL);
        int r = remote_args_end(rc);
        if (r == 0)
                r = reply_vol(rc, by_key ? vol_lookup_key(rc->client->conn, s, &rc->err)
                                         : vol_lookup_path(rc->client->conn, s, &rc->err));
        free(s);
        return r;
}

REMOTE_HANDLER(proc_storage_vol_lookup_by_key) {
        return lookup_string(rc, true);
}

REMOTE_HANDLER(proc_storage_vol_lookup_by_path) {
        return lookup_string(rc, false);
}

/* A pending creation answers with the volume the completion hands over. */
static int encode_vol(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                remote_put_vol(w, result);
        return 0;
}

/* {pool; string xml; u32 flags} and {pool; string xml; vol clonevol; u32 flags} → {vol} */
static int create(RemoteCall *rc, bool clone) {
        RemoteRef pool_ref = { 0 }, from_ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags;
        int r;
        remote_get_pool_ref(rc, &pool_ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        if (clone)
                remote_get_vol_ref(rc, &from_ref);
        xdr_get_u32(&rc->args, &flags);
        r = remote_args_end(rc);
        if (r == 0) {
                StoragePool *p = remote_find_pool(rc, &pool_ref);
                StorageVol *from = p && clone ? remote_find_vol(rc, &from_ref) : NULL;
                StorageVol *v = NULL;
                Call *call = p && (!clone || from) ? remote_call_plain(rc, encode_vol) : NULL;
                if (!call)
                        r = -1;
                else
                        r = remote_call_finish(rc, call, vol_create_xml(p, xml, len, flags, from, call, &v, &rc->err));
                if (r == 0)
                        r = reply_vol(rc, v);
        }
        remote_ref_done(&from_ref);
        free(xml);
        return r;
}

REMOTE_HANDLER(proc_storage_vol_create_xml) {
        return create(rc, false);
}

REMOTE_HANDLER(proc_storage_vol_create_xml_from) {
        return create(rc, true);
}

REMOTE_HANDLER(proc_storage_vol_delete) {
        unsigned flags = 0;
        StorageVol *v = remote_read_vol(rc, &flags);
        Call *call = v ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, vol_delete(v, flags, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_storage_vol_wipe) {
        unsigned flags = 0;
        StorageVol *v = remote_read_vol(rc, &flags);
        Call *call = v ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, vol_wipe(v, flags, call, &rc->err)) : -1;
}

/* {vol; u32 algorithm; u32 flags} */
REMOTE_HANDLER(proc_storage_vol_wipe_pattern) {
        RemoteRef ref = { 0 };
        uint32_t algorithm, flags;
        int r;
        remote_get_vol_ref(rc, &ref);
        xdr_get_u32(&rc->args, &algorithm);
        xdr_get_u32(&rc->args, &flags);
        r = remote_args_end(rc);
        if (r == 0) {
                StorageVol *v = remote_find_vol(rc, &ref);
                if (!v)
                        r = -1;
                else {
                        Call *call = remote_call_plain(rc, NULL);
                        r = call ? remote_call_finish(rc, call, vol_wipe_pattern(v, algorithm, flags, call, &rc->err)) : -1;
                }
        }
        remote_ref_done(&ref);
        return r;
}

/* {vol; uhyper capacity; u32 flags} */
REMOTE_HANDLER(proc_storage_vol_resize) {
        RemoteRef ref = { 0 };
        uint64_t capacity;
        uint32_t flags;
        int r;
        remote_get_vol_ref(rc, &ref);
        xdr_get_u64(&rc->args, &capacity);
        xdr_get_u32(&rc->args, &flags);
        r = remote_args_end(rc);
        if (r == 0) {
                StorageVol *v = remote_find_vol(rc, &ref);
                Call *call = v ? remote_call_plain(rc, NULL) : NULL;
                r = call ? remote_call_finish(rc, call, vol_resize(v, capacity, flags, call, &rc->err)) : -1;
        }
        remote_ref_done(&ref);
        return r;
}

REMOTE_HANDLER(proc_storage_vol_get_xml_desc) {
        unsigned flags = 0;
        StorageVol *v = remote_read_vol(rc, &flags);
        return v ? remote_reply_string(rc, vol_get_xml(v, flags, &rc->err)) : -1;
}

/* {char type; uhyper capacity, allocation} */
static int reply_info(RemoteCall *rc, StorageVol *v) {
        VolInfo info = { 0 };
        if (!v || vol_get_info(v, &info, &rc->err) < 0)
                return -1;
        xdr_put_i32(&rc->ret, (signed char) info.type);
        xdr_put_u64(&rc->ret, info.capacity);
        xdr_put_u64(&rc->ret, info.allocation);
        return 0;
}

REMOTE_HANDLER(proc_storage_vol_get_info) {
        return reply_info(rc, remote_read_vol(rc, NULL));
}

/* VIR_STORAGE_VOL_GET_PHYSICAL: the allocation is the physical size, the same for plain files. */
REMOTE_HANDLER(proc_storage_vol_get_info_flags) {
        unsigned flags = 0;
        StorageVol *v = remote_read_vol(rc, &flags);
        if (v && remote_check_flags(rc, flags, 1) < 0)
                return -1;
        return reply_info(rc, v);
}

REMOTE_HANDLER(proc_storage_vol_get_path) {
        StorageVol *v = remote_read_vol(rc, NULL);
        if (!v)
                return -1;
        xdr_put_string(&rc->ret, v->def && v->def->path ? v->def->path : "");
        return 0;
}

/* {vol; u64 offset; u64 length; u32 flags} → {}, then the volume's bytes as a stream with this
 * call's serial: from the client (upload) or to it (download); flags 1: a sparse stream. */
static int vol_stream_proc(RemoteCall *rc, bool upload) {
        RemoteRef ref = { 0 };
        uint64_t offset = 0, length = 0;
        uint32_t flags = 0;
        remote_get_vol_ref(rc, &ref);
        xdr_get_u64(&rc->args, &offset);
        xdr_get_u64(&rc->args, &length);
        xdr_get_u32(&rc->args, &flags);
        StorageVol *v = remote_args_end(rc) < 0 ? NULL : remote_find_vol(rc, &ref);
        remote_ref_done(&ref);
        if (!v || remote_stream_room(rc) < 0)
                return -1;
        Stream *st = NULL;
        if ((upload ? vol_upload : vol_download)(v, offset, length, flags, &st, &rc->err) < 0)
                return -1;
        int r = remote_stream_open(rc, st, upload ? REMOTE_STREAM_UPLOAD : REMOTE_STREAM_DOWNLOAD, flags & 1);
        if (r < 0)
                stream_abort(st, &rc->err);
        stream_unref(st);
        return r;
}

REMOTE_HANDLER(proc_storage_vol_upload) {
        return vol_stream_proc(rc, true);
}

REMOTE_HANDLER(proc_storage_vol_download) {
        return vol_stream_proc(rc, false);
}
