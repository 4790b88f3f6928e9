/* qemu-hotplug-ctrl.c: virtio-scsi and virtio-serial controllers attached to and detached from a running guest (QMP device_add on bus 0 or, on q35, an empty pcie-root-port; device_del and DEVICE_DELETED), their index chosen as libvirt does, and a controller refused while devices sit on it. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-command-priv.h"

#define CTRL_INDEX_MAX 31              /* the command line's limit per type (MAX_CONTROLLERS - 1) */

bool qemu_ctrl_hotpluggable(const DomainController *c) {
        return qemu_str_eq(c->type, "scsi") || qemu_str_eq(c->type, "virtio-serial");
}

/* QEMU's id of controller c: scsiN, virtio-serialN. */
void qemu_ctrl_id(const DomainController *c, char *buf, size_t len) {
        qemu_controller_id(c->type, c->model, c->index.v, false, buf, len);
}

/* Index idx of type is held in def: by a controller, or by the one the command line adds for
 * devices that need it (virtio-serial 0 for virtio channels and consoles, scsi 0 for SCSI disks). */
bool qemu_ctrl_index_used(const DomainDef *def, const char *type, long long idx) {
        const DomainDevices *d = &def->priv->devices;
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, type) && d->controllers[i].index.v == idx)
                        return true;
        if (idx != 0)
                return false;
        bool needed = false;
        if (strcmp(type, "virtio-serial") == 0) {
                for (size_t i = 0; i < d->n_channels; i++)
                        needed = needed || qemu_str_eq(d->channels[i].target_type, "virtio");
                for (size_t i = 0; i < d->n_consoles; i++)
                        needed = needed || qemu_str_eq(d->consoles[i].target_type, "virtio");
        } else if (strcmp(type, "scsi") == 0) {
                for (size_t i = 0; i < d->n_disks; i++)
                        needed = needed || qemu_str_eq(d->disks[i].target_bus, "scsi");
        }
        return needed;
}

int qemu_ctrl_prepare(const DomainDef *def, DomainDevices *dev, VbError *err) {
        DomainController *c = &dev->controllers[0];
        if (c->index_auto) {
                long long idx = 0;
                while (idx <= CTRL_INDEX_MAX && qemu_ctrl_index_used(def, c->type, idx))
                        idx++;
                c->index.v = idx;
        }
        if (c->index.v < 0 || c->index.v > CTRL_INDEX_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "%s controller index %lld is out of range (0 to %d)", c->type, c->index.v,
                                    CTRL_INDEX_MAX);
        if (qemu_ctrl_index_used(def, c->type, c->index.v))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "target %s:%lld already exists",
                                    c->type, c->index.v);
        if (qemu_str_eq(c->type, "scsi") && c->model && strcmp(c->model, "virtio-scsi") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "SCSI controller model '%s' is not supported (only virtio-scsi is)", c->model);
        return 0;
}

/* libvirt's refusal: a controller with devices on it. */
int qemu_ctrl_check_detach(const DomainDef *def, size_t index, VbError *err) {
        const DomainDevices *d = &def->priv->devices;
        const DomainController *c = &d->controllers[index];
        bool busy = false;
        if (qemu_str_eq(c->type, "virtio-serial") && c->index.v == 0) {
                for (size_t i = 0; i < d->n_channels; i++)
                        busy = busy || qemu_str_eq(d->channels[i].target_type, "virtio");
                for (size_t i = 0; i < d->n_consoles; i++)
                        busy = busy || qemu_str_eq(d->consoles[i].target_type, "virtio");
        } else if (qemu_str_eq(c->type, "scsi")) {
                char prefix[32];
                snprintf(prefix, sizeof prefix, "scsi%lld-", c->index.v);
                for (size_t i = 0; i < d->n_disks; i++) {
                        char alias[32];
                        VbError e = { 0 };
                        busy = busy || (qemu_disk_alias(def, i, alias, sizeof alias, &e) == 0 &&
                                        strncmp(alias, prefix, strlen(prefix)) == 0);
                        vb_error_clear(&e);
                }
        }
        if (busy)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "device cannot be detached: device is busy");
        return 0;
}

typedef struct CtrlAttach {
        QemuDomain *qd;
        DomainDevices *dev;
        bool query;                     /* q35: query-pci first, for an empty root port */
        char bus[32];
} CtrlAttach;

static void attach_free(CtrlAttach *a) {
        domain_device_free(a->dev);
        free(a);
}

static int send_device(CtrlAttach *a, Qmp *q);

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        CtrlAttach *a = userdata;
        QemuDomain *qd = a->qd;
        if (q != qd->qmp || !qd->job) {
                attach_free(a);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        char id[48];
        qemu_ctrl_id(&a->dev->controllers[0], id, sizeof id);
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach controller %s: %s", id,
                             desc ? desc : cls);
        } else if (a->query) {
                a->query = false;
                if (!qemu_hotplug_free_root_port(ret, a->bus, sizeof a->bus)) {
                        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                     "cannot attach controller %s: no free pcie-root-port (add <controller "
                                     "type='pci' model='pcie-root-port'/> to the definition)", id);
                } else if ((r = send_device(a, q)) == 0) {
                        domain_unref(d);
                        return;
                } else {
                        vb_error_errno(&e, r, "device_add");
                        r = -1;
                }
        } else if (!d->live || domain_devices_move(&d->live->priv->devices, a->dev, "controller", 0) < 0) {
                vb_error_errno(&e, -ENOMEM, "attach");
        } else {
                r = 0;
                log_info("domain %s: controller %s attached", d->obj.name, id);
                qemu_hotplug_added(d, id);
        }
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        attach_free(a);
        domain_unref(d);
}

static int send_device(CtrlAttach *a, Qmp *q) {
        const DomainController *c = &a->dev->controllers[0];
        json_object *args = json_object_new_object();
        if (!args)
                return -ENOMEM;
        char id[48];
        qemu_ctrl_id(c, id, sizeof id);
        json_object_object_add(args, "driver", json_object_new_string(qemu_str_eq(c->type, "scsi")
                                                                      ? "virtio-scsi-pci" : "virtio-serial-pci"));
        json_object_object_add(args, "id", json_object_new_string(id));
        if (a->bus[0]) {
                json_object_object_add(args, "bus", json_object_new_string(a->bus));
                json_object_object_add(args, "addr", json_object_new_string("0x0"));
        }
        return qmp_send(q, "device_add", args, on_attach, a);
}

int qemu_ctrl_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        const DomainController *c = &dev->controllers[0];
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                domain_device_free(dev);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        }
        if (!qemu_ctrl_hotpluggable(c)) {
                int r = qemu_str_eq(c->type, "pci")
                        ? vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                       "'pci' controller model '%s' cannot be hot plugged (QEMU 7.2 cannot plug a "
                                       "PCI controller into a running guest)", c->model ? c->model : "")
                        : vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                       "'%s' controller cannot be hot plugged.", c->type);
                domain_device_free(dev);
                return r;
        }
        CtrlAttach *a = calloc(1, sizeof *a);
        if (!a) {
                domain_device_free(dev);
                return vb_error_errno(err, -ENOMEM, "attach");
        }
        a->qd = qd;
        a->dev = dev;
        const char *machine = d->live->priv->os.machine;
        a->query = machine && (strcmp(machine, "q35") == 0 || strncmp(machine, "pc-q35-", 7) == 0);
        int r = a->query ? qmp_send(qd->qmp, "query-pci", NULL, on_attach, a) : send_device(a, qd->qmp);
        if (r < 0) {
                attach_free(a);
                return vb_error_errno(err, r, "device_add");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

static void ctrl_removed(QemuDomain *qd, const char *alias, const char *target) {
        (void) target;
        Domain *d = qd->domain;
        DomainDevices *devs = d->live ? &d->live->priv->devices : NULL;
        for (size_t i = 0; devs && i < devs->n_controllers; i++) {
                char id[48];
                if (!qemu_ctrl_hotpluggable(&devs->controllers[i]))
                        continue;
                qemu_ctrl_id(&devs->controllers[i], id, sizeof id);
                if (strcmp(id, alias) == 0) {
                        domain_devices_remove(devs, "controller", i);
                        return;
                }
        }
}

int qemu_ctrl_detach(Domain *d, size_t index, Call *call, VbError *err) {
        const DomainController *c = &d->live->priv->devices.controllers[index];
        if (!qemu_ctrl_hotpluggable(c))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "'%s' controller cannot be hot unplugged.", c->type ? c->type : "");
        if (qemu_ctrl_check_detach(d->live, index, err) < 0)
                return -1;
        char id[48];
        qemu_ctrl_id(c, id, sizeof id);
        return qemu_unplug_begin(d->driver_data, id, "controller", id, ctrl_removed, call, err);
}
