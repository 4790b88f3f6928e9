#!/usr/bin/python3
"""qemu.conf security_driver on this host, which runs neither SELinux nor AppArmor.

Unset or "none": the connection's model stays none/0 (what the stack answered before the key
existed). "apparmor" names a driver the host does not run: the daemon runs, answers none, and
every guest start fails saying why, nothing spawned (libvirt's daemon refuses the driver too;
virtbusd never runs a guest unconfined that the file asked to confine). A name that is no driver
stops the daemon at load, naming file:line. What the AppArmor model answers where AppArmor runs
is unit-tested (tests/unit/security/test-secmodel-apparmor.c)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libvirt  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
from test_qemu_lifecycle import QemuDaemon  # noqa: E402

GUEST = """<domain type='qemu'>
  <name>secdrv</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
"""


def daemon_with(qemu_conf):
    d = QemuDaemon()
    conf_dir = d.tmp / "xdg_config_home" / "virtbus"
    conf_dir.mkdir(parents=True)
    (conf_dir / "qemu.conf").write_text(qemu_conf)
    return d, conf_dir / "qemu.conf"


class SecurityDriverKey(unittest.TestCase):

    def setUp(self):
        libvirt.registerErrorHandler(lambda *a: None, None)
        self.d = None

    def tearDown(self):
        if self.d:
            self.d.stop()

    def open(self, qemu_conf):
        self.d, _ = daemon_with(qemu_conf)
        self.d.start()
        c = libvirt.open(self.d.uri())
        self.addCleanup(c.close)
        return c

    def test_none_answers_none(self):
        c = self.open('# AppArmor host, guests confined by DAC only\nsecurity_driver = "none"\n')
        self.assertEqual(c.getSecurityModel(), ["none", "0"])

    def test_list_with_dac_only_answers_none(self):
        c = self.open('security_driver = [ "dac" ]\n')
        self.assertEqual(c.getSecurityModel(), ["none", "0"])

    def test_driver_the_host_lacks_fails_every_start(self):
        c = self.open('security_driver = "apparmor"\n')
        self.assertEqual(c.getSecurityModel(), ["none", "0"])
        self.assertIn("security driver 'apparmor' is not enabled on this host", self.d.log())
        dom = c.defineXML(GUEST)
        with self.assertRaises(libvirt.libvirtError) as e:
            dom.create()
        self.assertIn("qemu.conf security_driver: security driver 'apparmor' is not enabled on this host",
                      str(e.exception), self.d.log()[-3000:])
        self.assertFalse(dom.isActive())
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_SHUTOFF)

    def test_unknown_driver_refuses_to_load(self):
        self.d, path = daemon_with('# confinement\nsecurity_driver = [ "apparmor", "smack" ]\n')
        with self.assertRaises(RuntimeError):
            self.d.start()
        self.assertIn('%s:2: security_driver: "smack" is not a security driver (selinux, apparmor, dac, none)'
                      % path, self.d.log())


if __name__ == "__main__":
    testmain.main()
