/* tc-priv.h: the pieces of tc.c that tc-tree.c builds on (inside the netlink module only). */
#pragma once

#include <stdint.h>

#include <netlink/netlink.h>

#include "tc.h"

int tc_fail(VbError *err, int nlerr, const char *what, const char *dev);
/* dev's ifindex, or 0 with err set ("no network interface named …"). */
int tc_index(const char *dev, VbError *err);
struct nl_sock *tc_sock(VbError *err);
/* Remove dev's qdisc at parent (the root or the ingress); none there is no error. */
void tc_qdisc_remove(struct nl_sock *sk, int index, uint32_t parent);
/* An htb root qdisc 1: whose unclassified traffic goes to class 1:defcls. libnl's error or 0. */
int tc_htb_root_add(struct nl_sock *sk, int index, unsigned defcls);
/* Create or change the htb class 1:minor under parent with r's rate, ceil and burst. */
int tc_htb_class_put(struct nl_sock *sk, int index, uint32_t parent, unsigned minor, const TcRate *r);
