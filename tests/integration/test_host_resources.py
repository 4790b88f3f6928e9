#!/usr/bin/python3
"""test_host_resources.py: networks and pools on the QEMU connection, through both doors.

Networks and storage pools belong to the host's subsystems. Networks have no backend yet (no
bridge, no dnsmasq) and storage has dir pools only (test_storage_dir.py): on qemu:///session
(and system) every verb that would need a missing backend answers libvirt's "this function is
not supported by the connection driver: <what>", lists stay empty and lookups fail, so nothing
reports success without effect. The Test connection keeps its own in-memory networks and pools.

Clients as users run them: virsh over qemu+unix:///session?socket=… (the remote door), busctl
and gdbus on /org/libvirt/QEMU (the D-Bus door), one virtbusd --session for all.

    /usr/bin/python3 tests/integration/test_host_resources.py -v
"""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402

# libvirt's own default network (/usr/share/libvirt/networks/default.xml) and a dir pool, as a
# new user would try them.
DEFAULT_NETWORK = """<network>
  <name>default</name>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
"""

# A pool type the host has no backend for.
LOGICAL_POOL = """<pool type='gluster'>
  <name>images</name>
  <source><name>vg0</name></source>
  <target><path>/dev/vg0</path></target>
</pool>
"""
NO_LOGICAL = "storage pool type 'gluster' has no backend on this host"

NO_SUPPORT = "this function is not supported by the connection driver: "
QEMU_PATH = "/org/libvirt/QEMU"


class HostResources(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise
        cls.files = Path(tempfile.mkdtemp(prefix="virtbus-host-"))
        (cls.files / "default.xml").write_text(DEFAULT_NETWORK)
        (cls.files / "images.xml").write_text(LOGICAL_POOL)
        cls.qemu_uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def virsh(self, cmd, uri=None):
        return remote_harness.run_virsh(uri or self.qemu_uri, cmd, env=self.daemon.client_env())

    def assertRefused(self, cmd, stderr):
        p = self.virsh(cmd)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (1, "\n", stderr), cmd)

    def busctl(self, path, method, sig, *args):
        argv = ["busctl", "--address=" + self.daemon.bus_address, "call", "org.libvirt", path,
                "org.libvirt.Connect", method, sig] + [str(a) for a in args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=30)

    # --- the remote door: virsh -------------------------------------------------------------

    def test_virsh_network_define_and_start_refused(self):
        f = self.files / "default.xml"
        self.assertRefused("net-define %s" % f, "error: Failed to define network from %s\n"
                           "error: %svirNetworkDefineXML\n" % (f, NO_SUPPORT))
        self.assertRefused("net-start default", "error: failed to get network 'default'\n"
                           "error: Network not found: no network with matching name 'default'\n")
        self.assertRefused("net-create %s" % f, "error: Failed to create network from %s\n"
                           "error: %svirNetworkCreateXML\n" % (f, NO_SUPPORT))
        p = self.virsh("net-list --all")
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, " Name   State   Autostart   Persistent\n"
                             "----------------------------------------\n\n", ""))

    def test_virsh_pool_define_and_start_refused(self):
        f = self.files / "images.xml"
        self.assertRefused("pool-define %s" % f, "error: Failed to define pool from %s\n"
                           "error: %s%s\n" % (f, NO_SUPPORT, NO_LOGICAL))
        self.assertRefused("pool-start images", "error: failed to get pool 'images'\n"
                           "error: Storage pool not found: no storage pool with matching name 'images'\n")
        self.assertRefused("pool-create %s" % f, "error: Failed to create pool from %s\n"
                           "error: %s%s\n" % (f, NO_SUPPORT, NO_LOGICAL))
        p = self.virsh("pool-list --all")
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, " Name   State   Autostart\n---------------------------\n\n", ""))

    def test_virsh_test_connection_keeps_its_own(self):
        """The Test connection's networks and pools stay private and fully working."""
        uri = self.daemon.uri("unix")
        f = self.files / "default.xml"
        p = self.virsh("net-define %s" % f, uri=uri)
        # the Test connection already has a 'default' network (another uuid): libvirt's refusal
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("network 'default' already exists with uuid", p.stderr)
        p = self.virsh("net-list --all", uri=uri)
        self.assertRegex(p.stdout, r"\n default +active +no +yes\n")
        p = self.virsh("pool-list --all", uri=uri)
        self.assertIn("default-pool", p.stdout)
        # and the QEMU connection still sees none of them
        self.assertNotIn("default", self.virsh("net-list --all").stdout)

    # --- the D-Bus door: busctl and gdbus -----------------------------------------------------

    def test_dbus_define_refused_on_qemu(self):
        cases = [("NetworkDefineXML", "s", [DEFAULT_NETWORK], "virNetworkDefineXML"),
                 ("NetworkCreateXML", "s", [DEFAULT_NETWORK], "virNetworkCreateXML"),
                 ("StoragePoolDefineXML", "su", [LOGICAL_POOL, 0], NO_LOGICAL),
                 ("StoragePoolCreateXML", "su", [LOGICAL_POOL, 0], NO_LOGICAL)]
        for method, sig, args, api in cases:
            p = self.busctl(QEMU_PATH, method, sig, *args)
            self.assertEqual((p.returncode, p.stdout, p.stderr),
                             (1, "", "Call failed: %s%s\n" % (NO_SUPPORT, api)), method)

    def test_dbus_lists_empty_and_lookups_fail_on_qemu(self):
        for method in ("ListNetworks", "ListStoragePools"):
            p = self.busctl(QEMU_PATH, method, "u", 0)
            self.assertEqual((p.returncode, p.stdout), (0, "ao 0\n"), p.stderr)
        p = self.busctl(QEMU_PATH, "NetworkLookupByName", "s", "default")
        self.assertEqual(p.stderr, "Call failed: Network not found: no network with matching name 'default'\n")
        p = self.busctl(QEMU_PATH, "StoragePoolLookupByName", "s", "images")
        self.assertEqual(p.stderr,
                         "Call failed: Storage pool not found: no storage pool with matching name 'images'\n")

    def test_gdbus_error_name(self):
        p = subprocess.run(["gdbus", "call", "--address", self.daemon.bus_address, "--dest", "org.libvirt",
                            "--object-path", QEMU_PATH, "--method", "org.libvirt.Connect.NetworkDefineXML",
                            DEFAULT_NETWORK], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("GDBus.Error:org.libvirt.Error: %svirNetworkDefineXML" % NO_SUPPORT, p.stderr)

    def test_dbus_test_connection_still_defines(self):
        xml = remote_harness.NETWORK_XML.format(name="hostres", bridge="hostres0")
        p = self.busctl("/org/libvirt/Test", "NetworkDefineXML", "s", xml)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("o \"/org/libvirt/Test/network/"), p.stdout)


if __name__ == "__main__":
    remote_harness.main()
