/* qemu-alias.h: libvirt's QEMU ids, one source for the command line and the live XML's <alias>es. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"

/* Is def's machine a q35 one (q35, pc-q35-*)? */
bool qemu_machine_is_q35(const DomainDef *def);
/* Can alias be QEMU's id (letters, digits, '_', '.', '-'; shorter than len)? Another one never
 * reaches the command line: the device gets its numbered id, and so does its live <alias>. */
bool qemu_alias_usable(const char *alias, size_t len);
/* A user's alias (libvirt's "ua-" prefix): kept in the running definition for every device. */
bool qemu_alias_is_user(const char *alias);
/* A controller's id: pci.0/pcie.0 (the root bus), pci.N, usb (index 0, also the UHCI
 * companions), ide, q35's SATA 0 "ide", else TYPE<index> (scsi0, sata1, virtio-serial0, fdc0). */
void qemu_controller_id(const char *type, const char *model, long long index, bool q35, char *buf, size_t len);
/* Devices numbered by their place in the definition: a user's ua- alias when it has one (QEMU
 * gets it, as from libvirt), else video0, sound0, redir0, watchdog0, rng0, channel0 (a
 * hotplugged channel's own channelN is its alias too); the balloon is always balloon0. */
typedef enum {
        QEMU_ID_VIDEO, QEMU_ID_SOUND, QEMU_ID_REDIRDEV, QEMU_ID_WATCHDOG, QEMU_ID_RNG, QEMU_ID_BALLOON, QEMU_ID_CHANNEL
} QemuIdKind;
/* The buffer every device id is made in: an alias as long as it or longer is not QEMU's id. */
#define QEMU_ID_MAX 64
void qemu_device_id(const char *alias, QemuIdKind kind, size_t i, char *buf, size_t len);
/* The running definition's <alias> of each disk, controller, video, sound, redirdev,
 * watchdog, RNG and balloon: the id its command line gives it (a disk's, controller's and the
 * balloon's replaces a user's ua- alias: QEMU knows them by fixed ids); start (the definition
 * the command line is built from): also each NIC, input, hub and DIMM without one (net0,
 * input0, hub0, dimm0). 0, or -ENOMEM. */
int qemu_aliases_assign(DomainDef *live, bool start);
/* The QEMU id of a USB device (a NIC, …): its alias when it has one QEMU can take (a
 * hotplugged one, a user's ua-), else prefix<i> as the command line numbers them (input0, hub0). */
void qemu_usb_dev_id(const char *alias, const char *prefix, size_t i, char *buf, size_t len);
