"""test_qemu_vcpus.py: vCPU hotplug (virsh setvcpus, D-Bus SetVcpus) on qemu:///session with
the tiny test guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_vcpus.py -v

A guest defined with <vcpu current='1'>3</vcpu> gets its second vCPU live and loses it again:
the guest's `cpus` console command says what its kernel has online; vcpucount (GetVcpusFlags)
and the live XML follow; --config and --maximum change the definition only; what cannot be
done is refused with libvirt's words.
"""

import shutil
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon, wait_for  # noqa: E402

NAME = "vcpu-guest"
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu current='1'>3</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class QemuVcpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=NAME, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append))
        for cmd in ("define %s" % xml, "start %s" % NAME):
            p = cls.daemon.virsh("unix", cmd)
            if p.returncode != 0:
                raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, cls.daemon.log()[-3000:]))
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.dom = cls.conn.lookupByName(NAME)
        cls.console = ConsoleReader(cls.libvirt, cls.conn, cls.dom)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.console.stream.abort()
        except Exception:
            pass
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.virsh("unix", "destroy %s" % NAME)
        cls.daemon.stop()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def guest_cpus(self, timeout=120):
        """/sys/devices/system/cpu/online in the guest (its `cpus` command onlines new ones first)."""
        words = self.console.ask("cpus", "VIRTBUS-GUEST-CPUS", timeout)
        if not words:
            self.fail("the guest does not answer `cpus`: %r (%s)" % (self.console.data[-500:], self.console.error))
        return words[0]

    def count(self, flags):
        return self.dom.vcpusFlags(flags)

    def test_1_live_plug_and_unplug(self):
        import dbus
        live = self.libvirt.VIR_DOMAIN_AFFECT_LIVE
        self.assertEqual(self.guest_cpus(), "0")
        self.assertEqual(self.count(live), 1)
        self.virsh("setvcpus %s 2 --live" % NAME)
        self.assertEqual(self.count(live), 2)
        vcpu = ET.fromstring(self.dom.XMLDesc(0)).find("vcpu")
        self.assertEqual((vcpu.get("current"), vcpu.text), ("2", "3"))
        wait_for("two vCPUs online in the guest", lambda: self.guest_cpus() == "0-1", 60)
        # the definition is unchanged
        self.assertEqual(self.count(self.libvirt.VIR_DOMAIN_AFFECT_CONFIG), 1)

        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "%s/domain/_%s" % (QEMU_PATH, self.dom.UUIDString().replace("-", "_"))
            dom = dbus.Interface(bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)
            dom.SetVcpus(dbus.UInt32(3), dbus.UInt32(live), timeout=60)
        finally:
            bus.close()
        self.assertEqual(self.count(live), 3)
        wait_for("three vCPUs online in the guest", lambda: self.guest_cpus() == "0-2", 60)

        self.virsh("setvcpus %s 2 --live" % NAME)
        wait_for("two vCPUs in the live XML", lambda: self.count(live) == 2, 60)
        wait_for("two vCPUs online in the guest", lambda: self.guest_cpus() == "0-1", 60)

    def test_2_refusals(self):
        p = self.virsh("setvcpus %s 4 --live" % NAME, check=False)
        self.assertIn("requested vcpus is greater than max allowable vcpus for the live domain: 4 > 3", p.stderr)
        lv = self.libvirt
        with self.assertRaises(lv.libvirtError) as cm:
            self.dom.setVcpusFlags(3, lv.VIR_DOMAIN_AFFECT_LIVE | lv.VIR_DOMAIN_AFFECT_CONFIG | lv.VIR_DOMAIN_VCPU_MAXIMUM)
        self.assertIn("maximum vcpu count of a live domain can't be modified", str(cm.exception))
        # libvirt's client refuses MAXIMUM without CONFIG itself; the D-Bus door says the same
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "%s/domain/_%s" % (QEMU_PATH, self.dom.UUIDString().replace("-", "_"))
            dom = dbus.Interface(bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                dom.SetVcpus(dbus.UInt32(3), dbus.UInt32(lv.VIR_DOMAIN_AFFECT_LIVE | lv.VIR_DOMAIN_VCPU_MAXIMUM))
            self.assertIn("Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'",
                          str(cm.exception))
        finally:
            bus.close()
        p = self.virsh("setvcpus %s 4 --config" % NAME, check=False)
        self.assertIn("requested vcpus is greater than max allowable vcpus for the persistent domain: 4 > 3",
                      p.stderr)
        p = self.virsh("setvcpus %s 1 --live --guest" % NAME, check=False)
        self.assertIn("unsupported flags", p.stderr)
        self.assertEqual(self.count(self.libvirt.VIR_DOMAIN_AFFECT_LIVE), 2)

    def test_3_config_and_maximum(self):
        config = self.libvirt.VIR_DOMAIN_AFFECT_CONFIG
        self.virsh("setvcpus %s 5 --config --maximum" % NAME)
        self.assertEqual(self.count(config | self.libvirt.VIR_DOMAIN_VCPU_MAXIMUM), 5)
        self.virsh("setvcpus %s 4 --config" % NAME)
        self.assertEqual(self.count(config), 4)
        vcpu = ET.fromstring(self.dom.XMLDesc(self.libvirt.VIR_DOMAIN_XML_INACTIVE)).find("vcpu")
        self.assertEqual((vcpu.get("current"), vcpu.text), ("4", "5"))
        # the running guest keeps its own maximum
        self.assertEqual(self.count(self.libvirt.VIR_DOMAIN_AFFECT_LIVE | self.libvirt.VIR_DOMAIN_VCPU_MAXIMUM), 3)


if __name__ == "__main__":
    testmain.main()
