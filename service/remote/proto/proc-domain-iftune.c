/* proc-domain-iftune.c: domain_set_interface_parameters (256) and domain_get_interface_parameters (257): a guest NIC's bandwidth as libvirt's typed parameters (domain-iftune.c). */
#include "dispatch.h"

#include "domain-iftune.h"

#define REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX 16u

/* {dom; remote_nonnull_string device; remote_typed_param params<16>; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_set_interface_parameters) {
        return remote_set_device_params(rc, REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX, domain_set_interface_params);
}

/* {dom; remote_nonnull_string device; int nparams; u32 flags} → {remote_typed_param params<16>;
 * int nparams}: nparams 0 asks how many there are (the device is not looked up then). */
REMOTE_HANDLER(proc_domain_get_interface_parameters) {
        return remote_get_device_params(rc, false, REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX, DOMAIN_IFTUNE_NPARAMS,
                                        domain_get_interface_params);
}
