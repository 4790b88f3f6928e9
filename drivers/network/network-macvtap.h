/* network-macvtap.h: what starting a macvtap network checks on the host (network_host_up calls it in its thread). */
#pragma once

#include "error.h"
#include "network-plan.h"

/* The pool's devices exist; a <pf> is refused (no usable VFs here, libvirt's text); an empty pool is refused with
 * libvirt's text. Nothing is changed on the host. */
int network_macvtap_up(const NetworkPlan *p, VbError *err);
/* At define: a macvtap or hostdev network has no <ip>, <dns>, <domain> or <mac> (libvirt's texts). */
int network_macvtap_validate(const NetworkPlan *p, VbError *err);
/* At start: hostdev networks need PCI device assignment, which virtbus does not do ("not supported"). */
int network_hostdev_refuse(const NetworkPlan *p, VbError *err);
