/* netlink-module.h: netlink.c (libnl-route-3) as a module loaded on the first netlink call.
 *
 * netlink.c and netlink-module-table.c are built into virtbus-netlink.so beside virtbusd
 * (service/meson.build); the daemon's lib links netlink-load.c instead, which defines the
 * functions of netlink.h and forwards them to the module's table, loading it the first time
 * (a bridge, a tap on a network, an address): a daemon without host networks never maps libnl.
 * Hidden visibility in the module: only the table is exported, so netlink.c's own calls bind
 * to its own functions, not to netlink-load.c's of the same names. tests/unit/net links
 * netlink.c directly. A function added to netlink.h needs a row here, in the table and in
 * netlink-load.c. */
#pragma once

#include "netlink.h"
#include "tc.h"
#include "tc-tree.h"

#define NETLINK_MODULE_NAME "virtbus-netlink.so"
#define NETLINK_MODULE_TABLE "netlink_module"
#define NETLINK_MODULE_ABI 5

typedef struct NetlinkOps {
        unsigned abi;
        int (*link_exists)(const char *name);
        int (*link_index)(const char *name);
        int (*bridge_create)(const NetlinkBridge *br, VbError *err);
        int (*veth_create)(const char *a, const char *b, VbError *err);
        int (*macvtap_create)(const char *name, const char *lower, const char *mode, const uint8_t mac[6],
                              VbError *err);
        int (*link_delete)(const char *name, VbError *err);
        bool (*link_is_macvtap)(const char *name);
        int (*link_set_up)(const char *name, bool up, VbError *err);
        int (*link_set_mtu)(const char *name, unsigned mtu, VbError *err);
        int (*link_set_mac)(const char *name, const uint8_t mac[6], VbError *err);
        int (*link_set_master)(const char *name, const char *bridge, VbError *err);
        int (*link_setup)(const char *name, const uint8_t mac[6], unsigned mtu, const char *bridge, bool up,
                          VbError *err);
        int (*link_get_master)(const char *name, char *out, VbError *err);
        bool (*link_is_up)(const char *name);
        unsigned (*link_mtu)(const char *name);
        int (*link_stats)(const char *name, NetlinkLinkStats *st, VbError *err);
        int (*addr_add)(const char *name, const char *address, unsigned prefix, VbError *err);
        int (*addr_has)(const char *name, const char *address);
        int (*route_conflict)(const char *address, unsigned prefix, char *dev, VbError *err);
        int (*tc_egress_shape)(const char *dev, const TcRate *r, VbError *err);       /* tc.c */
        int (*tc_ingress_shape)(const char *dev, const char *ifb, const TcRate *r, VbError *err);
        int (*tc_tree_shape)(const char *dev, const TcRate *r, VbError *err);   /* tc-tree.c */
        int (*tc_tree_set_default)(const char *dev, const TcRate *r, VbError *err);
        int (*tc_tree_plug)(const char *dev, unsigned id, const uint8_t mac[6], const TcRate *r, VbError *err);
        int (*tc_tree_unplug)(const char *dev, unsigned id, VbError *err);
        int (*tc_tree_unplug_others)(const char *dev, const unsigned *keep, size_t n_keep, VbError *err);
} NetlinkOps;
