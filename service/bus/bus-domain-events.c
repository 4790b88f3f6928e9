/* bus-domain-events.c: the guest's own events (domain-events.h) as libvirt-dbus 1.4.1's Domain signals. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>

#include "domain.h"
#include "manager.h"

static int append_address(sd_bus_message *m, const NoticeGraphicsAddress *a) {
        return sd_bus_message_append(m, "(iss)", (int32_t) a->family, a->node ? a->node : "", a->service ? a->service : "");
}

/* Graphics(i phase, (iss) local, (iss) remote, s authScheme, a(ss) identities) */
static int append_graphics(sd_bus_message *m, const NoticeGraphics *g) {
        int r = sd_bus_message_append(m, "i", (int32_t) g->phase);
        if (r >= 0)
                r = append_address(m, &g->local);
        if (r >= 0)
                r = append_address(m, &g->remote);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", g->auth_scheme ? g->auth_scheme : "");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(ss)");
        for (size_t i = 0; r >= 0 && i < g->n_identities; i++)
                r = sd_bus_message_append(m, "(ss)", g->identities[i][0], g->identities[i][1]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_params(sd_bus_message *m, const Notice *n) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < n->n_params; i++)
                r = bus_append_stat_param(m, &n->params[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static const char *const pm_signals[] = {
        [NOTICE_PM_WAKEUP] = "PMWakeup", [NOTICE_PM_SUSPEND] = "PMSuspend", [NOTICE_PM_SUSPEND_DISK] = "PMSuspendDisk",
};

int bus_emit_guest_event(sd_bus *bus, const Notice *n, const char *path) {
        const char *member = NULL;
        switch (n->type) {
        case NOTICE_RTC_CHANGE: member = "RTCChange"; break;
        case NOTICE_WATCHDOG: member = "Watchdog"; break;
        case NOTICE_IO_ERROR: member = "IOError"; break;
        case NOTICE_GRAPHICS: member = n->graphics ? "Graphics" : NULL; break;
        case NOTICE_TRAY_CHANGE: member = "TrayChange"; break;
        case NOTICE_DISK_CHANGE: member = "DiskChange"; break;
        case NOTICE_PM:
                member = n->event >= 0 && n->event <= NOTICE_PM_SUSPEND_DISK ? pm_signals[n->event] : NULL;
                break;
        case NOTICE_BALLOON_CHANGE: member = "BalloonChange"; break;
        case NOTICE_CONTROL_ERROR: member = "ControlError"; break;
        case NOTICE_TUNABLE: member = "Tunable"; break;
        case NOTICE_JOB_COMPLETED: member = "JobCompleted"; break;
        case NOTICE_MIGRATION_ITERATION: member = "MigrationIteration"; break;
        default: break;
        }
        if (!member || n->obj->kind != OBJECT_DOMAIN)
                return 0;
        sd_bus_message *m = NULL;
        int r = sd_bus_message_new_signal(bus, &m, path, bus_kind_domain.interface, member);
        if (r < 0)
                return r;
        switch (n->type) {
        case NOTICE_RTC_CHANGE: r = sd_bus_message_append(m, "x", n->number); break;
        case NOTICE_WATCHDOG: r = sd_bus_message_append(m, "i", (int32_t) n->event); break;
        case NOTICE_IO_ERROR:
                r = sd_bus_message_append(m, "ssis", n->path ? n->path : "", n->text ? n->text : "", (int32_t) n->event,
                                          n->reason ? n->reason : "");
                break;
        case NOTICE_GRAPHICS: r = append_graphics(m, n->graphics); break;
        case NOTICE_TRAY_CHANGE: r = sd_bus_message_append(m, "si", n->text ? n->text : "", (int32_t) n->event); break;
        case NOTICE_DISK_CHANGE:        /* DiskChange(s oldSrcPath, s newSrcPath, s device, i reason) */
                r = sd_bus_message_append(m, "sssi", n->path ? n->path : "", n->new_path ? n->new_path : "",
                                          n->text ? n->text : "", (int32_t) n->event);
                break;
        case NOTICE_PM: r = sd_bus_message_append(m, "i", (int32_t) n->detail); break;
        case NOTICE_BALLOON_CHANGE: r = sd_bus_message_append(m, "t", (uint64_t) n->number); break;
        case NOTICE_TUNABLE:
        case NOTICE_JOB_COMPLETED: r = append_params(m, n); break;
        case NOTICE_MIGRATION_ITERATION: r = sd_bus_message_append(m, "i", (int32_t) n->number); break;
        default: break;         /* ControlError: no arguments */
        }
        if (r >= 0)
                r = sd_bus_send(bus, m, NULL);
        sd_bus_message_unref(m);
        return r;
}
