/* proc-snapshot.c: the domain snapshot procedures (185-193, 244-247, 271-275): remote_nonnull_domain_snapshot is {name; domain}. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "snapshot.h"

#define REMOTE_DOMAIN_SNAPSHOT_LIST_MAX 16384

static int put_snapshot(XdrWriter *w, const Snapshot *s) {
        xdr_put_string(w, s->def->name);
        return remote_put_domain(w, s->domain);
}

/* {snap; …; u32 flags}: the snapshot named in the arguments (before them: extra reads one
 * int, e.g. maxnames or need_results, when not NULL). */
static Snapshot *read_snapshot(RemoteCall *rc, int32_t *extra, unsigned *flags) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        size_t len = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, &len);
        remote_get_domain_ref(rc, &ref);
        if (extra)
                xdr_get_i32(&rc->args, extra);
        xdr_get_u32(&rc->args, flags);
        Snapshot *s = NULL;
        if (remote_args_end(rc) == 0) {
                Domain *d = remote_find_domain(rc, &ref);
                s = d ? snapshot_lookup(d, name, &rc->err) : NULL;
        }
        remote_ref_done(&ref);
        free(name);
        return s;
}

/* {dom; int extra; u32 flags} */
static Domain *read_domain_int(RemoteCall *rc, int32_t *extra, unsigned *flags) {
        RemoteRef ref = { 0 };
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, extra);
        xdr_get_u32(&rc->args, flags);
        Domain *d = remote_args_end(rc) == 0 ? remote_find_domain(rc, &ref) : NULL;
        remote_ref_done(&ref);
        return d;
}

static int encode_created(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return result ? put_snapshot(w, result) : 0;    /* answered at once: written already */
}

/* {dom; string xml; u32 flags} → {snap} */
REMOTE_HANDLER(proc_domain_snapshot_create_xml) {
        RemoteRef ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d) {
                Call *call = remote_call_new(rc, encode_created, d);
                Snapshot *s = NULL;
                if (!call) {
                        r = vb_error_errno(&rc->err, -ENOMEM, "pending call");
                } else {
                        r = snapshot_create(d, xml, flags, call, &s, &rc->err);
                        if (r == 0 && s)
                                put_snapshot(&rc->ret, s);
                        r = remote_call_finish(rc, call, r);
                }
        }
        remote_ref_done(&ref);
        free(xml);
        return r;
}

/* {snap; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_snapshot_get_xml_desc) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        return s ? remote_reply_string(rc, snapshot_get_xml(s, flags, &rc->err)) : -1;
}

/* {dom; string name; u32 flags} → {snap} */
REMOTE_HANDLER(proc_domain_snapshot_lookup_by_name) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, &len);
        xdr_get_u32(&rc->args, &flags);
        Snapshot *s = NULL;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d && remote_check_flags(rc, flags, 0) == 0)
                s = snapshot_lookup(d, name, &rc->err);
        remote_ref_done(&ref);
        free(name);
        return s ? put_snapshot(&rc->ret, s), 0 : -1;
}

/* {dom; u32 flags} → {snap} */
REMOTE_HANDLER(proc_domain_snapshot_current) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        Snapshot *s = snapshot_current(d, &rc->err);
        return s ? put_snapshot(&rc->ret, s), 0 : -1;
}

/* {dom; u32 flags} → {int result} */
REMOTE_HANDLER(proc_domain_has_current_snapshot) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        return remote_reply_int(rc, snapshot_current(d, NULL) ? 1 : 0);
}

/* {snap; u32 flags} → void; the verb may finish when QEMU has. */
static int snapshot_verb(RemoteCall *rc, int (*verb)(Snapshot *, unsigned, Call *, VbError *)) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        if (!s)
                return -1;
        Call *call = remote_call_new(rc, NULL, s->domain);
        return call ? remote_call_finish(rc, call, verb(s, flags, call, &rc->err))
                    : vb_error_errno(&rc->err, -ENOMEM, "pending call");
}

REMOTE_HANDLER(proc_domain_revert_to_snapshot) {
        return snapshot_verb(rc, snapshot_revert);
}

REMOTE_HANDLER(proc_domain_snapshot_delete) {
        return snapshot_verb(rc, snapshot_delete);
}

/* {snap; u32 flags} → {snap parent} */
REMOTE_HANDLER(proc_domain_snapshot_get_parent) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        if (!s || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        Snapshot *p = snapshot_parent(s, &rc->err);
        return p ? put_snapshot(&rc->ret, p), 0 : -1;
}

REMOTE_HANDLER(proc_domain_snapshot_is_current) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        if (!s || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        return remote_reply_int(rc, snapshot_is_current(s) ? 1 : 0);
}

/* Every snapshot the daemon knows has its metadata. */
REMOTE_HANDLER(proc_domain_snapshot_has_metadata) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        if (!s || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        return remote_reply_int(rc, 1);
}

/* The list for d (from NULL) or s's children: count (names NULL), names, or objects. */
static int reply_list(RemoteCall *rc, Domain *d, Snapshot *from, unsigned flags, int mode, int32_t max) {
        Snapshot **v = NULL;
        size_t n = 0;
        if (snapshot_list(d, from, flags, &v, &n, &rc->err) < 0)
                return -1;
        int r = 0;
        if (mode == 0) {
                xdr_put_i32(&rc->ret, (int32_t) n);
        } else if (mode == 1) {
                /* names: at most max of them */
                size_t k = n < (size_t) max ? n : (size_t) max;
                xdr_put_u32(&rc->ret, (uint32_t) k);
                for (size_t i = 0; i < k; i++)
                        xdr_put_string(&rc->ret, v[i]->def->name);
        } else if (n > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX) {
                r = remote_error_rpc(&rc->err, "Too many domain snapshots '%zu' for limit '%d'", n,
                                     REMOTE_DOMAIN_SNAPSHOT_LIST_MAX);
        } else {
                /* objects when asked for (max: need_results), the count always */
                xdr_put_u32(&rc->ret, max ? (uint32_t) n : 0);
                for (size_t i = 0; max && i < n; i++)
                        put_snapshot(&rc->ret, v[i]);
                xdr_put_i32(&rc->ret, (int32_t) n);
        }
        free(v);
        return r;
}

static int check_max(RemoteCall *rc, int32_t max) {
        if (max < 0 || max > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX)
                return remote_error_rpc(&rc->err, "maxnames > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX");
        return 0;
}

/* {dom; u32 flags} → {int num} */
REMOTE_HANDLER(proc_domain_snapshot_num) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? reply_list(rc, d, NULL, flags, 0, 0) : -1;
}

/* {dom; int maxnames; u32 flags} → {string names<>} */
REMOTE_HANDLER(proc_domain_snapshot_list_names) {
        unsigned flags = 0;
        int32_t max = 0;
        Domain *d = read_domain_int(rc, &max, &flags);
        return d && check_max(rc, max) == 0 ? reply_list(rc, d, NULL, flags, 1, max) : -1;
}

/* {dom; int need_results; u32 flags} → {snap snapshots<>; int ret} */
REMOTE_HANDLER(proc_domain_list_all_snapshots) {
        unsigned flags = 0;
        int32_t need = 0;
        Domain *d = read_domain_int(rc, &need, &flags);
        return d ? reply_list(rc, d, NULL, flags, 2, need ? 1 : 0) : -1;
}

REMOTE_HANDLER(proc_domain_snapshot_num_children) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        return s ? reply_list(rc, s->domain, s, flags, 0, 0) : -1;
}

REMOTE_HANDLER(proc_domain_snapshot_list_children_names) {
        unsigned flags = 0;
        int32_t max = 0;
        Snapshot *s = read_snapshot(rc, &max, &flags);
        return s && check_max(rc, max) == 0 ? reply_list(rc, s->domain, s, flags, 1, max) : -1;
}

REMOTE_HANDLER(proc_domain_snapshot_list_all_children) {
        unsigned flags = 0;
        int32_t need = 0;
        Snapshot *s = read_snapshot(rc, &need, &flags);
        return s ? reply_list(rc, s->domain, s, flags, 2, need ? 1 : 0) : -1;
}
