/* qemu-command-input.h: what the driver gives the command-line builder (QemuCommandInput), and the names it prepares that input with. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"
#include "qemu-conf.h"

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

/* qemu-command-devices.c: the socket of a virtio channel without <source path>:
 * DIR/DOMAIN.channel.TARGET, one per domain beside its monitor socket (DIR/DOMAIN.monitor); NULL
 * when out of memory or the target name holds a '/'. The argv builder, the guest agent and
 * OpenChannel all find it here. */
char *qemu_channel_default_path(const char *dir, const char *domain, const char *target);

/* qemu-command-tpm.c: the definition's <tpm> with backend 'emulator' (swtpm), or NULL: the driver
 * runs swtpm for it and gives its socket as tpm_socket_path. */
const DomainTpm *qemu_tpm_emulator(const DomainDef *def);
