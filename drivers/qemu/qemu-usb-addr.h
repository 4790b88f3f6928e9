/* qemu-usb-addr.h: the ports of USB devices on bus 0's root hub, at define time and for a hotplug. */
#pragma once

#include "domain-model.h"
#include "error.h"

/* USB ports of redirdevs and hubs (<address type='usb' bus='0' port='N'/>),
 * written into a definition when it is defined, as libvirt does; the command line uses them. */
int qemu_define_usb_addresses(DomainDef *def, VbError *err);
/* The lowest port of USB bus 0's root hub no device of def holds (inputs, USB sound,
 * redirdevs and hubs, in QEMU's command line order), or want (> 0) when it is free, for a
 * device (what: "<input>") to be attached; -1 with err when def has no USB controller, "No
 * free USB ports", or want is taken or beyond the controller's ports. */
int qemu_usb_free_port(const DomainDef *def, unsigned want, const char *what, VbError *err);
