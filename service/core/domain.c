/* domain.c: Domain objects: lookup, define and undefine, XML, metadata, autostart. */
#define LOG_MODULE "core"
#include "domain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-persist.h"
#include "driver.h"
#include "log.h"
#include "snapshot.h"
#include "checkpoint.h"
#include "backup-conf.h"
#include "uuid.h"

Domain *domain_ref(Domain *d) {
        if (d)
                d->n_ref++;
        return d;
}

static void domain_free(Domain *d) {
        const Driver *drv = d->obj.conn->driver;
        if (drv->domain && drv->domain->forget)
                drv->domain->forget(d);
        domain_def_free(d->def);
        domain_def_free(d->live);
        snapshot_tree_free(d->snapshots);
        checkpoint_tree_free(d->checkpoints);
        backup_def_free(d->backup);
        free(d->obj.name);
        free(d);
}

Domain *domain_unref(Domain *d) {
        if (d && --d->n_ref == 0)
                domain_free(d);
        return NULL;
}

static Domain *domain_new(Connection *c, const DomainDef *def) {
        Domain *d = calloc(1, sizeof *d);
        if (!d)
                return NULL;
        d->obj.kind = OBJECT_DOMAIN;
        d->obj.conn = c;
        d->obj.id = -1;
        memcpy(d->obj.uuid, def->uuid, 16);
        d->obj.name = strdup(def->name);
        if (!d->obj.name) {
                free(d);
                return NULL;
        }
        d->state = DOMAIN_SHUTOFF;
        d->reason = SHUTOFF_UNKNOWN;
        d->n_ref = 1;
        return d;
}

int domain_add(Connection *c, DomainDef *def, bool persistent, Domain **out, VbError *err) {
        Domain *d = domain_new(c, def);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "domain");
        int r = registry_add(&c->domains, &d->obj);
        if (r < 0) {
                domain_unref(d);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "domain '%s' already exists", def->name);
        }
        if (persistent)
                d->def = def;
        else
                d->live = def;
        d->persistent = persistent;
        if (out)
                *out = d;
        return 0;
}

/* Out of the registry and announced gone; freed when the last verb lets go. */
void domain_remove(Domain *d) {
        if (d->removed)
                return;
        notify_simple(&d->obj, NOTICE_REMOVED);
        registry_remove(&d->obj.conn->domains, &d->obj);
        d->removed = true;
        domain_unref(d);
}

void domain_free_all(Connection *c) {
        while (c->domains.first) {
                Domain *d = (Domain *) c->domains.first;
                registry_remove(&c->domains, &d->obj);
                d->removed = true;
                domain_unref(d);
        }
}

Domain *domain_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err) {
        Domain *d = (Domain *) registry_find_uuid(&c->domains, uuid);
        if (!d)   /* libvirt's lookups say no more than this; cockpit compares the text */
                vb_error_set(err, VB_ERR_NO_DOMAIN, connection_error_origin(c), NULL);
        return d;
}

Domain *domain_lookup_name(Connection *c, const char *name, VbError *err) {
        Domain *d = (Domain *) registry_find_name(&c->domains, name);
        if (!d)
                vb_error_set(err, VB_ERR_NO_DOMAIN, connection_error_origin(c), NULL);
        return d;
}

Domain *domain_lookup_id(Connection *c, int id, VbError *err) {
        Domain *d = (Domain *) registry_find_id(&c->domains, id);
        if (!d)
                vb_error_set(err, VB_ERR_NO_DOMAIN, connection_error_origin(c), NULL);
        return d;
}

/* libvirt's rules: a name belongs to one UUID and a UUID to one name. */
static int domain_check_identity(Connection *c, const DomainDef *def, Domain **existing, VbError *err) {
        char s[UUID_STRING_LEN];
        Domain *by_uuid = (Domain *) registry_find_uuid(&c->domains, def->uuid);
        Domain *by_name = (Domain *) registry_find_name(&c->domains, def->name);
        if (by_name && by_name != by_uuid) {
                uuid_format(by_name->obj.uuid, s);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "domain '%s' already exists with uuid %s", def->name, s);
        }
        if (by_uuid && !by_name) {
                uuid_format(by_uuid->obj.uuid, s);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "domain '%s' is already defined with uuid %s", by_uuid->obj.name, s);
        }
        *existing = by_uuid;
        return 0;
}

DomainDef *domain_parse_for(Connection *c, const char *xml, size_t len, bool validate,
                            Domain **existing, VbError *err) {
        DomainDef *def = domain_def_parse(xml, len, validate ? DOMAIN_PARSE_VALIDATE : 0, err);
        if (!def) {
                if (err && err->code == VB_ERR_XML_DETAIL)
                        err->from = VB_FROM_DOMAIN;   /* libvirt reports malformed XML from its parser's user */
                return NULL;
        }
        if (c->driver->domain_post_parse && c->driver->domain_post_parse(c, def, err) < 0)
                return domain_def_free(def);
        if (domain_check_identity(c, def, existing, err) < 0)
                return domain_def_free(def);
        return def;
}

int domain_define(Connection *c, const char *xml, size_t len, unsigned flags, Domain **out, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_DEFINE_VALIDATE, "virDomainDefineXMLFlags", err) < 0)
                return -1;
        Domain *d = NULL;
        DomainDef *def = domain_parse_for(c, xml, len, flags & DOMAIN_DEFINE_VALIDATE, &d, err);
        if (!def)
                return -1;
        if (d && d->job != DOMAIN_JOB_NONE) {
                domain_def_free(def);
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by another job)");
        }
        /* The file first: a definition that could not be saved is not defined. */
        if (domain_save_config(c, def, err) < 0) {
                domain_def_free(def);
                return -1;
        }
        if (!d) {
                if (domain_add(c, def, true, &d, err) < 0) {
                        domain_remove_config(c, def->name, NULL);
                        domain_def_free(def);
                        return -1;
                }
                notify_simple(&d->obj, NOTICE_ADDED);
                notify_lifecycle(&d->obj, EVENT_DEFINED, DEFINED_ADDED);
        } else {
                bool was_persistent = d->persistent;
                unsigned changed = was_persistent ? 0 : PROP_PERSISTENT;
                domain_def_free(d->def);
                d->def = def;
                d->persistent = true;
                if (domain_is_active(d) && !d->updated) {
                        d->updated = true;
                        changed |= PROP_UPDATED;
                }
                if (!domain_is_active(d))
                        changed |= PROP_OSTYPE;
                notify_lifecycle(&d->obj, EVENT_DEFINED, was_persistent ? DEFINED_UPDATED : DEFINED_ADDED);
                notify_changed(&d->obj, changed);
        }
        log_info("domain %s defined", d->obj.name);
        if (out)
                *out = d;
        return 0;
}

int domain_undefine(Domain *d, unsigned flags, VbError *err) {
        /* MANAGED_SAVE, SNAPSHOTS_METADATA, NVRAM, KEEP_NVRAM, CHECKPOINTS_METADATA, TPM, KEEP_TPM */
        if (vb_check_flags(flags, 0x7f, "virDomainUndefineFlags", err) < 0)
                return -1;
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot undefine transient domain");
        if (d->job != DOMAIN_JOB_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by another job)");
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (ops && ops->undefine_check && ops->undefine_check(d, flags, err) < 0)
                return -1;
        if (snapshot_undefine_check(d, flags, err) < 0)
                return -1;
        if (checkpoint_undefine_check(d, flags, err) < 0)
                return -1;
        /* The autostart mark first: a mark left behind would start a domain no longer defined. */
        if (d->autostart && domain_remove_autostart(d->obj.conn, d->obj.name, err) < 0)
                return -1;
        if (domain_remove_config(d->obj.conn, d->obj.name, err) < 0) {
                if (d->autostart && domain_save_autostart(d->obj.conn, d->obj.name, NULL) < 0)
                        log_error("domain %s: its autostart mark is gone though it stays defined", d->obj.name);
                return -1;
        }
        log_info("domain %s undefined", d->obj.name);
        if (ops && ops->undefined)
                ops->undefined(d, d->def, flags);
        snapshot_undefined(d, flags);
        checkpoint_undefined(d, flags);
        notify_lifecycle(&d->obj, EVENT_UNDEFINED, UNDEFINED_REMOVED);
        if (domain_is_active(d)) {
                /* A running domain lives on as a transient one. */
                unsigned changed = PROP_PERSISTENT | (d->autostart ? PROP_AUTOSTART : 0) |
                                   (d->updated ? PROP_UPDATED : 0);
                domain_def_free(d->def);
                d->def = NULL;
                d->persistent = d->autostart = d->updated = false;
                notify_changed(&d->obj, changed);
        } else {
                domain_remove(d);
        }
        return 0;
}

int domain_set_autostart(Domain *d, bool autostart, VbError *err) {
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot set autostart for transient domain");
        if (d->autostart == autostart)
                return 0;
        int r = autostart ? domain_save_autostart(d->obj.conn, d->obj.name, err)
                          : domain_remove_autostart(d->obj.conn, d->obj.name, err);
        if (r < 0)
                return -1;
        d->autostart = autostart;
        notify_changed(&d->obj, PROP_AUTOSTART);
        return 0;
}

char *domain_get_xml(Domain *d, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_UPDATE_CPU |
                                   DOMAIN_FORMAT_MIGRATABLE, "virDomainGetXMLDesc", err) < 0)
                return NULL;
        const DomainDef *def = (flags & DOMAIN_FORMAT_INACTIVE) && d->def ? d->def : domain_current_def(d);
        char *xml = domain_def_format(def, flags);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format domain XML");
        return xml;
}

int domain_get_info(Domain *d, DomainInfo *info, VbError *err) {
        const DomainDef *def = domain_current_def(d);
        const DomainOps *ops = d->obj.conn->driver->domain;
        DomainRuntimeInfo rt = { .memory_kib = def->current_memory_kib };
        if (ops && ops->get_runtime_info && ops->get_runtime_info(d, &rt, err) < 0)
                return -1;
        *info = (DomainInfo) {
                .state = d->state,
                .max_mem_kib = def->memory_kib,
                .memory_kib = rt.memory_kib,
                .vcpus = def->current_vcpus ? def->current_vcpus : def->vcpus,
                .cpu_time_ns = rt.cpu_time_ns,
        };
        return 0;
}

/* AFFECT_CURRENT means the live definition of a running domain, else the persistent one. */
static int domain_pick_defs(Domain *d, unsigned flags, DomainDef **live, DomainDef **config, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainMetadata", err) < 0)
                return -1;
        if (!(flags & (DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG)))
                flags = domain_is_active(d) ? DOMAIN_AFFECT_LIVE : DOMAIN_AFFECT_CONFIG;
        if ((flags & DOMAIN_AFFECT_LIVE) && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if ((flags & DOMAIN_AFFECT_CONFIG) && !d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot change persistent config of a transient domain");
        *live = (flags & DOMAIN_AFFECT_LIVE) ? d->live : NULL;
        *config = (flags & DOMAIN_AFFECT_CONFIG) ? d->def : NULL;
        return 0;
}

int domain_get_metadata(Domain *d, int type, const char *uri, unsigned flags, char **out, VbError *err) {
        DomainDef *live, *config;
        if (domain_pick_defs(d, flags, &live, &config, err) < 0)
                return -1;
        if (live && config)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "flags 'affect live' and 'affect config' are mutually exclusive");
        return domain_def_get_metadata(live ? live : config, type, uri, out, err);
}

int domain_set_metadata(Domain *d, int type, const char *text, const char *key, const char *uri,
                        unsigned flags, VbError *err) {
        DomainDef *live, *config;
        if (domain_pick_defs(d, flags, &live, &config, err) < 0)
                return -1;
        if (d->job != DOMAIN_JOB_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by another job)");
        /* Change copies, save, then swap: a failure leaves both definitions as they were. */
        DomainDef *new_config = NULL, *new_live = NULL;
        if (config && (!(new_config = domain_def_copy(config)) ||
                       domain_def_set_metadata(new_config, type, text, key, uri, err) < 0))
                goto fail;
        if (live && (!(new_live = domain_def_copy(live)) ||
                     domain_def_set_metadata(new_live, type, text, key, uri, err) < 0))
                goto fail;
        if (new_config && domain_save_config(d->obj.conn, new_config, err) < 0)
                goto fail;
        if (new_config) {
                domain_def_free(d->def);
                d->def = new_config;
        }
        if (new_live) {
                new_live->id = d->live->id;
                domain_def_free(d->live);
                d->live = new_live;
        }
        Notice n = { .type = NOTICE_METADATA, .obj = &d->obj, .event = type, .text = uri };
        manager_notify(d->obj.conn->manager, &n);
        return 0;
fail:
        if ((config && !new_config) || (live && !new_live))
                if (err && err->code == VB_ERR_OK)
                        vb_error_errno(err, -ENOMEM, "copy domain definition");
        domain_def_free(new_config);
        domain_def_free(new_live);
        return -1;
}

const char *domain_os_type(const Domain *d) {
        const DomainDef *def = domain_current_def(d);
        if (d->obj.conn->driver->os_type)
                return d->obj.conn->driver->os_type;
        return def && def->os_type ? def->os_type : "hvm";
}

const char *domain_scheduler_type(const Domain *d, int *nparams) {
        const Driver *drv = d->obj.conn->driver;
        *nparams = drv->scheduler ? drv->scheduler_nparams : 5;
        return drv->scheduler ? drv->scheduler : "posix";
}

