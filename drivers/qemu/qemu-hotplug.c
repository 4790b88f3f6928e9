/* qemu-hotplug.c: disks attached to and detached from a running guest through QMP (blockdev-add, device_add; device_del through qemu-unplug.c, then blockdev-del), with the DAC label of the image (its names looked up off the loop first, qemu-dac-names.c) and, for a guest AppArmor confines, its profile reloaded with the image first (qemu-apparmor.c). */
#define LOG_MODULE "qemu"
#include "qemu-hotplug-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-command-priv.h"
#include "storage.h"

/* A definition holding only disk (not owned): what the security stack labels and restores. */
typedef struct OneDisk {
        DomainDefPrivate priv;
        DomainDef def;
} OneDisk;

static void one_disk(OneDisk *o, const Domain *d, DomainDisk *disk) {
        memset(o, 0, sizeof *o);
        o->priv.devices.disks = disk;
        o->priv.devices.n_disks = 1;
        o->def.name = (char *) d->obj.name;
        o->def.priv = &o->priv;
}

static int disk_alias(const Domain *d, DomainDisk *disk, char *buf, size_t len, VbError *err) {
        OneDisk o;
        one_disk(&o, d, disk);
        return qemu_disk_alias(&o.def, 0, buf, len, err);
}

int qemu_disk_label(QemuConn *qc, const Domain *d, DomainDisk *disk, const SecurityDacNames *names, VbError *err) {
        if (!qc->sec_ready)
                return 0;
        OneDisk o;
        one_disk(&o, d, disk);
        ProcessCreds creds = { 0 };
        return qemu_security_start(qc, &o.def, names, &creds, err);
}

void qemu_disk_unlabel(QemuConn *qc, const Domain *d, DomainDisk *disk) {
        if (!qc || !qc->sec_ready)
                return;
        OneDisk o;
        one_disk(&o, d, disk);
        security_stack_restore(&qc->sec, &o.def);
}

typedef struct NodeDel {
        char node[64];
        QemuDomain *finish;     /* set on the last one of a detach: its reply answers the call */
} NodeDel;

static void on_node_del(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        NodeDel *n = userdata;
        QemuDomain *qd = n->finish;
        if (cls)
                log_warning("QMP blockdev-del %s: %s", n->node, desc ? desc : cls);
        free(n);
        if (qd && q == qd->qmp && qd->job)     /* else QEMU went away, and its exit answered */
                qemu_domain_finish(qd, 0, NULL);
}

/* Drop the block nodes of alias (format node first, then its file), back to back. With finish,
 * the reply to the last one finishes qd's call (true), so that a detach answers once QEMU has
 * closed (and flushed) the image, as libvirt's does; false: nothing could be sent. */
static bool nodes_del(Qmp *q, const char *alias, bool format, bool storage, QemuDomain *finish) {
        const char *suffix[2] = { "", "-storage" };
        bool which[2] = { format, storage };
        int last = storage ? 1 : format ? 0 : -1;
        bool handed = false;
        for (int i = 0; i <= last; i++) {
                if (!which[i])
                        continue;
                NodeDel *n = calloc(1, sizeof *n);
                json_object *args = json_object_new_object();
                if (!args || !n) {
                        json_object_put(args);
                        free(n);
                        continue;
                }
                snprintf(n->node, sizeof n->node, "drive-%s%s", alias, suffix[i]);
                n->finish = i == last ? finish : NULL;
                json_object_object_add(args, "node-name", json_object_new_string(n->node));
                if (qmp_send(q, "blockdev-del", args, on_node_del, n) < 0)
                        free(n);
                else if (i == last)
                        handed = finish != NULL;
        }
        return handed;
}

/* ---- attach ---- */

/* The steps, in the order QEMU answers them. Everything up to the format node goes out back to
 * back with one wait (QMP answers in order, and a step whose predecessor failed fails too: its
 * node does not exist); device_add goes alone once both nodes are there, so that a failure never
 * leaves a device in the guest. */
typedef enum { STEP_QUERY_PCI, STEP_STORAGE, STEP_FORMAT, STEP_DEVICE } AttachStep;

typedef struct Attach {
        QemuDomain *qd;
        DomainDevices *dev;     /* the disk, moved into d->live on success */
        char alias[32];
        AttachStep step;        /* the step the next reply answers */
        unsigned inflight;      /* replies still due; the last one finishes */
        bool failed;            /* err says why; the rest only collect what QEMU added */
        bool storage, format;   /* the nodes QEMU added: what a failure removes */
        VbError err;
        bool q35;
        QemuHotplugPci pci;     /* a virtio disk's place, from query-pci */
} Attach;

static void attach_free(Attach *a) {
        domain_device_free(a->dev);
        free(a);
}

static json_object *storage_args(const DomainDisk *disk, const char *alias) {
        json_object *o = json_object_new_object();
        char node[64];
        snprintf(node, sizeof node, "drive-%s-storage", alias);
        bool file = qemu_str_eq(disk->type, "file");
        json_object_object_add(o, "driver", json_object_new_string(file ? "file" : "host_device"));
        json_object_object_add(o, "filename", json_object_new_string(file ? disk->source_file : disk->source_dev));
        json_object_object_add(o, "node-name", json_object_new_string(node));
        json_object_object_add(o, "auto-read-only", json_object_new_boolean(true));
        json_object_object_add(o, "discard", json_object_new_string("unmap"));
        return o;
}

static json_object *format_args(const DomainDisk *disk, const char *alias) {
        json_object *o = json_object_new_object();
        char node[64], file[64];
        snprintf(node, sizeof node, "drive-%s", alias);
        snprintf(file, sizeof file, "drive-%s-storage", alias);
        json_object_object_add(o, "node-name", json_object_new_string(node));
        json_object_object_add(o, "read-only", json_object_new_boolean(disk->readonly));
        json_object_object_add(o, "driver", json_object_new_string(disk->driver_type ? disk->driver_type : "raw"));
        json_object_object_add(o, "file", json_object_new_string(file));
        if (qemu_str_eq(disk->driver_discard, "unmap"))
                json_object_object_add(o, "discard", json_object_new_string("unmap"));
        return o;
}

/* virtio: the place query-pci found (qemu_hotplug_pci_place()); SCSI: the unit on its
 * controller, as the command line places it. */
static json_object *device_args(const DomainDisk *disk, const char *alias, const QemuHotplugPci *pci) {
        json_object *o = json_object_new_object();
        char drive[64];
        snprintf(drive, sizeof drive, "drive-%s", alias);
        unsigned ctrl = 0, unit = 0;
        if (sscanf(alias, "scsi%u-0-0-%u", &ctrl, &unit) == 2) {
                char bus[32];
                snprintf(bus, sizeof bus, "scsi%u.0", ctrl);
                json_object_object_add(o, "driver", json_object_new_string("scsi-hd"));
                json_object_object_add(o, "bus", json_object_new_string(bus));
                json_object_object_add(o, "channel", json_object_new_int(0));
                json_object_object_add(o, "scsi-id", json_object_new_int(0));
                json_object_object_add(o, "lun", json_object_new_int((int) unit));
        } else {
                json_object_object_add(o, "driver", json_object_new_string("virtio-blk-pci"));
                if (pci->set) {
                        json_object_object_add(o, "bus", json_object_new_string(pci->bus));
                        json_object_object_add(o, "addr", json_object_new_string(pci->addr));
                }
        }
        json_object_object_add(o, "drive", json_object_new_string(drive));
        json_object_object_add(o, "id", json_object_new_string(alias));
        if (disk->serial)
                json_object_object_add(o, "serial", json_object_new_string(disk->serial));
        if (disk->shareable)
                json_object_object_add(o, "share-rw", json_object_new_boolean(true));
        return o;
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

static int attach_send(Attach *a, Qmp *q, AttachStep step) {
        DomainDisk *disk = &a->dev->disks[0];
        int r = -EINVAL;
        switch (step) {
        case STEP_QUERY_PCI:
                r = qmp_send(q, "query-pci", NULL, on_attach, a);
                break;
        case STEP_STORAGE:
                r = qmp_send(q, "blockdev-add", storage_args(disk, a->alias), on_attach, a);
                break;
        case STEP_FORMAT:
                r = qmp_send(q, "blockdev-add", format_args(disk, a->alias), on_attach, a);
                break;
        case STEP_DEVICE:
                r = qmp_send(q, "device_add", device_args(disk, a->alias, &a->pci), on_attach, a);
                break;
        }
        if (r == 0)
                a->inflight++;
        return r;
}

/* Send from first through last, back to back; stops at the first that cannot be sent (its
 * negative errno returned: what was sent still answers). */
static int attach_send_batch(Attach *a, Qmp *q, AttachStep first, AttachStep last) {
        for (AttachStep s = first; s <= last; s++) {
                int r = attach_send(a, q, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void attach_fail(Attach *a, int r, const char *what) {
        if (a->failed)
                return;
        a->failed = true;
        vb_error_errno(&a->err, r, what);
}

/* The last reply is in: the disk goes into d->live, or what QEMU added is removed again. */
static void attach_end(Attach *a, Qmp *q, Domain *d) {
        QemuDomain *qd = a->qd;
        DomainDisk *disk = &a->dev->disks[0];
        if (!a->failed && (!d->live || domain_devices_move_disk(&d->live->priv->devices, a->dev, 0) < 0 ||
                           qemu_hotplug_pci_write(&d->live->priv->devices.disks[d->live->priv->devices.n_disks - 1].address,
                                                  &a->pci) < 0))
                attach_fail(a, -ENOMEM, "attach");
        if (a->failed) {
                nodes_del(q, a->alias, a->format, a->storage, NULL);
                qemu_disk_unlabel(qd->qc, d, disk);
                qemu_apparmor_refresh(qd->qc, d);       /* the profile without it */
                qemu_domain_finish(qd, -1, &a->err);
                return;
        }
        log_info("domain %s: disk %s attached as %s", d->obj.name, d->live->priv->devices.disks[d->live->priv->devices.n_disks - 1].target_dev, a->alias);
        qemu_hotplug_added(d, a->alias);
        qemu_domain_finish(qd, 0, NULL);
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Attach *a = userdata;
        QemuDomain *qd = a->qd;
        AttachStep step = a->step++;
        a->inflight--;
        if (q != qd->qmp || !qd->job) {
                if (a->inflight == 0) {
                        qemu_disk_unlabel(qd->qc, qd->domain, &a->dev->disks[0]); /* QEMU's stop restores only d->live's files */
                        attach_free(a);
                }
                return;
        }
        DomainDisk *disk = &a->dev->disks[0];
        if (cls) {
                if (!a->failed)
                        vb_error_set(&a->err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach disk %s: %s",
                                     disk->target_dev, desc ? desc : cls);
                a->failed = true;
        } else if (step == STEP_QUERY_PCI && !qemu_hotplug_pci_place(ret, a->q35, &a->pci)) {
                if (!a->failed) {
                        char what[64];
                        snprintf(what, sizeof what, "disk %s", disk->target_dev);
                        qemu_hotplug_pci_none(&a->err, a->q35, what);
                }
                a->failed = true;
        } else if (step == STEP_STORAGE) {
                a->storage = true;
        } else if (step == STEP_FORMAT) {
                a->format = true;
        }
        if (a->inflight > 0)
                return;
        if (step == STEP_FORMAT && !a->failed) {
                int r = attach_send(a, q, STEP_DEVICE);
                if (r == 0)
                        return;
                attach_fail(a, r, "device_add");
        }
        Domain *d = domain_ref(qd->domain);
        attach_end(a, q, d);
        attach_free(a);
        domain_unref(d);
}

/* What QEMU's hotplug of this disk cannot be, checked before anything is labelled or sent. */
static int attach_check(const DomainDisk *disk, const char *alias, VbError *err) {
        const char *dev = disk->target_dev;
        if (!qemu_str_eq(disk->device, "disk"))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk device='%s' cannot be hotplugged (disk %s)", disk->device, dev);
        const char *src = qemu_str_eq(disk->type, "file") ? disk->source_file
                        : qemu_str_eq(disk->type, "block") ? disk->source_dev : NULL;
        if (!qemu_str_eq(disk->type, "file") && !qemu_str_eq(disk->type, "block"))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk type '%s' of disk '%s' is not supported", disk->type, dev);
        if (!src || src[0] != '/')
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk '%s' needs a source with an absolute path", dev);
        if (disk->driver_type && strcmp(disk->driver_type, "raw") != 0 && strcmp(disk->driver_type, "qcow2") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk format '%s' of disk '%s' is not supported (only raw and qcow2 are)",
                                    disk->driver_type, dev);
        if (strncmp(alias, "virtio-disk", 11) != 0 && strncmp(alias, "scsi", 4) != 0)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk bus of '%s' cannot be hotplugged (only virtio and scsi can)", dev);
        return 0;
}

static bool monitor_ready(Domain *d, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->qmp && qmp_is_ready(qd->qmp) && qd->qc && d->live)
                return true;
        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not available",
                     d->obj.name);
        return false;
}

/* Label the image (names: its DAC label's, looked up before) and send the QMP commands. */
static int attach_disk_go(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        DomainDevices *dev = arg;
        DomainDisk *disk = &dev->disks[0];
        Attach *a = NULL;
        if (!monitor_ready(d, err))     /* again: QEMU may have ended during the lookup */
                goto fail;
        if (!(a = calloc(1, sizeof *a))) {
                vb_error_errno(err, -ENOMEM, "attach");
                goto fail;
        }
        if (disk_alias(d, disk, a->alias, sizeof a->alias, err) < 0 || qemu_disk_label(qd->qc, d, disk, names, err) < 0)
                goto fail;
        a->qd = qd;
        a->dev = dev;
        const char *machine = d->live->priv->os.machine;
        bool q35 = machine && (strcmp(machine, "q35") == 0 || strncmp(machine, "pc-q35-", 7) == 0);
        a->q35 = q35;
        a->step = strncmp(a->alias, "virtio-disk", 11) == 0 ? STEP_QUERY_PCI : STEP_STORAGE;
        int r = attach_send_batch(a, qd->qmp, a->step, STEP_FORMAT);
        if (r < 0 && a->inflight == 0) {
                qemu_disk_unlabel(qd->qc, d, disk);
                vb_error_errno(err, r, "blockdev-add");
                a->dev = NULL;
                goto fail;
        }
        if (r < 0)
                attach_fail(a, r, "blockdev-add");      /* the replies of what went out finish it */
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
fail:
        free(a);
        domain_device_free(dev);
        if (d->driver_data)
                qemu_apparmor_refresh(((QemuDomain *) d->driver_data)->qc, d);  /* the profile without it */
        return -1;
}

static void attach_drop(void *arg) {
        domain_device_free(arg);
}

/* After the AppArmor profile's reload (if any): the names of its DAC label, in a thread (NSS
 * may block); then label and send. */
static int attach_disk_names(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        DomainDevices *dev = arg;
        DomainDisk *disk = &dev->disks[0];
        if (!monitor_ready(d, err)) {
                domain_device_free(dev);
                return -1;
        }
        OneDisk o;
        one_disk(&o, d, disk);
        int r = qemu_dac_names_begin(d->driver_data, &o.def, attach_disk_go, attach_drop, dev, call, err);
        if (r != 0) {
                if (r < 0) {
                        qemu_apparmor_refresh(((QemuDomain *) d->driver_data)->qc, d);
                        domain_device_free(dev);
                }
                return r;
        }
        return attach_disk_go(d, NULL, dev, call, err);
}

int qemu_domain_attach_disk(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        DomainDisk *disk = &dev->disks[0];
        char alias[32];
        /* A volume becomes the file (or block device) it is now, as at start: QEMU, the live XML,
         * the AppArmor profile and the security drivers see that. */
        if (!monitor_ready(d, err) || domain_resolve_volume_disk(d->obj.conn, disk, err) < 0 ||
            disk_alias(d, disk, alias, sizeof alias, err) < 0 || attach_check(disk, alias, err) < 0) {
                domain_device_free(dev);
                return -1;
        }
        /* A guest confined by AppArmor: its profile names the image before QEMU opens it. */
        int r = qemu_apparmor_hotplug(d->driver_data, disk, attach_disk_names, attach_drop, dev, call, err);
        if (r != 0) {
                if (r < 0)
                        domain_device_free(dev);
                return r;
        }
        return attach_disk_names(d, NULL, dev, call, err);
}

/* ---- detach ---- */

/* The guest let disk target (alias) go: its block nodes, its label and its place in d->live;
 * finish: the blockdev-del's reply answers qd's waiting call (true if it was handed over).
 * The disk's end of qemu_unplug_begin_handover(). */
static bool disk_remove(QemuDomain *qd, const char *alias, const char *target, QemuDomain *finish) {
        Domain *d = qd->domain;
        long i = d->live ? domain_devices_find_disk(&d->live->priv->devices, target) : -1;
        bool handed = qd->qmp && nodes_del(qd->qmp, alias, true, true, finish);
        if (i >= 0) {
                qemu_disk_unlabel(qd->qc, d, &d->live->priv->devices.disks[i]);
                domain_devices_remove_disk(&d->live->priv->devices, (size_t) i);
                qemu_apparmor_refresh(qd->qc, d);       /* its path leaves the guest's profile */
        }
        return handed;
}

int qemu_domain_detach_disk(Domain *d, size_t index, Call *call, VbError *err) {
        char alias[32];
        if (qemu_disk_alias(d->live, index, alias, sizeof alias, err) < 0)
                return -1;
        return qemu_unplug_begin_handover(d->driver_data, alias, "disk",
                                          d->live->priv->devices.disks[index].target_dev, disk_remove, call, err);
}
long qemu_disk_by_alias(const DomainDef *def, const char *alias) {
        for (size_t i = 0; def && def->priv && i < def->priv->devices.n_disks; i++) {
                char a[32];
                VbError e = { 0 };
                if (qemu_disk_alias(def, i, a, sizeof a, &e) == 0 && strcmp(a, alias) == 0)
                        return (long) i;
                if (qemu_alias_is_user(def->priv->devices.disks[i].alias) &&
                    strcmp(def->priv->devices.disks[i].alias, alias) == 0)
                        return (long) i;        /* its user's ua- alias */
        }
        return -1;
}
