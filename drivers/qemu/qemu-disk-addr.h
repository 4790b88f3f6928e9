/* qemu-disk-addr.h: a disk's bus, controller, unit and QEMU id, from its target name. */
#pragma once

#include <stddef.h>

#include "domain-model.h"
#include "error.h"

#define QEMU_MAX_CONTROLLERS 32     /* controller indices a domain may use, per type */

/* Where a disk sits: its bus and libvirt's drive address derived from its target name. */
typedef struct QemuDiskPlace {
        const char *bus;       /* virtio, sata, ide, scsi */
        unsigned ctrl, busno, unit;
        char alias[32];
} QemuDiskPlace;

/* d's place; -1 with err set when its target name or bus cannot be placed. */
int qemu_disk_place(const DomainDisk *d, QemuDiskPlace *p, VbError *err);
/* The device id of disk i of def (see qemu-command.h) into buf; -1 with err set when its target
 * name or bus cannot be placed. */
int qemu_disk_alias(const DomainDef *def, size_t i, char *buf, size_t len, VbError *err);
