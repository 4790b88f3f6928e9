#!/usr/bin/python3
"""test_virt_manager_hardware.py: virt-manager installs a guest from local media and changes its hardware.

    /usr/bin/python3 tests/ui/test_virt_manager_hardware.py -v      (root)

What a user does in Debian's virt-manager 4.1 against virtbusd's remote door (qemu:///system):

1. New VM with "Local install media (ISO image or CDROM)": the tiny test guest's ISO
   (guest_iso.py) typed into the media entry, OS detection off and "Generic Linux 2022" chosen,
   1 CPU and 256 MiB, a new 0.1 GiB disk in libvirt's "default" pool (virt-manager builds it in
   /var/lib/libvirt/images, a folder of the test), a name, Finish. virtinst creates the volume,
   starts the install XML (CD-ROM first in the boot order) and defines the final one; the guest
   boots ISOLINUX from the CD-ROM (its serial console shows the ISOLINUX command line and its
   shell answers).

Every step checks what the user sees (the wizard's pages, the details' hardware list, the
dialogs) and what virsh sees. The accessibility tree is driven as in test_virt_manager_create
(vmm_atspi.py)."""

import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guest_iso  # noqa: E402
import ui_harness as uh  # noqa: E402
import vmm_atspi  # noqa: E402

uh.enter_namespace(needs=vmm_atspi.NEEDS + guest_iso.NEEDS)

import guest  # noqa: E402
import testmain  # noqa: E402

NAME = "isovm"
IMAGES = Path("/var/lib/libvirt/images")
OS_CELL = "Generic Linux 2022 (linux2022)"
SECTORS = -(-int(0.1 * 1024 ** 3) // 512)     # 0.1 GiB: qemu-img rounds up to whole sectors
BOOT_WAIT = 240         # TCG, SeaBIOS and ISOLINUX, on a loaded 2-core machine


class VirtManagerHardwareTest(vmm_atspi.VmmDriver, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld()
        cls.w.create_default_network = 1          # virt-manager puts NICs on "default"
        cls.w.start()
        try:
            uh.wait_for(lambda: "default" in cls.w.virsh("net-list", "--name").stdout,
                        "the default network to be autostarted", 60, 0.5)
            cls.iso = guest_iso.build(guest.build(), IMAGES / "virtbus-guest.iso")
            cls.start_virt_manager()
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    def xml(self, *flags):
        return ET.fromstring(self.w.virsh("dumpxml", NAME, *flags, check=True).stdout)

    # ---- 1. the New VM wizard with local install media ----

    def test_1_wizard_installs_from_the_iso(self):
        self.element("frame", "Virtual Machine Manager", "the manager window")
        self.act("push button", "New")
        wizard = self.element("frame", "New VM", "the New VM wizard")
        self.act("radio button", "Local install media (ISO image or CDROM)")
        self.act("push button", "Forward")
        self.element("label", "Choose ISO or CDROM install media:")
        self.type_text("media-entry", str(self.iso))
        detect = self.element("check box", "Automatically detect from the installation media / source")
        if detect.getState().contains(self.atspi.STATE_CHECKED):
            self.act("check box", detect.name)
        self.type_text("oslist-entry", "linux2022")
        self.act("table cell", OS_CELL, "activate")
        self.act("push button", "Forward")
        self.wait_until(lambda: any(s.name == "cpus" for s in self.find_all("spin button")), "the memory page")
        for spin in self.find_all("spin button"):
            spin.queryValue().currentValue = 1.0 if spin.name == "cpus" else 256.0
        self.act("push button", "Forward")
        self.element("check box", "Enable storage for this virtual machine")
        self.act("radio button", "Create a disk image for the virtual machine")
        spins = self.wait_until(lambda: self.find_all("spin button"), "the disk size")
        self.assertEqual(len(spins), 1, self.dump(wizard))
        spins[0].queryValue().currentValue = 0.1
        self.act("push button", "Forward")
        self.element("label", "Ready to begin the installation")
        labels = self.texts("label", wizard)
        self.assertIn("Generic Linux 2022", labels)
        self.assertIn("Local CDROM/ISO", labels, self.dump(wizard))
        self.element("text", "", "the Name entry").queryEditableText().setTextContents(NAME)
        self.no_error_dialog()
        self.act("push button", "Finish")
        self.wait_until(lambda: self.w.virsh("domstate", NAME).stdout.strip() == "running",
                        "the new VM to run", BOOT_WAIT)
        self.no_error_dialog()

    def test_2_definition_has_the_cdrom_and_the_new_volume(self):
        """virtinst starts the install XML (the ISO in a SATA CD-ROM, booted first) and defines the
        final one (the CD-ROM empty, the disk first)."""
        live, inactive = self.xml(), self.xml("--inactive")
        self.assertEqual([b.get("dev") for b in live.findall("os/boot")], ["cdrom", "hd"])
        self.assertEqual([b.get("dev") for b in inactive.findall("os/boot")], ["hd"])
        volume = str(IMAGES / (NAME + ".qcow2"))
        for dom in (live, inactive):
            self.assertEqual(dom.find("memory").text, "262144")
            self.assertEqual(dom.find("vcpu").text, "1")
            disk = dom.find("devices/disk[@device='disk']")
            self.assertEqual(disk.find("source").get("file"), volume)
            self.assertEqual(disk.find("driver").get("type"), "qcow2")
            self.assertEqual(disk.find("target").attrib, {"dev": "vda", "bus": "virtio"})
            self.assertEqual(dom.find("devices/disk[@device='cdrom']/target").attrib, {"dev": "sda", "bus": "sata"})
        self.assertEqual(live.find("devices/disk[@device='cdrom']/source").get("file"), str(self.iso))
        self.assertIsNone(inactive.find("devices/disk[@device='cdrom']/source"))
        # the new volume in libvirt's default pool, the size asked (0.1 GiB)
        self.assertIn(volume, self.w.virsh("vol-list", "default").stdout)
        vol = ET.fromstring(self.w.virsh("vol-dumpxml", "--pool", "default", NAME + ".qcow2", check=True).stdout)
        self.assertEqual(int(vol.find("capacity").text), SECTORS * 512)
        self.assertEqual(vol.find("target/format").get("type"), "qcow2")

    def test_3_guest_boots_from_the_iso(self):
        """The disk is new and empty: the guest runs the ISO's kernel, and sees its new disk."""
        said = uh.serial_console_says(NAME, "disks", r"VIRTBUS-GUEST-DISKS [^\r\n]*\r?\n", BOOT_WAIT)
        self.assertIn("vda:%d " % SECTORS, said)


if __name__ == "__main__":
    testmain.main()
