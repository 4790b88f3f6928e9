/* qemu-blockjob-recover.c: a running guest's block jobs after a daemon restart: once the monitor
 * is reconnected, query-block-jobs, and each job QEMU still runs taken over again with what its
 * record (qemu-blockjob-record.c) kept of it. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <stdlib.h>

#include "log.h"

typedef struct Recover {
        Domain *d;              /* a reference */
        Qmp *q;
        json_object *rec;       /* the record read at the restart, or NULL */
} Recover;

static void recover_free(Recover *r) {
        json_object_put(r->rec);
        domain_unref(r->d);
        free(r);
}

/* query-block-jobs: [{"device", "type", "ready", …}]; the daemon's own jobs have the disk's alias as id. */
static void on_jobs(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Recover *r = userdata;
        QemuDomain *qd = r->d->driver_data;
        if (cls || !ret || !qd || qd->qmp != r->q) {
                if (cls)
                        log_warning("domain %s: query-block-jobs after the restart: %s", r->d->obj.name, desc ? desc : cls);
        } else {
                json_object *v;
                size_t found = 0;
                for (size_t i = 0; i < json_object_array_length(ret); i++) {
                        json_object *b = json_object_array_get_idx(ret, i);
                        const char *dev = json_object_object_get_ex(b, "device", &v) ? json_object_get_string(v) : "";
                        const char *type = json_object_object_get_ex(b, "type", &v) ? json_object_get_string(v) : "";
                        bool ready = json_object_object_get_ex(b, "ready", &v) && json_object_get_boolean(v);
                        QemuBlockJobRecord kept = qemu_blockjob_record_find(r->rec, dev);
                        if (qemu_blockjob_adopt(r->d, dev, type, kept.type, kept.new_top, kept.new_format, ready) == 0)
                                found++;
                }
                log_info("domain %s: %zu block job(s) found running again after the restart (%zu recorded)",
                         r->d->obj.name, found, qemu_blockjob_record_count(r->rec));
                qemu_blockjob_record_save(r->d);
        }
        recover_free(r);
}

void qemu_blockjob_recover(QemuDomain *qd) {
        json_object *rec;
        if (!qd->qmp || qemu_blockjob_record_read(qd->domain, &rec) < 0)
                return;
        Recover *r = calloc(1, sizeof *r);
        if (!r) {
                json_object_put(rec);
                return;
        }
        r->rec = rec;
        r->d = domain_ref(qd->domain);
        r->q = qd->qmp;
        if (qmp_send(qd->qmp, "query-block-jobs", NULL, on_jobs, r) < 0)
                recover_free(r);
}
