/* proc-domain-vcpu.c: the old calls setmaxmem and setvcpus make without flags (virDomainSetMaxMemory, virDomainSetVcpus) and setvcpu's virDomainSetVcpu. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-live-calls.h"
#include "domain-vcpu.h"
#include "domain.h"

typedef int (*ValueVerb)(Domain *d, uint64_t v, unsigned flags, Call *call, VbError *err);

static int set_vcpus(Domain *d, uint64_t n, unsigned flags, Call *call, VbError *err) {
        return domain_set_vcpus(d, (unsigned) n, flags, call, err);
}

/* {dom; uhyper v} or {dom; u32 v}: verb(v, flags), answered when it completes. */
static int set_value(RemoteCall *rc, bool hyper, ValueVerb verb, unsigned flags) {
        RemoteRef ref = { 0 };
        uint64_t v = 0;
        uint32_t v32 = 0;
        remote_get_domain_ref(rc, &ref);
        if (hyper)
                xdr_get_u64(&rc->args, &v);
        else if (xdr_get_u32(&rc->args, &v32) == 0)
                v = v32;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, verb(d, v, flags, call, &rc->err));
}

/* {dom; uhyper memory}: SetMemoryFlags(MEM_MAXIMUM) on the domain's current state, as libvirt's
 * QEMU driver (an active domain: "cannot resize the maximum memory on an active domain"). */
REMOTE_HANDLER(proc_domain_set_max_memory) {
        return set_value(rc, true, domain_set_memory, DOMAIN_MEM_MAXIMUM);
}

/* {dom; u32 nvcpus}: SetVcpusFlags(nvcpus, AFFECT_LIVE), as libvirt's drivers. */
REMOTE_HANDLER(proc_domain_set_vcpus) {
        return set_value(rc, false, set_vcpus, DOMAIN_AFFECT_LIVE);
}

/* {dom; string cpumap; int state; u32 flags} */
REMOTE_HANDLER(proc_domain_set_vcpu) {
        RemoteRef ref = { 0 };
        char *map = NULL;
        size_t len = 0;
        int32_t state = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &map, &len);
        xdr_get_i32(&rc->args, &state);
        xdr_get_u32(&rc->args, &flags);
        int r = -1;
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        if (d) {
                Call *call = remote_call_new(rc, NULL, d);
                r = call ? remote_call_finish(rc, call, domain_set_vcpu(d, map, state, flags, call, &rc->err))
                         : vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        free(map);
        return r;
}
