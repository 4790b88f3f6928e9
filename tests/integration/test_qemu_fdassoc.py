"""test_qemu_fdassoc.py: virDomainFDAssociate (remote proc 443) and disks' <source fdgroup>, with python3-libvirt and a TCG guest.

    /usr/bin/python3 tests/integration/test_qemu_fdassoc.py -v

The guest's disk is an ext2 image that the test opens read-write and hands over with
dom.FDAssociate("g1", [fd]); its <source file> names a path that does not exist, so only the
descriptor can work: the guest boots and mounts the disk (virtbus.mount=vda:/mnt/data prints
VIRTBUS-GUEST-MOUNTED). A start without the group fails with libvirt's words, and a client's
groups go with its connection: a later start on another connection fails the same way.
"""

import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

BOOT_TIMEOUT = 120

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append} virtbus.mount=vda:/mnt/data</cmdline>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{path}' fdgroup='g1'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

NOT_ASSOCIATED = "file descriptor group 'g1' was not associated with the domain"


class FdAssociateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = lc.QemuDaemon()
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise
        cls.disk = cls.daemon.tmp / "fd-disk.img"
        with open(cls.disk, "wb") as f:
            f.truncate(8 << 20)
        subprocess.run(["mkfs.ext2", "-q", "-F", "-L", "fddata", str(cls.disk)], check=True)
        cls.missing = cls.daemon.tmp / "no-such-dir" / "disk.img"    # QEMU could never open this
        cls.console = cls.daemon.tmp / "console.log"
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        xml = DOMAIN_XML.format(name="fdguest", kernel=cls.image.kernel, initrd=cls.image.initrd,
                                append=cls.image.append, path=cls.missing, console=cls.console)
        cls.dom = cls.conn.defineXML(xml)

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.dom.isActive():
                cls.dom.destroy()
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def open_disk(self):
        fd = os.open(self.disk, os.O_RDWR | os.O_CLOEXEC)
        self.addCleanup(os.close, fd)
        return fd

    def console_text(self):
        try:
            return self.console.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def test_01_dumpxml_keeps_fdgroup(self):
        xml = self.dom.XMLDesc(0)
        self.assertIn("<source file='%s' fdgroup='g1'/>" % self.missing, xml)

    def test_02_start_without_group_fails(self):
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.create()
        self.assertEqual(str(cm.exception), "operation failed: " + NOT_ASSOCIATED)
        self.assertFalse(self.dom.isActive())

    def test_03_bad_arguments(self):
        fd = self.open_disk()
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.FDAssociate("g1", [fd], 4)
        self.assertIn("unsupported flags (0x4) in function virDomainFDAssociate", str(cm.exception))
        # nothing was kept: a start still fails
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.create()
        self.assertIn(NOT_ASSOCIATED, str(cm.exception))

    def test_04_guest_boots_from_the_descriptor(self):
        fd = self.open_disk()
        self.dom.FDAssociate("g1", [fd], 0)
        self.dom.create()
        try:
            lc.wait_for("the guest mounted its fd-backed disk",
                        lambda: "VIRTBUS-GUEST-MOUNTED /mnt/data" in self.console_text(), BOOT_TIMEOUT)
            self.assertNotIn("cannot mount", self.console_text())
            argv = Path("/proc/%d/cmdline" % self.qemu_pid()).read_bytes().split(b"\0")
            self.assertIn(b"-add-fd", argv)
            self.assertFalse(any(str(self.missing).encode() in a for a in argv))
        finally:
            self.dom.destroy()

    def qemu_pid(self):
        import json
        rt = next((self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu").glob("fdguest.runtime.json"))
        return json.loads(rt.read_text())["pid"]

    def daemon_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.daemon.proc.pid))

    def test_05_group_goes_with_its_connection(self):
        # test_04's group g1 (this connection's, one descriptor) is still held by the daemon
        before = self.daemon_fds()
        other = self.libvirt.open(self.daemon.uri())
        fd = self.open_disk()
        # the same name replaces the group, as libvirt's does (and the other client owns it now):
        # its old descriptor is closed, never kept twice
        other.lookupByName("fdguest").FDAssociate("g1", [fd], 0)
        other.lookupByName("fdguest").FDAssociate("g1", [fd], 0)
        self.assertEqual(self.daemon_fds(), before + 1)     # the other connection's socket
        other.close()
        # its socket and its group's descriptor are closed
        lc.wait_for("the daemon closed the group's descriptor", lambda: self.daemon_fds() == before - 1, 30)
        # the other client's group is gone with it: a start here finds none
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.create()
        self.assertIn(NOT_ASSOCIATED, str(cm.exception))
        self.assertFalse(self.dom.isActive())

    def test_06_refusals_keep_nothing(self):
        before = self.daemon_fds()
        fd = self.open_disk()
        # open(), not openReadOnly(): libvirt's client would refuse by itself before sending
        ro = self.libvirt.open("qemu+unix:///session?socket=%s" % self.daemon.sock_ro)
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            ro.lookupByName("fdguest").FDAssociate("g1", [fd], 0)
        self.assertEqual(cm.exception.get_error_message(),
                         "operation forbidden: read only access prevents virDomainFDAssociate")
        ro.close()
        # the test driver (libvirt's has no FDAssociate either) answers "not supported"
        t = self.libvirt.open("test+unix:///default?socket=%s" % self.daemon.sock)
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            t.lookupByName("test").FDAssociate("g1", [fd], 0)
        self.assertEqual(cm.exception.get_error_message(),
                         "this function is not supported by the connection driver: virDomainFDAssociate")
        t.close()
        lc.wait_for("the daemon kept none of the refused descriptors", lambda: self.daemon_fds() == before, 30)


if __name__ == "__main__":
    if not shutil.which("qemu-system-x86_64"):
        sys.exit("qemu-system-x86_64 is not installed")
    testmain.main()
