/* network-floor.h: a guest NIC's <bandwidth><inbound floor> on a network with inbound QoS: reserved and guaranteed by the network's driver (NetworkOps.floor_plug), released when the NIC goes. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "domain-model.h"
#include "error.h"
#include "manager.h"

/* Reserve floor (KiB/s) for the NIC with mac and tap on the running network named net, or change
 * the floor it holds (a live change); another NIC of the same MAC keeps its own. Refusals,
 * libvirt's texts: no such network, not active, no inbound QoS on it, or an overcommit; nothing
 * changes then. 0 or -1. */
int network_floor_plug(Connection *c, const char *net, const uint8_t mac[6], const char *tap, uint64_t floor,
                       VbError *err);
/* A type-network NIC without a <bandwidth> of its own takes its portgroup's (portgroup NULL: the
 * network's default portgroup), as libvirt: copied into in and out (1), or 0 when there is none. */
int network_portgroup_bandwidth(Connection *c, const char *net, const char *portgroup, DomainBandwidthRate *in,
                                DomainBandwidthRate *out);
/* Release it (nothing when that NIC has none, or the network is gone). */
void network_floor_unplug(Connection *c, const char *net, const uint8_t mac[6], const char *tap);
