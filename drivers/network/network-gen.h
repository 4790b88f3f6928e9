/* network-gen.h: pure generators of what a host network is made of: its nftables rule set and its dnsmasq configuration. */
#pragma once

#include <stdbool.h>

#include "network-plan.h"

/* nftables table of the daemon's own for a network's bridge: "virtbus_" and the bridge name
 * (other characters than [A-Za-z0-9_] become '_'), family inet. */
#define NETWORK_NFT_TABLE_MAX 64
void network_nft_table(const char *bridge, char out[NETWORK_NFT_TABLE_MAX]);

/* The script (nft -f syntax) that replaces the network's table with its rules in one
 * transaction: DHCP/DNS input on the bridge; traffic within the bridge; for nat and route
 * forwarding of the subnets (nat: replies only inward); for nat masquerading except
 * multicast and broadcast; for everything else leaving or entering the bridge a reject.
 * NULL in *out (and 0) when the mode needs no rules (open, bridge). -1 on ENOMEM. */
int network_nft_script(const NetworkPlan *p, char **out);
/* The script that removes the table, whether it exists or not. */
int network_nft_delete_script(const char *bridge, char **out);

/* Does the mode get a bridge of the daemon's own, and dnsmasq? */
bool network_mode_own_bridge(const NetworkPlan *p);
bool network_mode_dnsmasq(const NetworkPlan *p);

typedef struct DnsmasqPaths {
        const char *pid_file;
        const char *lease_file;
        const char *lease_helper;       /* --dhcp-script (virtbus-leases-helper); NULL: none */
        const char *hostsfile;          /* dhcp-hostsfile (static DHCP hosts); NULL: none */
        const char *addnhosts;          /* addn-hosts (<dns><host> records); NULL: none */
        const char *user, *group;       /* what dnsmasq runs as once it serves (reads the hosts files as) */
} DnsmasqPaths;

/* dnsmasq's configuration for the network (libvirt's layout: one file per network). */
int network_dnsmasq_conf(const NetworkPlan *p, const DnsmasqPaths *paths, char **out);
/* The contents of the files dnsmasq reads again on SIGHUP: static DHCP hosts (one
 * "mac,ip,name" a line) and DNS hosts ("ip<TAB>name…"). 0 or -1 (ENOMEM). */
int network_dnsmasq_hosts(const NetworkPlan *p, char **dhcp_hosts, char **dns_hosts);
