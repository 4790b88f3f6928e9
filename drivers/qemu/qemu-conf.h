/* qemu-conf.h: qemu.conf, the QEMU driver's configuration, in libvirt's qemu.conf syntax. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The keys (libvirt's qemu.conf names where the meaning is the same; the syntax is
 * libvirtd.conf's, read by service/config.c):
 *
 *   user = "virtbus-qemu"         the user QEMU runs as (a name this host knows or "+UID");
 *                                 default (NULL here): "virtbus-qemu" for qemu:///system, the
 *                                 daemon's own user for qemu:///session. A name that does not
 *                                 resolve refuses to load, naming file:line
 *   group = "virtbus-qemu"        its group (a name or "+GID"); default: the user's primary group
 *   dynamic_ownership = 1         chown the files QEMU opens (disks, kernel, initrd, file
 *                                 serials) to user:group at start, give them back at stop
 *   remember_owner = 1            keep the original owner (trusted.virtbus.dac.* extended
 *                                 attributes, with a reference count) to give back
 *   cgroup_controllers = [ "cpu", "cpuacct", "memory" ]
 *                                 a cgroup per guest (machine.slice/virtbus-qemu-NAME.scope)
 *                                 with <cputune>; [] for none. Default: on for
 *                                 qemu:///system, off for qemu:///session
 *   security_driver = "apparmor"  the driver above DAC (a string or a list: selinux, apparmor,
 *                                 dac, none); default (NULL): the host's, SELinux else AppArmor
 *   seccomp_sandbox = 1           QEMU's -sandbox on,obsolete=deny,elevateprivileges=deny,
 *                                 spawn=deny,resourcecontrol=deny (0: none)
 *   vnc_listen = "127.0.0.1"      the address a VNC display listens on when the domain's
 *                                 <graphics> names none; default "127.0.0.1"
 *   spice_listen = "127.0.0.1"    the same for SPICE; default "127.0.0.1"
 *   remote_display_port_min = 5900
 *   remote_display_port_max = 65535
 *                                 the range the driver picks automatic VNC and SPICE ports from
 *                                 (both within 5900..65535, min <= max)
 *   max_size = 2097152            virtlogd.conf's: QEMU's log of a guest is rotated when it
 *                                 would pass this many bytes (0: never)
 *   max_backups = 3               and this many rotated logs are kept (NAME.log.1 …)
 *   remote_websocket_port_min = 5700
 *   remote_websocket_port_max = 65535
 *                                 the range of automatic VNC websocket ports (websocket='-1')
 *
 * virtbus's own keys (libvirt has no equivalent):
 *
 *   emulator = "/usr/bin/qemu-system-x86_64"
 *                                 the QEMU binary for a domain without <emulator>
 *                                 (an absolute file name)
 *   machine_type = "pc"           the machine type for a domain whose <os><type> has no
 *                                 machine='…' ("pc", "q35", "pc-q35-7.2", …)
 *
 * Not supported yet (they warn as unknown keys): vnc_auto_unix_socket, vnc_tls, spice_tls,
 * cgroup_*, and the rest of libvirt's qemu.conf.
 */

typedef struct QemuConfig {
        char *user;             /* NULL: the connection's default (see user above) */
        char *group;            /* NULL: the user's primary group */
        char *vnc_listen;
        char *spice_listen;
        int remote_display_port_min;
        int remote_display_port_max;
        int remote_websocket_port_min;
        int remote_websocket_port_max;
        int max_size;           /* a guest's log is rotated past this many bytes (0: never) */
        int max_backups;        /* rotated logs kept: NAME.log.1 … */
        char *emulator;
        char *machine_type;
        bool dynamic_ownership;
        bool remember_owner;
        bool seccomp_sandbox;
        char **cgroup_controllers;      /* NULL: the connection's default; { NULL }: none */
        char **namespaces;              /* NULL or { NULL }: none; "mount": a private /dev (qemu-ns.c) */
        char **security_driver;         /* NULL: the host's (selinux, else apparmor); "none"; a list */
} QemuConfig;

/* Every key at its default. Returns 0 or -ENOMEM (then *c holds no memory). */
int qemu_conf_init(QemuConfig *c);
void qemu_conf_done(QemuConfig *c);

/* Parse text in qemu.conf syntax; name stands in for the file name in messages.
 * Unknown keys: a warning naming file:line. Wrong types and bad values: -EINVAL with
 * "NAME:LINE: what was expected" in errbuf and *c untouched. On success *c is replaced
 * (it must have been through qemu_conf_init()). */
int qemu_conf_parse(QemuConfig *c, const char *name, const char *text, size_t len,
                    char *errbuf, size_t errlen);

/* The same from a file. A missing file is not an error when optional is true: *c is reset to
 * the defaults. A file that cannot be read gives a negative errno and errbuf names it. */
int qemu_conf_load(QemuConfig *c, const char *path, bool optional, char *errbuf, size_t errlen);
