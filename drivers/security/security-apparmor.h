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

/* What the driver runs for one guest (security-apparmor-plan.c, pure): the generated profile
 * written to profile_dir/NAME (0600), loaded by `apparmor_parser -r FILE` in a watched child
 * before QEMU's exec, QEMU executed in it (the child writes "exec NAME" to onexec_attr, as
 * aa_change_onexec does), and `apparmor_parser -R FILE` once QEMU is gone. */
#define APPARMOR_PARSER "/sbin/apparmor_parser"
typedef struct ApparmorPlan {
        char name[64];
        char profile_path[4096];
        char onexec_attr[64];
        char onexec_value[80];
        char *load_argv[4];     /* NULL-terminated; pointing into this struct */
        char *remove_argv[4];
} ApparmorPlan;
/* 0, or -1 with err (a profile_dir that is not absolute or not safe in a profile). */
int apparmor_command_plan(const DomainDef *def, const char *profile_dir, ApparmorPlan *out, VbError *err);
/* The plan as text, a step a line (golden files). Newly allocated, or NULL. */
char *apparmor_command_plan_format(const ApparmorPlan *p);

/* Does this host run AppArmor (/sys/module/apparmor/parameters/enabled is "Y")? why says. */
bool security_apparmor_active(char *why, size_t whylen);
