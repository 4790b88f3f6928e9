/* bus-domain-iftune.c: Domain.GetInterfaceParameters / SetInterfaceParameters (a guest NIC's bandwidth), through the same core verbs as the remote door's virDomainGet/SetInterfaceParameters (domain-iftune.c). */
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>

#include "bus-path.h"
#include "bus-unsupported.h"
#include "domain-iftune.h"
#include "domain.h"

static Domain *iftune_domain(sd_bus_message *m, void *userdata, VbError *err) {
        BusSubtree *t = userdata;
        return bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), err);
}

/* GetInterfaceParameters(s device, u flags) → a{sv} */
int bus_method_get_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *device;
        unsigned flags;
        VbError err = { 0 };
        DomainTuneParam p[DOMAIN_IFTUNE_NPARAMS];
        int r = sd_bus_message_read(m, "su", &device, &flags);
        if (r < 0)
                return r;
        Domain *d = iftune_domain(m, userdata, &err);
        int n = d ? domain_get_interface_params(d, device, flags, p, &err) : -1;
        return n < 0 ? bus_error(ret_error, &err) : bus_reply_tune_params(m, p, n);
}

static int reply_done(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, NULL);
}

/* SetInterfaceParameters(s device, a{sv} params, u flags) */
int bus_method_set_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *device;
        unsigned flags = 0;
        size_t n = 0;
        VbError err = { 0 };
        DomainTuneParam *p = calloc(BUS_TUNE_PARAMS_MAX, sizeof *p);
        if (!p)
                return -ENOMEM;
        int r = sd_bus_message_read(m, "s", &device);
        if (r >= 0)
                r = bus_read_tune_params(m, p, &n, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r >= 0 && n == 0)     /* libvirt's public API refuses it before any driver (libvirt-dbus passes it on) */
                r = vb_error_set(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                 "nparams in virDomainSetInterfaceParameters must be greater than zero");
        Domain *d = r >= 0 ? iftune_domain(m, userdata, &err) : NULL;
        Call *call = d ? bus_call_new_reply(m, reply_done, true) : NULL;
        if (call) {
                r = domain_set_interface_params(d, device, p, n, flags, call, &err);
                r = bus_call_finish_reply(call, r, &err, NULL, ret_error);
        } else if (r == -1 && err.code) {
                r = bus_error(ret_error, &err);     /* a parameter refused, or no such domain */
        } else if (r >= 0) {
                r = d ? -ENOMEM : bus_error(ret_error, &err);
        }
        free(p);
        return r;
}
