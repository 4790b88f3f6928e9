/* machined.c: register a guest's QEMU with systemd-machined over the system bus, and end its registration at stop; asynchronous calls on the daemon's event loop (nothing blocks it). */
#define LOG_MODULE "machined"
#include "machined.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"

#define M1_DEST "org.freedesktop.machine1"
#define M1_PATH "/org/freedesktop/machine1"
#define M1_IFACE "org.freedesktop.machine1.Manager"

struct Machined {
        sd_bus *bus;
        int present;    /* 1 machine1 found, 0 not (yet), -1 looked for and absent */
};

int machined_name(int id, const char *name, char *out, size_t len) {
        if (len == 0)
                return -ENOSPC;
        int n = snprintf(out, len, "qemu-%d-", id);
        if (n < 0 || (size_t) n >= len)
                return -ENOSPC;
        size_t max = len - 1 < 64 ? len - 1 : 64, k = (size_t) n;
        for (const char *p = name; *p && k < max; p++) {
                char c = *p;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.')
                        out[k++] = c;
        }
        out[k] = '\0';
        return 0;
}

static int bus_connect(const char *address, sd_bus **out) {
        sd_bus *bus = NULL;
        int r;
        if (address) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else {
                r = sd_bus_open_system(&bus);
        }
        if (r < 0)
                bus = sd_bus_unref(bus);
        *out = bus;
        return r;
}

static void found(Machined *m, bool has) {
        m->present = has ? 1 : -1;
        if (has)
                log_info("systemd-machined found: guests are registered with it");
        else
                log_info("systemd-machined is not on the system bus: guests' cgroups are managed directly");
}

static int on_activatable(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machined *m = userdata;
        bool has = false;
        char **names = NULL;
        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read_strv(reply, &names) >= 0)
                for (char **n = names; n && *n; n++)
                        has = has || strcmp(*n, M1_DEST) == 0;
        for (char **n = names; n && *n; n++)
                free(*n);
        free(names);
        found(m, has);
        return 0;
}

static int on_has_owner(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machined *m = userdata;
        int has = 0;
        if (!sd_bus_message_is_method_error(reply, NULL))
                (void) sd_bus_message_read(reply, "b", &has);
        if (has) {
                found(m, true);
                return 0;
        }
        if (sd_bus_call_method_async(m->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "ListActivatableNames", on_activatable, m, "") < 0)
                found(m, false);
        return 0;
}

int machined_open_async(sd_event *e, const char *address, Machined **out) {
        *out = NULL;
        sd_bus *bus = NULL;
        int r = bus_connect(address, &bus);
        if (r < 0) {
                log_info("systemd-machined: no system bus (%s): guests' cgroups are managed directly", strerror(-r));
                return 0;
        }
        Machined *m = calloc(1, sizeof *m);
        if (!m || (r = sd_bus_attach_event(bus, e, SD_EVENT_PRIORITY_NORMAL)) < 0) {
                free(m);
                sd_bus_unref(bus);
                return r < 0 ? r : -ENOMEM;
        }
        m->bus = bus;
        /* The slot is floating: freed with the bus, so a reply never reaches a freed m. */
        r = sd_bus_call_method_async(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                     "NameHasOwner", on_has_owner, m, "s", M1_DEST);
        if (r < 0) {
                machined_free(m);
                return r;
        }
        *out = m;
        return 0;
}

int machined_present(const Machined *m) {
        return m && m->present == 1;
}

Machined *machined_free(Machined *m) {
        if (m) {
                sd_bus_flush_close_unref(m->bus);
                free(m);
        }
        return NULL;
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        char *what = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        if (e)
                log_warning("systemd-machined: %s failed: %s", what, e->message ? e->message : e->name);
        else
                log_debug("systemd-machined: %s done", what);
        free(what);
        return 0;
}

static int call_async(Machined *m, sd_bus_message *msg, const char *verb, const char *name) {
        char *what = NULL;
        if (asprintf(&what, "%s %s", verb, name) < 0)
                return -ENOMEM;
        int r = sd_bus_call_async(m->bus, NULL, msg, on_reply, what, 0);
        if (r < 0) {
                log_warning("systemd-machined: cannot send %s: %s", what, strerror(-r));
                free(what);
        }
        return r;
}

int machined_register(Machined *m, const char *name, const uint8_t uuid[16], pid_t leader) {
        if (!machined_present(m))
                return 0;
        sd_bus_message *msg = NULL;
        int r = sd_bus_message_new_method_call(m->bus, &msg, M1_DEST, M1_PATH, M1_IFACE, "RegisterMachineWithNetwork");
        if (r >= 0)
                r = sd_bus_message_append(msg, "s", name);
        if (r >= 0)
                r = sd_bus_message_append_array(msg, 'y', uuid, 16);
        if (r >= 0)
                r = sd_bus_message_append(msg, "ssus", "virtbus-qemu", "vm", (uint32_t) leader, "");
        if (r >= 0)
                r = sd_bus_message_append_array(msg, 'i', NULL, 0);
        if (r >= 0)
                r = call_async(m, msg, "RegisterMachineWithNetwork", name);
        sd_bus_message_unref(msg);
        return r;
}

int machined_terminate(Machined *m, const char *name) {
        if (!machined_present(m))
                return 0;
        sd_bus_message *msg = NULL;
        int r = sd_bus_message_new_method_call(m->bus, &msg, M1_DEST, M1_PATH, M1_IFACE, "TerminateMachine");
        if (r >= 0)
                r = sd_bus_message_append(msg, "s", name);
        if (r >= 0)
                r = call_async(m, msg, "TerminateMachine", name);
        sd_bus_message_unref(msg);
        return r;
}
