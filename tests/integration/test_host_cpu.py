#!/usr/bin/python3
"""test_host_cpu.py: virsh cpu-models on both connections, byte for byte against libvirt's test driver
(whose list is libvirt's CPU map, the QEMU driver's too); python3-libvirt's errors; D-Bus
GetCPUModelNames on /org/libvirt/Test and /org/libvirt/QEMU; node-memory-tune and nodesuspend
answer as libvirt's test driver does."""

import sys
import unittest
from pathlib import Path

import dbus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402


class HostCPU(unittest.TestCase):
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

    def virsh(self, uri, cmd):
        return remote_harness.run_virsh(uri, cmd, env=self.daemon.client_env())

    def test_virsh_against_libvirt(self):
        for cmd in ("cpu-models x86_64", "cpu-models i686", "cpu-models ppc64le", "cpu-models aarch64",
                    "cpu-models foo", "node-memory-tune", "nodesuspend mem 60"):
            theirs = remote_harness.run_virsh("test:///default", cmd)
            ours = self.virsh(self.test_uri, cmd)
            self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                             (theirs.returncode, theirs.stdout, theirs.stderr), cmd)
        # the QEMU connection lists the same map (libvirt's QEMU driver answers from it too)
        for arch in ("x86_64", "ppc64"):
            self.assertEqual(self.virsh(self.qemu_uri, "cpu-models " + arch).stdout,
                             remote_harness.run_virsh("test:///default", "cpu-models " + arch).stdout)
        self.assertIn("Haswell-noTSX-IBRS\n", self.virsh(self.qemu_uri, "cpu-models x86_64").stdout)

    def test_python_errors(self):
        libvirt = remote_harness.libvirt_module()
        oracle = libvirt.open("test:///default")
        conn = libvirt.open(self.test_uri)
        try:
            self.assertEqual(conn.getCPUModelNames("x86_64", 0), oracle.getCPUModelNames("x86_64", 0))
            for args in (("x86_64", 1), ("foo", 0)):
                with self.assertRaises(libvirt.libvirtError) as ours:
                    conn.getCPUModelNames(*args)
                with self.assertRaises(libvirt.libvirtError) as theirs:
                    oracle.getCPUModelNames(*args)
                self.assertEqual(remote_harness.error_fields(ours.exception)[:3],
                                 remote_harness.error_fields(theirs.exception)[:3])
        finally:
            conn.close()

    def test_dbus(self):
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        libvirt = remote_harness.libvirt_module()
        want = libvirt.open("test:///default").getCPUModelNames("x86_64", 0)
        for path in ("/org/libvirt/Test", "/org/libvirt/QEMU"):
            connect = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Connect")
            self.assertEqual([str(m) for m in connect.GetCPUModelNames("x86_64", 0)], want)
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                connect.GetCPUModelNames("foo", 0)
            self.assertEqual(cm.exception.get_dbus_message(), "invalid argument: cannot find architecture foo")


if __name__ == "__main__":
    remote_harness.main()
