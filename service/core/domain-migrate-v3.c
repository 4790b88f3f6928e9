/* domain-migrate-v3.c: managed v3 migration's steps (Begin, Prepare, Perform, Finish, Confirm) as the client drives them between two connections: libvirt's checks, the domain objects on each side, then the driver's DomainMigrateOps. */
#define LOG_MODULE "domain"
#include "domain-migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-conf.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"
#include "manager.h"

#define MIGRATE_FLAGS (DOMAIN_MIGRATE_LIVE | DOMAIN_MIGRATE_PERSIST_DEST | DOMAIN_MIGRATE_UNDEFINE_SOURCE | \
                       DOMAIN_MIGRATE_PAUSED | DOMAIN_MIGRATE_CHANGE_PROTECTION | DOMAIN_MIGRATE_UNSAFE | \
                       DOMAIN_MIGRATE_ABORT_ON_ERROR | DOMAIN_MIGRATE_AUTO_CONVERGE | DOMAIN_MIGRATE_POSTCOPY | \
                       DOMAIN_MIGRATE_PEER2PEER)

static const DomainMigrateOps *v3_ops(Connection *c, const char *fn, VbError *err) {
        const DomainMigrateOps *ops = c->driver->migrate;
        if (!ops || !ops->prepare || !ops->perform || !ops->finish) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", fn);
                return NULL;
        }
        return ops;
}

/* Tunnelled migration is not served: refused as libvirt refuses a flag. PEER2PEER: the source
 * drives the destination itself (domain-migrate-p2p.c), which sees the flag too. */
static int v3_flags(unsigned flags, const char *fn, VbError *err) {
        if (flags & DOMAIN_MIGRATE_TUNNELLED)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "%s: tunnelled migration is not supported", fn);
        return vb_check_flags(flags, MIGRATE_FLAGS, fn, err);
}

static int v3_running(Domain *d, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        return 0;
}

char *domain_migrate_begin(Domain *d, unsigned flags, VbError *err) {
        const char *fn = "virDomainMigrateBegin3Params";
        if (!v3_ops(d->obj.conn, fn, err) || v3_flags(flags, fn, err) < 0 || v3_running(d, err) < 0)
                return NULL;
        log_info("domain %s: migration begins", d->obj.name);
        return domain_get_xml(d, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE, err);
}

/* The driver's start answers the URI's call: the door gets the URI as the result. */
typedef struct PrepareCall {
        Call *outer;
        char uri[DOMAIN_MIGRATE_URI_MAX];
} PrepareCall;

static void prepare_done(Call *inner, int r, const VbError *err, void *result) {
        PrepareCall *pc = inner->userdata;
        call_complete(pc->outer, r < 0 ? -1 : 0, err, r < 0 ? NULL : pc->uri);
        call_unref(pc->outer);
        free(pc);
}

static int prepare_run(Domain *d, const DomainMigrateOps *ops, DomainDef *live, const char *listen, Call *call,
                       char *uri, size_t len, VbError *err) {
        PrepareCall *pc = calloc(1, sizeof *pc);
        Call *inner = pc ? call_new(CALL_DOOR_INTERNAL, &call->who, prepare_done, pc) : NULL;
        if (!inner) {
                free(pc);
                domain_def_free(live);
                return vb_error_errno(err, -ENOMEM, "migration");
        }
        pc->outer = call_ref(call);
        int r = ops->prepare(d, live, listen, inner, pc->uri, sizeof pc->uri, err);
        snprintf(uri, len, "%s", pc->uri);
        if (r != VERB_PENDING) {        /* answered now: the inner call is not needed */
                call_unref(pc->outer);
                inner->userdata = NULL;
                inner->done = NULL;
                free(pc);
        }
        call_unref(inner);
        return r;
}

int domain_migrate_prepare(Connection *c, const char *xml, const char *listen, unsigned flags, Call *call,
                           char *uri, size_t len, VbError *err) {
        const char *fn = "virDomainMigratePrepare3Params";
        const DomainMigrateOps *ops = v3_ops(c, fn, err);
        if (!ops || v3_flags(flags, fn, err) < 0)
                return -1;
        if (!xml || !*xml)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "no domain XML passed");
        Domain *d = NULL;
        c->keep_layout = true;          /* the source's guest, as it runs */
        DomainDef *def = domain_parse_for(c, xml, strlen(xml), false, &d, err);
        c->keep_layout = false;
        if (!def)
                return -1;
        if (d && domain_is_active(d)) {
                domain_def_free(def);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain '%s' is already active",
                                    d->obj.name);
        }
        DomainDef *live = domain_def_copy(def);
        bool added = false;
        if (!d) {
                if (!live || domain_add(c, def, false, &d, err) < 0) {
                        domain_def_free(def);
                        domain_def_free(live);
                        return live ? -1 : vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, "domain definition");
                }
                def = NULL;
                added = true;
                notify_simple(&d->obj, NOTICE_ADDED);
        }
        domain_def_free(def);
        domain_ref(d);
        int r = live ? domain_job_begin(d, DOMAIN_JOB_START, err) : vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, "definition");
        if (r == 0) {
                log_info("domain %s: incoming migration prepared", d->obj.name);
                r = prepare_run(d, ops, live, listen, call, uri, len, err);
                live = NULL;
                if (r != VERB_PENDING)
                        domain_job_end(d);
        }
        domain_def_free(live);
        if (r < 0 && added && !d->removed && !domain_is_active(d))
                domain_remove(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

static const DomainMigrateOps *perform_check(Domain *d, unsigned flags, VbError *err) {
        const char *fn = "virDomainMigratePerform3Params";
        const DomainMigrateOps *ops = v3_ops(d->obj.conn, fn, err);
        return !ops || v3_flags(flags, fn, err) < 0 || v3_running(d, err) < 0 ? NULL : ops;
}

int domain_migrate_perform_check(Domain *d, unsigned flags, VbError *err) {
        return perform_check(d, flags, err) ? 0 : -1;
}

int domain_migrate_perform_direct(Domain *d, const char *uri, unsigned flags, Call *call, VbError *err) {
        const DomainMigrateOps *ops = perform_check(d, flags, err);
        if (!ops)
                return -1;
        if (!uri || !*uri)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "migration URI is required");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        domain_ref(d);
        log_info("domain %s: migrating to %s", d->obj.name, uri);
        int r = ops->perform(d, uri, flags, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

static void ignore_done(Call *call, int r, const VbError *err, void *result) {
}

/* PERSIST_DEST: the arrived definition defined here too. */
static int persist(Domain *d, VbError *err) {
        char *xml = domain_get_xml(d, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_INACTIVE, err);
        if (!xml)
                return -1;
        int r = domain_define(d->obj.conn, xml, strlen(xml), 0, NULL, err);
        free(xml);
        return r;
}

int domain_migrate_finish(Connection *c, const char *dname, unsigned flags, bool cancelled, Call *call,
                          Domain **out, VbError *err) {
        const char *fn = "virDomainMigrateFinish3Params";
        const DomainMigrateOps *ops = v3_ops(c, fn, err);
        if (!ops || v3_flags(flags, fn, err) < 0)
                return -1;
        if (!dname || !*dname)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "missing destination name");
        Domain *d = domain_lookup_name(c, dname, err);
        if (!d)
                return -1;
        if (cancelled) {
                /* The source failed: what was started for the stream goes (a transient one entirely). */
                if (domain_is_active(d)) {
                        log_info("domain %s: incoming migration cancelled", d->obj.name);
                        Call *inner = call_new(CALL_DOOR_INTERNAL, &call->who, ignore_done, NULL);
                        VbError e = { 0 };
                        if (!inner || domain_destroy(d, 0, inner, &e) < 0)
                                log_warning("domain %s: not destroyed: %s", d->obj.name, inner ? e.message : "out of memory");
                        call_unref(inner);
                }
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "migration of domain '%s' was cancelled",
                                    dname);
        }
        if (v3_running(d, err) < 0)
                return -1;
        if ((flags & DOMAIN_MIGRATE_PERSIST_DEST) && !d->persistent && persist(d, err) < 0)
                return -1;
        *out = d;
        return ops->finish(d, flags & DOMAIN_MIGRATE_PAUSED, call, err);
}

int domain_migrate_confirm(Domain *d, unsigned flags, bool cancelled, Call *call, VbError *err) {
        const char *fn = "virDomainMigrateConfirm3Params";
        if (!v3_ops(d->obj.conn, fn, err) || v3_flags(flags, fn, err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        const DomainMigrateOps *ops = d->obj.conn->driver->migrate;
        if (ops->confirm)
                ops->confirm(d, cancelled);
        if (cancelled) {
                /* The guest stays here; one the migration left paused runs again. */
                log_info("domain %s: migration cancelled, the guest stays", d->obj.name);
                if (d->state == DOMAIN_PAUSED && !(flags & DOMAIN_MIGRATE_PAUSED))
                        return domain_resume(d, call, err);
                return 0;
        }
        log_info("domain %s: migrated away", d->obj.name);
        if ((flags & DOMAIN_MIGRATE_UNDEFINE_SOURCE) && d->persistent && domain_undefine(d, 0, err) < 0)
                log_warning("domain %s: not undefined after its migration: %s", d->obj.name, err->message);
        return domain_is_active(d) ? domain_destroy(d, 0, call, err) : 0;
}
