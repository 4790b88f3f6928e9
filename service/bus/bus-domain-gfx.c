/* bus-domain-gfx.c: org.libvirt.Domain's keyboard and displays: SendKey (libvirt-dbus's signature: codeset, holdtime, au keycodes, flags). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

#include "domain.h"

int bus_method_send_key(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned codeset, holdtime, flags;
        const void *keys = NULL;
        size_t size = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &codeset, &holdtime);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'u', &keys, &size);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_send_key(d, codeset, holdtime, keys, size / sizeof(uint32_t), flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* OpenGraphicsFD's answer comes when QEMU has taken its end of the socket pair. */
static int reply_fd(sd_bus_message *m, const void *fd) {
        return sd_bus_reply_method_return(m, "h", *(const int *) fd);     /* sd-bus sends a duplicate */
}

/* libvirt-dbus's OpenGraphicsFD(idx, flags) → h: a socket connected to the display. */
int bus_method_open_graphics_fd(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned idx, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &idx, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_fd, false);
        if (!call)
                return -ENOMEM;
        r = domain_open_graphics_fd(d, idx, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);   /* a success always comes later */
}
