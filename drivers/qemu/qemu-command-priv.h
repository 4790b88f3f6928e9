/* qemu-command-priv.h: what the files of the command-line builder share: the argv being built, option strings, checks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"
#include "qemu-command-argv.h"
#include "qemu-command.h"

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

/* qemu-command-pci.c: the PCI plan, and ",bus=…,addr=…" of a place (nothing when not set). */
int qemu_cmd_plan_pci(QemuCmd *c);
void qemu_pci_plan_free(QemuPciPlan *p);
void qemu_pci_append(const QemuCmd *c, QemuStr *s, const QemuPciAddr *a);
const char *qemu_pci_bus_name(const QemuCmd *c, unsigned bus, char *buf, size_t len);

/* qemu-command-extra.c: sound, USB redirection and hubs, panic, and the refusal of
 * devices the driver cannot make. */
int qemu_cmd_sounds(QemuCmd *c);
int qemu_cmd_redirdevs(QemuCmd *c);
int qemu_cmd_panics(QemuCmd *c);
int qemu_cmd_check_unsupported_devices(QemuCmd *c);
/* qemu-command-tpm.c: the <tpm> (an emulator on in->tpm_socket_path), or its refusal. */
int qemu_cmd_tpms(QemuCmd *c);

/* qemu-command-disk.c: bootindex of disks and NICs, controllers, disks. */
int qemu_cmd_assign_boot(QemuCmd *c);
int qemu_cmd_controllers(QemuCmd *c);
int qemu_cmd_disks(QemuCmd *c);

/* qemu-command-devices.c: everything else in <devices>. */
int qemu_cmd_interfaces(QemuCmd *c);
int qemu_cmd_chardevs(QemuCmd *c);
int qemu_cmd_inputs(QemuCmd *c);
int qemu_cmd_graphics(QemuCmd *c);
int qemu_cmd_videos(QemuCmd *c);
int qemu_cmd_watchdogs(QemuCmd *c);
int qemu_cmd_memballoon(QemuCmd *c);
int qemu_cmd_rngs(QemuCmd *c);
/* qemu-command-mem.c: -m (with <maxMemory>'s slots and maximum: <memory> less the DIMMs) and
 * the DIMMs (memory-backend-ram memdimmN + pc-dimm dimmN); the ids of DIMM i (its alias when
 * the driver named it) and its slot (its <address slot>, else i; -1 when not a number). */
int qemu_cmd_memory(QemuCmd *c);
void qemu_dimm_ids(const DomainMemoryDev *m, size_t i, char *id, size_t len, char *memdev, size_t mlen);
long qemu_dimm_slot(const DomainMemoryDev *m, size_t i);
/* Whether the domain needs a USB bus / a virtio-serial bus for its devices. */
bool qemu_cmd_needs_usb(const QemuCmd *c);
bool qemu_cmd_needs_virtio_serial(const QemuCmd *c);

/* IOThreads (qemu-command-iothread.c): the -object of each, and a disk's iothread= (refused
 * off virtio or for an IOThread the definition lacks). */
int qemu_cmd_iothreads(QemuCmd *c);
int qemu_cmd_disk_iothread(QemuCmd *c, const DomainDisk *d, const char *bus, QemuStr *s);
