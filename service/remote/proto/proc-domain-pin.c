/* proc-domain-pin.c: the remote procedures that pin a vCPU or the emulator threads (virsh vcpupin, emulatorpin): decode → core domain-pin.c. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-pin.h"
#include "domain.h"

#define REMOTE_CPUMAP_MAX 2048

/* {dom; u32 vcpu; opaque cpumap<REMOTE_CPUMAP_MAX>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_pin_vcpu_flags) {
        RemoteRef ref = { 0 };
        uint32_t vcpu = 0, flags = 0;
        uint8_t *map = NULL;
        size_t maplen = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &vcpu);
        xdr_get_opaque(&rc->args, REMOTE_CPUMAP_MAX, &map, &maplen);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        int r = d ? domain_pin_vcpu(d, vcpu, map, maplen, flags, &rc->err) : -1;
        free(map);
        return r;
}

/* {dom; opaque cpumap<REMOTE_CPUMAP_MAX>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_pin_emulator) {
        RemoteRef ref = { 0 };
        uint32_t flags = 0;
        uint8_t *map = NULL;
        size_t maplen = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opaque(&rc->args, REMOTE_CPUMAP_MAX, &map, &maplen);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        int r = d ? domain_pin_emulator(d, map, maplen, flags, &rc->err) : -1;
        free(map);
        return r;
}
