/* bus-domain-iotune.c: Domain.GetBlockIOTune / SetBlockIOTune (a disk's <iotune>), through the same core verbs as the remote door's virDomainGet/SetBlockIoTune (domain-iotune.c), and the readers of a device's typed parameters they share with bus-domain-iftune.c. */
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>

#include "bus-path.h"
#include "bus-unsupported.h"
#include "domain-tune-stats.h"
#include "domain.h"

/* Get…(s device, u flags) → a{sv}: at most count parameters from get. */
int bus_get_device_params(sd_bus_message *m, void *userdata, size_t count, BusGetDeviceParams get,
                          sd_bus_error *ret_error) {
        const char *device;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &device, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        DomainTuneParam *p = d ? calloc(count, sizeof *p) : NULL;
        if (d && !p)
                return -ENOMEM;
        int n = p ? get(d, device, flags, p, &err) : -1;
        r = n < 0 ? bus_error(ret_error, &err) : bus_reply_tune_params(m, p, n);
        free(p);
        return r;
}

static int reply_done(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, NULL);
}

/* Set…(s device, a{sv} params, u flags) through set, which may answer later. api: refuse an
 * empty set as libvirt's public API does for it (NULL: allowed). */
int bus_set_device_params(sd_bus_message *m, void *userdata, BusSetDeviceParams set, const char *api,
                          sd_bus_error *ret_error) {
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
        if (r >= 0 && n == 0 && api)     /* libvirt-dbus passes it to libvirt, which refuses it */
                r = vb_error_set(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "nparams in %s must be greater than zero", api);
        Domain *d = r >= 0 ? bus_message_domain(m, userdata, &err) : NULL;
        Call *call = d ? bus_call_new_reply(m, reply_done, true) : NULL;
        if (call) {
                r = set(d, device, p, n, flags, call, &err);
                r = bus_call_finish_reply(call, r, &err, NULL, ret_error);
        } else if (r == -1 && err.code) {
                r = bus_error(ret_error, &err);     /* a parameter refused, or no such domain */
        } else if (r >= 0) {
                r = d ? -ENOMEM : bus_error(ret_error, &err);
        }
        free(p);
        return r;
}

/* GetBlockIOTune(s disk, u flags) → a{sv} */
int bus_method_get_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return bus_get_device_params(m, userdata, DOMAIN_IOTUNE_NPARAMS, domain_get_block_io_tune, ret_error);
}

/* SetBlockIOTune(s disk, a{sv} params, u flags): QEMU may answer later (block_set_io_throttle). */
int bus_method_set_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return bus_set_device_params(m, userdata, domain_set_block_io_tune, NULL, ret_error);
}
