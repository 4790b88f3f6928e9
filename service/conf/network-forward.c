/* network-forward.c: the device pool of a <forward> (<interface dev>, <pf dev>) and what a macvtap network is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network-priv.h"

static int forward_if_add(NetworkDef *def, const char *dev) {
        NetworkForwardIf *ifs = realloc(def->forward_ifs, (def->n_forward_ifs + 1) * sizeof *ifs);
        if (!ifs)
                return -1;
        def->forward_ifs = ifs;
        ifs[def->n_forward_ifs] = (NetworkForwardIf) { .dev = strdup(dev) };
        if (!ifs[def->n_forward_ifs].dev)
                return -1;
        def->n_forward_ifs++;
        return 0;
}

static int oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, NULL);
}

int network_forward_parse(xmlNodePtr fwd, NetworkDef *def, unsigned flags, VbError *err) {
        const char *fdev = def->priv->forward_dev;
        xmlNodePtr pf = xml_node_child(fwd, "pf");
        if (pf) {
                if (xml_node_next_same(pf))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "Only one <pf> element is allowed in <forward> of network %s", def->name);
                if (fdev)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "the <forward> 'dev' attribute cannot be used when <address> or <pf> "
                                            "sub-elements are present in network %s", def->name);
                def->forward_pf = xml_node_prop(pf, "dev");
                if (!def->forward_pf || !def->forward_pf[0])
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "Missing required dev attribute in <pf> element of network '%s'",
                                            def->name);
        }
        for (xmlNodePtr n = xml_node_child(fwd, "interface"); n; n = xml_node_next_same(n)) {
                char *dev = xml_node_prop(n, "dev");
                if (!dev || !dev[0]) {
                        free(dev);
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "Missing required dev attribute in <forward> <interface> element of "
                                            "network %s", def->name);
                }
                if (def->n_forward_ifs == 0 && fdev && strcmp(fdev, dev) != 0) {
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                     "<forward dev='%s'> must match first <interface dev='%s'/> in network %s", fdev,
                                     dev, def->name);
                        free(dev);
                        return -1;
                }
                bool dup = network_def_forward_if(def, dev) != NULL;
                int r = dup ? 0 : forward_if_add(def, dev);
                free(dev);
                if (r < 0)
                        return oom(err);
        }
        /* <forward dev='X'/> alone is a pool of X, as libvirt keeps it. */
        if (!def->n_forward_ifs && fdev && forward_if_add(def, fdev) < 0)
                return oom(err);
        return 0;
}

void network_forward_format(XmlBuf *c, const NetworkDef *def, bool inactive) {
        if (def->forward_pf) {
                xml_buf_open(c, "pf");
                xml_buf_attr(c, "dev", def->forward_pf);
                xml_buf_puts(c, "/>\n");
                if (inactive)
                        return;         /* the pool is the PF's VFs, found at start */
        }
        for (size_t i = 0; i < def->n_forward_ifs; i++) {
                xml_buf_open(c, "interface");
                xml_buf_attr(c, "dev", def->forward_ifs[i].dev);
                if (!inactive && def->forward_ifs[i].connections) {
                        char n[16];
                        snprintf(n, sizeof n, "%u", def->forward_ifs[i].connections);
                        xml_buf_attr(c, "connections", n);
                }
                xml_buf_puts(c, "/>\n");
        }
}

void network_forward_free(NetworkDef *def) {
        for (size_t i = 0; i < def->n_forward_ifs; i++)
                free(def->forward_ifs[i].dev);
        free(def->forward_ifs);
        free(def->forward_pf);
        def->forward_ifs = NULL;
        def->n_forward_ifs = 0;
        def->forward_pf = NULL;
}

bool network_def_is_macvtap(const NetworkDef *def) {
        const char *m = def ? def->forward_mode : NULL;
        if (!m)
                return false;
        if (strcmp(m, "bridge") == 0)
                return !def->bridge;
        return strcmp(m, "private") == 0 || strcmp(m, "vepa") == 0 || strcmp(m, "passthrough") == 0;
}

NetworkForwardIf *network_def_forward_if(const NetworkDef *def, const char *dev) {
        for (size_t i = 0; dev && i < def->n_forward_ifs; i++)
                if (strcmp(def->forward_ifs[i].dev, dev) == 0)
                        return &def->forward_ifs[i];
        return NULL;
}

int network_forward_check(const NetworkDef *def, VbError *err) {
        const char *m = def->forward_mode;
        if (!m || !def->bridge)
                return 0;
        if (strcmp(m, "bridge") == 0 && (def->n_forward_ifs || def->forward_pf))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "A network with forward mode='%s' can specify a bridge name or a forward dev, but "
                                    "not both (network '%s')", m, def->name);
        if (strcmp(m, "private") == 0 || strcmp(m, "vepa") == 0 || strcmp(m, "passthrough") == 0 ||
            strcmp(m, "hostdev") == 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "bridge name not allowed in %s mode (network '%s')",
                                    m, def->name);
        return 0;
}
