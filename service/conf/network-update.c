/* network-update.c: virNetworkUpdate on a NetworkDef: add, delete or modify one DHCP host or range, portgroup, DNS host, TXT or SRV record. */
#include "network-update.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "network-dns-priv.h"
#include "network-priv.h"
#include "uuid.h"

static const char *const section_names[] = {
        "none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range", "forward", "forward-interface",
        "forward pf", "portgroup", "dns-host", "dns-txt", "dns-srv",
};

static int oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, NULL);
}

static int invalid(VbError *err, const char *fmt, const char *a, const char *b) {
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK, fmt, a, b);
}

static bool same(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static bool same_addr(const char *a, const char *b) {
        unsigned char x[16] = { 0 }, y[16] = { 0 };
        if (!a || !b)
                return false;
        bool v6 = strchr(a, ':') != NULL;
        return v6 == (strchr(b, ':') != NULL) && inet_pton(v6 ? AF_INET6 : AF_INET, a, x) == 1 &&
               inet_pton(v6 ? AF_INET6 : AF_INET, b, y) == 1 && memcmp(x, y, 16) == 0;
}

/* Insert (at the front or the back) the element of size sz at *item into the array. */
static int insert(void *array_ptr, size_t *n, size_t sz, const void *item, bool first) {
        char **arr = array_ptr;
        char *grown = realloc(*arr, (*n + 1) * sz);
        if (!grown)
                return -1;
        if (first)
                memmove(grown + sz, grown, *n * sz);
        memcpy(grown + (first ? 0 : *n * sz), item, sz);
        *arr = grown;
        (*n)++;
        return 0;
}

static void remove_at(void *array, size_t *n, size_t sz, size_t i) {
        char *a = array;
        memmove(a + i * sz, a + (i + 1) * sz, (*n - i - 1) * sz);
        (*n)--;
}

/* The <ip> a DHCP entry goes to: index, or the first of the family of addr (IPv4 without one). */
static NetworkIp *parent_ip(NetworkDef *def, int index, const char *addr, VbError *err) {
        NetworkDefPrivate *p = def->priv;
        bool want6 = addr && strchr(addr, ':');
        if (index >= 0 && (size_t) index < p->n_ips)
                return &p->ips[index];
        for (size_t i = 0; index < 0 && i < p->n_ips; i++) {
                bool v6 = p->ips[i].family && strcmp(p->ips[i].family, "ipv6") == 0;
                if (v6 == want6)
                        return &p->ips[i];
        }
        char idx[32];
        snprintf(idx, sizeof idx, "%d", index);
        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                     "couldn't update dhcp entry - no <ip> element found at index %s in network '%s'", idx, def->name);
        return NULL;
}

/* libvirt's texts show a missing attribute as (null). */
#define OR_NULL(s) ((s) ? (s) : "(null)")

static void host_text(const NetworkDhcpHost *h, bool element, char *out, size_t len) {
        snprintf(out, len, element ? "<host mac='%s' name='%s' ip='%s'/>" : "mac='%s'\" \"name='%s'\" \"ip='%s'",
                 OR_NULL(h->mac), OR_NULL(h->name), OR_NULL(h->ip));
}

static void dhcp_host_clear(NetworkDhcpHost *h) {
        free(h->mac);
        free(h->name);
        free(h->ip);
}

static int update_dhcp_host(NetworkDef *def, unsigned cmd, int index, xmlNodePtr node, VbError *err) {
        NetworkDhcpHost h = { xml_node_prop(node, "mac"), xml_node_prop(node, "name"), xml_node_prop(node, "ip") };
        char text[512];
        int r = -1;
        uint8_t mac[6];
        if (h.mac) {
                char norm[18];
                if (mac_parse(h.mac, mac) < 0) {
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                     "Cannot parse MAC address '%s' in network '%s'", h.mac, def->name);
                        goto out;
                }
                mac_format(mac, norm);
                free(h.mac);
                if (!(h.mac = strdup(norm))) {
                        oom(err);
                        goto out;
                }
        }
        if (!h.mac && !h.name && !h.ip) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                             "dhcp host entry of network '%s' needs a mac, a name or an ip", def->name);
                goto out;
        }
        NetworkIp *ip = parent_ip(def, index, h.ip, err);
        if (!ip)
                goto out;
        host_text(&h, cmd != NETWORK_UPDATE_MODIFY, text, sizeof text);
        if (cmd == NETWORK_UPDATE_ADD_FIRST || cmd == NETWORK_UPDATE_ADD_LAST) {
                for (size_t i = 0; i < ip->n_hosts; i++) {
                        const NetworkDhcpHost *o = &ip->hosts[i];
                        if ((h.mac && o->mac && !strcasecmp(h.mac, o->mac)) || same(h.name, o->name) ||
                            same_addr(h.ip, o->ip)) {
                                invalid(err, "there is an existing dhcp host entry in network '%s' that matches \"%s\"",
                                        def->name, text);
                                goto out;
                        }
                }
                if (insert(&ip->hosts, &ip->n_hosts, sizeof h, &h, cmd == NETWORK_UPDATE_ADD_FIRST) < 0) {
                        oom(err);
                        goto out;
                }
                ip->has_dhcp = true;
                return 0;
        }
        for (size_t i = 0; i < ip->n_hosts; i++) {
                NetworkDhcpHost *o = &ip->hosts[i];
                if (cmd == NETWORK_UPDATE_DELETE &&
                    (!h.mac || (o->mac && !strcasecmp(h.mac, o->mac))) && (!h.name || same(h.name, o->name)) &&
                    (!h.ip || same_addr(h.ip, o->ip))) {
                        dhcp_host_clear(o);
                        remove_at(ip->hosts, &ip->n_hosts, sizeof *o, i);
                        r = 0;
                        goto out;
                }
                /* modify: the entry with the same MAC (or the same name when there is no MAC) */
                if (cmd == NETWORK_UPDATE_MODIFY && (h.mac ? (o->mac && !strcasecmp(h.mac, o->mac)) : same(h.name, o->name))) {
                        dhcp_host_clear(o);
                        *o = h;
                        return 0;
                }
        }
        if (cmd == NETWORK_UPDATE_DELETE)
                invalid(err, "couldn't locate a matching dhcp host entry in network '%s'%s", def->name, "");
        else
                invalid(err, "couldn't locate an existing dhcp host entry with \"%s\" in network '%s'", text, def->name);
out:
        dhcp_host_clear(&h);
        return r;
}

static int update_dhcp_range(NetworkDef *def, unsigned cmd, int index, xmlNodePtr node, VbError *err) {
        if (cmd == NETWORK_UPDATE_MODIFY)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "dhcp ranges cannot be modified, only added or deleted");
        NetworkDhcpRange rg = { xml_node_prop(node, "start"), xml_node_prop(node, "end") };
        int r = -1;
        NetworkIp *ip = NULL;
        if (!rg.start || !rg.end)
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                             "Missing 'start' or 'end' attribute in dhcp range for network '%s'", def->name);
        else
                ip = parent_ip(def, index, rg.start, err);
        for (size_t i = 0; ip && i < ip->n_ranges; i++) {
                NetworkDhcpRange *o = &ip->ranges[i];
                if (!same_addr(rg.start, o->start) || !same_addr(rg.end, o->end))
                        continue;
                if (cmd != NETWORK_UPDATE_DELETE) {
                        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                     "there is an existing dhcp range entry in network '%s' that matches "
                                     "\"<range start='%s' end='%s'/>\"", def->name, rg.start, rg.end);
                        ip = NULL;
                        break;
                }
                free(o->start);
                free(o->end);
                remove_at(ip->ranges, &ip->n_ranges, sizeof *o, i);
                r = 0;
                ip = NULL;
        }
        if (ip && cmd == NETWORK_UPDATE_DELETE)
                invalid(err, "couldn't locate a matching dhcp range entry in network '%s'%s", def->name, "");
        else if (ip && insert(&ip->ranges, &ip->n_ranges, sizeof rg, &rg, cmd == NETWORK_UPDATE_ADD_FIRST) < 0)
                oom(err);
        else if (ip) {
                ip->has_dhcp = true;
                return 0;
        }
        free(rg.start);
        free(rg.end);
        return r;
}

static bool dns_host_matches(const NetworkDnsHost *a, const NetworkDnsHost *b) {
        if (same_addr(a->ip, b->ip))
                return true;
        for (size_t i = 0; i < a->n_hostnames; i++)
                for (size_t j = 0; j < b->n_hostnames; j++)
                        if (!strcasecmp(a->hostnames[i], b->hostnames[j]))
                                return true;
        return false;
}

static bool dns_srv_matches(const NetworkDnsSrv *a, const NetworkDnsSrv *b) {
        return same(a->service, b->service) && same(a->protocol, b->protocol) &&
               (!a->domain || same(a->domain, b->domain)) && (!a->target || same(a->target, b->target)) &&
               (a->port < 0 || a->port == b->port) && (a->priority < 0 || a->priority == b->priority) &&
               (a->weight < 0 || a->weight == b->weight);
}

/* DNS records: add when nothing matches, delete the one that matches; no modify (libvirt's rules). */
static int update_dns(NetworkDef *def, unsigned cmd, unsigned section, xmlNodePtr node, VbError *err) {
        NetworkDns *dns = &def->priv->dns;
        static const char *const kinds[] = { "HOST", "TXT", "SRV" };
        int k = section - NETWORK_SECTION_DNS_HOST;
        if (cmd == NETWORK_UPDATE_MODIFY)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "DNS %s records cannot be modified, only added or deleted", kinds[k]);
        if (dns->enable && strcmp(dns->enable, "no") == 0 && cmd != NETWORK_UPDATE_DELETE)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "DNS is disabled in network '%s': no DNS %s record can be added", def->name,
                                    kinds[k]);
        NetworkDnsHost h = { 0 };
        NetworkDnsTxt t = { 0 };
        NetworkDnsSrv s = { .port = -1, .priority = -1, .weight = -1 };
        int r = section == NETWORK_SECTION_DNS_HOST ? network_dns_parse_host(node, &h, def->name, 0, err)
                : section == NETWORK_SECTION_DNS_TXT ? network_dns_parse_txt(node, &t, def->name, 0, err)
                                                     : network_dns_parse_srv(node, &s, def->name, 0, err);
        size_t n = section == NETWORK_SECTION_DNS_HOST ? dns->n_hosts
                   : section == NETWORK_SECTION_DNS_TXT ? dns->n_txts : dns->n_srvs;
        size_t matches = 0, at = 0;
        for (size_t i = 0; r == 0 && i < n; i++) {
                bool m = section == NETWORK_SECTION_DNS_HOST ? dns_host_matches(&h, &dns->hosts[i])
                         : section == NETWORK_SECTION_DNS_TXT ? same(t.name, dns->txts[i].name)
                                                              : dns_srv_matches(&s, &dns->srvs[i]);
                if (m && !matches++)
                        at = i;
        }
        bool first = cmd == NETWORK_UPDATE_ADD_FIRST;
        if (r < 0) {
                /* err set by the parser */
        } else if (cmd != NETWORK_UPDATE_DELETE && matches) {
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                 "there is already at least one DNS %s record with a matching field in network %s",
                                 kinds[k], def->name);
        } else if (cmd != NETWORK_UPDATE_DELETE) {
                r = section == NETWORK_SECTION_DNS_HOST ? insert(&dns->hosts, &dns->n_hosts, sizeof h, &h, first)
                    : section == NETWORK_SECTION_DNS_TXT ? insert(&dns->txts, &dns->n_txts, sizeof t, &t, first)
                                                         : insert(&dns->srvs, &dns->n_srvs, sizeof s, &s, first);
                if (r < 0)
                        oom(err);
                else
                        return 0;
        } else if (matches != 1) {
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                 matches ? "multiple matching DNS %s records were found in network %s"
                                         : "couldn't locate a matching DNS %s record in network %s",
                                 kinds[k], def->name);
        } else if (section == NETWORK_SECTION_DNS_HOST) {
                network_dns_host_clear(&dns->hosts[at]);
                remove_at(dns->hosts, &dns->n_hosts, sizeof h, at);
        } else if (section == NETWORK_SECTION_DNS_TXT) {
                network_dns_txt_clear(&dns->txts[at]);
                remove_at(dns->txts, &dns->n_txts, sizeof t, at);
        } else {
                network_dns_srv_clear(&dns->srvs[at]);
                remove_at(dns->srvs, &dns->n_srvs, sizeof s, at);
        }
        network_dns_host_clear(&h);
        network_dns_txt_clear(&t);
        network_dns_srv_clear(&s);
        return r;
}

/* forward-interface: a device of the pool; one in use (live connections) is not deleted. */
static int update_forward_if(NetworkDef *def, unsigned cmd, xmlNodePtr node, VbError *err) {
        if (cmd == NETWORK_UPDATE_MODIFY)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "forward interface entries cannot be modified, only added or deleted");
        char *dev = xml_node_prop(node, "dev");
        if (!dev || !dev[0]) {
                free(dev);
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK, "missing dev attribute in <interface> element");
        }
        NetworkForwardIf *fi = network_def_forward_if(def, dev);
        int r = 0;
        if (cmd == NETWORK_UPDATE_DELETE) {
                if (!fi)
                        r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                         "couldn't find an interface entry in network '%s' matching <interface dev='%s'>",
                                         def->name, dev);
                else if (fi->connections)
                        r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                         "unable to delete interface '%s' in network '%s'. It is currently being used  "
                                         "by %u domains.", dev, def->name, fi->connections);
                if (r == 0) {
                        free(fi->dev);
                        remove_at(def->forward_ifs, &def->n_forward_ifs, sizeof *fi, (size_t) (fi - def->forward_ifs));
                }
        } else if (fi) {
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                 "there is an existing interface entry in network '%s' that matches \"<interface dev='%s'>\"",
                                 def->name, dev);
        } else {
                NetworkForwardIf add = { .dev = dev };
                r = insert(&def->forward_ifs, &def->n_forward_ifs, sizeof add, &add, cmd == NETWORK_UPDATE_ADD_FIRST);
                if (r == 0)
                        dev = NULL;
                else
                        r = oom(err);
        }
        free(dev);
        if (r == 0 && def->priv->forward_dev) {   /* <forward dev> names the pool's first device */
                char *first = def->n_forward_ifs ? strdup(def->forward_ifs[0].dev) : NULL;
                if (def->n_forward_ifs && !first)
                        return oom(err);
                free(def->priv->forward_dev);
                def->priv->forward_dev = first;
        }
        return r;
}

/* Portgroups are found by name; only one may be the default (libvirt's rules and texts). */
static int update_portgroup(NetworkDef *def, unsigned cmd, xmlNodePtr node, VbError *err) {
        NetworkDefPrivate *p = def->priv;
        NetworkPortgroup pg = { 0 };
        int r = network_portgroup_parse(node, &pg, err);
        size_t found = p->n_portgroups, other_default = p->n_portgroups;
        for (size_t i = 0; r == 0 && i < p->n_portgroups; i++) {
                if (same(pg.name, p->portgroups[i].name))
                        found = i;
                else if (p->portgroups[i].is_default)
                        other_default = i;
        }
        if (r < 0) {
                /* err set by the parser */
        } else if (cmd != NETWORK_UPDATE_DELETE && cmd != NETWORK_UPDATE_MODIFY && found < p->n_portgroups) {
                r = invalid(err, "there is an existing portgroup entry in network '%s' that matches \"<portgroup name='%s'>\"",
                            def->name, pg.name);
        } else if ((cmd == NETWORK_UPDATE_DELETE || cmd == NETWORK_UPDATE_MODIFY) && found == p->n_portgroups) {
                r = invalid(err, "couldn't find a portgroup entry in network '%s' matching <portgroup name='%s'>",
                            def->name, pg.name);
        } else if (cmd != NETWORK_UPDATE_DELETE && pg.is_default && other_default < p->n_portgroups) {
                r = invalid(err, "a different portgroup entry in network '%s' is already set as the default. "
                            "Only one default is allowed.%s", def->name, "");
        } else if (cmd == NETWORK_UPDATE_DELETE) {
                network_portgroup_clear(&p->portgroups[found]);
                remove_at(p->portgroups, &p->n_portgroups, sizeof pg, found);
        } else if (cmd == NETWORK_UPDATE_MODIFY) {
                network_portgroup_clear(&p->portgroups[found]);
                p->portgroups[found] = pg;
                return 0;
        } else if (insert(&p->portgroups, &p->n_portgroups, sizeof pg, &pg, cmd == NETWORK_UPDATE_ADD_FIRST) < 0) {
                r = oom(err);
        } else {
                return 0;
        }
        network_portgroup_clear(&pg);
        return r;
}

int network_def_update(NetworkDef *def, unsigned command, unsigned section, int parent_index, const char *xml,
                       VbError *err) {
        static const char *const elements[] = {
                [NETWORK_SECTION_IP_DHCP_HOST] = "host", [NETWORK_SECTION_IP_DHCP_RANGE] = "range",
                [NETWORK_SECTION_DNS_HOST] = "host", [NETWORK_SECTION_DNS_TXT] = "txt",
                [NETWORK_SECTION_DNS_SRV] = "srv", [NETWORK_SECTION_FORWARD_INTERFACE] = "interface",
                [NETWORK_SECTION_PORTGROUP] = "portgroup",
        };
        if (command < NETWORK_UPDATE_MODIFY || command > NETWORK_UPDATE_ADD_FIRST)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "unrecognized network update command code %u", command);
        if (section >= sizeof section_names / sizeof section_names[0])
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "can't update unrecognized section of network '%s'", def->name);
        if (section < NETWORK_SECTION_IP_DHCP_HOST ||
            (section > NETWORK_SECTION_IP_DHCP_RANGE && section < NETWORK_SECTION_DNS_HOST &&
             section != NETWORK_SECTION_FORWARD_INTERFACE && section != NETWORK_SECTION_PORTGROUP))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK,
                                    "can't update '%s' section of network '%s'", section_names[section], def->name);
        xmlDocPtr doc = xml_read_untrusted(xml, xml ? strlen(xml) : 0, NULL, "network_update", err);
        if (!doc)
                return -1;
        xmlNodePtr node = xmlDocGetRootElement(doc);
        int r;
        if (strcmp((const char *) node->name, elements[section]) != 0)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                 "unexpected element <%s>, expecting <%s>, while updating network '%s'",
                                 (const char *) node->name, elements[section], def->name);
        else if (section == NETWORK_SECTION_IP_DHCP_HOST)
                r = update_dhcp_host(def, command, parent_index, node, err);
        else if (section == NETWORK_SECTION_IP_DHCP_RANGE)
                r = update_dhcp_range(def, command, parent_index, node, err);
        else if (section == NETWORK_SECTION_FORWARD_INTERFACE)
                r = update_forward_if(def, command, node, err);
        else if (section == NETWORK_SECTION_PORTGROUP)
                r = update_portgroup(def, command, node, err);
        else
                r = update_dns(def, command, section, node, err);
        xmlFreeDoc(doc);
        return r;
}
