/* proc-domain-perf.c: domain_get_perf_events (365) and domain_set_perf_events (366): libvirt's boolean typed parameters on the wire, domain-perf.c in the core. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-perf.h"

#define REMOTE_DOMAIN_PERF_EVENTS_MAX 64u

/* {dom; u32 flags} → {remote_typed_param params<64>} */
REMOTE_HANDLER(proc_domain_get_perf_events) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        DomainTuneParam *out = calloc(REMOTE_DOMAIN_PERF_EVENTS_MAX, sizeof *out);
        if (!out)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        int n = domain_get_perf_events(d, flags, out, &rc->err);
        if (n >= 0) {
                xdr_put_u32(&rc->ret, (uint32_t) n);
                for (int i = 0; i < n; i++)
                        remote_put_tune_param(&rc->ret, &out[i]);
        }
        free(out);
        return n < 0 ? -1 : 0;
}

/* {dom; remote_typed_param params<64>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_perf_events) {
        RemoteRef ref = { 0 };
        uint32_t n = 0, flags = 0;
        DomainTuneParam *params = calloc(REMOTE_DOMAIN_PERF_EVENTS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        remote_get_domain_ref(rc, &ref);
        int bad = remote_get_tune_params(&rc->args, REMOTE_DOMAIN_PERF_EVENTS_MAX, params, &n, &flags);
        Domain *d = remote_params_end(rc, bad) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        int r = d ? domain_set_perf_events(d, params, n, flags, &rc->err) : -1;
        free(params);
        return r;
}
