/* proc-domain-iftune.c: domain_set_interface_parameters (256) and domain_get_interface_parameters (257): a guest NIC's bandwidth as libvirt's typed parameters (domain-iftune.c). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-iftune.h"
#include "domain.h"

#define REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX 16u
#define IFTUNE_DEVICE_ARG_MAX 4096u

/* {dom; remote_nonnull_string device; remote_typed_param params<16>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_interface_parameters) {
        RemoteRef ref = { 0 };
        char *device = NULL;
        size_t len = 0;
        uint32_t n = 0, flags = 0;
        bool bad = false;
        DomainTuneParam *params = calloc(REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, IFTUNE_DEVICE_ARG_MAX, &device, &len);
        if (xdr_get_array_len(&rc->args, REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX, 12, &n) == 0)
                for (uint32_t i = 0; i < n && !bad; i++)
                        bad = remote_get_typed_param(&rc->args, &params[i]) < 0;
        if (!bad)
                xdr_get_u32(&rc->args, &flags);
        Domain *d = NULL;
        if (remote_args_end(rc) == 0) {
                if (bad)
                        vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type");
                else
                        d = remote_find_domain(rc, &ref);
        }
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? domain_set_interface_params(d, device, params, n, flags, call, &rc->err) : -1;
        free(device);
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}

/* {dom; remote_nonnull_string device; int nparams; u32 flags} → {remote_typed_param params<16>;
 * int nparams}: nparams 0 asks how many there are. */
REMOTE_HANDLER(proc_domain_get_interface_parameters) {
        RemoteRef ref = { 0 };
        char *device = NULL;
        size_t len = 0;
        int32_t want = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, IFTUNE_DEVICE_ARG_MAX, &device, &len);
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = NULL;
        if (remote_args_end(rc) == 0) {
                if (want < 0 || (uint32_t) want > REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX)
                        vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE, "nparams too large");
                else
                        d = remote_find_domain(rc, &ref);
        }
        remote_ref_done(&ref);
        DomainTuneParam out[DOMAIN_IFTUNE_NPARAMS];
        int n = d ? domain_get_interface_params(d, device, flags, want ? out : NULL, &rc->err) : -1;
        remote_put_tune_counted(rc, out, n, want);
        free(device);
        return n < 0 ? -1 : 0;
}
