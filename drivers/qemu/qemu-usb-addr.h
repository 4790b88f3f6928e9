/* qemu-usb-addr.h: the ports of USB devices on bus 0's root hub, at define time and for a hotplug. */
#pragma once

#include <stdbool.h>

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
/* The bus of an <input> as libvirt defaults it: a tablet's is usb, the others' ps2. */
const char *qemu_input_bus(const DomainInputDev *in);
/* Whether the domain's devices need a USB bus (USB inputs and sound, redirdevs, hubs): the
 * command line adds an xHCI controller for them when the definition has none. */
bool qemu_devices_need_usb(const DomainDevices *d);
