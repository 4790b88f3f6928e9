/* proc-domain-tune-stats.c: the remote procedures of a running guest's block I/O counters (virsh domblkstat), CPU statistics (cpu-stats), monitor state (domcontrol), disk errors (domblkerror), balloon statistics period (dommemstat --period) and the flagless vCPU pin (vcpupin): decode → core domain-tune-stats.c → encode. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "call.h"

#include "domain-pin.h"
#include "domain-tune-stats.h"
#include "domain.h"

#define DEVICE_ARG_MAX 4096
#define REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX 16
#define REMOTE_NODE_CPU_STATS_MAX 16
#define REMOTE_DOMAIN_DISK_ERRORS_MAX DOMAIN_DISK_ERRORS_MAX
#define REMOTE_CPUMAP_MAX 2048
#define TYPED_PARAM_INT 1
#define TYPED_PARAM_LLONG 3
#define TYPED_PARAM_ULLONG 4
#define BLOCK_STATS_FLAGS_N 8
#define TYPED_PARAM_STRING_OKAY (1u << 2)

static void put_block_stats(XdrWriter *w, const DomainBlockIo *io) {
        const int64_t v[] = { io->rd_req, io->rd_bytes, io->wr_req, io->wr_bytes, io->errs };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                xdr_put_i64(w, v[i]);
}

static int encode_block_stats(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                put_block_stats(w, result);
        return 0;
}

/* {dom; path} → {hyper rd_req, rd_bytes, wr_req, wr_bytes, errs} */
REMOTE_HANDLER(proc_domain_block_stats) {
        char *path = NULL;
        Domain *d = remote_read_domain_string(rc, DEVICE_ARG_MAX, &path, NULL);
        Call *call = d ? remote_call_new(rc, encode_block_stats, d) : NULL;
        if (!call) {
                free(path);
                return -1;
        }
        DomainBlockIo io;
        int r = domain_block_stats_call(d, API_DOMAIN_BLOCK_STATS, path, 0, call, &io, &rc->err);
        free(path);
        if (r == 0)
                put_block_stats(&rc->ret, &io);
        return remote_call_finish(rc, call, r);
}

/* virDomainBlockStatsFlags' typed parameters in libvirt's QEMU order; want 0 asks the count. */
static void put_block_stats_flags(XdrWriter *w, const DomainBlockIo *io, int want) {
        const struct {
                const char *name;
                int64_t v;
        } p[BLOCK_STATS_FLAGS_N] = {
                { "wr_bytes", io->wr_bytes },         { "wr_operations", io->wr_req },
                { "rd_bytes", io->rd_bytes },         { "rd_operations", io->rd_req },
                { "flush_operations", io->fl_req },   { "wr_total_times", io->wr_times },
                { "rd_total_times", io->rd_times },   { "flush_total_times", io->fl_times },
        };
        int n = want < BLOCK_STATS_FLAGS_N ? want : BLOCK_STATS_FLAGS_N;
        xdr_put_u32(w, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_string(w, p[i].name);
                xdr_put_i32(w, TYPED_PARAM_LLONG);
                xdr_put_i64(w, p[i].v);
        }
        xdr_put_i32(w, want == 0 ? BLOCK_STATS_FLAGS_N : n);
}

typedef struct BlockFlagsReply {
        DomainBlockIo io;
        int want;
} BlockFlagsReply;

static int encode_block_stats_flags(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const BlockFlagsReply *b = result;
        if (b)
                put_block_stats_flags(w, &b->io, b->want);
        return 0;
}

/* The counters came later: the reply needs the count asked too. */
typedef struct FlagsRequest {
        Call *outer;
        int want;
} FlagsRequest;

static void flags_done(Call *inner, int r, const VbError *err, void *result) {
        FlagsRequest *q = inner->userdata;
        if (r < 0 || !result) {
                call_complete(q->outer, -1, err, NULL);
        } else {
                BlockFlagsReply b = { .io = *(const DomainBlockIo *) result, .want = q->want };
                call_complete(q->outer, 0, NULL, &b);
        }
        call_unref(q->outer);
        free(q);
}

/* {dom; path; int nparams; u32 flags} → {remote_typed_param params<16>; int nparams} */
REMOTE_HANDLER(proc_domain_block_stats_flags) {
        RemoteRef ref = { 0 };
        char *path = NULL;
        size_t len;
        int32_t want = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &path, &len);
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (d && (want < 0 || want > REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX))
                d = NULL, remote_error_rpc(&rc->err, "nparams too large");
        Call *call = d ? remote_call_new(rc, encode_block_stats_flags, d) : NULL;
        FlagsRequest *q = call ? calloc(1, sizeof *q) : NULL;
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, flags_done, q) : NULL;
        if (!inner) {
                if (call && !q)
                        vb_error_errno(&rc->err, -ENOMEM, "block stats");
                free(q);
                free(path);
                return call ? remote_call_finish(rc, call, -1) : -1;
        }
        *q = (FlagsRequest) { .outer = call_ref(call), .want = want };
        DomainBlockIo io;
        int r = domain_block_stats_call(d, API_DOMAIN_BLOCK_STATS_FLAGS, path, flags & ~TYPED_PARAM_STRING_OKAY, inner,
                                        &io, &rc->err);
        free(path);
        if (r != VERB_PENDING) {
                inner->userdata = NULL;
                call_unref(q->outer);
                free(q);
        }
        call_unref(inner);
        if (r == 0)
                put_block_stats_flags(&rc->ret, &io, want);
        return remote_call_finish(rc, call, r);
}

/* {dom; u32 nparams; int start_cpu; u32 ncpus; u32 flags} → {remote_typed_param params<>; int
 * nparams}: nparams per CPU that has them, none for the CPUs past the last (libvirt's stride) */
REMOTE_HANDLER(proc_domain_get_cpu_stats) {
        RemoteRef ref = { 0 };
        uint32_t nparams = 0, ncpus = 0, flags = 0;
        int32_t start = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &nparams);
        xdr_get_i32(&rc->args, &start);
        xdr_get_u32(&rc->args, &ncpus);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        if (nparams > REMOTE_NODE_CPU_STATS_MAX)
                return remote_error_rpc(&rc->err, "nparams too large");
        if (ncpus > DOMAIN_CPU_STATS_NCPUS_MAX)
                return remote_error_rpc(&rc->err, "ncpus too large");
        DomainCpuStat *out = NULL;
        if (nparams && ncpus && !(out = calloc((size_t) nparams * ncpus, sizeof *out)))
                return vb_error_errno(&rc->err, -ENOMEM, "cpu stats");
        int n = domain_cpu_stats(d, start, ncpus, nparams && ncpus ? nparams : 0, out, flags & ~TYPED_PARAM_STRING_OKAY,
                                 &rc->err);
        if (n >= 0) {
                uint32_t sent = 0;
                for (size_t i = 0; out && i < (size_t) nparams * ncpus; i++)
                        sent += out[i].name != NULL;
                xdr_put_u32(&rc->ret, sent);
                for (size_t i = 0; out && i < (size_t) nparams * ncpus; i++) {
                        if (!out[i].name)
                                continue;
                        xdr_put_string(&rc->ret, out[i].name);
                        xdr_put_i32(&rc->ret, TYPED_PARAM_ULLONG);
                        xdr_put_u64(&rc->ret, out[i].ns);
                }
                xdr_put_i32(&rc->ret, n);
        }
        free(out);
        return n < 0 ? -1 : 0;
}

/* {dom; u32 vcpu; opaque cpumap<REMOTE_CPUMAP_MAX>} → {}: virDomainPinVcpu, the running guest's */
REMOTE_HANDLER(proc_domain_pin_vcpu) {
        RemoteRef ref = { 0 };
        uint32_t vcpu = 0;
        uint8_t *map = NULL;
        size_t maplen = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &vcpu);
        xdr_get_opaque(&rc->args, REMOTE_CPUMAP_MAX, &map, &maplen);
        Domain *d = remote_end_domain(rc, &ref);
        int r = -1;
        if (d && !domain_is_active(d))
                vb_error_set(&rc->err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "cannot pin vcpus on an inactive domain");
        else if (d)
                r = domain_pin_vcpu(d, vcpu, map, maplen, 0, &rc->err);
        free(map);
        return r;
}

/* {dom; u32 flags} → {u32 state; u32 details; u64 stateTime} */
REMOTE_HANDLER(proc_domain_get_control_info) {
        unsigned flags = 0, state, details;
        uint64_t t;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || domain_control_info(d, flags, &state, &details, &t, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, state);
        xdr_put_u32(&rc->ret, details);
        xdr_put_u64(&rc->ret, t);
        return 0;
}

/* {dom; u32 flags} → {remote_typed_param params<>}: none (no guest has launch security) */
REMOTE_HANDLER(proc_domain_get_launch_security_info) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || domain_get_launch_security_info(d, flags, &rc->err) < 0)
                return -1;
        return xdr_put_u32(&rc->ret, 0);
}

static void put_disk_errors(XdrWriter *w, const DomainDiskErrors *de) {
        xdr_put_u32(w, (uint32_t) de->n);
        for (int i = 0; i < de->n; i++) {
                xdr_put_string(w, de->e[i].disk);
                xdr_put_i32(w, de->e[i].error);
        }
        xdr_put_i32(w, de->n);
}

static int encode_disk_errors(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                put_disk_errors(w, result);
        return 0;
}

/* {dom; u32 maxerrors; u32 flags} → {remote_domain_disk_error errors<256>; int nerrors}: maxerrors 0
 * asks the count */
REMOTE_HANDLER(proc_domain_get_disk_errors) {
        uint32_t max = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_u32(rc, &max, &flags);
        if (!d)
                return -1;
        if (max > REMOTE_DOMAIN_DISK_ERRORS_MAX)
                return remote_error_rpc(&rc->err, "maxerrors too large");
        DomainDiskErrors *de = malloc(sizeof *de);
        Call *call = de ? remote_call_new(rc, encode_disk_errors, d) : NULL;
        if (!call) {
                free(de);
                return de ? -1 : vb_error_errno(&rc->err, -ENOMEM, "disk errors");
        }
        int r = domain_disk_errors(d, max, flags, call, de, &rc->err);
        if (r == 0 && max == 0) {
                xdr_put_u32(&rc->ret, 0);
                xdr_put_i32(&rc->ret, de->n);
        } else if (r == 0) {
                put_disk_errors(&rc->ret, de);
        }
        free(de);
        return remote_call_finish(rc, call, r);
}

/* {dom; int period; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_memory_stats_period) {
        int32_t period = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_int(rc, &period, &flags);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        int r = domain_set_memory_stats_period(d, period, flags, call, &rc->err);
        return remote_call_finish(rc, call, r);
}

/* {dom; remote_nonnull_string disk; uhyper size; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_block_resize) {
        RemoteRef ref = { 0 };
        char *disk = NULL;
        size_t len;
        uint64_t size = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &disk, &len);
        xdr_get_u64(&rc->args, &size);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call) {
                free(disk);
                return -1;
        }
        int r = domain_block_resize(d, disk, size, flags, call, &rc->err);
        free(disk);
        return remote_call_finish(rc, call, r);
}

/* {dom; u32 type; u32 action; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_lifecycle_action) {
        RemoteRef ref = { 0 };
        uint32_t type = 0, action = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &type);
        xdr_get_u32(&rc->args, &action);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_set_lifecycle_action(d, type, action, flags, call, &rc->err));
}

/* {dom; u32 flags} → {int type; remote_typed_param params<64>} */
REMOTE_HANDLER(proc_domain_get_job_stats) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        DomainJobStats js;
        if (!d || domain_job_stats(d, flags & ~TYPED_PARAM_STRING_OKAY, &js, &rc->err) < 0)
                return -1;
        xdr_put_i32(&rc->ret, js.type);
        xdr_put_u32(&rc->ret, (uint32_t) js.n);
        for (int i = 0; i < js.n; i++) {
                xdr_put_string(&rc->ret, js.p[i].name);
                xdr_put_i32(&rc->ret, js.p[i].is_int ? TYPED_PARAM_INT : TYPED_PARAM_ULLONG);
                if (js.p[i].is_int)
                        xdr_put_i32(&rc->ret, (int32_t) js.p[i].v);
                else
                        xdr_put_u64(&rc->ret, js.p[i].v);
        }
        return 0;
}

/* {dom} → {} */
REMOTE_HANDLER(proc_domain_abort_job) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_done(domain_abort_job(d, API_DOMAIN_ABORT_JOB, 0, &rc->err)) : -1;
}

/* {dom; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_abort_job_flags) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_done(domain_abort_job(d, API_DOMAIN_ABORT_JOB_FLAGS, flags, &rc->err)) : -1;
}

/* {dom; int seconds; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_start_dirty_rate_calc) {
        int32_t seconds = 0;
        unsigned flags = 0;
        Domain *d = remote_read_domain_int(rc, &seconds, &flags);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_start_dirty_rate_calc(d, seconds, flags, call, &rc->err));
}
