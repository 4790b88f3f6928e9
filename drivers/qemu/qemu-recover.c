/* qemu-recover.c: finding every QEMU again after a daemon restart (by its runtime record, qemu-runtime.c, else by its monitor socket and the command lines in /proc), and looking again for one that is lost. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-load.h"
#include "domain-persist.h"
#include "log.h"
#include "persist.h"
#include "qemu-tpm.h"
#include "uuid.h"

/* The guest is gone: shut off (crashed) and forget the files. -no-shutdown: a guest that
 * powered off leaves QEMU running, so a QEMU that is gone ended abnormally (libvirt reasons
 * the same way: SHUTOFF_CRASHED, the FAILED input). */
static void recover_dead(QemuDomain *qd, const char *why) {
        Domain *d = qd->domain;
        log_warning("domain %s: %s; reported shut off (crashed)", d->obj.name, why);
        qemu_phase_enter(qd, QEMU_PHASE_NONE);
        domain_transition(d, DOMAIN_INPUT_FAILED);
}

static void recover_retry(QemuDomain *qd);

/* It may run, but cannot be found or watched now: keep everything, say why, look again later
 * (LOST's retry timer calls recover_retry). */
static void recover_lost(QemuDomain *qd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void recover_lost(QemuDomain *qd, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(qd->lost_why, sizeof qd->lost_why, fmt, ap);
        va_end(ap);
        qd->lost_retry = recover_retry;
        qemu_phase_enter(qd, QEMU_PHASE_LOST);
}

static int recover_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, VbError *err) {
        char *log_path = NULL;
        if (asprintf(&log_path, "%s/%s.log", qd->qc->log_dir, qd->domain->obj.name) < 0)
                log_path = NULL;
        int r = qemu_domain_adopt(qd, pid, start_time, log_path, err);
        free(log_path);
        return r;
}

/* Find the domain's QEMU and watch it: by its runtime record, else by its monitor socket and
 * the command lines in /proc. Gone only when every way says so. */
static void recover_attempt(QemuDomain *qd) {
        Domain *d = qd->domain;
        Connection *c = d->obj.conn;
        VbError err = { 0 };
        QemuRuntime rt;
        char why[256] = "";
        int r = qemu_runtime_read(c, d->obj.name, &rt, why, sizeof why);
        if (r == 0) {
                int a = recover_adopt(qd, rt.pid, rt.start_time, &err);
                if (a == 0) {
                        free(qd->monitor_path);
                        qd->monitor_path = rt.monitor;
                        /* After an error was logged, its end is worth as much. */
                        if (qd->phase == QEMU_PHASE_LOST)
                                log_warning("domain %s: QEMU pid %d found again (%s)", d->obj.name, (int) rt.pid,
                                            domain_state_to_string(d->state));
                        else
                                log_info("domain %s: QEMU pid %d found again (%s)", d->obj.name, (int) rt.pid,
                                         domain_state_to_string(d->state));
                        qemu_security_reattach(qd->qc, domain_current_def(d));
                        qemu_tpm_adopt(qd, rt.swtpm_pid, rt.swtpm_start_time);
                        qemu_phase_enter(qd, QEMU_PHASE_RECONNECTING);
                        return;
                }
                qemu_runtime_clear(&rt);
                if (a != -ESRCH) {
                        recover_lost(qd, "its QEMU (pid %d) cannot be watched: %s", (int) rt.pid, err.message);
                        return;
                }
                snprintf(why, sizeof why, "its QEMU (pid %d) ended while the daemon was away", (int) rt.pid);
                /* The record's process is gone; make sure no other is this domain's. */
        } else {
                log_error("domain %s: %s; looking for its QEMU by other means", d->obj.name, why);
        }

        QemuFound f;
        char uuid[UUID_STRING_LEN], *mon = NULL;
        uuid_format(d->obj.uuid, uuid);
        if (qemu_monitor_path(c, d->obj.name, &mon) < 0) {
                recover_lost(qd, "its monitor socket path is unusable");
                return;
        }
        int k = qemu_find_running(d->obj.name, uuid, mon, &f);
        if (k == 0) {
                free(mon);
                recover_dead(qd, r == 0 ? why : "no QEMU of it runs");
                return;
        }
        if (k < 0) {
                free(mon);
                recover_lost(qd, "cannot tell whether its QEMU runs: %s", f.why);
                return;
        }
        if (!f.adoptable) {
                free(mon);
                recover_lost(qd, "found a QEMU by its %s that cannot be taken over: %s", f.how, f.why);
                return;
        }
        if (recover_adopt(qd, f.pid, f.start_time, &err) < 0) {
                free(mon);
                recover_lost(qd, "its QEMU (pid %d, found by its %s) cannot be watched: %s", (int) f.pid, f.how,
                             err.message);
                return;
        }
        free(qd->monitor_path);
        qd->monitor_path = mon;
        log_warning("domain %s: QEMU pid %d found again by its %s (%s)", d->obj.name, (int) f.pid, f.how,
                    domain_state_to_string(d->state));
        /* A record of this daemon again, so the next restart finds it the ordinary way. */
        if (qemu_runtime_save(qd, &err) < 0)
                log_error("domain %s: cannot rewrite its runtime record: %s", d->obj.name, err.message);
        qemu_security_reattach(qd->qc, domain_current_def(d));
        qemu_phase_enter(qd, QEMU_PHASE_RECONNECTING);
}

static void recover_retry(QemuDomain *qd) {
        log_info("domain %s: looking for its QEMU again", qd->domain->obj.name);
        recover_attempt(qd);
}

/* A status file that does not read: the domain's definition (if it is persistent) stands in
 * for the running one while its QEMU may still run. */
static void recover_without_status(QemuConn *qc, const char *file) {
        Connection *c = qc->conn;
        size_t n = strlen(file);
        char *name = n > 4 ? strndup(file, n - 4) : NULL;       /* NAME.xml */
        Domain *d = name ? (Domain *) registry_find_name(&c->domains, name) : NULL;
        if (!d || domain_is_active(d)) {
                log_error("domain %s: no definition to recover it with; its files are kept, and a start of it "
                          "looks for its QEMU first", name ? name : file);
                free(name);
                return;
        }
        free(name);
        QemuFound f;
        int k = qemu_domain_find(d, &f);
        if (k == 0) {
                log_warning("domain %s: no QEMU of it runs; its unreadable status file is left in place", d->obj.name);
                return;
        }
        VbError err = { 0 };
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd || domain_restore_state(d, DOMAIN_RUNNING, RUNNING_UNKNOWN, &err) < 0) {
                log_error("domain %s: cannot recover it: %s", d->obj.name, qd ? err.message : "out of memory");
                return;
        }
        log_warning("domain %s: its QEMU may run (%s); shown running from its definition", d->obj.name,
                    k > 0 ? "found" : f.why);
        recover_attempt(qd);
        if (qd->phase == QEMU_PHASE_RECONNECTING && domain_save_status(d, &err) < 0)
                log_error("domain %s: cannot rewrite its status file: %s", d->obj.name, err.message);
}

static int recover_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        QemuConn *qc = userdata;
        VbError err = { 0 };
        Domain *d = NULL;
        if (domain_recover(qc->conn, data, len, &d, &err) < 0) {
                /* Kept: never deleted while the QEMU it describes may run. */
                log_error("cannot recover from status file %s/%s: %s; the file is left in place", dir, name, err.message);
                recover_without_status(qc, name);
                return -EINVAL;
        }
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd) {
                log_error("domain %s: cannot recover it: out of memory", d->obj.name);
                return -ENOMEM;
        }
        /* Its automatic display ports stay its own while its QEMU may run. */
        qemu_display_hold_live(qd, domain_current_def(d));
        /* A guest an older virtbusd started: its devices' aliases, the ids its command line gave. */
        if (d->live && qemu_aliases_assign(d->live, false) < 0)
                log_warning("domain %s: out of memory: its running definition lacks device aliases", d->obj.name);
        recover_attempt(qd);
        return 0;
}

int qemu_recover_all(QemuConn *qc) {
        int r = persist_load_dir(qc->conn->state_dir, ".xml", recover_one, qc);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot read %s: %s", qc->conn->state_dir, strerror(-r));
        return 0;
}
