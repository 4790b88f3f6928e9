/* proc-domain-live.c: small calls on a running domain on the remote door: domain_inject_nmi, domain_set_vcpus_flags. */
#include "dispatch.h"

#include <errno.h>

#include "domain-live-calls.h"

/* {dom; u32 flags} → void, once QEMU delivered it. */
REMOTE_HANDLER(proc_domain_inject_nmi) {
        RemoteRef ref = { 0 };
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_inject_nmi(d, flags, call, &rc->err));
}

/* {dom; u32 nvcpus; u32 flags} → void, once QEMU plugged them (or the guest let one go). */
REMOTE_HANDLER(proc_domain_set_vcpus_flags) {
        RemoteRef ref = { 0 };
        uint32_t n = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &n);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_set_vcpus(d, n, flags, call, &rc->err));
}
