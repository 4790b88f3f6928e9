/* bus-domain-device.c: org.libvirt.Domain.UpdateDevice (a NIC's link state), AttachDevice and DetachDevice (disks). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

#include "domain-hotplug.h"
#include "domain-update.h"
#include "domain.h"

/* UpdateDevice(s xml, u flags): QEMU's set_link answers later. */
int bus_method_update_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_update_device(d, xml, strlen(xml), flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

typedef int (*DeviceFn)(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);

/* (s xml, u flags): QEMU (and for a detach, the guest) answers later. */
static int device_method(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, DeviceFn fn) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = fn(d, xml, strlen(xml), flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_attach_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return device_method(m, userdata, ret_error, domain_attach_device);
}

int bus_method_detach_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return device_method(m, userdata, ret_error, domain_detach_device);
}
