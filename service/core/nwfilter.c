/* nwfilter.c: the host's network filters and filter bindings: define, undefine (refused while a binding uses the filter), loop checks, lookups, persistence. */
#define LOG_MODULE "core"
#include "nwfilter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "manager.h"
#include "nwfilter-builtin.h"
#include "persist.h"
#include "uuid.h"
#include "xml-util.h"

#define NWFILTER_DEFINE_VALIDATE 1u
#define REF_DEPTH_MAX 64                /* deeper filterref chains are refused as loops */

static void file_name(const char *key, char out[300]) {
        snprintf(out, 300, "%s.xml", key);
}

static void filter_free(NWFilter *f) {
        nwfilter_def_free(f->def);
        free(f->obj.name);
        free(f);
}

static NWFilter *filter_new(Connection *c, NWFilterDef *def) {
        NWFilter *f = calloc(1, sizeof *f);
        if (!f || !(f->obj.name = strdup(def->name))) {
                free(f);
                return NULL;
        }
        f->obj.kind = OBJECT_NWFILTER;
        f->obj.conn = c;
        f->obj.id = -1;
        memcpy(f->obj.uuid, def->uuid, 16);
        f->def = def;
        return f;
}

static void store_free(NWFilterStore *st) {
        while (st->filters.first) {
                NWFilter *f = (NWFilter *) st->filters.first;
                registry_remove(&st->filters, &f->obj);
                filter_free(f);
        }
        registry_done(&st->filters);
        for (size_t i = 0; i < st->n_bindings; i++)
                nwfilter_binding_def_free(st->bindings[i].def);
        free(st->bindings);
        free(st->config_dir);
        free(st->binding_dir);
        free(st);
}

/* ------------------------------------------------------------------ loading */

static int load_filter(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        NWFilterStore *st = userdata;
        VbError err = { 0 };
        char expected[300];
        NWFilterDef *def = nwfilter_def_parse(data, len, &err);
        if (!def) {
                log_warning("%s/%s: not a network filter: %s", dir, name, err.message);
                return -EINVAL;
        }
        file_name(def->name, expected);
        NWFilter *f = strcmp(expected, name) == 0 ? filter_new(st->owner, def) : NULL;
        if (!f || registry_add(&st->filters, &f->obj) < 0) {
                log_warning("%s/%s: refused (its name must be the filter's, once)", dir, name);
                if (f)
                        filter_free(f);
                else
                        nwfilter_def_free(def);
                return -EINVAL;
        }
        return 0;
}

static int load_binding(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        NWFilterStore *st = userdata;
        VbError err = { 0 };
        NWFilterBindingDef *def = nwfilter_binding_def_parse(data, len, &err);
        if (!def) {
                log_warning("%s/%s: not a filter binding: %s", dir, name, err.message);
                return -EINVAL;
        }
        NWFilterBinding *b = conf_array_add(&st->bindings, &st->n_bindings, sizeof *b);
        if (!b) {
                nwfilter_binding_def_free(def);
                return -ENOMEM;
        }
        b->def = def;
        return 0;
}

static int persist_filter(NWFilterStore *st, const NWFilterDef *def, VbError *err);

/* A new host has libvirt's standard filters, as its package installs them: once, when the
 * directory is made, so that one an administrator undefines stays undefined. */
static void install_builtins(NWFilterStore *st) {
        size_t n = 0;
        for (const NWFilterBuiltin *b = nwfilter_builtins; b->name; b++) {
                VbError err = { 0 };
                NWFilterDef *def = nwfilter_def_parse(b->xml, strlen(b->xml), &err);
                NWFilter *f = def && persist_filter(st, def, &err) == 0 ? filter_new(st->owner, def) : NULL;
                if (!f || registry_add(&st->filters, &f->obj) < 0) {
                        log_warning("standard network filter %s not installed: %s", b->name,
                                    err.message ? err.message : "out of memory");
                        if (f)
                                filter_free(f);
                        else
                                nwfilter_def_free(def);
                        continue;
                }
                n++;
        }
        log_info("%zu standard network filters installed in %s", n, st->config_dir);
}

int nwfilter_load_all(Connection *c) {
        Manager *m = c->manager;
        if (!c->driver->host_nwfilters)
                return 0;
        if (m->host_nwfilters) {
                c->nwfilters = m->host_nwfilters;
                return 0;
        }
        NWFilterStore *st = calloc(1, sizeof *st);
        if (!st)
                return -ENOMEM;
        registry_init(&st->filters);
        st->owner = c;
        st->privileged = m->system_mode;
        if (m->config_root && m->run_root &&
            (asprintf(&st->config_dir, "%s/nwfilter", m->config_root) < 0 ||
             asprintf(&st->binding_dir, "%s/nwfilter-binding", m->run_root) < 0)) {
                st->config_dir = st->binding_dir = NULL;
                store_free(st);
                return -ENOMEM;
        }
        m->host_nwfilters = c->nwfilters = st;
        if (!st->config_dir)
                return 0;
        bool fresh = access(st->config_dir, F_OK) < 0;
        int r = persist_load_dir(st->config_dir, ".xml", load_filter, st);
        int rb = persist_load_dir(st->binding_dir, ".xml", load_binding, st);
        if (fresh && st->privileged)
                install_builtins(st);
        if (r < 0 || rb < 0)
                return r < 0 ? r : rb;
        return r + rb;
}

void nwfilter_release(Connection *c) {
        if (c->nwfilters && c->nwfilters->owner == c) {
                store_free(c->nwfilters);
                c->manager->host_nwfilters = NULL;
        }
        c->nwfilters = NULL;
}

Registry *nwfilter_registry_of(Connection *c) {
        return c->nwfilters ? &c->nwfilters->filters : NULL;
}

NWFilterStore *nwfilter_store(Connection *c, const char *api, VbError *err) {
        if (!c->nwfilters)
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NWFILTER, "%s", api);
        return c->nwfilters;
}

/* ------------------------------------------------------------------ filters */

NWFilter *nwfilter_lookup_name(Connection *c, const char *name, VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virNWFilterLookupByName", err);
        if (!st)
                return NULL;
        NWFilter *f = (NWFilter *) registry_find_name(&st->filters, name);
        if (!f)
                vb_error_set(err, VB_ERR_NO_NWFILTER, VB_FROM_NWFILTER, "no nwfilter with matching name '%s'", name);
        return f;
}

NWFilter *nwfilter_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virNWFilterLookupByUUID", err);
        if (!st)
                return NULL;
        NWFilter *f = (NWFilter *) registry_find_uuid(&st->filters, uuid);
        if (!f) {
                char u[UUID_STRING_LEN];
                uuid_format(uuid, u);
                vb_error_set(err, VB_ERR_NO_NWFILTER, VB_FROM_NWFILTER, "no nwfilter with matching uuid '%s'", u);
        }
        return f;
}

/* The definition a name stands for once def is in place. */
static const NWFilterDef *def_named(NWFilterStore *st, const NWFilterDef *def, const char *name) {
        if (strcmp(def->name, name) == 0)
                return def;
        NWFilter *f = (NWFilter *) registry_find_name(&st->filters, name);
        return f ? f->def : NULL;
}

/* Does from reach target through filterrefs (with def in place)? Missing filters end a path. */
static bool reaches(NWFilterStore *st, const NWFilterDef *def, const NWFilterDef *from, const char *target,
                    int depth) {
        if (!from || depth > REF_DEPTH_MAX)
                return depth > REF_DEPTH_MAX;
        for (size_t i = 0; i < from->n_entries; i++) {
                const char *ref = from->entries[i].ref;
                if (!ref)
                        continue;
                if (strcmp(ref, target) == 0 || reaches(st, def, def_named(st, def, ref), target, depth + 1))
                        return true;
        }
        return false;
}

static int check_define(NWFilterStore *st, const NWFilterDef *def, VbError *err) {
        char u[UUID_STRING_LEN];
        NWFilter *by_name = (NWFilter *) registry_find_name(&st->filters, def->name);
        NWFilter *by_uuid = (NWFilter *) registry_find_uuid(&st->filters, def->uuid);
        if (by_uuid && strcmp(by_uuid->obj.name, def->name) != 0)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER,
                                    "filter with same UUID but different name ('%s') already exists",
                                    by_uuid->obj.name);
        if (by_name && memcmp(by_name->obj.uuid, def->uuid, 16) != 0) {
                uuid_format(by_name->obj.uuid, u);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER,
                                    "filter '%s' already exists with uuid %s", def->name, u);
        }
        if (reaches(st, def, def, def->name, 0))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER, "filter would introduce a loop");
        return 0;
}

static void apply(NWFilterStore *st) {
        if (st->applier)
                st->applier->apply(st);
}

/* A redefinition every binding can still be applied with (libvirt refuses the others too). */
static int check_bindings(NWFilterStore *st, const NWFilterDef *def, VbError *err) {
        for (size_t i = 0; st->applier && i < st->n_bindings; i++)
                if (st->applier->check(st, st->bindings[i].def, def, err) < 0)
                        return -1;
        return 0;
}

static int persist_filter(NWFilterStore *st, const NWFilterDef *def, VbError *err) {
        char name[300];
        if (!st->config_dir)
                return 0;
        char *xml = nwfilter_def_format(def);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "network filter");
        file_name(def->name, name);
        int r = persist_ensure_dir(st->config_dir, err);
        if (r >= 0)
                r = persist_write(st->config_dir, name, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

int nwfilter_define(Connection *c, const char *xml, size_t len, unsigned flags, NWFilter **out, VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virNWFilterDefineXML", err);
        if (!st || vb_check_flags(flags, NWFILTER_DEFINE_VALIDATE, "nwfilterDefineXMLFlags", err) < 0)
                return -1;
        if (!st->privileged)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                    "Can't define NWFilters in session mode");
        NWFilterDef *def = nwfilter_def_parse(xml, len, err);
        if (!def)
                return -1;
        if (check_define(st, def, err) < 0 || check_bindings(st, def, err) < 0 || persist_filter(st, def, err) < 0) {
                nwfilter_def_free(def);
                return -1;
        }
        NWFilter *f = (NWFilter *) registry_find_name(&st->filters, def->name);
        if (f) {
                nwfilter_def_free(f->def);
                f->def = def;
        } else {
                f = filter_new(st->owner, def);
                if (!f || registry_add(&st->filters, &f->obj) < 0) {
                        if (f)
                                filter_free(f);
                        else
                                nwfilter_def_free(def);
                        return vb_error_errno(err, -ENOMEM, "network filter");
                }
                notify_simple(&f->obj, NOTICE_ADDED);
        }
        log_info("network filter %s defined (%zu entries)", f->obj.name, def->n_entries);
        apply(st);
        *out = f;
        return 0;
}

/* Is name used by a binding, directly or through the filters its filter references? */
static bool in_use(NWFilterStore *st, const char *name) {
        for (size_t i = 0; i < st->n_bindings; i++) {
                const char *top = st->bindings[i].def->filter;
                NWFilter *f = (NWFilter *) registry_find_name(&st->filters, top);
                if (strcmp(top, name) == 0 || (f && reaches(st, f->def, f->def, name, 0)))
                        return true;
        }
        return false;
}

int nwfilter_undefine(NWFilter *f, VbError *err) {
        NWFilterStore *st = f->obj.conn->nwfilters;
        char name[300];
        if (!st->privileged)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                    "Can't define NWFilters in session mode");
        if (in_use(st, f->obj.name))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NWFILTER, "nwfilter is in use");
        file_name(f->obj.name, name);
        if (st->config_dir && persist_remove(st->config_dir, name, err) < 0)
                return -1;
        log_info("network filter %s undefined", f->obj.name);
        notify_simple(&f->obj, NOTICE_REMOVED);
        registry_remove(&st->filters, &f->obj);
        filter_free(f);
        return 0;
}

char *nwfilter_xml(NWFilter *f, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "nwfilterGetXMLDesc", err) < 0)
                return NULL;
        char *xml = nwfilter_def_format(f->def);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "network filter XML");
        return xml;
}

NWFilterStore *nwfilter_list_store(Connection *c, unsigned flags, VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virConnectListAllNWFilters", err);
        if (st && vb_check_flags(flags, 0, "nwfilterConnectListAllNWFilters", err) < 0)
                return NULL;
        return st;
}

/* ------------------------------------------------------------------ bindings */

NWFilterBinding *nwfilter_binding_lookup(Connection *c, const char *portdev, VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virNWFilterBindingLookupByPortDev", err);
        if (!st)
                return NULL;
        for (size_t i = 0; i < st->n_bindings; i++)
                if (strcmp(st->bindings[i].def->portdev, portdev) == 0)
                        return &st->bindings[i];
        vb_error_set(err, VB_ERR_NO_NWFILTER_BINDING, VB_FROM_NWFILTER,
                     "no nwfilter binding for port dev '%s'", portdev);
        return NULL;
}

/* Record def (consumed) and apply it; refused when its port has one or it cannot be applied. */
static NWFilterBinding *binding_add(NWFilterStore *st, NWFilterBindingDef *def, VbError *err) {
        int r = 0;
        char name[300];
        file_name(def->portdev, name);
        if (nwfilter_binding_lookup(st->owner, def->portdev, &(VbError) { 0 }))
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NWFILTER,
                                 "filter binding for port dev '%s' already exists", def->portdev);
        else if (!registry_find_name(&st->filters, def->filter))
                r = vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NWFILTER, "referenced filter '%s' is missing",
                                 def->filter);
        else if (st->applier && st->applier->check(st, def, NULL, err) < 0)
                r = -1;
        else if (st->binding_dir) {
                char *text = nwfilter_binding_def_format(def);
                r = text ? persist_ensure_dir(st->binding_dir, err) : vb_error_errno(err, -ENOMEM, "binding");
                if (r >= 0)
                        r = persist_write(st->binding_dir, name, text, strlen(text), err);
                free(text);
        }
        NWFilterBinding *b = r >= 0 ? conf_array_add(&st->bindings, &st->n_bindings, sizeof *b) : NULL;
        if (!b) {
                if (r >= 0) {
                        if (st->binding_dir)
                                persist_remove(st->binding_dir, name, NULL);
                        vb_error_errno(err, -ENOMEM, "binding");
                }
                nwfilter_binding_def_free(def);
                return NULL;
        }
        b->def = def;
        log_info("filter binding %s -> %s %s", def->portdev, def->filter,
                 st->applier ? "applied" : "recorded (no firewall applier)");
        apply(st);
        return b;
}

int nwfilter_binding_create(Connection *c, const char *xml, size_t len, unsigned flags, NWFilterBinding **out,
                            VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virNWFilterBindingCreateXML", err);
        if (!st || vb_check_flags(flags, 1u /* VIR_NWFILTER_BINDING_CREATE_VALIDATE */, "nwfilterBindingCreateXML",
                                  err) < 0)
                return -1;
        if (!st->privileged)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NWFILTER,
                                    "Can't define NWFilter bindings in session mode");
        NWFilterBindingDef *def = nwfilter_binding_def_parse(xml, len, err);
        if (!def || !(*out = binding_add(st, def, err)))
                return -1;
        return 0;
}

int nwfilter_binding_add(Connection *c, NWFilterBindingDef *def, VbError *err) {
        NWFilterStore *st = c->nwfilters;
        if (!st || !st->privileged) {
                nwfilter_binding_def_free(def);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NWFILTER,
                                    "Can't define NWFilter bindings in session mode");
        }
        return binding_add(st, def, err) ? 0 : -1;
}

void nwfilter_binding_remove(Connection *c, const char *portdev) {
        VbError err = { 0 };
        NWFilterBinding *b = c->nwfilters ? nwfilter_binding_lookup(c, portdev, &err) : NULL;
        if (b && nwfilter_binding_delete(c, b, &err) < 0)
                log_warning("filter binding %s not removed: %s", portdev, err.message);
}

int nwfilter_when_applied(Connection *c, void (*fn)(void *data, bool ok), void *data) {
        NWFilterStore *st = c->nwfilters;
        if (!st || !st->applier || !st->applier->when_applied)
                return 0;
        int r = st->applier->when_applied(st, fn, data);
        if (r < 0)
                log_warning("the network filter rules are not in place: %s", strerror(-r));
        return r < 0 ? -1 : r > 0;
}

void nwfilter_set_applier(Connection *c, const NWFilterApplier *applier, void *data) {
        if (!c->nwfilters)
                return;
        c->nwfilters->applier = applier;
        c->nwfilters->applier_data = data;
        apply(c->nwfilters);
}

int nwfilter_binding_delete(Connection *c, NWFilterBinding *b, VbError *err) {
        NWFilterStore *st = c->nwfilters;
        char name[300];
        if (!st->privileged)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NWFILTER,
                                    "Can't define NWFilter bindings in session mode");
        file_name(b->def->portdev, name);
        if (st->binding_dir && persist_remove(st->binding_dir, name, err) < 0)
                return -1;
        size_t i = (size_t) (b - st->bindings);
        nwfilter_binding_def_free(b->def);
        memmove(&st->bindings[i], &st->bindings[i + 1], (st->n_bindings - i - 1) * sizeof *b);
        st->n_bindings--;
        apply(st);
        return 0;
}

char *nwfilter_binding_xml(NWFilterBinding *b, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "nwfilterBindingGetXMLDesc", err) < 0)
                return NULL;
        char *xml = nwfilter_binding_def_format(b->def);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "binding XML");
        return xml;
}

NWFilterStore *nwfilter_binding_list_store(Connection *c, unsigned flags, VbError *err) {
        NWFilterStore *st = nwfilter_store(c, "virConnectListAllNWFilterBindings", err);
        if (st && vb_check_flags(flags, 0, "nwfilterConnectListAllNWFilterBindings", err) < 0)
                return NULL;
        return st;
}
