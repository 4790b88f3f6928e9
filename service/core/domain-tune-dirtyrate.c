/* domain-tune-dirtyrate.c: virDomainStartDirtyRateCalc: libvirt's checks, then the driver's measurement (QEMU: calc-dirty-rate), whose result the stats' dirtyrate group reports (query-dirty-rate). */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include "domain.h"
#include "driver.h"
#include "log.h"

int domain_start_dirty_rate_calc(Domain *d, int seconds, unsigned flags, Call *call, VbError *err) {
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (!ops || !ops->start_dirty_rate_calc)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainStartDirtyRateCalc");
        if (vb_check_flags(flags, DOMAIN_DIRTYRATE_BITMAP | DOMAIN_DIRTYRATE_RING, "virDomainStartDirtyRateCalc", err) < 0)
                return -1;
        if ((flags & DOMAIN_DIRTYRATE_BITMAP) && (flags & DOMAIN_DIRTYRATE_RING))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "Flags 'VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP' and "
                                    "'VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING' are mutually exclusive");
        if (seconds < 1 || seconds > 60)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "seconds=%d is invalid, please choose value within [1, 60].", seconds);
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        const char *mode = flags & DOMAIN_DIRTYRATE_BITMAP ? "dirty-bitmap"
                           : flags & DOMAIN_DIRTYRATE_RING ? "dirty-ring"
                                                           : "page-sampling";
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        domain_ref(d);
        log_info("domain %s: measuring the dirty page rate for %d s (%s)", d->obj.name, seconds, mode);
        int r = ops->start_dirty_rate_calc(d, seconds, mode, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
