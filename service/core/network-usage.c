/* network-usage.c: connection counts of a running network, from the running definitions of every connection's guests. */
#include "network-usage.h"

#include <string.h>

#include "domain-model.h"
#include "host.h"

static const DomainDef *live_of(const Domain *d) {
        return domain_is_active(d) ? d->live : NULL;
}

static void count_def(NetworkDef *live, const char *name, const DomainDef *def) {
        if (!def || !def->priv)
                return;
        const DomainDevices *devs = &def->priv->devices;
        for (size_t i = 0; i < devs->n_interfaces; i++) {
                const DomainInterface *nic = &devs->interfaces[i];
                if (!nic->type || strcmp(nic->type, "network") != 0 || !nic->source_network ||
                    strcmp(nic->source_network, name) != 0)
                        continue;
                live->connections++;
                NetworkForwardIf *fi = network_def_forward_if(live, nic->source_dev);
                if (fi)
                        fi->connections++;
        }
}

static void count(Network *n, NetworkUsageDefFn def_of, const DomainDef *also) {
        NetworkDef *live = n->live;
        if (!live)
                return;
        live->connections = 0;
        for (size_t i = 0; i < live->n_forward_ifs; i++)
                live->forward_ifs[i].connections = 0;
        Manager *m = n->obj.conn->manager;
        for (size_t c = 0; c < m->n_conns; c++) {
                if (m->conns[c]->net != n->obj.conn->net)
                        continue;
                REGISTRY_FOREACH(o, &m->conns[c]->domains)
                        count_def(live, n->obj.name, (def_of ? def_of : live_of)((const Domain *) o));
        }
        count_def(live, n->obj.name, also);
}

void network_usage_count(Network *n, NetworkUsageDefFn def_of) {
        count(n, def_of, NULL);
}

const char *network_macvtap_pick(Network *n, NetworkUsageDefFn def_of, const DomainDef *also, VbError *err) {
        count(n, def_of, also);
        const NetworkDef *live = n->live;
        bool exclusive = strcmp(live->forward_mode, "passthrough") == 0;
        const NetworkForwardIf *best = NULL;
        for (size_t i = 0; i < live->n_forward_ifs; i++) {
                const NetworkForwardIf *fi = &live->forward_ifs[i];
                if (exclusive && fi->connections)
                        continue;
                if (!best || fi->connections < best->connections)
                        best = fi;
        }
        if (best)
                return best->dev;
        if (exclusive)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                             "network '%s' requires exclusive access to interfaces, but none are available",
                             n->obj.name);
        else
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                             "network '%s' uses a direct mode, but has no forward dev and no interface pool",
                             n->obj.name);
        return NULL;
}

const char *network_macvtap_mode(const Network *n) {
        return n->live ? n->live->forward_mode : NULL;
}
