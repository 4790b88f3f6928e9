/* qemu-blockjob-record.c: the record of a running guest's block jobs across a daemon restart
 * (<run dir>/NAME.blockjobs.json, 0600, beside the runtime record): written, removed, read back. */
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

void qemu_blockjob_record_write(Domain *d, const QemuBlockJobRecord *recs, size_t n) {
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
                json_object_object_add(j, "alias", json_object_new_string(recs[i].alias));
                json_object_object_add(j, "type", json_object_new_int(recs[i].type));
                if (recs[i].new_top)
                        json_object_object_add(j, "new_top", json_object_new_string(recs[i].new_top));
                if (recs[i].new_format)
                        json_object_object_add(j, "new_format", json_object_new_string(recs[i].new_format));
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

int qemu_blockjob_record_read(Domain *d, json_object **rec) {
        char fn[NAME_MAX + 1];
        char *text = NULL;
        size_t len = 0;
        VbError e = { 0 };
        *rec = NULL;
        if (record_name(fn, sizeof fn, d->obj.name) < 0)
                return -1;
        if (persist_read(d->obj.conn->state_dir, fn, RECORD_MAX, &text, &len, &e) == 0) {
                *rec = json_tokener_parse(text);
                if (!*rec)
                        log_warning("domain %s: its block job record %s cannot be read", d->obj.name, fn);
        }
        free(text);
        return 0;
}

QemuBlockJobRecord qemu_blockjob_record_find(json_object *rec, const char *alias) {
        json_object *e = record_entry(rec, alias), *t = NULL;
        return (QemuBlockJobRecord) {
                .alias = alias,
                .type = e && json_object_object_get_ex(e, "type", &t) ? json_object_get_int(t) : -1,
                .new_top = entry_string(e, "new_top"),
                .new_format = entry_string(e, "new_format"),
        };
}

size_t qemu_blockjob_record_count(json_object *rec) {
        json_object *a;
        if (rec && json_object_object_get_ex(rec, "jobs", &a) && json_object_is_type(a, json_type_array))
                return json_object_array_length(a);
        return 0;
}
