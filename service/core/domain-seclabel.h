/* domain-seclabel.h: virDomainGetSecurityLabelList: the label each security driver of the connection's stack gives a running domain's process. */
#pragma once

#include <stdbool.h>

#include "error.h"

typedef struct Domain Domain;

#define DOMAIN_SECLABEL_MAX 4
#define DOMAIN_SECLABEL_LEN 4097        /* VIR_SECURITY_LABEL_BUFLEN */
typedef struct DomainSecLabel {
        char label[DOMAIN_SECLABEL_LEN];
        bool enforcing;
} DomainSecLabel;

/* The labels (at most DOMAIN_SECLABEL_MAX, in the stack's order), 0 for an inactive domain, or
 * -1 with err (the driver has no security_labels op: "not supported"). */
int domain_security_label_list(Domain *d, DomainSecLabel out[DOMAIN_SECLABEL_MAX], VbError *err);

/* virDomainGetSecurityLabel: the primary security driver's label of a running domain (the
 * first of the list; a driver without a list, Test, its constant one); an empty label, not
 * enforcing, for an inactive domain. 0, or -1 with err. */
int domain_security_label(Domain *d, DomainSecLabel *out, VbError *err);
