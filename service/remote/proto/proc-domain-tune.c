/* proc-domain-tune.c: domain_get/set_memory_parameters: libvirt's typed parameters on the wire, the domain's <memtune> in the core. */
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

#define REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX 16u
#define TYPED_PARAM_STRING_OKAY (1u << 2)       /* VIR_TYPED_PARAM_STRING_OKAY: clients may send it */

/* remote_typed_param: string field; int type; value (union on type). Every type is read so the
 * core can name a wrong one; only ullong values are kept. */
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
        case 1: case 2: case 6: return xdr_get_i32(r, &i32);
        case 3: case 4: case 5:
                if (xdr_get_u64(r, &u64) < 0)
                        return -EINVAL;
                p->ull = u64;
                return 0;
        case 7: return xdr_skip_string(r, REMOTE_STRING_MAX);
        }
        return -EINVAL;
}

/* {dom; remote_typed_param params<16>; u32 flags} */
REMOTE_HANDLER(proc_domain_set_memory_parameters) {
        RemoteRef ref = { 0 };
        uint32_t n = 0, flags = 0;
        DomainTuneParam params[REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX];
        remote_get_domain_ref(rc, &ref);
        bool bad = false;
        if (xdr_get_array_len(&rc->args, REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX, 12, &n) == 0)
                for (uint32_t i = 0; i < n && !bad; i++)
                        bad = get_typed_param(&rc->args, &params[i]) < 0;
        if (!bad)
                xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        if (bad)
                return vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type");
        Domain *d = remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        return domain_set_memory_params(d, params, n, flags, &rc->err);
}

/* {dom; int nparams; u32 flags} → {remote_typed_param params<16>; int nparams}: nparams 0 asks
 * how many there are. */
REMOTE_HANDLER(proc_domain_get_memory_parameters) {
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
        DomainTuneParam out[DOMAIN_MEMTUNE_NPARAMS];
        int n = domain_get_memory_params(d, flags & ~TYPED_PARAM_STRING_OKAY, out, &rc->err);
        if (n < 0)
                return -1;
        if (want == 0) {
                xdr_put_u32(&rc->ret, 0);
                xdr_put_i32(&rc->ret, n);
                return 0;
        }
        if (n > want)
                n = want;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_string(&rc->ret, out[i].name);
                xdr_put_i32(&rc->ret, DOMAIN_STAT_ULLONG);
                xdr_put_u64(&rc->ret, out[i].ull);
        }
        xdr_put_i32(&rc->ret, n);
        return 0;
}
