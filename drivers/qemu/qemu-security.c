/* qemu-security.c: the QEMU connection's security stack (drivers/security): who QEMU runs as, its files labelled at start and given back when QEMU is gone. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "security-apparmor.h"

/* The system daemon's QEMU runs as a dedicated account (scripts/setup.sh creates it); the
 * session daemon's as the daemon's own user, as in libvirt. */
#define QEMU_SYSTEM_USER "virtbus-qemu"

int qemu_security_init(QemuConn *qc, bool system) {
        const char *user = qc->cfg.user ? qc->cfg.user : system ? QEMU_SYSTEM_USER : NULL;
        qc->dac.dynamic_ownership = qc->cfg.dynamic_ownership;
        qc->dac.remember_owner = qc->cfg.remember_owner;
        qc->sec.n = 0;
        if (security_dac_resolve(user, qc->cfg.group, &qc->dac, &qc->sec_error) < 0) {
                /* The daemon runs (other connections, the definitions) but no guest starts. */
                log_error("%s: no guest of this connection can start", qc->sec_error.message);
                return -1;
        }
        qc->sec_ready = true;
        /* libvirt's stack puts SELinux or AppArmor above DAC where the host runs one. */
        char why[256];
        bool selinux = security_selinux_active(why, sizeof why);
        if (!selinux)
                log_info("security driver selinux inactive: %s", why);
        if (!security_apparmor_active(why, sizeof why))
                log_info("security driver apparmor inactive: %s", why);
        else {
                qc->apparmor = true;
                log_info("security driver apparmor active (%s): each guest runs in a profile of its own", why);
        }
        /* QEMU as the daemon's own user (the session, or root's daemon told user = "root"):
         * nothing to change hands. */
        if (qc->dac.uid == getuid() && qc->dac.gid == getgid()) {
                security_stack_push(&qc->sec, &security_driver_none, NULL);
                log_info("QEMU runs as the daemon's user %u:%u", (unsigned) qc->dac.uid, (unsigned) qc->dac.gid);
        } else {
                security_stack_push(&qc->sec, &security_driver_dac, &qc->dac);
                log_info("QEMU runs as %u:%u (dynamic_ownership %d, remember_owner %d)", (unsigned) qc->dac.uid,
                         (unsigned) qc->dac.gid, qc->dac.dynamic_ownership, qc->dac.remember_owner);
        }
        /* sVirt above DAC: QEMU executed in the guest's context, its files labelled. */
        if (selinux) {
                VbError e = { 0 };
                if (security_selinux_init(&qc->selinux, &e) < 0)
                        log_error("security driver selinux: %s: guests run without an sVirt label", e.message);
                else if (security_stack_push(&qc->sec, &security_driver_selinux, &qc->selinux) == 0)
                        log_info("security driver selinux active: QEMU runs in %s with a pair of its own",
                                 qc->selinux.process);
        }
        return 0;
}

void qemu_security_done(QemuConn *qc) {
        security_dac_config_done(&qc->dac);
        security_selinux_done(&qc->selinux);
}

bool qemu_security_confined(const QemuConn *qc) {
        return qc->sec_ready && qc->sec.n > 0 && qc->sec.layer[0].drv == &security_driver_dac;
}

int qemu_security_start(QemuConn *qc, const DomainDef *def, ProcessCreds *creds, VbError *err) {
        if (!qc->sec_ready) {
                if (err)
                        *err = qc->sec_error;
                return -1;
        }
        return security_stack_set(&qc->sec, def, creds, err);
}

void qemu_security_stop(QemuConn *qc, const DomainDef *def) {
        if (qc && qc->sec_ready && def)
                security_stack_restore(&qc->sec, def);
}

/* The running definition says who QEMU runs as, as libvirt's does:
 * <seclabel type='dynamic' model='dac' relabel='yes'><label>+UID:+GID</label>… */
int qemu_security_live_label(QemuConn *qc, DomainDef *live) {
        if (!qc->sec_ready || !live->priv)
                return 0;
        /* the drivers' own first (SELinux's dynamic label), as libvirt lists them */
        int r = security_stack_live_label(&qc->sec, live);
        if (r < 0 || !qemu_security_confined(qc))
                return r;
        DomainDefPrivate *p = live->priv;
        for (size_t i = 0; i < p->n_seclabels; i++)
                if (p->seclabels[i].model && strcmp(p->seclabels[i].model, "dac") == 0)
                        return 0;       /* the user's own words stand */
        char label[64];
        if (security_driver_dac.process_label(&qc->dac, label, sizeof label) < 0)
                return -ENOBUFS;
        DomainSeclabel *v = realloc(p->seclabels, (p->n_seclabels + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        p->seclabels = v;
        DomainSeclabel *s = &v[p->n_seclabels];
        *s = (DomainSeclabel) { .type = strdup("dynamic"), .model = strdup("dac"), .relabel = strdup(qc->dac.dynamic_ownership ? "yes" : "no"),
                                .label = strdup(label), .imagelabel = strdup(label) };
        p->n_seclabels++;
        if (!s->type || !s->model || !s->relabel || !s->label || !s->imagelabel)
                return -ENOMEM;
        return 0;
}

void qemu_security_reattach(QemuConn *qc, const DomainDef *live) {
        if (qc->sec_ready && live)
                security_stack_reattach(&qc->sec, live);
}

int qemu_monitor_listen(const char *path, VbError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "monitor path too long: %s", path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Bound, not listening: QEMU calls listen() itself, so that a client's SO_PEERCRED names
         * QEMU (qemu-find.c tells a domain's QEMU by it), not the daemon. */
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot bind the monitor socket %s: %s",
                                        path, strerror(e));
        }
        /* At 3 or above: the child keeps it by number. */
        if (fd < 3) {
                int f = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
                fd = f;
        }
        return fd;
}

/* virsh capabilities: libvirt lists the DAC driver under the primary one ("none" on a host
 * without SELinux or AppArmor) with the user:group QEMU runs as for both guest types:
 * <secmodel><model>dac</model><doi>0</doi><baselabel type='kvm'>+UID:+GID</baselabel>…
 * Spliced in after the first </secmodel> of xml (freed); the new text, or NULL on ENOMEM. */
char *qemu_security_caps_secmodel(QemuConn *qc, char *xml) {
        const char *mark = "</secmodel>\n";
        char *at = xml && qc->sec_ready ? strstr(xml, mark) : NULL;
        if (!at)
                return xml;
        at += strlen(mark);
        char *out = NULL;
        int n = asprintf(&out,
                         "%.*s    <secmodel>\n      <model>dac</model>\n      <doi>0</doi>\n"
                         "      <baselabel type='kvm'>+%u:+%u</baselabel>\n"
                         "      <baselabel type='qemu'>+%u:+%u</baselabel>\n    </secmodel>\n%s",
                         (int) (at - xml), xml, (unsigned) qc->dac.uid, (unsigned) qc->dac.gid, (unsigned) qc->dac.uid,
                         (unsigned) qc->dac.gid, at);
        free(xml);
        return n < 0 ? NULL : out;
}

/* virDomainGetSecurityLabelList: libvirt's stack on a host without SELinux or AppArmor is the
 * primary "none" (an empty label) and DAC, whose label is the definition's DAC <label> or, without
 * one, the QEMU process's own "+UID:+GID"; neither enforces. */
int qemu_security_labels(Domain *d, DomainSecLabel *out, int max, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->proc || max < 2)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        out[0] = (DomainSecLabel) { .label = "", .enforcing = false };
        const DomainDef *def = domain_current_def(d);
        const char *dac = NULL;
        for (size_t i = 0; def && def->priv && i < def->priv->n_seclabels && !dac; i++)
                if (def->priv->seclabels[i].model && strcmp(def->priv->seclabels[i].model, "dac") == 0)
                        dac = def->priv->seclabels[i].label;
        if (dac) {
                snprintf(out[1].label, sizeof out[1].label, "%s", dac);
                return 2;
        }
        char path[64], line[256];
        unsigned uid = 0, gid = 0;
        bool have_uid = false, have_gid = false;
        snprintf(path, sizeof path, "/proc/%d/status", (int) process_pid(qd->proc));
        FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof line, f)) {
                have_uid = have_uid || sscanf(line, "Uid: %u", &uid) == 1;
                have_gid = have_gid || sscanf(line, "Gid: %u", &gid) == 1;
        }
        if (f)
                fclose(f);
        if (!have_uid || !have_gid)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot read the user of QEMU %d",
                                    (int) process_pid(qd->proc));
        snprintf(out[1].label, sizeof out[1].label, "+%u:+%u", uid, gid);
        return 2;
}
