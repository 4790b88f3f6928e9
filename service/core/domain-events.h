/* domain-events.h: the guest's own events (RTC, watchdog, I/O errors, displays, trays, power
 * management, balloon, control errors, tunables, ended jobs, migration passes) as notices the
 * doors turn into libvirt's domain events and libvirt-dbus's signals. Drivers call these from
 * their hypervisor's events; core verbs call domain_notify_tunable after a live change. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "domain-tune-stats.h"

/* virDomainEventWatchdogAction */
enum {
        DOMAIN_WATCHDOG_NONE, DOMAIN_WATCHDOG_PAUSE, DOMAIN_WATCHDOG_RESET, DOMAIN_WATCHDOG_POWEROFF,
        DOMAIN_WATCHDOG_SHUTDOWN, DOMAIN_WATCHDOG_DEBUG, DOMAIN_WATCHDOG_INJECTNMI,
};
/* virDomainEventIOErrorAction */
enum { DOMAIN_IO_ERROR_NONE, DOMAIN_IO_ERROR_PAUSE, DOMAIN_IO_ERROR_REPORT };
/* virDomainEventDiskChangeReason */
enum { DOMAIN_DISK_CHANGE_MISSING_ON_START, DOMAIN_DISK_DROP_MISSING_ON_START };
/* virDomainEventTrayChangeType */
enum { DOMAIN_TRAY_OPEN, DOMAIN_TRAY_CLOSE };

void domain_notify_rtc_change(Domain *d, int64_t offset);
void domain_notify_watchdog(Domain *d, int action);
/* src: the disk's source (NULL: ""), alias: its device alias. */
void domain_notify_io_error(Domain *d, const char *src, const char *alias, int action, const char *reason);
void domain_notify_graphics(Domain *d, const NoticeGraphics *g);
void domain_notify_tray_change(Domain *d, const char *alias, int reason);
/* A disk's source changed without a client asking (a startupPolicy dropped a missing one). */
void domain_notify_disk_change(Domain *d, const char *old_src, const char *new_src, const char *alias, int reason);
/* which: NOTICE_PM_WAKEUP, NOTICE_PM_SUSPEND, NOTICE_PM_SUSPEND_DISK */
void domain_notify_pm(Domain *d, int which);
void domain_notify_balloon_change(Domain *d, uint64_t kib);
void domain_notify_control_error(Domain *d);
void domain_notify_tunable(Domain *d, const DomainStatParam *params, size_t n);
/* One string tunable (cputune.vcpupin0 = "0-1", …). */
void domain_notify_tunable_string(Domain *d, const char *key, const char *value);
void domain_notify_job_completed(Domain *d, const DomainJobStats *js);
void domain_notify_migration_iteration(Domain *d, int pass);
