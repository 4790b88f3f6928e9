/* security-selinux-label.c: sVirt's MCS allocator, context arithmetic and seclabel plan: pure, tested without SELinux. */
#include "security-selinux-label.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"

static size_t bit_of(const SelinuxMcsSet *s, unsigned c1, unsigned c2) {
        return (size_t) c1 * s->c_max + c2;
}

int selinux_mcs_init(SelinuxMcsSet *s, unsigned c_max) {
        *s = (SelinuxMcsSet) { .c_max = c_max };
        if (c_max < 2 || c_max > 4096)
                return -EINVAL;
        s->bits = calloc(((size_t) c_max * c_max + 7) / 8, 1);
        return s->bits ? 0 : -ENOMEM;
}

void selinux_mcs_done(SelinuxMcsSet *s) {
        free(s->bits);
        *s = (SelinuxMcsSet) { 0 };
}

bool selinux_mcs_has(const SelinuxMcsSet *s, unsigned c1, unsigned c2) {
        if (c1 >= s->c_max || c2 >= s->c_max)
                return false;
        size_t b = bit_of(s, c1, c2);
        return s->bits[b / 8] & (1u << (b % 8));
}

int selinux_mcs_reserve(SelinuxMcsSet *s, unsigned c1, unsigned c2) {
        if (!(c1 < c2 && c2 < s->c_max))
                return -EINVAL;
        if (selinux_mcs_has(s, c1, c2))
                return -EEXIST;
        size_t b = bit_of(s, c1, c2);
        s->bits[b / 8] |= (uint8_t) (1u << (b % 8));
        s->used++;
        return 0;
}

void selinux_mcs_release(SelinuxMcsSet *s, unsigned c1, unsigned c2) {
        if (!selinux_mcs_has(s, c1, c2))
                return;
        size_t b = bit_of(s, c1, c2);
        s->bits[b / 8] &= (uint8_t) ~(1u << (b % 8));
        s->used--;
}

int selinux_mcs_alloc(SelinuxMcsSet *s, uint32_t (*rnd)(void *ctx), void *ctx, unsigned *c1, unsigned *c2) {
        size_t pairs = (size_t) s->c_max * (s->c_max - 1) / 2;
        if (s->used >= pairs)
                return -EBUSY;
        /* Random draws while most pairs are free (the usual case); a walk from a random
         * start once draws keep hitting taken ones, so a nearly full set still ends. */
        for (int tries = 0; tries < 64; tries++) {
                unsigned a = rnd(ctx) % s->c_max, b = rnd(ctx) % s->c_max;
                if (a == b)
                        continue;
                if (a > b) {
                        unsigned t = a;
                        a = b;
                        b = t;
                }
                if (selinux_mcs_reserve(s, a, b) == 0) {
                        *c1 = a;
                        *c2 = b;
                        return 0;
                }
        }
        size_t start = rnd(ctx) % ((size_t) s->c_max * s->c_max);
        for (size_t k = 0; k < (size_t) s->c_max * s->c_max; k++) {
                size_t b = (start + k) % ((size_t) s->c_max * s->c_max);
                unsigned a = (unsigned) (b / s->c_max), c = (unsigned) (b % s->c_max);
                if (a < c && selinux_mcs_reserve(s, a, c) == 0) {
                        *c1 = a;
                        *c2 = c;
                        return 0;
                }
        }
        return -EBUSY;
}

int selinux_context_with_mcs(const char *base, unsigned c1, unsigned c2, char *out, size_t len) {
        /* user:role:type[:level]: the first three fields are kept, the level's sensitivity too */
        if (!base)
                return -EINVAL;
        const char *colon[3] = { NULL, NULL, NULL };
        const char *p = base;
        for (int i = 0; i < 3; i++) {
                p = strchr(p, ':');
                if (!p)
                        break;
                colon[i] = p++;
        }
        if (!colon[1] || colon[0] == base || colon[1] == colon[0] + 1)
                return -EINVAL;         /* fewer than three fields, or an empty one */
        size_t head = colon[2] ? (size_t) (colon[2] - base) : strlen(base);
        if (head == (size_t) (colon[1] - base) + 1)
                return -EINVAL;         /* empty type */
        char sens[16] = "s0";
        if (colon[2] && colon[2][1] == 's') {
                size_t n = strcspn(colon[2] + 1, ":-");
                if (n < sizeof sens) {
                        memcpy(sens, colon[2] + 1, n);
                        sens[n] = '\0';
                }
        }
        int n = snprintf(out, len, "%.*s:%s:c%u,c%u", (int) head, base, sens, c1, c2);
        return n < 0 || (size_t) n >= len ? -ENOSPC : 0;
}

int selinux_context_mcs(const char *ctx, unsigned *c1, unsigned *c2) {
        const char *p = ctx ? strrchr(ctx, ':') : NULL;
        unsigned a, b;
        char end;
        if (!p || sscanf(p + 1, "c%u,c%u%c", &a, &b, &end) != 2 || a >= b)
                return -EINVAL;
        *c1 = a;
        *c2 = b;
        return 0;
}

int selinux_label_plan(const DomainDef *def, SelinuxLabel *out, VbError *err) {
        *out = (SelinuxLabel) { .plan = SELINUX_PLAN_DYNAMIC, .relabel = true };
        const DomainSeclabel *sl = NULL;
        for (size_t i = 0; def->priv && i < def->priv->n_seclabels && !sl; i++) {
                const DomainSeclabel *c = &def->priv->seclabels[i];
                /* a seclabel without a model is the first driver's: selinux when it leads */
                if (!c->model || strcmp(c->model, "selinux") == 0)
                        sl = c;
        }
        if (!sl)
                return 0;
        bool relabel_no = sl->relabel && strcmp(sl->relabel, "no") == 0;
        if (!sl->type || strcmp(sl->type, "dynamic") == 0) {
                out->relabel = true;    /* libvirt: a dynamic label always relabels */
                return 0;
        }
        if (strcmp(sl->type, "none") == 0) {
                *out = (SelinuxLabel) { .plan = SELINUX_PLAN_NONE, .relabel = false };
                return 0;
        }
        if (strcmp(sl->type, "static") == 0) {
                if (!sl->label)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_SECURITY,
                                            "security label is missing");
                *out = (SelinuxLabel) { .plan = SELINUX_PLAN_STATIC, .relabel = sl->relabel && !relabel_no,
                                        .label = sl->label };
                return 0;
        }
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_SECURITY, "invalid security type '%s'", sl->type);
}
