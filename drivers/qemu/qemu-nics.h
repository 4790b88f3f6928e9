/* qemu-nics.h: QemuNics, what a start opens and makes on the host for a guest's NICs: the
 * descriptors QEMU inherits, the macvtaps and floors (qemu-net.c), and the filter bindings on
 * the taps (qemu-nwfilter.c, below qemu-net.c, which calls it). */
#pragma once

#include <stddef.h>

#include "domain-conf.h"
#include "manager.h"

typedef struct QemuNics {
        int *fds;               /* fds[i]: interface i's (first) descriptor, or -1 (a NIC that needs none) */
        const int **queue_fds;  /* queue_fds[i]: its descriptors when it has several queues, else NULL */
        int *all;               /* every descriptor (QEMU inherits them) */
        size_t n, n_all;
        char **macvtaps;        /* macvtaps this start created (they outlive QEMU) */
        size_t n_macvtaps;
        char **filtered;        /* taps this start gave a filter binding (qemu-nwfilter.c) */
        size_t n_filtered;
        Connection *filter_conn;
        Connection *conn;       /* the first n_floored NICs of def hold floors this start reserved */
        const DomainDef *def;
        size_t n_floored;
} QemuNics;
