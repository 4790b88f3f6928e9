/* network-plan.h: a checked, flat view of a network definition for the code that builds it on the host (bridge, firewall, dnsmasq). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "network-conf.h"
#include "network-dns.h"
#include "network-qos.h"

#define NETWORK_PLAN_ADDR_MAX 46   /* INET6_ADDRSTRLEN */

typedef struct NetworkPlanRange {
        const char *start, *end;
} NetworkPlanRange;

typedef struct NetworkPlanHost {
        const char *mac, *name, *ip;   /* any may be NULL (not all three) */
} NetworkPlanHost;

typedef struct NetworkPlanIp {
        bool ipv6;
        const char *address;                    /* the bridge's own address */
        unsigned prefix;                        /* from prefix= or netmask= */
        char subnet[NETWORK_PLAN_ADDR_MAX];     /* address with the host bits cleared */
        char netmask[NETWORK_PLAN_ADDR_MAX];    /* IPv4 only */
        bool dhcp;                              /* <dhcp> with ranges or hosts */
        const NetworkPlanRange *ranges;
        size_t n_ranges;
        const NetworkPlanHost *hosts;
        size_t n_hosts;
        uint64_t dhcp_size;                     /* addresses in the ranges (capped) */
} NetworkPlanIp;

typedef struct NetworkPlan {
        const char *name, *bridge;
        const char *forward_mode;       /* nat, route, open, bridge …; NULL: isolated */
        const char *forward_dev;
        const char *mac;                /* aa:bb:cc:dd:ee:ff or NULL */
        unsigned mtu;                   /* 0: default */
        bool stp;
        unsigned delay;
        const char *domain;
        bool domain_local;              /* <domain localOnly='yes'> */
        const NetworkDns *dns;          /* never NULL (empty when the XML has no <dns>) */
        NetworkPlanIp *ips;
        size_t n_ips;
        const DomainBandwidthRate *bw_in, *bw_out;  /* <bandwidth> (network-qos.h): set false when absent */
        bool macvtap;                   /* network_def_is_macvtap: no bridge, the pool's devices */
        const NetworkForwardIf *forward_ifs;
        size_t n_forward_ifs;
        const char *forward_pf;
} NetworkPlan;

/* Fill plan from def (which must outlive it) and check what the XML alone cannot: an address
 * per <ip>, a prefix that fits, DHCP ranges inside the subnet and in order, static hosts
 * inside it, one IPv4 DHCP block at most, QoS where libvirt allows it (network_qos_check). Errors name the network and the problem. */
int network_plan_build(const NetworkDef *def, NetworkPlan *plan, VbError *err);
void network_plan_done(NetworkPlan *plan);

/* Defaults a host driver fills in at define time (libvirt: virbrN and a random MAC). */
const char *network_def_mac(const NetworkDef *def);
int network_def_set_bridge(NetworkDef *def, const char *bridge);
int network_def_set_mac(NetworkDef *def, const char *mac);
