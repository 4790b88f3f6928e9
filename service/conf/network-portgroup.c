/* network-portgroup.c: a network's <portgroup>, parsed and written in libvirt 9.0's layout and words. */
#include "network-portgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static const char *const vp_names[PORTGROUP_VP_N] = {
        "managerid", "typeid", "typeidversion", "instanceid", "interfaceid", "profileid",
};

/* The parameters each type keeps (bits of PORTGROUP_VP_*); libvirt refuses the others
 * ("extra …"), except midonet, which drops them. */
#define VP(x) (1u << PORTGROUP_VP_##x)
static const struct {
        const char *type;
        unsigned allowed;
} vp_types[] = {
        { "802.1Qbg", VP(MANAGERID) | VP(TYPEID) | VP(TYPEIDVERSION) | VP(INSTANCEID) },
        { "802.1Qbh", VP(PROFILEID) },
        { "openvswitch", VP(INTERFACEID) | VP(PROFILEID) },
        { "midonet", VP(INTERFACEID) },
};
/* libvirt checks the extras in this order */
static const unsigned vp_check_order[] = { PORTGROUP_VP_MANAGERID, PORTGROUP_VP_TYPEID, PORTGROUP_VP_TYPEIDVERSION,
                                           PORTGROUP_VP_INSTANCEID, PORTGROUP_VP_PROFILEID, PORTGROUP_VP_INTERFACEID };

static bool one_of(const char *s, const char *const *values) {
        for (size_t i = 0; values[i]; i++)
                if (strcmp(s, values[i]) == 0)
                        return true;
        return false;
}

static int parse_vlan(xmlNodePtr vlan, NetworkPortgroup *pg, VbError *err) {
        size_t n = xml_node_count(vlan, "tag"), native = 0;
        if (n == 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing tag id - each <vlan> must have at least one <tag id='n'/> subelement");
        if (!(pg->tags = calloc(n, sizeof *pg->tags)))
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, NULL);
        for (xmlNodePtr t = xml_node_child(vlan, "tag"); t; t = xml_node_next_same(t)) {
                NetworkVlanTag *tag = &pg->tags[pg->n_tags++];
                char *id = xml_node_prop(t, "id");
                uint64_t v = 0;
                int r = 0;
                if (!id)
                        r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                         "Missing required attribute 'id' in element 'tag'");
                else if (xml_parse_u64(id, &v) < 0)
                        r = xml_error_attr(err, t, "id", id, "non-negative integer");
                else if (v > 4095)
                        r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "vlan tag id %llu too large (maximum 4095)",
                                         (unsigned long long) v);
                free(id);
                if (r < 0)
                        return -1;
                tag->id = (unsigned) v;
                tag->native_mode = xml_node_prop(t, "nativeMode");
                if (tag->native_mode && !one_of(tag->native_mode, (const char *const[]) { "tagged", "untagged", NULL }))
                        return xml_error_attr(err, t, "nativeMode", tag->native_mode, NULL);
                if (tag->native_mode && native++)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "duplicate native vlan setting");
        }
        char *trunk = xml_node_prop(vlan, "trunk");
        int r = 0;
        if (trunk && strcmp(trunk, "yes") != 0 && strcmp(trunk, "no") != 0)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                 "invalid \"trunk='%s'\" in <vlan> - must be yes or no", trunk);
        else if (trunk && strcmp(trunk, "no") == 0 && n > 1)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                 "invalid \"trunk='no'\" in <vlan> - trunk='yes' is required for more than one vlan tag");
        /* more than one tag is a trunk, written as such, as libvirt does */
        pg->vlan_trunk = n > 1 || (trunk && strcmp(trunk, "yes") == 0);
        free(trunk);
        return r;
}

static int parse_virtualport(xmlNodePtr vp, NetworkPortgroup *pg, VbError *err) {
        pg->vp_type = xml_node_prop(vp, "type");
        size_t t = 0;
        while (pg->vp_type && t < XML_N(vp_types) && strcmp(vp_types[t].type, pg->vp_type) != 0)
                t++;
        if (t == XML_N(vp_types))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK, "unknown virtualport type %s",
                                    pg->vp_type);
        xmlNodePtr params = xml_node_child(vp, "parameters");
        for (size_t i = 0; params && i < PORTGROUP_VP_N; i++)
                pg->vp_params[i] = xml_node_prop(params, vp_names[i]);
        for (size_t i = 0; pg->vp_type && i < XML_N(vp_check_order); i++) {
                unsigned k = vp_check_order[i];
                if (!pg->vp_params[k] || (vp_types[t].allowed & (1u << k)))
                        continue;
                if (strcmp(pg->vp_type, "midonet") != 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "extra %s unsupported in <virtualport type='%s'>", vp_names[k], pg->vp_type);
                free(pg->vp_params[k]);
                pg->vp_params[k] = NULL;
        }
        return 0;
}

int network_portgroup_parse(xmlNodePtr node, NetworkPortgroup *pg, VbError *err) {
        if (!(pg->name = xml_node_prop(node, "name")))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "Missing required name attribute in portgroup");
        char *def = xml_node_prop(node, "default");
        pg->is_default = def && strcmp(def, "yes") == 0;
        free(def);
        pg->trust_rx = xml_node_prop(node, "trustGuestRxFilters");
        if (pg->trust_rx && strcmp(pg->trust_rx, "yes") != 0 && strcmp(pg->trust_rx, "no") != 0)
                return xml_error_attr(err, node, "trustGuestRxFilters", pg->trust_rx, NULL);
        xmlNodePtr vlan = xml_node_child(node, "vlan");
        if (vlan && parse_vlan(vlan, pg, err) < 0)
                return -1;
        xmlNodePtr vp = xml_node_child(node, "virtualport");
        if (vp && parse_virtualport(vp, pg, err) < 0)
                return -1;
        /* a portgroup's <bandwidth> is a NIC's without floor (libvirt: "not supported for this config") */
        DomainInterface bw = { 0 };
        if (domain_bandwidth_parse(node, &bw, err) < 0)
                return -1;
        pg->bw_in = bw.bw_in;
        pg->bw_out = bw.bw_out;
        return 0;
}

static void format_vlan(XmlBuf *b, const NetworkPortgroup *pg) {
        if (!pg->n_tags)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t i = 0; i < pg->n_tags; i++) {
                xml_buf_open(&c, "tag");
                xml_buf_attr_uint(&c, "id", pg->tags[i].id);
                xml_buf_attr(&c, "nativeMode", pg->tags[i].native_mode);
                xml_buf_puts(&c, "/>\n");
        }
        xml_buf_open(b, "vlan");
        if (pg->vlan_trunk)
                xml_buf_attr(b, "trunk", "yes");
        xml_buf_close(b, "vlan", &c, true);
}

static void format_virtualport(XmlBuf *b, const NetworkPortgroup *pg) {
        bool any = false;
        for (size_t i = 0; i < PORTGROUP_VP_N; i++)
                any = any || pg->vp_params[i];
        if (!pg->vp_type && !any)
                return;         /* libvirt drops an empty <virtualport/> */
        XmlBuf c = XML_BUF_CHILD(b);
        if (any) {
                xml_buf_open(&c, "parameters");
                for (size_t i = 0; i < PORTGROUP_VP_N; i++)
                        xml_buf_attr(&c, vp_names[i], pg->vp_params[i]);
                xml_buf_puts(&c, "/>\n");
        }
        xml_buf_open(b, "virtualport");
        xml_buf_attr(b, "type", pg->vp_type);
        xml_buf_close(b, "virtualport", &c, false);
}

void network_portgroup_format(XmlBuf *b, const NetworkPortgroup *pg) {
        XmlBuf c = XML_BUF_CHILD(b);
        format_vlan(&c, pg);
        format_virtualport(&c, pg);
        DomainInterface bw = { .bw_in = pg->bw_in, .bw_out = pg->bw_out };
        domain_bandwidth_format(&c, &bw);
        xml_buf_open(b, "portgroup");
        xml_buf_attr(b, "name", pg->name);
        if (pg->is_default)
                xml_buf_attr(b, "default", "yes");
        xml_buf_attr(b, "trustGuestRxFilters", pg->trust_rx);
        xml_buf_close(b, "portgroup", &c, true);
}

void network_portgroup_clear(NetworkPortgroup *pg) {
        free(pg->name);
        free(pg->trust_rx);
        for (size_t i = 0; i < pg->n_tags; i++)
                free(pg->tags[i].native_mode);
        free(pg->tags);
        free(pg->vp_type);
        for (size_t i = 0; i < PORTGROUP_VP_N; i++)
                free(pg->vp_params[i]);
        memset(pg, 0, sizeof *pg);
}
