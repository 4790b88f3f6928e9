/* qemu-pm.c: guest power management of QEMU guests: virDomainPMWakeup (QMP system_wakeup), virDomainPMSuspendForDuration (the guest agent's guest-suspend-ram/-disk/-hybrid), and QEMU's SUSPEND / WAKEUP events as the domain's state. */
#define LOG_MODULE "qemu"
#include "qemu-agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-events.h"
#include "domain-peek.h"
#include "log.h"

static void on_wakeup(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        VbError e = { 0 };
        if (cls)
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "unable to execute QEMU command '%s': %s",
                             "system_wakeup", desc ? desc : cls);
        qemu_domain_finish(qd, cls ? -1 : 0, cls ? &e : NULL);
}

int qemu_domain_pm_wakeup(Domain *d, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        int r = qmp_send(qd->qmp, "system_wakeup", NULL, on_wakeup, qd);
        if (r < 0)
                return vb_error_errno(err, r, "system_wakeup");
        qd->after_reply = _DOMAIN_INPUT_MAX;    /* the state follows QEMU's WAKEUP event */
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* A suspend in flight: it ends with QEMU's SUSPEND (the guest went to sleep: success), the
 * agent's refusal, or the agent's timeout, whichever comes first. The guest closes the agent's
 * port as it goes to sleep, often before QEMU's SUSPEND: then the wait goes on for the agent's
 * timeout. Freed once both the call (done) and the agent's command (agent_gone) are over. */
typedef struct QemuPmSuspend {
        Domain *d;
        Call *call;
        const char *command;
        bool done, agent_gone;
        sd_event_source *timer;
} QemuPmSuspend;

static void pm_suspend_maybe_free(QemuPmSuspend *p) {
        if (!p->done || !p->agent_gone)
                return;
        sd_event_source_disable_unref(p->timer);
        call_unref(p->call);
        domain_unref(p->d);
        free(p);
}

static void pm_suspend_complete(QemuPmSuspend *p, const VbError *err) {
        QemuDomain *qd = p->d->driver_data;
        if (qd && qd->pm_suspend == p)
                qd->pm_suspend = NULL;
        p->done = true;
        p->timer = sd_event_source_disable_unref(p->timer);
        call_complete(p->call, err ? -1 : 0, err, NULL);
}

static int on_suspend_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuPmSuspend *p = userdata;
        VbError e = { 0 };
        qemu_agent_error(&e, p->command, "Disconnected", NULL);
        pm_suspend_complete(p, &e);
        pm_suspend_maybe_free(p);
        return 0;
}

/* The port closed under the command: wait for QEMU's SUSPEND as long as the agent would have
 * been waited for (libvirt's seconds; BLOCK: for ever). 0, or -1 to fail now. */
static int pm_suspend_wait_event(QemuPmSuspend *p) {
        QemuDomain *qd = p->d->driver_data;
        QemuConn *qc = qemu_conn_of(p->d->obj.conn);
        int timeout = qemu_agent_timeout(qd);
        if (timeout == DOMAIN_AGENT_TIMEOUT_DEFAULT)
                timeout = DOMAIN_AGENT_DEFAULT_SECONDS;
        if (!qd || qd->pm_suspend != p || !qc || timeout == DOMAIN_AGENT_TIMEOUT_NOWAIT)
                return -1;
        if (timeout == DOMAIN_AGENT_TIMEOUT_BLOCK)
                return 0;
        return sd_event_add_time_relative(qc->event, &p->timer, CLOCK_MONOTONIC, (uint64_t) timeout * 1000000ULL, 0,
                                          on_suspend_timeout, p) < 0 ? -1 : 0;
}

/* qemu-ga answers these commands only when they fail (the guest did not go to sleep). */
static void on_suspend_reply(Agent *a, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuPmSuspend *p = userdata;
        p->agent_gone = true;
        if (!p->done && !(cls && strcmp(cls, "Disconnected") == 0 && pm_suspend_wait_event(p) == 0)) {
                VbError e = { 0 };
                if (cls)
                        qemu_agent_error(&e, p->command, cls, desc);
                pm_suspend_complete(p, cls ? &e : NULL);
        }
        pm_suspend_maybe_free(p);
}

int qemu_domain_pm_suspend(Domain *d, unsigned target, Call *call, VbError *err) {
        static const char *const commands[] = {
                [DOMAIN_SUSPEND_TARGET_MEM] = "guest-suspend-ram",
                [DOMAIN_SUSPEND_TARGET_DISK] = "guest-suspend-disk",
                [DOMAIN_SUSPEND_TARGET_HYBRID] = "guest-suspend-hybrid",
        };
        QemuDomain *qd = d->driver_data;
        if (target >= sizeof commands / sizeof commands[0])
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "Unknown suspend target: %u", target);
        if (qemu_agent_available(qd, err) < 0)
                return -1;
        if (qd->pm_suspend)     /* libvirt's agent job allows one at a time */
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain '%s' is already being suspended", d->obj.name);
        QemuPmSuspend *p = calloc(1, sizeof *p);
        json_object *cmd = json_object_new_object();
        if (!p || !cmd) {
                free(p);
                json_object_put(cmd);
                return vb_error_errno(err, -ENOMEM, "suspend");
        }
        json_object_object_add(cmd, "execute", json_object_new_string(commands[target]));
        *p = (QemuPmSuspend) { .d = domain_ref(d), .call = call_ref(call), .command = commands[target] };
        if (qemu_agent_send(qd, cmd, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, on_suspend_reply, p, err) < 0) {
                p->done = p->agent_gone = true;
                pm_suspend_maybe_free(p);
                return -1;
        }
        qd->pm_suspend = p;
        return VERB_PENDING;
}

void qemu_pm_event(QemuDomain *qd, const char *event) {
        Domain *d = qd->domain;
        if (strcmp(event, "SUSPEND") == 0 || strcmp(event, "SUSPEND_DISK") == 0) {
                /* libvirt's order: the PM event, then the state's own change */
                if (strcmp(event, "SUSPEND") == 0) {
                        domain_notify_pm(d, NOTICE_PM_SUSPEND);
                        domain_transition(d, DOMAIN_INPUT_PM_SUSPENDED);
                } else {
                        domain_notify_pm(d, NOTICE_PM_SUSPEND_DISK);        /* S4: the guest powers off next */
                }
                QemuPmSuspend *p = qd->pm_suspend;
                if (p) {
                        pm_suspend_complete(p, NULL);
                        if (p->agent_gone)
                                pm_suspend_maybe_free(p);
                        else
                                qemu_agent_abandon(qd);         /* its command is never answered: freed there */
                }
        } else if (strcmp(event, "WAKEUP") == 0) {
                /* a guest that was not suspended (system_wakeup of a running one) stays as it is */
                domain_notify_pm(d, NOTICE_PM_WAKEUP);
                if (d->state == DOMAIN_PMSUSPENDED)
                        domain_transition(d, DOMAIN_INPUT_PM_WOKEUP);
        }
}
