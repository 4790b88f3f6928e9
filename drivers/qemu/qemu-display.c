/* qemu-display.c: the automatic ports of a guest's VNC, SPICE and websocket displays: reserved at start, held again after a restart, released when QEMU is gone. */
#define LOG_MODULE "qemu"
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-priv.h"

static bool is(const char *a, const char *b) {
        return a && strcmp(a, b) == 0;
}

/* "automatic" as qemu-command-devices.c decides it */
static bool autoport(const DomainGraphics *g) {
        return is(g->autoport, "yes") || !g->port.set || g->port.v == -1;
}

void qemu_display_release(QemuDomain *qd) {
        for (size_t i = 0; i < 3; i++) {
                if (qd->display_ports[i] > 0 && qd->qc)
                        qemu_ports_release(&qd->qc->ports, qd->display_ports[i]);
                qd->display_ports[i] = 0;
        }
}

int qemu_display_reserve(QemuDomain *qd, const DomainDef *live, VbError *err) {
        QemuConn *qc = qd->qc;
        const QemuConfig *cfg = &qc->cfg;
        const DomainDevices *dev = &live->priv->devices;
        qemu_display_release(qd);
        for (size_t i = 0; i < dev->n_graphics; i++) {
                const DomainGraphics *g = &dev->graphics[i];
                bool vnc = is(g->type, "vnc"), spice = is(g->type, "spice");
                bool addressed = !g->listen_type || is(g->listen_type, "address");
                int slot = vnc ? QEMU_PORT_VNC : QEMU_PORT_SPICE;
                if ((vnc || spice) && addressed && autoport(g) && qd->display_ports[slot] == 0) {
                        int p = qemu_ports_acquire(&qc->ports, cfg->remote_display_port_min,
                                                   cfg->remote_display_port_max);
                        if (p < 0) {
                                qemu_display_release(qd);
                                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                                    "Unable to find an unused port in range 'display' (%d-%d)",
                                                    cfg->remote_display_port_min, cfg->remote_display_port_max);
                        }
                        qd->display_ports[slot] = p;
                }
                if (vnc && g->websocket.set && g->websocket.v == -1 && qd->display_ports[QEMU_PORT_WEBSOCKET] == 0) {
                        int p = qemu_ports_acquire(&qc->ports, cfg->remote_websocket_port_min,
                                                   cfg->remote_websocket_port_max);
                        if (p < 0) {
                                qemu_display_release(qd);
                                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                                    "Unable to find an unused port in range 'websocket' (%d-%d)",
                                                    cfg->remote_websocket_port_min, cfg->remote_websocket_port_max);
                        }
                        qd->display_ports[QEMU_PORT_WEBSOCKET] = p;
                }
        }
        for (size_t i = 0; i < 3; i++)
                if (qd->display_ports[i])
                        log_debug("domain %s: display port %d reserved", qd->domain->obj.name, qd->display_ports[i]);
        return 0;
}

/* The live definition says autoport='yes' with the port QEMU listens on (qemu-live.c writes
 * both at start): the ports are held again so no other guest is given them. */
void qemu_display_hold_live(QemuDomain *qd, const DomainDef *live) {
        if (!qd->qc || !live || !live->priv)
                return;
        qemu_display_release(qd);
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_graphics; i++) {
                const DomainGraphics *g = &dev->graphics[i];
                bool vnc = is(g->type, "vnc"), spice = is(g->type, "spice");
                int slot = vnc ? QEMU_PORT_VNC : QEMU_PORT_SPICE;
                if ((vnc || spice) && is(g->autoport, "yes") && g->port.set && g->port.v > 0 &&
                    qd->display_ports[slot] == 0) {
                        qd->display_ports[slot] = (int) g->port.v;
                        qemu_ports_hold(&qd->qc->ports, (int) g->port.v);
                }
                if (vnc && g->websocket.set && g->websocket.v > 0 && qd->display_ports[QEMU_PORT_WEBSOCKET] == 0) {
                        qd->display_ports[QEMU_PORT_WEBSOCKET] = (int) g->websocket.v;
                        qemu_ports_hold(&qd->qc->ports, (int) g->websocket.v);
                }
        }
}

static void on_set_password(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING || !cls)
                return;
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot set the display password: %s",
                     desc ? desc : cls);
        qemu_domain_start_fail(qd, &e);
}

void qemu_display_set_passwords(QemuDomain *qd, Qmp *q) {
        const DomainDevices *dev = &qd->live->priv->devices;
        for (size_t i = 0; i < dev->n_graphics; i++) {
                const DomainGraphics *g = &dev->graphics[i];
                if (!g->passwd || !(is(g->type, "vnc") || is(g->type, "spice")))
                        continue;
                json_object *args = json_object_new_object();
                json_object_object_add(args, "protocol", json_object_new_string(g->type));
                json_object_object_add(args, "password", json_object_new_string(g->passwd));
                qmp_send(q, "set_password", args, on_set_password, qd);
                /* passwdValidTo: the password expires then (QEMU refuses it afterwards) */
                if (!g->passwd_valid_to)
                        continue;
                if (!(args = qemu_expire_password_args(g->type, g->passwd_valid_to))) {
                        VbError e = { 0 };
                        vb_error_set(&e, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                     "cannot parse password validity time '%s', expect YYYY-MM-DDTHH:MM:SS",
                                     g->passwd_valid_to);
                        qemu_domain_start_fail(qd, &e);
                        return;
                }
                qmp_send(q, "expire_password", args, on_set_password, qd);
        }
}

/* libvirt's live XML names the address a display listens on, qemu.conf's when the
 * definition gives none. */
void qemu_display_live_listen(QemuConn *qc, DomainDef *live) {
        DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_graphics; i++) {
                DomainGraphics *g = &dev->graphics[i];
                const char *dflt = is(g->type, "vnc") ? qc->cfg.vnc_listen : is(g->type, "spice") ? qc->cfg.spice_listen
                                                                                               : NULL;
                if (g->listen || !is(g->listen_type, "address") || !dflt)
                        continue;
                g->listen = strdup(dflt);
        }
}
