/* qemu-firmware.h: UEFI firmware chosen from QEMU's firmware descriptors (docs/interop/firmware.json), for <os firmware='efi'> and for a <loader> without <nvram>. */
#pragma once

#include <stdbool.h>

#include "error.h"

typedef struct QemuFirmware {
        char *executable;         /* the code image (pflash unit 0) */
        char *nvram_template;     /* the variable store a guest's NVRAM is copied from */
        bool secure_boot, requires_smm;
} QemuFirmware;

/* The first descriptor (name order; /etc/qemu/firmware hides /usr/share/qemu/firmware) that is
 * UEFI on flash for arch ("x86_64") and machine ("pc-q35-7.2"), with executable as its code
 * image when executable is not NULL. 0 and *out filled, -ENOENT when none fits, -ENOMEM. */
int qemu_firmware_find(const char *arch, const char *machine, const char *executable, QemuFirmware *out);
void qemu_firmware_clear(QemuFirmware *fw);

/* Copies template to nvram (mode 0600, its directory made 0700) when nvram does not exist yet.
 * A small file read from the page cache: the copy is done on the loop, bounded to 64 MiB. */
int qemu_nvram_prepare(const char *nvram, const char *template, VbError *err);
