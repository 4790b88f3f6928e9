/* proc-checkpoint.c: the domain checkpoint procedures (411-417): remote_nonnull_domain_checkpoint is {name; domain}. */
#include "proc-domain-child.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "domain.h"

#define REMOTE_DOMAIN_CHECKPOINT_LIST_MAX 16384

static int put_checkpoint(XdrWriter *w, const Checkpoint *c) {
        return remote_put_domain_child(w, c->def->name, c->domain);
}

/* {checkpoint; [int extra;] u32 flags}: the checkpoint the arguments name. */
static Checkpoint *read_checkpoint(RemoteCall *rc, int32_t *extra, unsigned *flags) {
        char *name = NULL;
        Domain *d = remote_read_domain_child(rc, &name, extra, flags);
        Checkpoint *c = d ? checkpoint_lookup(d, name, &rc->err) : NULL;
        free(name);
        return c;
}

static int encode_created(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return result ? put_checkpoint(w, result) : 0;
}

static int create_checkpoint(RemoteCall *rc, Domain *d, const char *xml, unsigned flags, Call *call) {
        Checkpoint *c = NULL;
        int r = checkpoint_create(d, xml, flags, call, &c, &rc->err);
        if (r == 0 && c)
                put_checkpoint(&rc->ret, c);
        return r;
}

/* {dom; string xml; u32 flags} → {checkpoint} */
REMOTE_HANDLER(proc_domain_checkpoint_create_xml) {
        return remote_create_domain_child(rc, encode_created, create_checkpoint);
}

/* {checkpoint; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_checkpoint_get_xml_desc) {
        unsigned flags = 0;
        Checkpoint *c = read_checkpoint(rc, NULL, &flags);
        return c ? remote_reply_string(rc, checkpoint_get_xml(c, flags, &rc->err)) : -1;
}

/* {dom; string name; u32 flags} → {checkpoint} */
REMOTE_HANDLER(proc_domain_checkpoint_lookup_by_name) {
        char *name = NULL;
        unsigned flags = 0;
        Checkpoint *c = NULL;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &name, &flags);
        if (d && remote_check_flags(rc, flags, 0) == 0)
                c = checkpoint_lookup(d, name, &rc->err);
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
        int32_t need = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_int(rc, &need, &flags);
        return d ? reply_list(rc, d, NULL, flags, need != 0) : -1;
}

/* {checkpoint; int need_results; u32 flags} */
REMOTE_HANDLER(proc_domain_checkpoint_list_all_children) {
        unsigned flags = 0;
        int32_t need = 0;
        Checkpoint *c = read_checkpoint(rc, &need, &flags);
        return c ? reply_list(rc, c->domain, c, flags, need != 0) : -1;
}
