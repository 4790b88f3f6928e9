/* qemu-command-priv.h: the builders of the command line's parts, as qemu-command.c calls them in order; they write with qemu-command-argv.h and place PCI devices by qemu-command-pci.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"
#include "qemu-command-argv.h"
#include "qemu-command-pci.h"

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

/* IOThreads (qemu-command-iothread.c): the -object of each, and a disk's iothread= (refused
 * off virtio or for an IOThread the definition lacks). */
int qemu_cmd_iothreads(QemuCmd *c);
int qemu_cmd_disk_iothread(QemuCmd *c, const DomainDisk *d, const char *bus, QemuStr *s);
