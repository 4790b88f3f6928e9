"""test_qemu_hotplug_more.py: hotplug of USB inputs and hubs on qemu:///session, TCG guest.

    /usr/bin/python3 tests/integration/test_qemu_hotplug_more.py -v

virsh attach-device / detach-device (live, config, both) and D-Bus Domain.AttachDevice /
DetachDevice put a USB keyboard, mouse or hub on a port of the guest's xHCI controller and
take it off again: QEMU's own list of USB devices (`virsh qemu-monitor-command --hmp
'info usb'`) shows the device on the port the live XML names, the persistent XML follows
--config, and the device-added / device-removed events reach python3-libvirt and D-Bus
clients. Refusals (a PS/2 input live, a taken port, a USB host device, no USB controller)
change nothing.
"""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from hotplug_harness import HotplugGuestTest  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <maxMemory slots='2' unit='MiB'>1024</maxMemory>
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
    <controller type='usb' model='qemu-xhci' ports='6'/>
    <input type='tablet' bus='usb'/>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
"""


def usb_devices(xml, kind):
    """{(type or 'hub', port): alias} of the USB inputs or hubs of a domain XML."""
    out = {}
    for e in ET.fromstring(xml).findall("./devices/%s" % kind):
        if kind == "input" and e.get("bus") != "usb":
            continue
        a = e.find("address")
        al = e.find("alias")
        out[(e.get("type") if kind == "input" else "hub", None if a is None else a.get("port"))] = \
            None if al is None else al.get("name")
    return out


class QemuHotplugMoreTest(HotplugGuestTest):
    @classmethod
    def setUpClass(cls):
        cls.start_guest(DOMAIN_XML, "hotplug-more")

    def refused(self, cmd, text):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, cmd)
        self.assertIn(text, p.stderr)

    def xml_file(self, name, text):
        path = self.daemon.tmp / name
        path.write_text(text)
        return path

    def qemu_usb(self):
        """QEMU's own list: {id: port} of the devices on its USB bus."""
        out = self.virsh("qemu-monitor-command %s --hmp 'info usb'" % self.name).stdout
        return {m.group(2): m.group(1) for m in re.finditer(r"Port (\S+), .*ID: (\S+)", out)}

    def live(self, kind):
        return usb_devices(self.virsh("dumpxml %s" % self.name).stdout, kind)

    def inactive(self, kind):
        return usb_devices(self.virsh("dumpxml --inactive %s" % self.name).stdout, kind)

    def test_1_keyboard_live(self):
        self.assertEqual(self.qemu_usb(), {"input0": "1"})
        kbd = self.xml_file("kbd.xml", "<input type='keyboard' bus='usb'/>")
        self.virsh("attach-device %s %s --live" % (self.name, kbd))
        self.wait_events(("added", "input1"))
        self.assertEqual(self.qemu_usb(), {"input0": "1", "input1": "2"})
        self.assertEqual(self.live("input")[("keyboard", "2")], "input1")
        self.assertEqual(self.inactive("input"), {("tablet", None): None})
        self.virsh("detach-device %s %s --live" % (self.name, kbd))
        self.wait_events(("removed", "input1"))
        self.assertEqual(self.qemu_usb(), {"input0": "1"})
        self.assertNotIn("keyboard", str(self.live("input")))
        # Nothing left to detach: libvirt's answer.
        self.refused("detach-device %s %s --live" % (self.name, kbd), "matching input device not found")

    def test_2_hub_live_and_config(self):
        hub = self.xml_file("hub.xml", "<hub type='usb'/>")
        self.virsh("attach-device %s %s --live --config" % (self.name, hub))
        self.wait_events(("added", "hub0"))
        self.assertEqual(self.qemu_usb().get("hub0"), "2")
        self.assertEqual(self.live("hub"), {("hub", "2"): "hub0"})
        self.assertEqual(self.inactive("hub"), {("hub", "2"): None})
        self.virsh("detach-device %s %s --live --config" % (self.name, hub))
        self.wait_events(("removed", "hub0"))
        self.assertNotIn("hub0", self.qemu_usb())
        self.assertEqual(self.live("hub"), {})
        self.assertEqual(self.inactive("hub"), {})

    def test_3_config_only_and_a_chosen_port(self):
        mouse = self.xml_file("mouse.xml", "<input type='mouse' bus='usb'><address type='usb' bus='0' port='5'/>"
                                           "</input>")
        self.virsh("attach-device %s %s --config" % (self.name, mouse))
        self.assertEqual(self.inactive("input"), {("tablet", None): None, ("mouse", "5"): None})
        self.assertNotIn("mouse", str(self.live("input")))
        self.virsh("attach-device %s %s --live" % (self.name, mouse))
        self.wait_events(("added", "input1"))
        self.assertEqual(self.qemu_usb().get("input1"), "5")
        # The port is taken now; the controller has 6.
        self.refused("attach-device %s %s --live" % (self.name, mouse), "USB port 5 is already in use")
        far = self.xml_file("far.xml", "<input type='mouse' bus='usb'><address type='usb' bus='0' port='9'/></input>")
        self.refused("attach-device %s %s --live" % (self.name, far), "USB port 9 does not exist")
        self.virsh("detach-device %s %s --live --config" % (self.name, mouse))
        self.wait_events(("removed", "input1"))
        self.assertEqual(self.inactive("input"), {("tablet", None): None})
        self.assertEqual(self.qemu_usb(), {"input0": "1"})

    def test_4_refusals_change_nothing(self):
        before = self.virsh("dumpxml %s" % self.name).stdout
        ps2 = self.xml_file("ps2.xml", "<input type='mouse' bus='ps2'/>")
        self.refused("attach-device %s %s --live" % (self.name, ps2), "input device on bus 'ps2' cannot be hot plugged")
        hostdev = self.xml_file("hostdev.xml", "<hostdev mode='subsystem' type='usb'><source>"
                                               "<vendor id='0x1234'/><product id='0xbeef'/></source></hostdev>")
        self.refused("attach-device %s %s --live" % (self.name, hostdev), "<hostdev>")
        self.assertEqual(self.virsh("dumpxml %s" % self.name).stdout, before)
        # The boot-time tablet can go too; every free port used up gives libvirt's text.
        full = []
        for i in range(5):
            full.append(self.xml_file("k%d.xml" % i, "<input type='keyboard' bus='usb'/>"))
            self.virsh("attach-device %s %s --live" % (self.name, full[-1]))
        self.refused("attach-device %s %s --live" % (self.name, full[0]), "No free USB ports")
        for f in full:
            self.virsh("detach-device %s %s --live" % (self.name, f))
        self.assertEqual(self.qemu_usb(), {"input0": "1"})
        self.assertEqual(self.virsh("dumpxml %s" % self.name).stdout.count("<input type='keyboard'"), 0)
        # A domain without a USB controller: nowhere to plug it.
        nousb = DOMAIN_XML.replace("<controller type='usb' model='qemu-xhci' ports='6'/>",
                                   "<controller type='usb' model='none'/>").replace(
            "<input type='tablet' bus='usb'/>", "").format(name="no-usb", kernel="/k", initrd="/i", append="")
        self.virsh("define %s" % self.xml_file("nousb.xml", nousb))
        try:
            self.refused("attach-device no-usb %s --config" % self.xml_file("kbd.xml", "<input type='keyboard' "
                                                                           "bus='usb'/>"), "no USB controller")
        finally:
            self.virsh("undefine no-usb")

    def test_5_dbus_attach_detach(self):
        import dbus
        obj = self.bus.get_object(harness.BUS_NAME, self.dom_path)
        iface = dbus.Interface(obj, harness.DOMAIN)
        del self.events[:]
        del self.bus_events[:]
        live = self.libvirt.VIR_DOMAIN_AFFECT_LIVE
        xml = "<input type='mouse' bus='usb'/>"
        iface.AttachDevice(xml, dbus.UInt32(live), timeout=60)
        self.wait_events(("added", "input1"))
        self.assertEqual(self.qemu_usb().get("input1"), "2")
        iface.DetachDevice(xml, dbus.UInt32(live), timeout=60)
        self.wait_events(("removed", "input1"))
        self.assertEqual(self.qemu_usb(), {"input0": "1"})

    def test_6_tablet_detached_and_back(self):
        # The boot-time tablet (QEMU's input0, no <alias> in the definition) leaves and returns.
        tablet = self.xml_file("tablet.xml", "<input type='tablet' bus='usb'/>")
        del self.events[:]
        self.virsh("detach-device %s %s --live" % (self.name, tablet))
        self.wait_events(("removed", "input0"))
        self.assertEqual(self.qemu_usb(), {})
        self.virsh("attach-device %s %s --live" % (self.name, tablet))
        self.wait_events(("added", "input0"))
        self.assertEqual(self.qemu_usb(), {"input0": "1"})
        self.assertEqual(self.live("input"), {("tablet", "1"): "input0"})

    def qemu_pci_ids(self):
        """The ids of the PCI devices QEMU has (QMP query-pci, through qemu-monitor-command)."""
        out = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-pci\"}'" % self.name).stdout
        ids = set()

        def walk(devs):
            for d in devs:
                if d.get("qdev_id"):
                    ids.add(d["qdev_id"])
                walk(d.get("pci_bridge", {}).get("devices", []))
        for bus in json.loads(out)["return"]:
            walk(bus["devices"])
        return ids

    def controllers(self, inactive=False):
        xml = self.virsh("dumpxml %s%s" % ("--inactive " if inactive else "", self.name)).stdout
        return {(c.get("type"), c.get("index")) for c in ET.fromstring(xml).findall("./devices/controller")
                if c.get("type") in ("scsi", "virtio-serial", "pci")}

    def guest_up(self):
        """PCI devices leave with the guest's consent (ACPI): its kernel must be running."""
        self.assertIsNotNone(self.console.ask("state", "VIRTBUS-GUEST-STATE", 180),
                             "the guest does not answer: %r" % self.console.data[-500:])

    def test_7_scsi_controller_busy_while_a_disk_sits_on_it(self):
        self.guest_up()
        del self.events[:]
        ctl = self.xml_file("scsi.xml", "<controller type='scsi' model='virtio-scsi'/>")
        self.virsh("attach-device %s %s --live" % (self.name, ctl))
        self.wait_events(("added", "scsi0"))
        self.assertIn("scsi0", self.qemu_pci_ids())
        self.assertIn(("scsi", "0"), self.controllers())
        self.assertNotIn(("scsi", "0"), self.controllers(inactive=True))
        img = self.daemon.tmp / "sda.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(img), "16M"], check=True)
        os.chmod(img, 0o600)
        self.virsh("attach-disk %s %s sda --subdriver qcow2 --targetbus scsi --live" % (self.name, img))
        # libvirt's refusal while the disk sits on it; nothing changes.
        self.refused("detach-device %s %s --live" % (self.name, ctl), "device cannot be detached: device is busy")
        self.assertIn("scsi0", self.qemu_pci_ids())
        self.virsh("detach-disk %s sda --live" % self.name)
        wait_for("the disk gone", lambda: "sda" not in self.virsh("domblklist %s" % self.name).stdout, 30)
        self.virsh("detach-device %s %s --live" % (self.name, ctl))
        self.wait_events(("removed", "scsi0"), timeout=60)
        self.assertNotIn("scsi0", self.qemu_pci_ids())
        self.assertNotIn(("scsi", "0"), self.controllers())
        self.refused("detach-device %s %s --live" % (self.name, ctl), "controller scsi:0 not found")

    def test_8_virtio_serial_indexes_and_refusals(self):
        self.guest_up()
        del self.events[:]
        ctl = self.xml_file("vser.xml", "<controller type='virtio-serial'/>")
        self.virsh("attach-device %s %s --live --config" % (self.name, ctl))
        self.wait_events(("added", "virtio-serial0"))
        self.virsh("attach-device %s %s --live" % (self.name, ctl))
        self.wait_events(("added", "virtio-serial1"))
        self.assertLessEqual({"virtio-serial0", "virtio-serial1"}, self.qemu_pci_ids())
        self.assertLessEqual({("virtio-serial", "0"), ("virtio-serial", "1")}, self.controllers())
        self.assertIn(("virtio-serial", "0"), self.controllers(inactive=True))
        one = self.xml_file("vser1.xml", "<controller type='virtio-serial' index='1'/>")
        self.refused("attach-device %s %s --live" % (self.name, one), "target virtio-serial:1 already exists")
        before = self.virsh("dumpxml %s" % self.name).stdout
        rp = self.xml_file("rp.xml", "<controller type='pci' model='pcie-root-port'/>")
        self.refused("attach-device %s %s --live" % (self.name, rp),
                     "'pci' controller model 'pcie-root-port' cannot be hot plugged")
        usb = self.xml_file("usb2.xml", "<controller type='usb' index='1' model='qemu-xhci'/>")
        self.refused("attach-device %s %s --live" % (self.name, usb), "'usb' controller cannot be hot plugged.")
        self.assertEqual(self.virsh("dumpxml %s" % self.name).stdout, before)
        self.virsh("detach-device %s %s --live" % (self.name, one))
        self.wait_events(("removed", "virtio-serial1"), timeout=60)
        zero = self.xml_file("vser0.xml", "<controller type='virtio-serial' index='0'/>")
        self.virsh("detach-device %s %s --live --config" % (self.name, zero))
        self.wait_events(("removed", "virtio-serial0"), timeout=60)
        self.assertFalse({"virtio-serial0", "virtio-serial1"} & self.qemu_pci_ids())
        self.assertFalse({c for c in self.controllers() if c[0] == "virtio-serial"})
        self.assertFalse({c for c in self.controllers(inactive=True) if c[0] == "virtio-serial"})

    def chardevs(self):
        out = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-chardev\"}'" % self.name).stdout
        return {c["label"]: c["filename"] for c in json.loads(out)["return"]}

    def test_9_virtio_channel(self):
        self.guest_up()
        del self.events[:]
        chan = self.xml_file("chan.xml", "<channel type='unix'><target type='virtio' name='org.test.hot'/></channel>")
        self.virsh("attach-device %s %s --live" % (self.name, chan))
        self.wait_events(("added", "channel0"))
        # No virtio-serial controller before: one was added, as libvirt does.
        self.assertIn("virtio-serial0", self.qemu_pci_ids())
        self.assertIn(("virtio-serial", "0"), self.controllers())
        fn = self.chardevs()["charchannel0"]       # "disconnected:unix:PATH,server=on"
        self.assertIn("unix:", fn)
        sock = fn.split("unix:", 1)[1].split(",")[0]
        self.assertTrue(sock.endswith("/%s.channel.org.test.hot" % self.name), sock)
        self.assertTrue(os.path.exists(sock))
        live = ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)
        c = live.find("./devices/channel/target[@name='org.test.hot']/..")
        self.assertEqual(c.find("alias").get("name"), "channel0")
        self.assertIsNone(ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
                          .find("./devices/channel"))
        self.refused("attach-device %s %s --live" % (self.name, chan),
                     "a channel with target name 'org.test.hot' exists already")
        pty = self.xml_file("pty.xml", "<channel type='pty'><target type='virtio' name='org.test.pty'/></channel>")
        self.refused("attach-device %s %s --live" % (self.name, pty), "channel type 'pty' cannot be hot plugged")
        vser = self.xml_file("vser0b.xml", "<controller type='virtio-serial' index='0'/>")
        self.refused("detach-device %s %s --live" % (self.name, vser), "device cannot be detached: device is busy")
        self.virsh("detach-device %s %s --live" % (self.name, chan))
        self.wait_events(("removed", "channel0"))
        wait_for("the chardev gone", lambda: "charchannel0" not in self.chardevs(), 30)
        self.assertFalse(os.path.exists(sock))
        self.assertIsNone(ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout).find("./devices/channel"))
        self.refused("detach-device %s %s --live" % (self.name, chan), "device not present in domain configuration")
        self.virsh("detach-device %s %s --live" % (self.name, vser))
        self.wait_events(("removed", "virtio-serial0"), timeout=60)

    def guest_mem(self):
        words = self.console.ask("mem", "VIRTBUS-GUEST-MEM", 60)
        self.assertIsNotNone(words, "the guest does not answer `mem`: %r" % self.console.data[-500:])
        return int(words[0])

    def memory(self, inactive=False):
        xml = ET.fromstring(self.virsh("dumpxml %s%s" % ("--inactive " if inactive else "", self.name)).stdout)
        dimms = [(m.find("target/size").text, m.find("address").get("slot"),
                  None if m.find("alias") is None else m.find("alias").get("name"))
                 for m in xml.findall("./devices/memory")]
        return int(xml.find("memory").text), int(xml.find("currentMemory").text), dimms

    def qemu_dimms(self):
        out = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-memory-devices\"}'" % self.name).stdout
        return {d["data"]["id"]: (d["data"]["slot"], d["data"]["size"]) for d in json.loads(out)["return"]}

    def test_10_memory_dimm(self):
        self.guest_up()
        del self.events[:]
        before = self.guest_mem()
        self.assertEqual(self.memory(), (262144, 262144, []))
        dimm = self.xml_file("dimm.xml", "<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node>"
                                         "</target></memory>")
        self.virsh("attach-device %s %s --live" % (self.name, dimm))
        self.wait_events(("added", "dimm0"))
        self.assertEqual(self.qemu_dimms(), {"dimm0": (0, 128 << 20)})
        self.assertEqual(self.memory(), (393216, 393216, [("131072", "0", "dimm0")]))
        self.assertEqual(self.memory(inactive=True), (262144, 262144, []))
        wait_for("the guest's memory to grow by the DIMM", lambda: self.guest_mem() >= before + 120 * 1024, 60)
        # libvirt's refusals, nothing changed
        odd = self.xml_file("odd.xml", "<memory model='dimm'><target><size unit='KiB'>1000</size></target></memory>")
        self.refused("attach-device %s %s --live" % (self.name, odd), "is not a multiple of 2048 KiB")
        big = self.xml_file("big.xml", "<memory model='dimm'><target><size unit='MiB'>768</size></target></memory>")
        self.refused("attach-device %s %s --live" % (self.name, big),
                     "Attaching memory device with size '786432' would exceed domain's maxMemory config size "
                     "'1048576'")
        self.virsh("attach-device %s %s --live" % (self.name, dimm))
        self.wait_events(("added", "dimm1"))
        self.refused("attach-device %s %s --live" % (self.name, dimm), "no free memory device slot available")
        self.assertEqual(sorted(self.qemu_dimms()), ["dimm0", "dimm1"])
        # The guest gives them back (its kernel offlines the movable blocks): DEVICE_DELETED.
        self.virsh("detach-device %s %s --live" % (self.name, dimm))
        self.wait_events(("removed", "dimm0"), timeout=90)
        self.virsh("detach-device %s %s --live" % (self.name, dimm))
        self.wait_events(("removed", "dimm1"), timeout=90)
        self.assertEqual(self.qemu_dimms(), {})
        self.assertEqual(self.memory(), (262144, 262144, []))
        wait_for("the guest's memory back", lambda: self.guest_mem() < before + 60 * 1024, 60)
        self.refused("detach-device %s %s --live" % (self.name, dimm), "matching memory device was not found")

    def test_11_memory_config_and_no_max(self):
        dimm = self.xml_file("dimmc.xml", "<memory model='dimm'><target><size unit='MiB'>256</size></target></memory>")
        self.virsh("attach-device %s %s --config" % (self.name, dimm))
        self.assertEqual(self.memory(inactive=True), (524288, 524288, [("262144", "0", None)]))
        self.assertEqual(self.memory()[0], 262144)
        self.virsh("detach-device %s %s --config" % (self.name, dimm))
        self.assertEqual(self.memory(inactive=True), (262144, 262144, []))
        nomax = DOMAIN_XML.replace("<maxMemory slots='2' unit='MiB'>1024</maxMemory>", "").format(
            name="no-max", kernel="/k", initrd="/i", append="")
        self.virsh("define %s" % self.xml_file("nomax.xml", nomax))
        try:
            self.refused("attach-device no-max %s --config" % dimm,
                         "cannot use/hotplug a memory device when domain 'maxMemory' is not defined")
        finally:
            self.virsh("undefine no-max")

    def test_12_detach_by_alias(self):
        del self.events[:]
        kbd = self.xml_file("kbd-alias.xml", "<input type='keyboard' bus='usb'/>")
        self.virsh("attach-device %s %s --live" % (self.name, kbd))
        alias = self.live("input")[("keyboard", "2")]
        self.wait_events(("added", alias))
        self.virsh("detach-device-alias %s %s --live" % (self.name, alias))
        self.wait_events(("removed", alias))
        self.assertNotIn(alias, self.qemu_usb())
        ctl = self.xml_file("scsi-alias.xml", "<controller type='scsi' model='virtio-scsi'/>")
        self.virsh("attach-device %s %s --live" % (self.name, ctl))
        self.wait_events(("added", "scsi0"))
        self.guest_up()
        self.virsh("detach-device-alias %s scsi0 --live" % self.name)
        self.wait_events(("removed", "scsi0"), timeout=60)
        self.assertNotIn("scsi0", self.qemu_pci_ids())
        self.refused("detach-device-alias %s scsi0 --live" % self.name, "no device found with alias scsi0")

    def qemu_peripherals(self):
        cmd = {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        out = self.virsh("qemu-monitor-command %s '%s'" % (self.name, json.dumps(cmd))).stdout
        return {c["name"] for c in json.loads(out)["return"]}

    def channel_aliases(self):
        live = ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)
        return {c.find("target").get("name"): c.find("alias").get("name") for c in live.findall("./devices/channel")}

    def test_13_channel_user_alias(self):
        """A channel attached live with a user's ua- alias keeps it (libvirt's QEMU id too), and
        detach-device-alias finds it; a second device of that alias is refused."""
        self.guest_up()
        del self.events[:]
        chan = self.xml_file("chan-ua.xml", "<channel type='unix'><target type='virtio' name='org.example.x'/>"
                                            "<alias name='ua-foo'/></channel>")
        self.virsh("attach-device %s %s --live" % (self.name, chan))
        self.wait_events(("added", "ua-foo"))
        self.assertEqual(self.channel_aliases(), {"org.example.x": "ua-foo"})
        self.assertIn("ua-foo", self.qemu_peripherals())
        self.assertIn("/%s.channel.org.example.x" % self.name, self.chardevs()["charua-foo"])
        other = self.xml_file("chan-other.xml", "<channel type='unix'><target type='virtio' name='org.example.y'/>"
                                                "</channel>")
        self.virsh("attach-device %s %s --live" % (self.name, other))
        self.wait_events(("added", "channel0"))
        # the alias names one device: another one with it is refused, nothing changed
        dup = self.xml_file("chan-dup.xml", "<channel type='unix'><target type='virtio' name='org.example.z'/>"
                                            "<alias name='ua-foo'/></channel>")
        self.refused("attach-device %s %s --live" % (self.name, dup), "non unique alias detected: ua-foo")
        self.assertEqual(self.channel_aliases(), {"org.example.x": "ua-foo", "org.example.y": "channel0"})

        self.virsh("detach-device-alias %s ua-foo --live" % self.name)
        self.wait_events(("removed", "ua-foo"))
        wait_for("the chardev gone", lambda: "charua-foo" not in self.chardevs(), 30)
        self.assertNotIn("ua-foo", self.qemu_peripherals())
        self.assertEqual(self.channel_aliases(), {"org.example.y": "channel0"})
        self.refused("detach-device-alias %s ua-foo --live" % self.name, "no device found with alias ua-foo")
        self.virsh("detach-device-alias %s channel0 --live" % self.name)
        self.wait_events(("removed", "channel0"))
        self.assertEqual(self.channel_aliases(), {})
        # the controller the first channel brought goes too (the other tests start without one)
        vser = self.xml_file("vser0c.xml", "<controller type='virtio-serial' index='0'/>")
        self.virsh("detach-device %s %s --live" % (self.name, vser))
        self.wait_events(("removed", "virtio-serial0"), timeout=60)


if __name__ == "__main__":
    from testmain import main
    main()
