/* network-qos.h: a network's own <bandwidth> and its <portgroup>s (each with a <bandwidth>, the default of the NICs that name it), as libvirt parses, checks and writes them. */
#pragma once

#include <stdbool.h>

#include "domain-model.h"
#include "error.h"
#include "network-conf.h"

/* The network's <bandwidth>: both directions (set false when absent). */
void network_def_bandwidth(const NetworkDef *def, const DomainBandwidthRate **in, const DomainBandwidthRate **out);
/* The <bandwidth> of the portgroup named name (NULL: the default portgroup, if any): 1 and the two
 * directions, 0 when there is no such portgroup (in and out untouched). */
int network_def_portgroup_bandwidth(const NetworkDef *def, const char *name, const DomainBandwidthRate **in,
                                    const DomainBandwidthRate **out);
/* The checks libvirt makes when a network is defined: <bandwidth> only on networks with a bridge
 * of their own (no forward mode, nat, route, open); portgroup names unique, one default. */
int network_qos_check(const NetworkDef *def, VbError *err);
