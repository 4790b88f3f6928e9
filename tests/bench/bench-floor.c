/* bench-floor: the least a ListDomains reply can cost on a given bus and client.
 *
 * Owns org.libvirt on the session bus and answers org.libvirt.Connect.ListDomains(u) on
 * /org/libvirt/Test with N fixed object paths shaped like libvirt-dbus's domain paths, built
 * once at start. No registry, no lookups: what is left is sd-bus, the bus and the client.
 * tests/bench/bench.py measures it beside virtbusd and libvirt-dbus.
 *
 *   bench-floor N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

static char **paths;
static unsigned n_paths;

static int method_list_domains(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus_message *reply = NULL;
        uint32_t flags;
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (unsigned i = 0; r >= 0 && i < n_paths; i++)
                r = sd_bus_message_append_basic(reply, 'o', paths[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static const sd_bus_vtable connect_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("ListDomains", "u", "ao", method_list_domains, 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: bench-floor N\n");
                return 2;
        }
        n_paths = (unsigned) strtoul(argv[1], NULL, 10);
        paths = calloc(n_paths ? n_paths : 1, sizeof *paths);
        if (!paths)
                return 1;
        for (unsigned i = 0; i < n_paths; i++)
                if (asprintf(&paths[i], "/org/libvirt/Test/domain/_%08x_f6a4_8304_79aa_%012x",
                             i, i) < 0)
                        return 1;

        sd_bus *bus = NULL;
        int r = sd_bus_open_user(&bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/libvirt/Test", "org.libvirt.Connect",
                                             connect_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.libvirt", 0);
        if (r < 0) {
                fprintf(stderr, "bench-floor: %s\n", strerror(-r));
                return 1;
        }
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        break;
        }
        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
