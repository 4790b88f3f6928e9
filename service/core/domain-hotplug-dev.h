/* domain-hotplug-dev.h: USB <input> and <hub>, <controller>, <channel> and DIMMs attached or detached (domain-hotplug-dev.c), below domain-hotplug.c, which hands them over. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "domain.h"

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
