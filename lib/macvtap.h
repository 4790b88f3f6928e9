/* macvtap.h: a macvtap's character device (/dev/tapN) opened as descriptors for QEMU. */
#pragma once

#include "error.h"

/* Open macvtap name queues times (each descriptor a queue), with vnet headers as QEMU's
 * virtio-net expects; fds receives them (close-on-exec). The device number comes from
 * /sys/class/net/NAME/macvtap/tapIFINDEX/dev, checked against the ifindex netlink gives (a /sys
 * mounted for another network namespace is refused, not trusted). /dev/tapIFINDEX is used when
 * udev made it with that number; else a node is made in node_dir (0600), opened and unlinked
 * at once, so the daemon does not depend on udev. */
int macvtap_open(const char *name, unsigned queues, const char *node_dir, int *fds, VbError *err);
