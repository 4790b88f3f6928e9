/* security-selinux-plan.h: what the SELinux driver does for one guest, as data: the context QEMU is executed in and which file gets which label at start (each given back at stop). Pure: unit-tested with golden output on any host; security-selinux.c does the system calls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"
#include "error.h"

#define SELINUX_CONTEXT_MAX 256

/* The host's base contexts (libselinux's virtual_domain_context and virtual_image_context
 * files): QEMU's process, a guest's own images, and read-only content shared between guests. */
typedef struct SelinuxBase {
        const char *process;    /* system_u:system_r:svirt_t:s0 */
        const char *image;      /* system_u:object_r:svirt_image_t:s0 */
        const char *content;    /* system_u:object_r:virt_content_t:s0 */
} SelinuxBase;

typedef struct SelinuxFileLabel {
        char *path;
        char label[SELINUX_CONTEXT_MAX];
} SelinuxFileLabel;

typedef struct SelinuxStartPlan {
        char exec_label[SELINUX_CONTEXT_MAX];   /* "": QEMU keeps the daemon's context (type='none') */
        char image_label[SELINUX_CONTEXT_MAX];  /* the live <imagelabel>; "" when files are left alone */
        bool dynamic;                           /* the MCS pair c1,c2 is the guest's own */
        SelinuxFileLabel *files;                /* labelled at start in this order, restored at stop in reverse */
        size_t n_files;
} SelinuxStartPlan;

/* def's plan with the pair c1 < c2 (used when its label is dynamic): no <seclabel> or
 * type='dynamic' → QEMU in base.process with the pair, writable files base.image with the pair,
 * read-only ones (readonly disks, cdroms, kernel, initrd, dtb) base.content; type='static' →
 * QEMU in its <label>, files only with relabel='yes' (its <imagelabel>, or base.image with the
 * label's level); type='none' → nothing. 0, or -1 with err (a seclabel that says no plan, a
 * context that is not one, out of memory). */
int selinux_start_plan(const DomainDef *def, const SelinuxBase *base, unsigned c1, unsigned c2, SelinuxStartPlan *out,
                       VbError *err);
void selinux_start_plan_done(SelinuxStartPlan *p);

/* The plan as text, one step a line ("exec CTX", "label PATH CTX", then "restore PATH" in
 * reverse): what the golden files hold. Newly allocated, or NULL. */
char *selinux_start_plan_format(const SelinuxStartPlan *p);

/* security-selinux-live.c. A dynamic plan's <seclabel type='dynamic' model='selinux'
 * relabel='yes'><label>EXEC</label><imagelabel>IMAGE</imagelabel> in the running definition:
 * the definition's selinux seclabel filled in, or a new one first among them (static and none
 * plans change nothing). 0 or -ENOMEM. */
int selinux_live_seclabel(DomainDef *live, const SelinuxStartPlan *plan);
/* The MCS pair a running definition's dynamic selinux label holds (read back after a daemon
 * restart): 1 with c1 and c2 set, 0 when it has none, -EINVAL for a label without a pair. */
int selinux_live_pair(const DomainDef *live, unsigned *c1, unsigned *c2);
/* The context a running guest's QEMU was executed in, as its running definition (the status
 * file) recorded it: its selinux <seclabel>'s <label> (dynamic, filled in at start, or static);
 * NULL without one (type='none'). */
const char *selinux_live_context(const DomainDef *live);
