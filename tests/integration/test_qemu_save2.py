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
import stat
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
from test_qemu_console import DOMAIN_XML  # noqa: E402
from test_qemu_save import SaveGuestCase  # noqa: E402

RUNNING, SHUTOFF, PAUSED = 1, 5, 3
RUNNING_RESTORED, SHUTOFF_SAVED = 3, 5


def with_description(xml, text):
    """The domain XML with its <description> set to text."""
    xml = re.sub(r"\s*<description>.*?</description>", "", xml, flags=re.S)
    return xml.replace("</name>", "</name>\n  <description>%s</description>" % text, 1)


class QemuSave2Test(SaveGuestCase):
    GUEST_NAME = "save2-guest"

    def virsh_fails(self, cmd, text):
        p = self.daemon.virsh("unix", cmd, timeout=120)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded" % cmd)
        self.assertIn(text, p.stderr)

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
        bad.write_text(with_description(xml, "x" * 200000))
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
        self.assertIn("invalid argument: missing path to restore from", str(e.exception))
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
        # QEMU writes kdump formats to a descriptor flattened (makedumpfile's own stream format)
        self.assertEqual(kdump.read_bytes()[:12], b"makedumpfile")
        self.assertEqual(self.dom.state()[0], RUNNING)

    def test_6b_whole_state_dump_restores(self):
        """Without --memory-only: the whole state, as a save image (libvirt's are too); the guest
        goes on, and a restore of the dump brings back what it knew then."""
        self.ensure_running()
        self.mark("in-the-dump")
        dump = self.images / "state.dump"
        self.virsh_ok("dump %s %s --live" % (self.name, dump))
        self.assertEqual(stat.S_IMODE(os.stat(dump).st_mode), 0o600)
        self.assertEqual(self.dom.state()[0], RUNNING)
        self.assertIn("<name>%s</name>" % self.name, self.virsh_ok("save-image-dumpxml %s" % dump))
        self.mark("after-the-dump")
        self.virsh_ok("dump %s %s" % (self.name, dump))     # not live: paused meanwhile, then goes on
        self.assertEqual(self.dom.state()[0], RUNNING)
        self.assertEqual(self.word(), "after-the-dump")
        self.virsh_ok("destroy %s" % self.name)
        self.virsh_ok("restore %s" % dump)
        self.assertEqual(self.dom.state(), [RUNNING, RUNNING_RESTORED])
        self.assertEqual(self.word(), "after-the-dump")

    def test_7_dump_refusals(self):
        lv = self.libvirt
        self.ensure_running()
        target = self.images / "refused.core"
        with self.assertRaises(lv.libvirtError) as e:
            self.dom.coreDumpWithFormat(str(target), lv.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0)
        self.assertIn("kdump-compressed format is only supported with memory-only dump", str(e.exception))
        self.virsh_fails("dump %s %s --crash" % (self.name, target),
                         "this function is not supported by the connection driver")
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

    def test_9_rename_moves_definition_disk_snapshots_image_and_nvram(self):
        lv = self.libvirt
        disk = self.images / "rename.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "16M"], check=True)
        xml = DOMAIN_XML.format(name="rename-me", kernel=self.image.kernel, initrd=self.image.initrd,
                                append=self.image.append)
        xml = xml.replace("<os>", "<os firmware='efi'>")      # an NVRAM the driver names after the domain
        xml = xml.replace("<devices>", "<devices>\n    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                       "<source file='%s'/><target dev='vda' bus='virtio'/></disk>" % disk)
        path = self.daemon.tmp / "rename.xml"
        path.write_text(xml)
        self.virsh_ok("define %s" % path)
        events = []
        cb = self.conn.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              lambda c, d, ev, detail, o: events.append((d.name(), ev, detail)), None)
        try:
            self.virsh_ok("start rename-me")
            self.virsh_ok("managedsave rename-me")
            self.virsh_ok("snapshot-create-as rename-me s1")
            old_nvram = re.search(r"<nvram[^>]*>([^<]+)</nvram>", self.virsh_ok("dumpxml rename-me")).group(1)
            self.assertTrue(os.path.exists(old_nvram), old_nvram)
            self.virsh_fails("domrename rename-me %s" % self.name, "domain with name '%s' already exists" % self.name)
            self.virsh_fails("domrename rename-me rename-me", "Can't rename domain to itself")
            self.virsh_fails("domrename rename-me a/b", "cannot contain '/'")
            self.assertIn("Domain successfully renamed", self.virsh_ok("domrename rename-me renamed"))
            names = self.virsh_ok("list --all --name").split()
            self.assertIn("renamed", names)
            self.assertNotIn("rename-me", names)
            new_xml = self.virsh_ok("dumpxml renamed")
            self.assertIn("<source file='%s'" % disk, new_xml)
            new_nvram = re.search(r"<nvram[^>]*>([^<]+)</nvram>", new_xml).group(1)
            self.assertTrue(new_nvram.endswith("/renamed_VARS.fd"), new_nvram)
            self.assertTrue(os.path.exists(new_nvram))
            self.assertFalse(os.path.exists(old_nvram))
            self.assertEqual(self.virsh_ok("snapshot-list renamed --name").split(), ["s1"])
            self.assertIn("<name>renamed</name>", self.virsh_ok("managedsave-dumpxml renamed"))
            self.virsh_ok("start renamed")             # from the image it kept, under its new name
            dom = self.conn.lookupByName("renamed")
            self.assertEqual(dom.state(), [RUNNING, RUNNING_RESTORED])
            self.assertIn("vda", self.virsh_ok("domblklist renamed"))
            self.virsh_fails("domrename renamed other", "cannot rename active domain")
            self.virsh_ok("destroy renamed")
            wait = time.monotonic() + 30
            while ("renamed", 0, 2) not in events and time.monotonic() < wait:
                time.sleep(0.1)
            self.assertIn(("rename-me", 1, 1), events)     # UNDEFINED / RENAMED, under the old name
            self.assertIn(("renamed", 0, 2), events)       # DEFINED / RENAMED
        finally:
            self.conn.domainEventDeregisterAny(cb)
        # D-Bus: the object (its path is the UUID's) answers to the new name
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            obj = bus.get_object("org.libvirt", "/org/libvirt/QEMU/domain/_%s" % dom.UUIDString().replace("-", "_"))
            dbus.Interface(obj, "org.libvirt.Domain").Rename("renamed-bus", dbus.UInt32(0))
            self.assertEqual(str(obj.Get("org.libvirt.Domain", "Name", dbus_interface="org.freedesktop.DBus.Properties")),
                             "renamed-bus")
        finally:
            bus.close()
        self.assertEqual(self.conn.lookupByName("renamed-bus").UUIDString(), dom.UUIDString())
        self.virsh_ok("start renamed-bus")
        self.virsh_ok("destroy renamed-bus")
        transient = self.daemon.tmp / "transient.xml"
        transient.write_text(self.xml.read_text().replace(self.name, "transient-one"))
        self.virsh_ok("create %s" % transient)
        self.virsh_fails("domrename transient-one x", "cannot rename active domain")
        self.virsh_ok("destroy transient-one")

    def test_10_setvcpu_setvcpus_setmaxmem(self):
        lv = self.libvirt
        xml = DOMAIN_XML.format(name="vcpus2", kernel=self.image.kernel, initrd=self.image.initrd,
                                append=self.image.append).replace("<vcpu>1</vcpu>", "<vcpu current='1'>3</vcpu>")
        path = self.daemon.tmp / "vcpus2.xml"
        path.write_text(xml)
        self.virsh_ok("define %s" % path)
        self.virsh_ok("start vcpus2")
        dom = self.conn.lookupByName("vcpus2")

        def guest_cpus(want):
            """The guest's online CPUs once they are want (the guest sees a hotplug a moment later)."""
            deadline = time.monotonic() + 90
            while True:
                got = self.ask("cpus", r"VIRTBUS-GUEST-CPUS (\S+)", 120, dom).group(1).decode()
                if got == want or time.monotonic() > deadline:
                    return got
                time.sleep(1)

        def live():
            return dom.vcpusFlags(lv.VIR_DOMAIN_AFFECT_LIVE)

        self.assertEqual(guest_cpus("0"), "0")
        # vCPUs are plugged in order and unplugged from the last (and QEMU 7.2 under TCG cannot plug
        # an unplugged slot again: docs/qemu-devices.md), so each slot is plugged once here
        self.virsh_fails("setvcpu vcpus2 2 --enable --live", "vCPU 1 must be enabled before vCPU 2")
        self.virsh_ok("setvcpu vcpus2 1 --enable --live")
        self.assertEqual(live(), 2)
        self.assertEqual(guest_cpus("0-1"), "0-1")
        # libvirt 9.0's words (compared with Debian's libvirtd)
        self.virsh_fails("setvcpu vcpus2 0 --disable --live", "Operation not supported: vcpu '0' can't be unplugged")
        self.virsh_fails("setvcpu vcpus2 2 --disable --live", "invalid argument: vcpu '2' is already in requested state")
        self.virsh_fails("setvcpu vcpus2 7 --enable --live", "invalid argument: vcpu 7 is not present in live config")
        self.virsh_fails("setvcpu vcpus2 1-x --enable --live", "Failed to parse bitmap '1-x'")
        self.virsh_ok("setvcpu vcpus2 2 --enable --live")
        self.assertEqual(live(), 3)
        self.assertEqual(guest_cpus("0-2"), "0-2")
        self.virsh_fails("setvcpu vcpus2 1 --disable --live", "vCPU 2 must be disabled with vCPU 1")
        # the old call without flags (remote 32): the running guest's count
        dom.setVcpus(2)
        self.assertEqual(live(), 2)
        self.assertEqual(guest_cpus("0-1"), "0-1")
        self.virsh_ok("setvcpu vcpus2 1 --disable --live")
        self.assertEqual(live(), 1)
        self.assertEqual(guest_cpus("0"), "0")
        # setmaxmem without flags is virDomainSetMaxMemory (remote 30): refused live, as libvirt's QEMU driver
        self.virsh_fails("setmaxmem vcpus2 512M", "cannot resize the maximum memory on an active domain")
        self.virsh_ok("destroy vcpus2")
        self.virsh_ok("setmaxmem vcpus2 512M")
        self.assertIn("<memory unit='KiB'>524288</memory>", self.virsh_ok("dumpxml vcpus2"))
        dom.setMaxMemory(393216)
        self.assertEqual(dom.maxMemory(), 393216)
        self.virsh_ok("setmaxmem vcpus2 300M --config")
        self.assertIn("<memory unit='KiB'>307200</memory>", self.virsh_ok("dumpxml vcpus2 --inactive"))
        self.virsh_ok("setvcpu vcpus2 1 --enable --config")
        self.assertEqual(dom.vcpusFlags(lv.VIR_DOMAIN_AFFECT_CONFIG), 2)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from testmain import main
    main()
