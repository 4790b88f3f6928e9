/* tc.h: traffic shaping of a host interface (a guest's tap) through libnl-route-3: an htb class on its egress, and its ingress redirected to an IFB device shaped the same way. Part of the netlink module (netlink-module.h). */
#pragma once

#include <stdint.h>

#include "error.h"

/* rate and ceil in bytes/s (ceil 0: the rate), burst in bytes (0: the kernel's default). */
typedef struct TcRate {
        uint64_t rate, ceil, burst;
} TcRate;

/* dev's egress (what it sends: a tap's traffic to the guest) through an htb root qdisc 1:
 * whose default class 1:1 has r; any previous root qdisc is replaced. r NULL: the root qdisc
 * removed (the kernel's default again). 0, or -1 with err naming dev and the kernel's reason. */
int tc_egress_shape(const char *dev, const TcRate *r, VbError *err);
/* dev's ingress (what it receives: the guest's traffic to the host) redirected (an ingress
 * qdisc ffff: with a u32 filter matching everything, action mirred egress redirect) to the IFB
 * device ifb, created here and shaped by tc_egress_shape. r NULL: the ingress qdisc and ifb
 * removed. 0 or -1; a failure leaves neither. */
int tc_ingress_shape(const char *dev, const char *ifb, const TcRate *r, VbError *err);
