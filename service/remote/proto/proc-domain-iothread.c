/* proc-domain-iothread.c: the remote procedures of a guest's IOThreads (virsh iothreadadd, iothreaddel, iothreadpin, iothreadset): decode → core domain-iothread.c. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "call.h"
#include "domain-iothread.h"
#include "domain.h"

#define REMOTE_CPUMAP_MAX 2048
#define REMOTE_DOMAIN_IOTHREAD_PARAMS_MAX 64u

typedef int (*IothreadChange)(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err);

/* {dom; u32 iothread_id; u32 flags} → {} */
static int add_or_del(RemoteCall *rc, IothreadChange change) {
        uint32_t id = 0, flags = 0;
        Domain *d = remote_read_domain_u32(rc, &id, &flags);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, change(d, id, flags, call, &rc->err));
}

REMOTE_HANDLER(proc_domain_add_iothread) {
        return add_or_del(rc, domain_add_iothread);
}

REMOTE_HANDLER(proc_domain_del_iothread) {
        return add_or_del(rc, domain_del_iothread);
}

/* {dom; u32 iothreads_id; opaque cpumap<REMOTE_CPUMAP_MAX>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_pin_iothread) {
        RemoteRef ref = { 0 };
        uint32_t id = 0, flags = 0;
        uint8_t *map = NULL;
        size_t maplen = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &id);
        xdr_get_opaque(&rc->args, REMOTE_CPUMAP_MAX, &map, &maplen);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        int r = d ? domain_pin_iothread(d, id, map, maplen, flags, &rc->err) : -1;
        free(map);
        return r;
}

/* {dom; u32 iothread_id; remote_typed_param params<64>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_iothread_params) {
        RemoteRef ref = { 0 };
        uint32_t id = 0, n = 0, flags = 0;
        DomainTuneParam *params = calloc(REMOTE_DOMAIN_IOTHREAD_PARAMS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &id);
        int bad = remote_get_tune_params(&rc->args, REMOTE_DOMAIN_IOTHREAD_PARAMS_MAX, params, &n, &flags);
        Domain *d = remote_params_end(rc, bad) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? domain_set_iothread_params(d, id, params, n, flags, call, &rc->err) : -1;
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}
