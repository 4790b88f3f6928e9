/* qemu-runtime.c: the runtime record of a running QEMU (pid, start time, monitor, its swtpm) beside the core's status file, the monitor socket's path, and whether a QEMU of a domain is alive (its record, else its monitor socket and the command lines in /proc). */
#include "qemu-priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

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
