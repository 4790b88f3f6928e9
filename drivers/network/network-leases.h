/* network-leases.h: a network's lease status file, read into libvirt's lease records (pure). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "network-plan.h"
#include "network.h"

/* Parse text (the JSON array virtbus-leases-helper keeps: objects with "ip-address",
 * "mac-address" (IPv4) or "iaid" (IPv6), "hostname", "client-id", "expiry-time" (seconds
 * since the epoch, 0: never)) into leases on the plan's bridge, with the prefix of the plan's
 * subnet of each address. Expired leases (expiry < now) and, when mac is not NULL, other
 * MACs' leases are left out; entries without an address are skipped. Returns 0, -1 (out of
 * memory) or -2 (not a JSON array). */
int network_leases_parse(const char *text, const NetworkPlan *p, int64_t now, const char *mac, NetworkLease **out,
                         size_t *n_out);
