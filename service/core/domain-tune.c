/* domain-tune.c: virDomainGetMemoryParameters / SetMemoryParameters: the definition's <memtune>, applied live by the driver (the guest's cgroup). */
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

static const char *const memtune_names[DOMAIN_MEMTUNE_NPARAMS] = { "hard_limit", "soft_limit", "swap_hard_limit" };

static uint64_t *memtune_slot(DomainMemtune *m, size_t i) {
        uint64_t *slots[] = { &m->hard_limit_kib, &m->soft_limit_kib, &m->swap_hard_limit_kib };
        return slots[i];
}

/* CURRENT (0) is the live definition of a running domain, else the persistent one; LIVE and
 * CONFIG together only for a set. */
static int tune_pick(Domain *d, unsigned *flags, bool both_ok, const char *api, VbError *err) {
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, api, err) < 0)
                return -1;
        return domain_affect_resolve(d, flags, both_ok, NULL, err);
}

int domain_get_memory_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_MEMTUNE_NPARAMS], VbError *err) {
        if (tune_pick(d, &flags, false, "virDomainGetMemoryParameters", err) < 0)
                return -1;
        const DomainDef *def = flags & DOMAIN_AFFECT_LIVE ? d->live : d->def;
        DomainMemtune m = def && def->priv ? def->priv->memtune : (DomainMemtune) { 0 };
        for (size_t i = 0; i < DOMAIN_MEMTUNE_NPARAMS; i++) {
                snprintf(out[i].name, sizeof out[i].name, "%s", memtune_names[i]);
                out[i].type = DOMAIN_STAT_ULLONG;
                uint64_t v = *memtune_slot(&m, i);
                out[i].ull = v ? v : DOMAIN_MEMORY_UNLIMITED;
        }
        return DOMAIN_MEMTUNE_NPARAMS;
}

/* The new <memtune> from the old one and params, checked whole before anything changes. */
static int memtune_merge(DomainMemtune *m, const DomainTuneParam *params, size_t n, VbError *err) {
        for (size_t k = 0; k < n; k++) {
                size_t i = 0;
                while (i < DOMAIN_MEMTUNE_NPARAMS && strcmp(params[k].name, memtune_names[i]) != 0)
                        i++;
                if (i == DOMAIN_MEMTUNE_NPARAMS)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", params[k].name);
                if (params[k].type != DOMAIN_STAT_ULLONG)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter '%s', expected 'ullong'", params[k].name);
                if (params[k].ull > DOMAIN_MEMORY_UNLIMITED)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "%s: value too large (at most %llu KiB)", params[k].name,
                                            (unsigned long long) DOMAIN_MEMORY_UNLIMITED);
                *memtune_slot(m, i) = params[k].ull == DOMAIN_MEMORY_UNLIMITED ? 0 : params[k].ull;
        }
        if (m->hard_limit_kib && m->swap_hard_limit_kib && m->hard_limit_kib > m->swap_hard_limit_kib)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "memory hard_limit tunable value must be lower than or equal to swap_hard_limit");
        return 0;
}

int domain_set_memory_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (tune_pick(d, &flags, true, "virDomainSetMemoryParameters", err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        const DomainOps *ops = d->obj.conn->driver->domain;
        DomainMemtune lm = { 0 }, cm = { 0 };
        if (live) {
                lm = d->live->priv->memtune;
                if (memtune_merge(&lm, params, n, err) < 0)
                        return -1;
        }
        if (config) {
                cm = d->def->priv->memtune;
                if (memtune_merge(&cm, params, n, err) < 0)
                        return -1;
        }
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        int r = 0;
        if (live && ops && ops->set_memtune && ops->set_memtune(d, &lm, err) < 0)
                r = -1;
        if (r == 0 && live)
                d->live->priv->memtune = lm;
        if (r == 0 && config) {
                DomainDef *nd = domain_def_copy(d->def);
                if (!nd) {
                        r = vb_error_errno(err, -ENOMEM, "copy domain definition");
                } else {
                        nd->priv->memtune = cm;
                        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                                domain_def_free(nd);
                                r = -1;
                        } else {
                                domain_def_free(d->def);
                                d->def = nd;
                        }
                }
        }
        if (r == 0)
                log_info("domain %s: memtune set (%s%s)", d->obj.name, live ? "live" : "", config ? " config" : "");
        domain_job_end(d);
        return r;
}
