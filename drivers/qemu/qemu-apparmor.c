/* qemu-apparmor.c: where the host runs AppArmor, a guest's profile (drivers/security's pure generator and command plan) written and loaded by `apparmor_parser -r` in a watched child before QEMU is spawned, QEMU executed in it, and the profile removed (`apparmor_parser -R`) once QEMU is gone. Inactive (this host): the start spawns at once and nothing here runs. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "process-run.h"
#include "qemu-priv.h"
#include "storage.h"
#include "security-apparmor.h"

static const ProcessProgram parser_program = { "apparmor_parser", VB_FROM_SECURITY };

static int profile_dir(const QemuConn *qc, char *buf, size_t len) {
        int n = snprintf(buf, len, "%s/apparmor", qc->conn->state_dir);
        return n < 0 || (size_t) n >= len ? -ENAMETOOLONG : 0;
}

int qemu_apparmor_plan(QemuConn *qc, const DomainDef *def, ApparmorPlan *plan, VbError *err) {
        char dir[4096];
        if (profile_dir(qc, dir, sizeof dir) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "AppArmor profile directory path too long");
        return apparmor_command_plan(def, dir, plan, err);
}

typedef struct Load {
        Domain *d;              /* a reference: the domain may be undefined meanwhile */
        QemuDomain *qd;
        QemuNamesNext next;     /* the start's next step: the spawn */
        void *arg;
} Load;

static void on_loaded(int status, const char *out, size_t len, void *userdata) {
        Load *l = userdata;
        Domain *d = l->d;
        QemuDomain *qd = d->driver_data;
        (void) len;
        if (qd != l->qd || !qd->aa_loading) {   /* forgotten meanwhile: its call went with it */
                domain_unref(d);
                free(l);
                return;
        }
        qd->aa_loading = false;
        VbError e = { 0 };
        Call *call = call_ref(qd->call);
        if (!qd->qc) {          /* the connection is closing: no spawn */
                vb_error_set(&e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU connection is closing");
                qemu_domain_finish(qd, -1, &e);
        } else if (status != 0) {
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                             "cannot load the AppArmor profile of domain '%s': apparmor_parser exited %d: %s",
                             d->obj.name, status, out && *out ? out : "(no output)");
                qemu_apparmor_unload(qd->qc, domain_current_def(d));
                qemu_domain_finish(qd, -1, &e);
        } else {
                qemu_verb_continue(qd, l->next, NULL, l->arg);
        }
        call_unref(call);
        domain_unref(d);
        free(l);
}

/* The profile of def (the files QEMU opens, its log) written to RUNDIR/qemu/apparmor/NAME. */
static int profile_write(QemuConn *qc, const char *name, const DomainDef *def, ApparmorPlan *plan, VbError *err) {
        char *logp = NULL, dir[4096];
        if (qemu_apparmor_plan(qc, def, plan, err) < 0 || profile_dir(qc, dir, sizeof dir) < 0)
                return err->code ? -1 : vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "AppArmor profile path");
        char *text = asprintf(&logp, "%s/%s.log", qc->log_dir, name) < 0 ? NULL : apparmor_profile_generate(def, logp, err);
        free(logp);
        if (!text && !err->code)
                return vb_error_errno(err, -ENOMEM, "AppArmor profile");
        if (!text)
                return -1;
        int r = persist_ensure_dir(dir, err);
        if (r >= 0)
                r = persist_write(dir, plan->name, text, strlen(text), err);
        free(text);
        return r < 0 ? -1 : 0;
}

int qemu_apparmor_load(QemuDomain *qd, QemuNamesNext next, void *arg, Call *call, VbError *err) {
        QemuConn *qc = qd->qc;
        Domain *d = qd->domain;
        /* The files QEMU will open: volumes resolved as the spawn resolves them. */
        DomainDef *def = domain_def_copy(qd->incoming_def ? qd->incoming_def : domain_current_def(d));
        if (!def)
                return vb_error_errno(err, -ENOMEM, "running definition");
        ApparmorPlan plan;
        char dir[4096];
        int r = domain_resolve_volume_disks(d->obj.conn, def, err);
        if (r >= 0)
                r = profile_write(qc, d->obj.name, def, &plan, err);
        domain_def_free(def);
        if (r < 0 || profile_dir(qc, dir, sizeof dir) < 0)
                return err->code ? -1 : vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "AppArmor profile path");
        Load *l = calloc(1, sizeof *l);
        if (!l)
                return vb_error_errno(err, -ENOMEM, "AppArmor load");
        *l = (Load) { domain_ref(d), qd, next, arg };
        if (process_run_exec(qc->event, &parser_program, plan.load_argv, NULL, 0, on_loaded, l, err) < 0) {
                domain_unref(d);
                free(l);
                (void) persist_remove(dir, plan.name, NULL);
                return -1;
        }
        log_info("domain %s: loading AppArmor profile %s", d->obj.name, plan.name);
        qd->aa_loading = true;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

static void on_removed(int status, const char *out, size_t len, void *userdata) {
        char *path = userdata;
        (void) len;
        if (status != 0)
                log_warning("AppArmor: apparmor_parser -R %s exited %d: %s", path, status, out ? out : "");
        if (unlink(path) < 0 && errno != ENOENT)
                log_warning("AppArmor: cannot remove %s: %s", path, strerror(errno));
        free(path);
}

void qemu_apparmor_unload(QemuConn *qc, const DomainDef *def) {
        ApparmorPlan plan;
        VbError e = { 0 };
        if (!qc || !qc->apparmor || !def || !apparmor_confines(def) || qemu_apparmor_plan(qc, def, &plan, &e) < 0)
                return;
        char *path = strdup(plan.profile_path);
        if (!path || process_run_exec(qc->event, &parser_program, plan.remove_argv, NULL, 0, on_removed, path, &e) < 0) {
                log_warning("AppArmor: cannot remove profile %s: %s", plan.name, e.message);
                free(path);
        }
}

/* ---- hotplug: the profile follows the running definition (libvirt: virt-aa-helper -r) ---- */

/* d's running definition, plus extra when not NULL, as its profile: written, and its plan. */
static int profile_write_live(QemuConn *qc, Domain *d, const DomainDisk *extra, ApparmorPlan *plan, VbError *err) {
        DomainDef *def = domain_def_copy(d->live);
        if (!def)
                return vb_error_errno(err, -ENOMEM, "running definition");
        DomainDevices *dev = &def->priv->devices;
        size_t n = dev->n_disks;
        if (extra) {            /* borrowed for the generation only: never freed with def */
                DomainDisk *v = realloc(dev->disks, (n + 1) * sizeof *v);
                if (!v) {
                        domain_def_free(def);
                        return vb_error_errno(err, -ENOMEM, "AppArmor profile");
                }
                dev->disks = v;
                v[n] = *extra;
                dev->n_disks = n + 1;
        }
        int r = profile_write(qc, d->obj.name, def, plan, err);
        dev->n_disks = n;
        domain_def_free(def);
        return r;
}

typedef struct Reload {
        Domain *d;              /* a reference */
        QemuDomain *qd;
        QemuNamesNext next;
        void (*drop)(void *arg);
        void *arg;
} Reload;

static void reload_free(Reload *r) {
        if (r->drop && r->arg)
                r->drop(r->arg);
        domain_unref(r->d);
        free(r);
}

static void on_reloaded(int status, const char *out, size_t len, void *userdata) {
        Reload *rl = userdata;
        Domain *d = rl->d;
        QemuDomain *qd = d->driver_data;
        (void) len;
        if (qd != rl->qd || !qd->aa_hotplug) {  /* forgotten meanwhile: its call went with it */
                reload_free(rl);
                return;
        }
        qd->aa_hotplug = false;
        if (status != 0 || !qd->qc || !d->live) {
                VbError e = { 0 };
                if (status != 0)
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY,
                                     "cannot load the AppArmor profile of domain '%s': apparmor_parser exited %d: %s",
                                     d->obj.name, status, out && *out ? out : "(no output)");
                else
                        vb_error_set(&e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain '%s' is not running",
                                     d->obj.name);
                /* the kernel keeps the profile it had: the file says so again */
                ApparmorPlan plan;
                VbError ignored = { 0 };
                if (qd->qc && d->live && profile_write_live(qd->qc, d, NULL, &plan, &ignored) < 0)
                        log_warning("AppArmor: domain %s: %s", d->obj.name, ignored.message);
                qemu_domain_finish(qd, -1, &e);
                reload_free(rl);
                return;
        }
        void *arg = rl->arg;
        rl->arg = NULL;         /* next owns it now */
        qemu_verb_continue(qd, rl->next, NULL, arg);
        reload_free(rl);
}

int qemu_apparmor_hotplug(QemuDomain *qd, const DomainDisk *extra, QemuNamesNext next, void (*drop)(void *arg),
                          void *arg, Call *call, VbError *err) {
        QemuConn *qc = qd->qc;
        Domain *d = qd->domain;
        if (!qc || !qc->apparmor || !d->live || !apparmor_confines(d->live))
                return 0;
        ApparmorPlan plan;
        if (profile_write_live(qc, d, extra, &plan, err) < 0)
                return -1;
        Reload *rl = calloc(1, sizeof *rl);
        if (!rl)
                return vb_error_errno(err, -ENOMEM, "AppArmor reload");
        *rl = (Reload) { domain_ref(d), qd, next, drop, NULL };
        if (process_run_exec(qc->event, &parser_program, plan.load_argv, NULL, 0, on_reloaded, rl, err) < 0) {
                reload_free(rl);
                VbError ignored = { 0 };
                (void) profile_write_live(qc, d, NULL, &plan, &ignored);
                return -1;
        }
        rl->arg = arg;
        log_info("domain %s: reloading AppArmor profile %s for a hotplug", d->obj.name, plan.name);
        qd->aa_hotplug = true;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

static void on_refreshed(int status, const char *out, size_t len, void *userdata) {
        char *name = userdata;
        (void) len;
        if (status != 0)
                log_warning("AppArmor: apparmor_parser -r of %s exited %d: %s", name, status, out ? out : "");
        free(name);
}

void qemu_apparmor_refresh(QemuConn *qc, Domain *d) {
        if (!qc || !qc->apparmor || !d->live || !apparmor_confines(d->live))
                return;
        ApparmorPlan plan;
        VbError e = { 0 };
        char *name = NULL;
        if (profile_write_live(qc, d, NULL, &plan, &e) < 0 || !(name = strdup(plan.name)) ||
            process_run_exec(qc->event, &parser_program, plan.load_argv, NULL, 0, on_refreshed, name, &e) < 0) {
                log_warning("AppArmor: domain %s: cannot reload its profile: %s", d->obj.name,
                            e.message[0] ? e.message : "out of memory");
                free(name);
        }
}
