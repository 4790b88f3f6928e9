/* security-selinux-label.h: sVirt's pure parts: the MCS pair allocator (random c1 < c2, unique among running guests), context arithmetic, and the live <seclabel model='selinux'> a definition gets. No libselinux here: unit-tested on any host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain-conf.h"
#include "error.h"

#define SELINUX_MCS_CATEGORIES 1024     /* c0..c1023, as libvirt's default range */

/* The MCS pairs of running guests: a bit per (c1, c2). */
typedef struct SelinuxMcsSet {
        uint8_t *bits;
        unsigned c_max;         /* categories c0..c(c_max-1) */
        size_t used;
} SelinuxMcsSet;

int selinux_mcs_init(SelinuxMcsSet *s, unsigned c_max);
void selinux_mcs_done(SelinuxMcsSet *s);
bool selinux_mcs_has(const SelinuxMcsSet *s, unsigned c1, unsigned c2);
/* Mark a pair as taken (a guest found running after a restart); -EEXIST if it is, -EINVAL if
 * not c1 < c2 < c_max. */
int selinux_mcs_reserve(SelinuxMcsSet *s, unsigned c1, unsigned c2);
void selinux_mcs_release(SelinuxMcsSet *s, unsigned c1, unsigned c2);
/* A new pair c1 < c2, neither taken nor equal, drawn with rnd (a 32-bit random source);
 * -EBUSY when every pair is taken. */
int selinux_mcs_alloc(SelinuxMcsSet *s, uint32_t (*rnd)(void *ctx), void *ctx, unsigned *c1, unsigned *c2);

/* "user:role:type:s0[-s0:c0.c1023]" with its level replaced by "SENS:cC1,cC2" (SENS is base's
 * sensitivity, "s0" when base has none): 0, or -EINVAL for a base that is not a context,
 * -ENOSPC. */
int selinux_context_with_mcs(const char *base, unsigned c1, unsigned c2, char *out, size_t len);
/* The pair of a context "…:s0:cA,cB": 0, or -EINVAL when it has none. */
int selinux_context_mcs(const char *ctx, unsigned *c1, unsigned *c2);

/* What the driver does for one definition's <seclabel model='selinux'> (or none at all). */
typedef enum SelinuxLabelPlan {
        SELINUX_PLAN_DYNAMIC,   /* no seclabel, or type='dynamic': a new pair, files relabelled */
        SELINUX_PLAN_STATIC,    /* type='static': <label> as given; files only with relabel='yes' */
        SELINUX_PLAN_NONE,      /* type='none': QEMU unconfined by SELinux, files untouched */
} SelinuxLabelPlan;
typedef struct SelinuxLabel {
        SelinuxLabelPlan plan;
        bool relabel;
        const char *label;      /* static: the definition's */
} SelinuxLabel;
/* def's plan, or -1 with err (a static seclabel without <label>, an unknown type). Pure. */
int selinux_label_plan(const DomainDef *def, SelinuxLabel *out, VbError *err);
