/* network-qos-host.c: a network's <bandwidth> applied to its bridge through lib/tc-tree.c and lib/tc.c (libnl; never tc(8)). */
#define LOG_MODULE "network"
#include "network-qos-host.h"

#include <stdio.h>

#include "log.h"
#include "netlink.h"
#include "tc-tree.h"

#define RATE_UNIT 1000u
#define BURST_UNIT 1024u

void network_qos_tc_rate(const DomainBandwidthRate *r, bool inbound, TcRate *t) {
        t->rate = r->average * RATE_UNIT;
        t->ceil = r->peak * RATE_UNIT;
        t->burst = (r->burst ? r->burst : inbound ? 0 : r->average) * BURST_UNIT;
}

void network_qos_ifb(const char *bridge, char out[16]) {
        snprintf(out, 16, "ifb-%.11s", bridge);
}

int network_qos_up(const NetworkPlan *p, VbError *err) {
        const DomainBandwidthRate *in = p->bw_in, *out = p->bw_out;
        if (!p->bridge || ((!in || !in->average) && (!out || !out->average)))
                return 0;
        TcRate tin, tout;
        char ifb[16];
        network_qos_ifb(p->bridge, ifb);
        if (in && in->average) {
                network_qos_tc_rate(in, true, &tin);
                if (tc_tree_shape(p->bridge, &tin, err) < 0)
                        return -1;
        }
        if (out && out->average) {
                network_qos_tc_rate(out, false, &tout);
                if (tc_ingress_shape(p->bridge, ifb, &tout, err) < 0) {
                        tc_tree_shape(p->bridge, NULL, NULL);
                        return -1;
                }
        }
        log_info("network %s: bridge %s shaped: inbound %llu kB/s, outbound %llu kB/s", p->name, p->bridge,
                 (unsigned long long) (in ? in->average : 0), (unsigned long long) (out ? out->average : 0));
        return 0;
}

void network_qos_down(const NetworkPlan *p) {
        if (!p->bridge || !p->bw_out || !p->bw_out->average)
                return;
        char ifb[16];
        network_qos_ifb(p->bridge, ifb);
        VbError err = { 0 };
        if (netlink_link_exists(ifb) && netlink_link_delete(ifb, &err) < 0)
                log_warning("network %s: %s", p->name, err.message);
        vb_error_clear(&err);
}
