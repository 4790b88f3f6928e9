/* qemu-recover.c: the runtime record of a running QEMU (pid, start time, monitor) and finding every QEMU again after a daemon restart. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "domain-persist.h"
#include "log.h"
#include "persist.h"

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
        json_object_object_add(o, "pid", json_object_new_int64(qemu_process_pid(qd->proc)));
        json_object_object_add(o, "start_time", json_object_new_uint64(qemu_process_start_time(qd->proc)));
        json_object_object_add(o, "monitor", json_object_new_string(qd->monitor_path));
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

/* The guest is gone (or cannot be told apart from a stranger): shut off and forget the files.
 * -no-shutdown: a guest that powered off leaves QEMU running, so a QEMU that is gone ended
 * abnormally (libvirt reasons the same way: SHUTOFF_CRASHED, the FAILED input). */
static void recover_dead(Domain *d, const char *why) {
        log_warning("domain %s: %s; reported shut off (crashed)", d->obj.name, why);
        qemu_runtime_remove(d->obj.conn, d->obj.name);
        char *mon = NULL;
        if (qemu_monitor_path(d->obj.conn, d->obj.name, &mon) == 0)
                unlink(mon);
        free(mon);
        domain_transition(d, DOMAIN_INPUT_FAILED);
}

static int recover_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        QemuConn *qc = userdata;
        Connection *c = qc->conn;
        VbError err = { 0 };
        Domain *d = NULL;
        if (domain_recover(c, data, len, &d, &err) < 0) {
                log_error("cannot recover from status file %s/%s: %s", dir, name, err.message);
                return -EINVAL;
        }

        QemuDomain *qd = qemu_domain_get(d);
        char fn[NAME_MAX + 1];
        char *rec = NULL;
        size_t rlen;
        json_object *o = NULL, *v;
        if (!qd || runtime_name(fn, sizeof fn, d->obj.name) < 0 ||
            persist_read(dir, fn, 65536, &rec, &rlen, NULL) < 0 || !(o = json_tokener_parse(rec))) {
                free(rec);
                recover_dead(d, "no runtime record of its QEMU");
                return 0;
        }
        free(rec);
        pid_t pid = json_object_object_get_ex(o, "pid", &v) ? (pid_t) json_object_get_int64(v) : 0;
        uint64_t start = json_object_object_get_ex(o, "start_time", &v) ? json_object_get_uint64(v) : 0;
        const char *mon = json_object_object_get_ex(o, "monitor", &v) ? json_object_get_string(v) : NULL;
        char *log_path = NULL;
        if (asprintf(&log_path, "%s/%s.log", qc->log_dir, d->obj.name) < 0)
                log_path = NULL;
        int r = pid > 0 && mon ? qemu_domain_adopt(qd, pid, start, log_path, &err) : -EINVAL;
        free(log_path);
        if (r < 0) {
                json_object_put(o);
                recover_dead(d, r == -ESRCH ? "its QEMU ended while the daemon was away" : "its QEMU cannot be watched");
                return 0;
        }
        free(qd->monitor_path);
        qd->monitor_path = strdup(mon);
        json_object_put(o);
        log_info("domain %s: QEMU pid %d found again (%s)", d->obj.name, (int) pid, domain_state_to_string(d->state));
        qemu_phase_enter(qd, QEMU_PHASE_RECONNECTING);
        return 0;
}

int qemu_recover_all(QemuConn *qc) {
        int r = persist_load_dir(qc->conn->state_dir, ".xml", recover_one, qc);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot read %s: %s", qc->conn->state_dir, strerror(-r));
        return 0;
}
