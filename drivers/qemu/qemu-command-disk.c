/* qemu-command-disk.c: boot order, controllers and disks (-blockdev nodes under their device frontends). */
#include "qemu-command-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-alias.h"
#include "qemu-disk-addr.h"
#include "qemu-usb-addr.h"

/* ---- boot order ---- */

static int boot_first(const QemuCmd *c, const char *dev, bool *is_disk) {
        const DomainDevices *d = c->devs;
        if (strcmp(dev, "network") == 0) {
                *is_disk = false;
                for (size_t i = 0; i < d->n_interfaces; i++)
                        if (!c->nic_boot[i])
                                return (int) i;
                return -1;
        }
        *is_disk = true;
        const char *device = strcmp(dev, "hd") == 0 ? "disk" : strcmp(dev, "cdrom") == 0 ? "cdrom" : NULL;
        for (size_t i = 0; device && i < d->n_disks; i++)
                if (qemu_str_eq(d->disks[i].device, device) && !c->disk_boot[i])
                        return (int) i;
        return -1;
}

/* Per-device <boot order> as it is, else <os><boot dev> in order, each to the first device
 * of its kind (libvirt's translation of os/boot into bootindex properties). */
int qemu_cmd_assign_boot(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        const DomainOs *os = &c->def->priv->os;
        bool per_device = false;
        for (size_t i = 0; i < d->n_disks; i++)
                per_device |= d->disks[i].boot_order.set;
        for (size_t i = 0; i < d->n_interfaces; i++)
                per_device |= d->interfaces[i].boot_order.set;
        if (!per_device) {
                int next = 1;
                for (size_t b = 0; b < os->n_boot_devs; b++) {
                        bool is_disk;
                        int i = boot_first(c, os->boot_devs[b], &is_disk);
                        if (i >= 0)
                                (is_disk ? c->disk_boot : c->nic_boot)[i] = next++;
                }
                return 0;
        }
        if (os->n_boot_devs)
                return vb_error_set(c->err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "per-device boot elements cannot be used together with os/boot elements");
        size_t n = d->n_disks + d->n_interfaces;
        for (size_t i = 0; i < n; i++) {
                const ConfInt *o = i < d->n_disks ? &d->disks[i].boot_order
                                                  : &d->interfaces[i - d->n_disks].boot_order;
                if (!o->set)
                        continue;
                if (o->v < 1 || o->v > 65535)
                        return qemu_cmd_unsupported(c, "boot order %lld is out of range", o->v);
                for (size_t j = 0; j < i; j++) {
                        const ConfInt *q = j < d->n_disks ? &d->disks[j].boot_order
                                                          : &d->interfaces[j - d->n_disks].boot_order;
                        if (q->set && q->v == o->v)
                                return vb_error_set(c->err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                                    "boot order '%lld' used for more than one device", o->v);
                }
                if (i < d->n_disks)
                        c->disk_boot[i] = (int) o->v;
                else
                        c->nic_boot[i - d->n_disks] = (int) o->v;
        }
        return 0;
}

/* ---- controllers ---- */

typedef struct Controllers {
        bool scsi[QEMU_MAX_CONTROLLERS], sata[QEMU_MAX_CONTROLLERS], vserial[QEMU_MAX_CONTROLLERS];
        bool usb, usb_none;
} Controllers;

/* libvirt's USB model names → QEMU's device names. */
static const char *const usb_models[][2] = {
        { "qemu-xhci", "qemu-xhci" },
        { "nec-xhci", "nec-usb-xhci" },
        { "piix3-uhci", "piix3-usb-uhci" },
        { "ich9-ehci1", "ich9-usb-ehci1" },
        { "ich9-uhci1", "ich9-usb-uhci1" },
        { "ich9-uhci2", "ich9-usb-uhci2" },
        { "ich9-uhci3", "ich9-usb-uhci3" },
};

/* ctl's place is at (a NULL place: the machine's own, piix3-uhci at 00:01.2 on i440fx). */
static int usb_controller(QemuCmd *c, const DomainController *ctl, const QemuPciAddr *a, Controllers *have) {
        const char *model = ctl->model ? ctl->model : "qemu-xhci";
        if (ctl->index.set && ctl->index.v != 0)
                return qemu_cmd_unsupported(c, "USB controller %lld is not supported (only controller 0 is)",
                                            ctl->index.v);
        bool companion = strncmp(model, "ich9-uhci", 9) == 0;
        if ((have->usb && !companion) || have->usb_none)
                return qemu_cmd_unsupported(c, "only one USB controller is supported");
        if (strcmp(model, "none") == 0) {
                have->usb_none = true;
                return 0;
        }
        const char *dev = NULL;
        for (size_t i = 0; i < sizeof usb_models / sizeof usb_models[0]; i++)
                if (strcmp(model, usb_models[i][0]) == 0)
                        dev = usb_models[i][1];
        bool xhci = dev && strstr(dev, "xhci");
        if (!dev)
                return qemu_cmd_unsupported(c, "USB controller model '%s' is not supported", model);
        QemuStr s = { 0 };
        if (companion) {
                /* an UHCI companion of the EHCI controller "usb": its ports from startport */
                long long start = 0;
                if (ctl->master_startport) {
                        char *end;
                        start = strtoll(ctl->master_startport, &end, 0);
                        if (*end || start < 0 || start > 5) {
                                return qemu_cmd_unsupported(c, "USB companion startport '%s' is not valid",
                                                            ctl->master_startport);
                        }
                }
                qstr_printf(&s, "%s,masterbus=usb.0,firstport=%lld", dev, start);
        } else {
                char id[64];
                qemu_controller_id("usb", model, 0, c->q35, id, sizeof id);
                qstr_printf(&s, "%s,id=%s", dev, id);
        }
        if (xhci && ctl->ports.set) {
                if (ctl->ports.v < 1 || ctl->ports.v > 15) {
                        free(s.s);
                        return qemu_cmd_unsupported(c, "USB controller '%s' supports 1 to 15 ports, not %lld",
                                                    model, ctl->ports.v);
                }
                qstr_printf(&s, ",p2=%lld,p3=%lld", ctl->ports.v, ctl->ports.v);
        }
        if (a)
                qemu_pci_append(c, &s, a);
        else if (strcmp(model, "piix3-uhci") == 0 && !c->q35)
                qstr_printf(&s, ",bus=pci.0,addr=0x1.0x2");
        qemu_cmd_opt(c, "-device", &s);
        if (!companion)
                have->usb = true;
        return 0;
}

static void scsi_controller(QemuCmd *c, unsigned index, const QemuPciAddr *a, Controllers *have) {
        QemuStr s = { 0 };
        char id[64];
        qemu_controller_id("scsi", NULL, index, c->q35, id, sizeof id);
        qstr_printf(&s, "virtio-scsi-pci,id=%s", id);
        qemu_pci_append(c, &s, a);
        qemu_cmd_opt(c, "-device", &s);
        have->scsi[index] = true;
}

/* q35's own AHCI (id "ide") is SATA controller 0. */
static void sata_controller(QemuCmd *c, unsigned index, const QemuPciAddr *a, Controllers *have) {
        if (!(c->q35 && index == 0)) {
                QemuStr s = { 0 };
                char id[64];
                qemu_controller_id("sata", NULL, index, c->q35, id, sizeof id);
                qstr_printf(&s, "ich9-ahci,id=%s", id);
                qemu_pci_append(c, &s, a);
                qemu_cmd_opt(c, "-device", &s);
        }
        have->sata[index] = true;
}

static void vserial_controller(QemuCmd *c, unsigned index, const QemuPciAddr *a, Controllers *have) {
        QemuStr s = { 0 };
        char id[64];
        qemu_controller_id("virtio-serial", NULL, index, c->q35, id, sizeof id);
        qstr_printf(&s, "virtio-serial-pci,id=%s", id);
        qemu_pci_append(c, &s, a);
        qemu_cmd_opt(c, "-device", &s);
        have->vserial[index] = true;
}

static int ide_unsupported(QemuCmd *c) {
        return qemu_cmd_unsupported(c, "IDE controllers are unsupported for this QEMU binary or machine type");
}

/* A pcie-root-port: bus "pci.<index>", port and chassis as written or libvirt's defaults. */
static int root_port(QemuCmd *c, const DomainController *ctl, const QemuPciAddr *a) {
        long long index = ctl->index.v;
        long long chassis = index, port = (long long) ((a->slot << 3) | a->function);
        char *end, id[64];
        qemu_controller_id("pci", ctl->model, index, c->q35, id, sizeof id);
        if (qemu_str_eq(ctl->model, "pcie-to-pci-bridge")) {
                /* conventional PCI slots 1-31 behind a root port (libvirt adds one for e1000 & co.) */
                if (ctl->model_name && strcmp(ctl->model_name, "pcie-pci-bridge") != 0)
                        return qemu_cmd_unsupported(c, "PCI controller model name '%s' is not supported", ctl->model_name);
                QemuStr s = { 0 };
                qstr_printf(&s, "pcie-pci-bridge,id=%s", id);
                qemu_pci_append(c, &s, a);
                qemu_cmd_opt(c, "-device", &s);
                return 0;
        }
        if (ctl->model_name && strcmp(ctl->model_name, "pcie-root-port") != 0)
                return qemu_cmd_unsupported(c, "PCI controller model name '%s' is not supported", ctl->model_name);
        if (ctl->target_chassis && ((chassis = strtoll(ctl->target_chassis, &end, 0)) < 0 || *end || chassis > 255))
                return qemu_cmd_unsupported(c, "PCI controller %lld chassis '%s' is not valid", index, ctl->target_chassis);
        if (ctl->target_port && ((port = strtoll(ctl->target_port, &end, 0)) < 0 || *end || port > 255))
                return qemu_cmd_unsupported(c, "PCI controller %lld port '%s' is not valid", index, ctl->target_port);
        QemuStr s = { 0 };
        qstr_printf(&s, "pcie-root-port,port=%lld,chassis=%lld,id=%s", port, chassis, id);
        qemu_pci_append(c, &s, a);
        qemu_cmd_opt(c, "-device", &s);
        return 0;
}

int qemu_cmd_controllers(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        const QemuPciPlan *pci = c->pci;
        Controllers have = { 0 };
        /* PCI controllers first: the buses the others sit on. */
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, "pci") && d->controllers[i].index.v > 0 &&
                    root_port(c, &d->controllers[i], &pci->ctrl[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *ctl = &d->controllers[i];
                const char *type = ctl->type ? ctl->type : "";
                long long index = ctl->index.set ? ctl->index.v : 0;
                const QemuPciAddr *a = &pci->ctrl[i];
                if (strcmp(type, "usb") == 0) {
                        if (usb_controller(c, ctl, a->set ? a : NULL, &have) < 0)
                                return -1;
                        continue;
                }
                if (strcmp(type, "pci") == 0 || strcmp(type, "fdc") == 0 || strcmp(type, "isa") == 0)
                        continue;          /* the machine's own, or made above */
                if (strcmp(type, "ide") == 0) {
                        if (c->q35)
                                return ide_unsupported(c);
                        if (index != 0)
                                return qemu_cmd_unsupported(c, "Only a single IDE controller is supported "
                                                            "for this machine type");
                        continue;
                }
                if (index < 0 || index >= QEMU_MAX_CONTROLLERS)
                        return qemu_cmd_unsupported(c, "%s controller index %lld is out of range", type, index);
                bool *seen = strcmp(type, "scsi") == 0 ? have.scsi : strcmp(type, "sata") == 0 ? have.sata
                           : strcmp(type, "virtio-serial") == 0 ? have.vserial : NULL;
                if (!seen)
                        return qemu_cmd_unsupported(c, "controller type '%s' is not supported", type);
                if (seen[index])
                        return qemu_cmd_unsupported(c, "%s controller %lld is defined twice", type, index);
                if (seen == have.scsi) {
                        if (ctl->model && strcmp(ctl->model, "virtio-scsi") != 0)
                                return qemu_cmd_unsupported(c, "SCSI controller model '%s' is not supported "
                                                            "(only virtio-scsi is)", ctl->model);
                        scsi_controller(c, (unsigned) index, a, &have);
                } else if (seen == have.sata) {
                        sata_controller(c, (unsigned) index, a, &have);
                } else {
                        vserial_controller(c, (unsigned) index, a, &have);
                }
        }

        /* The controllers devices need but the definition leaves out. */
        if (qemu_devices_need_usb(c->devs)) {
                if (have.usb_none)
                        return qemu_cmd_unsupported(c, "USB is disabled for this domain, but USB devices are "
                                                    "present in the domain XML");
                if (!have.usb) {
                        DomainController xhci = { 0 };
                        if (usb_controller(c, &xhci, &pci->auto_usb, &have) < 0)
                                return -1;
                }
        }
        for (size_t i = 0; i < d->n_disks; i++) {
                QemuDiskPlace p;
                if (qemu_disk_place(&d->disks[i], &p, c->err) < 0)
                        return -1;
                if (strcmp(p.bus, "ide") == 0 && c->q35)
                        return ide_unsupported(c);
                if (strcmp(p.bus, "scsi") == 0 && !have.scsi[p.ctrl])
                        scsi_controller(c, p.ctrl, p.ctrl == 0 ? &pci->auto_scsi : NULL, &have);
                if (strcmp(p.bus, "sata") == 0 && !have.sata[p.ctrl])
                        sata_controller(c, p.ctrl, NULL, &have);
        }
        if (qemu_cmd_needs_virtio_serial(c) && !have.vserial[0])
                vserial_controller(c, 0, &pci->auto_vserial, &have);
        return 0;
}

/* ---- disks ---- */

typedef struct CacheMode {
        const char *name;
        bool direct, no_flush, write_cache;
} CacheMode;

static const CacheMode cache_modes[] = {
        { "none", true, false, true },
        { "writethrough", false, false, false },
        { "writeback", false, false, true },
        { "directsync", true, false, false },
        { "unsafe", false, true, true },
};

static const CacheMode *disk_cache(const DomainDisk *d) {
        for (size_t i = 0; d->driver_cache && i < sizeof cache_modes / sizeof cache_modes[0]; i++)
                if (strcmp(d->driver_cache, cache_modes[i].name) == 0)
                        return &cache_modes[i];
        return NULL;                       /* "default" or none given: QEMU's defaults */
}

static void disk_cache_opts(QemuStr *s, const CacheMode *cache) {
        if (cache)
                qstr_printf(s, ",cache.direct=%s,cache.no-flush=%s", cache->direct ? "on" : "off",
                            cache->no_flush ? "on" : "off");
}

static int disk_check(QemuCmd *c, const DomainDisk *d, const QemuDiskPlace *p, const char **source,
                      const char **format) {
        const char *dev = d->target_dev;
        bool cdrom = qemu_str_eq(d->device, "cdrom");
        if (!cdrom && !qemu_str_eq(d->device, "disk"))
                return qemu_cmd_unsupported(c, "disk device '%s' of disk '%s' is not supported",
                                            d->device ? d->device : "", dev);
        if (d->driver_name && strcmp(d->driver_name, "qemu") != 0)
                return qemu_cmd_unsupported(c, "disk driver name '%s' of disk '%s' is not supported",
                                            d->driver_name, dev);
        *format = d->driver_type ? d->driver_type : "raw";
        if (strcmp(*format, "raw") != 0 && strcmp(*format, "qcow2") != 0)
                return qemu_cmd_unsupported(c, "disk format '%s' of disk '%s' is not supported "
                                            "(only raw and qcow2 are)", *format, dev);
        if (d->net) {
                if (!qemu_str_eq(d->net->protocol, "iscsi"))
                        return qemu_cmd_unsupported(c, "disk '%s': network protocol '%s' is not supported", dev,
                                                    d->net->protocol ? d->net->protocol : "");
                *source = NULL;
        } else if (qemu_str_eq(d->type, "file"))
                *source = d->source_file;
        else if (qemu_str_eq(d->type, "block"))
                *source = d->source_dev;
        else
                return qemu_cmd_unsupported(c, "disk type '%s' of disk '%s' is not supported",
                                            d->type ? d->type : "", dev);
        if (*source && (*source)[0] != '/')
                return qemu_cmd_unsupported(c, "disk source '%s' of disk '%s' must be an absolute path",
                                            *source, dev);
        if (!*source && !cdrom && !d->net)
                return qemu_cmd_unsupported(c, "disk '%s' has no source", dev);
        if (cdrom && strcmp(p->bus, "virtio") == 0)
                return qemu_cmd_unsupported(c, "disk device 'cdrom' is not supported on bus 'virtio' (disk '%s')",
                                            dev);
        if (!cdrom && d->readonly && (strcmp(p->bus, "ide") == 0 || strcmp(p->bus, "sata") == 0))
                return qemu_cmd_unsupported(c, "readonly %s disks are not supported", p->bus);
        if (strcmp(p->bus, "ide") == 0 && p->ctrl > 0)
                return qemu_cmd_unsupported(c, "Only a single IDE controller is supported for this machine type");
        return 0;
}

/* -add-fd for each descriptor of disk i's fdgroup, in the set its filename names. */
static int disk_add_fds(QemuCmd *c, const DomainDisk *d, size_t i, const char *alias) {
        const QemuDiskFdset *set = i < c->in->n_disk_fdsets ? &c->in->disk_fdsets[i] : NULL;
        if (!qemu_str_eq(d->type, "file"))
                return qemu_cmd_unsupported(c, "fdgroup of disk '%s' of type '%s' is not supported (only type 'file' is)",
                                            d->target_dev, d->type ? d->type : "");
        if (!set || set->n == 0)
                return vb_error_set(c->err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "file descriptor group '%s' was not associated with the domain", d->source_fdgroup);
        for (size_t k = 0; k < set->n; k++) {
                qemu_cmd_arg(c, "-add-fd");
                qemu_cmd_argf(c, "fd=%d,set=%zu,opaque=drive-%s-storage%zu", set->fds[k],
                              (size_t) QEMU_DISK_FDSET_BASE + i, alias, k);
        }
        return 0;
}

static int qemu_cmd_disk(QemuCmd *c, size_t i) {
        const DomainDisk *d = &c->devs->disks[i];
        QemuDiskPlace p;
        const char *source = NULL, *format = NULL;
        if (qemu_disk_place(d, &p, c->err) < 0 || disk_check(c, d, &p, &source, &format) < 0)
                return -1;
        for (size_t j = 0; j < i; j++)
                if (qemu_str_eq(c->devs->disks[j].target_dev, d->target_dev)) {
                        const DomainDisk *o = &c->devs->disks[j];
                        const char *os = o->source_file ? o->source_file : o->source_dev;
                        return vb_error_set(c->err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                            "target '%s' duplicated for disk sources '%s' and '%s'",
                                            d->target_dev, os ? os : "<null>", source ? source : "<null>");
                }
        bool cdrom = strcmp(d->device, "cdrom") == 0, readonly = cdrom || d->readonly;
        const CacheMode *cache = disk_cache(d);
        QemuStr s = { 0 };
        if (d->source_fdgroup && disk_add_fds(c, d, i, p.alias) < 0)
                return -1;
        if (source || d->net) {
                if (d->net) {
                        /* QEMU's libiscsi block driver (Debian: qemu-block-extra) logs in itself. */
                        qstr_printf(&s, "driver=iscsi,transport=tcp,portal=%s:%u", d->net->host, d->net->port);
                        qstr_kv(&s, "target", d->net->target);
                        qstr_printf(&s, ",lun=%u", d->net->lun);
                        qstr_kv(&s, "initiator-name", d->net->initiator);
                } else {
                        const char *driver = qemu_str_eq(d->type, "file") ? "file" : cdrom ? "host_cdrom" : "host_device";
                        qstr_printf(&s, "driver=%s", driver);
                        if (d->source_fdgroup) {
                                qstr_printf(&s, ",filename=/dev/fdset/%zu", (size_t) QEMU_DISK_FDSET_BASE + i);
                        } else {
                                qstr_kv(&s, "filename", source);
                        }
                }
                /* An fd set has no path to reopen: QEMU opens it once, in the disk's own mode (auto-read-only would
                 * ask first for a read-only descriptor the client did not give). */
                if (d->source_fdgroup)
                        qstr_printf(&s, ",node-name=drive-%s-storage,read-only=%s,discard=unmap", p.alias,
                                    cdrom || d->readonly ? "on" : "off");
                else
                        qstr_printf(&s, ",node-name=drive-%s-storage,auto-read-only=on,discard=unmap", p.alias);
                disk_cache_opts(&s, cache);
                qemu_cmd_opt(c, "-blockdev", &s);
                qstr_printf(&s, "node-name=drive-%s,read-only=%s", p.alias, readonly ? "on" : "off");
                if (qemu_str_eq(d->driver_discard, "unmap"))
                        qstr_printf(&s, ",discard=unmap");
                disk_cache_opts(&s, cache);
                qstr_printf(&s, ",driver=%s,file=drive-%s-storage", format, p.alias);
                qemu_cmd_opt(c, "-blockdev", &s);
        }

        const char *kind = cdrom ? "cd" : "hd";
        if (strcmp(p.bus, "virtio") == 0) {
                qstr_printf(&s, "virtio-blk-pci");
                qemu_pci_append(c, &s, &c->pci->disk[i]);
        } else if (strcmp(p.bus, "ide") == 0)
                qstr_printf(&s, "ide-%s,bus=ide.%u,unit=%u", kind, p.busno, p.unit);
        else if (strcmp(p.bus, "sata") == 0 && c->q35 && p.ctrl == 0)
                qstr_printf(&s, "ide-%s,bus=ide.%u", kind, p.unit);
        else if (strcmp(p.bus, "sata") == 0)
                qstr_printf(&s, "ide-%s,bus=sata%u.%u", kind, p.ctrl, p.unit);
        else
                qstr_printf(&s, "scsi-%s,bus=scsi%u.0,channel=0,scsi-id=0,lun=%u", kind, p.ctrl, p.unit);
        if (source || d->net)
                qstr_printf(&s, ",drive=drive-%s", p.alias);
        qstr_printf(&s, ",id=%s", p.alias);
        if (c->disk_boot[i])
                qstr_printf(&s, ",bootindex=%d", c->disk_boot[i]);
        if (cache)
                qstr_printf(&s, ",write-cache=%s", cache->write_cache ? "on" : "off");
        if (d->shareable)
                qstr_printf(&s, ",share-rw=on");
        if (d->serial)
                qstr_kv(&s, "serial", d->serial);
        if (qemu_cmd_disk_iothread(c, d, p.bus, &s) < 0) {
                free(s.s);
                return -1;
        }
        qemu_cmd_opt(c, "-device", &s);
        return 0;
}

int qemu_cmd_disks(QemuCmd *c) {
        for (size_t i = 0; i < c->devs->n_disks; i++)
                if (qemu_cmd_disk(c, i) < 0)
                        return -1;
        return 0;
}
