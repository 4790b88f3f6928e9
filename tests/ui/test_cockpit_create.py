#!/usr/bin/python3
"""test_cockpit_create.py: cockpit-machines' "Import VM" dialog creates and runs a guest on virtbusd,
and its VNC console page shows the guest's screen.

    /usr/bin/python3 tests/ui/test_cockpit_create.py -v      (root)

What a user does in cockpit-machines 288 (Debian 12) to bring an existing disk to a host: "Import
VM", a name, the disk image's path, an operating system from osinfo, the memory, "Import and
run". The dialog runs its install_machine.py as root, which runs `virt-install --import
--os-variant ... --graphics vnc,listen=127.0.0.1 ...` (plus spice when the domain capabilities
offer it) against qemu:///system, i.e. virtbusd's remote door; the list and the details page
come from the D-Bus door. The disk is the tiny test guest as a bootable hybrid ISO
(guest_iso.py), so the guest really boots through the firmware. The VM must show up Running
with no error alert, virsh must agree, the guest must print its "up" line on its serial
console, and the VNC console's canvas (noVNC over cockpit's stream channel to QEMU's VNC port)
must show a screen that is not one flat colour (pixels read in the page)."""

import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guest_iso  # noqa: E402
import ui_harness as uh  # noqa: E402

uh.enter_namespace(needs=(uh.COCKPIT_WS, "cockpit-bridge", "/usr/share/cockpit/machines",
                          "/usr/bin/chromium", uh.CHROMEDRIVER, "virt-install") + guest_iso.NEEDS)

import guest  # noqa: E402
import testmain  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
import test_cockpit_machines as tcm  # noqa: E402

NAME = "importvm"
ROW = "vm-%s-system" % NAME
# The dialog lists only osinfo entries not end-of-life a year ago nor released over three years
# ago, by today's date; Debian 12's osinfo-db (2022) has few of those left: "debiantesting" has
# no dates and stays.
OS_TEXT = "Debian testing"
WAIT = 60
BOOT_WAIT = 240         # TCG, SeaBIOS and ISOLINUX, on a loaded 2-core machine

# Reads the console's canvas: how many distinct colours a coarse grid of pixels has.
CANVAS_COLOURS = """
const c = document.querySelector(arguments[0]);
if (!c || !c.width || !c.height) return 0;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const seen = new Set();
for (let y = 0; y < c.height; y += 4)
    for (let x = 0; x < c.width; x += 4) {
        const i = (y * c.width + x) * 4;
        seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
return seen.size;
"""


class Ps:
    """The clients' processes, listed when a message is printed (what the dialog spawned)."""
    def __str__(self):
        out = subprocess.run(["ps", "-eo", "pid,ppid,etime,args", "--cols", "300"], stdout=subprocess.PIPE,
                             text=True).stdout
        return "\n".join(line for line in out.splitlines()
                         if any(w in line for w in ("virt-install", "cockpit", "python3 -", "virsh")))


class CockpitCreateTest(unittest.TestCase):
    # The page helpers (open, poll, find, no_error, state...) are test_cockpit_machines' own.
    open = tcm.CockpitMachinesTest.open
    loaded = tcm.CockpitMachinesTest.loaded
    find = tcm.CockpitMachinesTest.find
    wait = tcm.CockpitMachinesTest.wait
    poll = tcm.CockpitMachinesTest.poll
    text = tcm.CockpitMachinesTest.text
    console_log = tcm.CockpitMachinesTest.console_log
    no_error = tcm.CockpitMachinesTest.no_error
    click = tcm.CockpitMachinesTest.click
    click_when = tcm.CockpitMachinesTest.click_when

    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld()
        # as on a fresh Debian host: libvirt's NAT network "default", where virt-install puts
        # the guest's NIC (it fails with "Network not found" without one)
        cls.w.create_default_network = 1
        cls.w.start()
        try:
            uh.wait_for(lambda: re.search(r"default\s+active", cls.w.virsh("net-list").stdout),
                        "the default network to be autostarted", 60, 0.5)
            # virt-manager's and cockpit's default pool folder (a temporary folder bound there)
            cls.disk = guest_iso.build(guest.build(), Path("/var/lib/libvirt/images") / (NAME + ".img"))
            cls.url = cls.w.start_cockpit()
            cls.b = uh.chromium(cls.w.tmp)
            cls.b.set_page_load_timeout(WAIT)
            cls.b.get(cls.url + "/cockpit/@localhost/machines/index.html")
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.b.quit()
        except Exception:
            pass
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    def state(self):
        el = self.find("#%s-state" % ROW)
        try:
            return el.text.strip() if el else None
        except StaleElementReferenceException:       # the row was redrawn: the next poll asks again
            return None

    def menu_entry(self, scope, text):
        """The entry of a PatternFly typeahead's open list whose text is `text`, if shown."""
        for b in self.b.find_elements(By.CSS_SELECTOR, scope + " .pf-c-select__menu button"):
            if b.is_displayed() and b.text.strip() == text:
                return b
        return None

    def type_into(self, css, value):
        el = self.wait(css)
        el.send_keys(Keys.CONTROL, "a")
        el.send_keys(Keys.BACKSPACE)
        el.send_keys(value)
        return el

    def test_1_import_and_run(self):
        self.open()
        # enabled once the page knows virt-install and the OS list (python3 with gi, osinfo-db)
        self.poll(lambda: self.find("#import-existing-vm") and self.find("#import-existing-vm").is_enabled(),
                  "the Import VM button, enabled")
        self.click("#import-existing-vm")
        self.wait("#create-vm-dialog", "the import dialog")
        self.type_into("#vm-name", NAME)
        # The disk chooser (cockpit's FileAutoComplete) lists the folder typed so far; the dialog
        # takes the path only when its entry in that list is chosen.
        disk_input = "#create-vm-dialog input[placeholder^='Existing disk image']"
        self.type_into(disk_input, str(self.disk.parent) + "/")
        self.click_when(lambda: self.menu_entry("#create-vm-dialog", str(self.disk)) or
                        self.wait(disk_input).send_keys(self.disk.name[-1:] + Keys.BACKSPACE),
                        "%s in the disk chooser's list" % self.disk)
        self.poll(lambda: self.find("#os-select-group input") and self.find("#os-select-group input").is_enabled(),
                  "the operating system list")
        self.type_into("#os-select-group input", OS_TEXT)
        self.click_when(lambda: self.menu_entry("#os-select-group", OS_TEXT), "%r in the OS list" % OS_TEXT)
        # the unit first: changing it converts the number shown
        self.click_when(lambda: next(iter(self.b.find_elements(
            By.CSS_SELECTOR, "#memory-size-unit-select option[value='MiB']")), None), "the MiB unit")
        self.poll(lambda: self.find("#memory-size-unit-select").get_attribute("data-value") == "MiB", "MiB")
        self.type_into("#memory-size", "256")
        self.poll(lambda: self.find("#memory-size").get_attribute("value") == "256", "256 MiB in the memory field")
        self.poll(lambda: self.find("#create-and-run") and self.find("#create-and-run").is_enabled(),
                  "Import and run, enabled (no field refused)")
        self.click("#create-and-run")
        self.poll(lambda: not self.find("#create-vm-dialog"), "the dialog to close (virt-install done); "
                  "processes:\n%s" % Ps(), timeout=BOOT_WAIT)
        self.poll(lambda: self.state() == "Running", "the imported VM Running in the list (now %r)" % self.state())
        self.assertEqual(self.w.virsh("domstate", NAME, check=True).stdout.strip(), "running")
        xml = self.w.virsh("dumpxml", NAME, check=True).stdout
        self.assertIn(str(self.disk), xml)
        self.assertIn("<graphics type='vnc'", xml)

    def test_2_guest_boots_from_the_imported_disk(self):
        """virt-install gave it a pty serial console: the guest's shell loop answers there."""
        uh.serial_console_answers(NAME, "imported", BOOT_WAIT)

    def test_3_vnc_console_shows_the_screen(self):
        self.open("#vm?name=%s&connection=system" % NAME)
        self.wait("#vm-%s-consoles" % NAME, "the consoles card")
        canvas = "#vm-%s-consoles canvas" % NAME
        self.poll(lambda: self.b.find_elements(By.CSS_SELECTOR, canvas), "the VNC console's canvas")
        self.poll(lambda: self.b.execute_script(CANVAS_COLOURS, canvas) > 1,
                  "the VNC canvas to show the guest's screen (not one flat colour)", timeout=BOOT_WAIT)


if __name__ == "__main__":
    testmain.main()
