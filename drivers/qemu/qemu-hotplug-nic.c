/* qemu-hotplug-nic.c: NICs attached to and detached from a running guest: the tap (qemu-net.c), QMP getfd + netdev_add + device_add, and device_del + netdev_del. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-command-priv.h"
#include "qemu-net.h"
#include "uuid.h"

void qemu_nic_alias(const DomainDef *def, size_t i, char *buf, size_t len) {
        const DomainInterface *nic = &def->priv->devices.interfaces[i];
        if (nic->alias)
                snprintf(buf, len, "%s", nic->alias);
        else
                snprintf(buf, len, "net%zu", i);
}

long qemu_interface_by_alias(const DomainDef *def, const char *alias) {
        for (size_t i = 0; def && def->priv && i < def->priv->devices.n_interfaces; i++) {
                char a[64];
                qemu_nic_alias(def, i, a, sizeof a);
                if (strcmp(a, alias) == 0)
                        return (long) i;
        }
        return -1;
}

/* libvirt's choice for a new NIC: one more than the highest netN the guest has. */
static void new_alias(const DomainDef *live, char *buf, size_t len) {
        long next = 0;
        for (size_t i = 0; i < live->priv->devices.n_interfaces; i++) {
                char a[64];
                unsigned n;
                qemu_nic_alias(live, i, a, sizeof a);
                if (sscanf(a, "net%u", &n) == 1 && (long) n >= next)
                        next = (long) n + 1;
        }
        snprintf(buf, len, "net%ld", next);
}

/* The QEMU device of a hotplugged NIC (libvirt's models; virtio when none is written, as
 * virsh attach-interface users expect of a hotplug). */
static const char *device_model(const char *model) {
        if (!model || strcmp(model, "virtio") == 0)
                return "virtio-net-pci";
        if (strcmp(model, "e1000") == 0 || strcmp(model, "e1000e") == 0 || strcmp(model, "rtl8139") == 0)
                return model;
        return NULL;
}

/* A definition holding only nic (not owned), for qemu-net.c's host side. */
typedef struct OneNic {
        DomainDefPrivate priv;
        DomainDef def;
} OneNic;

static void one_nic(OneNic *o, const Domain *d, DomainInterface *nic) {
        memset(o, 0, sizeof *o);
        o->priv.devices.interfaces = nic;
        o->priv.devices.n_interfaces = 1;
        o->def.name = (char *) d->obj.name;
        memcpy(o->def.uuid, d->obj.uuid, sizeof o->def.uuid);  /* a filter binding is released by its owner */
        o->def.priv = &o->priv;
}

/* ---- attach ---- */

typedef enum { STEP_QUERY_PCI, STEP_GETFD, STEP_NETDEV, STEP_DEVICE, STEP_LINK, STEP_DONE } NicStep;

typedef struct NicAttach {
        QemuDomain *qd;
        DomainDevices *dev;     /* the interface, moved into d->live on success */
        char alias[64], netdev[72], fdname[72];
        bool q35;
        QemuHotplugPci pci;     /* its place, from query-pci */
        NicStep step;
        int fd;                 /* the tap, until getfd passed it to QEMU */
        Domain *prepared;       /* the host side (filter binding, macvtap) was made for this domain */
} NicAttach;

static void attach_free(NicAttach *a) {
        if (a->fd >= 0)
                close(a->fd);
        if (a->prepared && a->dev && a->dev->n_interfaces > 0) {        /* never reached d->live */
                OneNic one;
                one_nic(&one, a->prepared, &a->dev->interfaces[0]);
                qemu_nics_release(a->prepared->obj.conn, &one.def);
                qemu_iftune_release(&one.def);
        }
        domain_device_free(a->dev);
        free(a);
}

static json_object *step_args(NicAttach *a) {
        DomainInterface *nic = &a->dev->interfaces[0];
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        switch (a->step) {
        case STEP_GETFD:
                json_object_object_add(o, "fdname", json_object_new_string(a->fdname));
                break;
        case STEP_NETDEV:
                json_object_object_add(o, "type", json_object_new_string("tap"));
                json_object_object_add(o, "id", json_object_new_string(a->netdev));
                json_object_object_add(o, "fd", json_object_new_string(a->fdname));
                break;
        case STEP_DEVICE: {
                char mac[18];
                mac_format(nic->mac, mac);
                const char *model = device_model(nic->model_type);
                json_object_object_add(o, "driver", json_object_new_string(model));
                if (nic->mtu && strcmp(model, "virtio-net-pci") == 0)  /* as at start: the guest learns it */
                        json_object_object_add(o, "host_mtu", json_object_new_int64(nic->mtu));
                json_object_object_add(o, "netdev", json_object_new_string(a->netdev));
                json_object_object_add(o, "id", json_object_new_string(a->alias));
                json_object_object_add(o, "mac", json_object_new_string(mac));
                if (a->pci.set) {
                        json_object_object_add(o, "bus", json_object_new_string(a->pci.bus));
                        json_object_object_add(o, "addr", json_object_new_string(a->pci.addr));
                }
                break;
        }
        case STEP_LINK:
                json_object_object_add(o, "name", json_object_new_string(a->alias));
                json_object_object_add(o, "up", json_object_new_boolean(false));
                break;
        default:
                json_object_put(o);
                return NULL;
        }
        return o;
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

static int attach_send(NicAttach *a, Qmp *q) {
        static const char *const cmd[] = { "query-pci", "getfd", "netdev_add", "device_add", "set_link" };
        if (a->step == STEP_QUERY_PCI)
                return qmp_send(q, cmd[a->step], NULL, on_attach, a);
        json_object *args = step_args(a);
        if (!args)
                return -ENOMEM;
        if (a->step == STEP_GETFD) {
                int fd = a->fd;
                a->fd = -1;
                return qmp_send_fd(q, cmd[a->step], args, fd, on_attach, a);
        }
        return qmp_send(q, cmd[a->step], args, on_attach, a);
}

static void on_undo(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_warning("QMP undo of a NIC hotplug: %s", desc ? desc : cls);
}

/* A failed attach gives back what QEMU already took: the tap closes with it. */
static void attach_undo(NicAttach *a, Qmp *q, NicStep failed) {
        json_object *o = json_object_new_object();
        if (!o)
                return;
        if (failed == STEP_NETDEV) {
                json_object_object_add(o, "fdname", json_object_new_string(a->fdname));
                qmp_send(q, "closefd", o, on_undo, NULL);
        } else if (failed >= STEP_DEVICE) {
                if (failed == STEP_LINK) {
                        json_object *dev = json_object_new_object();
                        if (dev) {
                                json_object_object_add(dev, "id", json_object_new_string(a->alias));
                                qmp_send(q, "device_del", dev, on_undo, NULL);
                        }
                }
                json_object_object_add(o, "id", json_object_new_string(a->netdev));
                qmp_send(q, "netdev_del", o, on_undo, NULL);
        } else {
                json_object_put(o);
        }
}

static int attach_commit(Domain *d, NicAttach *a, VbError *e) {
        DomainInterface *nic = &a->dev->interfaces[0];
        char *alias = strdup(a->alias);
        if (!alias || !d->live || domain_devices_move_interface(&d->live->priv->devices, a->dev, 0) < 0) {
                free(alias);
                return vb_error_errno(e, -ENOMEM, "attach");
        }
        nic = &d->live->priv->devices.interfaces[d->live->priv->devices.n_interfaces - 1];
        free(nic->alias);
        nic->alias = alias;
        if (qemu_hotplug_pci_write(&nic->address, &a->pci) < 0)
                log_warning("domain %s: the address of interface %s is not kept", d->obj.name, a->alias);
        log_info("domain %s: interface %s attached as %s", d->obj.name, nic->target_dev ? nic->target_dev : "",
                 a->alias);
        VbError se = { 0 };
        if (domain_save_status(d, &se) < 0)
                log_warning("domain %s: status not saved: %s", d->obj.name, se.message);
        domain_notify_device(d, NOTICE_DEVICE_ADDED, a->alias);
        return 0;
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        NicAttach *a = userdata;
        QemuDomain *qd = a->qd;
        if (q != qd->qmp || !qd->job) {         /* QEMU went away: the tap went with it */
                attach_free(a);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach interface %s: %s", a->alias,
                             desc ? desc : cls);
                attach_undo(a, q, a->step);
        } else if (a->step == STEP_QUERY_PCI && !qemu_hotplug_pci_place(ret, a->q35, &a->pci)) {
                char what[96];
                snprintf(what, sizeof what, "interface %s", a->alias);
                qemu_hotplug_pci_none(&e, a->q35, what);
        } else {
                const char *link = a->dev->interfaces[0].link_state;
                a->step++;
                if (a->step == STEP_LINK && !qemu_str_eq(link, "down"))
                        a->step = STEP_DONE;
                if (a->step == STEP_DONE) {
                        r = attach_commit(d, a, &e);
                } else {
                        int s = attach_send(a, q);
                        if (s == 0) {
                                domain_unref(d);
                                return;
                        }
                        vb_error_errno(&e, s, "interface hotplug");
                        attach_undo(a, q, a->step);
                }
        }
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        attach_free(a);
        domain_unref(d);
}

static int attach_check(const DomainInterface *nic, VbError *err) {
        if (!qemu_str_eq(nic->type, "network") && !qemu_str_eq(nic->type, "bridge") &&
            !qemu_str_eq(nic->type, "ethernet"))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "interface type '%s' cannot be hotplugged (network, bridge and ethernet can)",
                                    nic->type);
        if (!device_model(nic->model_type))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "interface model '%s' is not supported", nic->model_type);
        if (nic->driver_queues.set && nic->driver_queues.v > 1)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "a multiqueue interface (<driver queues='%lld'>) cannot be hotplugged",
                                    (long long) nic->driver_queues.v);
        if (qemu_str_eq(nic->driver_name, "vhost"))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "vhost-net (<driver name='vhost'>) is not supported yet");
        if (nic->address.type)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "an <address> for a hotplugged interface is not supported (QEMU picks the slot)");
        return 0;
}

int qemu_domain_attach_interface(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        DomainInterface *nic = &dev->interfaces[0];
        NicAttach *a = NULL;
        QemuNics nics = { 0 };
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp) || !qd->qc) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                             "the QEMU monitor of domain '%s' is not available", d->obj.name);
                goto fail;
        }
        if (attach_check(nic, err) < 0)
                goto fail;
        if (!(a = calloc(1, sizeof *a))) {
                vb_error_errno(err, -ENOMEM, "attach");
                goto fail;
        }
        a->fd = -1;
        a->dev = dev;           /* a's from here on: attach_free frees it (and its host side, once made) */
        if (nic->alias)
                snprintf(a->alias, sizeof a->alias, "%s", nic->alias);
        else
                new_alias(d->live, a->alias, sizeof a->alias);
        if (qemu_interface_by_alias(d->live, a->alias) >= 0) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "non unique alias detected: %s", a->alias);
                goto fail;
        }
        snprintf(a->netdev, sizeof a->netdev, "host%s", a->alias);
        snprintf(a->fdname, sizeof a->fdname, "fd-%s", a->alias);
        OneNic one;
        one_nic(&one, d, nic);
        if (qemu_nics_prepare(d->obj.conn, &one.def, &nics, err) < 0)
                goto fail;
        a->prepared = d;
        if (qemu_iftune_start(&one.def, err) < 0) {    /* its <bandwidth> on the new tap */
                qemu_nics_close(&nics);
                goto fail;
        }
        a->fd = nics.fds[0] >= 0 ? dup(nics.fds[0]) : -1;
        qemu_nics_close(&nics);
        if (a->fd < 0) {
                vb_error_errno(err, -errno, "tap");
                goto fail;
        }
        a->qd = qd;
        const char *machine = d->live->priv->os.machine;
        bool q35 = machine && (strcmp(machine, "q35") == 0 || strncmp(machine, "pc-q35-", 7) == 0);
        a->q35 = q35;
        a->step = STEP_QUERY_PCI;
        int r = attach_send(a, qd->qmp);
        if (r < 0) {
                vb_error_errno(err, r, "interface hotplug");
                goto fail;
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
fail:;
        bool owned = a && a->dev == dev;
        if (a)
                attach_free(a);
        if (!owned)
                domain_device_free(dev);
        return -1;
}

/* ---- detach ---- */

/* The guest let NIC alias go: its netdev (QEMU closes the tap, which vanishes), a direct
 * NIC's macvtap, and its place in d->live. The other NICs keep the names QEMU knows them by. */
static void nic_removed(QemuDomain *qd, const char *alias, const char *target) {
        Domain *d = qd->domain;
        if (qd->qmp) {
                char netdev[72];
                json_object *o = json_object_new_object();
                snprintf(netdev, sizeof netdev, "host%s", alias);
                if (o) {
                        json_object_object_add(o, "id", json_object_new_string(netdev));
                        qmp_send(qd->qmp, "netdev_del", o, on_undo, NULL);
                }
        }
        long i = d->live ? qemu_interface_by_alias(d->live, alias) : -1;
        if (i < 0)
                return;
        DomainDevices *devs = &d->live->priv->devices;
        for (size_t k = 0; k < devs->n_interfaces; k++) {
                char a[64];
                qemu_nic_alias(d->live, k, a, sizeof a);
                if (!devs->interfaces[k].alias && !(devs->interfaces[k].alias = strdup(a)))
                        log_warning("domain %s: the alias of interface %zu is not kept", d->obj.name, k);
        }
        OneNic one;
        one_nic(&one, d, &devs->interfaces[i]);
        qemu_nics_release(d->obj.conn, &one.def);
        qemu_iftune_release(&one.def);
        domain_devices_remove_interface(devs, (size_t) i);
}

int qemu_domain_detach_interface(Domain *d, size_t index, Call *call, VbError *err) {
        char alias[64], mac[18];
        qemu_nic_alias(d->live, index, alias, sizeof alias);
        mac_format(d->live->priv->devices.interfaces[index].mac, mac);
        return qemu_unplug_begin(d->driver_data, alias, "interface", mac, nic_removed, call, err);
}
