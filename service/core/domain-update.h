/* domain-update.h: virDomainUpdateDeviceFlags: what can change on a device in place (a NIC's link state). */
#pragma once

#include <stddef.h>

#include "call.h"
#include "domain.h"
#include "domain-update-graphics.h"     /* the <graphics> part of an update */

enum { DOMAIN_DEVICE_MODIFY_FORCE = 1u << 2 };     /* VIR_DOMAIN_DEVICE_MODIFY_FORCE */

/* xml is one device element; flags LIVE/CONFIG (CURRENT: live when running) and FORCE. An
 * <interface> is matched by its MAC; of its settings only <link state> may differ from the
 * definition's (virsh domif-setlink sends the whole element back with it changed). LIVE goes
 * through the driver (QEMU's set_link) and may finish later; CONFIG is saved first. Refused
 * with nothing changed: another device kind ("not supported"), no NIC with that MAC, a change
 * to anything but the link state. */
int domain_update_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
