/* network-qos-host.h: a network's <bandwidth> on its bridge (libvirt's network QoS): the traffic towards the guests (inbound) through an htb tree on the bridge's egress, the traffic from the guests to the host (outbound) through the bridge's ingress redirected to a shaped IFB device. */
#pragma once

#include "domain-model.h"
#include "error.h"
#include "network-plan.h"
#include "tc.h"

/* tc's units as libvirt hands a <bandwidth> to tc: rates in kB/s (1000 bytes/s), bursts in KiB;
 * an outbound burst defaults to its average (libvirt's policer). */
void network_qos_tc_rate(const DomainBandwidthRate *r, bool inbound, TcRate *t);
/* The IFB device of a network's bridge: "ifb-" and at most 11 characters of the bridge's name. */
void network_qos_ifb(const char *bridge, char out[16]);
/* Shape the (new) bridge of p as its <bandwidth> says; nothing without one. 0 or -1 (err set;
 * what was done is undone). Runs in the host job's thread. */
int network_qos_up(const NetworkPlan *p, VbError *err);
/* Remove the IFB device (the bridge's own qdiscs go with it). Logs what fails. */
void network_qos_down(const NetworkPlan *p);
