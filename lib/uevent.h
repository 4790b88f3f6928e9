/* uevent.h: the kernel's device events (NETLINK_KOBJECT_UEVENT) on sd-event: a device added, removed, renamed, changed. */
#pragma once

#include <systemd/sd-event.h>

typedef struct UeventMonitor UeventMonitor;

/* One kernel uevent; every field is borrowed for the duration of the callback, and "" when the
 * event lacks it. */
typedef struct Uevent {
        const char *action;     /* "add", "remove", "move", "change", "bind", … */
        const char *devpath;    /* "/devices/virtual/net/dummy0" */
        const char *subsystem;  /* "net", "pci", … */
        const char *interface;  /* INTERFACE= of a network device */
} Uevent;

typedef void (*UeventFn)(const Uevent *ev, void *userdata);

/* Listen to the kernel's uevents of the caller's network namespace (network devices are
 * announced only there). Messages not from the kernel are ignored. 0, or a negative errno. */
int uevent_monitor_new(sd_event *e, UeventFn fn, void *userdata, UeventMonitor **out);
UeventMonitor *uevent_monitor_free(UeventMonitor *m);

/* Parse one datagram ("ACTION@DEVPATH\0KEY=VALUE\0…"); 0, or -EINVAL when it is not one. buf is
 * modified (NULs kept); ev points into it. */
int uevent_parse(char *buf, size_t len, Uevent *ev);
