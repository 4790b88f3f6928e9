/* proc-backup.c: the domain backup procedures (421 backup_begin, 422 backup_get_xml_desc). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "backup.h"
#include "domain.h"

/* {dom; string backup_xml; string? checkpoint_xml; u32 flags} → void, once the copy runs */
REMOTE_HANDLER(proc_domain_backup_begin) {
        RemoteRef ref = { 0 };
        char *xml = NULL, *chk = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &chk);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (d && !call)
                r = vb_error_errno(&rc->err, -ENOMEM, "pending call");
        else if (call)
                r = remote_call_finish(rc, call, backup_begin(d, xml, chk, flags, call, &rc->err));
        remote_ref_done(&ref);
        free(xml);
        free(chk);
        return r;
}

/* {dom; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_domain_backup_get_xml_desc) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_reply_string(rc, backup_get_xml(d, flags, &rc->err)) : -1;
}
