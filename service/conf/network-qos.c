/* network-qos.c: <network>'s own <bandwidth>: parse and format; the define-time checks of it and of the <portgroup>s' names, defaults and bandwidth. */
#include "network-qos.h"

#include <stdlib.h>
#include <string.h>

#include "bandwidth-priv.h"
#include "network-priv.h"

int network_qos_parse(NetworkDefPrivate *p, xmlNodePtr root, VbError *err) {
        xmlNodePtr bw = xml_node_child(root, "bandwidth");
        if (bw && xml_node_next_same(bw))
                return vb_error_set(err, VB_ERR_XML_DETAIL, VB_FROM_NETWORK, "Only one child <bandwidth> element allowed");
        if (bw && bandwidth_parse(bw, &p->bw_in, &p->bw_out, false, err) < 0)
                return -1;
        return 0;
}

void network_qos_format_bandwidth(XmlBuf *b, const NetworkDefPrivate *p) {
        bandwidth_format(b, &p->bw_in, &p->bw_out);
}

void network_def_bandwidth(const NetworkDef *def, const DomainBandwidthRate **in, const DomainBandwidthRate **out) {
        *in = &def->priv->bw_in;
        *out = &def->priv->bw_out;
}

int network_def_portgroup_bandwidth(const NetworkDef *def, const char *name, const DomainBandwidthRate **in,
                                    const DomainBandwidthRate **out) {
        const NetworkDefPrivate *p = def->priv;
        for (size_t i = 0; i < p->n_portgroups; i++) {
                const NetworkPortgroup *pg = &p->portgroups[i];
                if (name ? strcmp(pg->name, name) == 0 : pg->is_default) {
                        *in = &pg->bw_in;
                        *out = &pg->bw_out;
                        return 1;
                }
        }
        return 0;
}

int network_qos_check(const NetworkDef *def, VbError *err) {
        const NetworkDefPrivate *p = def->priv;
        const char *m = def->forward_mode;
        bool own_bridge = !m || !strcmp(m, "nat") || !strcmp(m, "route") || !strcmp(m, "open");
        if ((p->bw_in.set || p->bw_out.set) && !own_bridge)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                    "Unsupported network-wide <bandwidth> element in network %s with forward mode='%s'",
                                    def->name, m);
        const char *dflt = NULL;
        for (size_t i = 0; i < p->n_portgroups; i++) {
                const NetworkPortgroup *pg = &p->portgroups[i];
                if ((pg->bw_in.set || pg->bw_out.set) && !own_bridge)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "Unsupported <bandwidth> element in network '%s' in portgroup '%s' with forward mode='%s'",
                                            def->name, pg->name, m);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(p->portgroups[j].name, pg->name) == 0)
                                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                                    "multiple <portgroup> elements with the same name (%s) in network '%s'",
                                                    pg->name, def->name);
                if (pg->is_default && dflt)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "network '%s' has multiple default <portgroup> elements (%s and %s), but only one default is allowed",
                                            def->name, dflt, pg->name);
                if (pg->is_default)
                        dflt = pg->name;
        }
        return 0;
}
