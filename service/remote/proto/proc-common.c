/* proc-common.c: objects on the wire (remote_nonnull_domain and friends), handles resolved to core objects, small replies. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "driver.h"
#include "network.h"
#include "storage.h"

/* ------------------------------------------------------------------ writing objects */

int remote_put_domain(XdrWriter *w, const Domain *d) {
        xdr_put_string(w, d->obj.name);
        xdr_put_fixed(w, d->obj.uuid, 16);
        return xdr_put_i32(w, d->obj.id > 0 ? d->obj.id : -1);
}

int remote_put_network(XdrWriter *w, const Network *n) {
        xdr_put_string(w, n->obj.name);
        return xdr_put_fixed(w, n->obj.uuid, 16);
}

int remote_put_pool(XdrWriter *w, const StoragePool *p) {
        xdr_put_string(w, p->obj.name);
        return xdr_put_fixed(w, p->obj.uuid, 16);
}

int remote_put_vol(XdrWriter *w, const StorageVol *v) {
        xdr_put_string(w, v->pool->obj.name);
        xdr_put_string(w, v->obj.name);
        return xdr_put_string(w, v->def && v->def->key ? v->def->key : "");
}

/* ------------------------------------------------------------------ reading handles */

Domain *remote_find_domain(RemoteCall *rc, const RemoteRef *ref) {
        return domain_lookup_uuid(rc->client->conn, ref->uuid, &rc->err);
}

Network *remote_find_network(RemoteCall *rc, const RemoteRef *ref) {
        return network_lookup_uuid(rc->client->conn, ref->uuid, &rc->err);
}

StoragePool *remote_find_pool(RemoteCall *rc, const RemoteRef *ref) {
        return pool_lookup_uuid(rc->client->conn, ref->uuid, &rc->err);
}

/* libvirt's storage driver finds a volume handle's pool by name, then the volume in it. */
StorageVol *remote_find_vol(RemoteCall *rc, const RemoteRef *ref) {
        StoragePool *p = pool_lookup_name(rc->client->conn, ref->pool, &rc->err);
        return p ? vol_lookup_name(p, ref->name, &rc->err) : NULL;
}

/* {T obj} or {T obj; u32 flags}: read everything, then resolve. */
#define READ_OBJECT(rc, flags, get, find, type)                              \
        do {                                                                 \
                RemoteRef ref = { 0 };                                       \
                type *o = NULL;                                              \
                get(rc, &ref);                                               \
                if (flags)                                                   \
                        xdr_get_u32(&(rc)->args, flags);                     \
                if (remote_args_end(rc) == 0)                                \
                        o = find(rc, &ref);                                  \
                remote_ref_done(&ref);                                       \
                return o;                                                    \
        } while (0)

Domain *remote_read_domain(RemoteCall *rc, unsigned *flags) {
        READ_OBJECT(rc, flags, remote_get_domain_ref, remote_find_domain, Domain);
}

Network *remote_read_network(RemoteCall *rc, unsigned *flags) {
        READ_OBJECT(rc, flags, remote_get_network_ref, remote_find_network, Network);
}

StoragePool *remote_read_pool(RemoteCall *rc, unsigned *flags) {
        READ_OBJECT(rc, flags, remote_get_pool_ref, remote_find_pool, StoragePool);
}

StorageVol *remote_read_vol(RemoteCall *rc, unsigned *flags) {
        READ_OBJECT(rc, flags, remote_get_vol_ref, remote_find_vol, StorageVol);
}

Domain *remote_end_domain(RemoteCall *rc, RemoteRef *ref) {
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, ref);
        remote_ref_done(ref);
        return d;
}

Domain *remote_read_domain_u32(RemoteCall *rc, uint32_t *arg, unsigned *flags) {
        RemoteRef ref = { 0 };
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, arg);
        if (flags)
                xdr_get_u32(&rc->args, flags);
        return remote_end_domain(rc, &ref);
}

/* An XDR int is the four bytes of an unsigned int, read as signed (xdr_get_i32). */
Domain *remote_read_domain_int(RemoteCall *rc, int32_t *arg, unsigned *flags) {
        return remote_read_domain_u32(rc, (uint32_t *) arg, flags);
}

Domain *remote_read_domain_string(RemoteCall *rc, size_t max, char **s, unsigned *flags) {
        RemoteRef ref = { 0 };
        size_t len;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, max, s, &len);
        if (flags)
                xdr_get_u32(&rc->args, flags);
        return remote_end_domain(rc, &ref);
}

/* ------------------------------------------------------------------ replies */

/* A writer that failed (reply too large) is noticed when the reply is sent. */
int remote_reply_int(RemoteCall *rc, int32_t v) {
        xdr_put_i32(&rc->ret, v);
        return 0;
}

int remote_reply_string(RemoteCall *rc, char *s) {
        if (!s)
                return -1;
        xdr_put_string(&rc->ret, s);
        free(s);
        return 0;
}


/* After the gates the row gives (read-only, ACL): the procedure's API is not served yet. */
REMOTE_HANDLER(proc_not_supported) {
        const RemoteProcName *name = remote_proc_name(rc->hdr.proc);
        const ApiRow *row = api_row_by_proc(rc->hdr.proc);
        return vb_error_set(&rc->err, VB_ERR_NO_SUPPORT, name ? (VbErrorFrom) name->from : VB_FROM_NONE, "%s",
                            row ? row->name : "unknown");
}
