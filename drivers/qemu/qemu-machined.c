/* qemu-machined.c: a system daemon's guests registered with systemd-machined (lib/machined.c) when it runs: at start once the guest is running and has its id, ended when QEMU is gone. Where machine1 is absent (this host) every call here does nothing. */
#define LOG_MODULE "qemu"
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "machined.h"
#include "qemu-priv.h"

void qemu_machined_init(QemuConn *qc, bool system) {
        /* libvirt registers the system instance's guests; a session daemon has no machined of its own. */
        if (!system || !qc->event)
                return;
        int r = machined_open_async(qc->event, NULL, &qc->machined);
        if (r < 0)
                log_warning("systemd-machined: cannot ask the system bus for it: %s", strerror(-r));
}

void qemu_machined_done(QemuConn *qc) {
        qc->machined = machined_free(qc->machined);
}

void qemu_machined_start(QemuDomain *qd) {
        Domain *d = qd->domain;
        qd->machine[0] = '\0';
        if (!qd->qc || !machined_present(qd->qc->machined) || !qd->proc || d->obj.id <= 0)
                return;
        if (machined_name(d->obj.id, d->obj.name, qd->machine, sizeof qd->machine) < 0 ||
            machined_register(qd->qc->machined, qd->machine, d->obj.uuid, process_pid(qd->proc)) < 0) {
                log_warning("domain %s: not registered with systemd-machined", d->obj.name);
                qd->machine[0] = '\0';
        }
}

void qemu_machined_stop(QemuDomain *qd) {
        if (!qd->machine[0])
                return;
        if (qd->qc)
                (void) machined_terminate(qd->qc->machined, qd->machine);
        qd->machine[0] = '\0';
}
