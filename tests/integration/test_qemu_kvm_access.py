#!/usr/bin/python3
"""test_qemu_kvm_access.py: `virtbusd --system` offers the kvm domain type only where QEMU's user
(virtbus-qemu, a member of group kvm) may open /dev/kvm, as libvirt checks as the QEMU user.

The daemon runs in private mount and network namespaces (net_harness) whose /dev/kvm is a node of
the test's own, the KVM device's number (10:232), with the owner and mode a host without udev
leaves it (root:root 0600: only root opens it) or with Debian's udev rule's (root:kvm 0660).
`virsh capabilities` then lists, for the x86_64 guest, `<domain type='kvm'>` only in the second
world, and only where the host has a KVM device at all (root can open 10:232); on a host without
one, neither world offers it. Two more worlds keep the node root:root 0600 and add an access
ACL, as logind's uaccess or an admin's setfacl would: a named-user entry for virtbus-qemu (kvm
offered), then the same entry under an empty mask (not offered: the kernel refuses it too)."""

import grp
import os
import pwd
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import net_harness as nh  # noqa: E402

nh.enter_namespace()

import testmain  # noqa: E402

KVM_RDEV = os.makedev(10, 232)


class KvmNodeWorld(nh.NetWorld):
    """A system daemon whose /dev/kvm is the KVM device with the given owner group and mode."""

    def __init__(self, gid, mode, acl=None):
        super().__init__()
        self.kvm_gid, self.kvm_mode, self.kvm_acl = gid, mode, acl

    def bind_kvm_for_group(self):
        node = self.tmp / "dev-kvm"
        os.mknod(node, stat.S_IFCHR | self.kvm_mode, KVM_RDEV)
        os.chown(node, 0, self.kvm_gid)
        os.chmod(node, self.kvm_mode)
        if self.kvm_acl:
            os.setxattr(node, "system.posix_acl_access", self.kvm_acl)
        if not os.path.exists("/dev/kvm"):
            self.created.append(Path("/dev/kvm"))
            Path("/dev/kvm").touch()
        subprocess.run(["mount", "--bind", str(node), "/dev/kvm"], check=True)
        self.mounts.append("/dev/kvm")


# An access ACL as the kernel stores it (system.posix_acl_access): version 2, then
# (tag, permissions, id) entries, little-endian.
ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER = 0x01, 0x02, 0x04, 0x10, 0x20
NO_ID = 0xFFFFFFFF


def posix_acl(entries):
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in entries)


def host_has_kvm():
    """Whether this kernel has a KVM device (root can open 10:232), through a node of our own."""
    node = Path(tempfile.mkdtemp(prefix="virtbus-kvm-probe-")) / "kvm"
    os.mknod(node, stat.S_IFCHR | 0o600, KVM_RDEV)
    try:
        os.close(os.open(node, os.O_RDWR))
        return True
    except OSError:
        return False
    finally:
        node.unlink()
        node.parent.rmdir()


def x86_64_domain_types(world):
    """The domain types of the x86_64 guest in `virsh capabilities`, once QEMU is probed."""
    deadline = time.monotonic() + 150
    while True:
        p = world.virsh("capabilities")
        if p.returncode == 0 and "<guest>" in p.stdout:
            break
        if time.monotonic() > deadline:
            raise AssertionError("no capabilities with a guest: %s%s" % (p.stderr, world.log()[-2000:]))
        time.sleep(0.2)
    caps = ET.fromstring(p.stdout)
    for g in caps.findall("guest"):
        arch = g.find("arch")
        if arch is not None and arch.get("name") == "x86_64":
            return sorted(d.get("type") for d in arch.findall("domain"))
    raise AssertionError("no x86_64 guest in the capabilities:\n" + p.stdout)


class KvmAccessTest(unittest.TestCase):
    def world(self, gid, mode, acl=None):
        w = KvmNodeWorld(gid, mode, acl).start()
        self.addCleanup(w.stop)
        return w

    def test_kvm_offered_only_where_qemus_user_may_open_it(self):
        kvm_gid = grp.getgrnam("kvm").gr_gid
        self.assertIn("virtbus-qemu", grp.getgrnam("kvm").gr_mem, "scripts/setup.sh puts virtbus-qemu in group kvm")
        has_kvm = host_has_kvm()

        w = self.world(0, 0o600)
        self.assertEqual(x86_64_domain_types(w), ["qemu"],
                         "root:root 0600 /dev/kvm: virtbus-qemu cannot open it, so no kvm domain type")
        w.stop()

        w = self.world(kvm_gid, 0o660)
        self.assertEqual(x86_64_domain_types(w), ["kvm", "qemu"] if has_kvm else ["qemu"],
                         "root:kvm 0660 /dev/kvm: virtbus-qemu (group kvm) may open it")

    def test_access_acl_is_read_as_the_kernel_reads_it(self):
        has_kvm = host_has_kvm()
        qemu_uid = pwd.getpwnam("virtbus-qemu").pw_uid

        def acl(mask):
            return posix_acl([(ACL_USER_OBJ, 6, NO_ID), (ACL_USER, 6, qemu_uid), (ACL_GROUP_OBJ, 0, NO_ID),
                              (ACL_MASK, mask, NO_ID), (ACL_OTHER, 0, NO_ID)])

        w = self.world(0, 0o600, acl(6))
        self.assertEqual(x86_64_domain_types(w), ["kvm", "qemu"] if has_kvm else ["qemu"],
                         "root:root 0600 /dev/kvm with user:virtbus-qemu:rw-: QEMU's user may open it")
        w.stop()

        w = self.world(0, 0o600, acl(0))
        self.assertEqual(x86_64_domain_types(w), ["qemu"],
                         "user:virtbus-qemu:rw- under mask::---: the mask takes the grant away")


if __name__ == "__main__":
    testmain.main()
