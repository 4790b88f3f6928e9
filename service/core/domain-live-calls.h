/* domain-live-calls.h: small calls that act on a running domain through its driver (virDomainInjectNMI). */
#pragma once

#include "call.h"
#include "domain.h"
#include "error.h"

/* virDomainInjectNMI (flags 0): an NMI to every vCPU of a running domain, under its modify
 * job; DomainOps.inject_nmi may answer VERB_PENDING. */
int domain_inject_nmi(Domain *d, unsigned flags, Call *call, VbError *err);

/* virDomainSetVcpusFlags: flags LIVE, CONFIG (CURRENT: the domain's state), MAXIMUM (with
 * CONFIG: the <vcpu> maximum), HOTPLUGGABLE (accepted: live vCPUs are always hotplugged).
 * CONFIG is saved first; LIVE goes through DomainOps.set_vcpus, the definition put back when
 * it refuses at once. */
enum { DOMAIN_VCPU_MAXIMUM = 4, DOMAIN_VCPU_GUEST = 8, DOMAIN_VCPU_HOTPLUGGABLE = 16 };
int domain_set_vcpus(Domain *d, unsigned n, unsigned flags, Call *call, VbError *err);
