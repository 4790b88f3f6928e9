/* domain-filterref.c: a guest NIC's <filterref filter='…'> with its <parameter>s (the network filter its tap gets). */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

#define FILTERREF_PARAMS_MAX 256u

static int filterref_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

int domain_filterref_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err) {
        xmlNodePtr ref = xml_node_child(nic_node, "filterref");
        if (!ref)
                return 0;
        nic->filterref = xml_node_prop(ref, "filter");
        if (!nic->filterref || !nic->filterref[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "filterref needs a filter name");
        for (xmlNodePtr p = xml_node_child(ref, "parameter"); p; p = xml_node_next_same(p)) {
                if (nic->n_filterref_params >= FILTERREF_PARAMS_MAX)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "filterref has more than %u parameters", FILTERREF_PARAMS_MAX);
                DomainFilterParam *np = conf_array_add(&nic->filterref_params, &nic->n_filterref_params, sizeof *np);
                if (!np)
                        return filterref_oom(err);
                np->name = xml_node_prop(p, "name");
                np->value = xml_node_prop(p, "value");
                if (!np->name || !np->name[0] || !np->value)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "filterref parameter needs a name and a value");
        }
        return 0;
}

void domain_filterref_format(XmlBuf *b, const DomainInterface *nic) {
        if (!nic->filterref)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        xml_buf_open(b, "filterref");
        xml_buf_attr(b, "filter", nic->filterref);
        for (size_t i = 0; i < nic->n_filterref_params; i++) {
                xml_buf_open(&c, "parameter");
                xml_buf_attr(&c, "name", nic->filterref_params[i].name);
                xml_buf_attr(&c, "value", nic->filterref_params[i].value);
                xml_buf_puts(&c, "/>\n");
        }
        xml_buf_close(b, "filterref", &c, false);
}

void domain_filterref_free(DomainInterface *nic) {
        for (size_t i = 0; i < nic->n_filterref_params; i++) {
                free(nic->filterref_params[i].name);
                free(nic->filterref_params[i].value);
        }
        free(nic->filterref_params);
        free(nic->filterref);
        nic->filterref = NULL;
        nic->filterref_params = NULL;
        nic->n_filterref_params = 0;
}
