/* bus-domain-iothread.c: org.libvirt.Domain.AddIOThread and DelIOThread: decode → core domain-iothread.c (QEMU answers later: object-add / object-del); PinIOThread is with the other pins in bus-domain-pin.c. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>

#include "bus-path.h"
#include "call.h"
#include "domain-iothread.h"
#include "domain.h"

typedef int (*IothreadChange)(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err);

/* (u iothreadId, u flags) */
static int add_or_del(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, IothreadChange change) {
        unsigned id, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &id, &flags);
        if (r < 0)
                return r;
        BusSubtree *t = userdata;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = change(d, id, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_add_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return add_or_del(m, userdata, ret_error, domain_add_iothread);
}

int bus_method_del_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return add_or_del(m, userdata, ret_error, domain_del_iothread);
}
