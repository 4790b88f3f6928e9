/* tc.c: an interface's egress shaped by htb, its ingress redirected to a shaped IFB device: qdiscs, classes and filters through libnl-route-3. */
#include "tc.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>

#include "netlink.h"
#include "tc-priv.h"

int tc_fail(VbError *err, int nlerr, const char *what, const char *dev) {
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "cannot %s of '%s': %s", what, dev,
                            nl_geterror(nlerr));
}

int tc_index(const char *dev, VbError *err) {
        int index = dev && strlen(dev) < IFNAMSIZ ? (int) if_nametoindex(dev) : 0;
        if (!index)
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "no network interface named '%s'", dev ? dev : "");
        return index;
}

struct nl_sock *tc_sock(VbError *err) {
        struct nl_sock *sk = nl_socket_alloc();
        int r = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
        if (r < 0) {
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "cannot open a netlink socket: %s", nl_geterror(r));
                nl_socket_free(sk);
                return NULL;
        }
        return sk;
}

void tc_qdisc_remove(struct nl_sock *sk, int index, uint32_t parent) {
        struct rtnl_qdisc *q = rtnl_qdisc_alloc();
        if (!q)
                return;
        rtnl_tc_set_ifindex(TC_CAST(q), index);
        rtnl_tc_set_parent(TC_CAST(q), parent);
        rtnl_qdisc_delete(sk, q);
        rtnl_qdisc_put(q);
}

int tc_htb_root_add(struct nl_sock *sk, int index, unsigned defcls) {
        struct rtnl_qdisc *q = rtnl_qdisc_alloc();
        int ret = q ? 0 : -NLE_NOMEM;
        if (ret == 0) {
                rtnl_tc_set_ifindex(TC_CAST(q), index);
                rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
                rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(1, 0));
                ret = rtnl_tc_set_kind(TC_CAST(q), "htb");
        }
        if (ret == 0 && (ret = rtnl_htb_set_defcls(q, defcls)) == 0)
                ret = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_qdisc_put(q);
        return ret;
}

int tc_htb_class_put(struct nl_sock *sk, int index, uint32_t parent, unsigned minor, const TcRate *r) {
        struct rtnl_class *c = rtnl_class_alloc();
        int ret = c ? 0 : -NLE_NOMEM;
        if (ret == 0) {
                rtnl_tc_set_ifindex(TC_CAST(c), index);
                rtnl_tc_set_parent(TC_CAST(c), parent);
                rtnl_tc_set_handle(TC_CAST(c), TC_HANDLE(1, minor));
                ret = rtnl_tc_set_kind(TC_CAST(c), "htb");
        }
        if (ret == 0)
                ret = rtnl_htb_set_rate64(c, r->rate);
        if (ret == 0)
                ret = rtnl_htb_set_ceil64(c, r->ceil > r->rate ? r->ceil : r->rate);
        if (ret == 0 && r->burst)
                ret = rtnl_htb_set_rbuffer(c, r->burst > UINT32_MAX ? UINT32_MAX : (uint32_t) r->burst);
        if (ret == 0)
                ret = rtnl_class_add(sk, c, NLM_F_CREATE);
        rtnl_class_put(c);
        return ret;
}

static int htb_add(struct nl_sock *sk, int index, const TcRate *r) {
        int ret = tc_htb_root_add(sk, index, 1);
        return ret < 0 ? ret : tc_htb_class_put(sk, index, TC_HANDLE(1, 0), 1, r);
}

int tc_egress_shape(const char *dev, const TcRate *r, VbError *err) {
        int index = tc_index(dev, err);
        struct nl_sock *sk = index ? tc_sock(err) : NULL;
        if (!sk)
                return -1;
        tc_qdisc_remove(sk, index, TC_H_ROOT);
        int ret = r ? htb_add(sk, index, r) : 0;
        if (ret < 0)
                tc_qdisc_remove(sk, index, TC_H_ROOT);
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, "shape the outgoing traffic", dev) : 0;
}

static int ifb_create(struct nl_sock *sk, const char *ifb) {
        struct rtnl_link *l = rtnl_link_alloc();
        if (!l)
                return -NLE_NOMEM;
        rtnl_link_set_name(l, ifb);
        rtnl_link_set_flags(l, IFF_UP);
        int ret = rtnl_link_set_type(l, "ifb");
        if (ret == 0)
                ret = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_link_put(l);
        return ret;
}

/* ingress qdisc ffff: and "u32 match u32 0 0 action mirred egress redirect dev IFB" */
static int redirect_add(struct nl_sock *sk, int index, int ifb_index) {
        struct rtnl_qdisc *q = rtnl_qdisc_alloc();
        struct rtnl_cls *f = rtnl_cls_alloc();
        struct rtnl_act *a = rtnl_act_alloc();
        int ret = q && f && a ? 0 : -NLE_NOMEM;
        if (ret == 0) {
                rtnl_tc_set_ifindex(TC_CAST(q), index);
                rtnl_tc_set_parent(TC_CAST(q), TC_H_INGRESS);
                rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(0xffff, 0));
                ret = rtnl_tc_set_kind(TC_CAST(q), "ingress");
        }
        if (ret == 0)
                ret = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL);
        if (ret == 0 && (ret = rtnl_tc_set_kind(TC_CAST(a), "mirred")) == 0) {
                rtnl_mirred_set_action(a, TCA_EGRESS_REDIR);
                rtnl_mirred_set_policy(a, TC_ACT_STOLEN);
                rtnl_mirred_set_ifindex(a, (uint32_t) ifb_index);
                rtnl_tc_set_ifindex(TC_CAST(f), index);
                rtnl_tc_set_parent(TC_CAST(f), TC_HANDLE(0xffff, 0));
                rtnl_cls_set_prio(f, 1);
                rtnl_cls_set_protocol(f, ETH_P_ALL);
                ret = rtnl_tc_set_kind(TC_CAST(f), "u32");
        }
        if (ret == 0)
                ret = rtnl_u32_add_key_uint32(f, 0, 0, 0, 0);
        if (ret == 0)
                ret = rtnl_u32_set_classid(f, TC_HANDLE(1, 1));
        if (ret == 0 && (ret = rtnl_u32_add_action(f, a)) == 0)
                ret = rtnl_cls_add(sk, f, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_act_put(a);
        rtnl_cls_put(f);
        rtnl_qdisc_put(q);
        return ret;
}

static void ifb_remove(struct nl_sock *sk, const char *ifb) {
        int index = ifb && strlen(ifb) < IFNAMSIZ ? (int) if_nametoindex(ifb) : 0;
        struct rtnl_link *l = index ? rtnl_link_alloc() : NULL;
        if (!l)
                return;
        rtnl_link_set_ifindex(l, index);
        rtnl_link_delete(sk, l);
        rtnl_link_put(l);
}

int tc_ingress_shape(const char *dev, const char *ifb, const TcRate *r, VbError *err) {
        if (!ifb || !ifb[0] || strlen(ifb) >= IFNAMSIZ)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "invalid network interface name '%s'",
                                    ifb ? ifb : "");
        int index = tc_index(dev, err);
        struct nl_sock *sk = index ? tc_sock(err) : NULL;
        if (!sk)
                return -1;
        tc_qdisc_remove(sk, index, TC_H_INGRESS);
        ifb_remove(sk, ifb);
        int ret = 0, ifb_index = 0;
        const char *what = "shape the incoming traffic";
        if (r && (ret = ifb_create(sk, ifb)) < 0)
                what = "create the IFB device for the incoming traffic";
        if (r && ret == 0 && !(ifb_index = (int) if_nametoindex(ifb)))
                ret = -NLE_OBJ_NOTFOUND;
        if (r && ret == 0)
                ret = htb_add(sk, ifb_index, r);
        if (r && ret == 0)
                ret = redirect_add(sk, index, ifb_index);
        if (ret < 0) {
                tc_qdisc_remove(sk, index, TC_H_INGRESS);
                ifb_remove(sk, ifb);
        }
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, what, dev) : 0;
}
