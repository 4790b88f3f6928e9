/* security-selinux-live.c: the SELinux driver's word in a running definition, as libvirt's: the dynamic label and image label QEMU got (kept in the status file), and the MCS pair read back from it after a daemon restart (pure). */
#include "security-selinux-plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "security-selinux-label.h"
#include "security.h"

static bool is(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

/* The selinux seclabel of def: model='selinux', or a dynamic one without a model (libvirt
 * gives it its primary driver's). */
static DomainSeclabel *selinux_seclabel(DomainDefPrivate *p) {
        for (size_t i = 0; i < p->n_seclabels; i++)
                if (is(p->seclabels[i].model, "selinux") ||
                    (!p->seclabels[i].model && (!p->seclabels[i].type || is(p->seclabels[i].type, "dynamic"))))
                        return &p->seclabels[i];
        return NULL;
}

int selinux_live_seclabel(DomainDef *live, const SelinuxStartPlan *plan) {
        if (!plan->dynamic || !live->priv)
                return 0;       /* static and none: the definition's own words stand */
        return security_live_seclabel_put(live, selinux_seclabel(live->priv), "selinux", plan->exec_label,
                                          plan->image_label);
}

int selinux_live_pair(const DomainDef *live, unsigned *c1, unsigned *c2) {
        if (!live->priv)
                return 0;
        DomainSeclabel *s = selinux_seclabel(live->priv);
        if (!s || !is(s->type, "dynamic") || !s->label)
                return 0;
        return selinux_context_mcs(s->label, c1, c2) < 0 ? -EINVAL : 1;
}

const char *selinux_live_context(const DomainDef *live) {
        DomainSeclabel *s = live->priv ? selinux_seclabel(live->priv) : NULL;
        return s && !is(s->type, "none") && s->label && s->label[0] ? s->label : NULL;
}
