/* domain-sched.c: virDomainGet/SetSchedulerParameters(Flags): the definition's <cputune> (posix: cpu_shares, vcpu_period, vcpu_quota) or the Test driver's fixed "fair" weight. */
#define LOG_MODULE "domain"
#include "domain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

#define FAIR_WEIGHT 50u         /* what libvirt's test driver answers, whatever is set */
#define PERIOD_MIN 1000ULL
#define PERIOD_MAX 1000000ULL
#define QUOTA_MIN 1000LL
#define QUOTA_MAX 17592186044415LL
#define SHARES_MIN 2ULL
#define SHARES_MAX 262144ULL

static bool is_fair(const Domain *d) {
        const char *s = d->obj.conn->driver->scheduler;
        return s && strcmp(s, "fair") == 0;
}

static void param(DomainTuneParam *p, const char *name, DomainStatType type, uint64_t v) {
        snprintf(p->name, sizeof p->name, "%s", name);
        p->type = type;
        p->ull = v;
}

static int sched_pick(Domain *d, unsigned *flags, bool set, VbError *err) {
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG,
                           set ? "virDomainSetSchedulerParametersFlags" : "virDomainGetSchedulerParametersFlags",
                           err) < 0)
                return -1;
        return domain_affect_resolve(d, flags, set, NULL, err);
}

int domain_get_sched_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_SCHED_NPARAMS_MAX], VbError *err) {
        /* libvirt's test driver takes no flag at all, not even the VIR_TYPED_PARAM_STRING_OKAY
         * a remote client adds; QEMU's takes that one and ignores it. */
        if (is_fair(d) && vb_check_flags(flags, 0, "testDomainGetSchedulerParametersFlags", err) < 0)
                return -1;
        flags &= ~(1u << 2);    /* VIR_TYPED_PARAM_STRING_OKAY */
        if (sched_pick(d, &flags, false, err) < 0)
                return -1;
        if (is_fair(d)) {
                param(&out[0], "weight", DOMAIN_STAT_UINT, FAIR_WEIGHT);
                return 1;
        }
        const DomainDef *def = flags & DOMAIN_AFFECT_LIVE ? d->live : d->def;
        const DomainCputune *t = &def->priv->cputune;
        /* unset: the kernel's defaults (cpu.shares 1024, a 100 ms period, no quota) */
        param(&out[0], "cpu_shares", DOMAIN_STAT_ULLONG, t->shares.set ? (uint64_t) t->shares.v : 1024);
        param(&out[1], "vcpu_period", DOMAIN_STAT_ULLONG, t->period.set ? (uint64_t) t->period.v : 100000);
        param(&out[2], "vcpu_quota", DOMAIN_STAT_LLONG, (uint64_t) (t->quota.set ? t->quota.v : -1));
        return 3;
}

/* The new <cputune> values from the old ones and params, checked whole. */
static int cputune_merge(DomainCputune *t, const DomainTuneParam *params, size_t n, VbError *err) {
        for (size_t k = 0; k < n; k++) {
                const DomainTuneParam *p = &params[k];
                bool shares = strcmp(p->name, "cpu_shares") == 0, period = strcmp(p->name, "vcpu_period") == 0,
                     quota = strcmp(p->name, "vcpu_quota") == 0;
                if (!shares && !period && !quota)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                DomainStatType want = quota ? DOMAIN_STAT_LLONG : DOMAIN_STAT_ULLONG;
                if (p->type != want)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter '%s', expected '%s'", p->name,
                                            quota ? "llong" : "ullong");
                long long q = (long long) p->ull;
                if ((shares && (p->ull < SHARES_MIN || p->ull > SHARES_MAX)) ||
                    (period && (p->ull < PERIOD_MIN || p->ull > PERIOD_MAX)) ||
                    (quota && q != -1 && (q < QUOTA_MIN || q > QUOTA_MAX)))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "value of '%s' is out of range [%lld, %lld]", p->name,
                                            shares ? (long long) SHARES_MIN : period ? (long long) PERIOD_MIN : QUOTA_MIN,
                                            shares ? (long long) SHARES_MAX : period ? (long long) PERIOD_MAX : QUOTA_MAX);
                ConfInt *slot = shares ? &t->shares : period ? &t->period : &t->quota;
                slot->set = true;
                slot->v = q;
        }
        return 0;
}

/* libvirt's test driver checks the names and types and keeps nothing. */
static int fair_check(const DomainTuneParam *params, size_t n, VbError *err) {
        for (size_t k = 0; k < n; k++) {
                if (strcmp(params[k].name, "weight") != 0)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", params[k].name);
                if (params[k].type != DOMAIN_STAT_UINT)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter 'weight', expected 'uint'");
        }
        return 0;
}

int domain_set_sched_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (sched_pick(d, &flags, true, err) < 0)
                return -1;
        if (is_fair(d))
                return fair_check(params, n, err);
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        DomainCputune lt = { 0 }, ct = { 0 };
        if (live) {
                lt = d->live->priv->cputune;    /* shallow: only the scalar fields are changed */
                if (cputune_merge(&lt, params, n, err) < 0)
                        return -1;
        }
        if (config) {
                ct = d->def->priv->cputune;
                if (cputune_merge(&ct, params, n, err) < 0)
                        return -1;
        }
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (live && !(ops && ops->set_cputune))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetSchedulerParametersFlags");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        int r = 0;
        if (live && ops->set_cputune(d, &lt, err) < 0)
                r = -1;
        if (r == 0 && live) {
                DomainCputune *cur = &d->live->priv->cputune;
                cur->shares = lt.shares;
                cur->period = lt.period;
                cur->quota = lt.quota;
        }
        if (r == 0 && config) {
                DomainDef *nd = domain_def_copy(d->def);
                if (!nd) {
                        r = vb_error_errno(err, -ENOMEM, "copy domain definition");
                } else {
                        nd->priv->cputune.shares = ct.shares;
                        nd->priv->cputune.period = ct.period;
                        nd->priv->cputune.quota = ct.quota;
                        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                                domain_def_free(nd);
                                r = -1;
                        } else {
                                domain_def_free(d->def);
                                d->def = nd;
                        }
                }
        }
        domain_job_end(d);
        return r;
}
