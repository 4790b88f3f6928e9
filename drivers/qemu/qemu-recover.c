/* qemu-recover.c: the runtime record of a running QEMU (pid, start time, monitor) and finding every QEMU again after a daemon restart. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "domain-load.h"
#include "domain-persist.h"
#include "log.h"
#include "persist.h"
#include "qemu-tpm.h"
#include "uuid.h"

/* Beside the core's NAME.xml (<domstatus>) in the run directory. */
#define RUNTIME_SUFFIX ".runtime.json"

static int runtime_name(char *buf, size_t n, const char *name) {
        if (!name[0] || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        int k = snprintf(buf, n, "%s" RUNTIME_SUFFIX, name);
        return k < 0 || (size_t) k >= n ? -ENAMETOOLONG : 0;
}

int qemu_monitor_path(Connection *c, const char *name, char **out) {
        struct sockaddr_un sa;
        if (!name[0] || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        if (asprintf(out, "%s/%s.monitor", c->state_dir, name) < 0)
                return -ENOMEM;
        if (strlen(*out) >= sizeof sa.sun_path) {
                *out = (free(*out), NULL);
                return -ENAMETOOLONG;
        }
        return 0;
}

int qemu_runtime_save(QemuDomain *qd, VbError *err) {
        Connection *c = qd->domain->obj.conn;
        char fn[NAME_MAX + 1];
        if (runtime_name(fn, sizeof fn, qd->domain->obj.name) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name unusable as a file name");
        json_object *o = json_object_new_object();
        if (!o)
                return vb_error_errno(err, -ENOMEM, "runtime record");
        json_object_object_add(o, "pid", json_object_new_int64(process_pid(qd->proc)));
        json_object_object_add(o, "start_time", json_object_new_uint64(process_start_time(qd->proc)));
        json_object_object_add(o, "monitor", json_object_new_string(qd->monitor_path));
        uint64_t swtpm_start;
        pid_t swtpm = qemu_tpm_pid(qd, &swtpm_start);
        if (swtpm > 0) {
                json_object_object_add(o, "swtpm_pid", json_object_new_int64(swtpm));
                json_object_object_add(o, "swtpm_start_time", json_object_new_uint64(swtpm_start));
        }
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        int r = persist_write(c->state_dir, fn, text, strlen(text), err);
        json_object_put(o);
        return r < 0 ? -1 : 0;
}

void qemu_runtime_remove(Connection *c, const char *name) {
        char fn[NAME_MAX + 1];
        if (runtime_name(fn, sizeof fn, name) == 0)
                persist_remove(c->state_dir, fn, NULL);
}

int qemu_runtime_read(Connection *c, const char *name, QemuRuntime *rt, char *why, size_t whylen) {
        char fn[NAME_MAX + 1];
        char *text = NULL;
        size_t len;
        VbError err = { 0 };
        memset(rt, 0, sizeof *rt);
        if (runtime_name(fn, sizeof fn, name) < 0) {
                snprintf(why, whylen, "the domain name is unusable as a file name");
                return -EINVAL;
        }
        int r = persist_read(c->state_dir, fn, 65536, &text, &len, &err);
        if (r < 0) {
                snprintf(why, whylen, "%s", err.message);
                return r;
        }
        json_object *o = json_tokener_parse(text), *v;
        free(text);
        if (o && json_object_is_type(o, json_type_object)) {
                if (json_object_object_get_ex(o, "pid", &v) && json_object_is_type(v, json_type_int))
                        rt->pid = (pid_t) json_object_get_int64(v);
                if (json_object_object_get_ex(o, "start_time", &v) && json_object_is_type(v, json_type_int))
                        rt->start_time = json_object_get_uint64(v);
                if (json_object_object_get_ex(o, "monitor", &v) && json_object_is_type(v, json_type_string))
                        rt->monitor = strdup(json_object_get_string(v));
                if (json_object_object_get_ex(o, "swtpm_pid", &v) && json_object_is_type(v, json_type_int))
                        rt->swtpm_pid = (pid_t) json_object_get_int64(v);
                if (json_object_object_get_ex(o, "swtpm_start_time", &v) && json_object_is_type(v, json_type_int))
                        rt->swtpm_start_time = json_object_get_uint64(v);
        }
        json_object_put(o);
        if (rt->pid <= 0 || !rt->start_time || !rt->monitor) {
                qemu_runtime_clear(rt);
                snprintf(why, whylen, "its runtime record %s/%s cannot be read (not a record of this daemon)",
                         c->state_dir, fn);
                return -EBADMSG;
        }
        return 0;
}

void qemu_runtime_clear(QemuRuntime *rt) {
        rt->monitor = (free(rt->monitor), NULL);
}

int qemu_domain_find(Domain *d, QemuFound *out) {
        Connection *c = d->obj.conn;
        QemuRuntime rt;
        char why[256], uuid[UUID_STRING_LEN], *mon = NULL;
        memset(out, 0, sizeof *out);
        /* The record first: a process alive with the recorded start time is the one. */
        if (qemu_runtime_read(c, d->obj.name, &rt, why, sizeof why) == 0) {
                uint64_t st;
                if (process_read_start_time(rt.pid, &st) == 0 && st == rt.start_time) {
                        out->pid = rt.pid;
                        out->start_time = st;
                        out->how = "runtime record";
                        out->adoptable = true;
                        qemu_runtime_clear(&rt);
                        return 1;
                }
                qemu_runtime_clear(&rt);
        }
        if (qemu_monitor_path(c, d->obj.name, &mon) < 0)
                mon = NULL;
        uuid_format(d->obj.uuid, uuid);
        int k = qemu_find_running(d->obj.name, uuid, mon, out);
        free(mon);
        return k;
}

/* ---- restart recovery ---- */

/* The guest is gone: shut off (crashed) and forget the files. -no-shutdown: a guest that
 * powered off leaves QEMU running, so a QEMU that is gone ended abnormally (libvirt reasons
 * the same way: SHUTOFF_CRASHED, the FAILED input). */
static void recover_dead(QemuDomain *qd, const char *why) {
        Domain *d = qd->domain;
        log_warning("domain %s: %s; reported shut off (crashed)", d->obj.name, why);
        qemu_phase_enter(qd, QEMU_PHASE_NONE);
        domain_transition(d, DOMAIN_INPUT_FAILED);
}

/* It may run, but cannot be found or watched now: keep everything, say why, look again later. */
static void recover_lost(QemuDomain *qd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void recover_lost(QemuDomain *qd, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(qd->lost_why, sizeof qd->lost_why, fmt, ap);
        va_end(ap);
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

void qemu_recover_retry(QemuDomain *qd) {
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
