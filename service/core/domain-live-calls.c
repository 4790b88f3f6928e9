/* domain-live-calls.c: small calls that act on a running domain through its driver: the checks libvirt makes, then the op under the domain's modify job. */
#define LOG_MODULE "domain"
#include "domain-live-calls.h"

#include <errno.h>

#include "domain-hotplug-apply.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

static int inject_nmi_live(Domain *d, const void *arg, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->inject_nmi(d, call, err);
}

int domain_inject_nmi(Domain *d, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->inject_nmi)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainInjectNMI");
        if (vb_check_flags(flags, 0, "virDomainInjectNMI", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        log_info("domain %s: injecting an NMI", d->obj.name);
        return domain_run_live(d, NULL, inject_nmi_live, NULL, call, err);
}

/* The definition with n vCPUs (maximum: the <vcpu> count, the current one capped to it). */
static int vcpus_config(Domain *d, unsigned n, bool maximum, DomainDef **old, VbError *err) {
        if (!maximum && n > d->def->vcpus)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "requested vcpus is greater than max allowable vcpus for the persistent domain: %u > %u",
                                    n, d->def->vcpus);
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "vcpus");
        if (maximum) {
                nd->vcpus = n;
                if (nd->current_vcpus > n)
                        nd->current_vcpus = n;
        } else {
                nd->current_vcpus = n;
        }
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        *old = d->def;
        d->def = nd;
        return 0;
}

static int set_vcpus_live(Domain *d, const void *arg, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->set_vcpus(d, *(const unsigned *) arg, call, err);
}

int domain_set_vcpus(Domain *d, unsigned n, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_vcpus)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetVcpusFlags");
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | DOMAIN_VCPU_MAXIMUM |
                           DOMAIN_VCPU_HOTPLUGGABLE, "virDomainSetVcpusFlags", err) < 0)
                return -1;
        if (n == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "nvcpus in virDomainSetVcpusFlags must not be zero");
        if ((flags & DOMAIN_VCPU_MAXIMUM) && !(flags & DOMAIN_AFFECT_CONFIG))      /* libvirt's client says so */
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'");
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        bool maximum = flags & DOMAIN_VCPU_MAXIMUM;
        if (live && maximum)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "maximum vcpu count of a live domain can't be modified");
        if (live && n > d->live->vcpus)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "requested vcpus is greater than max allowable vcpus for the live domain: %u > %u",
                                    n, d->live->vcpus);
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        DomainDef *old = NULL;
        int r = config ? vcpus_config(d, n, maximum, &old, err) : 0;
        if (r < 0 || !live) {
                domain_def_free(old);
                domain_job_end(d);
                return r;
        }
        log_info("domain %s: %u vCPUs live", d->obj.name, n);
        return domain_run_live(d, old, set_vcpus_live, &n, call, err);
}
