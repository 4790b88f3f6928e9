/* security-apparmor.h: the AppArmor driver: a per-guest profile generated from the definition (a pure function with golden files), and whether AppArmor runs on this host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"
#include "error.h"

/* The profile's name for a guest: "virtbus-UUID" (libvirt names its "libvirt-UUID"). */
int apparmor_profile_name(const DomainDef *def, char *out, size_t len);

/* The profile text for def: QEMU's base abstraction, then one rule per file it opens:
 * writable disks "rwk", read-only disks (<readonly/>, cdroms) "rk", kernel/initrd/dtb "r",
 * nvram "rwk", file serials/consoles "rw", and log_path (may be NULL) "w". A path that cannot
 * be written safely into a profile (a quote, a control character, not absolute) is refused
 * with err naming it. Newly allocated, or NULL with err. Pure. */
char *apparmor_profile_generate(const DomainDef *def, const char *log_path, VbError *err);

/* Does this host run AppArmor (/sys/module/apparmor/parameters/enabled is "Y")? why says. */
bool security_apparmor_active(char *why, size_t whylen);
