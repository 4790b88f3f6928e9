/* domain.c: Domain objects: made, found, removed, a definition parsed for a connection; their XML, info, OS and scheduler type (domain-define.c defines and undefines them). */
#define LOG_MODULE "core"
#include "domain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backup-conf.h"
#include "checkpoint-tree.h"
#include "driver.h"
#include "log.h"
#include "snapshot-tree.h"
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

