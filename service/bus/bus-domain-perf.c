/* bus-domain-perf.c: Domain.GetPerfEvents (u flags → a{sv}) and SetPerfEvents (a{sv} params, u flags): libvirt-dbus's boolean typed parameters, domain-perf.c in the core. */
#include "bus-internal.h"

#include "bus-unsupported.h"
#include "domain-model.h"
#include "domain-perf.h"

int bus_method_get_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        static DomainTuneParam p[DOMAIN_PERF_NEVENTS];  /* not on the stack; one call at a time on the loop */
        Domain *d = bus_message_domain(m, t, &err);
        int n = d ? domain_get_perf_events(d, flags, p, &err) : -1;
        if (n < 0)
                return bus_error(ret_error, &err);
        return bus_reply_tune_params(m, p, n);
}

int bus_method_set_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return bus_tune_set(m, userdata, ret_error, domain_set_perf_events);
}
