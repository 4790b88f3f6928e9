/* proc-domain-save2.c: the rest of the save procedures (save-image-define, managedsave-define, save/restore with typed parameters), core dumps and rename. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-dump.h"
#include "domain-rename.h"
#include "domain-save.h"
#include "domain.h"

#define REMOTE_DOMAIN_SAVE_PARAMS_MAX 64u

/* {string file; string dxml; u32 flags} */
REMOTE_HANDLER(proc_domain_save_image_define_xml) {
        char *file = NULL, *dxml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &file, &len);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &dxml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc) < 0 ? -1 : domain_save_image_define(rc->client->conn, file, dxml, flags, &rc->err);
        free(file);
        free(dxml);
        return remote_done(r);
}

/* {dom; string? dxml; u32 flags} */
REMOTE_HANDLER(proc_domain_managed_save_define_xml) {
        RemoteRef ref = { 0 };
        char *dxml = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dxml);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d)
                r = domain_managed_save_define(d, dxml, flags, &rc->err);
        free(dxml);
        return remote_done(r);
}

typedef struct SaveParams {
        char *file, *dxml;
} SaveParams;

static void save_params_clear(SaveParams *p) {
        free(p->file);
        free(p->dxml);
}

/* Skip the value of a typed parameter of a type these calls do not take. */
static int skip_value(XdrReader *r, int32_t type) {
        int32_t i32;
        uint64_t u64;
        char *s = NULL;
        size_t len = 0;
        switch (type) {
        case 1: case 2: case 6: return xdr_get_i32(r, &i32);
        case 3: case 4: case 5: return xdr_get_u64(r, &u64);
        case 7: {
                int x = xdr_get_string(r, REMOTE_STRING_MAX, &s, &len);
                free(s);
                return x;
        }
        }
        return -EINVAL;
}

/* remote_typed_param params<64>: "file" and "dxml", strings, each at most once (libvirt's
 * virTypedParamsValidate for VIR_DOMAIN_SAVE_PARAM_*). -1 with rc->err set. */
static int read_save_params(RemoteCall *rc, SaveParams *p, VbError *bad) {
        uint32_t n = 0;
        if (xdr_get_array_len(&rc->args, REMOTE_DOMAIN_SAVE_PARAMS_MAX, 12, &n) < 0)
                return -1;
        for (uint32_t i = 0; i < n; i++) {
                char *field = NULL;
                size_t len = 0;
                int32_t type = 0;
                if (xdr_get_string(&rc->args, REMOTE_STRING_MAX, &field, &len) < 0 || xdr_get_i32(&rc->args, &type) < 0) {
                        free(field);
                        return -1;
                }
                char **slot = strcmp(field, "file") == 0 ? &p->file : strcmp(field, "dxml") == 0 ? &p->dxml : NULL;
                int r;
                if (slot && type == 7) {
                        char *s = NULL;
                        r = xdr_get_string(&rc->args, REMOTE_STRING_MAX, &s, &len);
                        if (r >= 0 && *slot && !bad->code)
                                vb_error_set(bad, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "parameter '%s' occurs multiple times", field);
                        if (r >= 0 && !*slot)
                                *slot = s;
                        else
                                free(s);
                } else {
                        r = skip_value(&rc->args, type);
                        if (r >= 0 && !bad->code) {
                                if (slot)
                                        vb_error_set(bad, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                     "invalid type '%d' for parameter '%s', expected 'string'", type, field);
                                else
                                        vb_error_set(bad, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                                     "parameter '%s' not supported", field);
                        }
                }
                free(field);
                if (r < 0)
                        return -1;
        }
        return 0;
}

/* {dom; remote_typed_param params<64>; u32 flags}: no file is a managed save (as libvirt's QEMU driver). */
REMOTE_HANDLER(proc_domain_save_params) {
        RemoteRef ref = { 0 };
        SaveParams p = { 0 };
        VbError bad = { 0 };
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        if (read_save_params(rc, &p, &bad) == 0)
                xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d && bad.code) {
                rc->err = bad;
        } else if (d) {
                Call *call = remote_call_new(rc, NULL, d);
                if (!call)
                        r = vb_error_errno(&rc->err, -ENOMEM, "pending call");
                else if (p.file)
                        r = remote_call_finish(rc, call, domain_save(d, p.file, p.dxml, flags, call, &rc->err));
                else
                        r = remote_call_finish(rc, call, domain_managed_save_dxml(d, p.dxml, flags, call, &rc->err));
        }
        save_params_clear(&p);
        return r;
}

/* {remote_typed_param params<64>; u32 flags} */
REMOTE_HANDLER(proc_domain_restore_params) {
        SaveParams p = { 0 };
        VbError bad = { 0 };
        uint32_t flags = 0;
        if (read_save_params(rc, &p, &bad) == 0)
                xdr_get_u32(&rc->args, &flags);
        int r = -1;
        if (remote_args_end(rc) == 0) {
                if (bad.code) {
                        rc->err = bad;
                } else if (!p.file) {
                        vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "missing path to restore from");
                } else {
                        Call *call = remote_call_plain(rc, NULL);
                        if (call)
                                r = remote_call_finish(rc, call, domain_restore(rc->client->conn, p.file, p.dxml, flags,
                                                                                call, NULL, &rc->err));
                }
        }
        save_params_clear(&p);
        return r;
}

/* {dom; string to; [u32 dumpformat;] u32 flags} */
static int core_dump(RemoteCall *rc, bool with_format) {
        RemoteRef ref = { 0 };
        char *to = NULL;
        size_t len = 0;
        uint32_t format = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &to, &len);
        if (with_format)
                xdr_get_u32(&rc->args, &format);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d) {
                Call *call = remote_call_new(rc, NULL, d);
                r = call ? remote_call_finish(rc, call, domain_core_dump(d, to, format, flags, call, &rc->err))
                         : vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        free(to);
        return r;
}

REMOTE_HANDLER(proc_domain_core_dump) {
        return core_dump(rc, false);
}

REMOTE_HANDLER(proc_domain_core_dump_with_format) {
        return core_dump(rc, true);
}

/* {dom; string? new_name; u32 flags} → {int retcode} */
REMOTE_HANDLER(proc_domain_rename) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &name);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d && domain_rename(d, name, flags, &rc->err) == 0)
                r = remote_reply_int(rc, 0);
        free(name);
        return r;
}
