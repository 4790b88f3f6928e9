/* qemu-hotplug-priv.h: what the disk hotplug files share (qemu-hotplug.c: attach and detach; qemu-unplug.c: device_del; qemu-hotplug-media.c: CD-ROM media). */
#pragma once

#include <stdbool.h>

#include "qemu-priv.h"

/* disk's image labelled for (and given back from) the guest's QEMU by the security stack;
 * names: its DAC label's names looked up before (qemu-dac-names.c), NULL: none. */
int qemu_disk_label(QemuConn *qc, const Domain *d, DomainDisk *disk, const SecurityDacNames *names, VbError *err);
void qemu_disk_unlabel(QemuConn *qc, const Domain *d, DomainDisk *disk);
