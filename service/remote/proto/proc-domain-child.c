/* proc-domain-child.c: the wire shapes of the objects named within a domain (snapshots, checkpoints) and the argument shape of a child's handle their procedures share. */
#include "proc-domain-child.h"

#include <errno.h>
#include <stdlib.h>

int remote_put_domain_child(XdrWriter *w, const char *name, const Domain *d) {
        xdr_put_string(w, name);
        return remote_put_domain(w, d);
}

Domain *remote_read_domain_child(RemoteCall *rc, char **name, int32_t *extra, unsigned *flags) {
        RemoteRef ref = { 0 };
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, name, NULL);
        remote_get_domain_ref(rc, &ref);
        if (extra)
                xdr_get_i32(&rc->args, extra);
        xdr_get_u32(&rc->args, flags);
        return remote_end_domain(rc, &ref);
}

int remote_create_domain_child(RemoteCall *rc, RemoteReplyFn encode, RemoteChildCreateFn create) {
        char *xml = NULL;
        unsigned flags = 0;
        int r = -1;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &xml, &flags);
        if (d) {
                Call *call = remote_call_new(rc, encode, d);
                r = call ? remote_call_finish(rc, call, create(rc, d, xml, flags, call))
                         : vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        free(xml);
        return r;
}
