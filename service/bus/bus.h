/* bus.h: the D-Bus door: org.libvirt on the system or session bus, libvirt-dbus 1.4.1 compatible. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "manager.h"

typedef struct Bus Bus;

/* Connect to the system bus (system=true) or the session bus (DBUS_SESSION_BUS_ADDRESS), attach
 * to event, register /org/libvirt/<driver name> for every connection of m (Connect, the
 * domain, network, storagepool and storagevol subtrees, and the empty nodedev, interface,
 * nwfilter, secret and domainsnapshot nodes, so that `busctl tree` matches libvirt-dbus), an
 * ObjectManager at /org/libvirt, a manager observer that turns notices into signals, and
 * finally request the name org.libvirt (no queueing). On failure returns a negative errno and a
 * message in errbuf, e.g. "bus name org.libvirt is already owned by another process" or
 * "cannot connect to the session bus: …". The event loop exits when the bus disconnects. */
int bus_open(Manager *m, sd_event *event, bool system, Bus **out, char *errbuf, size_t errlen);

/* Authorize every call to org.libvirt with polkit from now on (the system bus): a filter holds
 * each call until authz answers, before any handler reads its arguments. authz is not owned and
 * must be freed before the bus is closed (pending checks answer through the bus). */
typedef struct Authz Authz;
int bus_set_authz(Bus *b, Authz *authz);
/* access_drivers = [ "polkit" ]: after the connection-level check, each call is checked against
 * libvirt's fine-grained action for the object it touches (bus-authz-api.c). */
void bus_set_authz_api(Bus *b, bool on);

/* org.libvirt.virtbus.Admin at /org/libvirt/admin (bus-admin.c): the administration a serves
 * (servers, clients, limits, logging, TLS reload), the same functions as virt-admin's. On the
 * system bus every call needs polkit's org.libvirt.virtbus.admin. a must outlive the bus. */
typedef struct Admin Admin;
#define BUS_ADMIN_PATH "/org/libvirt/admin"
#define BUS_ADMIN_INTERFACE "org.libvirt.virtbus.Admin"
#define BUS_ADMIN_ACTION "org.libvirt.virtbus.admin"
int bus_add_admin(Bus *b, Admin *a);

/* virtbusd.conf max_client_streams: StorageVol Upload/Download transfers one D-Bus caller (a
 * unique name) may have running at once (0: no limit). Applies to the next transfer. */
void bus_set_stream_limit(Bus *b, unsigned max);

/* Release the name, flush what is queued, disconnect and free. Accepts NULL; returns NULL. */
Bus *bus_close(Bus *b);
