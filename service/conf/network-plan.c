/* network-plan.c: NetworkDef → NetworkPlan, with the checks a host network needs before it is built. */
#include "network-plan.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network-priv.h"

static bool parse(bool v6, const char *s, uint8_t out[16]) {
        return s && inet_pton(v6 ? AF_INET6 : AF_INET, s, out) == 1;
}

static void mask(uint8_t a[16], unsigned prefix, unsigned len) {
        for (unsigned i = 0; i < len; i++) {
                unsigned bits = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
                a[i] &= (uint8_t) (0xff00 >> bits);
        }
}

static bool in_subnet(const uint8_t a[16], const uint8_t subnet[16], unsigned prefix, unsigned len) {
        uint8_t m[16];
        memcpy(m, a, 16);
        mask(m, prefix, len);
        return memcmp(m, subnet, len) == 0;
}

/* Bytes of a minus b, as a big-endian number (the low 8 bytes suffice for any DHCP range). */
static int64_t distance(const uint8_t a[16], const uint8_t b[16], unsigned len) {
        if (memcmp(a, b, len) < 0)
                return -1;
        uint64_t x = 0, y = 0;
        for (unsigned i = len > 8 ? len - 8 : 0; i < len; i++) {
                x = x << 8 | a[i];
                y = y << 8 | b[i];
        }
        return (int64_t) ((x - y) & 0x7fffffffffffffffull);
}

static int plan_ip(const NetworkIp *src, NetworkPlanIp *ip, const char *name, VbError *err) {
        ip->ipv6 = src->family && strcmp(src->family, "ipv6") == 0;
        unsigned len = ip->ipv6 ? 16 : 4;
        uint8_t a[16] = { 0 }, s[16] = { 0 };
        ip->address = src->address;
        if (!parse(ip->ipv6, src->address, a))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                    "Missing IP address in network '%s'", name);
        if (src->prefix.set) {
                ip->prefix = (unsigned) src->prefix.v;
        } else if (src->netmask) {
                uint8_t m[16] = { 0 };
                parse(false, src->netmask, m);
                uint32_t v = (uint32_t) m[0] << 24 | m[1] << 16 | m[2] << 8 | m[3];
                unsigned p = 0;
                while (p < 32 && (v & (0x80000000u >> p)))
                        p++;
                if (p < 32 && (v << p))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "Invalid netmask '%s' in network '%s'", src->netmask, name);
                ip->prefix = p;
        } else {
                ip->prefix = ip->ipv6 ? 64 : 24;   /* libvirt: IPv4 by class; 24 is the common case */
        }
        memcpy(s, a, 16);
        mask(s, ip->prefix, len);
        inet_ntop(ip->ipv6 ? AF_INET6 : AF_INET, s, ip->subnet, sizeof ip->subnet);
        if (!ip->ipv6) {
                uint8_t m[16] = { 0xff, 0xff, 0xff, 0xff };
                mask(m, ip->prefix, 4);
                inet_ntop(AF_INET, m, ip->netmask, sizeof ip->netmask);
        }
        NetworkPlanRange *ranges = calloc(src->n_ranges ? src->n_ranges : 1, sizeof *ranges);
        NetworkPlanHost *hosts = calloc(src->n_hosts ? src->n_hosts : 1, sizeof *hosts);
        ip->ranges = ranges;
        ip->hosts = hosts;
        if (!ranges || !hosts)
                return vb_error_errno(err, -12, "network plan");
        for (size_t i = 0; i < src->n_ranges; i++) {
                uint8_t b[16] = { 0 }, e[16] = { 0 };
                const char *st = src->ranges[i].start, *en = src->ranges[i].end;
                if (!parse(ip->ipv6, st, b) || !parse(ip->ipv6, en, e) || !in_subnet(b, s, ip->prefix, len) ||
                    !in_subnet(e, s, ip->prefix, len))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "range %s - %s is not entirely within network %s/%u of network '%s'",
                                            st, en, ip->address, ip->prefix, name);
                int64_t d = distance(e, b, len);
                if (d < 0)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "range %s - %s is reversed in network '%s'", st, en, name);
                ip->dhcp_size += (uint64_t) d + 1;
                ranges[i] = (NetworkPlanRange) { st, en };
        }
        ip->n_ranges = src->n_ranges;
        for (size_t i = 0; i < src->n_hosts; i++) {
                const NetworkDhcpHost *h = &src->hosts[i];
                uint8_t b[16];
                if (h->ip && (!parse(ip->ipv6, h->ip, b) || !in_subnet(b, s, ip->prefix, len)))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "DHCP host address %s is not within network %s/%u of network '%s'",
                                            h->ip, ip->address, ip->prefix, name);
                if (!h->mac && !h->name)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                                            "DHCP host in network '%s' has neither a mac nor a name", name);
                hosts[i] = (NetworkPlanHost) { h->mac, h->name, h->ip };
        }
        ip->n_hosts = src->n_hosts;
        ip->dhcp = src->has_dhcp && (src->n_ranges || src->n_hosts);
        return 0;
}

void network_plan_done(NetworkPlan *plan) {
        for (size_t i = 0; i < plan->n_ips; i++) {
                free((void *) plan->ips[i].ranges);
                free((void *) plan->ips[i].hosts);
        }
        free(plan->ips);
        memset(plan, 0, sizeof *plan);
}

int network_plan_build(const NetworkDef *def, NetworkPlan *plan, VbError *err) {
        const NetworkDefPrivate *p = def->priv;
        *plan = (NetworkPlan) {
                .name = def->name, .bridge = def->bridge, .forward_mode = def->forward_mode,
                .forward_dev = p->forward_dev, .mac = p->mac,
                .mtu = p->mtu.set ? (unsigned) p->mtu.v : 0,
                .stp = !p->stp || strcmp(p->stp, "off") != 0,
                .delay = p->delay.set ? (unsigned) p->delay.v : 0,
                .domain = p->domain_name,
                .domain_local = p->domain_local_only && strcmp(p->domain_local_only, "yes") == 0,
                .dns = &p->dns,
                .macvtap = network_def_is_macvtap(def),
                .forward_ifs = def->forward_ifs, .n_forward_ifs = def->n_forward_ifs,
                .forward_pf = def->forward_pf,
        };
        network_def_bandwidth(def, &plan->bw_in, &plan->bw_out);
        if (network_qos_check(def, err) < 0)
                return -1;
        if (p->n_ips && !(plan->ips = calloc(p->n_ips, sizeof *plan->ips)))
                return vb_error_errno(err, -12, "network plan");
        bool dhcp4 = false, dhcp6 = false;
        for (size_t i = 0; i < p->n_ips; i++) {
                plan->n_ips = i + 1;
                NetworkPlanIp *ip = &plan->ips[i];
                if (plan_ip(&p->ips[i], ip, def->name, err) < 0) {
                        network_plan_done(plan);
                        return -1;
                }
                bool *seen = ip->ipv6 ? &dhcp6 : &dhcp4;
                if (ip->dhcp && *seen) {
                        network_plan_done(plan);
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                            "Multiple %s dhcp sections found -- dhcp is supported only for a single %s address on each network",
                                            ip->ipv6 ? "IPv6" : "IPv4", ip->ipv6 ? "IPv6" : "IPv4");
                }
                *seen = *seen || ip->dhcp;
        }
        return 0;
}

const char *network_def_mac(const NetworkDef *def) {
        return def->priv->mac;
}

int network_def_set_bridge(NetworkDef *def, const char *bridge) {
        char *s = strdup(bridge);
        if (!s)
                return -1;
        free(def->bridge);
        def->bridge = s;
        return 0;
}

int network_def_set_mac(NetworkDef *def, const char *mac) {
        char *s = strdup(mac);
        if (!s)
                return -1;
        free(def->priv->mac);
        def->priv->mac = s;
        return 0;
}
