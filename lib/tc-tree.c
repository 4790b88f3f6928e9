/* tc-tree.c: a network bridge's htb tree and its NICs' floor classes, through libnl-route-3 (the layout libvirt gives a network with QoS: 1: root, 1:1 the network, 1:2 the rest, 1:N per floor). */
#include "tc-tree.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <netlink/netlink.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/tc.h>

#include "tc-priv.h"

/* u32 handle 800::N (hash table 0x800, node N) as libvirt names it: the decimal digits of 800 + id
 * read by tc as hex (id 3: 800::803, node 0x803) */
static uint32_t filter_handle(unsigned id) {
        char digits[16];
        snprintf(digits, sizeof digits, "%u", 800u + id);
        return (0x800u << 20) | (uint32_t) strtoul(digits, NULL, 16);
}

static int with_dev(const char *dev, int *index, struct nl_sock **sk, VbError *err) {
        *index = tc_index(dev, err);
        *sk = *index ? tc_sock(err) : NULL;
        return *sk ? 0 : -1;
}

int tc_tree_shape(const char *dev, const TcRate *r, VbError *err) {
        int index;
        struct nl_sock *sk;
        if (with_dev(dev, &index, &sk, err) < 0)
                return -1;
        tc_qdisc_remove(sk, index, TC_H_ROOT);
        int ret = 0;
        if (r && (ret = tc_htb_root_add(sk, index, 2)) == 0 &&
            (ret = tc_htb_class_put(sk, index, TC_HANDLE(1, 0), 1, r)) == 0)
                ret = tc_htb_class_put(sk, index, TC_HANDLE(1, 1), 2, r);
        if (ret < 0)
                tc_qdisc_remove(sk, index, TC_H_ROOT);
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, "shape the outgoing traffic", dev) : 0;
}

int tc_tree_set_default(const char *dev, const TcRate *r, VbError *err) {
        int index;
        struct nl_sock *sk;
        if (with_dev(dev, &index, &sk, err) < 0)
                return -1;
        int ret = tc_htb_class_put(sk, index, TC_HANDLE(1, 1), 2, r);
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, "change the shared class", dev) : 0;
}

static struct rtnl_cls *filter_new(int index, unsigned id) {
        struct rtnl_cls *f = rtnl_cls_alloc();
        if (!f)
                return NULL;
        rtnl_tc_set_ifindex(TC_CAST(f), index);
        rtnl_tc_set_parent(TC_CAST(f), TC_HANDLE(1, 0));
        rtnl_tc_set_handle(TC_CAST(f), filter_handle(id));
        rtnl_cls_set_prio(f, 2);
        rtnl_cls_set_protocol(f, ETH_P_ALL);
        if (rtnl_tc_set_kind(TC_CAST(f), "u32") < 0) {
                rtnl_cls_put(f);
                return NULL;
        }
        return f;
}

static void unplug(struct nl_sock *sk, int index, unsigned id) {
        struct rtnl_cls *f = filter_new(index, id);
        if (f)
                rtnl_cls_delete(sk, f, 0);
        rtnl_cls_put(f);
        struct rtnl_class *c = rtnl_class_alloc();
        if (!c)
                return;
        rtnl_tc_set_ifindex(TC_CAST(c), index);
        rtnl_tc_set_parent(TC_CAST(c), TC_HANDLE(1, 1));
        rtnl_tc_set_handle(TC_CAST(c), TC_HANDLE(1, id));
        rtnl_class_delete(sk, c);
        rtnl_class_put(c);
}

int tc_tree_plug(const char *dev, unsigned id, const uint8_t mac[6], const TcRate *r, VbError *err) {
        if (id < TC_TREE_CLASS_MIN || id > TC_TREE_CLASS_MAX)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NONE,
                                    "class id %u out of range (%u to %u)", id, TC_TREE_CLASS_MIN, TC_TREE_CLASS_MAX);
        int index;
        struct nl_sock *sk;
        if (with_dev(dev, &index, &sk, err) < 0)
                return -1;
        unplug(sk, index, id);
        int ret = tc_htb_class_put(sk, index, TC_HANDLE(1, 1), id, r);
        struct rtnl_cls *f = ret == 0 ? filter_new(index, id) : NULL;
        if (ret == 0 && !f)
                ret = -NLE_NOMEM;
        /* the destination MAC: its first two bytes 14 before the network header, the other four 12 before */
        if (ret == 0)
                ret = rtnl_u32_add_key_uint16(f, (uint16_t) (mac[0] << 8 | mac[1]), 0xffff, -14, 0);
        if (ret == 0)
                ret = rtnl_u32_add_key_uint32(f, (uint32_t) mac[2] << 24 | (uint32_t) mac[3] << 16 |
                                                         (uint32_t) mac[4] << 8 | mac[5],
                                              0xffffffff, -12, 0);
        if (ret == 0 && (ret = rtnl_u32_set_classid(f, TC_HANDLE(1, id))) == 0)
                ret = rtnl_cls_add(sk, f, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_cls_put(f);
        if (ret < 0)
                unplug(sk, index, id);
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, "guarantee a NIC's floor", dev) : 0;
}

int tc_tree_unplug(const char *dev, unsigned id, VbError *err) {
        int index;
        struct nl_sock *sk;
        if (with_dev(dev, &index, &sk, err) < 0)
                return -1;
        unplug(sk, index, id);
        nl_socket_free(sk);
        return 0;
}

static bool kept(unsigned id, const unsigned *keep, size_t n_keep) {
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == id)
                        return true;
        return false;
}

int tc_tree_unplug_others(const char *dev, const unsigned *keep, size_t n_keep, VbError *err) {
        int index;
        struct nl_sock *sk;
        if (with_dev(dev, &index, &sk, err) < 0)
                return -1;
        struct nl_cache *cache = NULL;
        int ret = rtnl_class_alloc_cache(sk, index, &cache);
        unsigned gone[TC_TREE_CLASS_MAX + 1];
        size_t n_gone = 0;
        for (struct nl_object *o = ret == 0 ? nl_cache_get_first(cache) : NULL; o; o = nl_cache_get_next(o)) {
                uint32_t h = rtnl_tc_get_handle(TC_CAST(o));
                unsigned id = TC_H_MIN(h);
                if (TC_H_MAJ(h) == TC_H_MAJ(TC_HANDLE(1, 0)) && rtnl_tc_get_parent(TC_CAST(o)) == TC_HANDLE(1, 1) &&
                    id >= TC_TREE_CLASS_MIN && id <= TC_TREE_CLASS_MAX && !kept(id, keep, n_keep))
                        gone[n_gone++] = id;
        }
        nl_cache_free(cache);
        for (size_t i = 0; i < n_gone; i++)
                unplug(sk, index, gone[i]);
        nl_socket_free(sk);
        return ret < 0 ? tc_fail(err, ret, "read the floor classes", dev) : 0;
}
