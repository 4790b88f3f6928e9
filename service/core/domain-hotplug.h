/* domain-hotplug.h: virDomainAttachDevice(Flags) and virDomainDetachDevice(Flags): disks, live (through the driver) and in the definition. */
#pragma once

#include <stddef.h>

#include "call.h"
#include "domain.h"
#include "domain-hotplug-apply.h"
#include "domain-hotplug-dev.h"     /* the kinds an attach or detach hands over */
#include "domain-hotplug-nic.h"
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
