/* proc-domain-agent.c: the remote procedures the guest agent answers (hostname, time, filesystems, passwords, its timeout): decode → core domain-agent.c → encode, now or when the agent has answered. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-agent.h"
#include "domain.h"


/* {dom; u32 flags} → {remote_nonnull_string hostname} */
static int encode_hostname(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_string(w, result ? result : "") < 0 ? -1 : 0;
}

REMOTE_HANDLER(proc_domain_get_hostname) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, encode_hostname, d);
        if (!call)
                return -1;
        char *name = NULL;
        int r = domain_hostname_call(d, flags, call, &name, &rc->err);
        if (r == 0) {
                xdr_put_string(&rc->ret, name);
                free(name);
        }
        return remote_call_finish(rc, call, r);
}

/* {dom; u32 flags} → {hyper seconds; unsigned nseconds} */
static void put_time(XdrWriter *w, const DomainTime *t) {
        xdr_put_i64(w, t->seconds);
        xdr_put_u32(w, t->nseconds);
}

static int encode_time(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                put_time(w, result);
        return 0;
}

REMOTE_HANDLER(proc_domain_get_time) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, encode_time, d);
        if (!call)
                return -1;
        DomainTime t = { 0 };
        int r = domain_get_time_call(d, flags, call, &t, &rc->err);
        if (r == 0)
                put_time(&rc->ret, &t);
        return remote_call_finish(rc, call, r);
}

/* {dom; hyper seconds; unsigned nseconds; u32 flags} → void */
REMOTE_HANDLER(proc_domain_set_time) {
        RemoteRef ref = { 0 };
        int64_t seconds = 0;
        uint32_t nseconds = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i64(&rc->args, &seconds);
        xdr_get_u32(&rc->args, &nseconds);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_set_time(d, seconds, nseconds, flags, call, &rc->err));
}

/* {int filesystems} */
static int encode_count(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_i32(w, result ? *(int *) result : 0) < 0 ? -1 : 0;
}

/* {dom; remote_nonnull_string mountpoints<256>; u32 flags} → {int filesystems} */
static int fs_freeze(RemoteCall *rc, bool thaw) {
        RemoteRef ref = { 0 };
        uint32_t n = 0, flags = 0;
        char **mounts = NULL;
        remote_get_domain_ref(rc, &ref);
        if (xdr_get_array_len(&rc->args, DOMAIN_FS_MOUNTPOINTS_MAX, 4, &n) == 0 && n)
                mounts = calloc(n, sizeof *mounts);
        for (uint32_t i = 0; mounts && i < n; i++) {
                size_t len;
                xdr_get_string(&rc->args, REMOTE_STRING_MAX, &mounts[i], &len);
        }
        xdr_get_u32(&rc->args, &flags);
        Domain *d = (n && !mounts) || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, encode_count, d) : NULL;
        int r = -1;
        if (call) {
                r = domain_fs_freeze(d, (const char *const *) mounts, n, thaw, flags, call, &rc->err);
                r = remote_call_finish(rc, call, r);
        }
        for (uint32_t i = 0; mounts && i < n; i++)
                free(mounts[i]);
        free(mounts);
        return r;
}

REMOTE_HANDLER(proc_domain_fsfreeze) {
        return fs_freeze(rc, false);
}

REMOTE_HANDLER(proc_domain_fsthaw) {
        return fs_freeze(rc, true);
}

/* {dom; remote_string mountPoint; uhyper minimum; u32 flags} → void */
REMOTE_HANDLER(proc_domain_fstrim) {
        RemoteRef ref = { 0 };
        char *mount = NULL;
        uint64_t minimum = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &mount);
        xdr_get_u64(&rc->args, &minimum);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_fs_trim(d, mount, minimum, flags, call, &rc->err)) : -1;
        free(mount);
        return r;
}

/* {dom; remote_string user; remote_string password; u32 flags} → void */
REMOTE_HANDLER(proc_domain_set_user_password) {
        RemoteRef ref = { 0 };
        char *user = NULL, *password = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &user);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &password);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_set_user_password(d, user, password, flags, call, &rc->err))
                     : -1;
        free(user);
        if (password)
                explicit_bzero(password, strlen(password));
        free(password);
        return r;
}

/* {dom; int timeout; u32 flags} → {int result} */
REMOTE_HANDLER(proc_domain_agent_set_response_timeout) {
        int32_t timeout = 0;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_int(rc, &timeout, &flags);
        if (!d || domain_agent_set_response_timeout(d, timeout, flags, &rc->err) < 0)
                return -1;
        return remote_reply_int(rc, 0);
}

/* {remote_typed_param params<>}: {string field; int type; value} each */
int remote_encode_agent_params(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const DomainAgentParams *p = result;
        if (!p)
                return xdr_put_u32(w, 0) < 0 ? -1 : 0;
        xdr_put_u32(w, (uint32_t) p->n);
        for (size_t i = 0; i < p->n; i++) {
                const DomainStatParam *q = &p->v[i];
                xdr_put_string(w, q->key);
                xdr_put_i32(w, (int32_t) q->type);
                switch (q->type) {
                case DOMAIN_STAT_INT: xdr_put_i32(w, q->i); break;
                case DOMAIN_STAT_UINT: xdr_put_u32(w, q->u); break;
                case DOMAIN_STAT_LLONG: xdr_put_i64(w, (int64_t) q->ull); break;
                case DOMAIN_STAT_ULLONG: xdr_put_u64(w, q->ull); break;
                case DOMAIN_STAT_STRING: xdr_put_string(w, q->s); break;
                case DOMAIN_STAT_BOOLEAN: xdr_put_i32(w, q->i ? 1 : 0); break;
                }
        }
        return 0;
}

/* {dom; u32 types; u32 flags} → {remote_typed_param params<2048>} */
REMOTE_HANDLER(proc_domain_get_guest_info) {
        uint32_t types = 0, flags = 0;
        Domain *d = remote_read_domain_u32(rc, &types, &flags);
        Call *call = d ? remote_call_new(rc, remote_encode_agent_params, d) : NULL;
        return call ? remote_call_finish(rc, call, domain_get_guest_info(d, types, flags, call, &rc->err)) : -1;
}

/* {remote_domain_fsinfo info<256>; u32 ret} with fsinfo = {string mountpoint; string name;
 * string fstype; string dev_aliases<256>} */
static int encode_fsinfo(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const DomainFSInfoList *l = result;
        size_t n = l ? l->n : 0;
        xdr_put_u32(w, (uint32_t) n);
        for (size_t i = 0; i < n; i++) {
                xdr_put_string(w, l->v[i].mountpoint);
                xdr_put_string(w, l->v[i].name);
                xdr_put_string(w, l->v[i].fstype);
                xdr_put_u32(w, (uint32_t) l->v[i].n_aliases);
                for (size_t j = 0; j < l->v[i].n_aliases; j++)
                        xdr_put_string(w, l->v[i].aliases[j]);
        }
        xdr_put_u32(w, (uint32_t) n);
        return 0;
}

/* {dom; u32 flags} → the above */
REMOTE_HANDLER(proc_domain_get_fsinfo) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        Call *call = d ? remote_call_new(rc, encode_fsinfo, d) : NULL;
        return call ? remote_call_finish(rc, call, domain_get_fsinfo(d, flags, call, &rc->err)) : -1;
}
