#!/usr/bin/python3
"""test_macvtap_network.py: macvtap networks (`<forward mode='bridge|private|vepa|passthrough'>` with a pool of
`<interface dev>`) on `virtbusd --system`, in private mount and network namespaces (net_harness), with real virsh,
busctl and a real TCG guest.

The pool's devices are veths of the test's; a dnsmasq of the test's serves DHCP on the peer of the first. Starting
such a network makes nothing (no bridge, no dnsmasq, no firewall table) and refuses a missing device, a <pf> without
VFs and hostdev networks; a guest's `type='network'` NICs get macvtaps in the network's mode on the least used
device (passthrough: a free one), the guest gets its lease through one, and the networks' live XML counts the
connections, on virsh and D-Bus, through a hot-plug and unplug, a kill -9 and restart of the daemon, and the guest's
end; net-update of forward-interface follows libvirt's rules."""

import json
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import net_harness as nh  # noqa: E402

if os.environ.get(nh.NS_ENV) != "1":
    guest.build()   # before the namespace: building may download the kernel and busybox
nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402
from test_nic_host import own_sysfs  # noqa: E402  (a module import keeps its tests out of this suite)

MVNET = """<network>
  <name>mvnet</name>
  <forward mode='bridge'>
    <interface dev='lowa'/>
    <interface dev='lowb'/>
  </forward>
</network>
"""

PTNET = """<network>
  <name>ptnet</name>
  <forward mode='passthrough' dev='lowc'/>
</network>
"""

NIC = """    <interface type='network'>
      <mac address='{mac}'/>
      <source network='{net}'/>
      <model type='virtio'/>
    </interface>
"""

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
{nics}    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

BOOT_TIMEOUT = 120


class MacvtapNetworkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        own_sysfs()
        for low, peer in (("lowa", "peera"), ("lowb", "peerb"), ("lowc", "peerc")):
            sh("ip", "link", "add", low, "type", "veth", "peer", "name", peer)
            sh("ip", "link", "set", low, "up")
            sh("ip", "link", "set", peer, "up")
        sh("ip", "addr", "add", "10.78.0.1/24", "dev", "peera")
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        cls.console = cls.w.tmp / "console.log"
        cls.dnsmasq = nh.peer_dnsmasq("peera", "10.78.0.50", "10.78.0.60", cls.w.tmp / "test.leases")

    @classmethod
    def tearDownClass(cls):
        cls.dnsmasq.kill()
        cls.dnsmasq.wait()
        for dom in ("mvguest", "mvguest2"):
            cls.w.virsh("destroy", dom)
        cls.w.stop()

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def virsh_fails(self, *cmd):
        p = self.w.virsh(*cmd)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded" % " ".join(cmd))
        return p.stderr

    def define_net(self, name, xml):
        f = self.w.tmp / (name + ".xml")
        f.write_text(xml)
        return self.w.virsh("net-define", str(f))

    def define_domain(self, name, nics):
        f = self.w.tmp / (name + ".xml")
        f.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                       append=self.image.append, console=self.console,
                                       nics="".join(NIC.format(mac=m, net=n) for m, n in nics)))
        self.virsh("define", str(f))

    def net_path(self, net):
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "NetworkLookupByName", "s", net],
                           capture_output=True, text=True, check=True)
        return p.stdout.split('"')[1]

    def dbus_xml(self, net):
        p = subprocess.run(["busctl", "--system", "--json=short", "call", "org.libvirt", self.net_path(net),
                            "org.libvirt.Network", "GetXMLDesc", "u", "0"], capture_output=True, text=True, check=True)
        return json.loads(p.stdout)["data"][0]

    def counts(self, net):
        """(network connections, {dev: connections}) from virsh's live XML, checked against D-Bus's."""
        xml = self.virsh("net-dumpxml", net)
        self.assertEqual(xml.strip(), self.dbus_xml(net).strip())
        m = re.search(r"<network(?: connections='(\d+)')?>", xml)
        devs = {d: int(c or 0) for d, c in re.findall(r"<interface dev='([^']+)'(?: connections='(\d+)')?/>", xml)}
        return int(m.group(1) or 0), devs

    def macvtaps(self):
        return sorted(l["ifname"] for l in json.loads(sh("ip", "-j", "-d", "link", "show").stdout)
                      if l.get("linkinfo", {}).get("info_kind") == "macvtap")

    def macvtap_of(self, dom, mac):
        live = self.virsh("dumpxml", dom)
        for block in re.findall(r"<interface type='direct'>.*?</interface>", live, re.S):
            if mac in block:
                return block
        self.fail("no interface with MAC %s in %s" % (mac, live))

    def test_0_start_refusals(self):
        """Starting makes nothing on the host; what cannot start says why and stays inactive."""
        links = sh("ip", "-o", "link").stdout
        self.assertEqual(self.define_net("mvnet", MVNET).returncode, 0)
        self.virsh("net-start", "mvnet")
        self.assertEqual(sh("ip", "-o", "link").stdout, links, "starting a macvtap network changed the links")
        self.assertEqual(nh.dnsmasq_servers(), [self.dnsmasq.pid])
        self.assertNotIn("virtbus", nh.nft_tables())
        xml = self.virsh("net-dumpxml", "mvnet")
        self.assertIn("<forward dev='lowa' mode='bridge'>", xml)
        self.assertNotIn("<bridge", xml)
        self.virsh("net-destroy", "mvnet")

        cases = [
            ("mvmissing", "<network><name>mvmissing</name><forward mode='vepa'><interface dev='lowa'/>"
                          "<interface dev='nosuch0'/></forward></network>",
             "device 'nosuch0' of network 'mvmissing' does not exist on the host"),
            ("mvpf", "<network><name>mvpf</name><forward mode='passthrough'><pf dev='lowa'/></forward></network>",
             "No usable Vf's present on SRIOV PF lowa"),
            ("mvhostdev", "<network><name>mvhostdev</name><forward mode='hostdev'>"
                          "<pf dev='lowa'/></forward></network>",
             "this function is not supported by the connection driver"),
            ("mvempty", "<network><name>mvempty</name><forward mode='private'/></network>",
             "network 'mvempty' uses a direct mode, but has no forward dev and no interface pool"),
        ]
        for name, xml, want in cases:
            with self.subTest(name):
                self.assertEqual(self.define_net(name, xml).returncode, 0)
                self.assertIn(want, self.virsh_fails("net-start", name))
                self.assertIn("no", self.virsh("net-info", name).split("Active:")[1].split("\n")[0])
                self.assertEqual(sh("ip", "-o", "link").stdout, links)
                self.virsh("net-undefine", name)
        p = self.define_net("mvip", "<network><name>mvip</name><forward mode='vepa' dev='lowa'/>"
                                    "<ip address='10.1.0.1' prefix='24'/></network>")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Unsupported <ip> element in network mvip with forward mode='vepa'", p.stderr)
        p = self.define_net("mvbr", "<network><name>mvbr</name><forward mode='vepa' dev='lowa'/>"
                                    "<bridge name='br9'/></network>")
        self.assertIn("bridge name not allowed in vepa mode (network 'mvbr')", p.stderr)
        self.assertNotIn("mvip", self.virsh("net-list", "--all"))

    def test_1_guest(self):
        if "mvnet" not in self.virsh("net-list", "--all", "--name"):
            self.assertEqual(self.define_net("mvnet", MVNET).returncode, 0)
        self.assertEqual(self.define_net("ptnet", PTNET).returncode, 0)
        self.virsh("net-start", "mvnet")
        self.virsh("net-start", "ptnet")
        self.assertEqual(self.counts("mvnet"), (0, {"lowa": 0, "lowb": 0}))
        self.define_domain("mvguest", [("52:54:00:99:00:01", "mvnet"), ("52:54:00:99:00:02", "mvnet"),
                                       ("52:54:00:99:00:03", "ptnet")])
        self.virsh("start", "mvguest")

        # each NIC on the least used device of its network, in the network's mode
        # (libvirt's live <source>: the network, its port, then the actual device and mode)
        source = r"<source network='%s' portid='([0-9a-f-]{36})' dev='%s' mode='%s'/>"
        nic1 = self.macvtap_of("mvguest", "52:54:00:99:00:01")
        self.assertRegex(nic1, source % ("mvnet", "lowa", "bridge"))
        port2 = re.search(source % ("mvnet", "lowb", "bridge"), self.macvtap_of("mvguest", "52:54:00:99:00:02"))
        self.assertTrue(port2, self.macvtap_of("mvguest", "52:54:00:99:00:02"))
        self.assertRegex(self.macvtap_of("mvguest", "52:54:00:99:00:03"), source % ("ptnet", "lowc", "passthrough"))
        tap1 = re.search(r"<target dev='(macvtap\d+)'/>", nic1).group(1)
        link = json.loads(sh("ip", "-j", "-d", "link", "show", tap1).stdout)[0]
        self.assertEqual(link["linkinfo"]["info_data"]["mode"], "bridge")
        self.assertEqual(link["link"], "lowa")
        self.assertEqual(link["address"], "52:54:00:99:00:01")
        self.assertEqual(len(self.macvtaps()), 3)
        self.assertEqual(self.counts("mvnet"), (2, {"lowa": 1, "lowb": 1}))
        self.assertEqual(self.counts("ptnet"), (1, {"lowc": 1}))
        self.assertNotIn("connections", self.virsh("net-dumpxml", "mvnet", "--inactive"))
        ports = self.virsh("net-port-list", "mvnet", "--uuid").split()
        self.assertEqual(sorted(ports), sorted([re.search(source % ("mvnet", "lowa", "bridge"), nic1).group(1),
                                                port2.group(1)]))
        plugs = sorted(re.search(r"<plug [^>]*/>", self.virsh("net-port-dumpxml", "mvnet", u)).group(0) for u in ports)
        self.assertEqual(plugs, ["<plug type='direct' dev='lowa' mode='bridge'/>",
                                 "<plug type='direct' dev='lowb' mode='bridge'/>"])
        self.assertRegex(self.virsh("domiflist", "mvguest"), r"%s\s+direct\s+mvnet\s+virtio\s+52:54:00:99:00:01" % tap1)
        self.assertIn("<source network='mvnet'/>", self.virsh("dumpxml", "mvguest", "--inactive"))

        # the lease comes through the macvtap on lowa from the test's dnsmasq behind its peer
        ip = nh.guest_lease(lambda: self.console.read_text(errors="replace") if self.console.exists() else "",
                            BOOT_TIMEOUT)
        self.assertTrue(ip.startswith("10.78.0."), ip)
        ping = lambda: sh("ping", "-c", "1", "-W", "1", ip, check=False).returncode == 0
        nh.wait_for(ping, "the guest to answer a ping through its macvtap", timeout=30)
        st = {k: int(v) for _, k, v in (l.split() for l in self.virsh("domifstat", "mvguest", tap1).splitlines()
                                        if l.strip())}
        self.assertGreater(st["tx_packets"], 0)   # a macvtap's own view: what the guest sent is tx, unswapped

        # passthrough: one guest per device
        self.define_domain("mvguest2", [("52:54:00:99:00:11", "ptnet")])
        self.assertIn("network 'ptnet' requires exclusive access to interfaces, but none are available",
                      self.virsh_fails("start", "mvguest2"))
        self.assertEqual(len(self.macvtaps()), 3)
        self.virsh("undefine", "mvguest2")

        # net-update forward-interface: a device in use stays; others come and go
        self.assertIn("unable to delete interface 'lowb' in network 'mvnet'. It is currently being used  by 1 domains.",
                      self.virsh_fails("net-update", "mvnet", "delete", "forward-interface", "<interface dev='lowb'/>",
                                       "--live", "--config"))
        self.assertIn("forward interface entries cannot be modified, only added or deleted",
                      self.virsh_fails("net-update", "mvnet", "modify", "forward-interface", "<interface dev='lowb'/>"))
        self.assertIn("there is an existing interface entry in network 'mvnet' that matches",
                      self.virsh_fails("net-update", "mvnet", "add-last", "forward-interface", "<interface dev='lowa'/>"))

        # hot-plug: the new NIC goes on the least used device (a tie: the first); unplug releases it
        self.virsh("attach-interface", "mvguest", "network", "mvnet", "--model", "virtio", "--mac",
                   "52:54:00:99:00:04", "--live")
        self.assertIn("dev='lowa' mode='bridge'", self.macvtap_of("mvguest", "52:54:00:99:00:04"))
        self.assertEqual(self.counts("mvnet"), (3, {"lowa": 2, "lowb": 1}))
        tap2 = re.search(r"<target dev='(macvtap\d+)'/>", self.macvtap_of("mvguest", "52:54:00:99:00:02")).group(1)
        # the live XML says type='direct' (libvirt's actual type), so virsh finds the NIC by that type
        self.virsh("detach-interface", "mvguest", "direct", "--mac", "52:54:00:99:00:02", "--live")
        nh.wait_for(lambda: "52:54:00:99:00:02" not in self.virsh("dumpxml", "mvguest"), "the NIC to be unplugged",
                    timeout=60)
        nh.wait_for(lambda: not nh.link_exists(tap2), "the unplugged NIC's macvtap to be gone")
        self.assertEqual(self.counts("mvnet"), (2, {"lowa": 2, "lowb": 0}))
        self.virsh("net-update", "mvnet", "delete", "forward-interface", "<interface dev='lowb'/>", "--live", "--config")
        # D-Bus Network.Update(command add-last 3, section forward-interface 7, parentIndex, xml, flags config 2)
        p = subprocess.run(["busctl", "--system", "call", "--", "org.libvirt", self.net_path("mvnet"),
                            "org.libvirt.Network", "Update", "uuisu", "3", "7", "-1", "<interface dev='lowc'/>", "2"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.counts("mvnet"), (2, {"lowa": 2}))
        inactive = self.virsh("net-dumpxml", "mvnet", "--inactive")
        self.assertIn("<interface dev='lowc'/>", inactive)
        self.assertNotIn("lowb", inactive)

        # the daemon dies; the restarted one counts the running guest's NICs again
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        self.assertIn("running", self.virsh("domstate", "mvguest"))
        self.assertEqual(self.counts("mvnet"), (2, {"lowa": 2}))
        self.assertEqual(self.counts("ptnet"), (1, {"lowc": 1}))
        self.assertTrue(ping())

        # the guest's end releases every device
        self.virsh("destroy", "mvguest")
        nh.wait_for(lambda: not self.macvtaps(), "the guest's macvtaps to be gone")
        self.assertEqual(self.counts("mvnet"), (0, {"lowa": 0}))
        self.assertEqual(self.counts("ptnet"), (0, {"lowc": 0}))
        self.virsh("net-destroy", "mvnet")
        self.virsh("net-destroy", "ptnet")
        for dev in ("lowa", "lowb", "lowc"):
            self.assertTrue(nh.link_exists(dev), dev)
        self.virsh("undefine", "mvguest")


if __name__ == "__main__":
    testmain.main()
