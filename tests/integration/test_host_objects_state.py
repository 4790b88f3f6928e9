#!/usr/bin/python3
"""test_host_objects_state.py: virsh pool-capabilities against libvirtd 9.0's own output (recorded
in tests/data/libvirtd-9.0-pool-capabilities.xml from Debian's libvirtd on this machine; the types
virtbus has a backend for say supported='yes', and only those can be defined); node devices' IsActive / IsPersistent / GetAutostart / SetAutostart
(virsh nodedev-info, nodedev-autostart; libvirt's test driver byte for byte on Test, libvirt's
udev answers on QEMU) and virStoragePoolLookupByTargetPath (python3-libvirt: libvirt's path
cleaning and texts; libvirt's test driver's "not supported" on Test)."""

import re
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402


class HostObjectsState(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.test_uri = cls.daemon.uri("unix")
        cls.qemu_uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def virsh(self, uri, cmd, readonly=False):
        return remote_harness.run_virsh(uri, cmd, readonly=readonly, env=self.daemon.client_env())

    def test_nodedev_state_on_test_as_libvirt(self):
        for cmd in ("nodedev-info scsi_host1", "nodedev-info computer", "nodedev-autostart scsi_host1",
                    "nodedev-autostart --disable scsi_host2", "nodedev-info nosuch"):
            theirs = remote_harness.run_virsh("test:///default", cmd)
            ours = self.virsh(self.test_uri, cmd)
            self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                             (theirs.returncode, theirs.stdout, theirs.stderr), cmd)

    def test_nodedev_state_on_qemu(self):
        # the host's devices are udev's in libvirt: active, transient, never autostarted
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.qemu_uri)
        try:
            dev = conn.nodeDeviceLookupByName("computer")
            self.assertEqual((dev.isActive(), dev.isPersistent(), dev.autostart()), (1, 0, 0))
            with self.assertRaises(libvirt.libvirtError) as cm:
                dev.setAutostart(1)
            self.assertEqual(cm.exception.get_error_message(),
                             "Requested operation is not valid: cannot set autostart for transient device")
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        finally:
            conn.close()
        p = self.virsh(self.qemu_uri, "nodedev-info computer")
        self.assertEqual((p.returncode, p.stdout),
                         (0, "Name:           computer\nParent:         \nActive:         yes\n"
                             "Persistent:     no\nAutostart:      no\n\n"), p.stderr)
        # a read-only connection may ask, not change
        p = self.virsh(self.qemu_uri, "nodedev-autostart computer", readonly=True)
        self.assertIn("read only access prevents virNodeDeviceSetAutostart", p.stderr)

    def test_pool_lookup_by_target_path(self):
        libvirt = remote_harness.libvirt_module()
        target = Path(tempfile.mkdtemp(prefix="virtbus-pool-path-"))
        conn = libvirt.open(self.qemu_uri)
        try:
            xml = ("<pool type='dir'><name>by-path</name><target><path>%s</path></target></pool>" % target)
            pool = conn.storagePoolDefineXML(xml)
            with self.assertRaises(libvirt.libvirtError) as cm:     # inactive pools are not found
                conn.storagePoolLookupByTargetPath(str(target))
            self.assertEqual(cm.exception.get_error_message(),
                             "Storage pool not found: no storage pool with matching target path '%s'" % target)
            pool.create(0)
            for path in (str(target), str(target) + "/", str(target).replace("/", "//"), str(target) + "/./"):
                self.assertEqual(conn.storagePoolLookupByTargetPath(path).name(), "by-path", path)
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.storagePoolLookupByTargetPath(str(target) + "-nope/")
            self.assertEqual(cm.exception.get_error_message(),
                             "Storage pool not found: no storage pool with matching target path '%s-nope/' (%s-nope)"
                             % (target, target))
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_STORAGE_POOL)
            pool.destroy()
            pool.undefine()
        finally:
            conn.close()
        oracle = libvirt.open("test:///default")
        test = libvirt.open(self.test_uri)
        try:
            with self.assertRaises(libvirt.libvirtError) as theirs:
                oracle.storagePoolLookupByTargetPath("/default-pool")
            with self.assertRaises(libvirt.libvirtError) as ours:
                test.storagePoolLookupByTargetPath("/default-pool")
            self.assertEqual(remote_harness.error_fields(ours.exception)[:3],
                             remote_harness.error_fields(theirs.exception)[:3])
        finally:
            test.close()

    def test_pool_capabilities(self):
        golden = (Path(__file__).resolve().parent.parent / "data" / "libvirtd-9.0-pool-capabilities.xml").read_text()
        p = self.virsh(self.qemu_uri, "pool-capabilities")
        self.assertEqual(p.returncode, 0, p.stderr)
        strip = re.compile(r"supported='(yes|no)'")
        self.assertEqual(strip.sub("supported=''", p.stdout), strip.sub("supported=''", golden) + "\n")
        supported = dict(re.findall(r"<pool type='([^']+)' supported='(yes|no)'>", p.stdout))
        self.assertEqual(supported["dir"], "yes")
        # what the capabilities say is what pool-define does
        target = tempfile.mkdtemp(prefix="virtbus-pool-caps-")
        for kind, yes in supported.items():
            xml = Path(target) / ("%s.xml" % kind)
            xml.write_text("<pool type='%s'><name>caps-%s</name><source><device path='/dev/null'/>"
                           "<name>vg</name><host name='localhost'/><dir path='/x'/></source>"
                           "<target><path>%s/%s</path></target></pool>" % (kind, kind, target, kind))
            d = self.virsh(self.qemu_uri, "pool-define %s" % xml)
            if yes == "yes":
                self.assertNotIn("has no backend", d.stderr, kind)
                if d.returncode == 0:
                    self.virsh(self.qemu_uri, "pool-undefine caps-%s" % kind)
            else:
                self.assertIn("storage pool type '%s' has no backend on this host" % kind, d.stderr, kind)
        p = self.virsh(self.qemu_uri, "pool-capabilities", readonly=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        theirs = remote_harness.run_virsh("test:///default", "pool-capabilities")
        ours = self.virsh(self.test_uri, "pool-capabilities")
        self.assertEqual((ours.returncode, ours.stdout, ours.stderr), (theirs.returncode, theirs.stdout, theirs.stderr))


if __name__ == "__main__":
    remote_harness.main()
