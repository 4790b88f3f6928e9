/* domain-events.c: the guest's own events as notices (domain-events.h). */
#define LOG_MODULE "core"
#include "domain-events.h"

#include <stdio.h>

#include "log.h"
#include "manager.h"

static void notify(Domain *d, Notice *n) {
        n->obj = &d->obj;
        manager_notify(d->obj.conn->manager, n);
}

void domain_notify_rtc_change(Domain *d, int64_t offset) {
        log_debug("domain %s: guest clock offset now %lld s", d->obj.name, (long long) offset);
        notify(d, &(Notice) { .type = NOTICE_RTC_CHANGE, .number = offset });
}

void domain_notify_watchdog(Domain *d, int action) {
        log_info("domain %s: watchdog fired (action %d)", d->obj.name, action);
        notify(d, &(Notice) { .type = NOTICE_WATCHDOG, .event = action });
}

void domain_notify_io_error(Domain *d, const char *src, const char *alias, int action, const char *reason) {
        log_warning("domain %s: I/O error on %s (%s): %s", d->obj.name, alias ? alias : "?", src ? src : "", reason ? reason : "");
        notify(d, &(Notice) { .type = NOTICE_IO_ERROR, .path = src ? src : "", .text = alias ? alias : "", .event = action,
                              .reason = reason ? reason : "" });
}

void domain_notify_graphics(Domain *d, const NoticeGraphics *g) {
        log_debug("domain %s: display client %s:%s phase %d", d->obj.name, g->remote.node ? g->remote.node : "",
                  g->remote.service ? g->remote.service : "", g->phase);
        notify(d, &(Notice) { .type = NOTICE_GRAPHICS, .graphics = g });
}

void domain_notify_tray_change(Domain *d, const char *alias, int reason) {
        log_debug("domain %s: tray of %s %s", d->obj.name, alias ? alias : "?", reason == DOMAIN_TRAY_OPEN ? "opened" : "closed");
        notify(d, &(Notice) { .type = NOTICE_TRAY_CHANGE, .text = alias ? alias : "", .event = reason });
}

void domain_notify_disk_change(Domain *d, const char *old_src, const char *new_src, const char *alias, int reason) {
        log_warning("domain %s: disk %s: source %s %s", d->obj.name, alias ? alias : "?", old_src ? old_src : "(none)",
                    reason == DOMAIN_DISK_DROP_MISSING_ON_START ? "missing: disk dropped" : "missing: media ejected");
        notify(d, &(Notice) { .type = NOTICE_DISK_CHANGE, .path = old_src, .new_path = new_src, .text = alias ? alias : "",
                              .event = reason });
}

void domain_notify_pm(Domain *d, int which) {
        notify(d, &(Notice) { .type = NOTICE_PM, .event = which });
}

void domain_notify_balloon_change(Domain *d, uint64_t kib) {
        notify(d, &(Notice) { .type = NOTICE_BALLOON_CHANGE, .number = (int64_t) kib });
}

void domain_notify_control_error(Domain *d) {
        log_error("domain %s: control of the guest's hypervisor lost", d->obj.name);
        notify(d, &(Notice) { .type = NOTICE_CONTROL_ERROR });
}

void domain_notify_tunable(Domain *d, const DomainStatParam *params, size_t n) {
        if (n > 0)
                notify(d, &(Notice) { .type = NOTICE_TUNABLE, .params = params, .n_params = n });
}

void domain_notify_tunable_string(Domain *d, const char *key, const char *value) {
        DomainStatParam p = { .type = DOMAIN_STAT_STRING, .s = value ? value : "" };
        snprintf(p.key, sizeof p.key, "%s", key);
        domain_notify_tunable(d, &p, 1);
}

void domain_notify_job_completed(Domain *d, const DomainJobStats *js) {
        DomainStatParam p[DOMAIN_JOB_STATS_MAX];
        size_t n = 0;
        for (int i = 0; i < js->n && n < DOMAIN_JOB_STATS_MAX; i++, n++) {
                p[n] = (DomainStatParam) { .type = js->p[i].is_int ? DOMAIN_STAT_INT : DOMAIN_STAT_ULLONG,
                                           .i = (int32_t) js->p[i].v, .ull = js->p[i].v };
                snprintf(p[n].key, sizeof p[n].key, "%s", js->p[i].name);
        }
        notify(d, &(Notice) { .type = NOTICE_JOB_COMPLETED, .params = p, .n_params = n });
}

void domain_notify_migration_iteration(Domain *d, int pass) {
        notify(d, &(Notice) { .type = NOTICE_MIGRATION_ITERATION, .number = pass });
}
