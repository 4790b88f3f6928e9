/* proc-domain-migrate-v3.c: the remote door's managed v3 migration with parameters (302 Begin3Params, 303 Prepare3Params, 305 Perform3Params, 306 Finish3Params, 307 Confirm3Params): typed parameters and cookies on the wire, domain-migrate-v3.c's steps. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-migrate.h"
#include "proc-domain-migrate.h"

#define MIGRATE_PARAMS_MAX 64u                  /* REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX */

/* The parameters virtbus takes (VIR_MIGRATE_PARAM_*): strings kept, the bandwidth checked. */
typedef struct MigrateParams {
        char *uri, *dname, *xml, *listen;
} MigrateParams;

static void params_clear(MigrateParams *p) {
        free(p->uri);
        free(p->dname);
        free(p->xml);
        free(p->listen);
        *p = (MigrateParams) { 0 };
}

/* remote_typed_param params<64>: the known names into p; any other, or a known one of the
 * wrong type, is refused by name. */
static int params_read(RemoteCall *rc, MigrateParams *p) {
        uint32_t n = 0;
        if (xdr_get_array_len(&rc->args, MIGRATE_PARAMS_MAX, 12, &n) < 0)
                return -1;
        for (uint32_t i = 0; i < n; i++) {
                char *field = NULL, *str = NULL;
                int32_t type = 0, i32;
                uint64_t u64;
                if (xdr_get_string(&rc->args, 80, &field, NULL) < 0 || xdr_get_i32(&rc->args, &type) < 0) {
                        free(field);
                        return -1;
                }
                int r = type == 7 ? xdr_get_string(&rc->args, REMOTE_STRING_MAX, &str, NULL)
                        : (type == 1 || type == 2 || type == 6) ? xdr_get_i32(&rc->args, &i32)
                        : (type >= 3 && type <= 5) ? xdr_get_u64(&rc->args, &u64) : -EINVAL;
                char **slot = !field ? NULL
                              : strcmp(field, "migrate_uri") == 0 ? &p->uri
                              : strcmp(field, "destination_name") == 0 ? &p->dname
                              : strcmp(field, "destination_xml") == 0 ? &p->xml
                              : strcmp(field, "listen_address") == 0 ? &p->listen : NULL;
                bool bandwidth = field && strcmp(field, "bandwidth") == 0 && type == 4;
                if (r < 0 || (!slot && !bandwidth) || (slot && type != 7)) {
                        if (r >= 0)
                                vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "parameter '%s' not supported",
                                             field ? field : "");
                        free(field);
                        free(str);
                        return -1;
                }
                if (slot) {
                        free(*slot);
                        *slot = str;
                        str = NULL;
                }
                free(field);
                free(str);
        }
        return 0;
}

int migrate_reply_begin(RemoteCall *rc, Domain *d, unsigned flags) {
        char *xml = domain_migrate_begin(d, flags, &rc->err);
        if (!xml)
                return -1;
        xdr_put_u32(&rc->ret, 0);
        xdr_put_string(&rc->ret, xml);
        free(xml);
        return 0;
}

int migrate_confirm(RemoteCall *rc, RemoteRef *ref, int r, unsigned flags, bool cancelled) {
        Domain *d = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, ref);
        remote_ref_done(ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_migrate_confirm(d, flags, cancelled, call, &rc->err));
}

int migrate_cookie_skip(RemoteCall *rc) {
        uint8_t *c = NULL;
        size_t len = 0;
        int r = xdr_get_opaque(&rc->args, MIGRATE_COOKIE_MAX, &c, &len);
        free(c);
        return r;
}

/* {dom; params; u32 flags} → {opaque cookie_out<>; string xml} */
REMOTE_HANDLER(proc_domain_migrate_begin3_params) {
        RemoteRef ref = { 0 };
        MigrateParams p = { 0 };
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        int r = params_read(rc, &p);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        params_clear(&p);
        return d ? migrate_reply_begin(rc, d, flags) : -1;
}

int migrate_encode_prepare(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        xdr_put_u32(w, 0);
        return xdr_put_opt_string(w, result) < 0 ? -1 : 0;
}

/* {params; opaque cookie_in<>; u32 flags} → {cookie_out; uri_out}, once QEMU listens. */
REMOTE_HANDLER(proc_domain_migrate_prepare3_params) {
        MigrateParams p = { 0 };
        uint32_t flags = 0;
        int r = params_read(rc, &p);
        if (r == 0)
                r = migrate_cookie_skip(rc);
        xdr_get_u32(&rc->args, &flags);
        Call *call = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_call_new(rc, migrate_encode_prepare, NULL);
        if (!call) {
                params_clear(&p);
                return -1;
        }
        char uri[DOMAIN_MIGRATE_URI_MAX];
        r = domain_migrate_prepare(rc->client->conn, p.xml, p.listen, flags, call, uri, sizeof uri, &rc->err);
        params_clear(&p);
        if (r == 0)
                migrate_encode_prepare(&rc->ret, NULL, uri, &rc->err);
        return remote_call_finish(rc, call, r);
}

int migrate_encode_cookie(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_u32(w, 0) < 0 ? -1 : 0;
}

/* {dom; remote_string dconnuri; params; opaque cookie_in<>; u32 flags} → {cookie_out}, once
 * QEMU has sent it all. */
REMOTE_HANDLER(proc_domain_migrate_perform3_params) {
        RemoteRef ref = { 0 };
        MigrateParams p = { 0 };
        char *dconnuri = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dconnuri);
        int r = params_read(rc, &p);
        if (r == 0)
                r = migrate_cookie_skip(rc);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, migrate_encode_cookie, d) : NULL;
        if (call)
                r = domain_migrate_perform(d, dconnuri, p.uri, p.dname, flags, call, &rc->err);
        free(dconnuri);
        params_clear(&p);
        if (!call)
                return -1;
        if (r == 0)
                migrate_encode_cookie(&rc->ret, d, NULL, &rc->err);
        return remote_call_finish(rc, call, r);
}

int migrate_encode_finish(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (!result)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "migration did not finish");
        remote_put_domain(w, result);
        return xdr_put_u32(w, 0) < 0 ? -1 : 0;
}

/* {params; opaque cookie_in<>; u32 flags; int cancelled} → {dom; cookie_out}, once the guest
 * has arrived (and runs, unless VIR_MIGRATE_PAUSED). */
REMOTE_HANDLER(proc_domain_migrate_finish3_params) {
        MigrateParams p = { 0 };
        uint32_t flags = 0;
        int32_t cancelled = 0;
        int r = params_read(rc, &p);
        if (r == 0)
                r = migrate_cookie_skip(rc);
        xdr_get_u32(&rc->args, &flags);
        xdr_get_i32(&rc->args, &cancelled);
        Call *call = r < 0 || remote_args_end(rc) < 0 ? NULL : remote_call_new(rc, migrate_encode_finish, NULL);
        if (!call) {
                params_clear(&p);
                return -1;
        }
        Domain *d = NULL;
        r = domain_migrate_finish(rc->client->conn, p.dname, flags, cancelled != 0, call, &d, &rc->err);
        params_clear(&p);
        if (r == 0)
                migrate_encode_finish(&rc->ret, NULL, d, &rc->err);
        return remote_call_finish(rc, call, r);
}

/* {dom; params; opaque cookie_in<>; u32 flags; int cancelled} → void */
REMOTE_HANDLER(proc_domain_migrate_confirm3_params) {
        RemoteRef ref = { 0 };
        MigrateParams p = { 0 };
        uint32_t flags = 0;
        int32_t cancelled = 0;
        remote_get_domain_ref(rc, &ref);
        int r = params_read(rc, &p);
        if (r == 0)
                r = migrate_cookie_skip(rc);
        xdr_get_u32(&rc->args, &flags);
        xdr_get_i32(&rc->args, &cancelled);
        params_clear(&p);
        return migrate_confirm(rc, &ref, r, flags, cancelled != 0);
}
