#!/usr/bin/python3
"""The QEMU connection's security model on a host that runs AppArmor, as virtbusd sees one.

This host has no AppArmor. The test re-executes itself in a private mount namespace where
/sys/module holds apparmor/parameters/enabled = "Y" and securityfs's place
(/sys/kernel/security) an apparmor/ directory: what the driver's probe asks of the host. There
virtbusd (root's qemu:///session, as test_qemu_lifecycle runs it) stacks the AppArmor driver and
answers as libvirt's does on Debian: NodeGetSecurityModel apparmor/0 on both doors, `virsh
capabilities` AppArmor's <secmodel> (no base label) then DAC's; with qemu.conf
security_driver = "none" the same host answers none. No guest starts (no apparmor_parser nor
kernel policy here): the labels of a running guest are unit-tested
(tests/unit/security/test-secmodel-apparmor.c)."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import testmain  # noqa: E402

NS_ENV = "VIRTBUS_APPARMOR_NS"


def enter_namespace():
    """Re-run this script in a private mount namespace that looks like an AppArmor host."""
    if os.environ.get(NS_ENV) == "1":
        for where, inside in (("/sys/module", "apparmor/parameters"), ("/sys/kernel/security", "apparmor")):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "none", where], check=True)
            os.makedirs(os.path.join(where, inside))
        Path("/sys/module/apparmor/parameters/enabled").write_text("Y\n")
        return
    if os.geteuid() != 0:
        testmain.skip_program("needs root (mount namespace)")
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv, env)


enter_namespace()

import dbus  # noqa: E402
import libvirt  # noqa: E402
from test_api_surface import wait_probed  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon  # noqa: E402

GUEST = """<domain type='qemu'>
  <name>aahost</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
"""
SECMODELS = (r"<secmodel>\s*<model>apparmor</model>\s*<doi>0</doi>\s*</secmodel>\s*"
             r"<secmodel>\s*<model>dac</model>\s*<doi>0</doi>\s*"
             r"<baselabel type='kvm'>\+0:\+0</baselabel>\s*"
             r"<baselabel type='qemu'>\+0:\+0</baselabel>\s*</secmodel>")


class AppArmorHost(unittest.TestCase):

    def setUp(self):
        libvirt.registerErrorHandler(lambda *a: None, None)
        self.d = None

    def tearDown(self):
        if self.d:
            self.d.stop()

    def start(self, qemu_conf=None):
        self.d = QemuDaemon()
        if qemu_conf is not None:
            conf_dir = self.d.tmp / "xdg_config_home" / "virtbus"
            conf_dir.mkdir(parents=True)
            (conf_dir / "qemu.conf").write_text(qemu_conf)
        self.d.start()
        c = libvirt.open(self.d.uri())
        self.addCleanup(c.close)
        return c

    def dbus_model(self):
        bus = dbus.bus.BusConnection(self.d.bus_address)
        self.addCleanup(bus.close)
        c = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        return [str(v) for v in c.NodeGetSecurityModel()]

    def test_model_is_apparmor(self):
        """NodeGetSecurityModel on both doors and virsh capabilities: AppArmor first, then DAC."""
        c = self.start()
        self.assertEqual(c.getSecurityModel(), ["apparmor", "0"])
        self.assertEqual(self.dbus_model(), ["apparmor", "0"])
        caps = wait_probed(c.getCapabilities)
        self.assertRegex(caps, SECMODELS)
        self.assertEqual(caps.count("<secmodel>"), 2)
        p = self.d.virsh("unix", "capabilities", timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, SECMODELS)

    def test_start_without_parser_fails_cleanly(self):
        """A start loads the guest's profile first: without apparmor_parser it fails saying so, the
        guest stays off and its profile file is removed (nothing spawned)."""
        c = self.start()
        wait_probed(c.getCapabilities)
        dom = c.defineXML(GUEST)
        with self.assertRaises(libvirt.libvirtError) as e:
            dom.create()
        # where the apparmor package is installed the parser runs and fails (no kernel policy)
        want = ("cannot load the AppArmor profile of domain 'aahost'" if os.path.exists("/sbin/apparmor_parser")
                else "Cannot find apparmor_parser binary /sbin/apparmor_parser")
        self.assertIn(want, str(e.exception), self.d.log()[-3000:])
        self.assertFalse(dom.isActive())
        leftovers = [str(p) for p in self.d.tmp.rglob("libvirt-%s" % dom.UUIDString())]
        self.assertEqual(leftovers, [])

    def test_unconfined_guest_loads_no_profile(self):
        """<seclabel type='none'/>: no profile is loaded (no parser needed), QEMU runs and the live
        definition keeps the label as written, with no AppArmor label added."""
        c = self.start()
        wait_probed(c.getCapabilities)
        dom = c.defineXML(GUEST.replace("aahost", "aanone").replace("</devices>", "</devices>\n  <seclabel type='none'/>"))
        try:
            dom.create()
            self.assertTrue(dom.isActive())
            xml = dom.XMLDesc(0)
            self.assertIn("<seclabel type='none'", xml)
            self.assertNotIn("apparmor", xml)
            self.assertEqual([str(p) for p in self.d.tmp.rglob("libvirt-%s" % dom.UUIDString())], [])
        finally:
            if dom.isActive():
                dom.destroy()

    def test_security_driver_none_answers_none(self):
        """qemu.conf security_driver = "none" on an AppArmor host: none/0, as without AppArmor."""
        c = self.start('security_driver = "none"\n')
        self.assertEqual(c.getSecurityModel(), ["none", "0"])
        self.assertEqual(self.dbus_model(), ["none", "0"])
        caps = wait_probed(c.getCapabilities)
        self.assertRegex(caps, r"<secmodel>\s*<model>none</model>\s*<doi>0</doi>\s*</secmodel>\s*<secmodel>\s*"
                               r"<model>dac</model>")
        self.assertNotIn("apparmor", caps)


if __name__ == "__main__":
    testmain.main()
