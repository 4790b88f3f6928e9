/* domain-seclabel.c: virDomainGetSecurityLabelList: none for an inactive domain (as libvirt), else the driver's labels, one per security driver. */
#include "domain-seclabel.h"

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
