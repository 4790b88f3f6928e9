#!/usr/bin/python3
"""test_host_cpu.py: virsh cpu-models on both connections, byte for byte against libvirt's test driver
(whose list is libvirt's CPU map, the QEMU driver's too); python3-libvirt's errors; D-Bus
GetCPUModelNames on /org/libvirt/Test and /org/libvirt/QEMU; node-memory-tune and nodesuspend
answer as libvirt's test driver does on Test, and node-memory-tune shows the host's KSM on QEMU."""

import sys
import time
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
                    "cpu-models foo", "node-memory-tune", "nodesuspend mem 60", "freepages --all",
                    "freepages --cellno 1 --pagesize 2048", "freepages --cellno 0"):
            theirs = remote_harness.run_virsh("test:///default", cmd)
            ours = self.virsh(self.test_uri, cmd)
            self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                             (theirs.returncode, theirs.stdout, theirs.stderr), cmd)
        # the QEMU connection lists the same map (libvirt's QEMU driver answers from it too)
        for arch in ("x86_64", "ppc64"):
            self.assertEqual(self.virsh(self.qemu_uri, "cpu-models " + arch).stdout,
                             remote_harness.run_virsh("test:///default", "cpu-models " + arch).stdout)
        self.assertIn("Haswell-noTSX-IBRS\n", self.virsh(self.qemu_uri, "cpu-models x86_64").stdout)

    def test_node_memory_parameters_from_ksm(self):
        ksm = Path("/sys/kernel/mm/ksm")
        want = [("shm_pages_to_scan", "pages_to_scan"), ("shm_sleep_millisecs", "sleep_millisecs")]
        p = self.virsh(self.qemu_uri, "node-memory-tune")
        if not ksm.exists():        # a kernel without KSM: libvirt's "not supported", checked, not skipped
            self.assertIn("this function is not supported by the connection driver: virNodeGetMemoryParameters",
                          p.stderr)
            return
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "Shared memory:")
        got = dict(line.split() for line in lines[1:] if line.strip())
        names = ["shm_pages_to_scan", "shm_sleep_millisecs", "shm_pages_shared", "shm_pages_sharing",
                 "shm_pages_unshared", "shm_pages_volatile", "shm_full_scans"]
        if (ksm / "merge_across_nodes").exists():
            names.append("shm_merge_across_nodes")
        self.assertEqual(sorted(got), sorted(names))
        for ours, f in want:        # settings, stable while the test runs
            self.assertEqual(int(got[ours]), int((ksm / f).read_text()))
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.qemu_uri)
        try:
            params = conn.getMemoryParameters(0)
            self.assertEqual(sorted(params), sorted(names))
            self.assertEqual(params["shm_sleep_millisecs"], int((ksm / "sleep_millisecs").read_text()))
        finally:
            conn.close()
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        params = connect.NodeGetMemoryParameters(0)
        self.assertEqual(sorted(str(k) for k in params), sorted(names))
        self.assertEqual(int(params["shm_pages_to_scan"]), int((ksm / "pages_to_scan").read_text()))

    def test_qemu_free_pages_from_sysfs(self):
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.qemu_uri)
        try:
            hp = Path("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages")
            if hp.exists():
                self.assertEqual(conn.getFreePages([2048], 0, 1, 0), {0: {2048: int(hp.read_text())}})
            free4k = conn.getFreePages([4], 0, 1, 0)[0][4]
            meminfo = Path("/sys/devices/system/node/node0/meminfo").read_text()
            memfree = int(next(line.split()[3] for line in meminfo.splitlines() if "MemFree:" in line))
            self.assertLess(abs(free4k - memfree // 4), 64 * 1024)      # within 256 MiB of a moving value
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.getFreePages([12345], 0, 1, 0)
            self.assertEqual(cm.exception.get_error_message(),
                             "operation failed: page size 12345 is not available on node 0")
        finally:
            conn.close()
        # virsh freepages --all reads the capabilities, which exist once QEMU has been probed
        # (in the background, from the daemon's start; up to 90 s on a loaded machine).
        deadline = time.monotonic() + 150
        while True:
            p = self.virsh(self.qemu_uri, "freepages --all")
            if p.returncode == 0 or "not probed yet" not in p.stderr or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Node 0:\n4KiB: ", p.stdout)

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
