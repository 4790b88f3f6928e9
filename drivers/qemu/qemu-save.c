/* qemu-save.c: virDomainSave and restore: QEMU's migration stream into the image after its header (getfd + migrate "fd:"), and back (-incoming fd:N, waited for by qemu-incoming.c). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain-conf.h"
#include "domain-dump.h"
#include "domain-tune-stats.h"
#include "log.h"
#include "manager.h"
#include "qemu-save-state.h"

#define QEMU_SAVE_FDNAME "virtbus-save"

/* The stream is over (err NULL: whole; the guest stays stopped): a snapshot's next step runs. */
static void save_then(QemuDomain *qd, const VbError *err) {
        QemuSave *s = qd->save;
        QemuSaveThen then = s->then;
        void *data = s->then_data;
        s->then = NULL;
        VbError e = err ? *err : (VbError) { 0 };
        qemu_save_free(qd);
        if (qd->phase == QEMU_PHASE_SAVING)
                qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
        then(qd, err ? &e : NULL, data);
}

static void on_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_debug("QMP command failed: %s: %s", cls, desc ? desc : "");
}

/* The save did not happen: the image goes, the guest goes on as it was. */
static void save_fail(QemuDomain *qd, const VbError *why) {
        QemuSave *s = qd->save;
        Domain *d = domain_ref(qd->domain);
        VbError e = *why;
        log_error("domain %s: save to %s failed: %s", d->obj.name, s->path ? s->path : "(a device)", e.message);
        if (qd->qmp && s->was_running)
                qmp_send(qd->qmp, "cont", NULL, on_ignore, NULL);
        if (s->then) {
                save_then(qd, &e);
                domain_unref(d);
                return;
        }
        qemu_save_free(qd);
        if (qd->phase == QEMU_PHASE_SAVING)
                qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
        qemu_domain_finish(qd, -1, &e);
        domain_unref(d);
}

static void on_step(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->save || !cls || qd->save->error.code)
                return;
        vb_error_set(&qd->save->error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
}

static int on_poll_timer(sd_event_source *src, uint64_t usec, void *userdata);

static void poll_again(QemuDomain *qd) {
        QemuSave *s = qd->save;
        s->poll = sd_event_source_disable_unref(s->poll);
        int r = qd->qc ? sd_event_add_time_relative(qd->qc->event, &s->poll, CLOCK_MONOTONIC, QEMU_STREAM_POLL_USEC, 0,
                                                    on_poll_timer, qd)
                       : -ENOTCONN;
        if (r < 0) {
                VbError e = { 0 };
                vb_error_errno(&e, r, "migration timer");
                save_fail(qd, &e);
        }
}

/* A dump of the whole state is in the file: the guest goes on as it was (reset first when asked). */
static void dump_done(QemuDomain *qd) {
        QemuSave *s = qd->save;
        bool cont = s->was_running, reset = s->reset;
        qemu_save_free(qd);
        if (qd->phase == QEMU_PHASE_SAVING)
                qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
        if (reset)
                qmp_send(qd->qmp, "system_reset", NULL, on_ignore, NULL);
        if (cont)
                qmp_send(qd->qmp, "cont", NULL, on_ignore, NULL);
        qemu_domain_finish(qd, 0, NULL);
}

static void on_save_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->save)
                return;
        VbError e = { 0 };
        const char *edesc, *status = qemu_migration_status(ret, &edesc);
        json_object *ram, *v;
        if (!cls && json_object_object_get_ex(ret, "ram", &ram)) {
                QemuSave *s = qd->save;
                s->ram_total = json_object_object_get_ex(ram, "total", &v) ? (uint64_t) json_object_get_int64(v) : 0;
                s->ram_done = json_object_object_get_ex(ram, "transferred", &v) ? (uint64_t) json_object_get_int64(v) : 0;
                s->ram_left = json_object_object_get_ex(ram, "remaining", &v) ? (uint64_t) json_object_get_int64(v) : 0;
        }
        if (cls || !status) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "query-migrate: %s", desc ? desc : "no status");
                save_fail(qd, &e);
        } else if (strcmp(status, "completed") == 0) {
                QemuSave *s = qd->save;
                s->done = true;
                close(s->fd);
                s->fd = -1;
                log_info("domain %s: state saved to %s", qd->domain->obj.name, s->path ? s->path : "(a device)");
                if (s->then) {
                        save_then(qd, NULL);
                        return;
                }
                if (s->keep) {
                        dump_done(qd);
                        return;
                }
                /* QEMU's end is the save's end (on_process_exit reports SAVED). */
                qmp_send(qd->qmp, "quit", NULL, on_ignore, NULL);
        } else if (qd->save->aborted && strcmp(status, "cancelled") == 0) {
                vb_error_set(&e, VB_ERR_OPERATION_ABORTED, VB_FROM_QEMU, "job 'domain save' canceled by client");
                save_fail(qd, &e);
        } else if (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "operation failed: job 'domain save' failed: %s",
                             edesc ? edesc : status);
                save_fail(qd, &e);
        } else {
                poll_again(qd);
        }
}

static int on_poll_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        QemuSave *s = qd->save;
        if (!s)
                return 0;
        s->poll = sd_event_source_disable_unref(s->poll);
        if (qmp_send(qd->qmp, "query-migrate", NULL, on_save_query, qd) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "the QEMU monitor went away during the save");
                save_fail(qd, &e);
        }
        return 0;
}

static void on_migrate(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->save)
                return;
        on_step(q, ret, cls, desc, userdata);
        if (qd->save->error.code) {
                VbError e = qd->save->error;
                save_fail(qd, &e);
                return;
        }
        poll_again(qd);
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* virDomainGetJobStats of a save in flight: libvirt's names for a save (operation 2, the
 * time since it began, and the guest's memory as QEMU last counted it). */
int qemu_save_job_stats(const QemuDomain *qd, DomainJobStats *out) {
        const QemuSave *s = qd->save;
        if (!s)
                return 0;
        uint64_t ms = (mono_usec() - s->started_usec) / 1000;
        const struct {
                const char *name;
                uint64_t v;
        } p[] = {
                { "time_elapsed", ms },           { "data_total", s->ram_total },     { "data_processed", s->ram_done },
                { "data_remaining", s->ram_left }, { "memory_total", s->ram_total },  { "memory_processed", s->ram_done },
                { "memory_remaining", s->ram_left },
        };
        out->type = 2;          /* VIR_DOMAIN_JOB_UNBOUNDED */
        out->p[out->n++] = (typeof(out->p[0])) { .name = "operation", .is_int = true, .v = 2 };
        for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
                out->p[out->n++] = (typeof(out->p[0])) { .name = p[i].name, .v = p[i].v };
        return 0;
}

/* virDomainAbortJob of a save: QEMU cancels the stream; the next query-migrate sees
 * "cancelled" and the save fails as aborted, the guest going on as before. */
int qemu_save_abort(QemuDomain *qd, VbError *err) {
        QemuSave *s = qd->save;
        if (!s)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "no job is active on the domain");
        if (s->done)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "cannot abort domain save: the image is complete");
        int r = qmp_send(qd->qmp, "migrate_cancel", NULL, on_ignore, NULL);
        if (r < 0)
                return vb_error_errno(err, r, "migrate_cancel");
        s->aborted = true;
        log_info("domain %s: save aborted by a client", qd->domain->obj.name);
        return 0;
}

/* keep: a dump (QEMU goes on after the stream); dump_flags: its DUMP_LIVE (the CPUs run while
 * it streams; QEMU stops them at the end: cont as after any dump) and DUMP_RESET. */
static int stream_state(Domain *d, int fd, const char *path, bool keep, unsigned dump_flags, Call *call,
                        QemuSaveThen then, void *then_data, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                close(fd);
                if (path)
                        unlink(path);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        }
        QemuSave *s = calloc(1, sizeof *s);
        int qfd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
        if (!s || qfd < 0 || (path && !(s->path = strdup(path)))) {
                if (qfd >= 0)
                        close(qfd);
                free(s);
                close(fd);
                if (path)
                        unlink(path);
                return vb_error_errno(err, -ENOMEM, "save");
        }
        s->fd = fd;
        s->keep = keep;
        s->reset = dump_flags & DOMAIN_DUMP_RESET;
        s->live = dump_flags & DOMAIN_DUMP_LIVE;
        s->was_running = d->state != DOMAIN_PAUSED;
        s->started_usec = mono_usec();
        s->then = then;
        s->then_data = then_data;
        qd->save = s;
        qemu_phase_enter(qd, QEMU_PHASE_SAVING);
        /* In order on the monitor: the CPUs stop (the image is one consistent state), no
         * bandwidth cap (QEMU's default is for live migration over a network), the image's
         * descriptor, the stream into it. The first failure is the one reported. */
        json_object *params = json_object_new_object();
        json_object_object_add(params, "max-bandwidth", json_object_new_int64(INT64_C(1) << 40));
        json_object *getfd = json_object_new_object();
        json_object_object_add(getfd, "fdname", json_object_new_string(QEMU_SAVE_FDNAME));
        json_object *mig = json_object_new_object();
        json_object_object_add(mig, "uri", json_object_new_string("fd:" QEMU_SAVE_FDNAME));
        int r = 0;
        if (s->was_running && !s->live)
                r = qmp_send(qd->qmp, "stop", NULL, on_step, qd);
        if (r >= 0)
                r = qmp_send(qd->qmp, "migrate-set-parameters", params, on_step, qd);
        else
                json_object_put(params);
        if (r >= 0)
                r = qmp_send_fd(qd->qmp, "getfd", getfd, qfd, on_step, qd);
        else {
                json_object_put(getfd);
                close(qfd);
        }
        if (r >= 0)
                r = qmp_send(qd->qmp, "migrate", mig, on_migrate, qd);
        else
                json_object_put(mig);
        if (!then)
                qemu_domain_pending(qd, call);
        if (r < 0) {
                /* Replies already queued see qd->save gone and return. */
                VbError e = { 0 };
                vb_error_errno(&e, r, "save");
                save_fail(qd, &e);
                return VERB_PENDING;    /* answered already */
        }
        log_info("domain %s: %s (QEMU migration to the file)", d->obj.name, keep ? "dumping its state" : "saving");
        return VERB_PENDING;
}

int qemu_domain_save(Domain *d, int fd, const char *path, Call *call, VbError *err) {
        return stream_state(d, fd, path, false, 0, call, NULL, NULL, err);
}

int qemu_domain_dump_state(Domain *d, int fd, const char *path, unsigned flags, Call *call, VbError *err) {
        return stream_state(d, fd, path, true, flags, call, NULL, NULL, err);
}

int qemu_domain_save_memory(Domain *d, int fd, const char *path, bool live, QemuSaveThen then, void *data,
                            VbError *err) {
        return stream_state(d, fd, path, true, live ? DOMAIN_DUMP_LIVE : 0, NULL, then, data, err);
}

/* ---- restore ---- */

int qemu_domain_restore(Domain *d, DomainDef *live, int fd, bool paused, const char *remove_path, Call *call,
                        VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd) {
                close(fd);
                domain_def_free(live);
                return vb_error_errno(err, -ENOMEM, "domain");
        }
        /* The image's stream for QEMU; its number must not be one the start uses below 3. */
        if (remove_path && !(qd->incoming_remove = strdup(remove_path))) {
                close(fd);
                domain_def_free(live);
                return vb_error_errno(err, -ENOMEM, "restore");
        }
        qd->incoming = true;
        qd->incoming_loaded = false;
        qd->incoming_fd = fd;
        qd->incoming_def = live;
        int r = qemu_domain_start(d, paused ? DOMAIN_START_PAUSED : 0, call, err);
        /* QEMU has inherited the stream (or there is no QEMU); the definition was copied. */
        close(fd);
        qd->incoming_fd = -1;
        qd->incoming_def = NULL;
        domain_def_free(live);
        if (r < 0)
                qemu_incoming_done(qd, false);
        return r;
}

char *qemu_domain_managed_save_path(Domain *d) {
        char *p = NULL;
        if (asprintf(&p, "%s/qemu/save/%s.save", d->obj.conn->manager->state_root, d->obj.name) < 0)
                return NULL;
        return p;
}
