/* network-leases.c: a network's lease status file (written by virtbus-leases-helper) → NetworkLease records. */
#include "network-leases.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static unsigned prefix_of(const NetworkPlan *p, bool v6) {
        for (size_t i = 0; i < p->n_ips; i++)
                if (p->ips[i].ipv6 == v6)
                        return p->ips[i].prefix;
        return v6 ? 64 : 24;
}

static const char *field(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

int network_leases_parse(const char *text, const NetworkPlan *p, int64_t now, const char *mac, NetworkLease **out,
                         size_t *n_out) {
        *out = NULL;
        *n_out = 0;
        json_object *arr = json_tokener_parse(text && text[0] ? text : "[]");
        if (!arr || !json_object_is_type(arr, json_type_array)) {
                json_object_put(arr);
                return -2;
        }
        int r = 0;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                json_object *o = json_object_array_get_idx(arr, i), *e;
                const char *ip = field(o, "ip-address"), *lmac = field(o, "mac-address"), *iaid = field(o, "iaid");
                if (!ip || (!lmac && !iaid))
                        continue;
                int64_t expiry = json_object_object_get_ex(o, "expiry-time", &e) ? json_object_get_int64(e) : 0;
                if (expiry && expiry < now)
                        continue;
                bool v6 = strchr(ip, ':') != NULL;
                if (mac && (!lmac || strcasecmp(mac, lmac) != 0))
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
                        .mac = dup_or_null(lmac),
                        .iaid = dup_or_null(iaid),
                        .ipaddr = strdup(ip),
                        .prefix = prefix_of(p, v6),
                        .hostname = dup_or_null(field(o, "hostname")),
                        .clientid = dup_or_null(field(o, "client-id")),
                };
                if (!l->iface || !l->ipaddr || (lmac && !l->mac) || (iaid && !l->iaid)) {
                        r = -1;
                        break;
                }
        }
        json_object_put(arr);
        if (r < 0) {
                network_leases_free(*out, *n_out);
                *out = NULL;
                *n_out = 0;
        }
        return r;
}
