/* security-apparmor.h: the AppArmor driver: a per-guest profile generated from the definition (a pure function with golden files), and whether AppArmor runs on this host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"
#include "error.h"

/* The profile's name for a guest: "libvirt-UUID", as libvirt names it (Debian's libvirtd
 * profile and abstractions expect guests' profiles by that name). */
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

/* Does this host run AppArmor: /sys/module/apparmor/parameters/enabled is "Y" and securityfs
 * has its interface (/sys/kernel/security/apparmor)? why says. security_apparmor_probe_at()
 * looks under root instead of / (tests). security-apparmor-model.c. */
bool security_apparmor_active(char *why, size_t whylen);
bool security_apparmor_probe_at(const char *root, char *why, size_t whylen);

/* A process's AppArmor context as /proc/PID/attr/current shows it: "NAME (MODE)" gives label
 * NAME, enforcing when MODE is "enforce" ("complain" is not); "unconfined" an empty label, not
 * enforcing. 0, -EINVAL (not that shape) or -ENOBUFS. Pure. */
int apparmor_parse_current(const char *text, char *label, size_t len, bool *enforcing);

/* The running definition's AppArmor <seclabel>, as libvirt's: a dynamic one (or none written)
 * becomes <seclabel type='dynamic' model='apparmor' relabel='yes'> with the profile name as
 * label and imagelabel, first; static and none stand. 0 or -errno. */
int apparmor_live_seclabel(DomainDef *live);

/* false when def asks to run unconfined: <seclabel type='none'/> with model='apparmor' or no
 * model (libvirt's AppArmor driver then loads no profile). Pure. */
bool apparmor_confines(const DomainDef *def);
