/* qemu-iothread.c: a running guest's IOThreads through QMP (the calls of qemu_tune_ops): added with object-add iothread (the new thread learnt with query-iothreads, placed and pinned by qemu-pin.c) and removed with object-del, their polling values set with qom-set on /objects/iothreadN; the table of their threads is qemu-iothread-tids.c's. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-iothread.h"
#include "domain-model.h"
#include "domain-tune-stats.h"
#include "log.h"
#include "qemu-priv.h"

static void finish_failed(QemuDomain *qd, const char *what, const char *cls, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s: %s", what, desc ? desc : cls);
        qemu_domain_finish(qd, -1, &e);
}

/* After object-add: the new thread is learnt, put in its cgroup and pinned, then the call ends. */
static void on_added_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        VbError e = { 0 };
        if (cls) {
                finish_failed(qd, "query-iothreads", cls, desc);
                return;
        }
        qemu_iothreads_set(qd, ret);
        if (qemu_iothread_place(qd, qd->iothread_change, NULL, &e) < 0) {
                qemu_domain_finish(qd, -1, &e);
                return;
        }
        qemu_domain_finish(qd, 0, NULL);
}

static void on_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls)
                finish_failed(qd, "cannot add IOThread", cls, desc);
        else if (qmp_send(q, "query-iothreads", NULL, on_added_query, qd) < 0)
                finish_failed(qd, "cannot add IOThread", "query-iothreads", NULL);
}

static void on_deleted(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls) {
                finish_failed(qd, "cannot remove IOThread", cls, desc);
                return;
        }
        for (size_t i = 0; i < qd->n_iothreads; i++)
                if (qd->iothreads[i].id == qd->iothread_change) {
                        qd->iothreads[i] = qd->iothreads[--qd->n_iothreads];
                        break;
                }
        qemu_domain_finish(qd, 0, NULL);
}

/* object-add (qom-type iothread) or object-del of IOThread id; the reply ends the call. */
static int send_object(Domain *d, const char *command, unsigned id, QmpReplyFn fn, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        char name[32];
        snprintf(name, sizeof name, "iothread%u", id);
        json_object *args = json_object_new_object();
        if (fn == on_added)
                json_object_object_add(args, "qom-type", json_object_new_string("iothread"));
        json_object_object_add(args, "id", json_object_new_string(name));
        int r = qmp_send(qd->qmp, command, args, fn, qd);
        if (r < 0)
                return vb_error_errno(err, r, command);
        qd->iothread_change = id;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

int qemu_add_iothread(Domain *d, unsigned id, Call *call, VbError *err) {
        return send_object(d, "object-add", id, on_added, call, err);
}

int qemu_del_iothread(Domain *d, unsigned id, Call *call, VbError *err) {
        return send_object(d, "object-del", id, on_deleted, call, err);
}

/* The qom-sets go in order and are answered in order: the first refusal is kept, the last
 * reply ends the call. */
static void on_param_set(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls && !qd->iothread_error.code)
                vb_error_set(&qd->iothread_error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot set IOThread polling: %s",
                             desc ? desc : cls);
        if (--qd->iothread_pending > 0)
                return;
        VbError e = qd->iothread_error;
        qd->iothread_error = (VbError) { 0 };
        qemu_domain_finish(qd, e.code ? -1 : 0, e.code ? &e : NULL);
}

static int send_param(QemuDomain *qd, unsigned id, const char *property, int64_t value) {
        char path[48];
        snprintf(path, sizeof path, "/objects/iothread%u", id);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "path", json_object_new_string(path));
        json_object_object_add(args, "property", json_object_new_string(property));
        json_object_object_add(args, "value", json_object_new_int64(value));
        int r = qmp_send(qd->qmp, "qom-set", args, on_param_set, qd);
        if (r == 0)
                qd->iothread_pending++;
        return r;
}

int qemu_set_iothread_params(Domain *d, unsigned id, const DomainIothreadParams *p, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        if (!qd)
                return -1;
        if (!p->has_poll_max_ns && !p->has_poll_grow && !p->has_poll_shrink)
                return 0;
        qd->iothread_pending = 0;
        qd->iothread_error = (VbError) { 0 };
        int r = 0;
        if (p->has_poll_max_ns)
                r = send_param(qd, id, "poll-max-ns", (int64_t) p->poll_max_ns);
        if (r == 0 && p->has_poll_grow)
                r = send_param(qd, id, "poll-grow", p->poll_grow);
        if (r == 0 && p->has_poll_shrink)
                r = send_param(qd, id, "poll-shrink", p->poll_shrink);
        if (r < 0 && qd->iothread_pending == 0)
                return vb_error_errno(err, r, "qom-set");
        /* a command that could not be sent after others were: those answer, the call fails then */
        if (r < 0)
                vb_error_errno(&qd->iothread_error, r, "qom-set");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}
