/* netlink.c: links, addresses and routes of the current network namespace through libnl-route-3. */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvtap.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

/* "cannot create bridge 'virbr0': Object exists" */
static int fail(VbError *err, int nlerr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(VbError *err, int nlerr, const char *fmt, ...) {
        char what[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "%s: %s", what, nl_geterror(nlerr));
}

static struct nl_sock *sock_open(VbError *err) {
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk) {
                vb_error_errno(err, -ENOMEM, "netlink socket");
                return NULL;
        }
        int r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                fail(err, r, "cannot open a netlink socket");
                nl_socket_free(sk);
                return NULL;
        }
        return sk;
}

static int no_link(const char *name, VbError *err) {
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "no network interface named '%s'", name);
}

static bool name_ok(const char *name, VbError *err) {
        if (!name || !name[0] || strlen(name) >= IFNAMSIZ || strchr(name, '/') || strchr(name, ' ')) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "invalid network interface name '%s'",
                             name ? name : "");
                return false;
        }
        return true;
}

int netlink_link_index(const char *name) {
        return name && name[0] && strlen(name) < IFNAMSIZ ? (int) if_nametoindex(name) : 0;
}

int netlink_link_exists(const char *name) {
        return netlink_link_index(name) > 0;
}

/* A RTM_NEWLINK request: create (flags NLM_F_CREATE|NLM_F_EXCL) or change link index. */
static struct nl_msg *newlink_msg(int index, unsigned flags, unsigned ifi_flags, unsigned ifi_change) {
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | flags);
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = ifi_flags,
                                 .ifi_change = ifi_change };
        if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

/* Send msg (consumed) and wait for the kernel's answer. */
static int send_msg(struct nl_msg *msg, VbError *err, const char *fmt, const char *name) {
        if (!msg)
                return vb_error_errno(err, -ENOMEM, "netlink message");
        struct nl_sock *sk = sock_open(err);
        if (!sk) {
                nlmsg_free(msg);
                return -1;
        }
        int r = nl_send_sync(sk, msg);
        nl_socket_free(sk);
        if (r < 0)
                return fail(err, r, fmt, name);
        return 0;
}

int netlink_bridge_create(const NetlinkBridge *br, VbError *err) {
        if (!name_ok(br->name, err))
                return -1;
        struct nl_msg *msg = newlink_msg(0, NLM_F_CREATE | NLM_F_EXCL, 0, 0);
        if (!msg)
                return vb_error_errno(err, -ENOMEM, "netlink message");
        struct nlattr *info, *data;
        /* The forward delay goes before STP: the kernel refuses a delay under 2 s once STP is on. */
        if (nla_put_string(msg, IFLA_IFNAME, br->name) < 0 ||
            (br->mac && nla_put(msg, IFLA_ADDRESS, 6, br->mac) < 0) ||
            !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
            nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
            !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
            nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, br->delay * 100) < 0 ||
            nla_put_u32(msg, IFLA_BR_STP_STATE, br->stp ? 1 : 0) < 0) {
                nlmsg_free(msg);
                return vb_error_errno(err, -ENOMEM, "netlink message");
        }
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        if (send_msg(msg, err, "cannot create bridge '%s'", br->name) < 0)
                return -1;
        /* Set after the creation, as libvirt does: the kernel keeps a bridge's MTU only when it
         * was changed; one given at creation falls to the smallest port's as ports join. */
        if (br->mtu && netlink_link_set_mtu(br->name, br->mtu, err) < 0) {
                netlink_link_delete(br->name, NULL);
                return -1;
        }
        return 0;
}

int netlink_veth_create(const char *a, const char *b, VbError *err) {
        if (!name_ok(a, err) || !name_ok(b, err))
                return -1;
        struct nl_sock *sk = sock_open(err);
        if (!sk)
                return -1;
        int r = rtnl_link_veth_add(sk, a, b, getpid());
        nl_socket_free(sk);
        return r < 0 ? fail(err, r, "cannot create veth pair '%s'", a) : 0;
}

static int macvtap_mode(const char *mode) {
        if (!mode || strcmp(mode, "vepa") == 0)
                return MACVLAN_MODE_VEPA;   /* libvirt's default */
        if (strcmp(mode, "bridge") == 0)
                return MACVLAN_MODE_BRIDGE;
        if (strcmp(mode, "private") == 0)
                return MACVLAN_MODE_PRIVATE;
        if (strcmp(mode, "passthrough") == 0)
                return MACVLAN_MODE_PASSTHRU;
        return -1;
}

int netlink_macvtap_create(const char *name, const char *lower, const char *mode, const uint8_t mac[6],
                           VbError *err) {
        if (!name_ok(name, err))
                return -1;
        int m = macvtap_mode(mode), lower_index = netlink_link_index(lower);
        if (m < 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE, "unknown macvtap mode '%s'", mode);
        if (!lower_index)
                return no_link(lower ? lower : "", err);
        struct rtnl_link *link = rtnl_link_macvtap_alloc();
        struct nl_addr *addr = mac ? nl_addr_build(AF_LLC, mac, 6) : NULL;
        struct nl_sock *sk = link && (!mac || addr) ? sock_open(err) : NULL;
        int r = -NLE_NOMEM;
        if (sk) {
                rtnl_link_set_name(link, name);
                rtnl_link_set_link(link, lower_index);
                rtnl_link_macvtap_set_mode(link, (uint32_t) m);
                if (addr)
                        rtnl_link_set_addr(link, addr);
                r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
                nl_socket_free(sk);
        }
        nl_addr_put(addr);
        rtnl_link_put(link);
        return r < 0 ? fail(err, r, "cannot create macvtap '%s' on '%s'", name, lower) : 0;
}

int netlink_link_delete(const char *name, VbError *err) {
        int index = netlink_link_index(name);
        if (!index)
                return no_link(name ? name : "", err);
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
        if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                msg = NULL;
        }
        return send_msg(msg, err, "cannot delete network interface '%s'", name);
}

/* Change one thing about an existing link: flags, or one u32 or binary attribute. */
static int link_change(const char *name, unsigned flags, unsigned change, int attr, const void *val, size_t len,
                       const char *what, VbError *err) {
        int index = netlink_link_index(name);
        if (!index)
                return no_link(name ? name : "", err);
        struct nl_msg *msg = newlink_msg(index, 0, flags, change);
        if (msg && attr && nla_put(msg, attr, (int) len, val) < 0) {
                nlmsg_free(msg);
                msg = NULL;
        }
        return send_msg(msg, err, what, name);
}

int netlink_link_set_up(const char *name, bool up, VbError *err) {
        return link_change(name, up ? IFF_UP : 0, IFF_UP, 0, NULL, 0,
                           up ? "cannot bring up '%s'" : "cannot bring down '%s'", err);
}

int netlink_link_set_mtu(const char *name, unsigned mtu, VbError *err) {
        uint32_t v = mtu;
        return link_change(name, 0, 0, IFLA_MTU, &v, sizeof v, "cannot set the MTU of '%s'", err);
}

int netlink_link_set_mac(const char *name, const uint8_t mac[6], VbError *err) {
        return link_change(name, 0, 0, IFLA_ADDRESS, mac, 6, "cannot set the MAC address of '%s'", err);
}

int netlink_link_set_master(const char *name, const char *bridge, VbError *err) {
        uint32_t master = 0;
        if (bridge && !(master = (uint32_t) netlink_link_index(bridge)))
                return no_link(bridge, err);
        return link_change(name, 0, 0, IFLA_MASTER, &master, sizeof master,
                           bridge ? "cannot attach '%s' to its bridge" : "cannot release '%s' from its bridge", err);
}

int netlink_link_setup(const char *name, const uint8_t mac[6], unsigned mtu, const char *bridge, bool up,
                       VbError *err) {
        int index = netlink_link_index(name);
        if (!index)
                return no_link(name ? name : "", err);
        uint32_t master = 0;
        if (bridge && !(master = (uint32_t) netlink_link_index(bridge)))
                return no_link(bridge, err);
        struct nl_msg *msg = newlink_msg(index, 0, up ? IFF_UP : 0, up ? IFF_UP : 0);
        if (msg && ((mac && nla_put(msg, IFLA_ADDRESS, 6, mac) < 0) || (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0) ||
                    (master && nla_put_u32(msg, IFLA_MASTER, master) < 0))) {
                nlmsg_free(msg);
                msg = NULL;
        }
        return send_msg(msg, err, "cannot set up network interface '%s'", name);
}

/* The kernel's view of one link, or NULL. */
static struct rtnl_link *link_get(const char *name, VbError *err) {
        struct nl_sock *sk = sock_open(err);
        if (!sk)
                return NULL;
        struct rtnl_link *link = NULL;
        int r = rtnl_link_get_kernel(sk, 0, name, &link);
        nl_socket_free(sk);
        if (r < 0) {
                if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
                        no_link(name, err);
                else
                        fail(err, r, "cannot read network interface '%s'", name);
                return NULL;
        }
        return link;
}

bool netlink_link_is_macvtap(const char *name) {
        VbError err = { 0 };
        struct rtnl_link *link = netlink_link_exists(name) ? link_get(name, &err) : NULL;
        const char *type = link ? rtnl_link_get_type(link) : NULL;
        bool yes = type && strcmp(type, "macvtap") == 0;
        if (link)
                rtnl_link_put(link);
        return yes;
}

int netlink_link_get_master(const char *name, char *out, VbError *err) {
        struct rtnl_link *link = link_get(name, err);
        if (!link)
                return -1;
        int master = rtnl_link_get_master(link);
        rtnl_link_put(link);
        out[0] = 0;
        if (master > 0 && !if_indextoname((unsigned) master, out))
                out[0] = 0;
        return 0;
}

bool netlink_link_is_up(const char *name) {
        struct rtnl_link *link = link_get(name, NULL);
        bool up = link && (rtnl_link_get_flags(link) & IFF_UP);
        rtnl_link_put(link);
        return up;
}

unsigned netlink_link_mtu(const char *name) {
        struct rtnl_link *link = link_get(name, NULL);
        unsigned mtu = link ? rtnl_link_get_mtu(link) : 0;
        rtnl_link_put(link);
        return mtu;
}

int netlink_link_stats(const char *name, NetlinkLinkStats *st, VbError *err) {
        struct rtnl_link *link = link_get(name, err);
        if (!link)
                return -1;
        *st = (NetlinkLinkStats) {
                .rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES),
                .rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS),
                .rx_errs = rtnl_link_get_stat(link, RTNL_LINK_RX_ERRORS),
                .rx_drop = rtnl_link_get_stat(link, RTNL_LINK_RX_DROPPED),
                .tx_bytes = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES),
                .tx_packets = rtnl_link_get_stat(link, RTNL_LINK_TX_PACKETS),
                .tx_errs = rtnl_link_get_stat(link, RTNL_LINK_TX_ERRORS),
                .tx_drop = rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED),
        };
        rtnl_link_put(link);
        return 0;
}

/* address as binary (family, bytes), for comparing and masking. */
static int parse_ip(const char *address, int *family, uint8_t buf[16]) {
        if (inet_pton(AF_INET, address, buf) == 1)
                return *family = AF_INET, 4;
        if (inet_pton(AF_INET6, address, buf) == 1)
                return *family = AF_INET6, 16;
        return -1;
}

int netlink_addr_add(const char *name, const char *address, unsigned prefix, VbError *err) {
        int family, index = netlink_link_index(name);
        uint8_t bin[16];
        int len = address ? parse_ip(address, &family, bin) : -1;
        if (!index)
                return no_link(name ? name : "", err);
        if (len < 0 || prefix > (unsigned) len * 8)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "invalid address '%s/%u'",
                                    address ? address : "", prefix);
        struct rtnl_addr *ra = rtnl_addr_alloc();
        struct nl_addr *local = nl_addr_build(family, bin, (size_t) len), *bcast = NULL;
        struct nl_sock *sk = ra && local ? sock_open(err) : NULL;
        int r = -NLE_NOMEM;
        if (sk) {
                nl_addr_set_prefixlen(local, (int) prefix);
                rtnl_addr_set_ifindex(ra, index);
                rtnl_addr_set_local(ra, local);
                if (family == AF_INET && prefix < 31) {
                        uint32_t a;
                        memcpy(&a, bin, 4);
                        a |= htonl(prefix ? 0xffffffffu >> prefix : 0xffffffffu);
                        if ((bcast = nl_addr_build(AF_INET, &a, 4)))
                                rtnl_addr_set_broadcast(ra, bcast);
                }
                r = rtnl_addr_add(sk, ra, 0);
                nl_socket_free(sk);
        }
        nl_addr_put(bcast);
        nl_addr_put(local);
        rtnl_addr_put(ra);
        return r < 0 ? fail(err, r, "cannot add address %s/%u to '%s'", address, prefix, name) : 0;
}

int netlink_addr_has(const char *name, const char *address) {
        int family, index = netlink_link_index(name);
        uint8_t bin[16];
        int len = parse_ip(address, &family, bin);
        if (!index || len < 0)
                return 0;
        struct nl_sock *sk = sock_open(NULL);
        struct nl_cache *cache = NULL;
        if (!sk || rtnl_addr_alloc_cache(sk, &cache) < 0) {
                nl_socket_free(sk);
                return 0;
        }
        int found = 0;
        for (struct nl_object *o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
                struct rtnl_addr *ra = (struct rtnl_addr *) o;
                struct nl_addr *l = rtnl_addr_get_local(ra);
                found = rtnl_addr_get_ifindex(ra) == index && l && nl_addr_get_family(l) == family &&
                        nl_addr_get_len(l) == (unsigned) len && memcmp(nl_addr_get_binary_addr(l), bin, len) == 0;
        }
        nl_cache_free(cache);
        nl_socket_free(sk);
        return found;
}

/* Do a/pa and b/pb share their first min(pa, pb) bits? */
static bool prefixes_overlap(const uint8_t *a, unsigned pa, const uint8_t *b, unsigned pb) {
        unsigned p = pa < pb ? pa : pb;
        for (unsigned i = 0; i < p / 8; i++)
                if (a[i] != b[i])
                        return false;
        if (p % 8) {
                uint8_t mask = (uint8_t) (0xff << (8 - p % 8));
                return (a[p / 8] & mask) == (b[p / 8] & mask);
        }
        return true;
}

int netlink_route_conflict(const char *address, unsigned prefix, char *dev, VbError *err) {
        int family;
        uint8_t bin[16];
        int len = address ? parse_ip(address, &family, bin) : -1;
        if (len < 0 || prefix > (unsigned) len * 8)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "invalid address '%s/%u'",
                                    address ? address : "", prefix);
        struct nl_sock *sk = sock_open(err);
        if (!sk)
                return -1;
        struct nl_cache *cache = NULL;
        int r = rtnl_route_alloc_cache(sk, family, 0, &cache);
        nl_socket_free(sk);
        if (r < 0)
                return fail(err, r, "cannot read the routing table");
        int found = 0;
        for (struct nl_object *o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
                struct rtnl_route *rt = (struct rtnl_route *) o;
                struct nl_addr *dst = rtnl_route_get_dst(rt);
                if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || rtnl_route_get_type(rt) != RTN_UNICAST || !dst ||
                    nl_addr_get_family(dst) != family || nl_addr_get_prefixlen(dst) == 0 ||
                    nl_addr_get_len(dst) != (unsigned) len)
                        continue;
                if (!prefixes_overlap(nl_addr_get_binary_addr(dst), nl_addr_get_prefixlen(dst), bin, prefix))
                        continue;
                /* IPv6 link-local and multicast routes exist on every link. */
                const uint8_t *d = nl_addr_get_binary_addr(dst);
                if (family == AF_INET6 && ((d[0] == 0xfe && (d[1] & 0xc0) == 0x80) || d[0] == 0xff))
                        continue;
                struct rtnl_nexthop *nh = rtnl_route_get_nnexthops(rt) > 0 ? rtnl_route_nexthop_n(rt, 0) : NULL;
                int ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
                if (ifindex <= 0 || !if_indextoname((unsigned) ifindex, dev))
                        snprintf(dev, IFNAMSIZ, "?");
                found = 1;
        }
        nl_cache_free(cache);
        return found;
}
