/* proc-domain-threshold.c: virDomainSetBlockThreshold (virsh domblkthreshold): decode → core domain-threshold.c; its event (385) is events.c's. */
#include "dispatch.h"

#include <stdlib.h>

#include "call.h"
#include "domain-threshold.h"
#include "domain.h"

#define DEVICE_ARG_MAX 4096

/* {dom; remote_nonnull_string dev; uhyper threshold; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_block_threshold) {
        RemoteRef ref = { 0 };
        char *dev = NULL;
        size_t len = 0;
        uint64_t threshold = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &dev, &len);
        xdr_get_u64(&rc->args, &threshold);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? domain_set_block_threshold(d, dev, threshold, flags, call, &rc->err) : -1;
        free(dev);
        return call ? remote_call_finish(rc, call, r) : -1;
}
