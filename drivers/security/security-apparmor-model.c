/* security-apparmor-model.c: the AppArmor driver as a security model of the stack: where AppArmor runs (probe: the module enabled and securityfs's apparmor interface), model "apparmor", DOI "0", no base label; a running guest's label is its profile as the kernel reports it (/proc/PID/attr/apparmor/current, else attr/current: "libvirt-UUID (enforce)"), and its running definition carries libvirt's dynamic <seclabel model='apparmor'>. */
#define LOG_MODULE "security"
#include "security-apparmor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "domain-model.h"
#include "security.h"

bool security_apparmor_probe_at(const char *root, char *why, size_t whylen) {
        char path[512];
        snprintf(path, sizeof path, "%s/sys/module/apparmor/parameters/enabled", root ? root : "");
        FILE *f = fopen(path, "re");
        char c = 0;
        if (f) {
                if (fread(&c, 1, 1, f) != 1)
                        c = 0;
                fclose(f);
        }
        if (c != 'Y') {
                snprintf(why, whylen, "AppArmor is not enabled on this host%s", f ? "" : " (no /sys/module/apparmor)");
                return false;
        }
        /* the profiles are loaded through securityfs: without it nothing can be confined */
        struct stat st;
        snprintf(path, sizeof path, "%s/sys/kernel/security/apparmor", root ? root : "");
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                snprintf(why, whylen, "AppArmor is enabled but securityfs has no apparmor interface (%s)",
                         "/sys/kernel/security/apparmor");
                return false;
        }
        snprintf(why, whylen, "AppArmor is enabled");
        return true;
}

bool security_apparmor_active(char *why, size_t whylen) {
        return security_apparmor_probe_at("", why, whylen);
}

static bool apparmor_probe(char *why, size_t whylen) {
        return security_apparmor_active(why, whylen);
}

int apparmor_parse_current(const char *text, char *label, size_t len, bool *enforcing) {
        size_t n = strcspn(text, "\n");
        if (n == 0 || len == 0)
                return -EINVAL;
        *enforcing = false;
        label[0] = '\0';
        if (n == strlen("unconfined") && strncmp(text, "unconfined", n) == 0)
                return 0;       /* no profile: libvirt's empty label */
        /* "NAME (MODE)": the name may hold spaces, the mode is the last parenthesis */
        const char *open = NULL;
        for (const char *p = text; p < text + n; p++)
                if (*p == ' ' && p[1] == '(')
                        open = p;
        size_t name_len = open ? (size_t) (open - text) : n;
        if (open) {
                const char *mode = open + 2;
                size_t mode_len = (size_t) (text + n - mode);
                if (mode_len < 2 || mode[mode_len - 1] != ')')
                        return -EINVAL;
                *enforcing = mode_len - 1 == strlen("enforce") && strncmp(mode, "enforce", mode_len - 1) == 0;
        }
        if (name_len == 0)
                return -EINVAL;
        if (name_len >= len)
                return -ENOBUFS;
        memcpy(label, text, name_len);
        label[name_len] = '\0';
        return 0;
}

static int read_attr(const char *proc, pid_t pid, char *buf, size_t len) {
        static const char *const names[] = { "attr/apparmor/current", "attr/current" };
        int r = -ENOENT;
        for (size_t i = 0; i < 2; i++) {
                char path[512];
                snprintf(path, sizeof path, "%s/%d/%s", proc, (int) pid, names[i]);
                FILE *f = fopen(path, "re");
                if (!f) {
                        r = -errno;
                        continue;
                }
                size_t got = fread(buf, 1, len - 1, f);
                /* a kernel without AppArmor refuses the read (EINVAL): an error, not an empty name */
                int e = ferror(f) ? errno : 0;
                fclose(f);
                if (e)
                        return -e;
                buf[got] = '\0';
                return 0;
        }
        return r;
}

/* libvirt's answer: the profile the kernel confines QEMU with, enforcing in enforce mode. */
static int apparmor_guest_label(const void *cfg, const DomainDef *live, pid_t pid, char *buf, size_t len,
                                bool *enforcing, VbError *err) {
        const SecurityApparmorConfig *c = cfg;
        (void) live;
        char text[1024];
        int r = pid > 0 ? read_attr(c && c->proc ? c->proc : "/proc", pid, text, sizeof text) : -ESRCH;
        if (r < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                        "unable to get PID %d AppArmor profile: %s", (int) pid, strerror(-r));
        if (apparmor_parse_current(text, buf, len, enforcing) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                                    "cannot read the AppArmor profile of PID %d from '%.*s'", (int) pid,
                                    (int) strcspn(text, "\n"), text);
        return 0;
}

static bool is(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

/* The definition's AppArmor seclabel: model='apparmor', or one without a model (libvirt gives it
 * its primary driver's). */
static const DomainSeclabel *apparmor_seclabel(const DomainDef *def) {
        const DomainDefPrivate *p = def->priv;
        for (size_t i = 0; p && i < p->n_seclabels; i++)
                if (is(p->seclabels[i].model, "apparmor") || !p->seclabels[i].model)
                        return &p->seclabels[i];
        return NULL;
}

bool apparmor_confines(const DomainDef *def) {
        const DomainSeclabel *s = apparmor_seclabel(def);
        return !s || !is(s->type, "none");
}

int apparmor_live_seclabel(DomainDef *live) {
        if (!live->priv)
                return 0;
        DomainSeclabel *s = (DomainSeclabel *) apparmor_seclabel(live);
        if (s && s->type && !is(s->type, "dynamic"))
                return 0;       /* static and none: the definition's own words stand */
        char name[64];
        if (apparmor_profile_name(live, name, sizeof name) < 0)
                return -ENOBUFS;
        return security_live_seclabel_put(live, s, "apparmor", name, name);
}

static int apparmor_live_label(const void *cfg, DomainDef *live) {
        (void) cfg;
        return apparmor_live_seclabel(live);
}

/* No set_process or set_files: the profile is loaded and QEMU executed in it by
 * drivers/qemu/qemu-apparmor.c (a watched apparmor_parser before the spawn). */
const SecurityDriver security_driver_apparmor = {
        .model = "apparmor",
        .doi = "0",
        .probe = apparmor_probe,
        .live_label = apparmor_live_label,
        .guest_label = apparmor_guest_label,
};
