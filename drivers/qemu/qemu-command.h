/* qemu-command.h: a domain definition turned into a QEMU command line, as a pure function. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"
#include "domain-model.h"
#include "error.h"
#include "qemu-alias.h"
#include "qemu-command-input.h"
#include "qemu-conf.h"
#include "qemu-disk-addr.h"
#include "qemu-usb-addr.h"

/*
 * What the command line decides for the driver (qemu-domain.c, which spawns QEMU through lib/process.c):
 *
 * - QEMU starts paused (-S): the driver connects to the QMP socket, sets what only QMP can
 *   set (balloon target for <currentMemory>, balloon <stats period>, VNC and SPICE passwords
 *   (the command line asks for one with password=on / without disable-ticketing),
 *   <link state='down'/> via set_link, the pty names for <serial tty> from query-chardev)
 *   and then sends "cont" (or leaves it paused for VIR_DOMAIN_START_PAUSED).
 *
 * - -no-shutdown, always (as libvirt): when the guest powers off, QEMU stops the vCPUs, emits
 *   SHUTDOWN (with "guest": true) and keeps running. The driver then records the shutdown
 *   (state shutoff, reason shutdown) and ends QEMU itself with QMP "quit" (or SIGTERM). This
 *   keeps the decision in the driver: a reboot through ACPI, on_poweroff handling and telling
 *   a guest shutdown from a crash (SHUTDOWN before EOF, versus EOF alone) all work the same
 *   way. A virtbusd restarting while the guest shuts down must therefore ask query-status
 *   after reconnecting: "shutdown" means the guest is off and QEMU is to be quit.
 *
 * - <on_reboot>destroy</on_reboot> adds -no-reboot: a guest reboot is then a SHUTDOWN event
 *   (reason guest-reset) the driver handles as above.
 *
 * - The QMP monitor is a unix socket QEMU creates at qmp_socket_path (server=on,wait=off);
 *   its directory must exist; QEMU replaces a stale socket left at the path. Unix channels
 *   (the guest agent) are sockets QEMU creates the same way.
 *
 * - The guest sees no ACPI unless <features><acpi/> says so (acpi=off, as libvirt): such a
 *   guest ignores system_powerdown.
 *
 * Ids, stable and libvirt's where libvirt has one (hotplug and QMP queries rely on them):
 *   disks      device "virtio-disk<N>" (vdX), "sata<C>-0-<U>", "ide<C>-<B>-<U>", "scsi<C>-0-0-<U>"
 *              from the target name as libvirt derives them (vda → virtio-disk0, sdb on sata
 *              → sata0-0-1, hdc → ide0-1-0); block nodes "drive-<id>" (the format node the
 *              device uses) over "drive-<id>-storage" (the file or host_device node)
 *   NICs       device "net<i>" (or its usable alias), netdev "host" + the device's id (i: position in <devices>)
 *   serials    device "serial<port>", chardev "charserial<port>"; a <console type serial>
 *              is the serial with its port, or becomes one when there is none
 *   consoles   virtio consoles: device "console<i>", chardev "charconsole<i>"
 *   channels   device "channel<i>" (or its alias: a user's ua-, a hotplugged one's), chardev
 *              "char" + the device's id
 *   inputs     "input<i>"; video "video<i>"; watchdog "watchdog0"; balloon "balloon0";
 *   rng        device "rng<i>", backend object "objrng<i>"
 *   controllers usb "usb" (bus usb.0), scsi "scsi<index>", sata "sata<index>" (q35's own AHCI
 *              is "ide"), virtio-serial "virtio-serial<index>"
 *   monitor    chardev "charmonitor", monitor "monitor"
 *   firmware   pflash nodes "libvirt-pflash0-format" (code) and "libvirt-pflash1-format" (vars)
 *
 * Defaults the definition does not spell out (libvirt writes them into the XML at define
 * time; virtbus's XML layer does not, so they are applied here):
 *   no <memballoon> → a virtio balloon; graphics without <video> → a VGA device;
 *   a USB device without a USB controller (or a controller without a model) → qemu-xhci;
 *   a SCSI disk without its controller → virtio-scsi; <disk> without a driver type → raw;
 *   <interface> without a model → rtl8139; NIC, disk and video devices are placed by QEMU
 *   (PCI addresses in the XML are ignored; PCI controllers other than the root are ignored).
 *
 * Not supported yet (VB_ERR_CONFIG_UNSUPPORTED naming the element): network disks, dir and
 * volume disks, floppy and lun, disk formats other than raw and qcow2, interface types other
 * than user, bridge and network, macvtap, firmware autoselection (<os firmware='efi'> without
 * a <loader>), clock offsets other than utc and localtime, smbios mode 'host', SPICE TLS,
 * graphics other than VNC and SPICE, more than one display of a kind.
 */



/* NULL-terminated argv, newly allocated; argv[0] is the emulator: <emulator> from the XML,
 * else cfg->emulator, else emulator_default. Pure: no I/O, no globals. NULL with err set when
 * the definition cannot be run: VB_ERR_CONFIG_UNSUPPORTED naming the element, libvirt's text
 * where libvirt has one (type='kvm' without KVM, CPU topology, USB disabled …). */
char **qemu_command_build(const QemuCommandInput *in, VbError *err);

/* qemu-pci-define.c: the PCI address the command line gives each PCI device without one
 * written into def, with the controllers libvirt adds (PCI 0, q35's SATA 0, and the USB, SCSI
 * and virtio-serial ones devices need), so the definition keeps its places when devices are
 * added. default_machine: qemu.conf's, for a definition without a machine. extend: on q35, add
 * the pcie-root-ports and the pcie-to-pci-bridge libvirt adds for devices without a place, and
 * its implicit USB controller (not for hardware a guest already has, Connection.keep_layout:
 * saved definitions read back, incoming migrations, restored images keep the command line's). A definition
 * the command line would refuse is left as it is (the start names the problem). -1 only when out
 * of memory. */
int qemu_define_pci_addresses(DomainDef *def, const char *default_machine, bool extend, VbError *err);

/* A shell-quoted one-liner for logs and golden files; NULL on allocation failure. */
char *qemu_command_to_string(char *const *argv);

void qemu_argv_free(char **argv);
