/* qemu-state.c: the accessors of the QEMU driver's shared state (qemu-state.h): a connection's
 * QemuConn and binary, a domain's QemuDomain, a verb's pending call and its end, and a start
 * given up. */
#define LOG_MODULE "qemu"
#include "qemu-state.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

QemuConn *qemu_conn_of(Connection *c) {
        return c->driver_data;
}

QemuDomain *qemu_domain_get(Domain *d) {
        if (!d->driver_data) {
                QemuDomain *qd = calloc(1, sizeof *qd);
                if (!qd)
                        return NULL;
                qd->domain = d;
                qd->qc = qemu_conn_of(d->obj.conn);
                d->driver_data = qd;
        }
        return d->driver_data;
}

const char *qemu_binary(const QemuConn *qc) {
        return qc->cfg.emulator ? qc->cfg.emulator : QEMU_EMULATOR_DEFAULT;
}

QemuCaps *qemu_caps_for(Connection *c, const char *emulator, const char *arch, VbError *err) {
        QemuConn *qc = qemu_conn_of(c);
        const char *binary = emulator ? emulator : qemu_binary(qc);
        QemuCaps *caps = qemu_caps_cache_lookup(qc->caps, binary);
        if (!caps) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "capabilities of %s %s", binary,
                             emulator && strcmp(emulator, qemu_binary(qc)) != 0 ? "are not known (only the "
                             "configured emulator is probed)" : qc->probing ? "not probed yet" : "cannot be probed");
                return NULL;
        }
        if (arch && strcmp(arch, caps->arch) != 0) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                             "Emulator '%s' does not support arch '%s'", binary, arch);
                return NULL;
        }
        return caps;
}

static const char *const phase_names[_QEMU_PHASE_MAX] = {
        [QEMU_PHASE_NONE] = "none",
        [QEMU_PHASE_STARTING] = "starting",
        [QEMU_PHASE_RUNNING] = "running",
        [QEMU_PHASE_REBOOTING] = "rebooting",
        [QEMU_PHASE_RESETTING] = "resetting",
        [QEMU_PHASE_POWERED_OFF] = "powered-off",
        [QEMU_PHASE_DESTROYING] = "destroying",
        [QEMU_PHASE_RECONNECTING] = "reconnecting",
        [QEMU_PHASE_UNMANAGED] = "unmanaged",
        [QEMU_PHASE_LOST] = "lost",
        [QEMU_PHASE_SAVING] = "saving",
};

const char *qemu_phase_to_string(QemuPhase p) {
        return (unsigned) p < _QEMU_PHASE_MAX && phase_names[p] ? phase_names[p] : "invalid";
}

void qemu_domain_pending(QemuDomain *qd, Call *call) {
        qd->job = true;
        qd->call = call_ref(call);
}

void qemu_domain_finish(QemuDomain *qd, int r, const VbError *err) {
        Call *call = qd->call;
        bool had = qd->job;
        qd->call = NULL;
        qd->job = false;
        if (had)
                domain_job_end(qd->domain);
        call_complete(call, r, err, NULL);
        call_unref(call);
}

void qemu_verb_continue(QemuDomain *qd, QemuNamesNext next, SecurityDacNames *names, void *arg) {
        VbError e = { 0 };
        Call *call = call_ref(qd->call);
        /* The job is the next step's now: it keeps the call again when it answers pending. */
        qd->call = call_unref(qd->call);
        qd->job = false;
        int r = next(qd->domain, names, arg, call, &e);
        if (r != VERB_PENDING) {
                qemu_domain_pending(qd, call);
                qemu_domain_finish(qd, r < 0 ? -1 : 0, r < 0 ? &e : NULL);
        }
        call_unref(call);
}

void qemu_start_next(QemuDomain *qd, Qmp *q) {
        QemuStartNext next = qd->start_next;
        qd->start_next = NULL;
        if (next)
                next(qd, q);
}

void qemu_domain_start_fail(QemuDomain *qd, const VbError *err) {
        if (err && !qd->start_error.code)
                qd->start_error = *err;
        log_error("domain %s: start failed: %s", qd->domain->obj.name,
                  qd->start_error.code ? qd->start_error.message : "(see QEMU's log)");
        if (qd->proc)
                process_kill(qd->proc, SIGKILL);
}

QemuDomain *qemu_tune_monitor(Domain *d, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->qmp && qmp_is_ready(qd->qmp))
                return qd;
        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not available",
                     d->obj.name);
        return NULL;
}


/* The reply to a command that changes the running guest (qom-set, block_resize, set-action,
 * calc-dirty-rate): the verb's job ends, its call answers with QEMU's reason on failure. */
void qemu_tune_change_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        VbError e = { 0 };
        if (cls)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
        qemu_domain_finish(qd, cls ? -1 : 0, cls ? &e : NULL);
}
