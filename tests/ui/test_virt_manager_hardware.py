#!/usr/bin/python3
"""test_virt_manager_hardware.py: virt-manager installs a guest from local media and changes its hardware.

    /usr/bin/python3 tests/ui/test_virt_manager_hardware.py -v      (root)

What a user does in Debian's virt-manager 4.1 against virtbusd's remote door (qemu:///system):

1. New VM with "Local install media (ISO image or CDROM)": the tiny test guest's ISO
   (guest_iso.py) typed into the media entry, OS detection off and "Generic Linux 2022" chosen,
   1 CPU and 256 MiB, a new 0.1 GiB disk in libvirt's "default" pool (virt-manager builds it in
   /var/lib/libvirt/images, a folder of the test), a name, Finish. virtinst creates the volume,
   starts the install XML (CD-ROM first in the boot order) and defines the final one (the
   CD-ROM emptied); the guest boots ISOLINUX from the CD-ROM (the disk is blank) and its shell
   answers on the serial console with the disks it sees.
2. On the running guest's details (the window virt-manager opened after Finish):
   Add Hardware → Storage (a new disk in the pool, hotplugged), Add Hardware → Network (a virtio
   NIC on "default", hotplugged), the Memory and CPUs pages' edits, which virt-manager defines
   for the next boot ("These changes will take effect after the next guest shutdown"), and
   Remove on the added disk (its "Remove Disk Device" window, the volume kept) and on the USB
   tablet (Preferences' "Device removal" confirmation off first).

Every step checks what the user sees (the wizard's pages, the details' hardware list, the
dialogs) and what virsh sees. The accessibility tree is driven as in test_virt_manager_create
(vmm_atspi.py)."""

import re
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guest_iso  # noqa: E402
import ui_harness as uh  # noqa: E402
import vmm_atspi  # noqa: E402

uh.enter_namespace(needs=vmm_atspi.NEEDS + guest_iso.NEEDS)

import testmain  # noqa: E402

NAME = "isovm"
IMAGES = Path("/var/lib/libvirt/images")
WAIT = vmm_atspi.WAIT
OS_CELL = "Generic Linux 2022 (linux2022)"
SECTORS = -(-int(0.1 * 1024 ** 3) // 512)     # 0.1 GiB: qemu-img rounds up to whole sectors
BOOT_WAIT = 240         # TCG, SeaBIOS and ISOLINUX, on a loaded 2-core machine


class VirtManagerHardwareTest(vmm_atspi.VmmDriver, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.iso = cls.start_with_image(IMAGES / "virtbus-guest.iso")

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

    # ---- 2. the running guest's details ----

    def details(self):
        """The guest's window (virt-manager opened it after Finish) on its Details view; returns
        the hardware list's rows."""
        self.act("radio button", "Details")
        return self.cells("hw-list")

    def add_hardware(self, kind):
        """Add Hardware, the kind chosen in its list; returns the dialog."""
        self.act("push button", "add-hardware")
        dialog = self.element("frame", "Add New Virtual Hardware", "the Add Hardware dialog")
        self.select_row("", kind, dialog)
        self.wait_until(lambda: kind in self.texts("label", dialog), "the %s page" % kind)
        return dialog

    def finish_adding(self, dialog, shown, what):
        """Finish; the dialog closes without a warning once the hardware list's rows satisfy
        `shown` (a predicate)."""
        self.act("push button", "Finish", under=dialog)
        self.wait_until(lambda: shown(self.cells("hw-list")), what + " in the hardware list")
        self.no_error_dialog()
        self.assertFalse(self.find_all("frame", "Add New Virtual Hardware"))

    def test_4_add_hardware_storage(self):
        """Add Hardware → Storage: a new 0.1 GiB disk in the default pool, attached live and to the
        definition; the guest sees it."""
        rows = self.details()
        self.assertIn("VirtIO Disk 1", rows)
        self.assertNotIn("VirtIO Disk 2", rows)
        dialog = self.add_hardware("Storage")
        self.act("radio button", "Create a disk image for the virtual machine", under=dialog)
        spins = self.find_all("spin button", None, dialog)
        self.assertEqual(len(spins), 1, self.dump(dialog))
        spins[0].queryValue().currentValue = 0.1
        self.assertIn("VirtIO", [c.name for c in self.find_all("combo box", None, dialog)])
        self.finish_adding(dialog, lambda rows: "VirtIO Disk 2" in rows, "VirtIO Disk 2")
        volume = str(IMAGES / (NAME + "-1.qcow2"))
        for dom in (self.xml(), self.xml("--inactive")):
            disk = dom.find("devices/disk/target[@dev='vdb']/..")
            self.assertIsNotNone(disk, ET.tostring(dom.find("devices")).decode()[:3000])
            self.assertEqual(disk.find("source").get("file"), volume)
            self.assertEqual(disk.find("driver").get("type"), "qcow2")
            self.assertEqual(disk.find("target").get("bus"), "virtio")
        self.assertIn(volume, self.w.virsh("vol-list", "default").stdout)
        said = uh.serial_console_says(NAME, "disks", r"VIRTBUS-GUEST-DISKS [^\r\n]*vdb:\d+ [^\r\n]*\r?\n", WAIT)
        self.assertIn("vdb:%d " % SECTORS, said)

    def test_5_add_hardware_network(self):
        """Add Hardware → Network: a virtio NIC on the "default" network, attached live and to the
        definition; the guest sees its MAC."""
        self.details()
        def nic_rows(rows):
            return [r for r in rows if r.startswith("NIC ")]
        self.assertEqual(len(nic_rows(self.cells("hw-list"))), 1)
        dialog = self.add_hardware("Network")
        self.assertIn("virtio", [c.name for c in self.find_all("combo box", None, dialog)])   # the model
        self.finish_adding(dialog, lambda rows: len(nic_rows(rows)) == 2, "a second NIC")
        live, inactive = self.xml(), self.xml("--inactive")
        macs = []
        for dom in (live, inactive):
            ifaces = dom.findall("devices/interface")
            self.assertEqual(len(ifaces), 2)
            self.assertEqual(ifaces[1].find("source").get("network"), "default")
            self.assertEqual(ifaces[1].find("model").get("type"), "virtio")
            macs.append(ifaces[1].find("mac").get("address"))
        self.assertEqual(macs[0], macs[1])
        new_row = "NIC :" + macs[0][-8:]
        self.assertIn(new_row, self.cells("hw-list"))
        uh.serial_console_says(NAME, "nics", r"VIRTBUS-GUEST-NICS [^\r\n]*%s" % re.escape(macs[0]), WAIT)

    def apply_for_next_boot(self):
        """Apply on a running guest: virt-manager defines the change and says when it applies."""
        self.act("push button", "config-apply")
        self.answer_dialog("These changes will take effect after the next guest shutdown.", "OK")

    def test_6_memory_for_the_next_boot(self):
        """The Memory page: 384 MiB, Apply: virt-manager defines it, the running guest keeps 256."""
        self.details()
        self.select_row("hw-list", "Memory")
        for name in ("Max Memory Select", "Memory Select"):
            self.element("spin button", name).queryValue().currentValue = 384.0
        self.apply_for_next_boot()
        inactive, live = self.xml("--inactive"), self.xml()
        self.assertEqual(inactive.find("memory").text, str(384 * 1024))
        self.assertEqual(inactive.find("currentMemory").text, str(384 * 1024))
        self.assertEqual(live.find("memory").text, str(256 * 1024))

    def test_7_vcpus_for_the_next_boot(self):
        """The CPUs page: 2 vCPUs, Apply: defined for the next boot, the running guest keeps 1."""
        self.details()
        self.select_row("hw-list", "CPUs")
        self.element("spin button", "Virtual CPU Select").queryValue().currentValue = 2.0
        self.apply_for_next_boot()
        self.assertEqual(self.xml("--inactive").find("vcpu").text, "2")
        self.assertEqual(self.xml().find("vcpu").text, "1")
        self.assertEqual(self.w.virsh("vcpucount", NAME, "--config", "--current").stdout.strip(), "2")
        self.assertEqual(self.w.virsh("vcpucount", NAME, "--live", "--current").stdout.strip(), "1")


    def test_8_remove_the_new_disk(self):
        """Remove on the new disk's row: virt-manager's "Remove Disk Device" window (its storage
        kept), then the disk is gone from the running guest (the guest no longer sees it) and
        from the definition; the volume stays in the pool."""
        self.assertIn("VirtIO Disk 2", self.details())
        self.select_row("hw-list", "VirtIO Disk 2")
        self.act("push button", "config-remove")
        window = self.element("frame", "Remove Disk Device", "the Remove Disk Device window")
        self.assertIn("Remove disk device 'vdb'", self.texts("label", window))
        self.assertIn("Delete associated storage files", [c.name for c in self.find_all("check box", None, window)])
        self.act("push button", "Delete", under=window)
        self.wait_until(lambda: "VirtIO Disk 2" not in self.cells("hw-list"), "the VirtIO Disk 2 row to go")
        self.no_error_dialog()
        for dom in (self.xml(), self.xml("--inactive")):
            self.assertIsNone(dom.find("devices/disk/target[@dev='vdb']"))
        self.assertIn(str(IMAGES / (NAME + "-1.qcow2")), self.w.virsh("vol-list", "default").stdout)
        said = uh.serial_console_says(NAME, "disks", r"VIRTBUS-GUEST-DISKS [^\r\n]*\r?\n", WAIT)
        self.assertNotIn("vdb:", said)


    def test_9_remove_the_tablet(self):
        """Remove on the Tablet row, device removal confirmations turned off in Preferences first
        (virt-manager asks in a modal dialog, see docs/ui-clients.md): the USB tablet leaves the
        running guest and its definition."""
        self.act("menu", "Edit")
        self.act("menu item", "Preferences")
        prefs = self.element("frame", "Preferences", "the Preferences window")
        tabs = self.element("page tab list", None, under=prefs)
        names = [c.name for c in tabs]
        tabs.querySelection().selectChild(names.index("Feedback"))
        label = self.element("label", "Device removal:", under=prefs)
        # the box has no name of its own: the label names it (its "labelled by" relation)
        boxes = [b for b in self.find_all("check box", None, prefs)
                 if any(r.getTarget(0) == label for r in b.getRelationSet())]
        self.assertEqual(len(boxes), 1, self.dump(prefs))
        box = boxes[0]
        if box.getState().contains(self.atspi.STATE_CHECKED):
            box.queryAction().doAction(0)
        self.wait_until(lambda: not box.getState().contains(self.atspi.STATE_CHECKED), "the box unchecked")
        self.act("push button", "Close", under=prefs)
        self.assertIn("Tablet", self.details())
        self.select_row("hw-list", "Tablet")
        self.act("push button", "config-remove")
        self.wait_until(lambda: "Tablet" not in self.cells("hw-list"), "the Tablet row to go")
        self.no_error_dialog()
        for dom in (self.xml(), self.xml("--inactive")):
            self.assertIsNone(dom.find("devices/input[@type='tablet']"))


if __name__ == "__main__":
    testmain.main()
