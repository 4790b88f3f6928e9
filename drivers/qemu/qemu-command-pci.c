/* qemu-command-pci.c: PCI addresses of a domain's devices, assigned in libvirt's order so the same definition always gives the same guest hardware. */
#include "qemu-command-pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-usb-addr.h"

/*
 * What libvirt does (qemuDomainAssignPCIAddresses), and so what a guest defined by
 * virt-install sees on either host:
 *
 * - bus 0 is the machine's root: "pci.0" (i440fx) or "pcie.0" (q35). Slot 0 is the host
 *   bridge; i440fx's PIIX3 is slot 1, q35's ICH9 LPC/SATA/SMBus slot 0x1f.
 * - the primary video card is 00:02.0 (i440fx) or 00:01.0 (q35), a place kept free when the
 *   guest has none;
 * - on q35, an ich9 sound card is 00:1b.0 and the ich9 USB2 controllers 00:1d.*;
 * - PCI controllers (pcie-root-port, index N, bus "pci.N") come first, eight functions to a
 *   slot from 00:02.0 (q35), port 0x10 + slot/function, chassis N;
 * - then, in this order, each device takes the next free place: NICs, sound, controllers
 *   (USB, SCSI, virtio-serial, SATA), virtio disks, the balloon, RNGs, the watchdog, the other
 *   video cards, virtio inputs. On q35 a PCIe device (virtio, xHCI, e1000e) takes slot 0 of
 *   the next free pcie-root-port; conventional PCI devices, and PCIe devices when no root
 *   port is free, go on bus 0 (libvirt would add a root port or a pcie-to-pci-bridge there:
 *   virtbus does not change the definition, see docs/qemu-devices.md).
 * - an <address type='pci'> in the definition is kept as it is.
 */

#define PCI_SLOTS 32

typedef struct PciBus {
        bool exists, root_port, bridge, pcie;
        unsigned char used[PCI_SLOTS];     /* function bitmask per slot */
} PciBus;

typedef struct PciState {
        QemuCmd *c;
        PciBus bus[QEMU_PCI_MAX_BUSES];
        bool video_slot_kept;              /* the primary video's place is free for it */
} PciState;

static QemuPciAddr *plan_array(size_t n) {
        return calloc(n + 1, sizeof(QemuPciAddr));
}

void qemu_pci_plan_free(QemuPciPlan *p) {
        if (!p)
                return;
        free(p->ctrl);
        free(p->disk);
        free(p->nic);
        free(p->sound);
        free(p->video);
        free(p->watchdog);
        free(p->rng);
        free(p->input);
        free(p);
}

const char *qemu_pci_bus_name(const QemuCmd *c, unsigned bus, char *buf, size_t len) {
        if (bus == 0)
                snprintf(buf, len, "%s", c->q35 ? "pcie.0" : "pci.0");
        else
                snprintf(buf, len, "pci.%u", bus);
        return buf;
}

void qemu_pci_append(const QemuCmd *c, QemuStr *s, const QemuPciAddr *a) {
        if (!a || !a->set)
                return;
        char bus[16];
        qstr_printf(s, ",bus=%s", qemu_pci_bus_name(c, a->bus, bus, sizeof bus));
        if (a->multifunction)
                qstr_printf(s, ",multifunction=on");
        if (a->function)
                qstr_printf(s, ",addr=0x%x.0x%x", a->slot, a->function);
        else
                qstr_printf(s, ",addr=0x%x", a->slot);
}

static int pci_take(PciState *st, QemuPciAddr *a, unsigned bus, unsigned slot, unsigned fn) {
        if (bus >= QEMU_PCI_MAX_BUSES || !st->bus[bus].exists)
                return qemu_cmd_unsupported(st->c, "no PCI controller with index %u for address "
                                            "0000:%02x:%02x.%x", bus, bus, slot, fn);
        if (slot >= PCI_SLOTS || fn > 7)
                return qemu_cmd_unsupported(st->c, "PCI address 0000:%02x:%02x.%x is out of range", bus, slot, fn);
        if (st->bus[bus].root_port && slot != 0)
                return qemu_cmd_unsupported(st->c, "a pcie-root-port has only slot 0 (address 0000:%02x:%02x.%x)",
                                            bus, slot, fn);
        if (st->bus[bus].bridge && slot == 0)
                return qemu_cmd_unsupported(st->c, "slot 0 of a pcie-to-pci-bridge is not usable (address "
                                            "0000:%02x:%02x.%x)", bus, slot, fn);
        if (st->bus[bus].used[slot] & (1u << fn))
                return vb_error_set(st->c->err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "Attempted double use of PCI Address 0000:%02x:%02x.%x", bus, slot, fn);
        st->bus[bus].used[slot] |= (unsigned char) (1u << fn);
        *a = (QemuPciAddr) { .set = true, .bus = bus, .slot = slot, .function = fn };
        return 0;
}

static unsigned parse_num(const char *s, bool *ok) {
        char *end;
        unsigned long v = s ? strtoul(s, &end, 0) : 0;
        *ok = s && *s && *end == '\0' && v < 256;
        return (unsigned) v;
}

/* An <address> the definition gives: kept. 0: none given; 1: taken; -1: error. */
static int pci_explicit(PciState *st, const DomainAddress *da, QemuPciAddr *a) {
        if (!da->type)
                return 0;
        if (strcmp(da->type, "pci") != 0)
                return qemu_cmd_unsupported(st->c, "address type '%s' is not supported for a PCI device", da->type);
        bool ok1, ok2, ok3 = true, ok4 = true;
        unsigned bus = parse_num(da->bus, &ok1), slot = parse_num(da->slot, &ok2);
        unsigned fn = da->function ? parse_num(da->function, &ok3) : 0;
        if (da->domain && parse_num(da->domain, &ok4) != 0)
                ok4 = false;
        if (!ok1 || !ok2 || !ok3 || !ok4)
                return qemu_cmd_unsupported(st->c, "PCI address (domain %s, bus %s, slot %s, function %s) is not valid",
                                            da->domain ? da->domain : "0", da->bus ? da->bus : "?",
                                            da->slot ? da->slot : "?", da->function ? da->function : "0");
        if (pci_take(st, a, bus, slot, fn) < 0)
                return -1;
        a->multifunction = qemu_str_eq(da->multifunction, "on");
        return 1;
}

/* The next free slot of bus 0 (function 0); on q35, of a free root port for a PCIe device, of a
 * pcie-to-pci-bridge for a conventional one (where libvirt puts them). Without one, bus 0, and
 * the plan counts what libvirt would have added to the definition. */
static int pci_next(PciState *st, QemuPciAddr *a, bool pcie, const char *what) {
        if (a->set)
                return 0;
        bool bridged = false;
        for (unsigned b = 1; b < QEMU_PCI_MAX_BUSES && st->c->q35; b++) {
                if (pcie && st->bus[b].exists && st->bus[b].root_port && !st->bus[b].used[0])
                        return pci_take(st, a, b, 0, 0);
                if (pcie || !st->bus[b].bridge)
                        continue;
                bridged = true;
                for (unsigned s = 1; s < PCI_SLOTS; s++)
                        if (!st->bus[b].used[s])
                                return pci_take(st, a, b, s, 0);
        }
        if (st->c->q35 && pcie)
                st->c->pci->need_root_ports++;
        else if (st->c->q35 && !bridged && !st->c->pci->need_bridge) {
                st->c->pci->need_bridge = true;
                st->c->pci->ports_before_bridge = st->c->pci->need_root_ports;
        }
        for (unsigned s = 1; s < PCI_SLOTS; s++)
                if (!st->bus[0].used[s])
                        return pci_take(st, a, 0, s, 0);
        return qemu_cmd_unsupported(st->c, "no free PCI slot for %s", what);
}

static bool ctrl_is_pcie(const DomainController *ctl) {
        const char *type = ctl->type ? ctl->type : "";
        if (strcmp(type, "usb") == 0)
                return !ctl->model || strcmp(ctl->model, "qemu-xhci") == 0 || strcmp(ctl->model, "nec-xhci") == 0;
        return strcmp(type, "scsi") == 0 || strcmp(type, "virtio-serial") == 0;
}

static bool ctrl_needs_pci(const QemuCmd *c, const DomainController *ctl) {
        const char *type = ctl->type ? ctl->type : "";
        long long index = ctl->index.set ? ctl->index.v : 0;
        if (strcmp(type, "usb") == 0)
                return !qemu_str_eq(ctl->model, "none");
        if (strcmp(type, "sata") == 0)
                return !(c->q35 && index == 0);
        return strcmp(type, "scsi") == 0 || strcmp(type, "virtio-serial") == 0;
}

static bool usb_companion(const DomainController *ctl) {
        return qemu_str_eq(ctl->type, "usb") && ctl->model && strncmp(ctl->model, "ich9-uhci", 9) == 0;
}

/* The ich9 USB2 set: EHCI at function 7, its UHCI companions at 0, 1, 2 of one slot. */
static int pci_usb2_set(PciState *st, QemuPciPlan *p, size_t ehci) {
        const DomainDevices *d = st->c->devs;
        if (p->ctrl[ehci].set)
                return 0;
        unsigned slot = 0;
        if (st->c->q35 && !st->bus[0].used[0x1d]) {
                slot = 0x1d;
        } else {
                for (unsigned s = 1; s < PCI_SLOTS && !slot; s++)
                        if (!st->bus[0].used[s])
                                slot = s;
                if (!slot)
                        return qemu_cmd_unsupported(st->c, "no free PCI slot for the USB controller");
        }
        if (pci_take(st, &p->ctrl[ehci], 0, slot, 7) < 0)
                return -1;
        long long index = d->controllers[ehci].index.set ? d->controllers[ehci].index.v : 0;
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *u = &d->controllers[i];
                if (!usb_companion(u) || (u->index.set ? u->index.v : 0) != index || p->ctrl[i].set)
                        continue;
                unsigned fn = (unsigned) (u->model[9] - '1');
                if (u->model[9] < '1' || u->model[9] > '3' || u->model[10])
                        return qemu_cmd_unsupported(st->c, "USB controller model '%s' is not supported", u->model);
                if (pci_take(st, &p->ctrl[i], 0, slot, fn) < 0)
                        return -1;
                p->ctrl[i].multifunction = fn == 0;
        }
        return 0;
}

/* A controller that is part of the machine's chipset: i440fx's PIIX3 UHCI (00:01.2) and q35's
 * ICH9 AHCI, SATA controller 0 (00:1f.2). Its place is the chipset's, in a slot the machine
 * holds, and libvirt writes it into the definition: true when ctl is one (written there or
 * nowhere), with its place in a. */
static bool pci_builtin(PciState *st, const DomainController *ctl, QemuPciAddr *a) {
        long long index = ctl->index.set ? ctl->index.v : 0;
        unsigned slot, fn = 2;
        if (!st->c->q35 && qemu_str_eq(ctl->type, "usb") && qemu_str_eq(ctl->model, "piix3-uhci"))
                slot = 1;
        else if (st->c->q35 && qemu_str_eq(ctl->type, "sata") && index == 0)
                slot = 0x1f;
        else
                return false;
        const DomainAddress *da = &ctl->address;
        if (da->type) {
                bool ok1, ok2, ok3 = true;
                if (!qemu_str_eq(da->type, "pci") || (da->domain && strtoul(da->domain, NULL, 0) != 0) ||
                    parse_num(da->bus, &ok1) != 0 || parse_num(da->slot, &ok2) != slot ||
                    parse_num(da->function ? da->function : "0", &ok3) != fn || !ok1 || !ok2 || !ok3)
                        return false;  /* elsewhere: an address like any other */
        }
        *a = (QemuPciAddr) { .set = true, .bus = 0, .slot = slot, .function = fn };
        return true;
}

static int pci_controllers(PciState *st, QemuPciPlan *p) {
        const DomainDevices *d = st->c->devs;
        st->bus[0].exists = true;
        st->bus[0].pcie = st->c->q35;
        st->bus[0].used[0] = 0xff;
        st->bus[0].used[st->c->q35 ? 0x1f : 1] = 0xff;
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *ctl = &d->controllers[i];
                if (!qemu_str_eq(ctl->type, "pci"))
                        continue;
                long long index = ctl->index.set ? ctl->index.v : 0;
                const char *model = ctl->model ? ctl->model : index == 0 ? (st->c->q35 ? "pcie-root" : "pci-root") : "";
                if (index == 0) {
                        if (strcmp(model, st->c->q35 ? "pcie-root" : "pci-root") != 0)
                                return qemu_cmd_unsupported(st->c, "PCI controller 0 must be '%s' on this machine, not '%s'",
                                                            st->c->q35 ? "pcie-root" : "pci-root", model);
                        continue;
                }
                bool bridge = strcmp(model, "pcie-to-pci-bridge") == 0;
                if ((strcmp(model, "pcie-root-port") != 0 && !bridge) || !st->c->q35)
                        return qemu_cmd_unsupported(st->c, "PCI controller model '%s' is not supported%s", model,
                                                    st->c->q35 ? "" : " on this machine type");
                if (index < 1 || index >= QEMU_PCI_MAX_BUSES)
                        return qemu_cmd_unsupported(st->c, "PCI controller index %lld is out of range (1 to %d)",
                                                    index, QEMU_PCI_MAX_BUSES - 1);
                if (st->bus[index].exists)
                        return qemu_cmd_unsupported(st->c, "PCI controller %lld is defined twice", index);
                st->bus[index] = (PciBus) { .exists = true, .root_port = !bridge, .bridge = bridge, .pcie = !bridge };
        }
        /* Explicit addresses of every device first, so automatic ones go around them. */
        for (size_t i = 0; i < d->n_controllers; i++)
                if (!pci_builtin(st, &d->controllers[i], &p->ctrl[i]) &&
                    pci_explicit(st, &d->controllers[i].address, &p->ctrl[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_interfaces; i++)
                if (pci_explicit(st, &d->interfaces[i].address, &p->nic[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_sounds; i++)
                if (pci_explicit(st, &d->sounds[i].address, &p->sound[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_disks; i++)
                if (qemu_str_eq(d->disks[i].address.type, "pci") &&
                    pci_explicit(st, &d->disks[i].address, &p->disk[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_videos; i++)
                if (pci_explicit(st, &d->videos[i].address, &p->video[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_watchdogs; i++)
                if (pci_explicit(st, &d->watchdogs[i].address, &p->watchdog[i]) < 0)
                        return -1;
        for (size_t i = 0; i < d->n_rngs; i++)
                if (pci_explicit(st, &d->rngs[i].address, &p->rng[i]) < 0)
                        return -1;
        if (pci_explicit(st, &d->memballoon.address, &p->balloon) < 0)
                return -1;
        /* The primary video's place is kept before anything else is placed, even for a guest
         * without one (libvirt keeps it free for a video card added later), unless a device
         * written there holds it (a definition with libvirt's addresses). */
        unsigned vslot = st->c->q35 ? 1 : 2;
        st->video_slot_kept = !(st->bus[0].used[vslot] & 1);
        if (!st->c->free_video_slot || d->n_videos || d->n_graphics)
                st->bus[0].used[vslot] |= 1;
        /* Root ports without an address: eight functions to a slot from the first free one (00:02.0 with a video). */
        unsigned slot = 1, fn = 0;     /* the first free slot: 00:01 is the video's when kept */
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *ctl = &d->controllers[i];
                if (!qemu_str_eq(ctl->type, "pci") || !qemu_str_eq(ctl->model, "pcie-root-port") || p->ctrl[i].set)
                        continue;
                if (fn == 0)
                        while (slot < PCI_SLOTS && st->bus[0].used[slot])
                                slot++;     /* a slot something else uses is not shared */
                if (slot >= PCI_SLOTS)
                        return qemu_cmd_unsupported(st->c, "no free PCI slot for pcie-root-port %lld", ctl->index.v);
                if (pci_take(st, &p->ctrl[i], 0, slot, fn) < 0)
                        return -1;
                if (++fn == 8) {
                        slot++;
                        fn = 0;
                }
        }
        /* pcie-to-pci-bridges without an address: the next free root port, as libvirt places them. */
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, "pci") && qemu_str_eq(d->controllers[i].model, "pcie-to-pci-bridge") &&
                    pci_next(st, &p->ctrl[i], true, "a pcie-to-pci-bridge") < 0)
                        return -1;
        /* Function 0 of a slot with more than one function says multifunction=on. */
        for (size_t i = 0; i < d->n_controllers; i++) {
                QemuPciAddr *a = &p->ctrl[i];
                if (a->set && a->function == 0 && st->bus[a->bus].used[a->slot] != 1)
                        a->multifunction = true;
        }
        return 0;
}

static bool video_pcie(const DomainVideo *v) {
        return qemu_str_eq(v->model_type, "virtio");
}

static bool nic_pcie(const DomainInterface *n) {
        return qemu_str_eq(n->model_type, "virtio") || qemu_str_eq(n->model_type, "e1000e");
}

static bool sound_pci(const DomainSound *s) {
        return qemu_str_eq(s->model, "ich6") || qemu_str_eq(s->model, "ich9") || qemu_str_eq(s->model, "ac97") ||
               qemu_str_eq(s->model, "es1370");
}

bool qemu_cmd_needs_virtio_serial(const QemuCmd *c) {
        const DomainDevices *d = c->devs;
        for (size_t i = 0; i < d->n_channels; i++)
                if (qemu_str_eq(d->channels[i].target_type, "virtio"))
                        return true;
        for (size_t i = 0; i < d->n_consoles; i++)
                if (qemu_str_eq(d->consoles[i].target_type, "virtio"))
                        return true;
        return false;
}

int qemu_cmd_plan_pci(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        QemuPciPlan *p = calloc(1, sizeof *p);
        PciState *st = calloc(1, sizeof *st);
        int r = -1;
        if (!p || !st)
                goto oom;
        st->c = c;
        c->pci = p;
        if (!(p->ctrl = plan_array(d->n_controllers)) || !(p->disk = plan_array(d->n_disks)) ||
            !(p->nic = plan_array(d->n_interfaces)) || !(p->sound = plan_array(d->n_sounds)) ||
            !(p->video = plan_array(d->n_videos)) || !(p->watchdog = plan_array(d->n_watchdogs)) ||
            !(p->rng = plan_array(d->n_rngs)) || !(p->input = plan_array(d->n_inputs)))
                goto oom;
        if (pci_controllers(st, p) < 0)
                goto out;
        /* The primary video's own place. */
        size_t primary = 0;
        for (size_t i = 0; i < d->n_videos; i++)
                if (qemu_str_eq(d->videos[i].primary, "yes"))
                        primary = i;
        unsigned vslot = c->q35 ? 1 : 2;
        if (d->n_videos && !p->video[primary].set && !qemu_str_eq(d->videos[primary].model_type, "none") &&
            !qemu_str_eq(d->videos[primary].model_type, "ramfb")) {
                if (st->video_slot_kept)
                        st->bus[0].used[vslot] &= (unsigned char) ~1u;
                if (!st->video_slot_kept ? pci_next(st, &p->video[primary], false, "a video card") < 0
                                         : pci_take(st, &p->video[primary], 0, vslot, 0) < 0)
                        goto out;
        } else if (!d->n_videos && d->n_graphics && st->video_slot_kept) {
                p->default_video = (QemuPciAddr) { .set = true, .bus = 0, .slot = vslot };
        }
        /* q35's fixed places for ICH9 devices. */
        for (size_t i = 0; i < d->n_sounds && c->q35; i++)
                if (qemu_str_eq(d->sounds[i].model, "ich9") && !p->sound[i].set && !st->bus[0].used[0x1b] &&
                    pci_take(st, &p->sound[i], 0, 0x1b, 0) < 0)
                        goto out;
        for (size_t i = 0; i < d->n_controllers && c->q35; i++)
                if (qemu_str_eq(d->controllers[i].model, "ich9-ehci1") && pci_usb2_set(st, p, i) < 0)
                        goto out;
        /* Then libvirt's order. */
        for (size_t i = 0; i < d->n_interfaces; i++)
                if (pci_next(st, &p->nic[i], nic_pcie(&d->interfaces[i]), "a network interface") < 0)
                        goto out;
        for (size_t i = 0; i < d->n_sounds; i++)
                if (sound_pci(&d->sounds[i]) && pci_next(st, &p->sound[i], false, "a sound card") < 0)
                        goto out;
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *ctl = &d->controllers[i];
                if (p->ctrl[i].set || !ctrl_needs_pci(c, ctl))
                        continue;
                if (qemu_str_eq(ctl->model, "ich9-ehci1")) {
                        if (pci_usb2_set(st, p, i) < 0)
                                goto out;
                } else if (!usb_companion(ctl) && !qemu_str_eq(ctl->model, "piix3-uhci") &&
                           pci_next(st, &p->ctrl[i], ctrl_is_pcie(ctl), "a controller") < 0) {
                        goto out;
                }
        }
        /* Controllers the definition leaves out but its devices need get places in the same way
         * (libvirt writes them into the definition, after the controllers written). */
        bool usb = false, vserial = false, scsi = false;
        for (size_t i = 0; i < d->n_controllers; i++) {
                usb |= qemu_str_eq(d->controllers[i].type, "usb");
                vserial |= qemu_str_eq(d->controllers[i].type, "virtio-serial");
                scsi |= qemu_str_eq(d->controllers[i].type, "scsi");
        }
        for (size_t i = 0; i < d->n_disks && !scsi; i++)
                if (qemu_str_eq(d->disks[i].target_bus, "scsi") ||
                    (!d->disks[i].target_bus && d->disks[i].target_dev && strncmp(d->disks[i].target_dev, "sd", 2) == 0)) {
                        if (pci_next(st, &p->auto_scsi, true, "the SCSI controller") < 0)
                                goto out;
                        scsi = true;
                }
        if ((!usb && qemu_devices_need_usb(c->devs) && pci_next(st, &p->auto_usb, true, "the USB controller") < 0) ||
            (!vserial && qemu_cmd_needs_virtio_serial(c) &&
             pci_next(st, &p->auto_vserial, true, "the virtio-serial controller") < 0))
                goto out;
        for (size_t i = 0; i < d->n_disks; i++)
                if (qemu_str_eq(d->disks[i].target_bus, "virtio") || (!d->disks[i].target_bus && d->disks[i].target_dev &&
                                                                      strncmp(d->disks[i].target_dev, "vd", 2) == 0))
                        if (pci_next(st, &p->disk[i], true, "a disk") < 0)
                                goto out;
        if (!qemu_str_eq(d->memballoon.model, "none") && pci_next(st, &p->balloon, true, "the memory balloon") < 0)
                goto out;
        for (size_t i = 0; i < d->n_rngs; i++)
                if (pci_next(st, &p->rng[i], true, "an RNG") < 0)
                        goto out;
        for (size_t i = 0; i < d->n_watchdogs; i++)
                if (qemu_str_eq(d->watchdogs[i].model, "i6300esb") && pci_next(st, &p->watchdog[i], false, "a watchdog") < 0)
                        goto out;
        for (size_t i = 0; i < d->n_videos; i++)
                if (i != primary && !qemu_str_eq(d->videos[i].model_type, "ramfb") &&
                    pci_next(st, &p->video[i], video_pcie(&d->videos[i]), "a video card") < 0)
                        goto out;
        for (size_t i = 0; i < d->n_inputs; i++)
                if (qemu_str_eq(d->inputs[i].bus, "virtio") && pci_next(st, &p->input[i], true, "an input device") < 0)
                        goto out;
        r = 0;
        goto out;
oom:
        vb_error_set(c->err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
out:
        if (r < 0 && !c->pci)
                qemu_pci_plan_free(p);
        free(st);
        return r;
}
