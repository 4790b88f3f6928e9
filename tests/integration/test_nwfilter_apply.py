#!/usr/bin/python3
"""test_nwfilter_apply.py: network filters reach the wire, on `virtbusd --system` in private mount and
network namespaces (net_harness). A bridge of the test's own carries a veth whose peer sits in a
namespace of its own (a stand-in guest with a fixed address) and a real TCG guest's tap: with
libvirt's clean-traffic bound through virsh nwfilter-binding-create, a ping from the right
address passes and one from a spoofed address does not; a redefined filter changes the rules in
place; a daemon killed and restarted puts the table back; a guest's <filterref> becomes a binding
on its tap for as long as it runs; and once the bindings are gone no table of ours is left."""

import os
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
    guest.build()
nh.enter_namespace()

import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

TABLE = ("bridge", "virtbus_nwfilter")
BOOT_TIMEOUT = 180

BINDING_XML = """<filterbinding>
  <owner><name>peer</name><uuid>5e5e5e5e-0000-4000-8000-000000000001</uuid></owner>
  <portdev name='vethf0'/>
  <mac address='52:54:00:78:00:02'/>
  <filterref filter='{filter}'>{params}</filterref>
</filterbinding>
"""

LAB_PING = """<filter name='lab-ping' chain='root'>
  <uuid>5e5e5e5e-0000-4000-8000-0000000000aa</uuid>
  <filterref filter='clean-traffic'/>
  {extra}
</filter>
"""
NO_PING = "<rule action='drop' direction='out' priority='-900'><icmp/></rule>"

# the guest's NIC, in test_qemu_lifecycle's domain (its {disk} slot takes any device)
FILTERED_NIC = """<interface type='bridge'>
      <mac address='52:54:00:78:00:50'/>
      <source bridge='brf0'/>
      <target dev='guestf0'/>
      <model type='virtio'/>
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='10.78.0.50'/>
      </filterref>
    </interface>"""


def table():
    p = sh("nft", "list", "table", *TABLE, check=False)
    return p.stdout if p.returncode == 0 else ""


def peer_ping(source):
    """One ping from the stand-in guest to the bridge's address, from source."""
    return sh("ip", "netns", "exec", "peer", "ping", "-c", "1", "-W", "1", "-I", source, "10.78.0.1",
              check=False).returncode == 0


def settled(cond, what, timeout=20):
    """cond holds (rules load off the daemon's loop: give them a moment)."""
    nh.wait_for(cond, what, timeout=timeout)


class NWFilterApply(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sh("ip", "link", "add", "brf0", "type", "bridge")
        sh("ip", "addr", "add", "10.78.0.1/24", "dev", "brf0")
        sh("ip", "link", "set", "brf0", "up")
        sh("ip", "netns", "add", "peer")
        sh("ip", "link", "add", "vethf0", "type", "veth", "peer", "name", "inner", "netns", "peer")
        sh("ip", "link", "set", "vethf0", "master", "brf0", "up")
        sh("ip", "-n", "peer", "link", "set", "inner", "address", "52:54:00:78:00:02")
        sh("ip", "-n", "peer", "addr", "add", "10.78.0.2/24", "dev", "inner")
        sh("ip", "-n", "peer", "addr", "add", "10.78.0.3/24", "dev", "inner")   # the spoofed one
        sh("ip", "-n", "peer", "link", "set", "inner", "up")
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        cls.console = cls.w.tmp / "console.log"
        cls.dnsmasq = subprocess.Popen(
            ["/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--port=0",
             "--bind-interfaces", "--interface=brf0", "--except-interface=lo", "--pid-file=",
             "--dhcp-range=10.78.0.50,10.78.0.60,255.255.255.0", "--dhcp-host=52:54:00:78:00:50,10.78.0.50",
             "--dhcp-leasefile=%s" % (cls.w.tmp / "test.leases"), "--conf-file=/dev/null"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        cls.dnsmasq.kill()
        cls.dnsmasq.wait()
        cls.w.virsh("destroy", "filtered")
        cls.w.stop()
        sh("ip", "netns", "del", "peer", check=False)

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def write(self, name, text):
        path = self.w.tmp / name
        path.write_text(text)
        return str(path)

    def test_binding_on_a_veth(self):
        self.assertTrue(peer_ping("10.78.0.3"), "no filter yet: every address passes")
        # a binding that cannot be applied is refused and leaves nothing
        p = self.w.virsh("nwfilter-binding-create", self.write("bad.xml", BINDING_XML.format(
            filter="clean-traffic", params="")))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot instantiate filter due to unresolvable variables or unavailable list elements: IP",
                      p.stderr)
        self.assertEqual(self.virsh("nwfilter-binding-list").strip(), "")

        self.virsh("nwfilter-define", self.write("lab-ping.xml", LAB_PING.format(extra="")))
        self.virsh("nwfilter-binding-create", self.write("binding.xml", BINDING_XML.format(
            filter="lab-ping", params="<parameter name='IP' value='10.78.0.2'/>")))
        settled(lambda: "chain from-vethf0-ipv4-ip" in table(), "the binding's chains")
        ruleset = sh("nft", "list", "ruleset").stdout
        self.assertIn("table bridge virtbus_nwfilter {", ruleset)
        self.assertIn("chain from-vethf0 {", ruleset)
        self.assertIn("chain to-vethf0 {", ruleset)
        rules = table()
        self.assertIn('iifname "vethf0" jump from-vethf0', rules)
        self.assertIn("ip saddr 10.78.0.2 return", rules)
        self.assertIn("ether saddr 52:54:00:78:00:02 return", rules)
        self.assertTrue(peer_ping("10.78.0.2"), "the peer's own address is dropped")
        self.assertFalse(peer_ping("10.78.0.3"), "a spoofed source address passes")

        # a redefined filter changes the rules of the bindings that use it
        self.virsh("nwfilter-define", self.write("lab-ping.xml", LAB_PING.format(extra=NO_PING)))
        settled(lambda: "ip protocol icmp drop" in table(), "the redefined rules")
        self.assertFalse(peer_ping("10.78.0.2"))
        self.virsh("nwfilter-define", self.write("lab-ping.xml", LAB_PING.format(extra="")))
        settled(lambda: table() and "ip protocol icmp drop" not in table(), "the rules redefined back")
        self.assertTrue(peer_ping("10.78.0.2"))
        # a redefinition its bindings could not be applied with is refused and changes nothing
        rules = table()
        stateful = "<rule action='accept' direction='in'><tcp dstportstart='22' state='NEW'/></rule>"
        p = self.w.virsh("nwfilter-define", self.write("lab-ping.xml", LAB_PING.format(extra=stateful)))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("<tcp> attribute 'state' is not supported by the nftables translation", p.stderr)
        self.assertNotIn("state=", self.virsh("nwfilter-dumpxml", "lab-ping"))
        self.assertEqual(table(), rules)

        # a restarted daemon puts the table back (here: after someone removed it meanwhile)
        self.w.kill9_virtbusd()
        sh("nft", "delete", "table", *TABLE)
        self.assertTrue(peer_ping("10.78.0.3"))
        self.w.restart_virtbusd()
        settled(lambda: "chain from-vethf0" in table(), "the table after a restart")
        self.assertFalse(peer_ping("10.78.0.3"))
        self.assertTrue(peer_ping("10.78.0.2"))

        # the last binding gone, so is the table
        self.virsh("nwfilter-binding-delete", "vethf0")
        settled(lambda: "virtbus_nwfilter" not in nh.nft_tables(), "the table to go")
        self.assertTrue(peer_ping("10.78.0.3"))
        self.virsh("nwfilter-undefine", "lab-ping")

    def test_guest_filterref(self):
        xml = self.write("filtered.xml", lc.DOMAIN_XML.format(
            name="filtered", uuid="", kernel=self.image.kernel, initrd=self.image.initrd, append=self.image.append,
            console=self.console, disk=FILTERED_NIC))
        self.virsh("define", xml)
        self.virsh("start", "filtered")
        self.assertIn("<filterref filter='clean-traffic'>", self.virsh("dumpxml", "filtered"))
        self.assertEqual([line.split() for line in self.virsh("nwfilter-binding-list").strip().splitlines()],
                         [["guestf0", "clean-traffic"]])
        binding = self.virsh("nwfilter-binding-dumpxml", "guestf0")
        self.assertIn("<name>filtered</name>", binding)
        self.assertIn("<mac address='52:54:00:78:00:50'/>", binding)
        self.assertIn("<parameter name='IP' value='10.78.0.50'/>", binding)
        settled(lambda: "chain from-guestf0-ipv4-ip" in table(), "the guest's chains")
        self.assertIn("ip saddr 10.78.0.50 return", table())
        # the guest gets its address through the filter (DHCP is let through) and answers
        ping = lambda: sh("ping", "-c", "1", "-W", "1", "10.78.0.50", check=False).returncode == 0
        nh.wait_for(ping, "the filtered guest to answer a ping", timeout=BOOT_TIMEOUT)

        # the filter's own filters cannot go while the guest uses them
        p = self.w.virsh("nwfilter-undefine", "no-ip-spoofing")
        self.assertIn("nwfilter is in use", p.stderr)

        self.virsh("destroy", "filtered")
        settled(lambda: self.virsh("nwfilter-binding-list").strip() == "", "the guest's binding to go")
        settled(lambda: "virtbus_nwfilter" not in nh.nft_tables(), "the table to go")
        self.assertNotIn("guestf0", sh("nft", "list", "ruleset").stdout)
        self.virsh("undefine", "filtered")


if __name__ == "__main__":
    testmain.main()
