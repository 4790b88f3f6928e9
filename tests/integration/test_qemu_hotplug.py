"""test_qemu_hotplug.py: disk hotplug on qemu:///session with the tiny test guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_hotplug.py -v

virsh attach-disk / attach-device / detach-device (live, config, both) and D-Bus
Domain.AttachDevice / DetachDevice put a qcow2 disk into a running guest and take it out again:
the guest's `disks` console command lists what its kernel sees in /sys/block, the live and
persistent XML follow, and the device-added / device-removed events reach python3-libvirt and D-Bus clients.
"""

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import harness  # noqa: E402
import pci_check  # noqa: E402
from hotplug_harness import HotplugGuestTest  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
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
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
  </devices>
</domain>
"""

DISK_XML = """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='{path}'/>
  <target dev='{dev}' bus='virtio'/>
</disk>
"""


def disks(xml):
    return {d.find("target").get("dev"): d.find("source").get("file")
            for d in ET.fromstring(xml).findall("./devices/disk[@device='disk']")}


def cdrom_source(xml):
    src = ET.fromstring(xml).find("./devices/disk[@device='cdrom']/source")
    return None if src is None else src.get("file")


class QemuHotplugTest(HotplugGuestTest):
    @classmethod
    def setUpClass(cls):
        cls.start_guest(DOMAIN_XML, "hotplug-guest")
        cls.images = {}
        for dev in ("vdb", "vdc", "vdd"):
            path = cls.daemon.tmp / ("%s.qcow2" % dev)
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "16M"], check=True)
            os.chmod(path, 0o600)
            cls.images[dev] = path

    def guest_disks(self, timeout=60):
        """What the guest's kernel lists in /sys/block ({name: 512-byte sectors})."""
        r = self.console
        deadline = time.monotonic() + timeout
        while True:
            self.assertIsNone(r.error)
            start = len(r.data)
            r.stream.send(b"disks\n")
            t = time.monotonic()
            while time.monotonic() - t < 2:
                tail = r.data[start:].decode(errors="replace")
                if "VIRTBUS-GUEST-DISKS" in tail and "\n" in tail.split("VIRTBUS-GUEST-DISKS", 1)[1]:
                    line = tail.split("VIRTBUS-GUEST-DISKS", 1)[1].split("\n", 1)[0]
                    return dict(w.split(":") for w in line.split() if ":" in w)
                time.sleep(0.05)
            if time.monotonic() > deadline:
                self.fail("the guest does not answer `disks`: %r" % r.data[-500:])

    def wait_guest(self, what, fn, timeout=30):
        wait_for(what, lambda: fn(self.guest_disks()), timeout)

    def test_1_attach_detach_live_with_virsh(self):
        self.guest_disks()          # the guest is up and answers
        img = self.images["vdb"]
        self.virsh("attach-disk %s %s vdb --driver qemu --subdriver qcow2 --targetbus virtio --live"
                   % (self.name, img))
        self.wait_events(("added", "virtio-disk1"))
        self.wait_guest("vda (16 MiB) in the guest", lambda d: d.get("vda") == str(16 * 2048))
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {"vdb": str(img)})
        self.assertEqual(disks(self.virsh("dumpxml --inactive %s" % self.name).stdout), {})
        # the live XML says where QEMU has it: a free slot of bus 0 (i440fx)
        bus, slot = pci_check.assert_live_address(self, lambda c: self.virsh(c).stdout, self.name, "disk",
                                                  lambda d: d.find("target").get("dev") == "vdb", "virtio-disk1")
        self.assertEqual(bus, 0)
        # A second attach of the same target is refused with nothing changed.
        p = self.virsh("attach-disk %s %s vdb --subdriver qcow2 --live" % (self.name, img), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("target vdb already exists", p.stderr)

        self.virsh("detach-disk %s vdb --live" % self.name)
        self.wait_events(("removed", "virtio-disk1"))
        self.wait_guest("no vda in the guest", lambda d: "vda" not in d)
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})
        # virsh looks for the disk in the XML itself; the daemon's own answer is libvirt's too.
        p = self.virsh("detach-disk %s vdb --live" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("No disk found whose source path or target is vdb", p.stderr)
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.detachDeviceFlags(DISK_XML.format(path=img, dev="vdb"), self.libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(str(cm.exception), "device not found: disk vdb not found")

    def test_2_attach_device_live_and_config(self):
        img = self.images["vdc"]
        xml = self.daemon.tmp / "vdc.xml"
        xml.write_text(DISK_XML.format(path=img, dev="vdc"))
        self.virsh("attach-device %s %s --live --config" % (self.name, xml))
        self.wait_guest("the new disk in the guest", lambda d: any(v == str(16 * 2048) for v in d.values()))
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {"vdc": str(img)})
        self.assertEqual(disks(self.virsh("dumpxml --inactive %s" % self.name).stdout), {"vdc": str(img)})
        self.virsh("detach-device %s %s --live --config" % (self.name, xml))
        self.wait_guest("the disk gone from the guest", lambda d: not any(k.startswith("vd") for k in d))
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})
        self.assertEqual(disks(self.virsh("dumpxml --inactive %s" % self.name).stdout), {})

    def test_3_config_only_and_refusals(self):
        img = self.images["vdd"]
        xml = self.daemon.tmp / "vdd.xml"
        xml.write_text(DISK_XML.format(path=img, dev="vdd"))
        self.virsh("attach-device %s %s --config" % (self.name, xml))
        self.assertEqual(disks(self.virsh("dumpxml --inactive %s" % self.name).stdout), {"vdd": str(img)})
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})
        self.virsh("detach-device %s %s --config" % (self.name, xml))
        self.assertEqual(disks(self.virsh("dumpxml --inactive %s" % self.name).stdout), {})
        # A device that cannot be plugged, or a NIC type without a tap: refused, nothing changed.
        mouse = self.daemon.tmp / "mouse.xml"
        mouse.write_text("<input type='mouse' bus='ps2'/>")
        p = self.virsh("attach-device %s %s --live" % (self.name, mouse), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("input device on bus 'ps2' cannot be hot plugged", p.stderr)
        nic = self.daemon.tmp / "nic.xml"
        nic.write_text("<interface type='user'><model type='virtio'/></interface>")
        p = self.virsh("attach-device %s %s --live" % (self.name, nic), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("interface type 'user' cannot be hotplugged", p.stderr)
        self.assertNotIn("<interface", self.virsh("dumpxml %s" % self.name).stdout)

    def test_4_dbus_attach_detach(self):
        import dbus
        img = self.images["vdb"]
        obj = self.bus.get_object(harness.BUS_NAME, self.dom_path)
        iface = dbus.Interface(obj, harness.DOMAIN)
        del self.events[:]
        del self.bus_events[:]
        live = self.libvirt.VIR_DOMAIN_AFFECT_LIVE
        iface.AttachDevice(DISK_XML.format(path=img, dev="vdb"), dbus.UInt32(live), timeout=60)
        self.wait_events(("added", "virtio-disk1"))
        self.wait_guest("the disk in the guest", lambda d: "vda" in d)
        iface.DetachDevice(DISK_XML.format(path=img, dev="vdb"), dbus.UInt32(live), timeout=60)
        self.wait_events(("removed", "virtio-disk1"))
        self.wait_guest("the disk gone", lambda d: "vda" not in d)
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})

    def test_5_detach_by_alias(self):
        img = self.images["vdd"]
        del self.events[:]
        self.virsh("attach-disk %s %s vdd --subdriver qcow2 --live" % (self.name, img))
        self.wait_events(("added", "virtio-disk3"))
        self.wait_guest("the disk in the guest", lambda d: "vda" in d)
        p = self.virsh("detach-device-alias %s virtio-disk9 --live" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no device found with alias virtio-disk9", p.stderr)
        self.virsh("detach-device-alias %s virtio-disk3 --live" % self.name)
        self.wait_events(("removed", "virtio-disk3"))
        self.wait_guest("the disk gone", lambda d: "vda" not in d)
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})

    def test_6_cdrom_media_change(self):
        iso = self.daemon.tmp / "media.iso"
        iso.write_bytes(b"\0" * 65536)
        os.chmod(iso, 0o600)
        self.virsh("change-media %s hdc %s --insert --live --config" % (self.name, iso))
        self.assertEqual(cdrom_source(self.virsh("dumpxml %s" % self.name).stdout), str(iso))
        self.assertEqual(cdrom_source(self.virsh("dumpxml --inactive %s" % self.name).stdout), str(iso))
        pid = int(json.loads((self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" /
                              ("%s.runtime.json" % self.name)).read_text())["pid"])

        def qemu_has(path):
            fds = Path("/proc/%d/fd" % pid)
            return any(os.path.realpath(fds / f) == str(path) for f in os.listdir(fds))
        wait_for("QEMU to open the media", lambda: qemu_has(iso), 10)
        self.virsh("change-media %s hdc --eject --live" % self.name)
        self.assertIsNone(cdrom_source(self.virsh("dumpxml %s" % self.name).stdout))
        self.assertEqual(cdrom_source(self.virsh("dumpxml --inactive %s" % self.name).stdout), str(iso))
        wait_for("QEMU to close the media", lambda: not qemu_has(iso), 10)
        # Only a cdrom's media can change.
        p = self.virsh("update-device %s %s --live" % (self.name, self.daemon.tmp / "vdc.xml"), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("disk vdc not found", p.stderr)

    def test_7_q35_virtio_disk_on_a_root_port(self):
        # q35's root complex takes no hotplug: the disk goes to the first empty pcie-root-port.
        name = "hotplug-q35"
        xml = (DOMAIN_XML.replace("machine='pc'", "machine='q35'")
               .replace("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>",
                        "<controller type='pci' model='pcie-root'/>"
                        "<controller type='pci' model='pcie-root-port'/>"
                        "<controller type='pci' model='pcie-root-port'/>"
                        # the USB controller and the balloon libvirt adds take two
                        "<controller type='pci' model='pcie-root-port'/>")
               .format(name=name, kernel=self.image.kernel, initrd=self.image.initrd, append=self.image.append))
        path = self.daemon.tmp / "q35.xml"
        path.write_text(xml)
        self.virsh("define %s" % path)
        self.virsh("start %s" % name)
        try:
            dom = self.conn.lookupByName(name)
            reader = ConsoleReader(self.libvirt, self.conn, dom)
            saved, self.console = self.console, reader
            try:
                self.guest_disks()
                img = self.daemon.tmp / "q35.qcow2"
                subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(img), "16M"], check=True)
                self.virsh("attach-disk %s %s vdb --subdriver qcow2 --live" % (name, img))
                self.wait_guest("the disk in the q35 guest", lambda d: d.get("vda") == str(16 * 2048))
                bus, slot = pci_check.assert_live_address(
                    self, lambda c: self.virsh(c).stdout, name, "disk",
                    lambda d: d.find("target").get("dev") == "vdb", "virtio-disk1")
                self.assertEqual(slot, 0)       # slot 0 of a root port
                self.assertGreater(bus, 0)
                self.virsh("detach-disk %s vdb --live" % name)
                self.wait_guest("the disk gone from the q35 guest", lambda d: "vda" not in d)
            finally:
                self.console = saved
                reader.stream.abort()
        finally:
            self.virsh("destroy %s" % name, check=False)

    def test_8_failed_attach_leaves_nothing_behind(self):
        # The block nodes go to QEMU back to back: a failing one says why, and the nodes that
        # were added are removed again, so the same target attaches afterwards.
        raw = self.daemon.tmp / "vde.raw"
        subprocess.run(["qemu-img", "create", "-q", "-f", "raw", str(raw), "16M"], check=True)
        good = self.daemon.tmp / "vde.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(good), "16M"], check=True)
        missing = self.daemon.tmp / "no-such-image.qcow2"
        xml = self.daemon.tmp / "vde.xml"
        for path, why in ((missing, "No such file or directory"), (raw, "qcow2")):
            xml.write_text(DISK_XML.format(path=path, dev="vde"))
            p = self.virsh("attach-device %s %s --live" % (self.name, xml), check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("cannot attach disk vde", p.stderr)
            self.assertIn(why, p.stderr)
            self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})
        xml.write_text(DISK_XML.format(path=good, dev="vde"))
        self.virsh("attach-device %s %s --live" % (self.name, xml))
        self.wait_guest("the disk in the guest", lambda d: d.get("vda") == str(16 * 2048))
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {"vde": str(good)})
        self.virsh("detach-device %s %s --live" % (self.name, xml))
        self.wait_guest("the disk gone from the guest", lambda d: "vda" not in d)
        self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})

    def test_9_detach_answers_once_qemu_closed_the_image(self):
        # As libvirt's: when detach returns, QEMU has let the image go (its block nodes are
        # deleted, the data flushed), so that another guest or qemu-img may take it at once.
        img = self.daemon.tmp / "vdf.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(img), "16M"], check=True)
        pid = int(json.loads((self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" /
                              ("%s.runtime.json" % self.name)).read_text())["pid"])

        def qemu_has(path):
            fds = Path("/proc/%d/fd" % pid)
            return any(os.path.realpath(fds / f) == str(path) for f in os.listdir(fds))
        xml = DISK_XML.format(path=img, dev="vdf")
        for _ in range(3):
            self.dom.attachDeviceFlags(xml, self.libvirt.VIR_DOMAIN_AFFECT_LIVE)
            self.assertTrue(qemu_has(img))
            self.wait_guest("the disk in the guest", lambda d: d.get("vda") == str(16 * 2048))
            self.dom.detachDeviceFlags(xml, self.libvirt.VIR_DOMAIN_AFFECT_LIVE)
            self.assertFalse(qemu_has(img), "QEMU still has the image open after the detach returned")
            p = subprocess.run(["qemu-img", "info", str(img)], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(disks(self.virsh("dumpxml %s" % self.name).stdout), {})


if __name__ == "__main__":
    from testmain import main
    main()
