#!/usr/bin/python3
"""test_qemu_hotplug_nic.py: NIC hotplug into a running TCG guest of `virtbusd --system`, in
private mount and network namespaces (net_harness).

virsh attach-interface / detach-interface, attach-device / detach-device (live, config, both),
detach-device-alias and D-Bus Domain.AttachDevice / DetachDevice put a NIC on the default
network or on a host bridge into the running guest and take it out again: the guest's `nics`
console command lists what its kernel sees in /sys/class/net, the tap is on the bridge while
the NIC exists and gone afterwards, the live and persistent XML follow, and the
device-added / device-removed events reach python3-libvirt and D-Bus clients.
"""

import os
import re
import shlex
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import net_harness as nh  # noqa: E402
import pci_check  # noqa: E402

if os.environ.get(nh.NS_ENV) != "1":
    guest.build()   # before the namespace: building may download the kernel and busybox
nh.enter_namespace()

import harness  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_hotplug  # noqa: E402  (its helpers; a module import keeps its tests out of this suite)
import testmain  # noqa: E402
from net_harness import sh  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402

NAME = "nicplug"
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
    <interface type='network'>
      <mac address='52:54:00:77:10:01'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
"""

BRIDGE_NIC = """<interface type='bridge'>
  <source bridge='brhost'/>
  <model type='virtio'/>
</interface>
"""

BOOT_TIMEOUT = 120
DOMAIN_IFACE = "org.libvirt.Domain"


def nics(xml):
    """{mac: (type, tap, alias)} of a domain XML's interfaces."""
    out = {}
    for n in ET.fromstring(xml).findall("./devices/interface"):
        tgt, alias = n.find("target"), n.find("alias")
        out[n.find("mac").get("address")] = (n.get("type"), None if tgt is None else tgt.get("dev"),
                                            None if alias is None else alias.get("name"))
    return out


class QemuHotplugNicTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        # QEMU runs as virtbus-qemu: the world's copy of the guest, which it may read
        cls.image = cls.w.guest_image()
        (cls.w.tmp / "default.xml").write_text(nh.DEFAULT_XML)
        cls.w.virsh("net-define", str(cls.w.tmp / "default.xml"), check=True)
        cls.w.virsh("net-start", "default", check=True)
        sh("ip", "link", "add", "brhost", "type", "bridge")
        sh("ip", "link", "set", "brhost", "up")
        xml = cls.w.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=NAME, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append))
        cls.w.virsh("define", str(xml), check=True)
        cls.w.virsh("start", NAME, check=True)
        cls.libvirt = remote_harness.start_event_loop()
        cls.conn = cls.libvirt.open(cls.w.uri)
        cls.dom = cls.conn.lookupByName(NAME)
        cls.events = []
        for ev, kind in ((cls.libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, "added"),
                         (cls.libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, "removed")):
            cls.conn.domainEventRegisterAny(cls.dom, ev, lambda c, d, alias, o, k=kind: cls.events.append((k, alias)),
                                            None)
        import dbus
        import dbus.mainloop.glib
        cls.dbus = dbus
        # a private connection, closed before the bus stops (a shared system bus connection
        # would exit the process when the bus goes away)
        cls.bus = dbus.bus.BusConnection("unix:path=/run/dbus/system_bus_socket")
        cls.bus_signals = harness.BusSignals("unix:path=/run/dbus/system_bus_socket")
        cls.bus_events = []
        for sig, kind in (("DeviceAdded", "added"), ("DeviceRemoved", "removed")):
            cls.bus_signals.add_signal_receiver(lambda alias, k=kind: cls.bus_events.append((k, str(alias))),
                                        signal_name=sig, dbus_interface=DOMAIN_IFACE)
        cls.dom_path = "/org/libvirt/QEMU/domain/_%s" % cls.dom.UUIDString().replace("-", "_")
        cls.console = ConsoleReader(cls.libvirt, cls.conn, cls.dom)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.console.stream.abort()
        except Exception:
            pass
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    def virsh(self, *cmd, check=True):
        return self.w.virsh(*cmd, check=check)

    def live(self):
        return nics(self.virsh("dumpxml", NAME).stdout)

    def inactive(self):
        return nics(self.virsh("dumpxml", "--inactive", NAME).stdout)

    def ask_guest(self, cmd, marker, timeout=BOOT_TIMEOUT):
        words = self.console.ask(cmd, marker, timeout)
        if words is None:
            self.fail("the guest does not answer `%s`: %r (%s)" % (cmd, self.console.data[-500:], self.console.error))
        return words

    def guest_nics(self):
        """What the guest's kernel lists in /sys/class/net ({MAC: name})."""
        return {w.split(":", 1)[1]: w.split(":", 1)[0] for w in self.ask_guest("nics", "VIRTBUS-GUEST-NICS")}

    def guest_nmis(self):
        return int(self.ask_guest("nmi", "VIRTBUS-GUEST-NMI")[0])

    def wait_guest(self, what, fn, timeout=60):
        wait_for(what, lambda: fn(self.guest_nics()), timeout)

    bus_sync = test_qemu_hotplug.QemuHotplugTest.bus_sync
    wait_events = test_qemu_hotplug.QemuHotplugTest.wait_events

    def assert_tap_on(self, tap, bridge):
        self.assertIn("master %s" % bridge, sh("ip", "link", "show", tap).stdout)

    def test_1_attach_detach_interface_live(self):
        self.assertIn("52:54:00:77:10:01", self.guest_nics())     # up, with its boot-time NIC
        mac = "52:54:00:77:10:02"
        self.virsh("attach-interface", NAME, "network", "default", "--model", "virtio", "--mac", mac, "--live")
        self.wait_events(("added", "net1"))
        live = self.live()
        self.assertEqual(live[mac][0], "network")
        self.assertEqual(live[mac][2], "net1")
        tap = live[mac][1]
        self.assertTrue(tap and tap.startswith("vnet"), live)
        self.assert_tap_on(tap, "virbr0")
        self.assertIn("fe:54:00:77:10:02", sh("ip", "link", "show", tap).stdout)
        self.assertNotIn(mac, self.inactive())
        self.wait_guest("the new NIC in the guest", lambda n: mac in n)
        # the live XML says where QEMU has it
        pci_check.assert_live_address(self, lambda c: self.virsh(*shlex.split(c)).stdout, NAME, "interface",
                                      lambda n: n.find("mac").get("address") == mac, "net1")
        iflist = self.virsh("domiflist", NAME).stdout
        self.assertRegex(iflist, r"%s\s+network\s+default\s+virtio\s+%s" % (tap, mac))

        # The same MAC again is refused, nothing changed.
        p = self.virsh("attach-interface", NAME, "network", "default", "--mac", mac, "--live", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("network device with mac %s already exists" % mac, p.stderr)

        self.virsh("detach-interface", NAME, "network", "--mac", mac, "--live")
        self.wait_events(("removed", "net1"))
        self.assertNotIn(mac, self.live())
        self.wait_guest("the NIC gone from the guest", lambda n: mac not in n and "52:54:00:77:10:01" in n)
        wait_for("tap %s deleted" % tap, lambda: not nh.link_exists(tap), 30)
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.detachDeviceFlags("<interface type='network'><mac address='%s'/>"
                                       "<source network='default'/></interface>" % mac,
                                       self.libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertIn("no device matching MAC address %s found" % mac, str(cm.exception))

    def test_2_attach_device_live_and_config_over_dbus(self):
        obj = self.bus.get_object("org.libvirt", self.dom_path)
        both = self.libvirt.VIR_DOMAIN_AFFECT_LIVE | self.libvirt.VIR_DOMAIN_AFFECT_CONFIG
        before = set(self.live())
        obj.AttachDevice(BRIDGE_NIC, self.dbus.UInt32(both), dbus_interface=DOMAIN_IFACE, timeout=60)
        added = set(self.live()) - before
        self.assertEqual(len(added), 1)
        mac = added.pop()
        # a generated MAC, the same in the guest and in its definition
        self.assertIn(mac, self.inactive())
        self.assertEqual(self.inactive()[mac][0], "bridge")
        tap = self.live()[mac][1]
        self.assert_tap_on(tap, "brhost")
        alias = self.live()[mac][2]
        self.wait_events(("added", alias))
        self.wait_guest("the bridge NIC in the guest", lambda n: mac in n)

        xml = BRIDGE_NIC.replace("<source", "<mac address='%s'/>\n  <source" % mac)
        obj.DetachDevice(xml, self.dbus.UInt32(both), dbus_interface=DOMAIN_IFACE, timeout=60)
        self.wait_events(("removed", alias))
        self.assertNotIn(mac, self.live())
        self.assertNotIn(mac, self.inactive())
        self.wait_guest("the bridge NIC gone from the guest", lambda n: mac not in n)
        wait_for("tap %s deleted" % tap, lambda: not nh.link_exists(tap), 30)

    def test_3_detach_boot_nic_then_alias(self):
        """Detaching the boot-time net0 leaves the others named as QEMU knows them."""
        mac = "52:54:00:77:10:03"
        f = self.w.tmp / "eth.xml"
        f.write_text("<interface type='ethernet'><mac address='%s'/><model type='virtio'/></interface>" % mac)
        self.virsh("attach-device", NAME, str(f), "--live")
        alias = self.live()[mac][2]
        self.wait_events(("added", alias))
        self.wait_guest("the ethernet NIC in the guest", lambda n: mac in n)

        boot_tap = self.live()["52:54:00:77:10:01"][1]
        self.virsh("detach-interface", NAME, "network", "--mac", "52:54:00:77:10:01", "--live")
        self.wait_events(("removed", "net0"))
        self.wait_guest("net0 gone from the guest", lambda n: "52:54:00:77:10:01" not in n and mac in n)
        wait_for("tap %s deleted" % boot_tap, lambda: not nh.link_exists(boot_tap), 30)
        # the boot-time NIC stays in the definition (live only)
        self.assertIn("52:54:00:77:10:01", self.inactive())

        # the remaining NIC, now the first, is still QEMU's `alias`: its link and its alias work
        tap = self.live()[mac][1]
        self.virsh("domif-setlink", NAME, tap, "down")
        self.assertEqual(self.virsh("domif-getlink", NAME, tap).stdout.split(), [tap, "down"])
        self.virsh("detach-device-alias", NAME, alias, "--live")
        self.wait_events(("removed", alias))
        self.wait_guest("no NIC left in the guest", lambda n: not n)
        self.assertEqual(self.live(), {})
        wait_for("tap %s deleted" % tap, lambda: not nh.link_exists(tap), 30)

    def test_5_filtered_nic(self):
        """A NIC hotplugged with <filterref> gets its filter binding (and nftables chains) with its
        tap; detaching it takes both away."""
        mac = "52:54:00:77:10:05"
        f = self.w.tmp / "filtered.xml"
        f.write_text("<interface type='network'><mac address='%s'/><source network='default'/>"
                     "<model type='virtio'/><filterref filter='no-mac-spoofing'/></interface>" % mac)
        self.virsh("attach-device", NAME, str(f), "--live")
        alias = self.live()[mac][2]
        tap = self.live()[mac][1]
        self.wait_events(("added", alias))
        bindings = self.virsh("nwfilter-binding-list").stdout
        self.assertRegex(bindings, r"\b%s\s+no-mac-spoofing" % re.escape(tap))
        owner = ET.fromstring(self.virsh("nwfilter-binding-dumpxml", tap).stdout).find("owner")
        self.assertEqual((owner.findtext("name"), owner.findtext("uuid")), (NAME, self.dom.UUIDString()))
        wait_for("the tap's chains in nftables",
                 lambda: tap in sh("nft", "list", "table", "bridge", "virtbus_nwfilter", check=False).stdout, 30)
        self.virsh("detach-device", NAME, str(f), "--live")
        self.wait_events(("removed", alias))
        self.assertNotIn(tap, self.virsh("nwfilter-binding-list").stdout)
        wait_for("the tap's chains gone from nftables",
                 lambda: tap not in sh("nft", "list", "ruleset", check=False).stdout, 30)

    def test_4_inject_nmi(self):
        """virsh inject-nmi and D-Bus InjectNMI reach the guest's NMI counter."""
        before = self.guest_nmis()
        self.virsh("inject-nmi", NAME)
        wait_for("the NMI in the guest", lambda: self.guest_nmis() > before, 60)
        before = self.guest_nmis()
        obj = self.bus.get_object("org.libvirt", self.dom_path)
        obj.InjectNMI(self.dbus.UInt32(0), dbus_interface=DOMAIN_IFACE, timeout=60)
        wait_for("the D-Bus NMI in the guest", lambda: self.guest_nmis() > before, 60)
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.injectNMI(1)
        self.assertIn("unsupported flags (0x1) in function virDomainInjectNMI", str(cm.exception))

    def both_xml(self):
        return (self.virsh("dumpxml", NAME).stdout, self.virsh("dumpxml", "--inactive", NAME).stdout)

    def refused_everywhere(self, path, alias):
        """attach-device of path is refused live and in the definition with libvirt's text, and
        changes nothing: no XML, no tap."""
        before, taps = self.both_xml(), sh("ip", "-o", "link", "show").stdout.count("vnet")
        for where in ("--live", "--config"):
            p = self.virsh("attach-device", NAME, str(path), where, check=False)
            self.assertNotEqual(p.returncode, 0, where)
            self.assertIn("non unique alias detected: %s" % alias, p.stderr)
        self.assertEqual(self.both_xml(), before)
        self.assertEqual(sh("ip", "-o", "link", "show").stdout.count("vnet"), taps)

    def test_6_user_alias_names_one_device_of_any_kind(self):
        """A user's ua- alias held by a disk, a NIC or a channel refuses a NIC or disk that brings it
        again (libvirt's check of every kind), live and in the definition."""
        img = self.w._dir("guest") / "ua-disk.img"
        with open(img, "wb") as f:
            f.truncate(8 << 20)
        disk = self.w.tmp / "ua-disk.xml"
        disk.write_text("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
                        "<target dev='vdb' bus='virtio'/><alias name='ua-disk'/></disk>" % img)
        nic = self.w.tmp / "ua-nic.xml"
        nic.write_text("<interface type='network'><mac address='52:54:00:77:10:06'/><source network='default'/>"
                       "<model type='virtio'/><alias name='ua-nic'/></interface>")
        self.virsh("attach-device", NAME, str(disk), "--live", "--config")
        self.wait_events(("added", "virtio-disk1"))

        # a NIC named as the disk
        same = self.w.tmp / "ua-nic-as-disk.xml"
        same.write_text(nic.read_text().replace("ua-nic", "ua-disk"))
        self.refused_everywhere(same, "ua-disk")

        # a disk named as a NIC
        self.virsh("attach-device", NAME, str(nic), "--live", "--config")
        self.wait_events(("added", "ua-nic"))
        disk2 = self.w.tmp / "ua-disk-as-nic.xml"
        disk2.write_text(disk.read_text().replace("vdb", "vdc").replace("ua-disk", "ua-nic"))
        self.refused_everywhere(disk2, "ua-nic")

        # a NIC named as a channel
        chan = self.w.tmp / "ua-chan.xml"
        chan.write_text("<channel type='unix'><target type='virtio' name='org.example.ua'/>"
                        "<alias name='ua-chan'/></channel>")
        self.virsh("attach-device", NAME, str(chan), "--live", "--config")
        self.wait_events(("added", "ua-chan"))
        same.write_text(nic.read_text().replace("ua-nic", "ua-chan").replace(":06'", ":07'"))
        self.refused_everywhere(same, "ua-chan")
        # the same NIC with an alias of its own is welcome: only the name was refused
        same.write_text(nic.read_text().replace("ua-nic", "ua-other").replace(":06'", ":07'"))
        self.virsh("attach-device", NAME, str(same), "--config")
        self.assertIn("52:54:00:77:10:07", self.inactive())

        for path in (chan, nic, disk):
            self.virsh("detach-device", NAME, str(path), "--live", "--config")
        self.virsh("detach-device", NAME, str(same), "--config")
        self.wait_events(("removed", "ua-nic"))
        self.assertNotIn("52:54:00:77:10:06", self.live())


if __name__ == "__main__":
    testmain.main()
