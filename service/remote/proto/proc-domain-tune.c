/* proc-domain-tune.c: domain_get/set_memory_parameters and domain_get/set_scheduler_parameters(_flags): libvirt's typed parameters on the wire, <memtune> and <cputune> in the core. */
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "domain-tune-stats.h"

#define REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX 16u
#define TYPED_PARAM_STRING_OKAY (1u << 2)       /* VIR_TYPED_PARAM_STRING_OKAY: clients may send it */

/* remote_typed_param: string field; int type; value (union on type). Every type is read so the
 * core can name a wrong one; integers are kept in ull (signed ones sign-extended). */
static int get_typed_param(XdrReader *r, DomainTuneParam *p) {
        char *field = NULL;
        size_t len = 0;
        int32_t type = 0, i32;
        uint64_t u64;
        if (xdr_get_string(r, VB_TUNE_FIELD_MAX - 1, &field, &len) < 0 || xdr_get_i32(r, &type) < 0) {
                free(field);
                return -EINVAL;
        }
        snprintf(p->name, sizeof p->name, "%s", field);
        free(field);
        p->type = (DomainStatType) type;
        switch (type) {
        case 1: case 2: case 6:
                if (xdr_get_i32(r, &i32) < 0)
                        return -EINVAL;
                p->ull = type == 2 ? (uint64_t) (uint32_t) i32 : (uint64_t) (int64_t) i32;
                return 0;
        case 3: case 4: case 5:
                if (xdr_get_u64(r, &u64) < 0)
                        return -EINVAL;
                p->ull = u64;
                return 0;
        case 7: {
                char *str = NULL;
                size_t slen = 0;
                if (xdr_get_string(r, REMOTE_STRING_MAX, &str, &slen) < 0)
                        return -EINVAL;
                /* longer than the core takes: kept cut, and named by the core as a bad value */
                snprintf(p->str, sizeof p->str, "%s", str ? str : "");
                free(str);
                return 0;
        }
        }
        return -EINVAL;
}

static int put_typed_param(XdrWriter *w, const DomainTuneParam *p) {
        xdr_put_string(w, p->name);
        xdr_put_i32(w, (int32_t) p->type);
        switch (p->type) {
        case DOMAIN_STAT_INT: return xdr_put_i32(w, (int32_t) p->ull);
        case DOMAIN_STAT_UINT: return xdr_put_u32(w, (uint32_t) p->ull);
        case DOMAIN_STAT_LLONG: return xdr_put_i64(w, (int64_t) p->ull);
        case DOMAIN_STAT_ULLONG: return xdr_put_u64(w, p->ull);
        case DOMAIN_STAT_STRING: return xdr_put_string(w, p->str);
        case DOMAIN_STAT_BOOLEAN: return xdr_put_i32(w, p->ull ? 1 : 0);
        }
        return -EINVAL;
}

int remote_put_tune_param(XdrWriter *w, const DomainTuneParam *p) {
        return put_typed_param(w, p);
}

int remote_get_typed_param(XdrReader *r, DomainTuneParam *p) {
        return get_typed_param(r, p);
}

int remote_get_tune_params(XdrReader *r, uint32_t max, DomainTuneParam *params, uint32_t *n, unsigned *flags) {
        /* a bad array length fails the reader: remote_params_end reports it as a decode error */
        if (xdr_get_array_len(r, max, 12, n) == 0)
                for (uint32_t i = 0; i < *n; i++)
                        if (get_typed_param(r, &params[i]) < 0)
                                return -1;
        if (flags)
                xdr_get_u32(r, flags);
        return 0;
}

int remote_params_end(RemoteCall *rc, int r) {
        if (remote_args_end(rc) < 0)
                return -1;
        return r < 0 ? vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type") : 0;
}

typedef int (*SetParams)(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);

/* {dom; remote_typed_param params<16>; [u32 flags]} */
static int set_params(RemoteCall *rc, SetParams set, bool with_flags) {
        RemoteRef ref = { 0 };
        uint32_t n = 0, flags = 0;
        DomainTuneParam params[REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX];
        remote_get_domain_ref(rc, &ref);
        int r = remote_get_tune_params(&rc->args, REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX, params, &n,
                                       with_flags ? &flags : NULL);
        if (remote_params_end(rc, r) < 0)
                return -1;
        Domain *d = remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        return set(d, params, n, flags, &rc->err);
}

REMOTE_HANDLER(proc_domain_set_memory_parameters) {
        return set_params(rc, domain_set_memory_params, true);
}

REMOTE_HANDLER(proc_domain_set_scheduler_parameters) {
        return set_params(rc, domain_set_sched_params, false);
}

REMOTE_HANDLER(proc_domain_set_scheduler_parameters_flags) {
        return set_params(rc, domain_set_sched_params, true);
}

/* {dom; int nparams; [u32 flags]} → {remote_typed_param params<16>}: at most nparams of them. */
static int get_sched(RemoteCall *rc, bool with_flags) {
        RemoteRef ref = { 0 };
        int32_t want = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &want);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (want < 0 || (uint32_t) want > REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE, "nparams too large");
        Domain *d = remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        DomainTuneParam out[DOMAIN_SCHED_NPARAMS_MAX];
        int n = domain_get_sched_params(d, flags, out, &rc->err);     /* the core knows who takes STRING_OKAY */
        if (n < 0)
                return -1;
        if (n > want)
                n = want;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++)
                put_typed_param(&rc->ret, &out[i]);
        return 0;
}

/* {dom} → {string type; int nparams} */
REMOTE_HANDLER(proc_domain_get_scheduler_type) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        int n = 0;
        xdr_put_string(&rc->ret, domain_scheduler_type(d, &n));
        xdr_put_i32(&rc->ret, n);
        return 0;
}

REMOTE_HANDLER(proc_domain_get_scheduler_parameters) {
        return get_sched(rc, false);
}

REMOTE_HANDLER(proc_domain_get_scheduler_parameters_flags) {
        return get_sched(rc, true);
}

/* {remote_typed_param params<>; int nparams}: none and their count n when the client asked for
 * want = 0, else at most want of them; nothing when n < 0 (an error). */
static void put_counted(RemoteCall *rc, const DomainTuneParam *out, int n, int32_t want) {
        if (n >= 0 && want == 0) {
                xdr_put_u32(&rc->ret, 0);
                xdr_put_i32(&rc->ret, n);
        } else if (n >= 0) {
                if (n > want)
                        n = want;
                xdr_put_u32(&rc->ret, (uint32_t) n);
                for (int i = 0; i < n; i++)
                        put_typed_param(&rc->ret, &out[i]);
                xdr_put_i32(&rc->ret, n);
        }
}

/* virDomainGet{Memory,Blkio,Numa}Parameters: {dom; int nparams; u32 flags} → {remote_typed_param
 * params<16>; int nparams}, nparams 0 asking how many there are. */
static int get_params_counted(RemoteCall *rc, int (*get)(Domain *, unsigned, DomainTuneParam *, VbError *), size_t max) {
        RemoteRef ref = { 0 };
        int32_t want = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (want < 0 || (uint32_t) want > REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE, "nparams too large");
        Domain *d = remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        DomainTuneParam *out = calloc(max, sizeof *out);
        if (!out)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        int n = get(d, flags, out, &rc->err);
        put_counted(rc, out, n, want);
        free(out);
        return n < 0 ? -1 : 0;
}

/* No memory parameter is a string: the core sees the flags without the client's STRING_OKAY. */
static int get_memory(Domain *d, unsigned flags, DomainTuneParam *out, VbError *err) {
        return domain_get_memory_params(d, flags & ~TYPED_PARAM_STRING_OKAY, out, err);
}

static int get_blkio(Domain *d, unsigned flags, DomainTuneParam *out, VbError *err) {
        return domain_get_blkio_params(d, flags, out, err);
}

static int get_numa(Domain *d, unsigned flags, DomainTuneParam *out, VbError *err) {
        return domain_get_numa_params(d, flags, out, err);
}

REMOTE_HANDLER(proc_domain_get_memory_parameters) {
        return get_params_counted(rc, get_memory, DOMAIN_MEMTUNE_NPARAMS);
}

REMOTE_HANDLER(proc_domain_get_blkio_parameters) {
        return get_params_counted(rc, get_blkio, DOMAIN_BLKIO_NPARAMS);
}

REMOTE_HANDLER(proc_domain_set_blkio_parameters) {
        return set_params(rc, domain_set_blkio_params, true);
}

REMOTE_HANDLER(proc_domain_get_numa_parameters) {
        return get_params_counted(rc, get_numa, DOMAIN_NUMA_NPARAMS);
}

REMOTE_HANDLER(proc_domain_set_numa_parameters) {
        return set_params(rc, domain_set_numa_params, true);
}

/* ---- a device's typed parameters: virDomainSet/GetBlockIoTune, virDomainSet/GetInterfaceParameters ---- */

#define REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX 32u
#define DEVICE_ARG_MAX 4096u

/* {dom; remote_nonnull_string device; remote_typed_param params<max>; u32 flags} → {} */
int remote_set_device_params(RemoteCall *rc, uint32_t max, RemoteSetDeviceParams set) {
        RemoteRef ref = { 0 };
        char *device = NULL;
        size_t len = 0;
        uint32_t n = 0, flags = 0;
        DomainTuneParam *params = calloc(max, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, DEVICE_ARG_MAX, &device, &len);
        int bad = remote_get_tune_params(&rc->args, max, params, &n, &flags);
        Domain *d = remote_params_end(rc, bad) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? set(d, device, params, n, flags, call, &rc->err) : -1;
        free(device);
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}

/* {dom; remote_string device (remote_nonnull_string unless optional); int nparams; u32 flags} →
 * {remote_typed_param params<max>; int nparams}: nparams 0 asks how many there are; get fills
 * at most count. */
int remote_get_device_params(RemoteCall *rc, bool optional, uint32_t max, size_t count, RemoteGetDeviceParams get) {
        RemoteRef ref = { 0 };
        char *device = NULL;
        size_t len = 0;
        int32_t want = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        if (optional)
                xdr_get_opt_string(&rc->args, DEVICE_ARG_MAX, &device);
        else
                xdr_get_string(&rc->args, DEVICE_ARG_MAX, &device, &len);
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = NULL;
        if (remote_args_end(rc) == 0) {
                if (want < 0 || (uint32_t) want > max)
                        vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE, "nparams too large");
                else
                        d = remote_find_domain(rc, &ref);
        }
        remote_ref_done(&ref);
        DomainTuneParam *out = d && want ? calloc(count, sizeof *out) : NULL;
        if (d && want && !out)
                vb_error_errno(&rc->err, -ENOMEM, "parameters");
        int n = d && (out || !want) ? get(d, device, flags, out, &rc->err) : -1;
        put_counted(rc, out, n, want);
        free(out);
        free(device);
        return n < 0 ? -1 : 0;
}

REMOTE_HANDLER(proc_domain_set_block_io_tune) {
        return remote_set_device_params(rc, REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX, domain_set_block_io_tune);
}

REMOTE_HANDLER(proc_domain_get_block_io_tune) {
        return remote_get_device_params(rc, true, REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX, DOMAIN_IOTUNE_NPARAMS,
                                        domain_get_block_io_tune);
}
