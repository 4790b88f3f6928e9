/* domain-vcpu.h: virDomainSetVcpu: vCPUs enabled or disabled by id, mapped to the vCPU count of setvcpus. */
#pragma once

#include <stdbool.h>

#include "call.h"
#include "error.h"

typedef struct Domain Domain;

#define DOMAIN_VCPU_MAP_MAX 4096u

/* map in libvirt's bitmap syntax ("1-3,^2"); set[0..max_id] filled. -1 with err for bad syntax
 * or an id past max_id. */
int vcpu_map_parse(const char *map, unsigned max_id, bool *set, VbError *err);
/* state 1 enables, 0 disables the vCPUs of map; flags LIVE, CONFIG. libvirt's refusals (an id
 * not there, one in the requested state already, vCPU 0); the enabled vCPUs must stay 0..n-1
 * (virtbus plugs vCPUs in order): otherwise VB_ERR_OPERATION_UNSUPPORTED. Then the same as
 * virDomainSetVcpusFlags(n, flags), pending as it is. */
int domain_set_vcpu(Domain *d, const char *map, int state, unsigned flags, Call *call, VbError *err);
