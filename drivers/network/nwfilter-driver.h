/* nwfilter-driver.h: network filter bindings applied to taps through nftables (table bridge virtbus_nwfilter). */
#pragma once

#include "manager.h"

/* Attach the applier to c's (host-wide) filter store and load the recorded bindings' rules:
 * at the system daemon's start, so a restart puts them back (or removes a stale table). */
void nwfilter_driver_open(Connection *c);
