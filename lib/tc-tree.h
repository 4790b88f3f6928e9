/* tc-tree.h: a network bridge's hierarchical htb tree (libvirt's layout for network QoS) and the guaranteed ("floor") classes of the NICs plugged into it, matched by their MAC. Part of the netlink module (netlink-module.h). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tc.h"

/* The smallest and largest class minor a NIC's floor may take (1:1 is the network's ceiling,
 * 1:2 the traffic of NICs without a floor; the u32 filter handle 800::<800 + id> must stay three
 * hex digits, as libvirt's). */
#define TC_TREE_CLASS_MIN 3u
#define TC_TREE_CLASS_MAX 199u

/* dev's egress through an htb root qdisc 1: (default class 1:2) with class 1:1 (r: the network's
 * limit) and under it 1:2 (r too: what NICs without a floor share). Any previous root qdisc is
 * replaced; r NULL removes it. 0, or -1 with err naming dev and the kernel's reason. */
int tc_tree_shape(const char *dev, const TcRate *r, VbError *err);
/* Change class 1:2 (the traffic without a floor) to r. */
int tc_tree_set_default(const char *dev, const TcRate *r, VbError *err);
/* Class 1:id under 1:1 guaranteeing r (rate: the floor, ceil: the network's peak or average) and
 * a u32 filter sending frames for mac (destination address) to it; replaces the same id's. */
int tc_tree_plug(const char *dev, unsigned id, const uint8_t mac[6], const TcRate *r, VbError *err);
/* Remove the filter and class of id; what is not there is no error. */
int tc_tree_unplug(const char *dev, unsigned id, VbError *err);
/* Remove the floor classes (1:MIN to 1:MAX) dev has that keep (n_keep ids) does not name, with
 * their filters: the tree as a network's reservations say. 0, or -1 (err set) when the classes
 * cannot be read. */
int tc_tree_unplug_others(const char *dev, const unsigned *keep, size_t n_keep, VbError *err);
