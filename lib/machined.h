/* machined.h: guests registered with systemd-machined (org.freedesktop.machine1 on the system bus) where it runs, as libvirt does, so `machinectl list` shows them. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Machined Machined;

/* libvirt's machine name "qemu-ID-NAME": NAME's characters other than [A-Za-z0-9_.-] dropped,
 * the whole cut to 64. Pure. 0, or -ENOSPC. */
int machined_name(int id, const char *name, char *out, size_t len);

/* Connect to the system bus (address NULL: the default, DBUS_SYSTEM_BUS_ADDRESS or
 * /run/dbus/system_bus_socket) on e without blocking the loop: *out is a handle whenever the bus answers the connect;
 * whether machine1 is there is asked asynchronously (NameHasOwner, then ListActivatableNames),
 * and until the answer says it is, register and terminate do nothing. *out NULL (and 0) when
 * there is no system bus. */
int machined_open_async(sd_event *e, const char *address, Machined **out);
/* machine1 was found there (false for NULL and until the answer came). */
int machined_present(const Machined *m);
Machined *machined_free(Machined *m);

/* RegisterMachineWithNetwork(name, uuid, "virtbus-qemu", "vm", leader, "", []): the machine
 * is QEMU's pid in the cgroup it is already in. Asynchronous: a failure is logged. */
int machined_register(Machined *m, const char *name, const uint8_t uuid[16], pid_t leader);
/* TerminateMachine(name), asynchronous: a failure is logged. */
int machined_terminate(Machined *m, const char *name);
