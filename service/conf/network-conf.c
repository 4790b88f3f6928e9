/* network-conf.c: <network> parse and format, in libvirt's layout. */
#include "network-conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network-dns-priv.h"
#include "network-priv.h"
#include "uuid.h"

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const char *const forward_modes[] = {
        "nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev", NULL,
};

static const XmlField forward_fields[] = {
        { NULL, "mode", XF_STR, offsetof(NetworkDefPrivate, forward_mode), NULL },
        { NULL, "dev", XF_STR, offsetof(NetworkDefPrivate, forward_dev), NULL },
        { "nat", NULL, XF_KNOWN, 0, NULL },
        { "interface", NULL, XF_KNOWN, 0, NULL },
        { "pf", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField nat_fields[] = {
        { "address", "start", XF_STR, offsetof(NetworkDefPrivate, nat_address_start), NULL },
        { "address", "end", XF_STR, offsetof(NetworkDefPrivate, nat_address_end), NULL },
        { "port", "start", XF_UINT, offsetof(NetworkDefPrivate, nat_port_start), NULL },
        { "port", "end", XF_UINT, offsetof(NetworkDefPrivate, nat_port_end), NULL },
};

/* The whole element in output order; the caller writes the XF_KNOWN parts itself. */
static const XmlField network_fields[] = {
        { NULL, "ipv6", XF_ENUM, offsetof(NetworkDefPrivate, ipv6), xml_values_yes_no },
        { NULL, "connections", XF_KNOWN, 0, NULL },
        { "name", NULL, XF_KNOWN, 0, NULL },
        { "uuid", NULL, XF_KNOWN, 0, NULL },
        { "forward", NULL, XF_KNOWN, 0, NULL },
        { "bridge", "name", XF_STR, offsetof(NetworkDefPrivate, bridge), NULL },
        { "bridge", "stp", XF_ENUM, offsetof(NetworkDefPrivate, stp), xml_values_on_off },
        { "bridge", "delay", XF_UINT, offsetof(NetworkDefPrivate, delay), NULL },
        { "mtu", "size", XF_UINT, offsetof(NetworkDefPrivate, mtu), NULL },
        { "mac", "address", XF_STR, offsetof(NetworkDefPrivate, mac), NULL },
        { "domain", "name", XF_STR, offsetof(NetworkDefPrivate, domain_name), NULL },
        { "domain", "localOnly", XF_ENUM, offsetof(NetworkDefPrivate, domain_local_only), xml_values_yes_no },
        { "dns", NULL, XF_KNOWN, 0, NULL },
        { "bandwidth", NULL, XF_KNOWN, 0, NULL },
        { "ip", NULL, XF_KNOWN, 0, NULL },
        { "portgroup", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField ip_fields[] = {
        { NULL, "family", XF_ENUM, offsetof(NetworkIp, family), ENUM("ipv4", "ipv6") },
        { NULL, "address", XF_STR, offsetof(NetworkIp, address), NULL },
        { NULL, "netmask", XF_STR, offsetof(NetworkIp, netmask), NULL },
        { NULL, "prefix", XF_UINT, offsetof(NetworkIp, prefix), NULL },
        { NULL, "localPtr", XF_ENUM, offsetof(NetworkIp, local_ptr), xml_values_yes_no },
        { "tftp", "root", XF_STR, offsetof(NetworkIp, tftp_root), NULL },
        { "dhcp", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField range_fields[] = {
        { NULL, "start", XF_STR, offsetof(NetworkDhcpRange, start), NULL },
        { NULL, "end", XF_STR, offsetof(NetworkDhcpRange, end), NULL },
};

static const XmlField host_fields[] = {
        { NULL, "mac", XF_STR, offsetof(NetworkDhcpHost, mac), NULL },
        { NULL, "name", XF_STR, offsetof(NetworkDhcpHost, name), NULL },
        { NULL, "ip", XF_STR, offsetof(NetworkDhcpHost, ip), NULL },
};

static const XmlField bootp_fields[] = {
        { NULL, "file", XF_STR, offsetof(NetworkIp, bootp_file), NULL },
        { NULL, "server", XF_STR, offsetof(NetworkIp, bootp_server), NULL },
};

static int network_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, NULL);
}

static bool network_addr_ok(const char *s, bool v6) {
        unsigned char buf[16];
        return s && inet_pton(v6 ? AF_INET6 : AF_INET, s, buf) == 1;
}

static int network_check_addr(const char *s, bool v6, const char *name, VbError *err) {
        if (s && !network_addr_ok(s, v6))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Invalid address '%s' in network '%s'", s, name);
        return 0;
}

/* Normalise a MAC attribute in place; message names what the MAC belonged to. */
static int network_check_mac(char **mac, const char *fmt, const char *name, VbError *err) {
        uint8_t bytes[6];
        char text[18];
        if (!*mac)
                return 0;
        if (mac_parse(*mac, bytes) < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, fmt, *mac, name);
        mac_format(bytes, text);
        char *copy = strdup(text);
        if (!copy)
                return network_oom(err);
        free(*mac);
        *mac = copy;
        return 0;
}

static int network_parse_dhcp(NetworkIp *ip, xmlNodePtr dhcp, bool v6, const char *name,
                              unsigned flags, VbError *err) {
        ip->has_dhcp = true;
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(dhcp, NULL, ENUM("range", "host", "bootp"), err) < 0)
                return -1;
        for (xmlNodePtr r = xml_node_child(dhcp, "range"); r; r = xml_node_next_same(r)) {
                NetworkDhcpRange *range = conf_array_add(&ip->ranges, &ip->n_ranges, sizeof *range);
                if (!range)
                        return network_oom(err);
                if (xml_fields_parse(r, range_fields, XML_N(range_fields), range, flags, err) < 0 ||
                    network_check_addr(range->start, v6, name, err) < 0 ||
                    network_check_addr(range->end, v6, name, err) < 0)
                        return -1;
                if (!range->start || !range->end)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "Missing 'start' or 'end' attribute in dhcp range for network '%s'",
                                            name);
        }
        for (xmlNodePtr h = xml_node_child(dhcp, "host"); h; h = xml_node_next_same(h)) {
                NetworkDhcpHost *host = conf_array_add(&ip->hosts, &ip->n_hosts, sizeof *host);
                if (!host)
                        return network_oom(err);
                if (xml_fields_parse(h, host_fields, XML_N(host_fields), host, flags, err) < 0 ||
                    network_check_mac(&host->mac, "Cannot parse MAC address '%s' in network '%s'",
                                      name, err) < 0 ||
                    network_check_addr(host->ip, v6, name, err) < 0)
                        return -1;
        }
        xmlNodePtr bootp = xml_node_child(dhcp, "bootp");
        return bootp ? xml_fields_parse(bootp, bootp_fields, XML_N(bootp_fields), ip, flags, err) : 0;
}

static int network_parse_ip(NetworkIp *ip, xmlNodePtr node, const char *name, unsigned flags,
                            VbError *err) {
        if (xml_fields_parse(node, ip_fields, XML_N(ip_fields), ip, flags, err) < 0)
                return -1;
        bool v6 = ip->family && strcmp(ip->family, "ipv6") == 0;
        if (network_check_addr(ip->address, v6, name, err) < 0)
                return -1;
        if (ip->netmask && ip->prefix.set)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                    "Network '%s' IP address cannot have both a prefix and a netmask",
                                    name);
        if (ip->netmask && (v6 || !network_addr_ok(ip->netmask, false)))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Invalid netmask '%s' in network '%s'", ip->netmask, name);
        if (ip->prefix.set && ip->prefix.v > (v6 ? 128 : 32))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                    "Invalid %s prefix '%lld' in network '%s'", v6 ? "IPv6" : "IPv4",
                                    ip->prefix.v, name);
        xmlNodePtr dhcp = xml_node_child(node, "dhcp");
        return dhcp ? network_parse_dhcp(ip, dhcp, v6, name, flags, err) : 0;
}

static int network_parse_root(NetworkDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        NetworkDefPrivate *p = def->priv;
        def->name = xml_child_text(root, "name");
        if (!def->name || !def->name[0])
                return vb_error_set(err, VB_ERR_NO_NAME, VB_FROM_NETWORK, NULL);
        char *uuid = xml_strip(xml_child_text(root, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->uuid) : uuid_generate(def->uuid);
        free(uuid);
        if (r == -EINVAL)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "malformed uuid element");
        if (r < 0)
                return vb_error_errno(err, r, "uuid_generate");

        if (xml_fields_parse(root, network_fields, XML_N(network_fields), p, flags, err) < 0)
                return -1;
        xmlNodePtr fwd = xml_node_child(root, "forward");
        if (fwd) {
                xmlNodePtr nat = xml_node_child(fwd, "nat");
                if (xml_fields_parse(fwd, forward_fields, XML_N(forward_fields), p, flags, err) < 0 ||
                    (nat && xml_fields_parse(nat, nat_fields, XML_N(nat_fields), p, flags, err) < 0) ||
                    network_forward_parse(fwd, def, flags, err) < 0)
                        return -1;
                /* <forward/> without a mode means NAT, as in libvirt. */
                def->forward_mode = p->forward_mode ? p->forward_mode : strdup("nat");
                p->forward_mode = NULL;
                if (!def->forward_mode)
                        return network_oom(err);
                bool known = false;
                for (size_t i = 0; forward_modes[i] && !known; i++)
                        known = strcmp(forward_modes[i], def->forward_mode) == 0;
                if (!known)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "unknown forwarding type '%s'", def->forward_mode);
        }
        def->bridge = p->bridge;
        p->bridge = NULL;
        if (network_forward_check(def, err) < 0)
                return -1;
        if (network_check_mac(&p->mac, "Invalid bridge mac address '%s' in network '%s'",
                              def->name, err) < 0)
                return -1;
        xmlNodePtr dns = xml_node_child(root, "dns");
        if (dns && network_dns_parse(dns, &p->dns, def->name, flags, err) < 0)
                return -1;
        for (xmlNodePtr n = xml_node_child(root, "ip"); n; n = xml_node_next_same(n)) {
                NetworkIp *ip = conf_array_add(&p->ips, &p->n_ips, sizeof *ip);
                if (!ip)
                        return network_oom(err);
                if (network_parse_ip(ip, n, def->name, flags, err) < 0)
                        return -1;
        }
        if (network_qos_parse(p, root, err) < 0)
                return -1;
        for (xmlNodePtr n = xml_node_child(root, "portgroup"); n; n = xml_node_next_same(n)) {
                NetworkPortgroup *pg = conf_array_add(&p->portgroups, &p->n_portgroups, sizeof *pg);
                if (!pg)
                        return network_oom(err);
                if (network_portgroup_parse(n, pg, err) < 0)
                        return -1;
        }
        return 0;
}

NetworkDef *network_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "network", "network_definition", err);
        if (!doc)
                return NULL;
        NetworkDef *def = calloc(1, sizeof *def);
        if (def)
                def->priv = calloc(1, sizeof *def->priv);
        if (!def || !def->priv) {
                free(def);
                xmlFreeDoc(doc);
                network_oom(err);
                return NULL;
        }
        int r = network_parse_root(def, xmlDocGetRootElement(doc), (flags & NETWORK_PARSE_VALIDATE) ? XML_FIELDS_VALIDATE : 0, err);
        xmlFreeDoc(doc);
        return r < 0 ? network_def_free(def) : def;
}

static void network_ip_hook(XmlBuf *c, const char *child, const void *obj) {
        const NetworkIp *ip = obj;
        if (strcmp(child, "dhcp") != 0 || !ip->has_dhcp)
                return;
        XmlBuf d = XML_BUF_CHILD(c);
        for (size_t i = 0; i < ip->n_ranges; i++)
                xml_fields_format(&d, "range", range_fields, XML_N(range_fields), &ip->ranges[i], NULL);
        for (size_t i = 0; i < ip->n_hosts; i++)
                xml_fields_format(&d, "host", host_fields, XML_N(host_fields), &ip->hosts[i], NULL);
        if (ip->bootp_file)
                xml_fields_format(&d, "bootp", bootp_fields, XML_N(bootp_fields), ip, NULL);
        xml_buf_open(c, "dhcp");
        xml_buf_close(c, "dhcp", &d, true);
}

static void network_dns_hook(XmlBuf *c, const char *child, const void *obj) {
        if (strcmp(child, "dns") == 0)
                network_dns_format(c, &((const NetworkDefPrivate *) obj)->dns);
        else if (strcmp(child, "bandwidth") == 0)
                network_qos_format_bandwidth(c, obj);
}

static void network_format_forward(XmlBuf *b, const NetworkDef *def, unsigned flags) {
        const NetworkDefPrivate *p = def->priv;
        if (!def->forward_mode)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        if (xml_fields_any_set(nat_fields, XML_N(nat_fields), p)) {
                XmlBuf n = XML_BUF_CHILD(&c);
                xml_fields_format_children(&n, nat_fields, XML_N(nat_fields), p, NULL);
                xml_buf_open(&c, "nat");
                xml_buf_close(&c, "nat", &n, false);
        }
        network_forward_format(&c, def, flags & NETWORK_FORMAT_INACTIVE);
        /* libvirt names the pool's first device in dev= (not with a <pf>) */
        const char *dev = p->forward_dev;
        if (!dev && !def->forward_pf && def->n_forward_ifs)
                dev = def->forward_ifs[0].dev;
        xml_buf_open(b, "forward");
        xml_buf_attr(b, "dev", dev);
        xml_buf_attr(b, "mode", def->forward_mode);
        xml_buf_close(b, "forward", &c, false);
}

char *network_def_format(const NetworkDef *def, unsigned flags) {
        if (!def || !def->priv)
                return NULL;
        NetworkDefPrivate p = *def->priv;   /* shallow: shows public fields and defaults */
        p.bridge = def->bridge;
        /* Networks whose bridge libvirt creates always show its STP settings. */
        const char *m = def->forward_mode;
        bool own_bridge = !m || !strcmp(m, "nat") || !strcmp(m, "route") || !strcmp(m, "open");
        if (own_bridge) {
                if (!p.stp)
                        p.stp = (char *) "on";
                if (!p.delay.set)
                        p.delay = (ConfInt) { true, 0 };
        } else if (!p.bridge) {
                p.stp = NULL;
                p.delay.set = false;
        }

        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "network");
        char conns[16];
        snprintf(conns, sizeof conns, "%u", def->connections);
        if (def->connections && !(flags & NETWORK_FORMAT_INACTIVE))
                xml_buf_attr(&b, "connections", conns);
        xml_buf_attr(&b, "ipv6", p.ipv6);
        xml_buf_puts(&b, ">\n");
        b.indent = 1;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        xml_buf_text_element(&b, "name", def->name);
        xml_buf_text_element(&b, "uuid", uuid);
        network_format_forward(&b, def, flags);
        xml_fields_format_children(&b, network_fields, XML_N(network_fields), &p, network_dns_hook);
        for (size_t i = 0; i < p.n_ips; i++) {
                const NetworkIp *ip = &p.ips[i];
                XmlBuf c = XML_BUF_CHILD(&b);
                xml_fields_format_children(&c, ip_fields, XML_N(ip_fields), ip, network_ip_hook);
                xml_buf_open(&b, "ip");
                xml_fields_format_attrs(&b, ip_fields, XML_N(ip_fields), ip);
                xml_buf_close(&b, "ip", &c, true);
        }
        for (size_t i = 0; i < p.n_portgroups; i++)
                network_portgroup_format(&b, &p.portgroups[i]);
        b.indent = 0;
        xml_buf_puts(&b, "</network>\n");
        return xml_buf_steal(&b);
}

NetworkDef *network_def_copy(const NetworkDef *def) {
        char *xml = network_def_format(def, 0);
        if (!xml)
                return NULL;
        NetworkDef *copy = network_def_parse(xml, strlen(xml), 0, NULL);
        free(xml);
        return copy;
}

NetworkDef *network_def_free(NetworkDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->bridge);
        free(def->forward_mode);
        network_forward_free(def);
        NetworkDefPrivate *p = def->priv;
        if (p) {
                xml_fields_free(forward_fields, XML_N(forward_fields), p);
                xml_fields_free(nat_fields, XML_N(nat_fields), p);
                xml_fields_free(network_fields, XML_N(network_fields), p);
                for (size_t i = 0; i < p->n_ips; i++) {
                        NetworkIp *ip = &p->ips[i];
                        for (size_t j = 0; j < ip->n_ranges; j++)
                                xml_fields_free(range_fields, XML_N(range_fields), &ip->ranges[j]);
                        for (size_t j = 0; j < ip->n_hosts; j++)
                                xml_fields_free(host_fields, XML_N(host_fields), &ip->hosts[j]);
                        free(ip->ranges);
                        free(ip->hosts);
                        xml_fields_free(ip_fields, XML_N(ip_fields), ip);
                        xml_fields_free(bootp_fields, XML_N(bootp_fields), ip);
                }
                free(p->ips);
                for (size_t i = 0; i < p->n_portgroups; i++)
                        network_portgroup_clear(&p->portgroups[i]);
                free(p->portgroups);
                network_dns_clear(&p->dns);
                free(p);
        }
        free(def);
        return NULL;
}
