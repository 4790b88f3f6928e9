/* qemu-unplug.c: a device leaving a running guest: QMP device_del, then up to 5 s for the guest's DEVICE_DELETED (or DEVICE_UNPLUG_GUEST_ERROR) before the detach call answers, the removal completing whenever the guest lets go. */
#define LOG_MODULE "qemu"
#include "qemu-hotplug-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-command.h"

/* How long a detach waits for the guest to let the device go (libvirt's 5 s): then the call
 * answers (the request was sent) and the removal completes whenever DEVICE_DELETED comes. */
#define QEMU_UNPLUG_TIMEOUT_USEC (5 * 1000000ULL)

struct QemuUnplug {
        QemuDomain *qd;
        char alias[64];
        char target[32];
        const char *what;       /* "disk", "interface": for messages */
        QemuUnplugDone done;    /* the guest let it go: the driver's side of the removal */
        QemuUnplugHandover handover;    /* or that side, which may take over the waiting call */
        bool waiting;           /* the detach call still waits (the job is held) */
        sd_event_source *timer;
};

static void unplug_free(QemuDomain *qd) {
        QemuUnplug *u = qd->unplug;
        if (!u)
                return;
        sd_event_source_disable_unref(u->timer);
        free(u);
        qd->unplug = NULL;
}

/* QEMU is gone (its exit answers a waiting call), or the domain is forgotten. */
void qemu_unplug_forget(QemuDomain *qd) {
        unplug_free(qd);
}

static int on_unplug_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        QemuUnplug *u = qd->unplug;
        if (!u || !u->waiting)
                return 0;
        log_info("domain %s: %s not removed by the guest yet: the detach answers, the removal follows the guest",
                 qd->domain->obj.name, u->alias);
        u->waiting = false;
        u->timer = sd_event_source_disable_unref(u->timer);
        qemu_domain_finish(qd, 0, NULL);
        return 0;
}

static void on_device_del(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        QemuUnplug *u = qd->unplug;
        if (q != qd->qmp || !u || !u->waiting)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot detach %s %s: %s", u->what, u->target,
                             desc ? desc : cls);
                unplug_free(qd);
                qemu_domain_finish(qd, -1, &e);
        }
}

static int unplug_begin(QemuDomain *qd, const char *alias, const char *what, const char *target, QemuUnplugDone done,
                        QemuUnplugHandover handover, Call *call, VbError *err) {
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp) || !qd->qc || !qd->qc->event)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", qd->domain->obj.name);
        if (qd->unplug)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "the removal of device %s from domain '%s' is still in progress",
                                    qd->unplug->alias, qd->domain->obj.name);
        QemuUnplug *u = calloc(1, sizeof *u);
        json_object *args = u ? json_object_new_object() : NULL;
        if (!args) {
                free(u);
                return vb_error_errno(err, -ENOMEM, "device_del");
        }
        snprintf(u->alias, sizeof u->alias, "%s", alias);
        snprintf(u->target, sizeof u->target, "%s", target);
        u->what = what;
        u->done = done;
        u->handover = handover;
        json_object_object_add(args, "id", json_object_new_string(u->alias));
        int r = sd_event_add_time_relative(qd->qc->event, &u->timer, CLOCK_MONOTONIC, QEMU_UNPLUG_TIMEOUT_USEC, 0,
                                           on_unplug_timeout, qd);
        if (r < 0) {
                json_object_put(args);
                free(u);
                return vb_error_errno(err, r, "detach timer");
        }
        u->qd = qd;
        u->waiting = true;
        qd->unplug = u;
        r = qmp_send(qd->qmp, "device_del", args, on_device_del, qd);
        if (r < 0) {
                unplug_free(qd);
                return vb_error_errno(err, r, "device_del");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

int qemu_unplug_begin(QemuDomain *qd, const char *alias, const char *what, const char *target, QemuUnplugDone done,
                      Call *call, VbError *err) {
        return unplug_begin(qd, alias, what, target, done, NULL, call, err);
}

int qemu_unplug_begin_handover(QemuDomain *qd, const char *alias, const char *what, const char *target,
                               QemuUnplugHandover end, Call *call, VbError *err) {
        return unplug_begin(qd, alias, what, target, NULL, end, call, err);
}

/* DEVICE_DELETED: the guest let the device go; DEVICE_UNPLUG_GUEST_ERROR: it refused. */
void qemu_hotplug_event(QemuDomain *qd, const char *event, json_object *data) {
        QemuUnplug *u = qd->unplug;
        json_object *v;
        const char *dev = data && json_object_object_get_ex(data, "device", &v) ? json_object_get_string(v) : NULL;
        const char *path = data && json_object_object_get_ex(data, "path", &v) ? json_object_get_string(v) : NULL;
        char id[64];
        /* QEMU 7.2 reports a vCPU's removal only through its child (".../vcpu1/lapic", no
         * device): a child of the device goes only with it. */
        if (!dev && path && strncmp(path, "/machine/peripheral/", 20) == 0) {
                snprintf(id, sizeof id, "%.*s", (int) strcspn(path + 20, "/"), path + 20);
                dev = id;
        }
        if (!u || !dev || strcmp(dev, u->alias) != 0)
                return;
        Domain *d = domain_ref(qd->domain);
        char alias[64], target[32];
        snprintf(alias, sizeof alias, "%s", u->alias);
        snprintf(target, sizeof target, "%s", u->target);
        bool waiting = u->waiting;
        QemuUnplugDone done = u->done;
        QemuUnplugHandover handover = u->handover;
        const char *what = u->what;
        VbError e = { 0 };
        if (strcmp(event, "DEVICE_UNPLUG_GUEST_ERROR") == 0) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the guest refused to release %s %s", what,
                             target);
                unplug_free(qd);
                domain_notify_device(d, NOTICE_DEVICE_REMOVAL_FAILED, alias);
                if (waiting)
                        qemu_domain_finish(qd, -1, &e);
                domain_unref(d);
                return;
        }
        unplug_free(qd);
        bool handed = false;
        if (handover)
                handed = handover(qd, alias, target, waiting ? qd : NULL);
        else
                done(qd, alias, target);
        if (d->live && domain_save_status(d, &e) < 0)
                log_warning("domain %s: status not saved: %s", d->obj.name, e.message);
        log_info("domain %s: %s removed", d->obj.name, alias);
        domain_notify_device(d, NOTICE_DEVICE_REMOVED, alias);
        if (waiting && !handed)
                qemu_domain_finish(qd, 0, NULL);
        domain_unref(d);
}

void qemu_hotplug_added(Domain *d, const char *alias) {
        VbError e = { 0 };
        if (d->live && qemu_aliases_assign(d->live, false) < 0)
                log_warning("domain %s: out of memory: its running definition lacks device aliases", d->obj.name);
        if (domain_save_status(d, &e) < 0)
                log_warning("domain %s: status not saved: %s", d->obj.name, e.message);
        domain_notify_device(d, NOTICE_DEVICE_ADDED, alias);
}

