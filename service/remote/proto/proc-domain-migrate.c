/* proc-domain-migrate.c: the remote door's migration procedures: the settings of a running domain's migration (downtime, speed, compression cache, postcopy). */
#include "dispatch.h"

#include "domain-migrate.h"

/* {dom; uhyper value; u32 flags} → void */
static int set_param(RemoteCall *rc, DomainMigrateParam p) {
        RemoteRef ref = { 0 };
        uint64_t value = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u64(&rc->args, &value);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_migrate_set_param(d, p, value, flags, call, &rc->err));
}

/* {uhyper value} */
static int encode_u64(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_u64(w, result ? *(uint64_t *) result : 0) < 0 ? -1 : 0;
}

/* {dom; u32 flags} → {uhyper value} */
static int get_param(RemoteCall *rc, DomainMigrateParam p) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, encode_u64, d);
        if (!call)
                return -1;
        uint64_t value = 0;
        int r = domain_migrate_get_param(d, p, flags, call, &value, &rc->err);
        if (r == 0)
                xdr_put_u64(&rc->ret, value);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_domain_migrate_set_max_downtime) {
        return set_param(rc, DOMAIN_MIGRATE_DOWNTIME);
}

REMOTE_HANDLER(proc_domain_migrate_get_max_downtime) {
        return get_param(rc, DOMAIN_MIGRATE_DOWNTIME);
}

REMOTE_HANDLER(proc_domain_migrate_set_max_speed) {
        return set_param(rc, DOMAIN_MIGRATE_SPEED);
}

REMOTE_HANDLER(proc_domain_migrate_get_max_speed) {
        return get_param(rc, DOMAIN_MIGRATE_SPEED);
}

REMOTE_HANDLER(proc_domain_migrate_set_compression_cache) {
        return set_param(rc, DOMAIN_MIGRATE_CACHE);
}

REMOTE_HANDLER(proc_domain_migrate_get_compression_cache) {
        return get_param(rc, DOMAIN_MIGRATE_CACHE);
}

/* {dom; u32 flags} → void */
REMOTE_HANDLER(proc_domain_migrate_start_post_copy) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_migrate_start_postcopy(d, flags, call, &rc->err));
}
