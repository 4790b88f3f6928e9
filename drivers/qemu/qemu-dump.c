/* qemu-dump.c: virDomainCoreDump --memory-only: QMP dump-guest-memory into a descriptor passed with getfd, detached, ended by QEMU's DUMP_COMPLETED event. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-dump.h"
#include "log.h"

#define QEMU_DUMP_FDNAME "virtbus-dump"

typedef struct QemuDump {
        char *path;             /* a regular file to remove when the dump fails; NULL: a device */
        bool paused;            /* this dump stopped the guest: cont at the end */
        bool reset;             /* DUMP_RESET: system_reset at the end */
        bool started;           /* QEMU accepted dump-guest-memory: DUMP_COMPLETED will end it */
        VbError error;          /* the first step that failed */
} QemuDump;

/* QEMU's names of libvirt's formats. */
static const char *const format_names[_DOMAIN_CORE_DUMP_FORMAT_MAX] = {
        [DOMAIN_CORE_DUMP_FORMAT_RAW] = "elf",
        [DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB] = "kdump-zlib",
        [DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO] = "kdump-lzo",
        [DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY] = "kdump-snappy",
        [DOMAIN_CORE_DUMP_FORMAT_WIN_DMP] = "win-dmp",
};

void qemu_dump_free(QemuDomain *qd, bool failed) {
        QemuDump *s = qd->dump;
        if (!s)
                return;
        qd->dump = NULL;
        /* Half a dump is no dump. */
        if (failed && s->path && unlink(s->path) == 0)
                log_warning("domain %s: incomplete dump %s removed", qd->domain->obj.name, s->path);
        free(s->path);
        free(s);
}

static void on_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_debug("QMP command failed: %s: %s", cls, desc ? desc : "");
}

/* The end, either way: the guest goes on as it was (reset first when asked), the call answers. */
static void dump_end(QemuDomain *qd, const VbError *why) {
        QemuDump *s = qd->dump;
        VbError e = why ? *why : (VbError) { 0 };
        if (qd->qmp && !why && s->reset)
                qmp_send(qd->qmp, "system_reset", NULL, on_ignore, NULL);
        if (qd->qmp && s->paused)
                qmp_send(qd->qmp, "cont", NULL, on_ignore, NULL);
        if (why)
                log_error("domain %s: dump failed: %s", qd->domain->obj.name, e.message);
        else
                log_info("domain %s: memory dumped", qd->domain->obj.name);
        qemu_dump_free(qd, why != NULL);
        qemu_domain_finish(qd, why ? -1 : 0, why ? &e : NULL);
}

static void on_step(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->dump || !cls || qd->dump->error.code)
                return;
        vb_error_set(&qd->dump->error, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
}

static void on_dump(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->dump)
                return;
        on_step(q, ret, cls, desc, userdata);
        if (qd->dump->error.code) {
                VbError e = qd->dump->error;
                dump_end(qd, &e);
                return;
        }
        qd->dump->started = true;       /* DUMP_COMPLETED follows */
}

/* DUMP_COMPLETED {result: {status, completed, total}, error?} */
void qemu_dump_event(QemuDomain *qd, json_object *data) {
        if (!qd->dump || !qd->dump->started)
                return;
        json_object *result, *v;
        const char *error = data && json_object_object_get_ex(data, "error", &v) ? json_object_get_string(v) : NULL;
        const char *status = data && json_object_object_get_ex(data, "result", &result) &&
                                             json_object_object_get_ex(result, "status", &v)
                                     ? json_object_get_string(v)
                                     : NULL;
        if (!error && status && strcmp(status, "completed") == 0) {
                dump_end(qd, NULL);
                return;
        }
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "operation failed: memory-only dump failed: %s",
                     error ? error : status ? status : "no status");
        dump_end(qd, &e);
}

int qemu_domain_core_dump(Domain *d, int fd, const char *path, unsigned format, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || qd->phase != QEMU_PHASE_RUNNING || !qd->qmp || !qmp_is_ready(qd->qmp) || qd->dump) {
                close(fd);
                if (path)
                        unlink(path);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        }
        QemuDump *s = calloc(1, sizeof *s);
        if (!s || (path && !(s->path = strdup(path)))) {
                free(s);
                close(fd);
                if (path)
                        unlink(path);
                return vb_error_errno(err, -ENOMEM, "dump");
        }
        s->paused = !(flags & DOMAIN_DUMP_LIVE) && d->state != DOMAIN_PAUSED;
        s->reset = flags & DOMAIN_DUMP_RESET;
        qd->dump = s;
        qemu_domain_pending(qd, call);
        /* In order on the monitor: the CPUs stop (one consistent memory; QEMU would stop them
         * itself, but without the guest knowing it stays paused), the descriptor, the dump. */
        json_object *getfd = json_object_new_object();
        json_object_object_add(getfd, "fdname", json_object_new_string(QEMU_DUMP_FDNAME));
        json_object *args = json_object_new_object();
        json_object_object_add(args, "paging", json_object_new_boolean(0));
        json_object_object_add(args, "protocol", json_object_new_string("fd:" QEMU_DUMP_FDNAME));
        json_object_object_add(args, "detach", json_object_new_boolean(1));
        json_object_object_add(args, "format", json_object_new_string(format_names[format]));
        int r = 0;
        if (s->paused)
                r = qmp_send(qd->qmp, "stop", NULL, on_step, qd);
        if (r >= 0) {
                r = qmp_send_fd(qd->qmp, "getfd", getfd, fd, on_step, qd);     /* takes fd */
        } else {
                json_object_put(getfd);
                close(fd);
        }
        if (r >= 0)
                r = qmp_send(qd->qmp, "dump-guest-memory", args, on_dump, qd);
        else
                json_object_put(args);
        if (r < 0) {
                VbError e = { 0 };
                vb_error_errno(&e, r, "dump");
                dump_end(qd, &e);
        } else {
                log_info("domain %s: dumping memory (%s)", d->obj.name, format_names[format]);
        }
        return VERB_PENDING;
}
