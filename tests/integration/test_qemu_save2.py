#!/usr/bin/python3
"""test_qemu_save2.py: the rest of save/restore on qemu:///session with the tiny guest under TCG:
save-image-define, managedsave-define, and save/restore with typed parameters.

    /usr/bin/python3 tests/integration/test_qemu_save2.py -v

A guest saved, its image's XML changed (a <description>), restored: the running definition has
the change and the guest still knows the word it was told before (its memory came back). The
refusals (another name, other hardware, an XML too large for the image) leave the image as it
was. Through virsh, python3-libvirt and D-Bus.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_console import DOMAIN_XML, ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QemuDaemon  # noqa: E402

RUNNING, SHUTOFF, PAUSED = 1, 5, 3
RUNNING_RESTORED, SHUTOFF_SAVED = 3, 5


def with_description(xml, text):
    """The domain XML with its <description> set to text."""
    xml = re.sub(r"\s*<description>.*?</description>", "", xml, flags=re.S)
    return xml.replace("</name>", "</name>\n  <description>%s</description>" % text, 1)


class QemuSave2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.name = "save2-guest"
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

    def virsh_fails(self, cmd, text):
        p = self.daemon.virsh("unix", cmd, timeout=120)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded" % cmd)
        self.assertIn(text, p.stderr)

    def ask(self, command, answer_re, timeout=90):
        """Type command on the console until a line matching answer_re comes back; the match."""
        r = ConsoleReader(self.libvirt, self.conn, self.dom)
        try:
            deadline = time.monotonic() + timeout
            while True:
                self.assertIsNone(r.error)
                self.assertLess(time.monotonic(), deadline, "no %r on the console: %r" % (answer_re, r.data[-500:]))
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
            except self.libvirt.libvirtError:
                pass

    def mark(self, word):
        self.ask("mark %s" % word, r"VIRTBUS-GUEST-MARKED %s" % word)

    def word(self):
        return self.ask("state", r"VIRTBUS-GUEST-STATE mark=(\S+) uptime=").group(1).decode()

    def ensure_running(self):
        if not self.dom.isActive():
            self.virsh_ok("start %s" % self.name)

    def test_1_save_image_define_changes_what_restore_runs(self):
        self.ensure_running()
        self.mark("defined")
        img = self.images / "define.save"
        self.virsh_ok("save %s %s" % (self.name, img))
        xml = self.virsh_ok("save-image-dumpxml %s" % img)
        self.assertNotIn("<description>", xml)
        new = self.daemon.tmp / "described.xml"
        new.write_text(with_description(xml, "changed in the image"))
        out = self.virsh_ok("save-image-define %s %s --paused" % (img, new))
        self.assertIn("State file %s updated." % img, out)
        self.assertIn("<description>changed in the image</description>", self.virsh_ok("save-image-dumpxml %s" % img))
        self.virsh_ok("restore %s" % img)
        # --paused of the define: the image now resumes paused
        self.assertEqual(self.dom.state()[0], PAUSED)
        self.assertIn("<description>changed in the image</description>", self.dom.XMLDesc(0))
        self.virsh_ok("resume %s" % self.name)
        self.assertEqual(self.word(), "defined")

    def test_2_save_image_define_refusals_change_nothing(self):
        self.ensure_running()
        img = self.images / "refusals.save"
        self.virsh_ok("save %s %s" % (self.name, img))
        xml = self.virsh_ok("save-image-dumpxml %s" % img)
        before = img.read_bytes()[:64 * 1024]
        bad = self.daemon.tmp / "bad.xml"
        bad.write_text(xml.replace("<name>%s</name>" % self.name, "<name>other</name>"))
        self.virsh_fails("save-image-define %s %s" % (img, bad),
                         "unsupported configuration: Target domain name 'other' does not match source '%s'" % self.name)
        memory = re.search(r"<memory unit='KiB'>(\d+)</memory>", xml).group(1)
        bad.write_text(re.sub(r"<memory unit='KiB'>\d+</memory>", "<memory unit='KiB'>%d</memory>" % (int(memory) * 2),
                              xml))
        self.virsh_fails("save-image-define %s %s" % (img, bad),
                         "Target domain max memory %d does not match source %s" % (int(memory) * 2, memory))
        bad.write_text(with_description(xml, "x" * 20000))
        self.virsh_fails("save-image-define %s %s" % (img, bad), "new xml too large to fit in file")
        bad.write_text("<domain")
        self.virsh_fails("save-image-define %s %s" % (img, bad), "Couldn't find end of Start Tag domain")
        self.assertEqual(img.read_bytes()[:64 * 1024], before)
        junk = self.images / "junk"
        junk.write_bytes(b"not an image" * 20)
        self.virsh_fails("save-image-define %s %s" % (junk, self.xml), "image magic is incorrect")
        self.virsh_ok("restore %s" % img)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])

    def test_3_managedsave_define(self):
        self.ensure_running()
        self.virsh_fails("managedsave-define %s %s" % (self.name, self.xml), "domain does not have managed save image")
        self.mark("managed-defined")
        self.virsh_ok("managedsave %s" % self.name)
        xml = self.virsh_ok("managedsave-dumpxml %s" % self.name)
        new = self.daemon.tmp / "managed.xml"
        new.write_text(with_description(xml, "managed image edited"))
        self.virsh_ok("managedsave-define %s %s" % (self.name, new))
        self.assertIn("<description>managed image edited</description>",
                      self.virsh_ok("managedsave-dumpxml %s" % self.name))
        self.virsh_ok("start %s" % self.name)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
        self.assertIn("<description>managed image edited</description>", self.dom.XMLDesc(0))
        self.assertEqual(self.word(), "managed-defined")

    def test_4_save_and_restore_params(self):
        lv = self.libvirt
        self.ensure_running()
        self.mark("params")
        img = str(self.images / "params.save")
        dxml = with_description(self.dom.XMLDesc(lv.VIR_DOMAIN_XML_SECURE | lv.VIR_DOMAIN_XML_MIGRATABLE),
                                "from saveParams")
        self.dom.saveParams({lv.VIR_DOMAIN_SAVE_PARAM_FILE: img, lv.VIR_DOMAIN_SAVE_PARAM_DXML: dxml}, 0)
        self.assertEqual(self.dom.state(), [SHUTOFF, SHUTOFF_SAVED])
        self.assertIn("<description>from saveParams</description>", self.conn.saveImageGetXMLDesc(img, 0))
        self.conn.restoreParams({lv.VIR_DOMAIN_SAVE_PARAM_FILE: img}, lv.VIR_DOMAIN_SAVE_PAUSED)
        self.assertEqual(self.dom.state()[0], PAUSED)
        self.assertIn("<description>from saveParams</description>", self.dom.XMLDesc(0))
        self.dom.resume()
        self.assertEqual(self.word(), "params")
        # no file: a managed save, as libvirt's QEMU driver does
        self.dom.saveParams({}, 0)
        self.assertEqual(self.dom.hasManagedSaveImage(0), 1)
        self.dom.create()
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
        with self.assertRaises(lv.libvirtError) as e:
            self.conn.restoreParams({lv.VIR_DOMAIN_SAVE_PARAM_DXML: dxml}, 0)
        self.assertIn("parameter 'file'", str(e.exception))
        bad = dxml.replace("<name>%s</name>" % self.name, "<name>renamed</name>")
        with self.assertRaises(lv.libvirtError) as e:
            self.dom.saveParams({lv.VIR_DOMAIN_SAVE_PARAM_FILE: img, lv.VIR_DOMAIN_SAVE_PARAM_DXML: bad}, 0)
        self.assertIn("Target domain name 'renamed' does not match source", str(e.exception))
        self.assertEqual(self.dom.state()[0], RUNNING)

    def test_5_dbus_save_image_define(self):
        import dbus
        self.ensure_running()
        img = str(self.images / "dbus.save")
        self.virsh_ok("save %s %s" % (self.name, img))
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
            xml = connect.DomainSaveImageGetXMLDesc(img, dbus.UInt32(0))
            connect.DomainSaveImageDefineXML(img, with_description(xml, "over D-Bus"), dbus.UInt32(0))
            self.assertIn("<description>over D-Bus</description>", connect.DomainSaveImageGetXMLDesc(img, dbus.UInt32(0)))
            with self.assertRaises(dbus.DBusException) as e:
                connect.DomainSaveImageDefineXML(img, xml.replace(self.name, "other"), dbus.UInt32(0))
            self.assertIn("does not match source", str(e.exception))
        finally:
            bus.close()
        self.virsh_ok("restore %s" % img)
        self.assertIn("<description>over D-Bus</description>", self.dom.XMLDesc(0))

    def test_6_memory_only_dump(self):
        lv = self.libvirt
        self.ensure_running()
        self.mark("dumped")
        dump = self.images / "guest.core"
        self.virsh_ok("dump %s %s --memory-only --format elf" % (self.name, dump))
        self.assertEqual(stat.S_IMODE(os.stat(dump).st_mode), 0o600)
        kind = subprocess.run(["file", "-b", str(dump)], capture_output=True, text=True).stdout
        self.assertIn("ELF 64-bit LSB core file", kind)
        # its loadable segments hold the guest's memory, 256 MiB (and the firmware's ROM, mapped too)
        headers = subprocess.run(["readelf", "-lW", str(dump)], capture_output=True, text=True, check=True).stdout
        loads = [int(line.split()[5], 16) for line in headers.splitlines() if line.split()[:1] == ["LOAD"]]
        self.assertIn(256 * 1024 * 1024, loads, headers)
        self.assertLess(sum(loads) - 256 * 1024 * 1024, 16 * 1024 * 1024, headers)
        # the guest went on as it was, paused meanwhile only
        self.assertEqual(self.dom.state()[0], RUNNING)
        self.assertEqual(self.word(), "dumped")
        kdump = self.images / "guest.kdump"
        self.dom.coreDumpWithFormat(str(kdump), lv.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
                                    lv.VIR_DUMP_MEMORY_ONLY | lv.VIR_DUMP_LIVE)
        self.assertEqual(kdump.read_bytes()[:8], b"KDUMP   ")
        self.assertEqual(self.dom.state()[0], RUNNING)

    def test_7_dump_refusals(self):
        lv = self.libvirt
        self.ensure_running()
        target = self.images / "refused.core"
        with self.assertRaises(lv.libvirtError) as e:
            self.dom.coreDumpWithFormat(str(target), lv.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0)
        self.assertIn("kdump-compressed format is only supported with memory-only dump", str(e.exception))
        self.virsh_fails("dump %s %s" % (self.name, target), "this function is not supported by the connection driver")
        self.assertFalse(target.exists())
        off = self.daemon.tmp / "dump-off.xml"
        off.write_text(self.xml.read_text().replace(self.name, "dump-off"))
        self.virsh_ok("define %s" % off)
        self.virsh_fails("dump dump-off %s --memory-only" % target, "domain is not running")
        self.assertFalse(target.exists())

    def test_8_dbus_core_dump(self):
        import dbus
        self.ensure_running()
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % self.dom.UUIDString().replace("-", "_")
            dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
            dump = self.images / "dbus.core"
            dom.CoreDump(str(dump), dbus.UInt32(0), dbus.UInt32(16), timeout=120)     # 16: MEMORY_ONLY
        finally:
            bus.close()
        self.assertEqual(dump.read_bytes()[:4], b"\x7fELF")
        self.assertEqual(self.dom.state()[0], RUNNING)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from testmain import main
    main()
