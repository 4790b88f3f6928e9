/* bus-domain-gfx.c: org.libvirt.Domain's keyboard and displays: SendKey (libvirt-dbus's signature: codeset, holdtime, au keycodes, flags). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

#include "domain.h"
#include "log.h"

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
        Domain *d = bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_send_key(d, codeset, holdtime, keys, size / sizeof(uint32_t), flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* OpenGraphicsFD's answer comes when QEMU has taken its end of the socket pair. */
static void open_graphics_fd_done(Call *call, int r, const VbError *err, void *result) {
        sd_bus_message *m = call->userdata;
        if (!m)
                return;
        call->userdata = NULL;
        int q;
        if (r < 0 || !result) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                VbError fallback = { 0 };
                if (!err)
                        vb_error_set(&fallback, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "no socket to the display");
                bus_error(&e, err ? err : &fallback);
                q = sd_bus_reply_method_error(m, &e);
                sd_bus_error_free(&e);
        } else {
                q = sd_bus_reply_method_return(m, "h", *(const int *) result);   /* sd-bus sends a duplicate */
        }
        if (q < 0)
                log_warning("cannot send the reply of OpenGraphicsFD: %s", strerror(-q));
        sd_bus_message_unref(m);
}

/* libvirt-dbus's OpenGraphicsFD(idx, flags) → h: a socket connected to the display. */
int bus_method_open_graphics_fd(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned idx, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &idx, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), &err);
        if (!d)
                return bus_error(ret_error, &err);
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, open_graphics_fd_done, sd_bus_message_ref(m));
        if (!call) {
                sd_bus_message_unref(m);
                return -ENOMEM;
        }
        r = domain_open_graphics_fd(d, idx, flags, call, &err);
        if (r != VERB_PENDING && call->userdata) {
                /* answered now: an error (a success always comes later) */
                sd_bus_message_unref(call->userdata);
                call->userdata = NULL;
                call_unref(call);
                if (r >= 0)
                        vb_error_set(&err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "no socket to the display");
                return bus_error(ret_error, &err);
        }
        call_unref(call);
        return 1;
}
