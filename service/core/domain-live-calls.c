/* domain-live-calls.c: small calls that act on a running domain through its driver: the checks libvirt makes, then the op under the domain's modify job. */
#define LOG_MODULE "domain"
#include "domain-live-calls.h"

#include "driver.h"
#include "log.h"

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
        domain_ref(d);
        log_info("domain %s: injecting an NMI", d->obj.name);
        int r = ops->inject_nmi(d, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
