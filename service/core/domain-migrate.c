/* domain-migrate.c: the settings of a running domain's migration: libvirt's checks, then the driver's DomainMigrateOps. */
#define LOG_MODULE "domain"
#include "domain-migrate.h"

#include "driver.h"
#include "log.h"

static const char *const set_names[_DOMAIN_MIGRATE_PARAM_MAX] = {
        [DOMAIN_MIGRATE_DOWNTIME] = "virDomainMigrateSetMaxDowntime",
        [DOMAIN_MIGRATE_SPEED] = "virDomainMigrateSetMaxSpeed",
        [DOMAIN_MIGRATE_SPEED_POSTCOPY] = "virDomainMigrateSetMaxSpeed",
        [DOMAIN_MIGRATE_CACHE] = "virDomainMigrateSetCompressionCache",
};

static const char *const get_names[_DOMAIN_MIGRATE_PARAM_MAX] = {
        [DOMAIN_MIGRATE_DOWNTIME] = "virDomainMigrateGetMaxDowntime",
        [DOMAIN_MIGRATE_SPEED] = "virDomainMigrateGetMaxSpeed",
        [DOMAIN_MIGRATE_SPEED_POSTCOPY] = "virDomainMigrateGetMaxSpeed",
        [DOMAIN_MIGRATE_CACHE] = "virDomainMigrateGetCompressionCache",
};

static const DomainMigrateOps *migrate_ops(const Domain *d) {
        return d->obj.conn->driver->migrate;
}

/* The checks both directions share: the op, the flags (only the speed takes POSTCOPY, which
 * picks the postcopy cap), the domain; *p becomes the parameter the flags name. */
static int param_check(Domain *d, DomainMigrateParam *p, bool has_op, const char *fn, unsigned flags,
                       VbError *err) {
        if (!has_op)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", fn);
        if (vb_check_flags(flags, *p == DOMAIN_MIGRATE_SPEED ? DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0, fn, err) < 0)
                return -1;
        if (flags & DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)
                *p = DOMAIN_MIGRATE_SPEED_POSTCOPY;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        /* The precopy cap of a guest that does not run is kept for its next migration. */
        if (*p != DOMAIN_MIGRATE_SPEED && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        return 0;
}

int domain_migrate_set_param(Domain *d, DomainMigrateParam p, uint64_t value, unsigned flags, Call *call,
                             VbError *err) {
        const DomainMigrateOps *ops = migrate_ops(d);
        if (param_check(d, &p, ops && ops->set_param, set_names[p], flags, err) < 0)
                return -1;
        if ((p == DOMAIN_MIGRATE_SPEED || p == DOMAIN_MIGRATE_SPEED_POSTCOPY) && value > DOMAIN_MIGRATE_BANDWIDTH_MAX)
                return vb_error_set(err, VB_ERR_OVERFLOW, VB_FROM_DOMAIN, "bandwidth must be less than %llu",
                                    (unsigned long long) DOMAIN_MIGRATE_BANDWIDTH_MAX + 1);
        log_info("domain %s: %s %llu", d->obj.name, set_names[p], (unsigned long long) value);
        return ops->set_param(d, p, value, call, err);
}

int domain_migrate_get_param(Domain *d, DomainMigrateParam p, unsigned flags, Call *call, uint64_t *out,
                             VbError *err) {
        const DomainMigrateOps *ops = migrate_ops(d);
        if (param_check(d, &p, ops && ops->get_param, get_names[p], flags, err) < 0)
                return -1;
        return ops->get_param(d, p, call, out, err);
}

int domain_migrate_start_postcopy(Domain *d, unsigned flags, Call *call, VbError *err) {
        const DomainMigrateOps *ops = migrate_ops(d);
        if (!ops || !ops->start_postcopy)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainMigrateStartPostCopy");
        if (vb_check_flags(flags, 0, "virDomainMigrateStartPostCopy", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        log_info("domain %s: switching the migration to postcopy", d->obj.name);
        return ops->start_postcopy(d, call, err);
}
