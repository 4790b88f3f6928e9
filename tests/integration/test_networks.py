#!/usr/bin/python3
"""test_networks.py: host networks of `virtbusd --system` through real virsh and busctl, inside
private mount and network namespaces (net_harness): bridge, nftables table and dnsmasq appear
with net-start and are gone after net-destroy; a subnet in use and a taken bridge name are
refused and change nothing; "guests" (network namespaces behind veth pairs on the bridge) get
DHCP leases from the real dnsmasq, reach an outside peer through NAT and nothing through an
isolated network; after kill -9 and a restart the network keeps serving."""

import json
import os
import re
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_harness as nh  # noqa: E402

nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

ISOLATED_XML = """<network>
  <name>iso</name>
  <bridge name='virbr9'/>
  <ip address='10.99.0.1' prefix='24'/>
</network>
"""

UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc's hook: configure the lease it got.
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "$router"
    echo "$ip" > "$LEASE_OUT"
    ;;
esac
exit 0
"""


class Guest:
    """A network namespace with one veth end (eth0, mac) whose peer is on bridge."""

    def __init__(self, tag, bridge, mac):
        self.proc = subprocess.Popen(["unshare", "-n", "sleep", "600"])
        nh.wait_for(lambda: os.readlink("/proc/%d/ns/net" % self.proc.pid) != os.readlink("/proc/self/ns/net"),
                    "guest namespace")
        self.host_end = "vg" + tag
        sh("ip", "link", "add", self.host_end, "type", "veth", "peer", "name", "g" + tag)
        sh("ip", "link", "set", "g" + tag, "netns", str(self.proc.pid))
        self.run("ip", "link", "set", "g" + tag, "name", "eth0")
        self.run("ip", "link", "set", "eth0", "address", mac)
        self.run("ip", "link", "set", "eth0", "up")
        self.run("ip", "link", "set", "lo", "up")
        sh("ip", "link", "set", self.host_end, "master", bridge, "up")

    def run(self, *argv, check=True, timeout=30):
        return subprocess.run(["nsenter", "-t", str(self.proc.pid), "-n"] + list(argv), capture_output=True,
                              text=True, check=check, timeout=timeout)

    def dhcp(self, tmp, hostname):
        script = tmp / "udhcpc.sh"
        script.write_text(UDHCPC_SCRIPT)
        script.chmod(0o755)
        out = tmp / ("lease-" + hostname)
        env = dict(os.environ, LEASE_OUT=str(out))
        subprocess.run(["nsenter", "-t", str(self.proc.pid), "-n", "busybox", "udhcpc", "-i", "eth0", "-n", "-q",
                        "-t", "10", "-T", "1", "-x", "hostname:" + hostname, "-s", str(script)],
                       capture_output=True, text=True, env=env, timeout=30, check=True)
        return out.read_text().strip()

    def ping(self, addr, tries=1):
        """One echo answered within tries attempts (a new bridge port may still be learning; on a
        loaded 2-core machine that can take seconds)."""
        for _ in range(tries):
            if self.run("ping", "-c", "1", "-W", "1", addr, check=False).returncode == 0:
                return True
        return False

    def close(self):
        self.proc.kill()
        self.proc.wait()
        sh("ip", "link", "del", self.host_end, check=False)


class NetworkTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.tmp = cls.w.tmp
        (cls.tmp / "default.xml").write_text(nh.DEFAULT_XML)
        (cls.tmp / "iso.xml").write_text(ISOLATED_XML)

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def tearDown(self):
        for name in ("default", "iso", "other"):
            self.w.virsh("net-destroy", name)
            self.w.virsh("net-undefine", name)
        for link in ("outside0", "virbr0", "virbr9"):
            sh("ip", "link", "del", link, check=False)

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def virsh_fails(self, *cmd):
        p = self.w.virsh(*cmd)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded" % " ".join(cmd))
        return p.stderr

    def assert_nothing_left(self, bridge="virbr0"):
        self.assertFalse(nh.link_exists(bridge), "bridge %s left behind" % bridge)
        self.assertNotIn("virtbus_" + bridge, nh.nft_tables())
        nh.wait_for(lambda: not nh.pids_of("dnsmasq"), "dnsmasq to be gone")

    def test_default_lifecycle(self):
        self.virsh("net-define", str(self.tmp / "default.xml"))
        conf = Path(nh.polkit_harness.build_paths()[0]) / "virtbus" / "network" / "default.xml"
        self.assertEqual(stat.S_IMODE(conf.stat().st_mode), 0o600)
        xml = self.virsh("net-dumpxml", "default")
        for part in ("<bridge name='virbr0' stp='on' delay='0'/>", "<mac address='52:54:00:4a:2b:1c'/>",
                     "<range start='192.168.122.2' end='192.168.122.254'/>", "<forward mode='nat'/>"):
            self.assertIn(part, xml)
        self.assertFalse(nh.link_exists("virbr0"))
        self.virsh("net-start", "default")
        self.assertRegex(self.virsh("net-list"), r"default\s+active\s+no\s+yes")
        addr = sh("ip", "-o", "addr", "show", "virbr0").stdout
        self.assertIn("inet 192.168.122.1/24", addr)
        self.assertIn("52:54:00:4a:2b:1c", sh("ip", "link", "show", "virbr0").stdout)
        rules = sh("nft", "list", "table", "inet", "virtbus_virbr0").stdout
        self.assertIn("masquerade", rules)
        self.assertIn("ip daddr 224.0.0.0/24 return", rules)
        self.assertEqual(len(nh.dnsmasq_servers()), 1)
        dnsmasq_conf = Path(nh.polkit_harness.build_paths()[1]) / "lib" / "virtbus" / "dnsmasq" / "default.conf"
        self.assertEqual(stat.S_IMODE(dnsmasq_conf.stat().st_mode), 0o600)
        self.assertIn("interface=virbr0", dnsmasq_conf.read_text())
        self.assertEqual(stat.S_IMODE((dnsmasq_conf.parent / "default.leases").stat().st_mode), 0o600)
        # a second start is refused with libvirt's words
        self.assertIn("is already running", self.virsh_fails("net-start", "default"))
        self.virsh("net-destroy", "default")
        self.assert_nothing_left()
        self.assertRegex(self.virsh("net-list", "--all"), r"default\s+inactive")
        self.virsh("net-undefine", "default")
        self.assertFalse(conf.exists())
        # an undefined network keeps no DHCP state (configuration, leases, hosts files)
        for suffix in ("conf", "leases", "status", "hostsfile", "addnhosts"):
            self.assertFalse((dnsmasq_conf.parent / ("default." + suffix)).exists(), suffix)

    def test_lifecycle_events_both_doors(self):
        """Defined, started, stopped, undefined: virsh net-event on the remote door and
        NetworkEvent signals on the bus."""
        virsh_ev = subprocess.Popen(["virsh", "-c", self.w.uri, "net-event", "--event", "lifecycle", "--loop",
                                     "--timeout", "20"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        bus_ev = subprocess.Popen(["dbus-monitor", "--system",
                                   "type='signal',interface='org.libvirt.Connect',member='NetworkEvent'"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)   # both subscribed
        self.virsh("net-define", str(self.tmp / "default.xml"))
        self.virsh("net-start", "default")
        self.virsh("net-destroy", "default")
        self.virsh("net-undefine", "default")
        time.sleep(1)
        virsh_ev.terminate()
        bus_ev.terminate()
        out = virsh_ev.communicate(timeout=10)[0]
        for what in ("Defined", "Started", "Stopped", "Undefined"):
            self.assertRegex(out, r"event 'lifecycle' for network default: %s" % what)
        bus_out = bus_ev.communicate(timeout=10)[0]
        codes = [int(x) for x in re.findall(r'member=NetworkEvent\n\s+object path "[^"]+"\n\s+int32 (\d+)', bus_out)]
        self.assertEqual(codes, [0, 2, 3, 1], bus_out)

    def test_defaults_assigned(self):
        """No bridge name nor MAC given: a free virbrN (virbr0 is a host link here) and a MAC."""
        sh("ip", "link", "add", "virbr0", "type", "veth", "peer", "name", "virbr0p")
        (self.tmp / "other.xml").write_text("<network><name>other</name><forward/>"
                                            "<ip address='10.77.0.1' prefix='24'/></network>")
        self.virsh("net-define", str(self.tmp / "other.xml"))
        xml = self.virsh("net-dumpxml", "other")
        self.assertIn("<bridge name='virbr1' stp='on' delay='0'/>", xml)
        self.assertRegex(xml, r"<mac address='52:54:00:[0-9a-f:]{8}'/>")
        self.virsh("net-start", "other")
        self.assertTrue(nh.link_exists("virbr1"))
        self.assertEqual(len(nh.dnsmasq_servers()), 1)
        self.virsh("net-destroy", "other")
        self.assert_nothing_left("virbr1")

    def test_modes_route_open_bridge(self):
        """route: forwarding rules, no masquerade; open: a bridge and no table at all; bridge: the
        host's bridge is used as it is and left alone at destroy."""
        (self.tmp / "other.xml").write_text("<network><name>other</name><forward mode='route'/>"
                                            "<bridge name='virbr4'/><ip address='10.44.0.1' prefix='24'/></network>")
        self.virsh("net-define", str(self.tmp / "other.xml"))
        self.virsh("net-start", "other")
        rules = sh("nft", "list", "table", "inet", "virtbus_virbr4").stdout
        self.assertIn('oifname "virbr4" ip daddr 10.44.0.0/24 accept', rules)
        self.assertNotIn("masquerade", rules)
        self.assertEqual(open("/proc/sys/net/ipv4/ip_forward").read().strip(), "1")
        self.virsh("net-destroy", "other")
        self.assert_nothing_left("virbr4")
        self.virsh("net-undefine", "other")

        (self.tmp / "other.xml").write_text("<network><name>other</name><forward mode='open'/>"
                                            "<bridge name='virbr4'/><ip address='10.44.0.1' prefix='24'/></network>")
        self.virsh("net-create", str(self.tmp / "other.xml"))
        self.assertTrue(nh.link_exists("virbr4"))
        self.assertNotIn("virtbus_virbr4", nh.nft_tables())
        self.virsh("net-destroy", "other")
        self.assert_nothing_left("virbr4")

        sh("ip", "link", "add", "brhost", "type", "bridge")
        (self.tmp / "other.xml").write_text("<network><name>other</name><forward mode='bridge'/>"
                                            "<bridge name='brhost'/></network>")
        self.virsh("net-create", str(self.tmp / "other.xml"))
        self.assertRegex(self.virsh("net-list"), r"other\s+active")
        self.assertFalse(nh.pids_of("dnsmasq"))
        self.virsh("net-destroy", "other")
        self.assertTrue(nh.link_exists("brhost"))
        sh("ip", "link", "del", "brhost")
        (self.tmp / "other.xml").write_text("<network><name>other</name><forward mode='bridge'/>"
                                            "<bridge name='nosuchbr'/></network>")
        self.assertIn("bridge 'nosuchbr' of network 'other' does not exist",
                      self.virsh_fails("net-create", str(self.tmp / "other.xml")))

    def test_dnsmasq_missing_refused(self):
        """dnsmasq cannot be run (a non-executable file over it, in this mount namespace only):
        the start fails naming it and leaves nothing behind."""
        fake = self.tmp / "not-dnsmasq"
        fake.write_text("")
        sh("mount", "--bind", str(fake), "/usr/sbin/dnsmasq")
        try:
            self.virsh("net-define", str(self.tmp / "default.xml"))
            err = self.virsh_fails("net-start", "default")
            self.assertIn("Cannot find dnsmasq binary /usr/sbin/dnsmasq", err)
            self.assert_nothing_left()
            self.assertRegex(self.virsh("net-list", "--all"), r"default\s+inactive")
        finally:
            sh("umount", "/usr/sbin/dnsmasq")
        self.virsh("net-start", "default")    # and works once dnsmasq is back
        self.assertEqual(len(nh.dnsmasq_servers()), 1)

    def test_subnet_in_use_refused(self):
        sh("ip", "link", "add", "outside0", "type", "veth", "peer", "name", "outside0p")
        sh("ip", "addr", "add", "192.168.122.50/24", "dev", "outside0")
        sh("ip", "link", "set", "outside0", "up")
        self.virsh("net-define", str(self.tmp / "default.xml"))
        err = self.virsh_fails("net-start", "default")
        self.assertIn("Network is already in use by interface outside0", err)
        self.assert_nothing_left()
        self.assertRegex(self.virsh("net-list", "--all"), r"default\s+inactive")

    def test_bridge_name_taken_refused(self):
        sh("ip", "link", "add", "virbr0", "type", "veth", "peer", "name", "virbr0p")
        self.virsh("net-define", str(self.tmp / "default.xml"))
        err = self.virsh_fails("net-start", "default")
        self.assertIn("bridge name 'virbr0' already in use", err)
        self.assertTrue(nh.link_exists("virbr0"))   # the host's link is left alone
        self.assertNotIn("virtbus_virbr0", nh.nft_tables())
        self.assertFalse(nh.pids_of("dnsmasq"))
        sh("ip", "link", "del", "virbr0")
        # another network may not take a bridge a defined network has
        (self.tmp / "other.xml").write_text(
            "<network><name>other</name><bridge name='virbr0'/><ip address='10.1.2.1' prefix='24'/></network>")
        self.assertIn("bridge name 'virbr0' already in use", self.virsh_fails("net-define", str(self.tmp / "other.xml")))
        self.assertNotIn("other", self.virsh("net-list", "--all"))

    def test_malformed_range_refused(self):
        bad = nh.DEFAULT_XML.replace("192.168.122.254", "192.168.123.254")
        (self.tmp / "bad.xml").write_text(bad)
        err = self.virsh_fails("net-define", str(self.tmp / "bad.xml"))
        self.assertIn("range 192.168.122.2 - 192.168.123.254 is not entirely within network", err)
        self.assertNotIn("default", self.virsh("net-list", "--all"))
        self.assertIn("is reversed", self._create_reversed())

    def _create_reversed(self):
        bad = nh.DEFAULT_XML.replace("start='192.168.122.2' end='192.168.122.254'",
                                     "start='192.168.122.254' end='192.168.122.2'")
        (self.tmp / "rev.xml").write_text(bad)
        err = self.virsh_fails("net-create", str(self.tmp / "rev.xml"))
        self.assertFalse(nh.link_exists("virbr0"))
        return err

    def test_dbus_lists_host_network(self):
        self.virsh("net-define", str(self.tmp / "default.xml"))
        self.virsh("net-start", "default")
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "NetworkLookupByName", "s", "default"],
                           capture_output=True, text=True, check=True)
        path = p.stdout.split('"')[1]
        p = subprocess.run(["busctl", "--system", "get-property", "org.libvirt", path, "org.libvirt.Network",
                            "Active"], capture_output=True, text=True, check=True)
        self.assertEqual(p.stdout.strip(), "b true")
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", path, "org.libvirt.Network",
                            "GetXMLDesc", "u", "0"], capture_output=True, text=True, check=True)
        self.assertIn("virbr0", p.stdout)
        subprocess.run(["busctl", "--system", "call", "org.libvirt", path, "org.libvirt.Network", "Destroy"],
                       capture_output=True, text=True, check=True)
        self.assert_nothing_left()

    def test_update_dhcp_host(self):
        """virsh net-update (remote proc 291) and D-Bus Network.Update: a static DHCP host added to
        the running network and its definition; a "guest" with that MAC gets the fixed address.
        Bad updates are refused and change nothing."""
        self.virsh("net-define", str(self.tmp / "default.xml"))
        self.virsh("net-start", "default")
        host = "<host mac='52:54:00:aa:00:07' name='fixed' ip='192.168.122.77'/>"
        self.virsh("net-update", "default", "add-last", "ip-dhcp-host", host, "--live", "--config")
        for flag in ("", "--inactive"):
            self.assertIn(host, self.virsh("net-dumpxml", "default", *([flag] if flag else [])))
        hostsfile = Path(nh.polkit_harness.build_paths()[1]) / "lib/virtbus/dnsmasq/default.hostsfile"
        self.assertEqual(hostsfile.read_text(), "52:54:00:aa:00:07,192.168.122.77,fixed\n")
        self.assertEqual(stat.S_IMODE(hostsfile.stat().st_mode), 0o640)
        g = Guest("f", "virbr0", "52:54:00:aa:00:07")
        try:
            self.assertEqual(g.dhcp(self.tmp, "fixed"), "192.168.122.77")
        finally:
            g.close()

        before = self.virsh("net-dumpxml", "default")
        for cmd, want in (
                (("add", "ip-dhcp-host", "<host mac='52:54:00:aa:00:07' ip='192.168.122.78'/>"),
                 "there is an existing dhcp host entry in network 'default' that matches"),
                (("add", "ip-dhcp-host", "<host mac='52:54:00:aa:00:08' ip='10.9.9.9'/>"),
                 "DHCP host address 10.9.9.9 is not within network 192.168.122.1/24"),
                (("delete", "ip-dhcp-host", "<host mac='52:54:00:aa:00:09'/>"),
                 "couldn't locate a matching dhcp host entry in network 'default'"),
                (("add", "ip-dhcp-host", "<hostx/>"), "unexpected element <hostx>, expecting <host>"),
                (("add", "bridge", "<bridge name='x'/>"), "can't update 'bridge' section of network 'default'"),
                (("add", "ip-dhcp-range", "<range start='192.168.122.2' end='192.168.122.254'/>", "--live"),
                 "there is an existing dhcp range entry in network 'default' that matches"),
                (("modify", "dns-host", "<host ip='192.168.122.5'><hostname>a</hostname></host>"),
                 "DNS HOST records cannot be modified, only added or deleted")):
            self.assertIn(want, self.virsh_fails("net-update", "default", *cmd))
        self.assertEqual(self.virsh("net-dumpxml", "default"), before)

        # modify and delete through D-Bus Update(command, section, parentIndex, xml, flags)
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "NetworkLookupByName", "s", "default"],
                           capture_output=True, text=True, check=True)
        path = p.stdout.split('"')[1]
        def update(command, xml, flags):
            return subprocess.run(["busctl", "--system", "call", "--", "org.libvirt", path, "org.libvirt.Network", "Update",
                                   "uuisu", str(command), "4", "-1", xml, str(flags)], capture_output=True, text=True)
        p = update(1, "<host mac='52:54:00:aa:00:07' name='fixed' ip='192.168.122.80'/>", 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("192.168.122.80", hostsfile.read_text())
        self.assertIn("ip='192.168.122.80'", self.virsh("net-dumpxml", "default", "--inactive"))
        p = update(2, "<host mac='52:54:00:aa:00:07'/>", 1)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(hostsfile.read_text(), "")
        self.assertNotIn("52:54:00:aa:00:07", self.virsh("net-dumpxml", "default"))
        self.assertIn("52:54:00:aa:00:07", self.virsh("net-dumpxml", "default", "--inactive"))
        p = update(2, "<host mac='52:54:00:aa:00:07'/>", 1)
        self.assertIn("couldn't locate a matching dhcp host entry", p.stderr)
        # a persistent change of an inactive network; --live on it is refused
        self.virsh("net-destroy", "default")
        self.assertIn("network is not running", self.virsh_fails("net-update", "default", "delete", "ip-dhcp-host",
                                                                 "<host mac='52:54:00:aa:00:07'/>", "--live"))
        self.virsh("net-update", "default", "delete", "ip-dhcp-host", "<host mac='52:54:00:aa:00:07'/>")
        self.assertNotIn("52:54:00:aa:00:07", self.virsh("net-dumpxml", "default"))
        conf = Path(nh.polkit_harness.build_paths()[0]) / "virtbus" / "network" / "default.xml"
        self.assertNotIn("52:54:00:aa:00:07", conf.read_text())

    def assert_leases(self, ip):
        """The lease as virsh net-dhcp-leases (remote proc 341) and D-Bus GetDHCPLeases show it."""
        out = self.virsh("net-dhcp-leases", "default")
        self.assertRegex(out, r"52:54:00:aa:00:01\s+ipv4\s+%s/24\s+guest-a" % re.escape(ip))
        self.assertIn(ip, self.virsh("net-dhcp-leases", "default", "--mac", "52:54:00:AA:00:01"))
        self.assertNotIn(ip, self.virsh("net-dhcp-leases", "default", "--mac", "52:54:00:00:00:99"))
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "NetworkLookupByName", "s", "default"],
                           capture_output=True, text=True, check=True)
        path = p.stdout.split('"')[1]
        p = subprocess.run(["busctl", "--system", "--json=short", "call", "org.libvirt", path,
                            "org.libvirt.Network", "GetDHCPLeases", "su", "", "0"],
                           capture_output=True, text=True, check=True)
        leases = json.loads(p.stdout)["data"][0]
        self.assertEqual(len(leases), 1)
        iface, expiry, typ, mac, iaid, addr, prefix, host, clientid = leases[0]
        self.assertEqual((iface, typ, mac, iaid, addr, prefix, host), ("virbr0", 0, "52:54:00:aa:00:01", "", ip, 24,
                                                                        "guest-a"))
        self.assertGreater(expiry, time.time())

    def test_guests_nat_isolated_and_restart(self):
        """DHCP from dnsmasq, NAT to an outside peer, isolation, and all of it across kill -9."""
        outside = subprocess.Popen(["unshare", "-n", "sleep", "600"])
        guests = []
        try:
            nh.wait_for(lambda: os.readlink("/proc/%d/ns/net" % outside.pid) != os.readlink("/proc/self/ns/net"),
                        "outside namespace")
            sh("ip", "link", "add", "outside0", "type", "veth", "peer", "name", "outside1")
            sh("ip", "link", "set", "outside1", "netns", str(outside.pid))
            sh("ip", "addr", "add", "198.51.100.1/24", "dev", "outside0")
            sh("ip", "link", "set", "outside0", "up")
            on_out = lambda *a: subprocess.run(["nsenter", "-t", str(outside.pid), "-n"] + list(a), check=True)
            on_out("ip", "addr", "add", "198.51.100.2/24", "dev", "outside1")
            on_out("ip", "link", "set", "outside1", "up")

            self.virsh("net-define", str(self.tmp / "default.xml"))
            self.virsh("net-start", "default")
            self.virsh("net-autostart", "default")
            g = Guest("a", "virbr0", "52:54:00:aa:00:01")
            guests.append(g)
            ip = g.dhcp(self.tmp, "guest-a")
            self.assertTrue(ip.startswith("192.168.122."), ip)
            # the lease as virtbus-leases-helper (dnsmasq's --dhcp-script) recorded it: 0600 JSON
            status = Path(nh.polkit_harness.build_paths()[1]) / "lib/virtbus/dnsmasq/default.status"
            nh.wait_for(lambda: status.exists() and ip in status.read_text(), "the lease status file")
            self.assertEqual(stat.S_IMODE(status.stat().st_mode), 0o600)
            entry, = json.loads(status.read_text())
            self.assertEqual((entry["mac-address"], entry["ip-address"], entry["hostname"]),
                             ("52:54:00:aa:00:01", ip, "guest-a"))
            self.assertGreater(entry["expiry-time"], time.time())
            self.assert_leases(ip)
            self.assertTrue(g.ping("192.168.122.1", tries=20))
            self.assertEqual(sh("ping", "-c", "1", "-W", "2", ip, check=False).returncode, 0)
            # the outside peer has no route back to 192.168.122.0/24: only NAT gets a reply home
            self.assertTrue(g.ping("198.51.100.2", tries=20), "no NAT to the outside peer")

            self.virsh("net-create", str(self.tmp / "iso.xml"))
            h = Guest("b", "virbr9", "52:54:00:bb:00:01")
            guests.append(h)
            h.run("ip", "addr", "add", "10.99.0.10/24", "dev", "eth0")
            h.run("ip", "route", "add", "default", "via", "10.99.0.1")
            self.assertTrue(h.ping("10.99.0.1", tries=20))
            self.assertFalse(h.ping("198.51.100.2"), "an isolated network reached the outside")
            self.assertFalse(h.ping(ip), "an isolated network reached another network")

            pid = nh.pids_of("dnsmasq")
            self.w.kill9_virtbusd()
            self.assertTrue(g.ping("198.51.100.2", tries=20))
            self.w.restart_virtbusd()
            self.assertRegex(self.virsh("net-list"), r"default\s+active\s+yes\s+yes")
            self.assertRegex(self.virsh("net-list"), r"iso\s+active\s+no\s+no")
            self.assertEqual(nh.pids_of("dnsmasq"), pid)
            self.assertIn("adopted", self.w.log())
            self.assertTrue(g.ping("198.51.100.2", tries=20))
            self.assertEqual(g.dhcp(self.tmp, "guest-a"), ip)    # the same dnsmasq renews the lease
            self.assert_leases(ip)
            self.assertFalse(h.ping("198.51.100.2"))

            # a transient network is gone with its destroy; autostart brings default back
            self.virsh("net-destroy", "iso")
            self.assertFalse(nh.link_exists("virbr9"))
            self.assertNotIn("virtbus_virbr9", nh.nft_tables())
            self.assertNotIn("iso", self.virsh("net-list", "--all"))
            self.virsh("net-destroy", "default")
            self.assert_nothing_left()
            self.w.kill9_virtbusd()
            self.w.restart_virtbusd()
            nh.wait_for(lambda: re.search(r"default\s+active\s+yes\s+yes", self.w.virsh("net-list").stdout),
                        "default to be autostarted")
            self.assertTrue(nh.link_exists("virbr0"))
            self.assertIn("autostarted", self.w.log())
        finally:
            for g in guests:
                g.close()
            outside.kill()
            outside.wait()


DNS_XML = """<network>
  <name>other</name>
  <forward mode='nat'/>
  <bridge name='virbr5'/>
  <domain name='lab.example'/>
  <dns forwardPlainNames='no'>
    <forwarder domain='corp.example'/>
    <txt name='motd' value='hello from virtbus'/>
    <srv service='ldap' protocol='tcp' domain='lab.example' target='dir.lab.example' port='389' priority='1' weight='5'/>
    <host ip='10.55.0.50'>
      <hostname>web</hostname>
      <hostname>www.lab.example</hostname>
    </host>
  </dns>
  <ip address='10.55.0.1' prefix='24'>
    <dhcp>
      <range start='10.55.0.100' end='10.55.0.150'/>
    </dhcp>
  </ip>
</network>
"""


class DnsTests(unittest.TestCase):
    """<dns> records served by the network's dnsmasq on its bridge address, asked from a "guest"
    namespace with busybox nslookup; net-update changes hosts of the running network (SIGHUP)
    and of its definition."""

    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.tmp = cls.w.tmp

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def tearDown(self):
        self.w.virsh("net-destroy", "other")
        self.w.virsh("net-undefine", "other")
        sh("ip", "link", "del", "virbr5", check=False)

    def lookup(self, g, name, qtype="A"):
        p = g.run("busybox", "nslookup", "-type=" + qtype, name, "10.55.0.1", check=False, timeout=20)
        return p.stdout + p.stderr

    def test_dns_records_served(self):
        (self.tmp / "dns.xml").write_text(DNS_XML)
        self.w.virsh("net-define", str(self.tmp / "dns.xml"), check=True)
        xml = self.w.virsh("net-dumpxml", "other", check=True).stdout
        for part in ("<dns forwardPlainNames='no'>", "<forwarder domain='corp.example'/>",
                     "<txt name='motd' value='hello from virtbus'/>",
                     "<srv service='ldap' protocol='tcp' domain='lab.example' target='dir.lab.example' port='389' "
                     "priority='1' weight='5'/>", "<hostname>www.lab.example</hostname>"):
            self.assertIn(part, xml)
        self.w.virsh("net-start", "other", check=True)
        g = Guest("d", "virbr5", "52:54:00:dd:00:01")
        try:
            g.run("ip", "addr", "add", "10.55.0.20/24", "dev", "eth0")
            try:
                nh.wait_for(lambda: "10.55.0.50" in self.lookup(g, "web"), "dnsmasq to answer web", timeout=20)
            except AssertionError:
                log = Path(nh.polkit_harness.build_paths()[1]) / "lib/virtbus/dnsmasq/other.log"
                raise AssertionError(self.lookup(g, "web") + log.read_text()[-2000:])
            self.assertIn("10.55.0.50", self.lookup(g, "www.lab.example"))
            self.assertIn("hello from virtbus", self.lookup(g, "motd", "TXT"))
            self.assertIn("dir.lab.example", self.lookup(g, "_ldap._tcp.lab.example", "SRV"))
            # corp.example is answered here only (no upstream here anyway): NXDOMAIN, not a timeout
            self.assertRegex(self.lookup(g, "x.corp.example"), r"NXDOMAIN|can't find")

            # net-update on the running network: dnsmasq reads its hosts files again
            self.w.virsh("net-update", "other", "add", "dns-host",
                         "<host ip='10.55.0.60'><hostname>db</hostname></host>", "--live", "--config", check=True)
            nh.wait_for(lambda: "10.55.0.60" in self.lookup(g, "db"), "dnsmasq to answer db", timeout=20)
            self.assertIn("<hostname>db</hostname>", self.w.virsh("net-dumpxml", "other", "--inactive",
                                                                   check=True).stdout)
            self.w.virsh("net-update", "other", "delete", "dns-host",
                         "<host ip='10.55.0.50'><hostname>web</hostname></host>", "--live", check=True)
            nh.wait_for(lambda: "10.55.0.50" not in self.lookup(g, "web"), "web to be gone", timeout=20)
            # a TXT record is read by dnsmasq at its start only: net-update --live restarts it
            before = nh.dnsmasq_servers()
            self.w.virsh("net-update", "other", "add", "dns-txt", "<txt name='motd2' value='second record'/>",
                         "--live", check=True)
            self.assertIn("second record", self.lookup(g, "motd2", "TXT"))
            self.assertNotEqual(nh.dnsmasq_servers(), before)
            self.assertEqual(len(nh.dnsmasq_servers()), 1)
            self.assertIn("10.55.0.60", self.lookup(g, "db"))     # the hosts files came along
            # --live only: the definition keeps web
            self.assertIn("<hostname>web</hostname>", self.w.virsh("net-dumpxml", "other", "--inactive",
                                                                    check=True).stdout)
            self.assertNotIn("<hostname>web</hostname>", self.w.virsh("net-dumpxml", "other", check=True).stdout)
        finally:
            g.close()

    def test_dns_disabled(self):
        """enable='no': dnsmasq serves DHCP only (port=0); nothing answers DNS on the bridge."""
        (self.tmp / "dns.xml").write_text("<network><name>other</name><bridge name='virbr5'/><dns enable='no'/>"
                                          "<ip address='10.55.0.1' prefix='24'><dhcp>"
                                          "<range start='10.55.0.100' end='10.55.0.150'/></dhcp></ip></network>")
        self.w.virsh("net-create", str(self.tmp / "dns.xml"), check=True)
        g = Guest("e", "virbr5", "52:54:00:dd:00:02")
        try:
            ip = g.dhcp(self.tmp, "guest-e")
            self.assertTrue(ip.startswith("10.55.0."), ip)
            out = self.lookup(g, "virbr5")
            self.assertNotIn("Address: 10.55.0.1", out)
            self.assertRegex(out, r"timed out|refused|no servers|can't|connection", out)
        finally:
            g.close()
        self.w.virsh("net-destroy", "other", check=True)
        # bad <dns> is refused with the reason and defines nothing
        (self.tmp / "bad.xml").write_text("<network><name>other</name><dns enable='no'><host ip='10.55.0.9'>"
                                          "<hostname>x</hostname></host></dns></network>")
        err = self.w.virsh("net-define", str(self.tmp / "bad.xml")).stderr
        self.assertIn("Extra data in disabled network 'other'", err)
        (self.tmp / "bad.xml").write_text("<network><name>other</name><dns><host ip='10.55.0.9'/></dns></network>")
        self.assertIn("Missing hostname in network 'other' DNS HOST record",
                      self.w.virsh("net-define", str(self.tmp / "bad.xml")).stderr)
        self.assertNotIn("other", self.w.virsh("net-list", "--all", check=True).stdout)


class DefaultNetworkTests(unittest.TestCase):
    """The first start of the system daemon defines and autostarts 'default' on a free subnet;
    once only."""

    def test_default_created_once(self):
        # 192.168.122.0/24 is in use here: the default network takes the next free /24
        sh("ip", "link", "add", "outside0", "type", "veth", "peer", "name", "outside0p")
        sh("ip", "addr", "add", "192.168.122.50/24", "dev", "outside0")
        sh("ip", "link", "set", "outside0", "up")
        w = nh.NetWorld()
        w.create_default_network = 1
        try:
            w.start()
            # autostart runs once the daemon serves; the start completes moments later
            nh.wait_for(lambda: re.search(r"default\s+active\s+yes\s+yes", w.virsh("net-list").stdout),
                        "default to be autostarted")
            xml = w.virsh("net-dumpxml", "default", check=True).stdout
            self.assertIn("<ip address='192.168.123.1' netmask='255.255.255.0'>", xml)
            self.assertIn("<range start='192.168.123.2' end='192.168.123.254'/>", xml)
            self.assertIn("inet 192.168.123.1/24", sh("ip", "-o", "addr", "show", "virbr0").stdout)
            w.virsh("net-destroy", "default", check=True)
            w.virsh("net-undefine", "default", check=True)
            w.kill9_virtbusd()
            w.restart_virtbusd()
            self.assertNotIn("default", w.virsh("net-list", "--all", check=True).stdout)
        finally:
            w.virsh("net-destroy", "default")
            w.stop()
            sh("ip", "link", "del", "outside0", check=False)


if __name__ == "__main__":
    testmain.main()
