/* domain-affect.c: which definitions a call with DOMAIN_AFFECT_LIVE/CONFIG flags acts on, checked as libvirt checks them. */
#include "domain.h"

int domain_affect_resolve(Domain *d, unsigned *flags, bool both_ok, const char *transient, VbError *err) {
        if (!(*flags & (DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG)))
                *flags |= domain_is_active(d) ? DOMAIN_AFFECT_LIVE : DOMAIN_AFFECT_CONFIG;
        if (!both_ok && (*flags & DOMAIN_AFFECT_LIVE) && (*flags & DOMAIN_AFFECT_CONFIG))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        if ((*flags & DOMAIN_AFFECT_LIVE) && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if ((*flags & DOMAIN_AFFECT_CONFIG) && !d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "%s",
                                    transient ? transient : "transient domains do not have any persistent config");
        return 0;
}
