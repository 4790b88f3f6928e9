/* qemu-incoming.c: a start from a migration stream, before the guest may run: QEMU loading a save image (-incoming fd:N, followed with query-migrate) or listening for a migration (-incoming defer, then migrate-incoming on its URI); the start's fields of it cleared once it is reported; query-migrate's status, which a save and a migration read too. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* {"status": "active"|"completed"|"failed"|…, "error-desc": …} */
const char *qemu_migration_status(json_object *ret, const char **error_desc) {
        json_object *v;
        *error_desc = ret && json_object_object_get_ex(ret, "error-desc", &v) ? json_object_get_string(v) : NULL;
        return ret && json_object_object_get_ex(ret, "status", &v) ? json_object_get_string(v) : NULL;
}

void qemu_incoming_done(QemuDomain *qd, bool restored) {
        if (!qd->incoming && !qd->incoming_remove && !qd->incoming_uri)
                return;
        if (restored && qd->incoming_remove) {
                if (unlink(qd->incoming_remove) < 0)
                        log_warning("domain %s: cannot remove the managed save image %s: %s", qd->domain->obj.name,
                                    qd->incoming_remove, strerror(errno));
                else
                        log_info("domain %s: restored; managed save image removed", qd->domain->obj.name);
        }
        qd->incoming = false;
        qd->incoming_loaded = false;
        qd->incoming_fd = -1;
        qd->incoming_def = NULL;
        free(qd->incoming_remove);
        qd->incoming_remove = NULL;
        free(qd->incoming_uri);
        qd->incoming_uri = NULL;
}

static void on_incoming_timer_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

static int on_incoming_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        sd_event_source_disable_unref(src);
        if (qd->phase == QEMU_PHASE_STARTING && qd->qmp)
                qmp_send(qd->qmp, "query-migrate", NULL, on_incoming_timer_query, qd);
        return 0;
}

static void on_incoming_timer_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING || !qd->incoming)
                return;
        const char *edesc, *status = qemu_migration_status(ret, &edesc);
        if (!cls && status && strcmp(status, "completed") == 0) {
                qd->incoming_loaded = true;
                log_info("domain %s: saved state loaded", qd->domain->obj.name);
                qemu_start_next(qd, q);
                return;
        }
        if (cls || (status && (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0))) {
                /* QEMU ends on a stream it cannot load: its log says why. */
                log_error("domain %s: loading the saved state failed: %s", qd->domain->obj.name,
                          edesc ? edesc : desc ? desc : status ? status : "?");
                if (qd->proc)
                        process_kill(qd->proc, SIGKILL);
                return;
        }
        sd_event_source *t = NULL;
        if (!qd->qc || sd_event_add_time_relative(qd->qc->event, &t, CLOCK_MONOTONIC, QEMU_STREAM_POLL_USEC, 0,
                                                  on_incoming_timer, qd) < 0) {
                if (qd->proc)
                        process_kill(qd->proc, SIGKILL);
                return;
        }
        sd_event_source_set_floating(t, true);
        sd_event_source_unref(t);
}

void qemu_incoming_wait(QemuDomain *qd, Qmp *q, QemuStartNext next) {
        qd->start_next = next;
        qmp_send(q, "query-migrate", NULL, on_incoming_timer_query, qd);
}

static void on_incoming(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING || !qd->incoming)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "migrate-incoming: %s", desc ? desc : cls);
                qemu_domain_start_fail(qd, &e);
                return;
        }
        log_info("domain %s: waiting for the migration stream on %s", qd->domain->obj.name, qd->incoming_uri);
        qd->incoming_loaded = true;     /* QEMU listens: the start is done, the guest paused */
        qemu_start_next(qd, q);
}

void qemu_incoming_listen(QemuDomain *qd, Qmp *q, QemuStartNext next) {
        qd->start_next = next;
        json_object *args = json_object_new_object();
        json_object_object_add(args, "uri", json_object_new_string(qd->incoming_uri));
        if (qmp_send(q, "migrate-incoming", args, on_incoming, qd) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "migrate-incoming could not be sent");
                qemu_domain_start_fail(qd, &e);
        }
}
