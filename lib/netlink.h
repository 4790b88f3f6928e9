/* netlink.h: the host's links, addresses and routes through libnl-route-3 (the only file that speaks netlink). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Every call works in the calling thread's network namespace and opens its own short-lived
 * NETLINK_ROUTE socket: each is one request and its acknowledgement, answered by the kernel
 * at once. Failures set err (VB_ERR_SYSTEM_ERROR naming the link and the kernel's reason) and
 * return -1; lookups return 0/1. */

typedef struct NetlinkBridge {
        const char *name;
        const uint8_t *mac;     /* 6 bytes, or NULL for the kernel's choice */
        unsigned mtu;           /* 0: the kernel's default */
        bool stp;
        unsigned delay;         /* forward delay in seconds (libvirt's <bridge delay>) */
} NetlinkBridge;

typedef struct NetlinkLinkStats {
        uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
        uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
} NetlinkLinkStats;

/* 1 when a link of that name exists, 0 when not. */
int netlink_link_exists(const char *name);
/* Its index, or 0 when there is none. */
int netlink_link_index(const char *name);

int netlink_bridge_create(const NetlinkBridge *br, VbError *err);
/* A veth pair a <-> b (tests' "outside" peers). */
int netlink_veth_create(const char *a, const char *b, VbError *err);
/* A macvtap on top of lower in mode "bridge", "vepa", "private" or "passthrough". */
int netlink_macvtap_create(const char *name, const char *lower, const char *mode, const uint8_t mac[6],
                           VbError *err);
int netlink_link_delete(const char *name, VbError *err);
/* Is name a macvtap (so that deleting it deletes nothing else)? */
bool netlink_link_is_macvtap(const char *name);

int netlink_link_set_up(const char *name, bool up, VbError *err);
int netlink_link_set_mtu(const char *name, unsigned mtu, VbError *err);
int netlink_link_set_mac(const char *name, const uint8_t mac[6], VbError *err);
/* Enslave name to bridge (NULL: release it from its master). */
int netlink_link_set_master(const char *name, const char *bridge, VbError *err);
/* All of a new device's settings in one request (one wait for the kernel's RTNL lock, which
 * other namespaces' work may hold): mac (NULL: kept), mtu (0: kept), bridge (NULL: none), up. */
int netlink_link_setup(const char *name, const uint8_t mac[6], unsigned mtu, const char *bridge, bool up,
                       VbError *err);
/* The name of name's master in *out (size >= 16), "" when it has none. */
int netlink_link_get_master(const char *name, char *out, VbError *err);
bool netlink_link_is_up(const char *name);
unsigned netlink_link_mtu(const char *name);
int netlink_link_stats(const char *name, NetlinkLinkStats *st, VbError *err);

/* address (textual IPv4 or IPv6) with its prefix length on link name. */
int netlink_addr_add(const char *name, const char *address, unsigned prefix, VbError *err);
/* 1 when name carries address, 0 when not. */
int netlink_addr_has(const char *name, const char *address);

/* Is a route of the main table (other than a default route) overlapping address/prefix?
 * 1 with the route's interface name in dev (size >= 16), 0 when the subnet is free. */
int netlink_route_conflict(const char *address, unsigned prefix, char *dev, VbError *err);
