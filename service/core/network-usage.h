/* network-usage.h: how many guest NICs use a running network (and each device of a macvtap network's pool), counted
 * from the guests' running definitions whenever asked: a daemon restart, a guest's stop or a NIC's unplug need no
 * bookkeeping. */
#pragma once

#include "domain.h"
#include "error.h"
#include "network.h"

/* The running definition a domain's NICs are read from (NULL: none); NULL fn: d->live of an active domain. The QEMU
 * driver passes one that also sees the guests it is starting. */
typedef const DomainDef *(*NetworkUsageDefFn)(const Domain *d);

/* Count into n->live: connections (type network NICs on n) and each pool device's. */
void network_usage_count(Network *n, NetworkUsageDefFn def_of);

/* The pool device a new NIC on the running macvtap network n gets, as libvirt picks it: the one with the fewest
 * connections (first in pool order on a tie); passthrough: one nobody uses. also: a definition counted besides the
 * domains' (the one whose NICs are being given devices, not yet a domain's). NULL with libvirt's text when none is
 * left, or when the pool is empty (a <pf> without VFs is refused at the network's start). */
const char *network_macvtap_pick(Network *n, NetworkUsageDefFn def_of, const DomainDef *also, VbError *err);

/* The macvtap mode of the network's guests: bridge, private, vepa or passthrough. */
const char *network_macvtap_mode(const Network *n);
