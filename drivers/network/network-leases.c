/* network-leases.c: dnsmasq's lease file → NetworkLease records. */
#include "network-leases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_or_null(const char *s) {
        return s && strcmp(s, "*") != 0 ? strdup(s) : NULL;
}

static unsigned prefix_of(const NetworkPlan *p, bool v6) {
        for (size_t i = 0; i < p->n_ips; i++)
                if (p->ips[i].ipv6 == v6)
                        return p->ips[i].prefix;
        return v6 ? 64 : 24;
}

int network_leases_parse(const char *text, const NetworkPlan *p, int64_t now, const char *mac, NetworkLease **out,
                         size_t *n_out) {
        *out = NULL;
        *n_out = 0;
        char *copy = strdup(text ? text : ""), *save = NULL;
        if (!copy)
                return -1;
        int r = 0;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char f[5][256] = { { 0 } };
                int k = sscanf(line, "%255s %255s %255s %255s %255s", f[0], f[1], f[2], f[3], f[4]);
                if (k < 3 || strcmp(f[0], "duid") == 0)
                        continue;
                bool v6 = strchr(f[2], ':') != NULL;
                long long expiry = strtoll(f[0], NULL, 10);
                if (expiry && expiry < now)
                        continue;
                if (mac && (v6 || strcasecmp(mac, f[1]) != 0))
                        continue;
                NetworkLease *grown = realloc(*out, (*n_out + 1) * sizeof **out);
                if (!grown) {
                        r = -1;
                        break;
                }
                *out = grown;
                NetworkLease *l = &(*out)[(*n_out)++];
                *l = (NetworkLease) {
                        .iface = strdup(p->bridge ? p->bridge : ""),
                        .expiry = expiry,
                        .type = v6 ? NETWORK_LEASE_IPV6 : NETWORK_LEASE_IPV4,
                        .mac = v6 ? NULL : strdup(f[1]),
                        .iaid = v6 ? strdup(f[1]) : NULL,
                        .ipaddr = strdup(f[2]),
                        .prefix = prefix_of(p, v6),
                        .hostname = k > 3 ? dup_or_null(f[3]) : NULL,
                        .clientid = k > 4 ? dup_or_null(f[4]) : NULL,
                };
                if (!l->iface || !l->ipaddr || (!v6 && !l->mac) || (v6 && !l->iaid)) {
                        r = -1;
                        break;
                }
        }
        free(copy);
        if (r < 0) {
                network_leases_free(*out, *n_out);
                *out = NULL;
                *n_out = 0;
        }
        return r;
}
