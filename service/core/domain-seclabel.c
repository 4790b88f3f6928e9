/* domain-seclabel.c: virDomainGetSecurityLabel(List): none for an inactive domain (as libvirt), else the driver's labels, one per security driver (GetSecurityLabel: the primary driver's, the first). */
#include "domain-seclabel.h"

#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "driver.h"

int domain_security_label_list(Domain *d, DomainSecLabel out[DOMAIN_SECLABEL_MAX], VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->security_labels)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainGetSecurityLabelList");
        if (!domain_is_active(d))
                return 0;
        memset(out, 0, sizeof(DomainSecLabel) * DOMAIN_SECLABEL_MAX);
        return ops->security_labels(d, out, DOMAIN_SECLABEL_MAX, err);
}

int domain_security_label(Domain *d, DomainSecLabel *out, VbError *err) {
        const Driver *drv = d->obj.conn->driver;
        memset(out, 0, sizeof *out);
        if (drv->domain && drv->domain->security_labels) {
                static DomainSecLabel all[DOMAIN_SECLABEL_MAX];
                int n = domain_security_label_list(d, all, err);
                if (n < 0)
                        return -1;
                if (n > 0)
                        *out = all[0];
                return 0;
        }
        /* a driver without a stack (Test): its constant label, enforced, while running */
        const char *label = domain_is_active(d) ? drv->security_label : NULL;
        snprintf(out->label, sizeof out->label, "%s", label ? label : "");
        out->enforcing = label != NULL;
        return 0;
}
