/* proc-domain-save.c: save, restore, save images and managed save: procedures whose verb finishes when QEMU has written or loaded the image. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-save.h"
#include "domain.h"

/* {dom; string to} (save) or {dom; string to; string? dxml; u32 flags} (save_flags). */
static int save(RemoteCall *rc, bool with_flags) {
        RemoteRef ref = { 0 };
        char *to = NULL, *dxml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &to, &len);
        if (with_flags) {
                xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dxml);
                xdr_get_u32(&rc->args, &flags);
        }
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d) {
                Call *call = remote_call_new(rc, NULL, d);
                r = call ? remote_call_finish(rc, call, domain_save(d, to, dxml, flags, call, &rc->err))
                         : vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        free(to);
        free(dxml);
        return r;
}

REMOTE_HANDLER(proc_domain_save) {
        return save(rc, false);
}

REMOTE_HANDLER(proc_domain_save_flags) {
        return save(rc, true);
}

/* {string from} (restore) or {string from; string? dxml; u32 flags} (restore_flags). */
static int restore(RemoteCall *rc, bool with_flags) {
        char *from = NULL, *dxml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &from, &len);
        if (with_flags) {
                xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &dxml);
                xdr_get_u32(&rc->args, &flags);
        }
        int r = -1;
        if (remote_args_end(rc) == 0) {
                Call *call = remote_call_plain(rc, NULL);
                if (call)
                        r = remote_call_finish(rc, call,
                                               domain_restore(rc->client->conn, from, dxml, flags, call, NULL, &rc->err));
        }
        free(from);
        free(dxml);
        return r;
}

REMOTE_HANDLER(proc_domain_restore) {
        return restore(rc, false);
}

REMOTE_HANDLER(proc_domain_restore_flags) {
        return restore(rc, true);
}

/* {string file; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_save_image_get_xml_desc) {
        char *file = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &file, &len);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0) {
                free(file);
                return -1;
        }
        char *xml = domain_save_image_xml(rc->client->conn, file, flags, &rc->err);
        free(file);
        return remote_reply_string(rc, xml);
}

REMOTE_HANDLER(proc_domain_managed_save) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_managed_save(d, flags, call, &rc->err));
}

/* {dom; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_managed_save_get_xml_desc) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_reply_string(rc, domain_managed_save_xml(d, flags, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_domain_managed_save_remove) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_done(domain_managed_save_remove(d, flags, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_domain_has_managed_save_image) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        return remote_reply_int(rc, domain_has_managed_save(d) ? 1 : 0);
}
