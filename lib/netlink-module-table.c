/* netlink-module-table.c: the one symbol virtbus-netlink.so exports (see netlink-module.h). */
#include "netlink-module.h"

__attribute__((visibility("default"))) const NetlinkOps netlink_module = {
        .abi = NETLINK_MODULE_ABI,
        .link_exists = netlink_link_exists,
        .link_index = netlink_link_index,
        .bridge_create = netlink_bridge_create,
        .veth_create = netlink_veth_create,
        .macvtap_create = netlink_macvtap_create,
        .link_delete = netlink_link_delete,
        .link_is_macvtap = netlink_link_is_macvtap,
        .link_set_up = netlink_link_set_up,
        .link_set_mtu = netlink_link_set_mtu,
        .link_set_mac = netlink_link_set_mac,
        .link_set_master = netlink_link_set_master,
        .link_setup = netlink_link_setup,
        .link_get_master = netlink_link_get_master,
        .link_is_up = netlink_link_is_up,
        .link_mtu = netlink_link_mtu,
        .link_stats = netlink_link_stats,
        .addr_add = netlink_addr_add,
        .addr_has = netlink_addr_has,
        .route_conflict = netlink_route_conflict,
        .tc_egress_shape = tc_egress_shape,
        .tc_ingress_shape = tc_ingress_shape,
};
