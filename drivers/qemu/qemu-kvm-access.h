/* qemu-kvm-access.h: whether QEMU, run as a given user, can use /dev/kvm. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Who runs QEMU: qemu.conf's user (or the daemon's own), with the supplementary groups a login
 * gives it (kvm, on Debian). */
typedef struct QemuKvmUser {
        uid_t uid;
        gid_t gid;
        gid_t *groups;          /* owned */
        size_t n_groups;
} QemuKvmUser;

/* KVM is usable when /dev/kvm opens for the daemon and its owner, group and mode let user read
 * and write it, as libvirt checks as the QEMU user: a node left root's alone (0600, no udev)
 * is not offered to guests whose QEMU would be refused it. An access ACL on the node (a seat
 * user's uaccess grant, a named group's entry) is read as the kernel reads it. */
bool qemu_kvm_usable_by(const QemuKvmUser *user);
