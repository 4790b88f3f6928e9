#!/usr/bin/python3
"""test_cockpit_devices.py: cockpit-machines' hotplug and snapshot dialogs, in a headless
Chromium, against virtbusd.

    /usr/bin/python3 tests/ui/test_cockpit_devices.py -v      (root)

The world of test_cockpit_machines.py (ui_harness: virtbusd --system on a private system bus,
cockpit-ws with a root session, headless Chromium), libvirt's "default" network in the test's
own network namespace, a dir pool with one volume, and the tiny TCG guest on a qcow2 disk,
booted once. On the running guest's details page, as a user:
- Disks: "Add disk" creates a new volume in the pool and attaches it live and persistently,
  then attaches the pool's existing volume; each appears in the card, in virsh's live and
  persistent XML and in the guest's /sys/block (its console's `disks`); "Remove" detaches one.
- Network interfaces: "Add network interface" on the virtual network "default", live; the MAC
  the card shows is virsh domiflist's and the guest's (`nics`); "Unplug" / "Plug" set the link
  state (virsh domif-getlink); "Remove" detaches it.
- Snapshots: "Create snapshot" of the running guest and, after a shutdown, of the shut-off
  guest; the card lists what virsh snapshot-list lists; "Revert" to the first; "Delete".
Every wait polls; no error alert may show at any point."""

import json
import re
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui_harness as uh  # noqa: E402

uh.enter_namespace(needs=(uh.COCKPIT_WS, "cockpit-bridge", "/usr/share/cockpit/machines",
                          "/usr/bin/chromium", uh.CHROMEDRIVER, "virt-xml", "qemu-img"))

import testmain  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
import test_cockpit_machines as tcm  # noqa: E402

NAME = "devvm"
VM = "vm-%s" % NAME               # cockpit-machines' id prefix for the details page's cards
POOL = "devpool"
WAIT = 60
BOOT_WAIT = 180                   # TCG on a loaded 2-core machine


def disk_targets(xml):
    return {d.find("target").get("dev"): d for d in ET.fromstring(xml).findall("./devices/disk")}


# test_cockpit_machines' page helpers (polls that fail on an error alert, clicks that retry), not its tests
PageHelpers = type("PageHelpers", (), {n: getattr(tcm.CockpitMachinesTest, n) for n in (
    "find", "wait", "poll", "text", "console_log", "no_error", "click", "click_when", "loaded")})


class CockpitDevicesTest(PageHelpers, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld()
        cls.w.create_default_network = 1        # the NIC dialog's virtual network "default"
        cls.w.start()
        try:
            cls.pool_dir = cls.w.dir_pool(POOL, {"old.qcow2": "8M"})
            cls.w.define_guest(NAME, fmt="qcow2")
            cls.w.virsh("start", NAME, check=True)
            uh.serial_console_answers(NAME, "hello", BOOT_WAIT)
            cls.b = uh.cockpit_machines_page(cls.w, WAIT)
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        uh.close_page(cls.w, cls.b, NAME)

    # ---- helpers ----

    def details(self):
        # a dialog an earlier test left open (with its error) is closed first
        for b in self.b.find_elements(By.CSS_SELECTOR, ".pf-c-modal-box button"):
            if b.is_displayed() and b.text.strip() == "Cancel":
                b.click()
        self.b.execute_script("window.location.hash = arguments[0]", "#vm?name=%s&connection=system" % NAME)
        self.poll(self.loaded, "the machines page")
        for card in ("disks", "networks", "snapshots"):
            self.wait("#%s-%s" % (VM, card), "the %s card" % card)

    def modal(self):
        return self.wait(".pf-c-modal-box", "a dialog")

    def modal_button(self, text):
        """Clicks the shown dialog's button labelled text."""
        def find():
            for b in self.b.find_elements(By.CSS_SELECTOR, ".pf-c-modal-box button"):
                if b.is_displayed() and b.text.strip() == text and b.is_enabled():
                    return b
            return None
        self.click_when(find, "the dialog's %r button" % text)

    def no_modal(self):
        self.poll(lambda: not self.find(".pf-c-modal-box"), "the dialog to close")

    def select(self, css, value):
        self.poll(lambda: value in [o.get_attribute("value") for o in
                                    self.wait(css).find_elements(By.TAG_NAME, "option")],
                  "%r among %s's options" % (value, css))
        Select(self.wait(css)).select_by_value(value)

    def type_into(self, css, value):
        el = self.wait(css)
        el.send_keys(Keys.CONTROL, "a")
        el.send_keys(value)

    def check(self, css, on=True):
        el = self.wait(css)
        if el.is_selected() != on:
            el.click()

    def card(self, name):
        el = self.find("#%s-%s" % (VM, name))
        return el.text if el else ""

    def live_xml(self):
        return self.w.virsh("dumpxml", NAME, check=True).stdout

    def persistent_xml(self):
        return self.w.virsh("dumpxml", "--inactive", NAME, check=True).stdout

    def guest(self, command, marker):
        return uh.serial_console_line(NAME, command, marker, WAIT)

    def guest_disks(self):
        """The guest kernel's block devices: {name: 512-byte sectors}."""
        line = self.guest("disks", "VIRTBUS-GUEST-DISKS")
        return dict(w.split(":") for w in line.split() if ":" in w)

    def wait_guest(self, what, fn):
        uh.wait_for(lambda: fn(self.guest_disks()), what, WAIT, 1)

    # ---- the flow, in order ----

    def test_1_disks_add_new_volume(self):
        self.details()
        self.poll(lambda: "%s.img" % NAME in self.card("disks"), "the boot disk in the disks card")
        self.assertNotIn("vdb", self.guest_disks())
        self.click("#%s-disks-adddisk" % VM)
        p = "#%s-disks-adddisk" % VM
        self.modal()
        self.click(p + "-createnew")
        self.select(p + "-new-select-pool", POOL)
        self.type_into(p + "-new-name", "fresh.qcow2")
        self.type_into(p + "-new-size", "32")
        self.select(p + "-new-unit", "MiB")
        self.check(p + "-permanent")
        self.modal_button("Add")
        self.no_modal()
        self.poll(lambda: "fresh.qcow2" in self.card("disks"), "the new volume in the disks card")
        self.assertTrue((self.pool_dir / "fresh.qcow2").exists())
        vol = self.w.virsh("vol-dumpxml", "--pool", POOL, "fresh.qcow2", check=True).stdout
        self.assertIn("<capacity unit='bytes'>33554432</capacity>", vol)
        # live: the volume's file; persistent ("Always attach"): the pool's volume
        self.assertEqual(disk_targets(self.live_xml())["vdb"].find("source").get("file"),
                         str(self.pool_dir / "fresh.qcow2"))
        self.assertEqual(disk_targets(self.persistent_xml())["vdb"].find("source").attrib,
                         {"pool": POOL, "volume": "fresh.qcow2"})
        self.wait_guest("vdb (32 MiB) in the guest", lambda d: d.get("vdb") == str(32 << 11))

    def test_2_disks_use_existing(self):
        self.details()
        p = "#%s-disks-adddisk" % VM
        self.click(p)
        self.modal()
        self.click(p + "-useexisting")
        self.select(p + "-existing-select-pool", POOL)
        self.select(p + "-existing-select-volume", "old.qcow2")
        self.modal_button("Add")
        self.no_modal()
        self.poll(lambda: "old.qcow2" in self.card("disks"), "the existing volume in the disks card")
        self.assertIn("vdc", disk_targets(self.live_xml()))
        self.assertNotIn("vdc", disk_targets(self.persistent_xml()))     # not "Always attach"
        self.wait_guest("vdc (8 MiB) in the guest", lambda d: d.get("vdc") == str(8 << 11))

    def test_3_disks_remove(self):
        self.details()
        self.poll(lambda: "old.qcow2" in self.card("disks"), "the existing volume in the disks card")
        self.remove_disk("vdc")
        self.poll(lambda: "old.qcow2" not in self.card("disks"), "the volume to leave the disks card")
        self.assertNotIn("vdc", disk_targets(self.live_xml()))
        self.assertIn("vdb", disk_targets(self.live_xml()))
        self.wait_guest("vdc gone from the guest", lambda d: "vdc" not in d and "vdb" in d)

    def remove_disk(self, target):
        row = "#%s-disks-%s" % (VM, target)
        # the row's kebab (its last cell's toggle), then its Remove entry
        self.click_when(lambda: self.row_action(row), "the disk row's action menu")
        self.click_when(lambda: self.menu_item("Remove"), "Remove")
        self.modal()
        self.modal_button("Remove")
        self.no_modal()

    def row_action(self, row_prefix):
        el = self.find(row_prefix + "-device")
        if el is None:
            return None
        tr = el.find_element(By.XPATH, "ancestor::tr[1]")
        toggles = [b for b in tr.find_elements(By.CSS_SELECTOR, "button") if b.is_displayed()]
        return toggles[-1] if toggles else None

    def menu_item(self, text):
        for el in self.b.find_elements(By.CSS_SELECTOR, ".pf-c-dropdown__menu-item, .pf-c-menu__item"):
            if el.is_displayed() and el.text.strip() == text:
                return el
        return None

    def nic_rows(self):
        """{MAC: index} of the network interfaces card."""
        out = {}
        for el in self.b.find_elements(By.CSS_SELECTOR, "[id^='%s-network-'][id$='-mac']" % VM):
            m = re.match(r"%s-network-(\d+)-mac$" % VM, el.get_attribute("id"))
            if m and el.is_displayed():
                out[el.text.strip()] = int(m.group(1))
        return out

    def domiflist(self):
        """{MAC: (type, source)} of virsh domiflist."""
        out = {}
        for line in self.w.virsh("domiflist", NAME, check=True).stdout.splitlines():
            f = line.split()
            if len(f) == 5 and re.match(r"([0-9a-f]{2}:){5}[0-9a-f]{2}$", f[4]):
                out[f[4]] = (f[1], f[2])
        return out

    def test_4_nic_add_unplug_plug_remove(self):
        self.details()
        self.poll(lambda: "52:54:00:55:00:01" in self.nic_rows(), "the guest's NIC in the card")
        self.click("#%s-add-iface-button" % VM)
        p = "#%s-add-iface" % VM
        self.modal()
        self.select(p + "-type", "network")
        self.select(p + "-source", "default")
        self.modal_button("Add")
        self.no_modal()
        self.poll(lambda: len(self.nic_rows()) == 2, "a second NIC in the card")
        macs = self.domiflist()
        new = [m for m in self.nic_rows() if m != "52:54:00:55:00:01"][0]
        self.assertEqual(macs.get(new), ("network", "default"), macs)
        uh.wait_for(lambda: new in self.guest("nics", "VIRTBUS-GUEST-NICS"), "the guest's new NIC", WAIT, 1)
        index = self.nic_rows()[new]
        state = "#%s-network-%d-state" % (VM, index)
        self.poll(lambda: self.find(state).text.strip() == "up", "the new NIC's state up")

        self.click("#%s-iface-%d-unplug" % (VM, index))
        self.poll(lambda: self.find(state).text.strip() == "down", "the NIC's state down")
        self.assertIn("down", self.w.virsh("domif-getlink", NAME, new, check=True).stdout)
        self.click("#%s-iface-%d-plug" % (VM, index))
        self.poll(lambda: self.find(state).text.strip() == "up", "the NIC's state up again")
        self.assertIn("up", self.w.virsh("domif-getlink", NAME, new, check=True).stdout)

        self.click("#delete-%s-iface-%d" % (VM, index))
        self.modal()
        self.modal_button("Remove")
        self.no_modal()
        self.poll(lambda: list(self.nic_rows()) == ["52:54:00:55:00:01"], "the NIC to leave the card")
        self.assertEqual(list(self.domiflist()), ["52:54:00:55:00:01"])
        self.assertNotIn(new, self.guest("nics", "VIRTBUS-GUEST-NICS"))

    def snapshot_names(self):
        return sorted(el.text.strip() for el in self.b.find_elements(
            By.CSS_SELECTOR, "[id^='%s-snapshot-'][id$='-name']" % VM) if el.is_displayed())

    def bus(self, path, interface, method, sig="", *args):
        """A call on virtbusd's org.libvirt (as cockpit-machines makes them); its JSON data."""
        p = subprocess.run(["busctl", "--system", "--json=short", "--timeout=30", "call", "org.libvirt", path,
                            interface, method] + ([sig] + [str(a) for a in args] if sig else []),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)["data"]

    def bus_snapshots(self):
        """The snapshot names org.libvirt.Domain.ListDomainSnapshots gives, through their objects."""
        dom = self.bus("/org/libvirt/QEMU", "org.libvirt.Connect", "DomainLookupByName", "s", NAME)[0]
        names = []
        for path in self.bus(dom, "org.libvirt.Domain", "ListDomainSnapshots", "u", 0)[0]:
            xml = self.bus(path, "org.libvirt.DomainSnapshot", "GetXMLDesc", "u", 0)[0]
            names.append(ET.fromstring(xml).findtext("name"))
        return sorted(names)

    def virsh_snapshots(self):
        return sorted(self.w.virsh("snapshot-list", "--name", NAME, check=True).stdout.split())

    def create_snapshot(self, name):
        self.click("#%s-add-snapshot-button" % VM)
        self.modal()
        self.type_into("#snapshot-create-dialog-name", name)
        self.type_into("#snapshot-create-dialog-description", "made in cockpit")
        self.modal_button("Create")
        self.no_modal()
        self.poll(lambda: name in self.snapshot_names(), "snapshot %s in the card" % name)

    def test_5_snapshots(self):
        self.details()
        self.create_snapshot("running1")
        self.assertEqual(self.virsh_snapshots(), ["running1"])
        info = self.w.virsh("snapshot-info", NAME, "running1", check=True).stdout
        self.assertRegex(info, r"State:\s+running")
        # a shut-off guest's snapshot
        self.w.virsh("destroy", NAME, check=True)
        self.poll(lambda: "Shut off" in self.text(), "the guest shut off")
        self.create_snapshot("off1")
        self.assertEqual(self.virsh_snapshots(), ["off1", "running1"])
        self.assertEqual(self.snapshot_names(), ["off1", "running1"])
        self.assertEqual(self.bus_snapshots(), ["off1", "running1"])
        self.assertRegex(self.w.virsh("snapshot-info", NAME, "off1", check=True).stdout, r"State:\s+shutoff")
        # revert to the running one: the guest runs again
        index = self.snapshot_index("running1")
        self.click("#%s-snapshot-%d-revert" % (VM, index))
        self.modal()
        self.modal_button("Revert")
        self.no_modal()
        self.poll(lambda: self.w.virsh("domstate", NAME).stdout.strip() == "running", "the guest running again")
        self.assertEqual(self.w.virsh("snapshot-current", "--name", NAME, check=True).stdout.strip(), "running1")
        # delete the shut-off one
        index = self.snapshot_index("off1")
        self.click("#delete-%s-snapshot-%d" % (VM, index))
        self.modal()
        self.modal_button("Delete")
        self.no_modal()
        self.poll(lambda: self.snapshot_names() == ["running1"], "off1 to leave the card")
        self.assertEqual(self.virsh_snapshots(), ["running1"])
        self.assertEqual(self.bus_snapshots(), ["running1"])

    def snapshot_index(self, name):
        for el in self.b.find_elements(By.CSS_SELECTOR, "[id^='%s-snapshot-'][id$='-name']" % VM):
            if el.text.strip() == name:
                return int(re.match(r"%s-snapshot-(\d+)-name$" % VM, el.get_attribute("id")).group(1))
        self.fail("no snapshot %s in the card" % name)


if __name__ == "__main__":
    testmain.main()
