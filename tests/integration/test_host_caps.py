#!/usr/bin/python3
"""test_host_caps.py: right after the daemon starts, while QEMU's capabilities are still being
probed in the background, capability requests wait for the probe instead of failing (libvirt
probes before it serves): virsh capabilities / domcapabilities / freepages --all, python3-libvirt
and D-Bus GetCapabilities / GetDomainCapabilities all succeed; bad flags are refused at once;
the daemon keeps serving other calls while they wait."""

import sys
import threading
import unittest
from pathlib import Path

import dbus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402

WAIT = 240      # QEMU's probe under TCG on a loaded 2-core machine: up to 90 s, then its timeout


class CapabilitiesWaitForProbe(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.qemu_uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def virsh(self, cmd):
        return remote_harness.run_virsh(self.qemu_uri, cmd, timeout=WAIT, env=self.daemon.client_env())

    def test_requests_at_start_wait_for_the_probe(self):
        # Every request goes out at once, from the daemon's first moment: none may fail.
        results = {}
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        libvirt = remote_harness.libvirt_module()

        def run(name, fn):
            try:
                results[name] = ("ok", fn())
            except Exception as e:     # noqa: BLE001 - reported by the assertions below
                results[name] = ("error", str(e))

        def python_domcaps():
            conn = libvirt.open(self.qemu_uri)
            try:
                return conn.getDomainCapabilities(None, None, None, None, 0)
            finally:
                conn.close()

        jobs = {
            "virsh capabilities": lambda: self.virsh("capabilities"),
            "virsh domcapabilities": lambda: self.virsh("domcapabilities"),
            "virsh freepages --all": lambda: self.virsh("freepages --all"),
            "python getDomainCapabilities": python_domcaps,
            "dbus GetCapabilities": lambda: str(connect.GetCapabilities(timeout=WAIT)),
            "dbus GetDomainCapabilities": lambda: str(connect.GetDomainCapabilities("", "", "", "", 0,
                                                                                    timeout=WAIT)),
        }
        threads = [threading.Thread(target=run, args=(n, f)) for n, f in jobs.items()]
        for t in threads:
            t.start()
        # While they wait, the loop serves others: bad flags are refused at once, not after the probe.
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            connect.GetDomainCapabilities("", "", "", "", 0x1000, timeout=WAIT)
        self.assertIn("unsupported flags (0x1000)", cm.exception.get_dbus_message())
        p = self.virsh("list --all")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        for t in threads:
            t.join(WAIT + 30)
        for name in jobs:
            self.assertIn(name, results)
            kind, value = results[name]
            self.assertEqual(kind, "ok", "%s: %s" % (name, value))
            if name.startswith("virsh"):
                self.assertEqual(value.returncode, 0, "%s: %s" % (name, value.stderr))
                value = value.stdout
            if "freepages" in name:
                self.assertIn("Node 0:\n4KiB: ", value)
            elif name.endswith("GetCapabilities") or name == "virsh capabilities":
                self.assertIn("<capabilities>", value)
                self.assertIn("<guest>", value)
            else:
                self.assertIn("<domainCapabilities>", value)
                self.assertIn("<path>", value)

    def test_sysinfo_from_dmi(self):
        # The host's SMBIOS facts (/sys/class/dmi/id), or libvirt's refusal on a host without any.
        dmi = Path("/sys/class/dmi/id")
        p = self.virsh("sysinfo")
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.qemu_uri)
        try:
            if not dmi.exists() and not Path("/sys/firmware/dmi/tables/DMI").exists():
                text = "unsupported configuration: Host SMBIOS information is not available"
                self.assertEqual((p.returncode, p.stderr), (1, "error: failed to get sysinfo\nerror: %s\n" % text))
                with self.assertRaises(libvirt.libvirtError) as cm:
                    conn.getSysinfo(0)
                self.assertEqual(cm.exception.get_error_message(), text)
                with self.assertRaises(dbus.exceptions.DBusException) as cm:
                    connect.GetSysinfo(0)
                self.assertEqual(cm.exception.get_dbus_message(), text)
                return
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith("<sysinfo type='smbios'>\n"), p.stdout)
            for name, f in (("vendor", "bios_vendor"), ("version", "bios_version")):
                v = (dmi / f).read_text().strip() if (dmi / f).exists() else ""
                if v:
                    self.assertIn("<entry name='%s'>%s</entry>" % (name, v.replace("&", "&amp;")), p.stdout)
            self.assertEqual(conn.getSysinfo(0), str(connect.GetSysinfo(0)))
            self.assertEqual(conn.getSysinfo(0) + "\n", p.stdout)
        finally:
            conn.close()


if __name__ == "__main__":
    remote_harness.main()
