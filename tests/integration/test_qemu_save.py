#!/usr/bin/python3
"""test_qemu_save.py: save / restore, save images and managed save on qemu:///session with the tiny guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_save.py -v

The guest's console shell keeps a word in memory ("mark WORD") and reports it with its uptime
("state"): a guest restored from an image still knows the word and its uptime goes on; a guest
that booted again knows none. Through virsh, python3-libvirt (lifecycle events) and D-Bus
(Domain.Save, Connect.DomainRestore, DomainSaveImageGetXMLDesc, ManagedSave, and the
DomainEvent signals).
"""

import os
import re
import shutil
import stat
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_console import DOMAIN_XML, ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STOPPED = 2, 5
STARTED_BOOTED, STARTED_RESTORED, STOPPED_SAVED = 0, 2, 4
RUNNING, SHUTOFF, PAUSED = 1, 5, 3
RUNNING_BOOTED, RUNNING_RESTORED, SHUTOFF_SAVED = 1, 3, 5


def console_ask(test, dom, command, answer_re, timeout=90):
    """Type command on dom's console until a line matching answer_re comes back; the match.
    test: the TestCase (its libvirt module and connection)."""
    r = ConsoleReader(test.libvirt, test.conn, dom)
    try:
        deadline = time.monotonic() + timeout
        while True:
            test.assertIsNone(r.error)
            test.assertLess(time.monotonic(), deadline, "no %r on the console: %r" % (answer_re, r.data[-500:]))
            r.stream.send(command.encode() + b"\n")
            t = time.monotonic()
            while time.monotonic() - t < 2:
                m = re.search(answer_re.encode(), r.data)
                if m:
                    return m
                time.sleep(0.05)
    finally:
        try:
            r.stream.finish()
        except test.libvirt.libvirtError:
            pass


class SaveGuestCase(unittest.TestCase):
    """A QEMU daemon with the tiny guest GUEST_NAME defined and running (also test_qemu_save2.py's)."""
    GUEST_NAME = None

    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.name = cls.GUEST_NAME
        cls.xml = cls.daemon.tmp / "guest.xml"
        cls.xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                             append=cls.image.append))
        cls.virsh_ok("define %s" % cls.xml)
        cls.virsh_ok("start %s" % cls.name)
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.dom = cls.conn.lookupByName(cls.name)
        cls.images = cls.daemon.tmp / "images"
        cls.images.mkdir()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        cls.daemon.stop()

    @classmethod
    def virsh_ok(cls, cmd):
        p = cls.daemon.virsh("unix", cmd, timeout=120)
        if p.returncode != 0:
            raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, cls.daemon.log()[-3000:]))
        return p.stdout

    def ask(self, command, answer_re, timeout=90, dom=None):
        return console_ask(self, dom or self.dom, command, answer_re, timeout)


class QemuSaveTest(SaveGuestCase):
    GUEST_NAME = "save-guest"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = []
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        lambda c, d, ev, detail, opaque: cls.events.append((d.name(), ev, detail)),
                                        None)

    def mark(self, word):
        self.ask("mark %s" % word, r"VIRTBUS-GUEST-MARKED %s" % word)

    def state(self):
        m = self.ask("state", r"VIRTBUS-GUEST-STATE mark=(\S+) uptime=([0-9.]+)")
        return m.group(1).decode(), float(m.group(2))

    def wait_event(self, ev, detail, timeout=30):
        wait_for("event %d/%d" % (ev, detail), lambda: (self.name, ev, detail) in self.events, timeout)

    def test_1_save_and_restore_keep_the_guests_memory(self):
        self.mark("before-save")
        _, up1 = self.state()
        img = self.images / "plain.save"
        self.events.clear()
        self.virsh_ok("save %s %s" % (self.name, img))
        self.assertEqual(self.dom.state(), [SHUTOFF, SHUTOFF_SAVED])
        self.assertFalse(self.dom.isActive())
        self.wait_event(VIR_DOMAIN_EVENT_STOPPED, STOPPED_SAVED)
        self.assertEqual(stat.S_IMODE(os.stat(img).st_mode), 0o600)
        self.assertGreater(img.stat().st_size, 1024 * 1024)       # the guest's RAM is in it
        xml = self.virsh_ok("save-image-dumpxml %s" % img)
        self.assertIn("<name>%s</name>" % self.name, xml)
        self.virsh_ok("restore %s" % img)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
        self.wait_event(VIR_DOMAIN_EVENT_STARTED, STARTED_RESTORED)
        mark, up2 = self.state()
        self.assertEqual(mark, "before-save")       # the shell's memory came back
        self.assertGreater(up2, up1)                # and its clock went on: no new boot

    def test_2_restore_paused_then_resume(self):
        img = self.images / "paused.save"
        self.virsh_ok("save %s %s" % (self.name, img))
        self.virsh_ok("restore %s --paused" % img)
        self.assertEqual(self.dom.state()[0], PAUSED)
        self.virsh_ok("resume %s" % self.name)
        self.assertEqual(self.state()[0], "before-save")

    def test_3_managed_save_and_start_resumes(self):
        self.mark("managed")
        self.virsh_ok("managedsave %s" % self.name)
        self.assertEqual(self.dom.state(), [SHUTOFF, SHUTOFF_SAVED])
        self.assertEqual(self.dom.hasManagedSaveImage(0), 1)
        names = self.virsh_ok("list --all --with-managed-save --name").split()
        self.assertIn(self.name, names)
        self.assertNotIn(self.name, self.virsh_ok("list --all --without-managed-save --name").split())
        self.assertIn("saved", self.virsh_ok("list --all --managed-save"))
        self.assertIn("<name>%s</name>" % self.name, self.virsh_ok("managedsave-dumpxml %s" % self.name))
        # an image is not undefined by accident
        p = self.daemon.virsh("unix", "undefine %s" % self.name)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Refusing to undefine while domain managed save image exists", p.stderr)
        self.events.clear()
        self.virsh_ok("start %s" % self.name)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
        self.wait_event(VIR_DOMAIN_EVENT_STARTED, STARTED_RESTORED)
        self.assertEqual(self.dom.hasManagedSaveImage(0), 0)     # used up
        p = self.daemon.virsh("unix", "managedsave-dumpxml %s" % self.name)
        self.assertIn("domain does not have managed save image", p.stderr)
        self.assertEqual(self.state()[0], "managed")

    def test_4_managed_save_remove_boots_afresh(self):
        self.virsh_ok("managedsave %s" % self.name)
        self.virsh_ok("managedsave-remove %s" % self.name)
        self.assertEqual(self.dom.hasManagedSaveImage(0), 0)
        self.virsh_ok("start %s" % self.name)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_BOOTED])
        self.assertEqual(self.state()[0], "none")

    def test_5_dbus_save_and_restore(self):
        import dbus
        self.mark("dbus")
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        mon = harness.SignalMonitor(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % self.dom.UUIDString().replace("-", "_")
            dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
            connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
            img = str(self.images / "dbus.save")
            dom.Save(img, "", dbus.UInt32(0), timeout=120)
            self.assertEqual(self.dom.state(), [SHUTOFF, SHUTOFF_SAVED])
            self.assertIn("<name>%s</name>" % self.name, connect.DomainSaveImageGetXMLDesc(img, dbus.UInt32(0)))
            connect.DomainRestore(img, "", dbus.UInt32(0), timeout=120)
            self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
            dom.ManagedSave(dbus.UInt32(0), timeout=120)
            self.assertTrue(dom.HasManagedSaveImage(dbus.UInt32(0)))
            dom.Create(dbus.UInt32(0), timeout=120)
            self.assertFalse(dom.HasManagedSaveImage(dbus.UInt32(0)))
            mon.sync()
            events = [tuple(int(a) for a in args[1:]) for iface, member, p, args in mon.signals
                      if member == "DomainEvent" and str(args[0]) == path]
            self.assertEqual(events, [(VIR_DOMAIN_EVENT_STOPPED, STOPPED_SAVED),
                                      (VIR_DOMAIN_EVENT_STARTED, STARTED_RESTORED),
                                      (VIR_DOMAIN_EVENT_STOPPED, STOPPED_SAVED),
                                      (VIR_DOMAIN_EVENT_STARTED, STARTED_RESTORED)])
        finally:
            bus.close()
        self.assertEqual(self.state()[0], "dbus")

    def test_6_refusals(self):
        junk = self.images / "junk"
        junk.write_bytes(b"not an image at all" * 10)
        p = self.daemon.virsh("unix", "restore %s" % junk)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("image magic is incorrect", p.stderr)
        p = self.daemon.virsh("unix", "restore %s" % (self.images / "missing"))
        self.assertIn("Failed to open domain image file", p.stderr)
        # a running domain's image cannot be restored over it
        img = self.images / "plain.save"
        if img.exists():
            p = self.daemon.virsh("unix", "restore %s" % img)
            self.assertIn("is already active", p.stderr)
        self.assertTrue(self.dom.isActive())
        # a device is written to but never removed when the save fails (here: the header);
        # a private node of /dev/full's device (1:7), so a regression cannot touch the host's
        full = self.images / "full"
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        p = self.daemon.virsh("unix", "save %s %s" % (self.name, full))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("No space left on device", p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat(full).st_mode))
        self.assertEqual(self.dom.state()[0], RUNNING)
        off = self.daemon.tmp / "off.xml"
        off.write_text(self.xml.read_text().replace(self.name, "save-off"))
        self.virsh_ok("define %s" % off)
        p = self.daemon.virsh("unix", "save save-off %s" % (self.images / "off.save"))
        self.assertIn("domain is not running", p.stderr)
        self.assertFalse((self.images / "off.save").exists())


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from testmain import main
    main()
