/* qemu-apparmor.c: where the host runs AppArmor, a guest's profile (drivers/security's pure generator and command plan) written and loaded by `apparmor_parser -r` in a watched child before QEMU is spawned, QEMU executed in it, and the profile removed (`apparmor_parser -R`) once QEMU is gone. Inactive (this host): qemu_domain_start spawns at once and nothing here runs. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "process-run.h"
#include "qemu-driver.h"
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
        unsigned flags;
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
                /* The job is the spawn's now: it keeps the call again when it answers pending. */
                qd->call = call_unref(qd->call);
                qd->job = false;
                int r = qemu_domain_start_spawn(d, l->flags, call, &e);
                if (r < 0) {
                        qemu_apparmor_unload(qd->qc, domain_current_def(d));
                        qemu_domain_pending(qd, call);
                        qemu_domain_finish(qd, -1, &e);
                }
        }
        call_unref(call);
        domain_unref(d);
        free(l);
}

int qemu_apparmor_load(QemuDomain *qd, unsigned flags, Call *call, VbError *err) {
        QemuConn *qc = qd->qc;
        Domain *d = qd->domain;
        /* The files QEMU will open: volumes resolved as the spawn resolves them. */
        DomainDef *def = domain_def_copy(qd->incoming_def ? qd->incoming_def : domain_current_def(d));
        if (!def)
                return vb_error_errno(err, -ENOMEM, "running definition");
        ApparmorPlan plan;
        char *logp = NULL, dir[4096];
        if (domain_resolve_volume_disks(d->obj.conn, def, err) < 0 || qemu_apparmor_plan(qc, def, &plan, err) < 0 ||
            profile_dir(qc, dir, sizeof dir) < 0) {
                domain_def_free(def);
                return err->code ? -1 : vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "AppArmor profile path");
        }
        char *text = asprintf(&logp, "%s/%s.log", qc->log_dir, d->obj.name) < 0 ? NULL
                                                                              : apparmor_profile_generate(def, logp, err);
        free(logp);
        domain_def_free(def);
        if (!text && !err->code)
                return vb_error_errno(err, -ENOMEM, "AppArmor profile");
        if (!text)
                return -1;
        int r = persist_ensure_dir(dir, err);
        if (r >= 0)
                r = persist_write(dir, plan.name, text, strlen(text), err);
        free(text);
        if (r < 0)
                return -1;
        Load *l = calloc(1, sizeof *l);
        if (!l)
                return vb_error_errno(err, -ENOMEM, "AppArmor load");
        *l = (Load) { domain_ref(d), qd, flags };
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
