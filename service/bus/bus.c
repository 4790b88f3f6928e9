/* bus.c: the D-Bus door's connection: objects registered per Connection, the name, the ObjectManager; notices become signals in bus-notices.c. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"

/* Kind nodes libvirt-dbus registers under every Connect path although virtbus serves no
 * objects there yet; they keep `busctl tree` the same. */

static BusSubtree *subtree_add(Bus *b, Connection *c, const BusKind *kind, char *path) {
        BusSubtree **list = realloc(b->subtrees, (b->n_subtrees + 1) * sizeof *list);
        if (!list)
                return NULL;
        b->subtrees = list;
        BusSubtree *t = calloc(1, sizeof *t);
        if (!t)
                return NULL;
        *t = (BusSubtree) { .bus = b, .conn = c, .kind = kind, .path = path };
        b->subtrees[b->n_subtrees++] = t;
        return t;
}

/* Register one Connection: its Connect object, the kind subtrees and the empty nodes. The slots
 * are floating: they live as long as the sd_bus. */
static int register_connection(Bus *b, Connection *c) {
        static const ObjectKind kinds[] = { OBJECT_DOMAIN, OBJECT_NETWORK, OBJECT_POOL, OBJECT_VOLUME, OBJECT_INTERFACE,
                                            OBJECT_NODEDEV, OBJECT_SECRET, OBJECT_NWFILTER, OBJECT_SNAPSHOT };
        char *path = bus_connect_path(c);
        if (!path)
                return -ENOMEM;
        BusSubtree *t = subtree_add(b, c, &bus_kind_connect, path);
        if (!t) {
                free(path);
                return -ENOMEM;
        }
        int r = sd_bus_add_object_vtable(b->bus, NULL, t->path, bus_kind_connect.interface,
                                         bus_kind_connect.vtable, t);
        if (r < 0)
                return log_error_errno(r, "cannot register %s: %s", t->path, strerror(-r));
        r = sd_bus_add_object(b->bus, NULL, t->path, bus_properties_handler, t);
        if (r < 0)
                return r;

        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
                const BusKind *kind = bus_kind_of(kinds[i]);
                char *prefix = bus_subtree_path(c, kinds[i]);
                if (!prefix)
                        return -ENOMEM;
                BusSubtree *s = subtree_add(b, c, kind, prefix);
                if (!s) {
                        free(prefix);
                        return -ENOMEM;
                }
                /* The Properties handler is a fallback callback at the same node: sd-bus runs
                 * object callbacks before its own property code (see dbus-api.md). */
                r = sd_bus_add_fallback(b->bus, NULL, s->path, bus_properties_handler, s);
                if (r < 0)
                        return r;
                r = sd_bus_add_fallback_vtable(b->bus, NULL, s->path, kind->interface, kind->vtable,
                                               bus_find_leaf, s);
                if (r < 0)
                        return log_error_errno(r, "cannot register %s: %s", s->path, strerror(-r));
                r = sd_bus_add_node_enumerator(b->bus, NULL, s->path, kind->enumerate, s);
                if (r < 0)
                        return r;
        }

        log_debug("registered %s for %s", path, c->driver->uri);
        return 0;
}

/* --- Open and close --- */

int bus_open(Manager *m, sd_event *event, bool system, Bus **out, char *errbuf, size_t errlen) {
        const char *which = system ? "system" : "session";
        Bus *b = calloc(1, sizeof *b);
        int r;
        if (!b) {
                snprintf(errbuf, errlen, "out of memory");
                return -ENOMEM;
        }
        b->manager = m;

        r = system ? sd_bus_open_system(&b->bus) : sd_bus_open_user(&b->bus);
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot connect to the %s bus: %s", which, strerror(-r));
                goto fail;
        }
        (void) sd_bus_set_description(b->bus, "org.libvirt");
        r = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot attach the %s bus to the event loop: %s", which, strerror(-r));
                goto fail;
        }
        r = sd_bus_set_exit_on_disconnect(b->bus, true);
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot watch the %s bus connection: %s", which, strerror(-r));
                goto fail;
        }

        for (size_t i = 0; i < m->n_conns; i++) {
                r = register_connection(b, m->conns[i]);
                if (r < 0) {
                        snprintf(errbuf, errlen, "cannot register the objects of %s: %s",
                                 m->conns[i]->driver->uri, strerror(-r));
                        goto fail;
                }
        }
        r = sd_bus_add_object_manager(b->bus, NULL, BUS_ROOT_PATH);
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot add the object manager at " BUS_ROOT_PATH ": %s", strerror(-r));
                goto fail;
        }
        r = manager_add_observer(m, bus_on_notice, b);
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot observe the manager: %s", strerror(-r));
                goto fail;
        }
        b->observing = true;

        /* Last, so that nobody sees the name before every object answers. */
        r = sd_bus_request_name(b->bus, BUS_NAME, 0);
        if (r == -EEXIST) {
                snprintf(errbuf, errlen, "bus name " BUS_NAME " is already owned by another process");
                goto fail;
        }
        if (r < 0) {
                snprintf(errbuf, errlen, "cannot own the bus name " BUS_NAME " on the %s bus: %s", which,
                         strerror(-r));
                goto fail;
        }
        log_info("serving " BUS_NAME " on the %s bus", which);
        *out = b;
        return 0;
fail:
        bus_close(b);
        return r;
}

Bus *bus_close(Bus *b) {
        if (!b)
                return NULL;
        if (b->observing)
                manager_remove_observer(b->manager, bus_on_notice, b);
        bus_authz_forget(b);
        bus_vol_streams_detach(b);
        if (b->bus) {
                /* -ESRCH/-EADDRINUSE when we never owned it: nothing to release. */
                (void) sd_bus_release_name(b->bus, BUS_NAME);
                sd_bus_flush_close_unref(b->bus);
        }
        for (size_t i = 0; i < b->n_subtrees; i++) {
                free(b->subtrees[i]->path);
                free(b->subtrees[i]);
        }
        free(b->subtrees);
        free(b);
        return NULL;
}
