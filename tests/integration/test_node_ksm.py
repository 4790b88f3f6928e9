"""test_node_ksm.py: virNodeSetMemoryParameters on qemu:///session (issue 13): virsh node-memory-tune --shm-pages-to-scan /
--shm-sleep-millisecs / --shm-merge-across-nodes and D-Bus Connect.NodeSetMemoryParameters write the kernel's KSM files
(/sys/kernel/mm/ksm, read back from the host's side; the host's values are put back), libvirt's refusals change
nothing; a daemon in a mount namespace where the KSM files are read-only answers with an error naming the file.

    /usr/bin/python3 tests/integration/test_node_ksm.py -v

Needs root (the KSM files, a mount namespace).
"""

import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon  # noqa: E402
import testmain  # noqa: E402

KSM = Path("/sys/kernel/mm/ksm")
FILES = ("pages_to_scan", "sleep_millisecs", "merge_across_nodes")


def read_ksm():
    return {f: int((KSM / f).read_text()) for f in FILES if (KSM / f).exists()}


def writable():
    """Whether this host lets root write the KSM files (writing back what is there)."""
    try:
        (KSM / "pages_to_scan").write_text((KSM / "pages_to_scan").read_text())
        return True
    except OSError:
        return False


class KsmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root")
        if not KSM.is_dir():
            raise unittest.SkipTest("this kernel has no KSM")
        cls.saved = read_ksm()
        cls.daemon = QemuDaemon()
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.restore()
        cls.daemon.stop()

    @classmethod
    def restore(cls):
        now = read_ksm()
        for f, v in cls.saved.items():
            if now.get(f) != v:
                try:
                    (KSM / f).write_text(str(v))
                except OSError as e:
                    print("cannot restore %s: %s" % (KSM / f, e), file=sys.stderr)

    def virsh(self, daemon, cmd):
        return daemon.virsh("unix", cmd, timeout=120)

    def test_1_virsh_writes_the_files(self):
        if not writable():
            p = self.virsh(self.daemon, "node-memory-tune --shm-pages-to-scan 123")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("cannot write /sys/kernel/mm/ksm/pages_to_scan", p.stderr)
            return
        try:
            pages, sleep = self.saved["pages_to_scan"] + 7, self.saved["sleep_millisecs"] + 3
            p = self.virsh(self.daemon, "node-memory-tune --shm-pages-to-scan %d --shm-sleep-millisecs %d" % (pages, sleep))
            self.assertEqual(p.returncode, 0, p.stderr)
            got = read_ksm()
            self.assertEqual((got["pages_to_scan"], got["sleep_millisecs"]), (pages, sleep))
            out = self.virsh(self.daemon, "node-memory-tune").stdout
            self.assertIn("\tshm_pages_to_scan %d\n" % pages, out)
            self.assertIn("\tshm_sleep_millisecs %d\n" % sleep, out)
            if "merge_across_nodes" in self.saved:
                merge = self.saved["merge_across_nodes"]
                p = self.virsh(self.daemon, "node-memory-tune --shm-merge-across-nodes %d" % merge)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(read_ksm()["merge_across_nodes"], merge)
        finally:
            self.restore()

    def test_2_dbus_and_refusals(self):
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        conn = dbus.Interface(bus.get_object(harness.BUS_NAME, QEMU_PATH), harness.CONNECT)
        try:
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                conn.NodeSetMemoryParameters({"shm_pages_to_scan": dbus.String("x")}, dbus.UInt32(0))
            self.assertIn("invalid type for parameter 'shm_pages_to_scan', expected 'uint'", str(cm.exception))
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                conn.NodeSetMemoryParameters({"shm_pages_volatile": dbus.UInt32(1)}, dbus.UInt32(0))
            self.assertIn("parameter 'shm_pages_volatile' not supported", str(cm.exception))
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                conn.NodeSetMemoryParameters({"shm_pages_to_scan": dbus.UInt32(1)}, dbus.UInt32(1))
            self.assertIn("unsupported flags (0x1) in function virNodeSetMemoryParameters", str(cm.exception))
            self.assertEqual(read_ksm(), self.saved)
            if writable():
                conn.NodeSetMemoryParameters({"shm_sleep_millisecs": dbus.UInt32(self.saved["sleep_millisecs"] + 11)},
                                             dbus.UInt32(0))
                self.assertEqual(read_ksm()["sleep_millisecs"], self.saved["sleep_millisecs"] + 11)
        finally:
            bus.close()
            self.restore()

    def test_3_read_only_files(self):
        """A daemon that sees /sys/kernel/mm/ksm read-only (a bind mount in its own mount namespace)."""
        if not shutil.which("unshare"):
            self.fail("unshare (util-linux) is missing")
        ro = QemuDaemon()
        wrapper = ro.tmp / "virtbusd-ro-ksm"
        wrapper.write_text("#!/bin/sh\n"
                           "exec unshare -m --propagation private sh -c "
                           "'mount --bind %s %s && mount -o remount,bind,ro %s && exec \"$0\" \"$@\"' %s \"$@\"\n"
                           % (KSM, KSM, KSM, remote_harness.VIRTBUSD))
        wrapper.chmod(0o755)
        real = remote_harness.VIRTBUSD
        remote_harness.VIRTBUSD = wrapper
        try:
            ro.start()
        finally:
            remote_harness.VIRTBUSD = real
        try:
            p = self.virsh(ro, "node-memory-tune --shm-pages-to-scan %d" % (self.saved["pages_to_scan"] + 5))
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("cannot write /sys/kernel/mm/ksm/pages_to_scan: Read-only file system", p.stderr)
            self.assertEqual(read_ksm(), self.saved)
        finally:
            ro.stop()


if __name__ == "__main__":
    testmain.main()
