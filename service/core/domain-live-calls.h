/* domain-live-calls.h: small calls that act on a running domain through its driver (virDomainInjectNMI). */
#pragma once

#include "call.h"
#include "domain.h"
#include "error.h"

/* virDomainInjectNMI (flags 0): an NMI to every vCPU of a running domain, under its modify
 * job; DomainOps.inject_nmi may answer VERB_PENDING. */
int domain_inject_nmi(Domain *d, unsigned flags, Call *call, VbError *err);
