/* qemu-nodedev-events.c: a QEMU connection's node devices followed live: kernel uevents of the subsystems it lists (net, pci) start a short timer, and when it fires the core's watch lists the devices again and reports what appeared and went. */
#define LOG_MODULE "qemu.nodedev"
#include "qemu-priv.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nodedev.h"
#include "uevent.h"

/* A burst (a veth pair, a bridge and its ports, a PCI function and its netdev) is one rescan. */
#define RESCAN_DELAY_USEC (50 * 1000ULL)

typedef struct QemuNodedevEvents {
        QemuConn *qc;
        UeventMonitor *monitor;
        sd_event_source *timer;
        NodeDevWatch watch;
} QemuNodedevEvents;

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuNodedevEvents *ne = userdata;
        nodedev_watch_rescan(&ne->watch);
        return 0;
}

static void on_uevent(const Uevent *ev, void *userdata) {
        QemuNodedevEvents *ne = userdata;
        /* what lib/sysfs-devices.c lists: network interfaces and PCI devices; "overflow": any */
        if (strcmp(ev->subsystem, "net") != 0 && strcmp(ev->subsystem, "pci") != 0 &&
            strcmp(ev->action, "overflow") != 0)
                return;
        if (strcmp(ev->action, "add") != 0 && strcmp(ev->action, "remove") != 0 && strcmp(ev->action, "move") != 0 &&
            strcmp(ev->action, "overflow") != 0)
                return;
        int enabled = SD_EVENT_OFF;
        sd_event_source_get_enabled(ne->timer, &enabled);
        if (enabled != SD_EVENT_OFF)
                return;
        uint64_t now = 0;
        sd_event_now(ne->qc->event, CLOCK_MONOTONIC, &now);
        sd_event_source_set_time(ne->timer, now + RESCAN_DELAY_USEC);
        sd_event_source_set_enabled(ne->timer, SD_EVENT_ONESHOT);
}

void qemu_nodedev_events_init(QemuConn *qc) {
        QemuNodedevEvents *ne = calloc(1, sizeof *ne);
        VbError err = { 0 };
        if (!ne) {
                log_warning("no node device events: out of memory");
                return;
        }
        ne->qc = qc;
        int r = sd_event_add_time(qc->event, &ne->timer, CLOCK_MONOTONIC, 0, 0, on_timer, ne);
        if (r >= 0)
                r = sd_event_source_set_enabled(ne->timer, SD_EVENT_OFF);
        if (r >= 0)
                r = uevent_monitor_new(qc->event, on_uevent, ne, &ne->monitor);
        if (r < 0) {
                log_warning("no node device events: cannot listen to kernel uevents: %s", strerror(-r));
        } else if (nodedev_watch_init(&ne->watch, qc->conn, &err) < 0) {
                log_warning("no node device events: %s", err.message);
                r = -1;
        }
        qc->nodedev_events = ne;
        if (r < 0)
                qemu_nodedev_events_done(qc);
}

void qemu_nodedev_events_done(QemuConn *qc) {
        QemuNodedevEvents *ne = qc->nodedev_events;
        if (!ne)
                return;
        uevent_monitor_free(ne->monitor);
        sd_event_source_disable_unref(ne->timer);
        nodedev_watch_done(&ne->watch);
        free(ne);
        qc->nodedev_events = NULL;
}
