/* network-host.h: a network's bridge, addresses and firewall table on the host. */
#pragma once

#include "error.h"
#include "network-plan.h"

/* Check that the bridge name is free and no route overlaps a subnet, then create the bridge
 * with its MAC, MTU, STP and delay, add the addresses, bring it up and install the firewall
 * table. On failure everything done so far is undone. For forward mode bridge: only check
 * that the host bridge exists. */
int network_host_up(const NetworkPlan *p, VbError *err);
/* Remove the firewall table and delete the bridge (own-bridge modes). Logs what fails. */
void network_host_down(const NetworkPlan *p);
/* After a daemon restart: is the network's bridge still there? Re-install its table. */
int network_host_reattach(const NetworkPlan *p, VbError *err);

/* Run an nft script through libnftables in one transaction. */
int network_nft_run(const char *script, VbError *err);
