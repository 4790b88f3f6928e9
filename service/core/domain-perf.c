/* domain-perf.c: virDomainGetPerfEvents / SetPerfEvents over <perf> (conf's domain-perf.c) and the driver's counters. */
#define LOG_MODULE "domain"
#include "domain-perf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain-tune-ops.h"
#include "driver.h"
#include "log.h"

#define DOMAIN_PERF_STRING_OKAY (1u << 2)      /* VIR_TYPED_PARAM_STRING_OKAY */

_Static_assert(DOMAIN_PERF_NEVENTS <= 32, "perf events fit DomainStats.perf_open");

static const DomainTuneOps *perf_ops(const Domain *d) {
        const DomainTuneOps *t = d->obj.conn->driver->tune;
        return t && t->set_perf_events ? t : NULL;
}

/* libvirt's virDomainObjUpdateModificationImpact: CURRENT is the live definition of a running
 * domain, else the persistent one. both_ok: LIVE with CONFIG allowed (a set on a driver with
 * counters, as libvirt's QEMU driver). */
static int perf_pick(Domain *d, unsigned *flags, bool both_ok, const char *api, VbError *err) {
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, api, err) < 0)
                return -1;
        if (!both_ok && (*flags & DOMAIN_AFFECT_LIVE) && (*flags & DOMAIN_AFFECT_CONFIG))
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        return domain_affect_resolve(d, flags, true, NULL, err);
}

int domain_get_perf_events(Domain *d, unsigned flags, DomainTuneParam *out, VbError *err) {
        /* VIR_TYPED_PARAM_STRING_OKAY is accepted (libvirt's drivers do) and means nothing here */
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | DOMAIN_PERF_STRING_OKAY,
                           "virDomainGetPerfEvents", err) < 0)
                return -1;
        flags &= ~DOMAIN_PERF_STRING_OKAY;
        if (perf_pick(d, &flags, false, "virDomainGetPerfEvents", err) < 0)
                return -1;
        const DomainDef *def = flags & DOMAIN_AFFECT_LIVE ? d->live : d->def;
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++) {
                snprintf(out[i].name, sizeof out[i].name, "%s", domain_perf_event_name(i));
                out[i].type = DOMAIN_STAT_BOOLEAN;
                out[i].ull = def && def->priv && def->priv->perf[i] == DOMAIN_PERF_YES;
        }
        return DOMAIN_PERF_NEVENTS;
}

static const char *typed_param_type_name(DomainStatType t) {
        static const char *const names[] = { "", "int", "uint", "llong", "ullong", "double", "boolean", "string" };
        return (unsigned) t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static const DomainTuneParam *sort_base;
static int by_name(const void *a, const void *b) {
        return strcmp(sort_base[*(const size_t *) a].name, sort_base[*(const size_t *) b].name);
}

/* libvirt's virTypedParamsValidate: the parameters sorted by name, the first bad one named (an
 * unknown name, one given twice, a type other than boolean); want[] gets the values. */
static int perf_params_check(const DomainTuneParam *params, size_t n, int8_t want[DOMAIN_PERF_NEVENTS], VbError *err) {
        size_t order[DOMAIN_PERF_NEVENTS + 1];
        if (n > DOMAIN_PERF_NEVENTS) {
                /* more than the events there are: one name must repeat or be unknown; found below */
                n = DOMAIN_PERF_NEVENTS + 1;
        }
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        sort_base = params;
        qsort(order, n, sizeof order[0], by_name);
        for (size_t k = 0; k < n; k++) {
                const DomainTuneParam *p = &params[order[k]];
                int ev = domain_perf_event_index(p->name);
                if (ev < 0)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                if (k > 0 && strcmp(params[order[k - 1]].name, p->name) == 0)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "parameter '%s' occurs multiple times", p->name);
                if (p->type != DOMAIN_STAT_BOOLEAN)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type '%s' for parameter '%s', expected 'boolean'",
                                            typed_param_type_name(p->type), p->name);
                want[ev] = p->ull ? 1 : 0;
        }
        return 0;
}

/* A copy of the persistent definition with want[] applied, saved; it replaces d->def. */
static int perf_save_config(Domain *d, const int8_t want[DOMAIN_PERF_NEVENTS], VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                if (want[i] >= 0)
                        nd->priv->perf[i] = want[i] ? DOMAIN_PERF_YES : DOMAIN_PERF_NO;
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

int domain_set_perf_events(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        const DomainTuneOps *ops = perf_ops(d);
        int8_t want[DOMAIN_PERF_NEVENTS];
        memset(want, -1, sizeof want);
        if (perf_pick(d, &flags, ops != NULL, "virDomainSetPerfEvents", err) < 0 ||
            perf_params_check(params, n, want, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        int r = 0;
        if (live) {
                bool on[DOMAIN_PERF_NEVENTS];
                for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                        on[i] = want[i] >= 0 ? want[i] == 1 : d->live->priv->perf[i] == DOMAIN_PERF_YES;
                if (ops && ops->set_perf_events(d, on, err) < 0)
                        r = -1;
                for (unsigned i = 0; r == 0 && i < DOMAIN_PERF_NEVENTS; i++)
                        if (want[i] >= 0)
                                d->live->priv->perf[i] = want[i] ? DOMAIN_PERF_YES : DOMAIN_PERF_NO;
                VbError e = { 0 };
                if (r == 0 && ops && domain_save_status(d, &e) < 0)
                        log_warning("domain %s: status not saved: %s", d->obj.name, e.message);
        }
        if (r == 0 && config)
                r = perf_save_config(d, want, err);
        if (r == 0)
                log_info("domain %s: perf events set (%s%s)", d->obj.name, live ? "live" : "", config ? " config" : "");
        domain_job_end(d);
        return r;
}

void domain_perf_stats_fill(Domain *d, DomainStats *st) {
        const DomainTuneOps *t = d->obj.conn->driver->tune;
        if (!domain_is_active(d) || !t || !t->read_perf_events)
                return;
        uint64_t counts[DOMAIN_PERF_NEVENTS] = { 0 };
        uint32_t open = 0;
        t->read_perf_events(d, &open, counts);
        st->perf_open = open;
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                st->perf_count[i] = counts[i];
}
