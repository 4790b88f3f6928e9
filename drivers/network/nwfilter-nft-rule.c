/* nwfilter-nft-rule.c: one network filter rule's protocol element as an nftables match (bridge family), every value checked before it reaches the text (pure). */
#include "nwfilter-nft-gen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) \
        do { \
                if (!(cond)) \
                        return -1; \
        } while (0)

typedef struct Rule {
        const char *proto;
        const NWFilterParam *a;
        size_t n;
        FILE *f;
        VbError *err;
} Rule;

static const char *attr(const Rule *r, const char *name) {
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->a[i].name, name) == 0)
                        return r->a[i].value;
        return NULL;
}

static int bad(Rule *r, const char *name, const char *why) {
        return vb_error_set(r->err, VB_ERR_INVALID_NWFILTER, VB_FROM_NWFILTER, "<%s> attribute %s='%s': %s", r->proto,
                            name, attr(r, name) ? attr(r, name) : "", why);
}

static bool in_list(const char *const *list, const char *s) {
        for (size_t i = 0; list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

/* Every attribute is one the translation knows for this element. */
static int check_known(Rule *r, const char *const *known) {
        for (size_t i = 0; i < r->n; i++)
                if (!in_list(known, r->a[i].name) && strcmp(r->a[i].name, "comment") != 0)
                        return vb_error_set(r->err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                            "<%s> attribute '%s' is not supported by the nftables translation",
                                            r->proto, r->a[i].name);
        return 0;
}

/* A number (decimal or 0x hex) up to max. */
static int number(Rule *r, const char *name, unsigned long max, unsigned long *out) {
        const char *v = attr(r, name);
        char *end;
        errno = 0;
        if (!v || !*v || *v == '-' || *v == '+')
                return bad(r, name, "not a number");
        *out = strtoul(v, &end, 0);
        if (errno || *end || *out > max)
                return bad(r, name, max == 65535 ? "not a number from 0 to 65535" : "number out of range");
        return 0;
}

static int mac(Rule *r, const char *name, char out[18]) {
        const char *v = attr(r, name);
        unsigned b[6];
        char tail;
        if (!v || strlen(v) != 17 ||
            sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
                return bad(r, name, "not a MAC address");
        for (int i = 0; i < 17; i++)
                if (i % 3 == 2 ? v[i] != ':' : !isxdigit((unsigned char) v[i]))
                        return bad(r, name, "not a MAC address");
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        return 0;
}

static int address(Rule *r, const char *name, bool v6, char *out, size_t size) {
        const char *v = attr(r, name);
        unsigned char bin[16];
        if (!v || inet_pton(v6 ? AF_INET6 : AF_INET, v, bin) != 1)
                return bad(r, name, v6 ? "not an IPv6 address" : "not an IPv4 address");
        inet_ntop(v6 ? AF_INET6 : AF_INET, bin, out, (socklen_t) size);
        return 0;
}

/* A prefix length, or (IPv4) a dotted netmask with contiguous ones. */
static int mask(Rule *r, const char *name, bool v6, unsigned *out) {
        const char *v = attr(r, name);
        struct in_addr m;
        if (v && !v6 && strchr(v, '.')) {
                if (inet_pton(AF_INET, v, &m) != 1)
                        return bad(r, name, "not a netmask");
                uint32_t h = ntohl(m.s_addr);
                *out = 0;
                while (*out < 32 && (h & (0x80000000u >> *out)))
                        (*out)++;
                if (*out < 32 && (h << *out) != 0)
                        return bad(r, name, "not a contiguous netmask");
                return 0;
        }
        unsigned long n;
        CHECK(number(r, name, v6 ? 128 : 32, &n) == 0);
        *out = (unsigned) n;
        return 0;
}

/* ether saddr/daddr with an optional mask. */
static int ether(Rule *r, const char *addr, const char *maskname, const char *dir) {
        char a[18], m[18];
        if (!attr(r, addr)) {
                if (maskname && attr(r, maskname))
                        return bad(r, maskname, "a mask needs its address");
                return 0;
        }
        CHECK(mac(r, addr, a) == 0);
        if (maskname && attr(r, maskname)) {
                CHECK(mac(r, maskname, m) == 0);
                fprintf(r->f, " ether %s & %s == %s", dir, m, a);
        } else
                fprintf(r->f, " ether %s %s", dir, a);
        return 0;
}

/* fam saddr A[/M] (fam: ip, ip6, "arp saddr ip" …). */
static int ipaddr(Rule *r, const char *fam, const char *dir, const char *addr, const char *maskname, bool v6) {
        char a[64];
        unsigned m = v6 ? 128 : 32;
        if (!attr(r, addr)) {
                if (maskname && attr(r, maskname))
                        return bad(r, maskname, "a mask needs its address");
                return 0;
        }
        CHECK(address(r, addr, v6, a, sizeof a) == 0);
        if (maskname && attr(r, maskname))
                CHECK(mask(r, maskname, v6, &m) == 0);
        if (m == (v6 ? 128u : 32u))
                fprintf(r->f, " %s %s %s", fam, dir, a);
        else
                fprintf(r->f, " %s %s %s/%u", fam, dir, a, m);
        return 0;
}

/* srcipfrom/srcipto: an address range. */
static int iprange(Rule *r, const char *fam, const char *dir, const char *from, const char *to, bool v6) {
        char a[64], b[64];
        if (!attr(r, from)) {
                if (attr(r, to))
                        return bad(r, to, "a range needs its start");
                return 0;
        }
        CHECK(address(r, from, v6, a, sizeof a) == 0);
        if (!attr(r, to)) {
                fprintf(r->f, " %s %s %s", fam, dir, a);
                return 0;
        }
        CHECK(address(r, to, v6, b, sizeof b) == 0);
        fprintf(r->f, " %s %s %s-%s", fam, dir, a, b);
        return 0;
}

static int ports(Rule *r, const char *kw, const char *dir, const char *start, const char *end) {
        unsigned long a, b;
        if (!attr(r, start)) {
                if (attr(r, end))
                        return bad(r, end, "a port range needs its start");
                return 0;
        }
        if (!kw)
                return bad(r, start, "ports need protocol tcp, udp, udplite or sctp");
        CHECK(number(r, start, 65535, &a) == 0);
        if (attr(r, end)) {
                CHECK(number(r, end, 65535, &b) == 0);
                if (b < a)
                        return bad(r, end, "the range ends before it starts");
                if (b != a) {
                        fprintf(r->f, " %s %s %lu-%lu", kw, dir, a, b);
                        return 0;
                }
        }
        fprintf(r->f, " %s %s %lu", kw, dir, a);
        return 0;
}

static int dscp(Rule *r, const char *fam) {
        unsigned long v;
        if (!attr(r, "dscp"))
                return 0;
        CHECK(number(r, "dscp", 63, &v) == 0);
        fprintf(r->f, " %s dscp %lu", fam, v);
        return 0;
}

static const char *const l2_addrs[] = { "srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask", NULL };

static int l2(Rule *r) {
        CHECK(ether(r, "srcmacaddr", "srcmacmask", "saddr") == 0);
        return ether(r, "dstmacaddr", "dstmacmask", "daddr");
}

static int proto_mac(Rule *r) {
        static const char *const known[] = { "srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask", "protocolid",
                                             NULL };
        static const struct {
                const char *name, *nft;
        } ids[] = { { "ipv4", "ip" }, { "ipv6", "ip6" }, { "arp", "arp" }, { "rarp", "0x8035" } };
        CHECK(check_known(r, known) == 0 && l2(r) == 0);
        const char *id = attr(r, "protocolid");
        if (!id)
                return 0;
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
                if (strcmp(id, ids[i].name) == 0) {
                        fprintf(r->f, " ether type %s", ids[i].nft);
                        return 0;
                }
        unsigned long v;
        CHECK(number(r, "protocolid", 65535, &v) == 0);
        if (v < 0x600)
                return bad(r, "protocolid", "an ether type is at least 0x600");
        fprintf(r->f, " ether type 0x%04lx", v);
        return 0;
}

static int arp_opcode(Rule *r) {
        static const char *const names[] = { "Request", "Reply", "Request_Reverse", "Reply_Reverse", "DRARP_Request",
                                             "DRARP_Reply", "DRARP_Error", "InARP_Request", NULL, "ARP_NAK" };
        const char *v = attr(r, "opcode");
        if (!v)
                return 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                if (names[i] && strcmp(v, names[i]) == 0) {
                        fprintf(r->f, " arp operation %zu", i + 1);
                        return 0;
                }
        unsigned long n;
        CHECK(number(r, "opcode", 65535, &n) == 0);
        fprintf(r->f, " arp operation %lu", n);
        return 0;
}

static int proto_arp(Rule *r) {
        static const char *const known[] = { "srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask", "hwtype",
                                             "protocoltype", "opcode", "arpsrcmacaddr", "arpdstmacaddr",
                                             "arpsrcipaddr", "arpsrcipmask", "arpdstipaddr", "arpdstipmask", NULL };
        unsigned long v;
        if (strcmp(r->proto, "rarp") == 0) {
                CHECK(check_known(r, l2_addrs) == 0 && l2(r) == 0);
                fputs(" ether type 0x8035", r->f);
                return 0;
        }
        CHECK(check_known(r, known) == 0 && l2(r) == 0);
        fputs(" ether type arp", r->f);
        if (attr(r, "hwtype")) {
                CHECK(number(r, "hwtype", 65535, &v) == 0);
                fprintf(r->f, " arp htype %lu", v);
        }
        if (attr(r, "protocoltype")) {
                CHECK(number(r, "protocoltype", 65535, &v) == 0);
                fprintf(r->f, " arp ptype 0x%04lx", v);
        }
        CHECK(arp_opcode(r) == 0);
        char m[18];
        if (attr(r, "arpsrcmacaddr")) {
                CHECK(mac(r, "arpsrcmacaddr", m) == 0);
                fprintf(r->f, " arp saddr ether %s", m);
        }
        if (attr(r, "arpdstmacaddr")) {
                CHECK(mac(r, "arpdstmacaddr", m) == 0);
                fprintf(r->f, " arp daddr ether %s", m);
        }
        CHECK(ipaddr(r, "arp saddr", "ip", "arpsrcipaddr", "arpsrcipmask", false) == 0);
        return ipaddr(r, "arp daddr", "ip", "arpdstipaddr", "arpdstipmask", false);
}

/* The transport keyword of a protocol name that has ports; NULL when it has none. */
static const char *port_keyword(const char *p) {
        if (!strcmp(p, "tcp") || !strcmp(p, "udp") || !strcmp(p, "sctp"))
                return p;
        return !strcmp(p, "udplite") ? "th" : NULL;
}

/* <ip> and <ipv6>: addresses, protocol, ports of that protocol, dscp. */
static int proto_ip(Rule *r) {
        static const char *const known[] = { "srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask", "srcipaddr",
                                             "srcipmask", "dstipaddr", "dstipmask", "protocol", "srcportstart",
                                             "srcportend", "dstportstart", "dstportend", "dscp", NULL };
        static const char *const names[] = { "tcp", "udp", "udplite", "esp", "ah", "icmp", "igmp", "sctp", "icmpv6",
                                             NULL };
        bool v6 = strcmp(r->proto, "ipv6") == 0;
        const char *fam = v6 ? "ip6" : "ip";
        CHECK(check_known(r, known) == 0 && l2(r) == 0);
        fprintf(r->f, " ether type %s", fam);
        CHECK(ipaddr(r, fam, "saddr", "srcipaddr", "srcipmask", v6) == 0);
        CHECK(ipaddr(r, fam, "daddr", "dstipaddr", "dstipmask", v6) == 0);
        const char *p = attr(r, "protocol"), *kw = NULL;
        if (p) {
                unsigned long n;
                if (in_list(names, p))
                        kw = port_keyword(p) ? "th" : NULL;
                else
                        CHECK(number(r, "protocol", 255, &n) == 0);
                fprintf(r->f, " %s %s %s", fam, v6 ? "nexthdr" : "protocol", p);
        }
        CHECK(ports(r, kw, "sport", "srcportstart", "srcportend") == 0);
        CHECK(ports(r, kw, "dport", "dstportstart", "dstportend") == 0);
        return dscp(r, fam);
}

/* tcp, udp, icmp, all … and their -ipv6 forms. */
static int proto_l4(Rule *r) {
        static const char *const known[] = { "srcmacaddr", "srcipaddr", "srcipmask", "dstipaddr", "dstipmask",
                                             "srcipfrom", "srcipto", "dstipfrom", "dstipto", "dscp", "srcportstart",
                                             "srcportend", "dstportstart", "dstportend", "type", "code", NULL };
        char p[16];
        snprintf(p, sizeof p, "%s", r->proto);
        char *dash = strstr(p, "-ipv6");
        bool v6 = dash || strcmp(p, "icmpv6") == 0;
        if (dash)
                *dash = '\0';
        const char *fam = v6 ? "ip6" : "ip";
        CHECK(check_known(r, known) == 0);
        CHECK(ether(r, "srcmacaddr", NULL, "saddr") == 0);
        fprintf(r->f, " ether type %s", fam);
        CHECK(ipaddr(r, fam, "saddr", "srcipaddr", "srcipmask", v6) == 0);
        CHECK(ipaddr(r, fam, "daddr", "dstipaddr", "dstipmask", v6) == 0);
        CHECK(iprange(r, fam, "saddr", "srcipfrom", "srcipto", v6) == 0);
        CHECK(iprange(r, fam, "daddr", "dstipfrom", "dstipto", v6) == 0);
        CHECK(dscp(r, fam) == 0);
        if (strcmp(p, "all") != 0)
                fprintf(r->f, " %s %s %s", fam, v6 ? "nexthdr" : "protocol", p);
        const char *kw = port_keyword(p);
        CHECK(ports(r, kw, "sport", "srcportstart", "srcportend") == 0);
        CHECK(ports(r, kw, "dport", "dstportstart", "dstportend") == 0);
        bool icmp = strcmp(p, "icmp") == 0 || strcmp(p, "icmpv6") == 0;
        unsigned long v;
        for (int i = 0; i < 2; i++) {
                const char *name = i ? "code" : "type";
                if (!attr(r, name))
                        continue;
                if (!icmp)
                        return bad(r, name, "only icmp and icmpv6 have a type and a code");
                CHECK(number(r, name, 255, &v) == 0);
                fprintf(r->f, " %s %s %lu", p, name, v);
        }
        return 0;
}

int nwfilter_nft_match(const char *proto, const NWFilterParam *attrs, size_t n_attrs, char **out, VbError *err) {
        static const char *const l4[] = { "tcp", "udp", "udplite", "esp", "ah", "sctp", "icmp", "igmp", "all",
                                          "tcp-ipv6", "udp-ipv6", "udplite-ipv6", "esp-ipv6", "ah-ipv6",
                                          "sctp-ipv6", "icmpv6", "all-ipv6", NULL };
        char *buf = NULL;
        size_t len = 0;
        Rule r = { .proto = proto, .a = attrs, .n = n_attrs, .err = err };
        *out = NULL;
        if (!proto)
                return (*out = strdup("")) ? 0 : vb_error_errno(err, -ENOMEM, "nftables rule");
        if (!(r.f = open_memstream(&buf, &len)))
                return vb_error_errno(err, -ENOMEM, "nftables rule");
        int res;
        if (strcmp(proto, "mac") == 0)
                res = proto_mac(&r);
        else if (strcmp(proto, "arp") == 0 || strcmp(proto, "rarp") == 0)
                res = proto_arp(&r);
        else if (strcmp(proto, "ip") == 0 || strcmp(proto, "ipv6") == 0)
                res = proto_ip(&r);
        else if (in_list(l4, proto))
                res = proto_l4(&r);
        else
                res = vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                   "<%s> rules are not supported by the nftables translation", proto);
        if (fclose(r.f) != 0 && res == 0)
                res = vb_error_errno(err, -ENOMEM, "nftables rule");
        if (res < 0) {
                free(buf);
                return -1;
        }
        /* drop the leading space */
        memmove(buf, buf + (buf[0] == ' '), len + (buf[0] != ' '));
        *out = buf;
        return 0;
}

/* reject becomes drop: the bridge family's reject needs a kernel module (nft_reject_bridge)
 * that hosts such as this one lack, and a rule that fails to load would take every binding's
 * rules with it. */
const char *nwfilter_nft_verdict(const char *action) {
        if (!action || strcmp(action, "reject") == 0)
                return "drop";
        return action;          /* accept, drop, return, continue: nft's own words */
}
