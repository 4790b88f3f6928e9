/* network-leases.h: dnsmasq's lease file, read into libvirt's lease records (pure). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "network-plan.h"
#include "network.h"

/* Parse text (dnsmasq's lease file: "EXPIRY MAC IP HOSTNAME CLIENTID" for IPv4, the same with
 * the IAID for MAC after a "duid" line for IPv6; '*' for none) into leases on iface, with the
 * prefix of the plan's subnet of each address. Expired leases (expiry < now, 0 is never) and,
 * when mac is not NULL, other MACs' leases are left out. Returns 0 or -1 (out of memory). */
int network_leases_parse(const char *text, const NetworkPlan *p, int64_t now, const char *mac, NetworkLease **out,
                         size_t *n_out);
