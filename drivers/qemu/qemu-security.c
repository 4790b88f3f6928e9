/* qemu-security.c: the QEMU connection's security stack (drivers/security): who QEMU runs as, its files labelled at start and given back when QEMU is gone. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

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
        /* libvirt's stack puts SELinux or AppArmor above DAC where the host runs one, unless
         * qemu.conf security_driver says otherwise ("none": neither). */
        char why[256], aawhy[256];
        bool selinux = security_selinux_active(why, sizeof why);
        if (!selinux)
                log_info("security driver selinux inactive: %s", why);
        bool apparmor = security_apparmor_active(aawhy, sizeof aawhy);
        if (!apparmor)
                log_info("security driver apparmor inactive: %s", aawhy);
        const SecurityDriver *primary = security_primary_driver(qc->cfg.security_driver, selinux, apparmor, why,
                                                                sizeof why);
        if (!primary) {
                /* confinement asked for and not there: no guest runs without it */
                vb_error_set(&qc->sec_error, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY, "qemu.conf security_driver: %s",
                             why);
                log_error("%s: no guest of this connection can start", qc->sec_error.message);
                return -1;
        }
        selinux = primary == &security_driver_selinux;
        qc->apparmor = primary == &security_driver_apparmor;
        if (qc->apparmor)
                log_info("security driver apparmor active (%s): each guest runs in a profile of its own", aawhy);
        else if (apparmor)
                log_info("security driver apparmor not used: qemu.conf security_driver names another");
        qc->sec_ready = true;
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
        /* AppArmor above DAC: the model and labels (the profile is loaded by qemu-apparmor.c) */
        if (qc->apparmor)
                security_stack_push(&qc->sec, &security_driver_apparmor, NULL);
        return 0;
}

void qemu_security_done(QemuConn *qc) {
        security_dac_config_done(&qc->dac);
        security_selinux_done(&qc->selinux);
}

bool qemu_security_confined(const QemuConn *qc) {
        return qc->sec_ready && qc->sec.n > 0 && qc->sec.layer[0].drv == &security_driver_dac;
}

int qemu_security_start(QemuConn *qc, const DomainDef *def, const SecurityDacNames *names, ProcessCreds *creds,
                        VbError *err) {
        if (!qc->sec_ready) {
                if (err)
                        *err = qc->sec_error;
                return -1;
        }
        /* The DAC layer reads the names looked up before (never NSS here, on the loop). */
        static const SecurityDacNames none;
        SecurityStack s = qc->sec;
        SecurityDacConfig dac = qc->dac;
        dac.names = names ? names : &none;
        for (size_t i = 0; i < s.n; i++)
                if (s.layer[i].cfg == &qc->dac)
                        s.layer[i].cfg = &dac;
        return security_stack_set(&s, def, creds, err);
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
        return qemu_socket_bind(path, "monitor", err);
}

int qemu_socket_bind(const char *path, const char *what, VbError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "%s path too long: %s", what, path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Bound, not listening: QEMU calls listen() itself, so that a client's SO_PEERCRED names
         * QEMU (qemu-find.c tells a domain's QEMU by it), not the daemon. */
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot bind the %s socket %s: %s",
                                        what, path, strerror(e));
        }
        /* At 3 or above: the child keeps it by number. */
        if (fd < 3) {
                int f = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
                fd = f;
        }
        return fd;
}

/* virsh capabilities' <secmodel>s, NodeGetSecurityModel and a guest's labels: each from the
 * stack's models (security-model.c): the primary driver (selinux where it runs, else libvirt's
 * "none"), then DAC with the user QEMU runs as. libvirt stacks DAC in a daemon that runs as
 * root only (a user's session daemon, checked against Debian's libvirtd 9.0, lists "none"
 * alone); left out too when the user is unknown. */
static const SecurityDacConfig *qemu_security_dac(const QemuConn *qc) {
        return qc->sec_ready && geteuid() == 0 ? &qc->dac : NULL;
}

char *qemu_security_caps_secmodel(QemuConn *qc, char *xml) {
        return security_caps_secmodel(&qc->sec, qemu_security_dac(qc), xml);
}

void qemu_security_model(const Connection *c, const char **model, const char **doi) {
        QemuConn *qc = qemu_conn_of((Connection *) c);
        SecurityModel m[SECURITY_MODELS_MAX];
        security_models(&qc->sec, qemu_security_dac(qc), m);
        *model = m[0].drv->model;
        *doi = m[0].drv->doi;
}

/* virDomainGetSecurityLabelList (and GetSecurityLabel, the first): each model's label of the
 * running QEMU (DAC's from the definition's DAC <label> or the process's own ids). */
int qemu_security_labels(Domain *d, DomainSecLabel *out, int max, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->proc || max < SECURITY_MODELS_MAX)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        static SecurityLabel labels[SECURITY_MODELS_MAX];
        int n = security_guest_labels(&qc->sec, qemu_security_dac(qc), domain_current_def(d), process_pid(qd->proc),
                                      labels, err);
        for (int i = 0; i < n; i++) {
                _Static_assert(sizeof out[i].label == sizeof labels[i].label, "same label buffers");
                memcpy(out[i].label, labels[i].label, sizeof out[i].label);
                out[i].enforcing = labels[i].enforcing;
        }
        return n;
}
