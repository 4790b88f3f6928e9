/* domain-hotplug-nic.h: an <interface> attached or detached (domain-hotplug-nic.c), below domain-hotplug.c, which hands it over. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "domain.h"

/* NICs (domain-hotplug-nic.c): xml is one <interface>; domain_attach_device and
 * domain_detach_device hand it over (flags resolved). A MAC is generated when there is none
 * (the same one in the definition and the guest); one the domain has already is refused
 * ("network device with mac … already exists"); a detach finds the NIC by its MAC ("no device
 * matching MAC address … found"). LIVE goes through DomainOps.attach_interface / detach_interface. */
bool domain_hotplug_is_interface(const char *xml, size_t len);
int domain_attach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
int domain_detach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
/* Interface ci of the definition (>= 0) and/or li of the running guest (>= 0) leave. */
int domain_detach_interface_index(Domain *d, long ci, long li, Call *call, VbError *err);
