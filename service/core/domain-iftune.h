/* domain-iftune.h: virDomainSetInterfaceParameters / GetInterfaceParameters (virsh domiftune): a guest NIC's <bandwidth>, applied live by the driver's set_interface_bandwidth (DomainTuneOps) and kept in the running and/or persistent definition. */
#pragma once

#include <stddef.h>

#include "error.h"

typedef struct Domain Domain;
typedef struct Call Call;
typedef struct DomainTuneParam DomainTuneParam;

/* inbound.average, inbound.peak, inbound.burst, inbound.floor, outbound.average, outbound.peak,
 * outbound.burst: uints in libvirt's order. */
#define DOMAIN_IFTUNE_NPARAMS 7

/* The NIC named by device (its target dev, or its MAC) in the live or persistent definition
 * (flags DOMAIN_AFFECT_LIVE or CONFIG, not both; none: the running one when active). out NULL:
 * only the count (the device is not looked up, as libvirt). Returns the count, or -1. */
int domain_get_interface_params(Domain *d, const char *device, unsigned flags, DomainTuneParam *out, VbError *err);
/* Merge params into the NIC's bandwidth as libvirt does: a direction named by its average (or
 * inbound's floor) is replaced whole, 0 removing it; peak or burst alone change nothing. flags
 * DOMAIN_AFFECT_*; both at once only where the driver changes the host (QEMU). 0, VERB_PENDING
 * (call completes) or -1; a refused call changes nothing. */
int domain_set_interface_params(Domain *d, const char *device, const DomainTuneParam *params, size_t n, unsigned flags,
                                Call *call, VbError *err);
/* params checked as domain_set_interface_params checks them (names, uint types, none twice) with
 * nothing looked up: 0, or -1 with libvirt's text ("parameter 'x' not supported"). */
int domain_iftune_params_check(const DomainTuneParam *params, size_t n, VbError *err);
