/* proc-domain-info.c: the remote procedures of per-request domain information (memory stats, block info, interface stats, hostname, time): decode → core domain-info.c → encode. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-info.h"
#include "domain-iothread.h"
#include "domain-model.h"
#include "domain.h"

#define REMOTE_DOMAIN_MEMORY_STATS_MAX 1024u
#define REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX 16
#define DEVICE_ARG_MAX 4096
#define TYPED_PARAM_UINT 2

/* {dom; u32 maxStats; u32 flags} → {remote_domain_memory_stat stats<>: {int tag; uhyper val}} */
/* {remote_domain_memory_stat stats<>}: {int tag; uhyper val} each */
static void put_memory_stats(XdrWriter *w, const DomainMemStats *ms) {
        xdr_put_u32(w, (uint32_t) ms->n);
        for (int i = 0; i < ms->n; i++) {
                xdr_put_i32(w, ms->s[i].tag);
                xdr_put_u64(w, ms->s[i].val);
        }
}

/* The answer that came later (QEMU's balloon statistics); nothing when it was written at once. */
static int encode_memory_stats(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                put_memory_stats(w, result);
        return 0;
}

REMOTE_HANDLER(proc_domain_memory_stats) {
        uint32_t max = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_u32(rc, &max, &flags);
        if (!d)
                return -1;
        if (max > REMOTE_DOMAIN_MEMORY_STATS_MAX)
                return remote_error_rpc(&rc->err, "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX");
        Call *call = remote_call_new(rc, encode_memory_stats, d);
        if (!call)
                return -1;
        DomainMemStats ms = { 0 };
        int r = domain_memory_stats_call(d, max, flags, call, &ms, &rc->err);
        if (r == 0)
                put_memory_stats(&rc->ret, &ms);
        return remote_call_finish(rc, call, r);
}

/* {dom; remote_nonnull_string path; u32 flags} → {uhyper allocation, capacity, physical} */
REMOTE_HANDLER(proc_domain_get_block_info) {
        char *path = NULL;
        unsigned flags = 0;
        Domain *d = remote_read_domain_string(rc, DEVICE_ARG_MAX, &path, &flags);
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
        char *device = NULL;
        Domain *d = remote_read_domain_string(rc, DEVICE_ARG_MAX, &device, NULL);
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

/* GetHostname and GetTime: proc-domain-agent.c (the guest agent may answer later). */

#define REMOTE_VCPUINFO_MAX 16384
#define REMOTE_CPUMAPS_MAX 8388608
#define REMOTE_IOTHREAD_INFO_MAX 16384

/* {dom; int maxinfo; int maplen} → {remote_vcpu_info info<>; opaque cpumaps<>} */
REMOTE_HANDLER(proc_domain_get_vcpus) {
        RemoteRef ref = { 0 };
        int32_t maxinfo = 0, maplen = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &maxinfo);
        xdr_get_i32(&rc->args, &maplen);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        if (maxinfo > REMOTE_VCPUINFO_MAX)
                return remote_error_rpc(&rc->err, "maxinfo > REMOTE_VCPUINFO_MAX");
        if (maxinfo < 0 || maplen < 0 || (int64_t) maxinfo * maplen > REMOTE_CPUMAPS_MAX)
                return remote_error_rpc(&rc->err, "maxinfo * maplen > REMOTE_CPUMAPS_MAX");
        DomainVcpuInfo *info = calloc(maxinfo ? (size_t) maxinfo : 1, sizeof *info);
        uint8_t *maps = calloc((size_t) maxinfo * (size_t) maplen + 1, 1);
        int n = info && maps ? domain_vcpus(d, info, maxinfo, maps, maplen, &rc->err)
                             : vb_error_errno(&rc->err, -ENOMEM, "vcpus");
        if (n >= 0) {
                xdr_put_u32(&rc->ret, (uint32_t) n);
                for (int i = 0; i < n; i++) {
                        xdr_put_u32(&rc->ret, info[i].number);
                        xdr_put_i32(&rc->ret, info[i].state);
                        xdr_put_u64(&rc->ret, info[i].cpu_time_ns);
                        xdr_put_i32(&rc->ret, info[i].cpu);
                }
                xdr_put_u32(&rc->ret, (uint32_t) maxinfo * (uint32_t) maplen);
                xdr_put_fixed(&rc->ret, maps, (size_t) maxinfo * (size_t) maplen);
        }
        free(info);
        free(maps);
        return n < 0 ? -1 : 0;
}

/* {dom; int ncpumaps; int maplen; u32 flags} → {opaque cpumaps<>; int num} */
REMOTE_HANDLER(proc_domain_get_vcpu_pin_info) {
        RemoteRef ref = { 0 };
        int32_t ncpumaps = 0, maplen = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &ncpumaps);
        xdr_get_i32(&rc->args, &maplen);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        if (ncpumaps > REMOTE_VCPUINFO_MAX)
                return remote_error_rpc(&rc->err, "ncpumaps > REMOTE_VCPUINFO_MAX");
        if (ncpumaps < 0 || maplen < 0 || (int64_t) ncpumaps * maplen > REMOTE_CPUMAPS_MAX)
                return remote_error_rpc(&rc->err, "maxinfo * maplen > REMOTE_CPUMAPS_MAX");
        size_t len = (size_t) ncpumaps * (size_t) maplen;
        uint8_t *maps = calloc(len + 1, 1);
        int n = maps ? domain_vcpu_pin_info(d, flags, maps, ncpumaps, maplen, &rc->err)
                     : vb_error_errno(&rc->err, -ENOMEM, "vcpu pinning");
        if (n >= 0) {
                xdr_put_u32(&rc->ret, (uint32_t) len);
                xdr_put_fixed(&rc->ret, maps, len);
                xdr_put_i32(&rc->ret, n);
        }
        free(maps);
        return n < 0 ? -1 : 0;
}

/* {dom; int maplen; u32 flags} → {opaque cpumaps<>; int ret} */
REMOTE_HANDLER(proc_domain_get_emulator_pin_info) {
        int32_t maplen = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_int(rc, &maplen, &flags);
        if (!d)
                return -1;
        if (maplen < 0 || maplen > REMOTE_CPUMAPS_MAX)
                return remote_error_rpc(&rc->err, "maplen > REMOTE_CPUMAPS_MAX");
        uint8_t *map = calloc((size_t) maplen + 1, 1);
        int r = map ? domain_emulator_pin_info(d, flags, map, maplen, &rc->err)
                    : vb_error_errno(&rc->err, -ENOMEM, "emulator pinning");
        if (r >= 0) {
                xdr_put_u32(&rc->ret, (uint32_t) maplen);
                xdr_put_fixed(&rc->ret, map, (size_t) maplen);
                xdr_put_i32(&rc->ret, r);
        }
        free(map);
        return r < 0 ? -1 : 0;
}

/* {dom; u32 flags} → {remote_domain_iothread_info info<>: {u32 id; opaque cpumap<>}; u32 ret} */
REMOTE_HANDLER(proc_domain_get_iothread_info) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        enum { MAPLEN = DOMAIN_CPUMAP_MAX / 8 };
        unsigned *ids = calloc(DOMAIN_IOTHREADS_MAX, sizeof *ids);
        uint8_t *maps = calloc(DOMAIN_IOTHREADS_MAX, MAPLEN);
        int n = ids && maps ? domain_iothread_info(d, flags, ids, maps, DOMAIN_IOTHREADS_MAX, MAPLEN, &rc->err)
                            : vb_error_errno(&rc->err, -ENOMEM, "iothreads");
        if (n >= 0) {
                xdr_put_u32(&rc->ret, (uint32_t) n);
                for (int i = 0; i < n; i++) {
                        xdr_put_u32(&rc->ret, ids[i]);
                        xdr_put_u32(&rc->ret, MAPLEN);
                        xdr_put_fixed(&rc->ret, maps + (size_t) i * MAPLEN, MAPLEN);
                }
                xdr_put_u32(&rc->ret, (uint32_t) n);
        }
        free(ids);
        free(maps);
        return n < 0 ? -1 : 0;
}

/* {dom} → {int type; uhyper timeElapsed, timeRemaining, dataTotal, dataProcessed, dataRemaining,
 * memTotal, memProcessed, memRemaining, fileTotal, fileProcessed, fileRemaining} */
REMOTE_HANDLER(proc_domain_get_job_info) {
        Domain *d = remote_read_domain(rc, NULL);
        DomainJobInfo ji;
        if (!d || domain_job_info(d, &ji, &rc->err) < 0)
                return -1;
        xdr_put_i32(&rc->ret, ji.type);
        for (int i = 0; i < 11; i++)
                xdr_put_u64(&rc->ret, ji.v[i]);
        return 0;
}
