#!/usr/bin/python3
"""test_network_update.py: net-update's portgroup section on the system daemon's running network,
through real virsh (remote proc 291) and busctl (D-Bus Network.Update), live and --config, in
private mount and network namespaces (net_harness). The expected XML and texts are libvirt 9.0's
(virsh -c test:///default net-update … gives the same); a portgroup update leaves dnsmasq running
as it was; refused updates and the sections libvirt does not update change nothing."""

import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_harness as nh  # noqa: E402

nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

PG1 = "<portgroup name='pg1' default='yes'><vlan><tag id='42'/></vlan></portgroup>"
PG1_OUT = "  <portgroup name='pg1' default='yes'>\n    <vlan>\n      <tag id='42'/>\n    </vlan>\n  </portgroup>\n"
PG0 = "<portgroup name='pg0' trustGuestRxFilters='yes'><bandwidth><inbound average='1000'/></bandwidth></portgroup>"
PG0_OUT = ("  <portgroup name='pg0' trustGuestRxFilters='yes'>\n    <bandwidth>\n      <inbound average='1000'/>\n"
           "    </bandwidth>\n  </portgroup>\n")
SECTION_PORTGROUP = 9

# libvirt 9.0 (Debian's libvirtd in a private namespace) defines and starts both as they are:
# overlapping DHCP ranges, and static hosts sharing a MAC, an address or a name.
OVERLAP_XML = """<network>
  <name>ov</name>
  <bridge name='vb7'/>
  <ip address='10.5.0.1' prefix='24'>
    <dhcp>
      <range start='10.5.0.10' end='10.5.0.100'/>
      <range start='10.5.0.50' end='10.5.0.150'/>
      <host mac='52:54:00:00:00:01' ip='10.5.0.5'/>
      <host mac='52:54:00:00:00:01' ip='10.5.0.6'/>
      <host mac='52:54:00:00:00:02' ip='10.5.0.5'/>
      <host mac='52:54:00:00:00:03' name='a' ip='10.5.0.7'/>
      <host mac='52:54:00:00:00:04' name='a' ip='10.5.0.8'/>
    </dhcp>
  </ip>
</network>
"""


class NetworkUpdateTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        (cls.w.tmp / "default.xml").write_text(nh.DEFAULT_XML)

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def tearDown(self):
        for name in ("default", "ov"):
            self.w.virsh("net-destroy", name)
            self.w.virsh("net-undefine", name)
        for link in ("virbr0", "vb7"):
            sh("ip", "link", "del", link, check=False)

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def virsh_fails(self, *cmd):
        p = self.w.virsh(*cmd)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded" % " ".join(cmd))
        return p.stderr

    def bus_update(self, command, xml, flags):
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU", "org.libvirt.Connect",
                            "NetworkLookupByName", "s", "default"], capture_output=True, text=True, check=True)
        path = p.stdout.split('"')[1]
        return subprocess.run(["busctl", "--system", "call", "--", "org.libvirt", path, "org.libvirt.Network", "Update",
                               "uuisu", str(command), str(SECTION_PORTGROUP), "-1", xml, str(flags)],
                              capture_output=True, text=True)

    def persistent_file(self):
        return (Path(nh.polkit_harness.build_paths()[0]) / "virtbus" / "network" / "default.xml").read_text()

    def test_portgroup_live_and_config(self):
        self.virsh("net-define", str(self.w.tmp / "default.xml"))
        self.virsh("net-start", "default")
        dnsmasq = nh.dnsmasq_servers()
        # virsh: add-last, live and config
        self.virsh("net-update", "default", "add-last", "portgroup", PG1, "--live", "--config")
        self.assertIn(PG1_OUT, self.virsh("net-dumpxml", "default"))
        self.assertIn(PG1_OUT, self.virsh("net-dumpxml", "default", "--inactive"))
        self.assertIn("<portgroup name='pg1' default='yes'>", self.persistent_file())
        # D-Bus: add-first (4), live only (flags 1): before pg1 in the running definition only
        p = self.bus_update(4, PG0, 1)
        self.assertEqual(p.returncode, 0, p.stderr)
        live = self.virsh("net-dumpxml", "default")
        self.assertIn("  </ip>\n" + PG0_OUT + PG1_OUT + "</network>", live)
        self.assertNotIn("pg0", self.virsh("net-dumpxml", "default", "--inactive"))
        self.assertNotIn("pg0", self.persistent_file())
        # nothing of a portgroup is dnsmasq's: the same dnsmasq serves on
        self.assertEqual(nh.dnsmasq_servers(), dnsmasq)

        # refusals with libvirt's texts, on both doors; nothing changes
        before = (self.virsh("net-dumpxml", "default"), self.virsh("net-dumpxml", "default", "--inactive"))
        for cmd, want in (
                (("add", "portgroup", "<portgroup name='pg1'/>", "--live"),
                 "Requested operation is not valid: there is an existing portgroup entry in network 'default' "
                 "that matches \"<portgroup name='pg1'>\""),
                (("add", "portgroup", "<portgroup name='pg2' default='yes'/>", "--config"),
                 "Requested operation is not valid: a different portgroup entry in network 'default' is already "
                 "set as the default. Only one default is allowed."),
                (("modify", "portgroup", "<portgroup name='nope'/>", "--live"),
                 "Requested operation is not valid: couldn't find a portgroup entry in network 'default' matching "
                 "<portgroup name='nope'>"),
                (("add", "portgroup", "<portgroup/>"), "XML error: Missing required name attribute in portgroup"),
                (("add", "portgroup", "<portgroup name='x'><vlan><tag id='5000'/></vlan></portgroup>"),
                 "XML error: vlan tag id 5000 too large (maximum 4095)"),
                (("add", "ip", "<ip address='10.0.0.1' prefix='24'/>"),
                 "Operation not supported: can't update 'ip' section of network 'default'"),
                (("add", "bridge", "<bridge name='x'/>"),
                 "Operation not supported: can't update 'bridge' section of network 'default'"),
                (("add", "domain", "<domain name='x'/>"),
                 "Operation not supported: can't update 'domain' section of network 'default'"),
                (("add", "forward", "<forward/>"),
                 "Operation not supported: can't update 'forward' section of network 'default'"),
                (("add", "forward-pf", "<pf dev='x'/>"),
                 "Operation not supported: can't update 'forward pf' section of network 'default'")):
            self.assertIn(want, self.virsh_fails("net-update", "default", *cmd))
        p = self.bus_update(2, "<portgroup name='nope'/>", 3)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("couldn't find a portgroup entry in network 'default' matching <portgroup name='nope'>",
                      p.stderr)
        self.assertEqual((self.virsh("net-dumpxml", "default"), self.virsh("net-dumpxml", "default", "--inactive")),
                         before)

        # modify (virsh) takes the default from pg1, then pg0 may be it; delete over D-Bus, both definitions
        self.virsh("net-update", "default", "modify", "portgroup", "<portgroup name='pg1'/>", "--live")
        self.virsh("net-update", "default", "modify", "portgroup", "<portgroup name='pg0' default='yes'/>", "--live")
        self.assertIn("  <portgroup name='pg0' default='yes'>\n  </portgroup>\n  <portgroup name='pg1'>\n"
                      "  </portgroup>\n</network>", self.virsh("net-dumpxml", "default"))
        p = self.bus_update(2, "<portgroup name='pg1'/>", 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("pg1", self.virsh("net-dumpxml", "default"))
        self.assertNotIn("pg1", self.virsh("net-dumpxml", "default", "--inactive"))
        self.assertNotIn("pg1", self.persistent_file())
        self.assertEqual(nh.dnsmasq_servers(), dnsmasq)

        # an inactive network: no flags means its definition; --live is refused
        self.virsh("net-destroy", "default")
        self.assertIn("network is not running",
                      self.virsh_fails("net-update", "default", "add", "portgroup", "<portgroup name='a'/>", "--live"))
        self.virsh("net-update", "default", "add", "portgroup", "<portgroup name='a'/>")
        self.assertIn("<portgroup name='a'>", self.persistent_file())
        self.virsh("net-start", "default")
        self.assertIn("  <portgroup name='a'>\n  </portgroup>\n", self.virsh("net-dumpxml", "default"))

    def test_overlapping_ranges_and_duplicate_hosts(self):
        """As libvirt 9.0: overlapping ranges and duplicate static hosts are defined and started as
        given (dnsmasq serves), an overlapping range may be added; net-update refuses a host that
        shares a MAC, name or address with an existing one, with libvirt's text."""
        (self.w.tmp / "ov.xml").write_text(OVERLAP_XML)
        self.virsh("net-define", str(self.w.tmp / "ov.xml"))
        self.virsh("net-start", "ov")
        self.assertEqual(len(nh.dnsmasq_servers()), 1)
        xml = self.virsh("net-dumpxml", "ov")
        for line in OVERLAP_XML.splitlines()[4:12]:
            self.assertIn(line.strip(), xml)
        self.virsh("net-update", "ov", "add", "ip-dhcp-range", "<range start='10.5.0.140' end='10.5.0.200'/>",
                   "--live", "--config")
        for flag in ((), ("--inactive",)):
            self.assertIn("<range start='10.5.0.140' end='10.5.0.200'/>", self.virsh("net-dumpxml", "ov", *flag))
        self.assertEqual(len(nh.dnsmasq_servers()), 1)
        before = self.virsh("net-dumpxml", "ov")
        self.assertIn("Requested operation is not valid: there is an existing dhcp host entry in network 'ov' that "
                      "matches \"<host mac='52:54:00:00:00:0a' name='(null)' ip='10.5.0.5'/>\"",
                      self.virsh_fails("net-update", "ov", "add", "ip-dhcp-host",
                                       "<host mac='52:54:00:00:00:0a' ip='10.5.0.5'/>", "--live"))
        self.assertEqual(self.virsh("net-dumpxml", "ov"), before)


if __name__ == "__main__":
    testmain.main()
