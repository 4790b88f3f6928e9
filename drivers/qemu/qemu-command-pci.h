/* qemu-command-pci.h: where each PCI device of the definition sits on the command line (the plan qemu-command-pci.c makes). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "qemu-command-argv.h"

/* Where a PCI device sits (qemu-command-pci.c); set false: not a PCI device here. */
typedef struct QemuPciAddr {
        bool set, multifunction;
        unsigned bus, slot, function;
} QemuPciAddr;

#define QEMU_PCI_MAX_BUSES 64

/* The places of every PCI device of the definition, by device kind and position. */
typedef struct QemuPciPlan {
        QemuPciAddr *ctrl, *disk, *nic, *sound, *video, *watchdog, *rng, *input;
        QemuPciAddr balloon, default_video;
        QemuPciAddr auto_usb, auto_vserial, auto_scsi;   /* controllers the definition leaves out */
        /* q35: what went on bus 0 for want of a place libvirt would have added: PCIe devices
         * without a free pcie-root-port, conventional PCI devices without a pcie-to-pci-bridge. */
        unsigned need_root_ports;
        bool need_bridge;
        unsigned ports_before_bridge;   /* root ports counted when the bridge was first needed */
} QemuPciPlan;

/* The PCI plan (c->pci), and ",bus=…,addr=…" of a place (nothing when not set). */
int qemu_cmd_plan_pci(QemuCmd *c);
void qemu_pci_plan_free(QemuPciPlan *p);
void qemu_pci_append(const QemuCmd *c, QemuStr *s, const QemuPciAddr *a);
const char *qemu_pci_bus_name(const QemuCmd *c, unsigned bus, char *buf, size_t len);
/* Whether the domain's devices need a virtio-serial bus (virtio channels and consoles): the
 * plan places, and the controllers' builder adds, virtio-serial0 when the definition has none. */
bool qemu_cmd_needs_virtio_serial(const QemuCmd *c);
