/* network-floor.c: NIC floors handed to the network's driver. */
#include "network-floor.h"

#include <string.h>

#include "driver.h"
#include "host.h"
#include "network.h"
#include "network-qos.h"
#include "uuid.h"

int network_floor_plug(Connection *c, const char *net, const uint8_t mac[6], const char *tap, uint64_t floor,
                       VbError *err) {
        Network *n = network_lookup_name(c, net, err);
        if (!n)
                return -1;
        char m_[18];
        mac_format(mac, m_);
        const char *m = n->active ? n->live->forward_mode : NULL;
        if (m && strcmp(m, "nat") != 0 && strcmp(m, "route") != 0 && strcmp(m, "open") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                    "Invalid use of 'floor' on interface with MAC address %s - 'floor' is only supported "
                                    "for interface type 'network' with forward type 'nat', 'route', 'open' or none", m_);
        if (!n->active || !c->net->ops->floor_plug)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "Invalid use of 'floor' on interface with MAC address %s - network '%s' has no "
                                    "inbound QoS set", m_, net);
        return c->net->ops->floor_plug(n, mac, tap, floor, err);
}

void network_floor_unplug(Connection *c, const char *net, const uint8_t mac[6], const char *tap) {
        Network *n = net ? network_lookup_name(c, net, NULL) : NULL;
        if (n && n->active && c->net->ops->floor_unplug)
                c->net->ops->floor_unplug(n, mac, tap);
}

int network_portgroup_bandwidth(Connection *c, const char *net, const char *portgroup, DomainBandwidthRate *in,
                                DomainBandwidthRate *out) {
        Network *n = net ? network_lookup_name(c, net, NULL) : NULL;
        const DomainBandwidthRate *pin, *pout;
        if (!n || !n->active || !n->live || network_def_portgroup_bandwidth(n->live, portgroup, &pin, &pout) != 1 ||
            (!pin->set && !pout->set))
                return 0;
        *in = *pin;
        *out = *pout;
        return 1;
}
