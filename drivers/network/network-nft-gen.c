/* network-nft-gen.c: a network's nftables rule set, as text, from its plan (pure). */
#include "network-gen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool network_mode_own_bridge(const NetworkPlan *p) {
        const char *m = p->forward_mode;
        return !m || !strcmp(m, "nat") || !strcmp(m, "route") || !strcmp(m, "open");
}

bool network_mode_dnsmasq(const NetworkPlan *p) {
        return network_mode_own_bridge(p) && p->n_ips > 0;
}

void network_nft_table(const char *bridge, char out[NETWORK_NFT_TABLE_MAX]) {
        int n = snprintf(out, NETWORK_NFT_TABLE_MAX, "virtbus_%s", bridge ? bridge : "");
        for (int i = 8; i < n && i < NETWORK_NFT_TABLE_MAX; i++)
                if (!isalnum((unsigned char) out[i]) && out[i] != '_')
                        out[i] = '_';
}

static bool is_mode(const NetworkPlan *p, const char *m) {
        return p->forward_mode && strcmp(p->forward_mode, m) == 0;
}

static void forward_rules(FILE *f, const NetworkPlan *p) {
        const char *br = p->bridge;
        bool nat = is_mode(p, "nat"), route = is_mode(p, "route");
        fprintf(f, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        fprintf(f, "\t\tiifname \"%s\" oifname \"%s\" accept\n", br, br);
        for (size_t i = 0; (nat || route) && i < p->n_ips; i++) {
                const NetworkPlanIp *ip = &p->ips[i];
                const char *fam = ip->ipv6 ? "ip6" : "ip";
                /* libvirt does not NAT IPv6: a nat network routes its IPv6 subnets. */
                bool natted = nat && !ip->ipv6;
                char out_dev[64] = "";
                if (p->forward_dev)
                        snprintf(out_dev, sizeof out_dev, " oifname \"%s\"", p->forward_dev);
                fprintf(f, "\t\tiifname \"%s\"%s %s saddr %s/%u accept\n", br, out_dev, fam, ip->subnet, ip->prefix);
                fprintf(f, "\t\toifname \"%s\" %s daddr %s/%u%s accept\n", br, fam, ip->subnet, ip->prefix,
                        natted ? " ct state established,related" : "");
        }
        fprintf(f, "\t\tiifname \"%s\" reject with icmpx type port-unreachable\n", br);
        fprintf(f, "\t\toifname \"%s\" reject with icmpx type port-unreachable\n", br);
        fprintf(f, "\t}\n");
}

static void nat_rules(FILE *f, const NetworkPlan *p) {
        fprintf(f, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        for (size_t i = 0; i < p->n_ips; i++) {
                const NetworkPlanIp *ip = &p->ips[i];
                if (ip->ipv6)
                        continue;
                char net[64], out_dev[64] = "";
                snprintf(net, sizeof net, "%s/%u", ip->subnet, ip->prefix);
                if (p->forward_dev)
                        snprintf(out_dev, sizeof out_dev, "oifname \"%s\" ", p->forward_dev);
                /* libvirt's exclusions: local multicast and broadcast leave unchanged. */
                fprintf(f, "\t\tip saddr %s ip daddr 224.0.0.0/24 return\n", net);
                fprintf(f, "\t\tip saddr %s ip daddr 255.255.255.255 return\n", net);
                fprintf(f, "\t\t%sip saddr %s ip daddr != %s meta l4proto { tcp, udp } masquerade to :1024-65535\n",
                        out_dev, net, net);
                fprintf(f, "\t\t%sip saddr %s ip daddr != %s masquerade\n", out_dev, net, net);
        }
        fprintf(f, "\t}\n");
}

int network_nft_script(const NetworkPlan *p, char **out) {
        *out = NULL;
        if (!p->bridge || !network_mode_own_bridge(p) || is_mode(p, "open"))
                return 0;
        char table[NETWORK_NFT_TABLE_MAX];
        network_nft_table(p->bridge, table);
        size_t len = 0;
        FILE *f = open_memstream(out, &len);
        if (!f)
                return -1;
        /* Create-then-delete makes the replacement work whether the table exists or not. */
        fprintf(f, "table inet %s {}\ndelete table inet %s\n", table, table);
        fprintf(f, "table inet %s {\n", table);
        fprintf(f, "\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n");
        fprintf(f, "\t\tiifname \"%s\" udp dport { 53, 67, 547 } accept\n", p->bridge);
        fprintf(f, "\t\tiifname \"%s\" tcp dport 53 accept\n", p->bridge);
        fprintf(f, "\t}\n");
        forward_rules(f, p);
        if (is_mode(p, "nat"))
                nat_rules(f, p);
        fprintf(f, "}\n");
        if (fclose(f) != 0) {
                free(*out);
                *out = NULL;
                return -1;
        }
        return 0;
}

int network_nft_delete_script(const char *bridge, char **out) {
        char table[NETWORK_NFT_TABLE_MAX];
        network_nft_table(bridge, table);
        return asprintf(out, "table inet %s {}\ndelete table inet %s\n", table, table) < 0 ? -1 : 0;
}
