#!/usr/bin/python3
"""test_network_qos.py: a network's <bandwidth> (libvirt's network QoS) through real virsh, inside
private mount and network namespaces (net_harness): net-start shapes the bridge (an htb tree on its
egress: 1:1 the network, 1:2 the traffic without a floor; its ingress redirected to a shaped IFB
device), read back with tc(8); net-destroy removes them; bad values and QoS where libvirt refuses it
are refused at define naming the problem, and nothing is defined; <portgroup>s round-trip."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_harness as nh  # noqa: E402

nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

QOS_XML = """<network>
  <name>qos</name>
  <forward mode='nat'/>
  <bridge name='virbr7'/>
  <bandwidth>
    <inbound average='1000' peak='2000' burst='512'/>
    <outbound average='500'/>
  </bandwidth>
  <ip address='192.168.157.1' netmask='255.255.255.0'/>
  <portgroup name='slow' default='yes'>
    <bandwidth>
      <inbound average='100'/>
    </bandwidth>
  </portgroup>
  <portgroup name='plain'/>
</network>
"""


def tc(*args):
    return sh("tc", *args).stdout


class NetworkQosTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.tmp = cls.w.tmp

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def tearDown(self):
        for name in ("qos", "bad"):
            self.w.virsh("net-destroy", name)
            self.w.virsh("net-undefine", name)

    def define(self, xml, name="net.xml"):
        path = self.tmp / name
        path.write_text(xml)
        return self.w.virsh("net-define", str(path))

    def test_bridge_shaped_and_unshaped(self):
        self.assertEqual(self.define(QOS_XML).returncode, 0)
        dump = self.w.virsh("net-dumpxml", "qos", check=True).stdout
        self.assertIn("  <bandwidth>\n    <inbound average='1000' peak='2000' burst='512'/>\n"
                      "    <outbound average='500'/>\n  </bandwidth>\n", dump)
        self.assertIn("  <portgroup name='slow' default='yes'>\n    <bandwidth>\n"
                      "      <inbound average='100'/>\n    </bandwidth>\n  </portgroup>\n"
                      "  <portgroup name='plain'>\n  </portgroup>\n", dump)
        self.w.virsh("net-start", "qos", check=True)

        # inbound (towards the guests): 1000 kB/s = 8 Mbit, peak 16 Mbit, burst 512 KiB
        self.assertIn("qdisc htb 1: root", tc("qdisc", "show", "dev", "virbr7"))
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:1 root rate 8Mbit ceil 16Mbit burst 512Kb", classes)
        # the traffic without a floor may take the peak while no NIC has a floor (libvirt 9.0's)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 16Mbit ceil 16Mbit burst 512Kb", classes)
        self.assertIn("default 0x2", tc("qdisc", "show", "dev", "virbr7"))
        # outbound (from the guests): the bridge's ingress goes to ifb-virbr7, 500 kB/s = 4 Mbit
        self.assertIn("qdisc ingress ffff:", tc("qdisc", "show", "dev", "virbr7"))
        self.assertIn("Egress Redirect to device ifb-virbr7",
                      tc("filter", "show", "dev", "virbr7", "parent", "ffff:"))
        self.assertIn("class htb 1:1 root prio 0 rate 4Mbit ceil 4Mbit burst 500Kb",
                      tc("class", "show", "dev", "ifb-virbr7"))

        self.w.virsh("net-destroy", "qos", check=True)
        self.assertFalse(nh.link_exists("virbr7"))
        self.assertFalse(nh.link_exists("ifb-virbr7"), "IFB device left behind")
        # a second start shapes the new bridge the same way
        self.w.virsh("net-start", "qos", check=True)
        self.assertIn("class htb 1:1 root rate 8Mbit", tc("class", "show", "dev", "virbr7"))
        self.w.virsh("net-destroy", "qos", check=True)
        self.assertFalse(nh.link_exists("ifb-virbr7"))

    def test_inbound_only(self):
        xml = QOS_XML.replace("    <outbound average='500'/>\n", "")
        self.assertEqual(self.define(xml).returncode, 0)
        self.w.virsh("net-start", "qos", check=True)
        self.assertIn("class htb 1:1 root rate 8Mbit", tc("class", "show", "dev", "virbr7"))
        self.assertNotIn("ingress", tc("qdisc", "show", "dev", "virbr7"))
        self.assertFalse(nh.link_exists("ifb-virbr7"))

    def test_refusals(self):
        cases = [
            ("<inbound average='fast'/>",
             "unsupported configuration: could not convert bandwidth average value 'fast'"),
            ("<inbound average='10' peak='x'/>",
             "unsupported configuration: could not convert bandwidth peak value 'x'"),
            ("<inbound average='10' burst='-5'/>",
             "unsupported configuration: could not convert bandwidth burst value '-5'"),
            ("<inbound average='10' floor='5'/>",
             "unsupported configuration: floor attribute is not supported for this config"),
            ("<inbound peak='10'/>", "Missing mandatory average or floor attributes"),
        ]
        for inner, want in cases:
            xml = QOS_XML.replace("<inbound average='1000' peak='2000' burst='512'/>", inner).replace(
                "<name>qos</name>", "<name>bad</name>")
            p = self.define(xml)
            self.assertNotEqual(p.returncode, 0, inner)
            self.assertIn(want, p.stderr)
            self.assertNotIn("bad", self.w.virsh("net-list", "--all", "--name").stdout)
        bridged = ("<network><name>bad</name><forward mode='bridge'/><bridge name='br9'/>"
                   "<bandwidth><inbound average='10'/></bandwidth></network>")
        p = self.define(bridged)
        self.assertIn("Unsupported network-wide <bandwidth> element in network bad with forward mode='bridge'",
                      p.stderr)
        two = QOS_XML.replace("<portgroup name='plain'/>", "<portgroup name='plain' default='yes'/>")
        p = self.define(two)
        # libvirtd 9.0 refuses it at define too, with this error class and text
        self.assertIn("error: unsupported configuration: network 'qos' has multiple default <portgroup> elements "
                      "(slow and plain), but only one default is allowed", p.stderr)
        self.assertEqual(self.w.virsh("net-list", "--all", "--name").stdout.strip(), "")


if __name__ == "__main__":
    testmain.main()
