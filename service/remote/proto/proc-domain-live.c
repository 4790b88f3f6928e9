/* proc-domain-live.c: small calls on a running domain on the remote door: domain_inject_nmi, domain_set_vcpus_flags. */
#include "dispatch.h"

#include <errno.h>

#include "domain-live-calls.h"

/* {dom; u32 flags} → void, once QEMU delivered it. */
REMOTE_HANDLER(proc_domain_inject_nmi) {
        uint32_t flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_inject_nmi(d, flags, call, &rc->err));
}

/* {dom; u32 nvcpus; u32 flags} → void, once QEMU plugged them (or the guest let one go). */
REMOTE_HANDLER(proc_domain_set_vcpus_flags) {
        uint32_t n = 0, flags = 0;
        Domain *d = remote_read_domain_u32(rc, &n, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_set_vcpus(d, n, flags, call, &rc->err));
}
