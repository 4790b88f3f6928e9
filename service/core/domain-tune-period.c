/* domain-tune-period.c: virDomainSetMemoryStatsPeriod: the balloon's statistics period, live through the driver (QEMU: qom-set guest-stats-polling-interval) and/or in the persistent <memballoon><stats period>; the persistent change is made only once the live one has succeeded (domain-tune-later.c). */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

static bool has_balloon(const DomainDef *def) {
        const DomainMemballoon *b = def && def->priv ? &def->priv->devices.memballoon : NULL;
        return b && b->model && strcmp(b->model, "none") != 0;
}

static void set_period(DomainDef *def, int period) {
        def->priv->devices.memballoon.stats_period = (ConfInt) { .set = period > 0, .v = period };
}

static int save_config(Domain *d, int period, VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        set_period(nd, period);
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

/* b: the running guest changes too */
static int period_live(Domain *d, int period, int live, Call *inner, VbError *err) {
        return d->obj.conn->driver->tune->set_memory_stats_period(d, period, inner, err);
}

static int period_record(Domain *d, int period, int live, bool config, VbError *err) {
        if (live && d->live)
                set_period(d->live, period);
        return config ? save_config(d, period, err) : 0;
}

int domain_set_memory_stats_period(Domain *d, int period, unsigned flags, Call *call, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainSetMemoryStatsPeriod", err) < 0)
                return -1;
        if (period < 0)
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "period in virDomainSetMemoryStatsPeriod must be zero or greater");
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        /* libvirt's test driver's error (internal); the texts agree */
        if ((live && !has_balloon(d->live)) || (config && !has_balloon(d->def)))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                                    "No memory balloon device configured, can not set the collection period");
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        if (!live || !ops || !ops->set_memory_stats_period) {
                int r = period_record(d, period, live, config, err);
                domain_job_end(d);
                return r;
        }
        log_debug("domain %s: balloon statistics every %d s (%s%s)", d->obj.name, period, live ? "live" : "",
                  config ? " config" : "");
        return domain_tune_live(d, period_live, period_record, period, 1, config, call, err);
}
