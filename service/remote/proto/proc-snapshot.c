/* proc-snapshot.c: the domain snapshot procedures (185-193, 244-247, 271-275): remote_nonnull_domain_snapshot is {name; domain}. */
#include "proc-domain-child.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "snapshot.h"

#define REMOTE_DOMAIN_SNAPSHOT_LIST_MAX 16384

static int put_snapshot(XdrWriter *w, const Snapshot *s) {
        return remote_put_domain_child(w, s->def->name, s->domain);
}

/* {snap; …; u32 flags}: the snapshot named in the arguments (before them: extra reads one
 * int, e.g. maxnames or need_results, when not NULL). */
static Snapshot *read_snapshot(RemoteCall *rc, int32_t *extra, unsigned *flags) {
        char *name = NULL;
        Domain *d = remote_read_domain_child(rc, &name, extra, flags);
        Snapshot *s = d ? snapshot_lookup(d, name, &rc->err) : NULL;
        free(name);
        return s;
}

static int encode_created(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return result ? put_snapshot(w, result) : 0;    /* answered at once: written already */
}

static int create_snapshot(RemoteCall *rc, Domain *d, const char *xml, unsigned flags, Call *call) {
        Snapshot *s = NULL;
        int r = snapshot_create(d, xml, flags, call, &s, &rc->err);
        if (r == 0 && s)
                put_snapshot(&rc->ret, s);
        return r;
}

/* {dom; string xml; u32 flags} → {snap} */
REMOTE_HANDLER(proc_domain_snapshot_create_xml) {
        return remote_create_domain_child(rc, encode_created, create_snapshot);
}

/* {snap; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_snapshot_get_xml_desc) {
        unsigned flags = 0;
        Snapshot *s = read_snapshot(rc, NULL, &flags);
        return s ? remote_reply_string(rc, snapshot_get_xml(s, flags, &rc->err)) : -1;
}

/* {dom; string name; u32 flags} → {snap} */
REMOTE_HANDLER(proc_domain_snapshot_lookup_by_name) {
        char *name = NULL;
        unsigned flags = 0;
        Snapshot *s = NULL;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &name, &flags);
        if (d && remote_check_flags(rc, flags, 0) == 0)
                s = snapshot_lookup(d, name, &rc->err);
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
        Domain *d = remote_read_domain_int(rc, &max, &flags);
        return d && check_max(rc, max) == 0 ? reply_list(rc, d, NULL, flags, 1, max) : -1;
}

/* {dom; int need_results; u32 flags} → {snap snapshots<>; int ret} */
REMOTE_HANDLER(proc_domain_list_all_snapshots) {
        unsigned flags = 0;
        int32_t need = 0;
        Domain *d = remote_read_domain_int(rc, &need, &flags);
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
