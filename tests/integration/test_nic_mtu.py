#!/usr/bin/python3
"""test_nic_mtu.py: <mtu> of a real TCG guest's NICs (tests/guest) on `virtbusd --system`, in
private mount and network namespaces, as libvirt 9.0 does it (compared with Debian's libvirtd):
a NIC on a network with <mtu size='1400'/> and none of its own gets a tap of MTU 1400, no
host_mtu and no <mtu> in the live XML; a NIC with <mtu size='1300'/> gets a tap of 1300 and
virtio-net's host_mtu=1300; an ethernet tap takes its <mtu> too; the guest boots with them; user
networking with an <mtu> is refused with libvirt's text. The NICs on the network show their
network port's UUID as <source portid>, the one net-port-list gives. NICs hotplugged into the
running guest (attach-device, attach-interface; a network's and a host bridge's) get the same:
the tap's MTU, QEMU's host_mtu (qom-get) and the live XML's <mtu>."""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import net_harness as nh  # noqa: E402

nh.enter_guest_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

NETWORK_XML = nh.DEFAULT_XML.replace("  <mac address=", "  <mtu size='1400'/>\n  <mac address=")

NICS = """    <interface type='network'>
      <mac address='52:54:00:78:00:01'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:78:00:02'/>
      <source network='default'/>
      <model type='virtio'/>
      <mtu size='1300'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:78:00:03'/>
      <target dev='mtutap2'/>
      <model type='e1000'/>
      <mtu size='1200'/>
    </interface>
"""

USER_XML = """<domain type='qemu'>
  <name>mtuuser</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <interface type='user'><model type='virtio'/><mtu size='1300'/></interface>
  </devices>
</domain>
"""

BOOT_TIMEOUT = 120


def qemu_argv(name):
    for pid in nh.pids_of("qemu-system-x86"):
        try:
            argv = Path("/proc/%d/cmdline" % pid).read_bytes().decode().split("\0")
        except OSError:
            continue
        if "guest=%s,debug-threads=on" % name in argv:
            return argv
    return None


def mtu_of(link):
    """The link's MTU in this network namespace (netlink: /sys is the host's here)."""
    return json.loads(sh("ip", "-j", "link", "show", link).stdout)[0]["mtu"]


class NicMtuTest(nh.GuestNetTest):
    GUEST = "mtuguest"
    NICS = NICS
    NETWORK_XML = NETWORK_XML

    def qom(self, dev, prop):
        """A property of QEMU's device dev, read over its monitor."""
        cmd = {"execute": "qom-get", "arguments": {"path": "/machine/peripheral/" + dev, "property": prop}}
        return json.loads(self.virsh("qemu-monitor-command", "mtuguest", json.dumps(cmd)))["return"]

    def live_nic(self, mac):
        """The live XML's <interface> of mac, as text."""
        nics = [n for n in self.virsh("dumpxml", "mtuguest").split("<interface ")[1:] if mac in n]
        self.assertEqual(len(nics), 1, nics)
        return nics[0]

    def check_hotplug(self):
        """A NIC attached live gets what one present at start gets: its <mtu> on the tap and
        as virtio-net's host_mtu, shown in the live XML; one without takes its bridge's."""
        nic = self.w.tmp / "hotnic.xml"
        nic.write_text("<interface type='network'><mac address='52:54:00:78:00:04'/>"
                       "<source network='default'/><model type='virtio'/><mtu size='1350'/></interface>")
        self.virsh("attach-device", "mtuguest", str(nic), "--live")
        live = self.live_nic("52:54:00:78:00:04")
        self.assertIn("<alias name='net3'/>", live)
        self.assertIn("      <mtu size='1350'/>\n", live)
        tap = re.search(r"<target dev='(vnet\d+)'/>", live).group(1)
        self.assertEqual(mtu_of(tap), 1350)
        self.assertEqual(self.qom("net3", "host_mtu"), 1350)

        # attach-interface has no MTU: the tap takes the network's, QEMU has no host_mtu, as at start
        self.virsh("attach-interface", "mtuguest", "network", "default", "--model", "virtio",
                   "--mac", "52:54:00:78:00:05", "--live")
        live = self.live_nic("52:54:00:78:00:05")
        self.assertNotIn("<mtu", live)
        tap = re.search(r"<target dev='(vnet\d+)'/>", live).group(1)
        self.assertEqual(mtu_of(tap), 1400)
        self.assertEqual(self.qom("net4", "host_mtu"), 0)

        # a host bridge's NIC with its own <mtu>, the same
        sh("ip", "link", "add", "brmtu", "mtu", "1450", "type", "bridge")
        sh("ip", "link", "set", "brmtu", "up")
        nic.write_text("<interface type='bridge'><mac address='52:54:00:78:00:06'/>"
                       "<source bridge='brmtu'/><model type='virtio'/><mtu size='1250'/></interface>")
        self.virsh("attach-device", "mtuguest", str(nic), "--live")
        live = self.live_nic("52:54:00:78:00:06")
        self.assertIn("      <mtu size='1250'/>\n", live)
        tap = re.search(r"<target dev='(vnet\d+)'/>", live).group(1)
        self.assertEqual(mtu_of(tap), 1250)
        self.assertIn("master brmtu", sh("ip", "link", "show", tap).stdout)
        self.assertEqual(self.qom("net5", "host_mtu"), 1250)

        # the guest's kernel took the new devices (a PCI hotplug it did not accept would fail
        # the detach): detach-device-alias takes the first one out again
        self.virsh("detach-device-alias", "mtuguest", "net3", "--live")
        nh.wait_for(lambda: "52:54:00:78:00:04" not in self.virsh("dumpxml", "mtuguest"), "net3 to go", timeout=60)

    def test_mtu(self):
        self.virsh("net-define", str(self.w.tmp / "default.xml"))
        self.virsh("net-start", "default")
        self.assertEqual(mtu_of("virbr0"), 1400)
        xml = self.w.tmp / "mtuguest.xml"
        xml.write_text(self.guest_xml())
        self.virsh("create", str(xml))

        self.assertEqual(mtu_of("vnet0"), 1400)        # the network's, inherited through its bridge
        self.assertEqual(mtu_of("vnet1"), 1300)
        self.assertEqual(mtu_of("mtutap2"), 1200)
        self.assertEqual(mtu_of("virbr0"), 1400)       # its own, kept with a smaller port on it
        argv = qemu_argv("mtuguest")
        self.assertIsNotNone(argv, "no QEMU for mtuguest")
        devices = [a for a in argv if a.startswith(("virtio-net-pci,", "e1000,"))]
        self.assertEqual(len(devices), 3, devices)
        self.assertNotIn("host_mtu", devices[0])
        self.assertTrue(devices[1].startswith("virtio-net-pci,host_mtu=1300,"), devices[1])
        self.assertNotIn("host_mtu", devices[2])        # e1000: the tap's MTU only

        live = self.virsh("dumpxml", "mtuguest")
        nics = live.split("<interface ")[1:]
        self.assertNotIn("<mtu", nics[0])
        self.assertIn("      <mtu size='1300'/>\n", nics[1])
        self.assertIn("      <mtu size='1200'/>\n", nics[2])
        # each NIC on the network is a port of it: its UUID in <source portid>, as libvirt 9.0 shows
        # it, and net-port-list lists the same; the inactive XML has none
        portids = [re.search(r"<source network='default' portid='([0-9a-f-]{36})' bridge='virbr0'/>", nic)
                   for nic in nics[:2]]
        self.assertTrue(all(portids), nics[:2])
        ports = self.virsh("net-port-list", "default")
        for m in portids:
            self.assertIn(m.group(1), ports)
        self.assertNotEqual(portids[0].group(1), portids[1].group(1))
        self.assertNotIn("portid", self.virsh("dumpxml", "--inactive", "mtuguest"))

        # QEMU took host_mtu (it runs) and the guest boots on it
        nh.wait_for(lambda: "VIRTBUS-GUEST-UP" in self.console_text(), "the guest's init", timeout=BOOT_TIMEOUT)
        self.assertEqual(self.qom("net1", "host_mtu"), 1300)
        self.assertEqual(self.qom("net0", "host_mtu"), 0)       # QEMU's default: none given

        self.check_hotplug()

        self.virsh("destroy", "mtuguest")
        nh.wait_for(lambda: not nh.link_exists("vnet0") and not nh.link_exists("mtutap2"), "the taps to be gone")

        (self.w.tmp / "mtuuser.xml").write_text(USER_XML)
        p = self.w.virsh("create", str(self.w.tmp / "mtuuser.xml"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unsupported configuration: setting MTU on interface type user is not supported yet", p.stderr)


if __name__ == "__main__":
    testmain.main()
