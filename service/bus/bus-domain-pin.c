/* bus-domain-pin.c: org.libvirt.Domain.PinVcpu, PinEmulator and PinIOThread (libvirt-dbus sends the CPU map as booleans, one per host CPU): decode → core domain-pin.c. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-info.h"
#include "domain-iothread.h"
#include "domain-pin.h"
#include "domain.h"

/* ab → a libvirt cpumap (bit i = CPU i). At most DOMAIN_CPUMAP_MAX CPUs. */
static int read_map(sd_bus_message *m, uint8_t map[DOMAIN_CPUMAP_MAX / 8], size_t *maplen, VbError *err) {
        const int *bools = NULL;
        size_t size = 0;
        int r = sd_bus_message_read_array(m, 'b', (const void **) &bools, &size);
        if (r < 0)
                return r;
        size_t n = size / sizeof(int);
        if (n > DOMAIN_CPUMAP_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "cpumap has %zu CPUs, more than %d", n,
                                    DOMAIN_CPUMAP_MAX);
        for (size_t i = 0; i < n; i++)
                if (bools[i])
                        map[i / 8] |= (uint8_t) (1u << (i % 8));
        *maplen = (n + 7) / 8;
        return 0;
}

typedef int (*PinOne)(Domain *d, unsigned which, const uint8_t *map, size_t maplen, unsigned flags, VbError *err);

/* (u which, ab cpumap, u flags): a vCPU or an IOThread */
static int pin_one(sd_bus_message *m, BusSubtree *t, sd_bus_error *ret_error, PinOne pin) {
        unsigned which = 0, flags = 0;
        uint8_t map[DOMAIN_CPUMAP_MAX / 8] = { 0 };
        size_t maplen = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &which);
        if (r >= 0)
                r = read_map(m, map, &maplen, &err);
        if (r == -1 && err.code)
                return bus_error(ret_error, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d || pin(d, which, map, maplen, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

int bus_method_pin_vcpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return pin_one(m, userdata, ret_error, domain_pin_vcpu);
}

int bus_method_pin_emulator(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags = 0;
        uint8_t map[DOMAIN_CPUMAP_MAX / 8] = { 0 };
        size_t maplen = 0;
        VbError err = { 0 };
        int r = read_map(m, map, &maplen, &err);
        if (r == -1 && err.code)
                return bus_error(ret_error, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d || domain_pin_emulator(d, map, maplen, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

/* PinIOThread(u iothreadId, ab cpumap, u flags) */
int bus_method_pin_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return pin_one(m, userdata, ret_error, domain_pin_iothread);
}
