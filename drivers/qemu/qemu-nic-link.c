/* qemu-nic-link.c: a NIC's link state through QMP set_link, live (domif-setlink) and at start (<link state='down'/>). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"

typedef struct LinkChange {
        QemuDomain *qd;
        size_t index;
        bool up;
} LinkChange;

/* QEMU's name of the NIC device of interface i (qemu-hotplug-nic.c). */
static json_object *set_link_args(const DomainDef *def, size_t index, bool up) {
        json_object *args = json_object_new_object();
        char name[64];
        qemu_nic_alias(def, index, name, sizeof name);
        if (args) {
                json_object_object_add(args, "name", json_object_new_string(name));
                json_object_object_add(args, "up", json_object_new_boolean(up));
        }
        return args;
}

static void on_set_link(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        LinkChange *lc = userdata;
        QemuDomain *qd = lc->qd;
        size_t index = lc->index;
        bool up = lc->up;
        free(lc);
        if (q != qd->qmp || !qd->job)
                return;
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot set the link of interface %zu: %s",
                             index, desc ? desc : cls);
        } else if (!d->live || index >= d->live->priv->devices.n_interfaces) {
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "interface %zu went away", index);
        } else {
                DomainInterface *n = &d->live->priv->devices.interfaces[index];
                char *state = strdup(up ? "up" : "down");
                if (!state) {
                        vb_error_errno(&e, -ENOMEM, "link state");
                } else {
                        free(n->link_state);
                        n->link_state = state;
                        r = domain_save_status(d, &e);
                }
        }
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        domain_unref(d);
}

int qemu_domain_set_interface_link(Domain *d, size_t index, bool up, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        LinkChange *lc = calloc(1, sizeof *lc);
        json_object *args = lc ? set_link_args(d->live, index, up) : NULL;
        if (!args) {
                free(lc);
                return vb_error_errno(err, -ENOMEM, "set_link");
        }
        *lc = (LinkChange) { qd, index, up };
        int r = qmp_send(qd->qmp, "set_link", args, on_set_link, lc);
        if (r < 0) {
                free(lc);
                return vb_error_errno(err, r, "set_link");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

static void on_start_link(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (cls)
                log_warning("domain %s: a link could not be set down at start: %s", qd->domain->obj.name,
                            desc ? desc : cls);
}

void qemu_nics_start_links(QemuDomain *qd, Qmp *q) {
        const DomainDevices *dev = &qd->live->priv->devices;
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const char *s = dev->interfaces[i].link_state;
                if (!s || strcmp(s, "down") != 0)
                        continue;
                json_object *args = set_link_args(qd->live, i, false);
                if (args)
                        qmp_send(q, "set_link", args, on_start_link, qd);
        }
}
