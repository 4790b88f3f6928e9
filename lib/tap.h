/* tap.h: tap devices through the tun ioctls, as descriptors handed to QEMU. */
#pragma once

#include <stddef.h>

#include "error.h"

#define TAP_QUEUES_MAX 16

/* Create the tap name (NULL: the first free vnetN) with queues queues (1: a single-queue tap;
 * more: IFF_MULTI_QUEUE), with vnet headers and no packet information, as QEMU's virtio-net
 * expects. fds receives queues descriptors (close-on-exec), ifname the name (size >= 16).
 * The tap lives as long as one of its descriptors is open: when QEMU (which holds them) ends,
 * the kernel removes it, also while the daemon is not running. */
int tap_create(const char *name, unsigned queues, int *fds, char *ifname, VbError *err);
void tap_close_all(int *fds, size_t n);
