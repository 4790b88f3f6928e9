/* domain-define.c: a domain's definition changed and saved: define, undefine (with its snapshots' and checkpoints' metadata), autostart, metadata. */
#define LOG_MODULE "core"
#include "domain.h"

#include <errno.h>

#include "checkpoint.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"
#include "snapshot.h"

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

/* AFFECT_CURRENT means the live definition of a running domain, else the persistent one. */
static int domain_pick_defs(Domain *d, unsigned flags, DomainDef **live, DomainDef **config, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainMetadata", err) < 0)
                return -1;
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
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
