/* security-model.c: what a connection's security stack answers about itself: the models (NodeGetSecurityModel, virsh capabilities' <secmodel>s) and a running guest's labels (DomainGetSecurityLabel, DomainGetSecurityLabelList), from the drivers' own state. */
#define LOG_MODULE "security"
#include "security.h"

#include "domain-model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's stack: its primary driver (SELinux or AppArmor where the host runs one, else the
 * no-op "none") first, then DAC, whatever user QEMU runs as. */
size_t security_models(const SecurityStack *s, const SecurityDacConfig *dac, SecurityModel out[SECURITY_MODELS_MAX]) {
        size_t n = 0;
        out[n++] = (SecurityModel) { &security_driver_none, NULL };
        for (size_t i = 0; s && i < s->n; i++)
                if (s->layer[i].drv == &security_driver_selinux || s->layer[i].drv == &security_driver_apparmor)
                        out[0] = (SecurityModel) { s->layer[i].drv, s->layer[i].cfg };
        if (dac)
                out[n++] = (SecurityModel) { &security_driver_dac, dac };
        return n;
}

typedef struct Text {
        char *s;
        size_t len;
        bool failed;
} Text;

static void text_add(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(Text *t, const char *fmt, ...) {
        char *more = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = t->failed ? -1 : vasprintf(&more, fmt, ap);
        va_end(ap);
        char *v = n < 0 ? NULL : realloc(t->s, t->len + (size_t) n + 1);
        if (!v) {
                free(more);
                t->failed = true;
                return;
        }
        memcpy(v + t->len, more, (size_t) n + 1);
        t->s = v;
        t->len += (size_t) n;
        free(more);
}

/* A base label is a context or "+UID:+GID": neither holds XML's special characters, but one
 * read from a host file is checked rather than trusted. */
static bool xml_safe(const char *s) {
        return strpbrk(s, "<>&'\"") == NULL;
}

char *security_caps_secmodel(const SecurityStack *s, const SecurityDacConfig *dac, char *xml) {
        const char *start = "    <secmodel>\n", *end = "</secmodel>\n";
        char *from = xml ? strstr(xml, start) : NULL;
        char *to = from ? strstr(from, end) : NULL;
        if (!to)
                return xml;
        to += strlen(end);
        SecurityModel m[SECURITY_MODELS_MAX];
        size_t n = security_models(s, dac, m);
        Text t = { 0 };
        for (size_t i = 0; i < n; i++) {
                text_add(&t, "    <secmodel>\n      <model>%s</model>\n      <doi>%s</doi>\n", m[i].drv->model,
                         m[i].drv->doi);
                static const char *const types[] = { "kvm", "qemu" };
                for (size_t k = 0; k < 2 && m[i].drv->base_label; k++) {
                        char label[512];
                        if (m[i].drv->base_label(m[i].cfg, types[k], label, sizeof label) == 0 && xml_safe(label))
                                text_add(&t, "      <baselabel type='%s'>%s</baselabel>\n", types[k], label);
                }
                text_add(&t, "    </secmodel>\n");
        }
        char *out = NULL;
        if (!t.failed && t.s && asprintf(&out, "%.*s%s%s", (int) (from - xml), xml, t.s, to) < 0)
                out = NULL;
        free(t.s);
        free(xml);
        return out;
}

int security_guest_labels(const SecurityStack *s, const SecurityDacConfig *dac, const DomainDef *live, pid_t pid,
                          SecurityLabel out[SECURITY_MODELS_MAX], VbError *err) {
        SecurityModel m[SECURITY_MODELS_MAX];
        size_t n = security_models(s, dac, m);
        for (size_t i = 0; i < n; i++) {
                out[i].label[0] = '\0';
                out[i].enforcing = false;
                if (m[i].drv->guest_label &&
                    m[i].drv->guest_label(m[i].cfg, live, pid, out[i].label, sizeof out[i].label, &out[i].enforcing,
                                          err) < 0)
                        return -1;
        }
        return (int) n;
}

const SecurityDriver *security_primary_driver(char *const *wanted, bool selinux, bool apparmor, char *why,
                                              size_t whylen) {
        why[0] = '\0';
        if (!wanted)    /* unset: what the host runs, SELinux first as libvirt probes */
                return selinux ? &security_driver_selinux : apparmor ? &security_driver_apparmor : &security_driver_none;
        for (size_t i = 0; wanted[i]; i++) {
                const char *w = wanted[i];
                if (strcmp(w, "none") == 0)
                        return &security_driver_none;
                if (strcmp(w, "dac") == 0)
                        continue;       /* stacked below whatever is primary */
                bool on = strcmp(w, "selinux") == 0 ? selinux : strcmp(w, "apparmor") == 0 ? apparmor : false;
                if (!on) {
                        snprintf(why, whylen, "security driver '%s' is not enabled on this host", w);
                        return NULL;
                }
                return strcmp(w, "selinux") == 0 ? &security_driver_selinux : &security_driver_apparmor;
        }
        return &security_driver_none;
}

static int set(char **field, const char *value) {
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

int security_live_seclabel_put(DomainDef *live, struct DomainSeclabel *s, const char *model, const char *label,
                               const char *imagelabel) {
        DomainDefPrivate *p = live->priv;
        if (!s) {
                DomainSeclabel *v = realloc(p->seclabels, (p->n_seclabels + 1) * sizeof *v);
                if (!v)
                        return -ENOMEM;
                p->seclabels = v;
                memmove(&v[1], &v[0], p->n_seclabels * sizeof *v);
                p->n_seclabels++;
                s = &v[0];
                memset(s, 0, sizeof *s);
        }
        if (set(&s->type, "dynamic") < 0 || set(&s->model, model) < 0 || (!s->relabel && set(&s->relabel, "yes") < 0) ||
            set(&s->label, label) < 0 || set(&s->imagelabel, imagelabel) < 0)
                return -ENOMEM;
        return 0;
}
