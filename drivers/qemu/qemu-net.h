/* qemu-net.h: the host side of a guest's NICs (type network and bridge): taps on bridges, opened for QEMU. */
#pragma once

#include <stddef.h>

#include "domain-conf.h"
#include "error.h"
#include "manager.h"

#define QEMU_NICS_TAPS_MAX 64

typedef struct QemuNics {
        int *fds;       /* fds[i]: interface i's tap, or -1 (a NIC that needs none) */
        size_t n;
} QemuNics;

/* For every interface of type network (on the running network's bridge) or bridge (on a
 * host bridge) of live: create a tap (its <target dev> or the first free vnetN) with the
 * guest's MAC (first byte 0xfe, as libvirt) and the bridge's MTU, attach it to the bridge and
 * bring it up; record its name (and, for type network, the bridge) in live. The taps vanish
 * when the last descriptor closes: QEMU's, when the guest stops, whoever runs then. On
 * failure nothing is left. */
int qemu_nics_prepare(Connection *c, DomainDef *live, QemuNics *nics, VbError *err);
/* Close the daemon's descriptors (after QEMU has inherited them, or on failure). */
void qemu_nics_close(QemuNics *nics);
