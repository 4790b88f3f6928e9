/* domain-tune-period.c: virDomainSetMemoryStatsPeriod: the balloon's statistics period, live through the driver (QEMU: qom-set guest-stats-polling-interval) and/or in the persistent <memballoon><stats period>; the persistent change is made only once the live one has succeeded. */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
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

typedef struct PeriodRequest {
        Call *outer;
        Domain *d;
        int period;
        bool config;
} PeriodRequest;

static void period_done(Call *inner, int r, const VbError *err, void *result) {
        PeriodRequest *q = inner->userdata;
        VbError e = { 0 };
        if (r >= 0 && q->d->live)
                set_period(q->d->live, q->period);
        if (r >= 0 && q->config && save_config(q->d, q->period, &e) < 0)
                call_complete(q->outer, -1, &e, NULL);
        else
                call_complete(q->outer, r < 0 ? -1 : 0, err, NULL);
        call_unref(q->outer);
        domain_unref(q->d);
        free(q);
}

int domain_set_memory_stats_period(Domain *d, int period, unsigned flags, Call *call, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainSetMemoryStatsPeriod", err) < 0)
                return -1;
        if (period < 0)
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "period in virDomainSetMemoryStatsPeriod must be zero or greater");
        if (!(flags & (DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG)))
                flags |= domain_is_active(d) ? DOMAIN_AFFECT_LIVE : DOMAIN_AFFECT_CONFIG;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (live && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (config && !d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "transient domains do not have any persistent config");
        /* libvirt's test driver's error (internal); the texts agree */
        if ((live && !has_balloon(d->live)) || (config && !has_balloon(d->def)))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                                    "No memory balloon device configured, can not set the collection period");
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        if (!live || !ops || !ops->set_memory_stats_period) {
                int r = config ? save_config(d, period, err) : 0;
                if (r == 0 && live)
                        set_period(d->live, period);
                domain_job_end(d);
                return r;
        }
        PeriodRequest *q = calloc(1, sizeof *q);
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, period_done, q) : NULL;
        if (!inner) {
                free(q);
                domain_job_end(d);
                return vb_error_errno(err, -ENOMEM, "memory stats period");
        }
        *q = (PeriodRequest) { .outer = call_ref(call), .d = domain_ref(d), .period = period, .config = config };
        log_debug("domain %s: balloon statistics every %d s (%s%s)", d->obj.name, period, live ? "live" : "",
                  config ? " config" : "");
        int r = ops->set_memory_stats_period(d, period, inner, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        /* answered at once: the op ended nothing, the job is still ours */
        domain_job_end(d);
        if (r == 0) {
                set_period(d->live, period);
                if (config)
                        r = save_config(d, period, err);
        }
        call_unref(q->outer);
        domain_unref(q->d);
        free(q);
        inner->userdata = NULL;
        call_unref(inner);
        return r < 0 ? -1 : 0;
}
