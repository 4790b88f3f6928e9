#!/usr/bin/python3
"""test_virt_manager_create.py: virt-manager's "New VM" wizard creates and runs a guest on virtbusd.

    /usr/bin/python3 tests/ui/test_virt_manager_create.py -v      (root)

What a user does in Debian's virt-manager 4.1 to bring an existing disk to a host: the manager
window's "New" button, "Import existing disk image", the image's path, an
operating system from osinfo ("Generic Linux 2022"), memory and CPUs, a name, Finish. The wizard
builds virt-manager's own default XML for that OS (q35, 14 pcie-root-ports, qemu-xhci, SPICE
with its spicevmc channel and two USB redirections, virtio video, ich9 sound, the guest agent
channel, virtio-rng, the NIC on libvirt's "default" network) with virtinst in process, defines
and starts it on qemu:///system — virtbusd's remote door — and opens the guest's console window.

The wizard is driven through the accessibility tree (AT-SPI: GTK's bridge on a private session
bus, read with python3-pyatspi), the way a screen reader sees it: radio buttons, entries, the OS
list's cells and the spin buttons are acted on by name, not by screen coordinates. The disk is
the tiny test guest as a bootable hybrid ISO (guest_iso.py), so the guest boots through the
firmware. The guest must run, keep every device virt-manager asked for, answer on its serial
console, and the console window must show its SPICE display."""

import subprocess
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
import test_virt_manager as tvm  # noqa: E402

NAME = "wizvm"
OS_CELL = "Generic Linux 2022 (linux2022)"
WAIT = vmm_atspi.WAIT
BOOT_WAIT = 240         # TCG, SeaBIOS and ISOLINUX, on a loaded 2-core machine


class VirtManagerCreateTest(vmm_atspi.VmmDriver, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.disk = cls.start_with_image(Path("/var/lib/libvirt/images") / (NAME + ".img"))

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    # ---- the flow, in order ----

    def test_1_wizard_imports_and_runs(self):
        self.element("frame", "Virtual Machine Manager", "the manager window")
        self.act("push button", "New")
        self.element("frame", "New VM", "the New VM wizard")
        self.act("radio button", "Import existing disk image")
        self.act("push button", "Forward")
        self.type_text("import-entry", str(self.disk))
        self.type_text("oslist-entry", "linux2022")
        self.act("table cell", OS_CELL, "activate")
        self.act("push button", "Forward")
        uh.wait_for(lambda: any(s.name == "cpus" for s in self.find_all("spin button")), "the memory page", WAIT, 0.5)
        for spin in self.find_all("spin button"):
            spin.queryValue().currentValue = 1.0 if spin.name == "cpus" else 256.0
        self.act("push button", "Forward")
        self.element("label", "Ready to begin the installation")
        self.element("label", "Generic Linux 2022")
        name = self.element("text", "", "the Name entry")
        name.queryEditableText().setTextContents(NAME)
        self.no_error_dialog()
        self.act("push button", "Finish")
        try:
            uh.wait_for(lambda: self.w.virsh("domstate", NAME).stdout.strip() == "running",
                        "the new VM to run", BOOT_WAIT, 1)
        except AssertionError as e:
            self.fail("%s\n--- virt-manager log:\n%s\n--- virtbusd log tail:\n%s"
                      % (e, self.vmm_log.read_text()[-4000:], self.w.log()[-3000:]))
        self.no_error_dialog()

    def test_2_keeps_what_virt_manager_asked_for(self):
        """Every device of virt-manager's default XML is in the running guest's definition."""
        dom = ET.fromstring(self.w.virsh("dumpxml", NAME, check=True).stdout)
        self.assertEqual(dom.find("os/type").get("machine"), "pc-q35-7.2")   # the alias resolved
        self.assertEqual(dom.find("devices/disk/source").get("file"), str(self.disk))
        devs = dom.find("devices")
        self.assertEqual(len(devs.findall("controller[@model='pcie-root-port']")), 14)
        self.assertIsNotNone(devs.find("controller[@type='usb'][@model='qemu-xhci']"))
        self.assertEqual(devs.find("interface/source").get("network"), "default")
        self.assertIsNotNone(devs.find("graphics[@type='spice']"))
        self.assertIsNotNone(devs.find("channel[@type='spicevmc']"))
        self.assertEqual(len(devs.findall("redirdev[@type='spicevmc']")), 2)
        self.assertEqual(devs.find("channel/target[@name='org.qemu.guest_agent.0']").get("type"), "virtio")
        self.assertEqual(devs.find("video/model").get("type"), "virtio")
        self.assertEqual(devs.find("sound").get("model"), "ich9")
        self.assertEqual(devs.find("rng/backend").text, "/dev/urandom")
        self.assertIsNotNone(devs.find("input[@type='tablet'][@bus='usb']"))
        # virt-manager writes a pty <console> only; as libvirt, the definition pairs it with the
        # serial port it sits on
        self.assertEqual(devs.find("serial").get("type"), "pty")
        self.assertEqual(devs.find("console/target").attrib, {"type": "serial", "port": "0"})

    def test_3_guest_boots_from_the_imported_disk(self):
        uh.serial_console_answers(NAME, "wizard", BOOT_WAIT)

    def test_4_console_window_shows_the_guest(self):
        """After Finish the wizard opens the guest's window; its SPICE display (OpenGraphicsFD on
        a local connection) shows the screen."""
        try:
            uh.wait_for(lambda: "Viewer connected" in self.vmm_log.read_text() or
                        "Error connecting to graphical console" in self.vmm_log.read_text(), "the viewer", WAIT, 0.5)
        except AssertionError as e:
            self.fail("%s\n--- virt-manager log:\n%s" % (e, self.vmm_log.read_text()[-4000:]))
        self.assertNotIn("Error connecting to graphical console", self.vmm_log.read_text())
        shot = self.w.tmp / "screen.xwd"

        def colours():
            subprocess.run(["xwd", "-root", "-silent", "-display", self.display, "-out", str(shot)],
                           check=True, timeout=20)
            return tvm.xwd_colours(shot)
        uh.wait_for(lambda: colours() > 20, "the guest's display in the window", WAIT, 1)


if __name__ == "__main__":
    testmain.main()
