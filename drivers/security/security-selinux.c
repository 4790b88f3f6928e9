/* security-selinux.c: the SELinux (sVirt) driver's host side: whether SELinux runs here (libselinux), the base contexts, and a guest's labels applied from its plan (security-selinux-plan.c): QEMU's exec context through ProcessCreds (written in the child before exec), its files through security-selinux-files.c. On a host without SELinux it is inactive and says so. */
#define LOG_MODULE "security"
#include "security.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <selinux/selinux.h>

#include "log.h"
#include "security-selinux-files.h"
#include "security-selinux-label.h"
#include "security-selinux-plan.h"

static bool selinux_probe(char *why, size_t whylen) {
        int on = is_selinux_enabled();
        if (on <= 0) {
                snprintf(why, whylen, "SELinux is %s on this host (is_selinux_enabled() = %d)",
                         on == 0 ? "disabled" : "not readable", on);
                return false;
        }
        snprintf(why, whylen, "SELinux is enabled");
        return true;
}

bool security_selinux_active(char *why, size_t whylen) {
        return selinux_probe(why, whylen);
}

static int read_lines(const char *path, char *a, char *b, size_t len) {
        FILE *f = path ? fopen(path, "re") : NULL;
        if (!f)
                return -errno;
        a[0] = b[0] = '\0';
        char *out[2] = { a, b };
        for (int i = 0; i < 2 && fgets(out[i], (int) len, f); i++)
                out[i][strcspn(out[i], "\n")] = '\0';
        fclose(f);
        return a[0] ? 0 : -EINVAL;
}

int security_selinux_init(SecuritySelinuxConfig *c, VbError *err) {
        memset(c, 0, sizeof *c);
        /* virtual_domain_context: KVM guests' context, then TCG guests' (svirt_tcg_t) */
        int r = read_lines(selinux_virtual_domain_context_path(), c->process, c->tcg, sizeof c->process);
        if (r >= 0)
                r = read_lines(selinux_virtual_image_context_path(), c->image, c->content, sizeof c->image);
        if (r < 0)
                return vb_error_set_raw(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY,
                                        "cannot read the sVirt base contexts (%s, %s): %s",
                                        selinux_virtual_domain_context_path(), selinux_virtual_image_context_path(),
                                        strerror(-r));
        if (!c->content[0])
                snprintf(c->content, sizeof c->content, "%s", c->image);
        c->getenforce = security_getenforce;
        if (selinux_mcs_init(&c->mcs, SELINUX_MCS_CATEGORIES) < 0)
                return vb_error_errno(err, -ENOMEM, "SELinux MCS set");
        return 0;
}

void security_selinux_done(SecuritySelinuxConfig *c) {
        selinux_mcs_done(&c->mcs);
        free(c->guests);
        c->guests = NULL;
        c->n_guests = 0;
}

static SecuritySelinuxGuest *guest_of(SecuritySelinuxConfig *c, const DomainDef *def) {
        for (size_t i = 0; i < c->n_guests; i++)
                if (memcmp(c->guests[i].uuid, def->uuid, sizeof def->uuid) == 0)
                        return &c->guests[i];
        return NULL;
}

/* The guest's record (made by set_process, or by reattach after a restart). */
static SecuritySelinuxGuest *guest_add(SecuritySelinuxConfig *c, const DomainDef *def) {
        SecuritySelinuxGuest *v = realloc(c->guests, (c->n_guests + 1) * sizeof *v);
        if (!v)
                return NULL;
        c->guests = v;
        SecuritySelinuxGuest *g = &v[c->n_guests++];
        memset(g, 0, sizeof *g);
        memcpy(g->uuid, def->uuid, sizeof g->uuid);
        return g;
}

static uint32_t rnd32(void *ctx) {
        (void) ctx;
        return (uint32_t) random() ^ ((uint32_t) random() << 16);
}

/* libvirt's base process context: TCG guests' where the host names one, else KVM's. */
static const char *selinux_base_process(const SecuritySelinuxConfig *c, const char *virttype) {
        return virttype && strcmp(virttype, "qemu") == 0 && c->tcg[0] ? c->tcg : c->process;
}

static int plan_of(SecuritySelinuxConfig *c, const SecuritySelinuxGuest *g, const DomainDef *def, SelinuxStartPlan *p,
                   VbError *err) {
        SelinuxBase base = { selinux_base_process(c, def->virt_type), c->image, c->content };
        return selinux_start_plan(def, &base, g->c1, g->c2, p, err);
}

/* The driver state is the stack layer's cfg: mutable (the running guests' pairs) though the
 * stack passes it const. */
static int selinux_set_process(const void *cfg, const DomainDef *def, ProcessCreds *creds, VbError *err) {
        SecuritySelinuxConfig *c = (SecuritySelinuxConfig *) cfg;
        SecuritySelinuxGuest *g = guest_of(c, def);
        if (!g && !(g = guest_add(c, def)))
                return vb_error_errno(err, -ENOMEM, "SELinux guest");
        SelinuxStartPlan p;
        SelinuxLabel l;
        if (selinux_label_plan(def, &l, err) < 0)
                goto fail;
        if (l.plan == SELINUX_PLAN_DYNAMIC && !g->has_pair) {
                if (selinux_mcs_alloc(&c->mcs, rnd32, NULL, &g->c1, &g->c2) < 0) {
                        vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "no free MCS category pair left");
                        goto fail;
                }
                g->has_pair = true;
        }
        if (plan_of(c, g, def, &p, err) < 0)
                goto fail;
        snprintf(g->exec_label, sizeof g->exec_label, "%s", p.exec_label);
        selinux_start_plan_done(&p);
        if (g->exec_label[0]) {
                creds->exec_attr = "/proc/thread-self/attr/exec";
                creds->exec_label = g->exec_label;
        }
        return 0;
fail:
        if (g->has_pair)
                selinux_mcs_release(&c->mcs, g->c1, g->c2);
        *g = c->guests[--c->n_guests];
        return -1;
}

static void selinux_restore_files(const void *cfg, const DomainDef *def);

static int selinux_set_files(const void *cfg, const DomainDef *def, VbError *err) {
        SecuritySelinuxConfig *c = (SecuritySelinuxConfig *) cfg;
        SecuritySelinuxGuest *g = guest_of(c, def);
        SelinuxStartPlan p;
        if (!g || plan_of(c, g, def, &p, err) < 0) {
                if (g) {
                        g->files_done = true;   /* nothing labelled yet */
                        selinux_restore_files(cfg, def);
                }
                return g ? -1 : vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "no SELinux label");
        }
        for (size_t i = 0; i < p.n_files; i++) {
                if (selinux_file_take(p.files[i].path, p.files[i].label, err) < 0) {
                        while (i-- > 0)
                                selinux_file_give_back(p.files[i].path);
                        selinux_start_plan_done(&p);
                        g->files_done = true;   /* given back already */
                        selinux_restore_files(cfg, def);
                        return -1;
                }
        }
        selinux_start_plan_done(&p);
        return 0;
}

static void selinux_restore_files(const void *cfg, const DomainDef *def) {
        SecuritySelinuxConfig *c = (SecuritySelinuxConfig *) cfg;
        SecuritySelinuxGuest *g = guest_of(c, def);
        if (!g)
                return;
        SelinuxStartPlan p;
        VbError err = { 0 };
        if (!g->files_done && plan_of(c, g, def, &p, &err) == 0) {
                for (size_t i = p.n_files; i-- > 0;)
                        selinux_file_give_back(p.files[i].path);
                selinux_start_plan_done(&p);
        } else if (!g->files_done) {
                log_warning("cannot give the files of a guest their SELinux labels back: %s", err.message);
        }
        if (g->has_pair)
                selinux_mcs_release(&c->mcs, g->c1, g->c2);
        *g = c->guests[--c->n_guests];
}

static int selinux_live_label(const void *cfg, DomainDef *live) {
        SecuritySelinuxConfig *c = (SecuritySelinuxConfig *) cfg;
        SecuritySelinuxGuest *g = guest_of(c, live);
        SelinuxStartPlan p;
        VbError err = { 0 };
        if (!g || plan_of(c, g, live, &p, &err) < 0)
                return g ? -EINVAL : 0;
        int r = selinux_live_seclabel(live, &p);
        selinux_start_plan_done(&p);
        return r;
}

/* A guest that was running before the restart keeps its pair: reserved again from the label
 * its status file recorded, so no new guest gets it, and released when it stops. */
static int selinux_reattach(const void *cfg, const DomainDef *live, VbError *err) {
        SecuritySelinuxConfig *c = (SecuritySelinuxConfig *) cfg;
        unsigned c1, c2;
        int k = selinux_live_pair(live, &c1, &c2);
        if (k < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                                    "its recorded SELinux label has no MCS pair");
        if (guest_of(c, live))
                return 0;
        SecuritySelinuxGuest *g = guest_add(c, live);
        if (!g)
                return vb_error_errno(err, -ENOMEM, "SELinux guest");
        if (k == 0)
                return 0;       /* static or none: nothing reserved */
        int r = selinux_mcs_reserve(&c->mcs, c1, c2);
        if (r < 0) {
                c->n_guests--;
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                                    "its MCS pair c%u,c%u %s", c1, c2,
                                    r == -EEXIST ? "is held by another running guest" : "is out of range");
        }
        g->has_pair = true;
        g->c1 = c1;
        g->c2 = c2;
        return 0;
}

static int selinux_process_label(const void *cfg, char *buf, size_t len) {
        (void) cfg;
        (void) buf;
        (void) len;
        return -ENOTSUP;        /* per guest: the live <seclabel> (not written yet) */
}

static int selinux_base_label(const void *cfg, const char *virttype, char *buf, size_t len) {
        const char *base = selinux_base_process(cfg, virttype);
        int n = snprintf(buf, len, "%s", base);
        return !base[0] ? -ENOENT : n < 0 || (size_t) n >= len ? -ENOBUFS : 0;
}

/* libvirt's answer: the guest's process context and whether SELinux enforces now. The context
 * is the one the child was executed in, as recorded in the running definition; a guest without
 * an SELinux label (type='none') runs in what it inherited: asked of the kernel. */
static int selinux_guest_label(const void *cfg, const DomainDef *live, pid_t pid, char *buf, size_t len,
                               bool *enforcing, VbError *err) {
        const SecuritySelinuxConfig *c = cfg;
        const char *label = live ? selinux_live_context(live) : NULL;
        if (label)
                snprintf(buf, len, "%s", label);
        else {
                char *ctx = NULL;
                if (pid <= 0 || getpidcon_raw(pid, &ctx) < 0)
                        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                                "unable to get PID %d security context: %s", (int) pid,
                                                strerror(pid <= 0 ? ESRCH : errno));
                snprintf(buf, len, "%s", ctx);
                freecon(ctx);
        }
        int e = c->getenforce ? c->getenforce() : -1;
        if (e < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                                    "error calling security_getenforce()");
        *enforcing = e == 1;
        return 0;
}

const SecurityDriver security_driver_selinux = {
        .model = "selinux",
        .doi = "0",
        .probe = selinux_probe,
        .set_process = selinux_set_process,
        .set_files = selinux_set_files,
        .restore_files = selinux_restore_files,
        .process_label = selinux_process_label,
        .live_label = selinux_live_label,
        .reattach = selinux_reattach,
        .base_label = selinux_base_label,
        .guest_label = selinux_guest_label,
};
