/* network-driver.h: the host's virtual networks (system mode): what virtnetworkd does for libvirt. */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "manager.h"

/* Give c's (host-wide) network subsystem this driver: load the definitions under
 * config_root/network, find running networks again (bridge, firewall table, dnsmasq) from
 * run_root/network, and start those marked autostart. */
int network_driver_open(Connection *c, bool create_default, VbError *err);
