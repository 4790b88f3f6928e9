#!/usr/bin/python3
"""test_qemu_graphics_password.py: a VNC display's password changed live and its expiry
(passwdValidTo), checked with a real VNC authentication (RFB 3.8, DES) against QEMU.

    /usr/bin/python3 tests/integration/test_qemu_graphics_password.py -v

`virsh update-device DOM graphics.xml --live` with a new passwd goes through QMP set_password
and expire_password: the old password is refused from then on and the new one accepted; a
passwdValidTo in the past makes the password refused, one in the future keeps it working;
passwdValidTo in the definition is applied at start. Bad input (a time that is not one, a
change of anything but the password) is refused with nothing changed. --config changes the
definition only."""

import sys
import socket
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_qemu_graphics as tg  # noqa: E402
import testmain  # noqa: E402

OLD, NEW = "old-pw", "new-pw"


class GraphicsPasswordTest(unittest.TestCase):
    setUpClass = classmethod(tg.QemuGraphicsTest.setUpClass.__func__)
    define = tg.QemuGraphicsTest.define
    virsh_ok = tg.QemuGraphicsTest.virsh_ok
    live_ports = tg.QemuGraphicsTest.live_ports

    @classmethod
    def tearDownClass(cls):
        for d in ("g-pw", "g-exp"):
            cls.daemon.virsh("unix", "destroy %s" % d)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def auth(self, name, password):
        """The VNC security result for password: 0 accepted, 1 refused."""
        with socket.create_connection(("127.0.0.1", self.live_ports(name)[0]), timeout=10) as s:
            types, result = tg.vnc_handshake(s, password)
        self.assertEqual(types, [2])
        return result

    def update(self, name, graphics, *flags):
        f = self.daemon.tmp / "graphics.xml"
        f.write_text(graphics)
        return self.daemon.virsh("unix", "update-device %s %s %s" % (name, f, " ".join(flags)))

    def test_1_live_password_change(self):
        self.define("g-pw", "<graphics type='vnc' autoport='yes' passwd='%s'/>" % OLD)
        self.virsh_ok("start g-pw")
        self.assertEqual(self.auth("g-pw", OLD), 0)
        p = self.update("g-pw", "<graphics type='vnc' passwd='%s'/>" % NEW, "--live")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.auth("g-pw", OLD), 1)
        self.assertEqual(self.auth("g-pw", NEW), 0)
        self.assertIn("passwd='%s'" % NEW, self.virsh_ok("dumpxml --security-info g-pw"))
        # the definition keeps the old one: --live only
        self.assertIn("passwd='%s'" % OLD, self.virsh_ok("dumpxml --inactive --security-info g-pw"))

    def test_2_valid_to(self):
        # in the future: still accepted, and the live XML says until when
        p = self.update("g-pw", "<graphics type='vnc' passwd='later' passwdValidTo='2099-01-01T00:00:00'/>", "--live")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.auth("g-pw", "later"), 0)
        self.assertIn("passwdValidTo='2099-01-01T00:00:00'", self.virsh_ok("dumpxml --security-info g-pw"))
        # in the past: expired at once
        p = self.update("g-pw", "<graphics type='vnc' passwd='gone' passwdValidTo='2000-01-01T00:00:00'/>", "--live")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.auth("g-pw", "gone"), 1)
        self.assertEqual(self.auth("g-pw", "later"), 1)
        # without passwdValidTo again: never expires
        p = self.update("g-pw", "<graphics type='vnc' passwd='%s'/>" % NEW, "--live")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.auth("g-pw", NEW), 0)

    def test_3_bad_input_changes_nothing(self):
        p = self.update("g-pw", "<graphics type='vnc' passwd='x' passwdValidTo='tomorrow'/>", "--live")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot parse password validity time 'tomorrow'", p.stderr)
        p = self.update("g-pw", "<graphics type='vnc' passwd='x' listen='0.0.0.0'/>", "--live")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("only its password can be updated", p.stderr)
        p = self.update("g-pw", "<graphics type='spice' passwd='x'/>", "--live")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot find existing graphics device to modify", p.stderr)
        self.assertEqual(self.auth("g-pw", NEW), 0)
        self.assertEqual(self.auth("g-pw", "x"), 1)

    def test_4_config_only(self):
        p = self.update("g-pw", "<graphics type='vnc' passwd='next-boot'/>", "--config")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("passwd='next-boot'", self.virsh_ok("dumpxml --inactive --security-info g-pw"))
        self.assertEqual(self.auth("g-pw", NEW), 0)          # the running display is untouched
        self.virsh_ok("destroy g-pw")
        self.virsh_ok("start g-pw")
        self.assertEqual(self.auth("g-pw", "next-boot"), 0)
        self.virsh_ok("destroy g-pw")

    def test_5_valid_to_at_start(self):
        self.define("g-exp", "<graphics type='vnc' autoport='yes' passwd='x' passwdValidTo='2000-01-01T00:00:00'/>")
        self.virsh_ok("start g-exp")
        self.assertEqual(self.auth("g-exp", "x"), 1)
        self.virsh_ok("destroy g-exp")


if __name__ == "__main__":
    testmain.main()
