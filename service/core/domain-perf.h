/* domain-perf.h: virDomainGetPerfEvents / SetPerfEvents: the definitions' <perf>, and on a running guest the host's perf counters its driver opens (DomainTuneOps.set_perf_events). */
#pragma once

#include <stddef.h>

#include "domain.h"

/* libvirt's 22 events in its order, each a boolean "enabled": the live definition (LIVE, or
 * CURRENT on a running domain) or the persistent one; LIVE with CONFIG refused. Returns the
 * count (22) or -1. */
int domain_get_perf_events(Domain *d, unsigned flags, DomainTuneParam *out, VbError *err);
/* params: event names with boolean values, checked whole first (libvirt's typed parameter
 * checks, in its sorted order). LIVE goes through the driver, which opens or closes the
 * counters all or nothing; the definitions change only after it has. Drivers without the op
 * (Test) change the definitions alone and, as libvirt's test driver, refuse LIVE with CONFIG. */
int domain_set_perf_events(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err);
/* domain_get_stats(): the perf group of a running guest from the driver's open counters. */
void domain_perf_stats_fill(Domain *d, DomainStats *st);
