/* domain-bandwidth.c: a guest NIC's <bandwidth> (<inbound average peak floor burst/> and <outbound average peak burst/>: KiB/s rates and KiB bursts) and <mtu size>, parsed and written as libvirt does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bandwidth-priv.h"
#include "domain-priv.h"

/* One <inbound>/<outbound>: average or floor is mandatory; floor only inbound, and only where the
 * NIC's type allows it (libvirt: type network). */
static int rate_parse(xmlNodePtr node, DomainBandwidthRate *r, bool inbound, bool allow_floor, VbError *err) {
        static const char *const names[] = { "average", "peak", "burst", "floor" };
        uint64_t *slots[] = { &r->average, &r->peak, &r->burst, &r->floor };
        bool given[4] = { false };
        for (unsigned i = 0; i < 4; i++) {
                char *s = xml_node_prop(node, names[i]);
                if (!s)
                        continue;
                int ok = xml_parse_u64(s, slots[i]);
                if (ok < 0) {
                        vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                     "could not convert bandwidth %s value '%s'", names[i], s);
                        free(s);
                        return -1;
                }
                free(s);
                given[i] = true;
        }
        if (given[3] && !inbound)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                    "'floor' attribute allowed only in <inbound> element");
        if (!given[0] && !given[3])
                return vb_error_set(err, VB_ERR_XML_DETAIL, VB_FROM_NONE, "Missing mandatory average or floor attributes");
        if (r->floor && !allow_floor)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                    "floor attribute is not supported for this config");
        /* an average and a floor of 0 set nothing: libvirt drops the element */
        r->set = r->average || r->floor;
        if (!r->set)
                memset(r, 0, sizeof *r);
        return 0;
}

int bandwidth_parse(xmlNodePtr bw, DomainBandwidthRate *in, DomainBandwidthRate *out, bool allow_floor,
                    VbError *err) {
        static const char *const dirs[] = { "inbound", "outbound" };
        DomainBandwidthRate *rates[] = { in, out };
        for (unsigned i = 0; i < 2; i++) {
                xmlNodePtr r = xml_node_child(bw, dirs[i]);
                if (!r)
                        continue;
                if (xml_node_next_same(r))
                        return vb_error_set(err, VB_ERR_XML_DETAIL, VB_FROM_NONE, "Only one child <%s> element allowed",
                                            dirs[i]);
                if (rate_parse(r, rates[i], i == 0, allow_floor, err) < 0)
                        return -1;
        }
        return 0;
}

int domain_bandwidth_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err) {
        xmlNodePtr bw = xml_node_child(nic_node, "bandwidth");
        if (!bw)
                return 0;
        bool allow_floor = nic->type && strcmp(nic->type, "network") == 0;
        return bandwidth_parse(bw, &nic->bw_in, &nic->bw_out, allow_floor, err);
}

static void rate_format(XmlBuf *b, const char *name, const DomainBandwidthRate *r) {
        if (!r->set)
                return;
        xml_buf_open(b, name);
        /* libvirt's order: average, peak, floor, burst; zero values are not written */
        const uint64_t v[] = { r->average, r->peak, r->floor, r->burst };
        static const char *const names[] = { "average", "peak", "floor", "burst" };
        for (unsigned i = 0; i < 4; i++)
                if (v[i])
                        xml_buf_attr_uint(b, names[i], v[i]);
        xml_buf_puts(b, "/>\n");
}

void bandwidth_format(XmlBuf *b, const DomainBandwidthRate *in, const DomainBandwidthRate *out) {
        if (!in->set && !out->set)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        rate_format(&c, "inbound", in);
        rate_format(&c, "outbound", out);
        xml_buf_open(b, "bandwidth");
        xml_buf_close(b, "bandwidth", &c, true);
}

void domain_bandwidth_format(XmlBuf *b, const DomainInterface *nic) {
        bandwidth_format(b, &nic->bw_in, &nic->bw_out);
}

/* <mtu size='N'/>: libvirt 9.0 takes any unsigned number ("malformed mtu size" else); 0 is unset. */
int domain_interface_mtu_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err) {
        xmlNodePtr m = xml_node_child(nic_node, "mtu");
        char *size = m ? xml_node_prop(m, "size") : NULL;
        uint64_t v = 0;
        int r = 0;
        if (m && (!size || xml_parse_u64(size, &v) < 0 || v > UINT32_MAX))
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "malformed mtu size");
        else
                nic->mtu = (unsigned) v;
        free(size);
        return r;
}

void domain_interface_mtu_format(XmlBuf *b, const DomainInterface *nic) {
        if (!nic->mtu)
                return;
        xml_buf_open(b, "mtu");
        xml_buf_attr_uint(b, "size", nic->mtu);
        xml_buf_puts(b, "/>\n");
}
