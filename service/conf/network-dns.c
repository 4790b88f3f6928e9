/* network-dns.c: <dns> of a <network>: parse, check, format and free, in libvirt's layout. */
#include "network-dns-priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })

static int oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, NULL);
}

static bool addr_ok(const char *s) {
        unsigned char buf[16];
        return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* An unsigned attribute of at most max, or -1 when absent. */
static int uint_attr(xmlNodePtr n, const char *attr, long long max, long long *out, const char *net, VbError *err) {
        char *s = xml_node_prop(n, attr), *end = NULL;
        *out = -1;
        if (!s)
                return 0;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        int r = 0;
        if (!s[0] || *end || errno || v < 0 || v > max)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                 "invalid %s '%s' in DNS SRV record of network '%s'", attr, s, net);
        free(s);
        *out = v;
        return r;
}

int network_dns_parse_host(xmlNodePtr n, NetworkDnsHost *h, const char *net, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(n, ENUM("ip"), ENUM("hostname"), err) < 0)
                return -1;
        h->ip = xml_node_prop(n, "ip");
        if (!h->ip)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Missing IP address in network '%s' DNS HOST record", net);
        if (!addr_ok(h->ip))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Invalid IP address '%s' in network '%s' DNS HOST record", h->ip, net);
        for (xmlNodePtr c = xml_node_child(n, "hostname"); c; c = xml_node_next_same(c)) {
                char *name = xml_node_text(c);
                if (!name || !name[0]) {
                        free(name);
                        continue;
                }
                char **slot = conf_array_add(&h->hostnames, &h->n_hostnames, sizeof *slot);
                if (!slot) {
                        free(name);
                        return oom(err);
                }
                *slot = name;
        }
        if (!h->n_hostnames)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Missing hostname in network '%s' DNS HOST record", net);
        return 0;
}

int network_dns_parse_txt(xmlNodePtr n, NetworkDnsTxt *t, const char *net, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(n, ENUM("name", "value"), NULL, err) < 0)
                return -1;
        t->name = xml_node_prop(n, "name");
        t->value = xml_node_prop(n, "value");
        if (!t->name || !t->name[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "missing required name attribute in DNS TXT record of network '%s'", net);
        if (strpbrk(t->name, " ,"))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "prohibited character in DNS TXT record name '%s' of network '%s'", t->name, net);
        if (!t->value)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "missing required value attribute in DNS TXT record named '%s' of network '%s'",
                                    t->name, net);
        return 0;
}

int network_dns_parse_srv(xmlNodePtr n, NetworkDnsSrv *s, const char *net, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(n, ENUM("service", "protocol", "domain", "target", "port", "priority", "weight"), NULL,
                            err) < 0)
                return -1;
        s->service = xml_node_prop(n, "service");
        s->protocol = xml_node_prop(n, "protocol");
        s->domain = xml_node_prop(n, "domain");
        s->target = xml_node_prop(n, "target");
        if (uint_attr(n, "port", 65535, &s->port, net, err) < 0 ||
            uint_attr(n, "priority", 65535, &s->priority, net, err) < 0 ||
            uint_attr(n, "weight", 65535, &s->weight, net, err) < 0)
                return -1;
        if (!s->service || !s->service[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "missing required service attribute in DNS SRV record of network '%s'", net);
        if (strlen(s->service) > 15 || strpbrk(s->service, " ,._"))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "invalid service '%s' in DNS SRV record of network '%s'", s->service, net);
        if (!s->protocol || (strcmp(s->protocol, "tcp") != 0 && strcmp(s->protocol, "udp") != 0))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "invalid protocol '%s' in DNS SRV record of network '%s' (tcp or udp)",
                                    s->protocol ? s->protocol : "", net);
        if (s->domain && strpbrk(s->domain, " ,"))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "invalid domain '%s' in DNS SRV record of network '%s'", s->domain, net);
        if (!s->target && (s->port >= 0 || s->priority >= 0 || s->weight >= 0))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "a DNS SRV record of network '%s' has port, priority or weight but no target", net);
        return 0;
}

static int parse_forwarder(xmlNodePtr n, NetworkDnsForwarder *f, const char *net, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(n, ENUM("domain", "addr"), NULL, err) < 0)
                return -1;
        f->domain = xml_node_prop(n, "domain");
        f->addr = xml_node_prop(n, "addr");
        if (!f->domain && !f->addr)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Invalid forwarder element, must contain at least one of addr or domain");
        if (f->addr && !addr_ok(f->addr))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Invalid forwarder IP address '%s' in network '%s'", f->addr, net);
        return 0;
}

#define ADD(arr, n, err) conf_array_add(&(arr), &(n), sizeof *(arr))

int network_dns_parse(xmlNodePtr node, NetworkDns *dns, const char *net, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(node, ENUM("enable", "forwardPlainNames"), ENUM("forwarder", "txt", "srv", "host"),
                            err) < 0)
                return -1;
        const char *attrs[] = { "enable", "forwardPlainNames" };
        char **slots[] = { &dns->enable, &dns->forward_plain_names };
        for (int i = 0; i < 2; i++) {
                *slots[i] = xml_node_prop(node, attrs[i]);
                if (*slots[i] && strcmp(*slots[i], "yes") != 0 && strcmp(*slots[i], "no") != 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                            "Invalid dns %s setting '%s' in network '%s'", attrs[i], *slots[i], net);
        }
        for (xmlNodePtr c = xml_node_child(node, "forwarder"); c; c = xml_node_next_same(c)) {
                NetworkDnsForwarder *f = ADD(dns->fwds, dns->n_fwds, err);
                if (!f)
                        return oom(err);
                if (parse_forwarder(c, f, net, flags, err) < 0)
                        return -1;
        }
        for (xmlNodePtr c = xml_node_child(node, "txt"); c; c = xml_node_next_same(c)) {
                NetworkDnsTxt *t = ADD(dns->txts, dns->n_txts, err);
                if (!t)
                        return oom(err);
                if (network_dns_parse_txt(c, t, net, flags, err) < 0)
                        return -1;
        }
        for (xmlNodePtr c = xml_node_child(node, "srv"); c; c = xml_node_next_same(c)) {
                NetworkDnsSrv *s = ADD(dns->srvs, dns->n_srvs, err);
                if (!s)
                        return oom(err);
                if (network_dns_parse_srv(c, s, net, flags, err) < 0)
                        return -1;
        }
        for (xmlNodePtr c = xml_node_child(node, "host"); c; c = xml_node_next_same(c)) {
                NetworkDnsHost *h = ADD(dns->hosts, dns->n_hosts, err);
                if (!h)
                        return oom(err);
                if (network_dns_parse_host(c, h, net, flags, err) < 0)
                        return -1;
        }
        bool extra = dns->forward_plain_names || dns->n_fwds || dns->n_txts || dns->n_srvs || dns->n_hosts;
        if (dns->enable && strcmp(dns->enable, "no") == 0 && extra)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Extra data in disabled network '%s'", net);
        return 0;
}

void network_dns_format_host(XmlBuf *b, const NetworkDnsHost *h) {
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t j = 0; j < h->n_hostnames; j++)
                xml_buf_text_element(&c, "hostname", h->hostnames[j]);
        xml_buf_open(b, "host");
        xml_buf_attr(b, "ip", h->ip);
        xml_buf_close(b, "host", &c, true);
}

void network_dns_format_txt(XmlBuf *b, const NetworkDnsTxt *t) {
        xml_buf_open(b, "txt");
        xml_buf_attr(b, "name", t->name);
        xml_buf_attr(b, "value", t->value);
        xml_buf_close(b, "txt", NULL, false);
}

void network_dns_format_srv(XmlBuf *b, const NetworkDnsSrv *s) {
        xml_buf_open(b, "srv");
        xml_buf_attr(b, "service", s->service);
        xml_buf_attr(b, "protocol", s->protocol);
        xml_buf_attr(b, "domain", s->domain);
        xml_buf_attr(b, "target", s->target);
        const char *names[] = { "port", "priority", "weight" };
        const long long vals[] = { s->port, s->priority, s->weight };
        for (int i = 0; i < 3; i++)
                if (vals[i] >= 0)
                        xml_buf_attr_int(b, names[i], vals[i]);
        xml_buf_close(b, "srv", NULL, false);
}

void network_dns_format(XmlBuf *b, const NetworkDns *dns) {
        if (!dns->enable && !dns->forward_plain_names && !dns->n_fwds && !dns->n_txts && !dns->n_srvs &&
            !dns->n_hosts)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t i = 0; i < dns->n_fwds; i++) {
                xml_buf_open(&c, "forwarder");
                xml_buf_attr(&c, "domain", dns->fwds[i].domain);
                xml_buf_attr(&c, "addr", dns->fwds[i].addr);
                xml_buf_close(&c, "forwarder", NULL, false);
        }
        for (size_t i = 0; i < dns->n_txts; i++)
                network_dns_format_txt(&c, &dns->txts[i]);
        for (size_t i = 0; i < dns->n_srvs; i++)
                network_dns_format_srv(&c, &dns->srvs[i]);
        for (size_t i = 0; i < dns->n_hosts; i++)
                network_dns_format_host(&c, &dns->hosts[i]);
        xml_buf_open(b, "dns");
        xml_buf_attr(b, "enable", dns->enable);
        xml_buf_attr(b, "forwardPlainNames", dns->forward_plain_names);
        xml_buf_close(b, "dns", &c, false);
}

void network_dns_host_clear(NetworkDnsHost *h) {
        for (size_t j = 0; j < h->n_hostnames; j++)
                free(h->hostnames[j]);
        free(h->hostnames);
        free(h->ip);
        *h = (NetworkDnsHost) { 0 };
}

void network_dns_txt_clear(NetworkDnsTxt *t) {
        free(t->name);
        free(t->value);
        *t = (NetworkDnsTxt) { 0 };
}

void network_dns_srv_clear(NetworkDnsSrv *s) {
        free(s->service);
        free(s->protocol);
        free(s->domain);
        free(s->target);
        *s = (NetworkDnsSrv) { .port = -1, .priority = -1, .weight = -1 };
}

void network_dns_clear(NetworkDns *dns) {
        free(dns->enable);
        free(dns->forward_plain_names);
        for (size_t i = 0; i < dns->n_fwds; i++) {
                free(dns->fwds[i].domain);
                free(dns->fwds[i].addr);
        }
        for (size_t i = 0; i < dns->n_txts; i++)
                network_dns_txt_clear(&dns->txts[i]);
        for (size_t i = 0; i < dns->n_srvs; i++)
                network_dns_srv_clear(&dns->srvs[i]);
        for (size_t i = 0; i < dns->n_hosts; i++)
                network_dns_host_clear(&dns->hosts[i]);
        free(dns->fwds);
        free(dns->txts);
        free(dns->srvs);
        free(dns->hosts);
        *dns = (NetworkDns) { 0 };
}
