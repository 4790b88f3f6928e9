/* qemu-net.h: the host side of a guest's NICs: taps (network, bridge, ethernet) and macvtaps (direct), opened for QEMU. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "domain-conf.h"
#include "domain-model.h"
#include "error.h"
#include "manager.h"
#include "qemu-nics.h"

#define QEMU_NICS_TAPS_MAX 64           /* descriptors (queues) for all of a domain's NICs */

/* A NIC whose host side is a macvtap: type direct, or type network on a macvtap network (its live definition names
 * the pool device it got in <source dev>), which libvirt treats as direct (counters, shaping). */
static inline bool qemu_nic_is_macvtap(const DomainInterface *nic) {
        return nic->type && (strcmp(nic->type, "direct") == 0 || (strcmp(nic->type, "network") == 0 && nic->source_dev));
}

/* For every interface of live that needs a host device: type network (on the running
 * network's bridge) or bridge (on a host bridge): a tap (its <target dev> or the first free
 * vnetN) with the guest's MAC (first byte 0xfe, as libvirt) and the bridge's MTU, on the
 * bridge and up; type ethernet: such a tap on no bridge, or with <target managed='no'> the
 * existing tap <target dev> as it is; type direct: a macvtap (<target dev> or the first free
 * macvtapN) on <source dev> in <source mode> (vepa by default) with the guest's MAC, up.
 * <driver queues='N'> opens N descriptors (multiqueue). The names (and, for type network,
 * the bridge) are recorded in live. Taps vanish with the last descriptor (QEMU's); macvtaps
 * do not: qemu_nics_release() deletes them. On failure nothing is left. */
int qemu_nics_prepare(Connection *c, DomainDef *live, QemuNics *nics, VbError *err);
/* Close the daemon's descriptors (after QEMU has inherited them). */
void qemu_nics_close(QemuNics *nics);
/* The start did not happen: delete the macvtaps, release the floors and filter bindings too, and
 * close (before def is freed). */
void qemu_nics_abandon(QemuNics *nics);
/* The guest is gone (live is its running definition, also when recovered after a daemon
 * restart): delete its macvtaps. */
void qemu_nics_release(Connection *c, const DomainDef *live);
/* Release the floors (network-floor.h) of live's first count type-network NICs. */
void qemu_nics_unfloor(Connection *c, const DomainDef *live, size_t count);

/* qemu-nwfilter.c: each NIC of live with a <filterref> gets a filter binding on its tap (its
 * rules applied); refused for NICs whose tap is on no bridge. On failure the caller abandons
 * nics, which removes the bindings made. */
int qemu_nics_filter(Connection *c, const DomainDef *live, QemuNics *nics, VbError *err);
/* The start did not happen: remove the bindings qemu_nics_filter made. */
void qemu_nics_unfilter(QemuNics *nics);
/* The guest is gone: remove its NICs' bindings. */
void qemu_nics_release_filters(Connection *c, const DomainDef *live);
