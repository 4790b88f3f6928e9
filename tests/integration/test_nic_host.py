#!/usr/bin/python3
"""test_nic_host.py: a real TCG guest whose NICs need no virtual network, on `virtbusd --system`
in private mount and network namespaces: a macvtap (type direct, bridge mode, two queues) on
one end of a veth pair, whose other end runs a dnsmasq of the test's own; a tap of the
daemon's (type ethernet) and an existing tap of the admin's (ethernet, managed='no'). The
guest gets its lease through the macvtap and answers pings; domifstat counts the macvtap; and
after a kill -9 and restart of the daemon, destroying the guest leaves no macvtap and no tap
of the daemon's behind (the admin's stays)."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import net_harness as nh  # noqa: E402

nh.enter_guest_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>nichost</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <interface type='direct'>
      <mac address='52:54:00:88:00:01'/>
      <source dev='lowa' mode='bridge'/>
      <model type='virtio'/>
      <driver queues='2'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:88:00:02'/>
      <target dev='ethtap0'/>
      <model type='virtio'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:88:00:03'/>
      <target dev='admintap' managed='no'/>
      <model type='e1000'/>
    </interface>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

BOOT_TIMEOUT = 120


def own_sysfs():
    """A /sys of this network namespace (as a container has), so that /sys/class/net shows
    the macvtap the daemon makes here; the cgroup mounts under it are moved back."""
    keep = Path("/run/nic-test-cgroup")
    keep.mkdir(exist_ok=True)
    sh("mount", "--rbind", "/sys/fs/cgroup", str(keep))
    sh("mount", "-t", "sysfs", "sysfs", "/sys")
    sh("mount", "--move", str(keep), "/sys/fs/cgroup")


class NicHostTest(nh.GuestNetTest):
    """Its own world (a veth, an admin's tap, a dnsmasq) and guest; the harness's helpers."""

    @classmethod
    def setUpClass(cls):
        own_sysfs()
        sh("ip", "link", "add", "lowa", "type", "veth", "peer", "name", "peerb")
        sh("ip", "addr", "add", "10.77.0.1/24", "dev", "peerb")
        sh("ip", "link", "set", "lowa", "up")
        sh("ip", "link", "set", "peerb", "up")
        sh("ip", "tuntap", "add", "dev", "admintap", "mode", "tap", "vnet_hdr")
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        cls.console = cls.w.tmp / "console.log"
        cls.dnsmasq = subprocess.Popen(
            ["/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--port=0",
             "--bind-interfaces", "--interface=peerb", "--except-interface=lo", "--pid-file=",
             "--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0",
             "--dhcp-leasefile=%s" % (cls.w.tmp / "test.leases"), "--conf-file=/dev/null"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        cls.dnsmasq.kill()
        cls.dnsmasq.wait()
        cls.w.virsh("destroy", "nichost")
        cls.w.stop()

    def counters(self, dev):
        st = json.loads(sh("ip", "-j", "-s", "link", "show", dev).stdout)[0]["stats64"]
        return st["rx"]["packets"], st["tx"]["packets"]

    def test_direct_and_ethernet(self):
        xml = self.w.tmp / "nichost.xml"
        xml.write_text(DOMAIN_XML.format(kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, console=self.console))
        self.virsh("define", str(xml))
        self.virsh("start", "nichost")

        live = self.virsh("dumpxml", "nichost")
        self.assertIn("<target dev='macvtap0'/>", live)
        self.assertIn("<driver queues='2'/>", live)
        self.assertIn("<target dev='ethtap0'/>", live)
        self.assertIn("<target dev='admintap' managed='no'/>", live)
        link = json.loads(sh("ip", "-j", "-d", "link", "show", "macvtap0").stdout)[0]
        self.assertEqual(link["linkinfo"]["info_kind"], "macvtap")
        self.assertEqual(link["linkinfo"]["info_data"]["mode"], "bridge")
        self.assertEqual(link["link"], "lowa")
        self.assertEqual(link["address"], "52:54:00:88:00:01")
        eth = json.loads(sh("ip", "-j", "link", "show", "ethtap0").stdout)[0]
        self.assertEqual(eth["address"], "fe:54:00:88:00:02")
        self.assertNotIn("master", eth)
        self.assertIn("UP", eth["flags"])
        iflist = self.virsh("domiflist", "nichost")
        self.assertRegex(iflist, r"macvtap0\s+direct\s+lowa\s+virtio\s+52:54:00:88:00:01")

        ip = nh.guest_lease(self.console_text, BOOT_TIMEOUT)
        self.assertTrue(ip.startswith("10.77.0."), ip)
        ping = lambda: sh("ping", "-c", "1", "-W", "1", ip, check=False).returncode == 0
        nh.wait_for(ping, "the guest to answer a ping through its macvtap", timeout=20)
        # a macvtap shares the host's view: its counters are reported as they are
        rx0, tx0 = self.counters("macvtap0")
        st = {k: int(v) for _, k, v in (l.split() for l in self.virsh("domifstat", "nichost", "macvtap0").splitlines()
                                        if l.strip())}
        rx1, tx1 = self.counters("macvtap0")
        self.assertTrue(rx0 <= st["rx_packets"] <= rx1, (rx0, st, rx1))
        self.assertTrue(tx0 <= st["tx_packets"] <= tx1, (tx0, st, tx1))
        self.assertGreater(st["tx_packets"], 0)

        # the daemon dies; the restarted one destroys the guest and removes what it made
        self.w.kill9_virtbusd()
        self.assertTrue(ping())
        self.w.restart_virtbusd()
        self.assertIn("running", self.virsh("domstate", "nichost"))
        self.virsh("destroy", "nichost")
        nh.wait_for(lambda: not nh.link_exists("macvtap0") and not nh.link_exists("ethtap0"),
                    "the macvtap and the daemon's tap to be gone")
        self.assertTrue(nh.link_exists("admintap"), "the admin's tap was removed")
        self.assertTrue(nh.link_exists("lowa"))
        self.assertNotIn("macvtap", sh("ip", "-o", "link").stdout)

        # a start that fails after the macvtap was made leaves none behind
        sh("ip", "link", "del", "admintap")
        p = self.w.virsh("start", "nichost")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("tap device 'admintap' does not exist", p.stderr)
        self.assertNotIn("macvtap", sh("ip", "-o", "link").stdout)
        self.assertFalse(nh.link_exists("ethtap0"))
        self.virsh("undefine", "nichost")

    def test_refusals(self):
        """A direct NIC on a device that does not exist: refused at start, nothing made."""
        xml = self.w.tmp / "nicbad.xml"
        xml.write_text(DOMAIN_XML.format(kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, console=self.console)
                       .replace("nichost", "nicbad").replace("source dev='lowa'", "source dev='nosuch0'"))
        self.virsh("define", str(xml))
        links = sh("ip", "-o", "link").stdout.count("\n")
        p = self.w.virsh("start", "nicbad")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("device 'nosuch0' of the direct interface does not exist", p.stderr)
        self.assertEqual(sh("ip", "-o", "link").stdout.count("\n"), links, "a device was left behind")
        self.virsh("undefine", "nicbad")


if __name__ == "__main__":
    testmain.main()
