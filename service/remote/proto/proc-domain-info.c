/* proc-domain-info.c: the remote procedures of per-request domain information (scheduler, memory stats, block info, interface stats, hostname, time): decode → core domain-info.c → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-info.h"
#include "domain.h"

#define REMOTE_DOMAIN_MEMORY_STATS_MAX 1024u
#define REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX 16
#define DEVICE_ARG_MAX 4096
#define TYPED_PARAM_UINT 2

/* {dom; int nparams[; u32 flags]} → {remote_typed_param params<>} */
static int reply_scheduler_params(RemoteCall *rc, bool with_flags) {
        RemoteRef ref = { 0 };
        int32_t nparams = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &nparams);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        if (!d)
                return -1;
        if (nparams > REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX)
                return remote_error_rpc(&rc->err, "nparams too large");
        DomainSchedParam params[DOMAIN_SCHED_PARAMS_MAX];
        int n = domain_scheduler_params(d, flags, params, nparams > 0 ? nparams : 0, &rc->err);
        if (n < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_string(&rc->ret, params[i].field);
                xdr_put_i32(&rc->ret, TYPED_PARAM_UINT);
                xdr_put_u32(&rc->ret, params[i].value);
        }
        return 0;
}

REMOTE_HANDLER(proc_domain_get_scheduler_type) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        int nparams = 0;
        xdr_put_string(&rc->ret, domain_scheduler_type(d, &nparams));
        xdr_put_i32(&rc->ret, nparams);
        return 0;
}

REMOTE_HANDLER(proc_domain_get_scheduler_parameters) {
        return reply_scheduler_params(rc, false);
}

REMOTE_HANDLER(proc_domain_get_scheduler_parameters_flags) {
        return reply_scheduler_params(rc, true);
}

/* {dom; u32 maxStats; u32 flags} → {remote_domain_memory_stat stats<>: {int tag; uhyper val}} */
REMOTE_HANDLER(proc_domain_memory_stats) {
        RemoteRef ref = { 0 };
        uint32_t max = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &max);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        if (!d)
                return -1;
        if (max > REMOTE_DOMAIN_MEMORY_STATS_MAX)
                return remote_error_rpc(&rc->err, "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX");
        DomainMemStat stats[DOMAIN_MEMSTAT_NR];
        int n = domain_memory_stats(d, max, flags, stats, &rc->err);
        if (n < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_i32(&rc->ret, stats[i].tag);
                xdr_put_u64(&rc->ret, stats[i].val);
        }
        return 0;
}

/* {dom; remote_nonnull_string path; u32 flags} → {uhyper allocation, capacity, physical} */
REMOTE_HANDLER(proc_domain_get_block_info) {
        RemoteRef ref = { 0 };
        char *path = NULL;
        size_t len;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &path, &len);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        DomainBlockInfo info;
        int r = d ? domain_block_info(d, path, flags, &info, &rc->err) : -1;
        free(path);
        if (r < 0)
                return -1;
        xdr_put_u64(&rc->ret, info.allocation);
        xdr_put_u64(&rc->ret, info.capacity);
        xdr_put_u64(&rc->ret, info.physical);
        return 0;
}

/* {dom; remote_nonnull_string device} → {hyper rx_bytes … tx_drop} */
REMOTE_HANDLER(proc_domain_interface_stats) {
        RemoteRef ref = { 0 };
        char *device = NULL;
        size_t len;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &device, &len);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        DomainIfStats s;
        int r = d ? domain_interface_stats(d, device, &s, &rc->err) : -1;
        free(device);
        if (r < 0)
                return -1;
        const int64_t v[] = { s.rx_bytes, s.rx_packets, s.rx_errs, s.rx_drop,
                              s.tx_bytes, s.tx_packets, s.tx_errs, s.tx_drop };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                xdr_put_i64(&rc->ret, v[i]);
        return 0;
}

REMOTE_HANDLER(proc_domain_get_hostname) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_reply_string(rc, domain_hostname(d, flags, &rc->err)) : -1;
}

/* {dom; u32 flags} → {hyper seconds; unsigned nseconds} */
REMOTE_HANDLER(proc_domain_get_time) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        int64_t seconds;
        unsigned nseconds;
        if (!d || domain_get_time(d, flags, &seconds, &nseconds, &rc->err) < 0)
                return -1;
        xdr_put_i64(&rc->ret, seconds);
        xdr_put_u32(&rc->ret, nseconds);
        return 0;
}
