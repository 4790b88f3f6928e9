/* proc-checkpoint.c: the domain checkpoint procedures (411-417): remote_nonnull_domain_checkpoint is {name; domain}. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "domain.h"

#define REMOTE_DOMAIN_CHECKPOINT_LIST_MAX 16384

static int put_checkpoint(XdrWriter *w, const Checkpoint *c) {
        xdr_put_string(w, c->def->name);
        return remote_put_domain(w, c->domain);
}

/* {checkpoint; [int extra;] u32 flags}: the checkpoint the arguments name. */
static Checkpoint *read_checkpoint(RemoteCall *rc, int32_t *extra, unsigned *flags) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        size_t len = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, &len);
        remote_get_domain_ref(rc, &ref);
        if (extra)
                xdr_get_i32(&rc->args, extra);
        xdr_get_u32(&rc->args, flags);
        Checkpoint *c = NULL;
        if (remote_args_end(rc) == 0) {
                Domain *d = remote_find_domain(rc, &ref);
                c = d ? checkpoint_lookup(d, name, &rc->err) : NULL;
        }
        remote_ref_done(&ref);
        free(name);
        return c;
}

static int encode_created(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return result ? put_checkpoint(w, result) : 0;
}

/* {dom; string xml; u32 flags} → {checkpoint} */
REMOTE_HANDLER(proc_domain_checkpoint_create_xml) {
        RemoteRef ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, encode_created, d) : NULL;
        if (d && !call) {
                r = vb_error_errno(&rc->err, -ENOMEM, "pending call");
        } else if (call) {
                Checkpoint *c = NULL;
                r = checkpoint_create(d, xml, flags, call, &c, &rc->err);
                if (r == 0 && c)
                        put_checkpoint(&rc->ret, c);
                r = remote_call_finish(rc, call, r);
        }
        remote_ref_done(&ref);
        free(xml);
        return r;
}

/* {checkpoint; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_checkpoint_get_xml_desc) {
        unsigned flags = 0;
        Checkpoint *c = read_checkpoint(rc, NULL, &flags);
        return c ? remote_reply_string(rc, checkpoint_get_xml(c, flags, &rc->err)) : -1;
}

/* {dom; string name; u32 flags} → {checkpoint} */
REMOTE_HANDLER(proc_domain_checkpoint_lookup_by_name) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, &len);
        xdr_get_u32(&rc->args, &flags);
        Checkpoint *c = NULL;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d && remote_check_flags(rc, flags, 0) == 0)
                c = checkpoint_lookup(d, name, &rc->err);
        remote_ref_done(&ref);
        free(name);
        return c ? put_checkpoint(&rc->ret, c), 0 : -1;
}

/* {checkpoint; u32 flags} → {checkpoint parent} */
REMOTE_HANDLER(proc_domain_checkpoint_get_parent) {
        unsigned flags = 0;
        Checkpoint *c = read_checkpoint(rc, NULL, &flags);
        if (!c || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        Checkpoint *p = checkpoint_parent(c, &rc->err);
        return p ? put_checkpoint(&rc->ret, p), 0 : -1;
}

/* {checkpoint; u32 flags} → void; QEMU may answer later. */
REMOTE_HANDLER(proc_domain_checkpoint_delete) {
        unsigned flags = 0;
        Checkpoint *c = read_checkpoint(rc, NULL, &flags);
        if (!c)
                return -1;
        Call *call = remote_call_new(rc, NULL, c->domain);
        return call ? remote_call_finish(rc, call, checkpoint_delete(c, flags, call, &rc->err))
                    : vb_error_errno(&rc->err, -ENOMEM, "pending call");
}

/* {checkpoint checkpoints<>; int ret}: the objects when asked for (need), the count always. */
static int reply_list(RemoteCall *rc, Domain *d, Checkpoint *from, unsigned flags, bool need) {
        Checkpoint **v = NULL;
        size_t n = 0;
        if (checkpoint_list(d, from, flags, &v, &n, &rc->err) < 0)
                return -1;
        int r = 0;
        if (n > REMOTE_DOMAIN_CHECKPOINT_LIST_MAX) {
                r = remote_error_rpc(&rc->err, "Too many domain checkpoints '%zu' for limit '%d'", n,
                                     REMOTE_DOMAIN_CHECKPOINT_LIST_MAX);
        } else {
                xdr_put_u32(&rc->ret, need ? (uint32_t) n : 0);
                for (size_t i = 0; need && i < n; i++)
                        put_checkpoint(&rc->ret, v[i]);
                xdr_put_i32(&rc->ret, (int32_t) n);
        }
        free(v);
        return r;
}

/* {dom; int need_results; u32 flags} */
REMOTE_HANDLER(proc_domain_list_all_checkpoints) {
        RemoteRef ref = { 0 };
        int32_t need = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &need);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) == 0 ? remote_find_domain(rc, &ref) : NULL;
        remote_ref_done(&ref);
        return d ? reply_list(rc, d, NULL, flags, need != 0) : -1;
}

/* {checkpoint; int need_results; u32 flags} */
REMOTE_HANDLER(proc_domain_checkpoint_list_all_children) {
        unsigned flags = 0;
        int32_t need = 0;
        Checkpoint *c = read_checkpoint(rc, &need, &flags);
        return c ? reply_list(rc, c->domain, c, flags, need != 0) : -1;
}
