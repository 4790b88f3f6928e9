/* network-floor-priv.h: NetworkOps.floor_plug / floor_unplug of the host network driver (network-floor.c). */
#pragma once

#include <stdint.h>

#include "error.h"
#include "network.h"

int net_floor_plug(Network *n, const uint8_t mac[6], const char *tap, uint64_t floor, VbError *err);
void net_floor_unplug(Network *n, const uint8_t mac[6], const char *tap);
/* The network stopped: its reservations go (the bridge and its classes went with it). */
void net_floors_forget(Network *n);
/* Make the reservations (and the classes on the bridge) those of the running guests' NICs on n
 * whose taps are on its bridge, by their running definitions: at the daemon's start (a guest
 * gone while it was away, a start cut short) and at the network's (a record left behind). */
void net_floors_reconcile(Network *n);
