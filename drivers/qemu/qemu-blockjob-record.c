/* qemu-blockjob-record.c: a running guest's block jobs across a daemon restart: their record (<run dir>/NAME.blockjobs.json, 0600, beside the runtime record) and, once the monitor is reconnected, query-block-jobs to take each job QEMU still runs over again. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-blockjob.h"
#include "log.h"
#include "persist.h"

#define RECORD_SUFFIX ".blockjobs.json"
#define RECORD_MAX (256 * 1024)

static int record_name(char *buf, size_t n, const char *name) {
        if (!name[0] || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        int k = snprintf(buf, n, "%s" RECORD_SUFFIX, name);
        return k < 0 || (size_t) k >= n ? -ENAMETOOLONG : 0;
}

void qemu_blockjob_record_remove(Domain *d) {
        char fn[NAME_MAX + 1];
        if (record_name(fn, sizeof fn, d->obj.name) == 0)
                persist_remove(d->obj.conn->state_dir, fn, NULL);
}

void qemu_blockjob_record_write(Domain *d, const QemuBlockJobRecord *jobs, size_t n) {
        char fn[NAME_MAX + 1];
        if (record_name(fn, sizeof fn, d->obj.name) < 0)
                return;
        if (n == 0) {
                persist_remove(d->obj.conn->state_dir, fn, NULL);
                return;
        }
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                json_object *j = json_object_new_object();
                json_object_object_add(j, "alias", json_object_new_string(jobs[i].alias));
                json_object_object_add(j, "type", json_object_new_int(jobs[i].type));
                if (jobs[i].new_top)
                        json_object_object_add(j, "new_top", json_object_new_string(jobs[i].new_top));
                if (jobs[i].new_format)
                        json_object_object_add(j, "new_format", json_object_new_string(jobs[i].new_format));
                json_object_array_add(a, j);
        }
        json_object_object_add(o, "jobs", a);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        VbError e = { 0 };
        if (persist_write(d->obj.conn->state_dir, fn, text, strlen(text), &e) < 0)
                log_warning("domain %s: its block jobs were not recorded: %s", d->obj.name, e.message);
        json_object_put(o);
}

/* The record's entry for alias, or NULL. */
static json_object *record_entry(json_object *rec, const char *alias) {
        json_object *a, *v;
        if (!rec || !json_object_object_get_ex(rec, "jobs", &a) || !json_object_is_type(a, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *j = json_object_array_get_idx(a, i);
                if (json_object_object_get_ex(j, "alias", &v) && json_object_is_type(v, json_type_string) &&
                    strcmp(json_object_get_string(v), alias) == 0)
                        return j;
        }
        return NULL;
}

static const char *entry_string(json_object *e, const char *key) {
        json_object *v;
        return e && json_object_object_get_ex(e, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

typedef struct Recover {
        Domain *d;              /* a reference */
        Qmp *q;
        json_object *rec;       /* the record read at the restart, or NULL */
} Recover;

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
                        json_object *e = record_entry(r->rec, dev);
                        json_object *t = NULL;
                        int kind = e && json_object_object_get_ex(e, "type", &t) ? json_object_get_int(t) : -1;
                        if (qemu_blockjob_adopt(r->d, dev, type, kind, entry_string(e, "new_top"),
                                                entry_string(e, "new_format"), ready) == 0)
                                found++;
                }
                size_t recorded = 0;
                if (r->rec && json_object_object_get_ex(r->rec, "jobs", &v) && json_object_is_type(v, json_type_array))
                        recorded = json_object_array_length(v);
                log_info("domain %s: %zu block job(s) found running again after the restart (%zu recorded)",
                         r->d->obj.name, found, recorded);
                qemu_blockjob_record_save(r->d);
        }
        json_object_put(r->rec);
        domain_unref(r->d);
        free(r);
}

void qemu_blockjob_recover(QemuDomain *qd) {
        Domain *d = qd->domain;
        char fn[NAME_MAX + 1];
        char *text = NULL;
        size_t len = 0;
        VbError e = { 0 };
        if (!qd->qmp || record_name(fn, sizeof fn, d->obj.name) < 0)
                return;
        Recover *r = calloc(1, sizeof *r);
        if (!r)
                return;
        if (persist_read(d->obj.conn->state_dir, fn, RECORD_MAX, &text, &len, &e) == 0) {
                r->rec = json_tokener_parse(text);
                if (!r->rec)
                        log_warning("domain %s: its block job record %s cannot be read", d->obj.name, fn);
        }
        free(text);
        r->d = domain_ref(d);
        r->q = qd->qmp;
        if (qmp_send(qd->qmp, "query-block-jobs", NULL, on_jobs, r) < 0) {
                json_object_put(r->rec);
                domain_unref(r->d);
                free(r);
        }
}
