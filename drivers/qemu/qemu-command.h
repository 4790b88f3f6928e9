/* qemu-command.h: a domain definition turned into a QEMU command line, as a pure function. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"
#include "domain-model.h"
#include "error.h"
#include "qemu-conf.h"

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

/* The descriptors of a disk with <source fdgroup>, open in QEMU (see disk_fdsets). */
typedef struct QemuDiskFdset {
        const int *fds;
        size_t n;
} QemuDiskFdset;
#define QEMU_DISK_FDSET_BASE 200        /* disk i's fdset id: base + i (serials use 100 + n) */

typedef struct QemuCommandInput {
        const DomainDef *def;
        const QemuConfig *cfg;           /* NULL: qemu.conf's defaults */
        const char *name;                /* domain name; NULL: def->name */
        const char *qmp_socket_path;     /* required */
        /* > 0: a listening unix socket the daemon bound at qmp_socket_path, inherited by QEMU
         * (-chardev socket,fd=N): QEMU need not be able to write the socket's directory. */
        int qmp_socket_fd;
        /* qemu.conf seccomp_sandbox: -sandbox on with obsolete, elevateprivileges, spawn and
         * resourcecontrol denied. */
        bool seccomp_sandbox;
        const char *log_path;            /* not used by the command line yet (chardev <log>) */
        bool kvm_available;              /* /dev/kvm usable: type='kvm' needs it */
        int vnc_port;                    /* port chosen by the driver for an autoport VNC display; -1 none */
        int spice_port;                  /* the same for an autoport SPICE display; -1 none */
        int websocket_port;              /* the same for VNC's websocket='-1'; -1 none */
        const char *emulator_default;    /* when neither <emulator> nor qemu.conf's emulator is set */
        /* tap_fds[i]: the tap device's fd, open in QEMU, for interface i (in <devices> order)
         * of type bridge, network, ethernet (a tap) or direct (a macvtap); -1 or beyond n_tap_fds for interfaces that need none.
         * NULL: the driver creates no taps, and such interfaces are refused (VB_ERR_NO_SUPPORT). */
        const int *tap_fds;
        size_t n_tap_fds;
        /* tap_queue_fds[i] (i < n_tap_fds): for interface i with <driver queues='N'> (N > 1), its
         * N queue descriptors (-netdev tap,fds=…); NULL entries or array for the others. */
        const int *const *tap_queue_fds;
        /* Where unix channels without <source path> get their socket:
         * qemu_channel_default_path(channel_dir, name, <target name>) (libvirt generates such
         * paths for the guest agent channel). NULL: such a channel is an error. */
        const char *channel_dir;
        /* channel_fds[i] (> 0): for channel i (in <devices> order), a unix one without <source
         * path> in bind mode, the socket the daemon bound at its default path, inherited by
         * QEMU (-chardev socket,fd=N,server=on): a QEMU running as another user cannot create
         * it in channel_dir. -1, 0 or beyond n_channel_fds: QEMU binds the path itself. */
        const int *channel_fds;
        size_t n_channel_fds;
        /* >= 0: QEMU loads a saved state from this inherited descriptor (-incoming fd:N). */
        int incoming_fd;
        const char *loadvm;     /* -loadvm: the internal snapshot to start from, or NULL */
        bool incoming_defer;    /* -incoming defer: QEMU waits for migrate-incoming (a migration) */
        /* serial_file_fds[i]: for <serial type='file'> i (in <devices> order), the write end of
         * a pipe to the daemon's log writer for its <source path>, open in QEMU: passed with
         * -add-fd and opened as /dev/fdset/N. -1 or beyond n: QEMU opens the file itself. */
        const int *serial_file_fds;
        size_t n_serial_file_fds;
        /* disk_fdsets[i]: for disk i (in <devices> order) with <source fdgroup>, its group's
         * descriptors: -add-fd fd=N,set=BASE+i,opaque=… each, and the disk opened as
         * /dev/fdset/BASE+i. A disk with an fdgroup and no descriptors here is refused. */
        const QemuDiskFdset *disk_fdsets;
        size_t n_disk_fdsets;
        /* The unix socket the domain's swtpm listens on (qemu-tpm.c), for a <tpm> with backend
         * 'emulator': -chardev socket,id=chrtpm,path=… -tpmdev emulator. NULL: such a TPM is
         * refused (VB_ERR_NO_SUPPORT). */
        const char *tpm_socket_path;
} QemuCommandInput;

/* The socket of a virtio channel without <source path>: DIR/DOMAIN.channel.TARGET, one per
 * domain beside its monitor socket (DIR/DOMAIN.monitor); NULL when out of memory or the target
 * name holds a '/'. The argv builder, the guest agent and OpenChannel all find it here. */
char *qemu_channel_default_path(const char *dir, const char *domain, const char *target);

/* NULL-terminated argv, newly allocated; argv[0] is the emulator: <emulator> from the XML,
 * else cfg->emulator, else emulator_default. Pure: no I/O, no globals. NULL with err set when
 * the definition cannot be run: VB_ERR_CONFIG_UNSUPPORTED naming the element, libvirt's text
 * where libvirt has one (type='kvm' without KVM, CPU topology, USB disabled …). */
char **qemu_command_build(const QemuCommandInput *in, VbError *err);

/* qemu-usb-addr.c: USB ports of redirdevs and hubs (<address type='usb' bus='0' port='N'/>),
 * written into a definition when it is defined, as libvirt does; the command line uses them. */
int qemu_define_usb_addresses(DomainDef *def, VbError *err);
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
/* The QEMU id of a USB device (a NIC, …): its alias when it has one QEMU can take (a
 * hotplugged one, a user's ua-), else prefix<i> as the command line numbers them (input0, hub0). */
void qemu_usb_dev_id(const char *alias, const char *prefix, size_t i, char *buf, size_t len);
/* The lowest port of USB bus 0's root hub no device of def holds (inputs, USB sound,
 * redirdevs and hubs, in QEMU's command line order), or want (> 0) when it is free, for a
 * device (what: "<input>") to be attached; -1 with err when def has no USB controller, "No
 * free USB ports", or want is taken or beyond the controller's ports. */
int qemu_usb_free_port(const DomainDef *def, unsigned want, const char *what, VbError *err);

/* qemu-command-tpm.c: the definition's <tpm> with backend 'emulator' (swtpm), or NULL. */
const DomainTpm *qemu_tpm_emulator(const DomainDef *def);

/* A shell-quoted one-liner for logs and golden files; NULL on allocation failure. */
char *qemu_command_to_string(char *const *argv);

void qemu_argv_free(char **argv);

/* The device id of disk i of def (see above) into buf; -1 with err set when its target name
 * or bus cannot be placed. */
int qemu_disk_alias(const DomainDef *def, size_t i, char *buf, size_t len, VbError *err);

/* qemu-alias.c: libvirt's QEMU ids, one source for the command line and the live XML's
 * <alias>es. A controller's: pci.0/pcie.0 (the root bus), pci.N, usb (index 0, also the UHCI
 * companions), ide, q35's SATA 0 "ide", else TYPE<index> (scsi0, sata1, virtio-serial0, fdc0). */
bool qemu_machine_is_q35(const DomainDef *def);
/* Can alias be QEMU's id (letters, digits, '_', '.', '-'; shorter than len)? Another one never
 * reaches the command line: the device gets its numbered id, and so does its live <alias>. */
bool qemu_alias_usable(const char *alias, size_t len);
/* A user's alias (libvirt's "ua-" prefix): kept in the running definition for every device. */
bool qemu_alias_is_user(const char *alias);
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
