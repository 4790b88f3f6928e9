/* proc-domain-migrate-v3plain.c: the v3 migration procedures without typed parameters (213 Begin3, 214 Prepare3, 216 Perform3, 217 Finish3, 218 Confirm3), which clients use when either side lacks MIGRATION_PARAMS: their fixed arguments translated into the same steps as the *Params ones (domain-migrate-v3.c). */
#include "proc-domain-migrate.h"

#include <stdlib.h>

#include "domain-migrate.h"

/* The fixed arguments carry the flags as an unsigned hyper: bits above 32 are no flag of libvirt's. */
static int flags_read(RemoteCall *rc, const char *fn, unsigned *flags) {
        uint64_t f = 0;
        if (xdr_get_u64(&rc->args, &f) < 0)
                return -1;
        if (f >> 32)
                return vb_error_set_raw(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "unsupported flags (0x%llx) in function %s",
                                        (unsigned long long) (f & ~0xffffffffull), fn);
        *flags = (unsigned) f;
        return 0;
}

/* {dom; remote_string xmlin; u64 flags; remote_string dname; u64 resource} → {cookie_out; xml} */
REMOTE_HANDLER(proc_domain_migrate_begin3) {
        RemoteRef ref = { 0 };
        char *xmlin = NULL, *dname = NULL;
        uint64_t resource = 0;
        unsigned flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &xmlin);
        int r = flags_read(rc, "virDomainMigrateBegin3", &flags);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dname);
        xdr_get_u64(&rc->args, &resource);
        Domain *d = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        free(xmlin);
        free(dname);
        return d ? migrate_reply_begin(rc, d, flags) : -1;
}

/* {opaque cookie_in<>; remote_string uri_in; u64 flags; remote_string dname; u64 resource;
 * remote_nonnull_string dom_xml} → {cookie_out; uri_out}, once QEMU listens. */
REMOTE_HANDLER(proc_domain_migrate_prepare3) {
        char *uri_in = NULL, *dname = NULL, *xml = NULL;
        uint64_t resource = 0;
        unsigned flags = 0;
        int r = migrate_cookie_skip(rc);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &uri_in);
        if (r == 0)
                r = flags_read(rc, "virDomainMigratePrepare3", &flags);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dname);
        xdr_get_u64(&rc->args, &resource);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, NULL);
        Call *call = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_call_new(rc, migrate_encode_prepare, NULL);
        char uri[DOMAIN_MIGRATE_URI_MAX];
        if (call)
                r = domain_migrate_prepare(rc->client->conn, xml, NULL, flags, call, uri, sizeof uri, &rc->err);
        free(uri_in);
        free(dname);
        free(xml);
        if (!call)
                return -1;
        if (r == 0)
                migrate_encode_prepare(&rc->ret, NULL, uri, &rc->err);
        return remote_call_finish(rc, call, r);
}

/* {dom; remote_string xmlin; opaque cookie_in<>; remote_string dconnuri; remote_string uri;
 * u64 flags; remote_string dname; u64 resource} → {cookie_out}, once QEMU has sent it all. */
REMOTE_HANDLER(proc_domain_migrate_perform3) {
        RemoteRef ref = { 0 };
        char *xmlin = NULL, *dconnuri = NULL, *uri = NULL, *dname = NULL;
        uint64_t resource = 0;
        unsigned flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &xmlin);
        int r = migrate_cookie_skip(rc);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dconnuri);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &uri);
        if (r == 0)
                r = flags_read(rc, "virDomainMigratePerform3", &flags);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dname);
        xdr_get_u64(&rc->args, &resource);
        Domain *d = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, migrate_encode_cookie, d) : NULL;
        if (call)
                r = domain_migrate_perform(d, dconnuri, uri, dname, flags, call, &rc->err);
        free(xmlin);
        free(dconnuri);
        free(uri);
        free(dname);
        if (!call)
                return -1;
        if (r == 0)
                migrate_encode_cookie(&rc->ret, d, NULL, &rc->err);
        return remote_call_finish(rc, call, r);
}

/* {remote_nonnull_string dname; opaque cookie_in<>; remote_string dconnuri; remote_string uri;
 * u64 flags; int cancelled} → {dom; cookie_out}, once the guest has arrived. */
REMOTE_HANDLER(proc_domain_migrate_finish3) {
        char *dname = NULL, *dconnuri = NULL, *uri = NULL;
        unsigned flags = 0;
        int32_t cancelled = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &dname, NULL);
        int r = migrate_cookie_skip(rc);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dconnuri);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &uri);
        if (r == 0)
                r = flags_read(rc, "virDomainMigrateFinish3", &flags);
        xdr_get_i32(&rc->args, &cancelled);
        Call *call = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_call_new(rc, migrate_encode_finish, NULL);
        Domain *d = NULL;
        if (call)
                r = domain_migrate_finish(rc->client->conn, dname, flags, cancelled != 0, call, &d, &rc->err);
        free(dname);
        free(dconnuri);
        free(uri);
        if (!call)
                return -1;
        if (r == 0)
                migrate_encode_finish(&rc->ret, NULL, d, &rc->err);
        return remote_call_finish(rc, call, r);
}

/* {dom; opaque cookie_in<>; u64 flags; int cancelled} → void */
REMOTE_HANDLER(proc_domain_migrate_confirm3) {
        RemoteRef ref = { 0 };
        unsigned flags = 0;
        int32_t cancelled = 0;
        remote_get_domain_ref(rc, &ref);
        int r = migrate_cookie_skip(rc);
        if (r == 0)
                r = flags_read(rc, "virDomainMigrateConfirm3", &flags);
        xdr_get_i32(&rc->args, &cancelled);
        return migrate_confirm(rc, &ref, r, flags, cancelled != 0);
}
