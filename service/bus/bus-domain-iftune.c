/* bus-domain-iftune.c: Domain.GetInterfaceParameters / SetInterfaceParameters (a guest NIC's bandwidth), through the same core verbs as the remote door's virDomainGet/SetInterfaceParameters (domain-iftune.c). */
#include "bus-internal.h"

#include "bus-unsupported.h"
#include "domain-iftune.h"

/* GetInterfaceParameters(s device, u flags) → a{sv} */
int bus_method_get_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return bus_get_device_params(m, userdata, DOMAIN_IFTUNE_NPARAMS, domain_get_interface_params, ret_error);
}

/* SetInterfaceParameters(s device, a{sv} params, u flags) */
int bus_method_set_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return bus_set_device_params(m, userdata, domain_set_interface_params, "virDomainSetInterfaceParameters",
                                     ret_error);
}
