/* domain-hotplug.h: virDomainAttachDevice(Flags) and virDomainDetachDevice(Flags): disks, live (through the driver) and in the definition. */
#pragma once

#include <stddef.h>

#include "call.h"
#include "domain.h"
#include "domain-hotplug-apply.h"
#include "driver.h"

/* xml is one <disk> element; flags LIVE/CONFIG (CURRENT: live when running). Refused with
 * nothing changed: another device kind, a disk without <target dev>, a target the definition
 * (or the running guest) has already, a transient domain with CONFIG, LIVE on a stopped
 * domain. CONFIG is saved first; LIVE goes through the driver (DomainOps.attach_disk) and may
 * finish later; when the driver refuses at once, the saved definition is put back. */
int domain_attach_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
/* The disk with the <target dev> of xml leaves the definition (CONFIG) and/or the running
 * guest (LIVE: the driver asks the guest and waits for it, DomainOps.detach_disk).
 * "device not found: disk vdX not found" when there is none. */
int domain_detach_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);

/* Tell the observers (both doors' device events) that the device alias of d was added,
 * removed, or that the guest refused its removal (a NOTICE_DEVICE_* type). */
#include "manager.h"
void domain_notify_device(Domain *d, NoticeType type, const char *alias);

/* virDomainDetachDeviceAlias: the disk whose device alias (virtio-disk1, scsi0-0-0-1, as the
 * driver names it) is alias, as domain_detach_device(); flags LIVE/CONFIG. libvirt answers
 * once the guest was asked; here the call waits for the guest as a detach does (5 s at most). */
int domain_detach_device_alias(Domain *d, const char *alias, unsigned flags, Call *call, VbError *err);

/* virDomainUpdateDeviceFlags with a <disk device='cdrom'> (domain-update.c resolved flags and
 * parsed dev, which this takes): the media of the cdrom with that target changes to the
 * new <source> (no source: ejected), in the definition and/or through the driver. */
int domain_update_disk(Domain *d, DomainDevices *dev, bool live, bool config, Call *call, VbError *err);

/* NICs (domain-hotplug-nic.c): xml is one <interface>; domain_attach_device and
 * domain_detach_device hand it over (flags resolved). A MAC is generated when there is none
 * (the same one in the definition and the guest); one the domain has already is refused
 * ("network device with mac … already exists"); a detach finds the NIC by its MAC ("no device
 * matching MAC address … found"). LIVE goes through DomainOps.attach_interface / detach_interface. */
bool domain_hotplug_is_interface(const char *xml, size_t len);
int domain_attach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
int domain_detach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);
/* Interface ci of the definition (>= 0) and/or li of the running guest (>= 0) leave. */
int domain_detach_interface_index(Domain *d, long ci, long li, Call *call, VbError *err);

/* Other device kinds (domain-hotplug-dev.c): USB <input> and <hub>, <controller>. domain_hotplug_kind: the
 * name of xml's element ("" when it is not XML), into buf; domain_hotplug_is_dev: one of the
 * kinds served here. Attach: the driver gives the device its place in the definition and/or
 * the running guest (DomainOps.prepare_device: a USB port), then as a disk; a live input on
 * another bus than usb is refused ("input device on bus 'ps2' cannot be hot plugged.").
 * Detach: the first element like xml's (an input's type and bus, an address or alias when
 * given; a controller's type and index), else "matching input device not found" ("controller
 * scsi:1 not found"); DomainOps.check_detach may refuse it (a busy controller). */
const char *domain_hotplug_kind(const char *xml, size_t len, char *buf, size_t size);
bool domain_hotplug_is_dev(const char *kind);
int domain_attach_dev(Domain *d, const char *kind, const char *xml, size_t len, unsigned flags, Call *call,
                      VbError *err);
int domain_detach_dev(Domain *d, const char *kind, const char *xml, size_t len, unsigned flags, Call *call,
                      VbError *err);
/* Element ci of kind in the definition (>= 0) and/or li of the running guest (>= 0) leave. */
int domain_detach_dev_index(Domain *d, const char *kind, long ci, long li, Call *call, VbError *err);
