/* bus-domain-live.c: org.libvirt.Domain's small calls on a running domain: InjectNMI(u flags), SetVcpus(u vcpus, u flags). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>

#include "domain-live-calls.h"

int bus_method_inject_nmi(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_inject_nmi(d, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_set_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned n, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &n, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_set_vcpus(d, n, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
