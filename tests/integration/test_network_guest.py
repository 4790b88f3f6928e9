#!/usr/bin/python3
"""test_network_guest.py: a real TCG guest (tests/guest, with virtio-net and busybox udhcpc) on
the default network of `virtbusd --system`, in private mount and network namespaces: the daemon
creates its taps (one on the network's bridge, one on a host bridge), the live XML and virsh
domiflist show them, the guest gets a lease from dnsmasq that the namespace can ping, the guest
keeps its connectivity across a kill -9 and restart of the daemon, and its taps are gone once
it stops. QEMU runs as the system daemon's default unprivileged user (virtbus-qemu)."""

import json
import pwd
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cleanup  # noqa: E402
import net_harness as nh  # noqa: E402

nh.enter_guest_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

NICS = """    <interface type='network'>
      <mac address='52:54:00:77:00:01'/>
      <source network='default'/>
      <model type='virtio'/>
      <link state='down'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:77:00:02'/>
      <source bridge='brhost'/>
      <target dev='guesttap1'/>
      <model type='virtio'/>
    </interface>
"""

BOOT_TIMEOUT = 120


class NetworkGuestTest(nh.GuestNetTest):
    GUEST = "netguest"
    NICS = NICS

    def test_guest_lease_and_taps(self):
        self.virsh("net-define", str(self.w.tmp / "default.xml"))
        self.virsh("net-start", "default")
        sh("ip", "link", "add", "brhost", "type", "bridge")
        sh("ip", "link", "set", "brhost", "up")
        xml = self.w.tmp / "netguest.xml"
        xml.write_text(self.guest_xml())
        self.virsh("define", str(xml))
        self.virsh("start", "netguest")
        # QEMU runs as the system daemon's default unprivileged user, as on a host
        (qemu,) = cleanup.recorded_qemus(self.w.tmp / "run-virtbus" / "qemu")
        uid, gid = pwd.getpwnam("virtbus-qemu")[2:4]
        status = Path("/proc/%d/status" % qemu).read_text()
        self.assertIn("\nUid:\t%d\t%d\t%d\t%d\n" % ((uid,) * 4), status)
        self.assertIn("\nGid:\t%d\t%d\t%d\t%d\n" % ((gid,) * 4), status)

        live = self.virsh("dumpxml", "netguest")
        self.assertRegex(live, r"<source network='default' portid='[0-9a-f-]{36}' bridge='virbr0'/>")
        self.assertIn("<target dev='vnet0'/>", live)
        self.assertIn("<target dev='guesttap1'/>", live)
        self.assertNotIn("vnet0", self.virsh("dumpxml", "--inactive", "netguest"))
        self.assertIn("master virbr0", sh("ip", "link", "show", "vnet0").stdout)
        self.assertIn("master brhost", sh("ip", "link", "show", "guesttap1").stdout)
        self.assertIn("fe:54:00:77:00:01", sh("ip", "link", "show", "vnet0").stdout)
        iflist = self.virsh("domiflist", "netguest")
        self.assertRegex(iflist, r"vnet0\s+network\s+default\s+virtio\s+52:54:00:77:00:01")
        self.assertRegex(iflist, r"guesttap1\s+bridge\s+brhost\s+virtio\s+52:54:00:77:00:02")

        # <link state='down'/> at start: QEMU's set_link before the guest runs, so its DHCP
        # requests go nowhere until domif-setlink brings the link up
        self.assertIn("<link state='down'/>", live)
        self.assertEqual(self.virsh("domif-getlink", "netguest", "vnet0").split(), ["vnet0", "down"])
        nh.wait_for(lambda: "VIRTBUS-GUEST-UP" in self.console_text(), "the guest's init", timeout=BOOT_TIMEOUT)
        time.sleep(3)
        self.assertNotIn("VIRTBUS-GUEST-LEASE", self.console_text())
        self.assertEqual(self.tap_counters("vnet0")[0], 0, "the guest sent through a link that is down")
        early = self.domifstat("vnet0")
        self.virsh("domif-setlink", "netguest", "vnet0", "up")       # check=True: virsh -q prints nothing
        self.assertEqual(self.virsh("domif-getlink", "netguest", "vnet0").split(), ["vnet0", "up"])
        ip = nh.guest_lease(self.console_text, BOOT_TIMEOUT)
        self.check_domifstat(early)
        self.assertTrue(ip.startswith("192.168.122."), ip)
        # dnsmasq answers first and writes its lease file after
        lease_file = Path(nh.polkit_harness.build_paths()[1]) / "lib/virtbus/dnsmasq/default.leases"
        nh.wait_for(lambda: "52:54:00:77:00:01 %s virtbus-guest" % ip in lease_file.read_text(),
                    "the lease in %s" % lease_file)
        # virsh domifaddr (remote proc 353) and D-Bus InterfaceAddresses, from the lease
        self.assertRegex(self.virsh("domifaddr", "netguest"),
                         r"vnet0\s+52:54:00:77:00:01\s+ipv4\s+%s/24" % re.escape(ip))
        self.assertNotIn("guesttap1", self.virsh("domifaddr", "netguest"))   # no lease on brhost
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "DomainLookupByName", "s", "netguest"],
                           capture_output=True, text=True, check=True)
        p = subprocess.run(["busctl", "--system", "--json=short", "call", "org.libvirt", p.stdout.split('"')[1],
                            "org.libvirt.Domain", "InterfaceAddresses", "uu", "0", "0"],
                           capture_output=True, text=True, check=True)
        self.assertEqual(json.loads(p.stdout)["data"][0], [["vnet0", "52:54:00:77:00:01", [[0, ip, 24]]]])
        p = self.w.virsh("domifaddr", "netguest", "--source", "agent")     # no qemu-ga channel: libvirt's text
        self.assertIn("argument unsupported: QEMU guest agent is not configured", p.stderr)
        ping = lambda: sh("ping", "-c", "1", "-W", "1", ip, check=False).returncode == 0
        nh.wait_for(ping, "the guest to answer a ping", timeout=20)
        self.check_setlink(ping)

        # the daemon dies and comes back: the guest keeps its tap, bridge and DHCP server
        self.w.kill9_virtbusd()
        self.assertTrue(ping())
        self.w.restart_virtbusd()
        self.assertIn("running", self.virsh("domstate", "netguest"))
        self.assertTrue(ping())
        self.assertIn("<target dev='vnet0'/>", self.virsh("dumpxml", "netguest"))

        self.virsh("destroy", "netguest")
        nh.wait_for(lambda: not nh.link_exists("vnet0") and not nh.link_exists("guesttap1"),
                    "the guest's taps to be gone")
        self.virsh("undefine", "netguest")

    def domifstat(self, dev):
        out = self.virsh("domifstat", "netguest", dev)
        return {k: int(v) for _, k, v in (line.split() for line in out.splitlines() if line.strip())}

    def tap_counters(self, tap):
        st = json.loads(sh("ip", "-j", "-s", "link", "show", tap).stdout)[0]["stats64"]
        return st["rx"]["packets"], st["tx"]["packets"]

    def check_domifstat(self, early):
        """virsh domifstat (remote proc 65) counts the guest's side of its tap: what the tap
        received is what the guest sent, and the DHCP exchange made both grow."""
        tap_rx0, tap_tx0 = self.tap_counters("vnet0")
        st = self.domifstat("vnet0")
        tap_rx1, tap_tx1 = self.tap_counters("vnet0")
        self.assertTrue(tap_rx0 <= st["tx_packets"] <= tap_rx1, (tap_rx0, st, tap_rx1))
        self.assertTrue(tap_tx0 <= st["rx_packets"] <= tap_tx1, (tap_tx0, st, tap_tx1))
        self.assertGreater(st["tx_packets"], early["tx_packets"])     # DISCOVER and REQUEST, at least
        self.assertGreater(st["rx_packets"], early["rx_packets"])     # OFFER and ACK
        self.assertGreater(st["tx_bytes"], early["tx_bytes"] + 2 * 300)
        self.assertEqual(st["rx_errs"], 0)
        by_mac = self.domifstat("52:54:00:77:00:01")                   # the same NIC by its MAC
        self.assertGreaterEqual(by_mac["tx_packets"], st["tx_packets"])
        p = self.w.virsh("domifstat", "netguest", "eth9")
        self.assertIn("'eth9' is not a known interface", p.stderr)
        # python3-libvirt's tuple, and the same counters in domstats --interface (net.N.*)
        import libvirt
        conn = libvirt.open(self.w.uri)
        try:
            t = conn.lookupByName("netguest").interfaceStats("guesttap1")
            self.assertEqual(len(t), 8)
            recs = conn.domainListGetStats([conn.lookupByName("netguest")], libvirt.VIR_DOMAIN_STATS_INTERFACE)
            rec = recs[0][1]
        finally:
            conn.close()
        self.assertEqual(rec["net.count"], 2)
        self.assertEqual((rec["net.0.name"], rec["net.1.name"]), ("vnet0", "guesttap1"))
        self.assertGreaterEqual(rec["net.0.tx.pkts"], st["tx_packets"])
        # D-Bus: Domain.GetStats with VIR_DOMAIN_STATS_INTERFACE (libvirt-dbus has no InterfaceStats)
        p = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "DomainLookupByName", "s", "netguest"],
                           capture_output=True, text=True, check=True)
        p = subprocess.run(["busctl", "--system", "--json=short", "call", "org.libvirt", p.stdout.split('"')[1],
                            "org.libvirt.Domain", "GetStats", "uu", "16", "0"],
                           capture_output=True, text=True, check=True)
        data = json.loads(p.stdout)["data"][0]
        val = lambda k: data[k]["data"]["data"]     # each value double-wrapped, as libvirt-dbus
        self.assertEqual(val("net.0.name"), "vnet0")
        self.assertGreaterEqual(val("net.0.tx.pkts"), st["tx_packets"])
        self.assertGreaterEqual(val("net.0.rx.bytes"), st["rx_bytes"])

    def check_setlink(self, ping):
        """domif-setlink/getlink: virDomainUpdateDeviceFlags with the NIC's XML (remote proc 174,
        D-Bus UpdateDevice) and QMP set_link; --config changes only the definition."""
        path = subprocess.run(["busctl", "--system", "call", "org.libvirt", "/org/libvirt/QEMU",
                               "org.libvirt.Connect", "DomainLookupByName", "s", "netguest"],
                              capture_output=True, text=True, check=True).stdout.split('"')[1]
        nic = re.search(r"<interface type='network'>.*?</interface>", self.virsh("dumpxml", "netguest"), re.S).group(0)
        update = lambda xml: subprocess.run(["busctl", "--system", "call", "org.libvirt", path, "org.libvirt.Domain",
                                             "UpdateDevice", "su", xml, "1"], capture_output=True, text=True)
        p = update(nic.replace("<link state='up'/>", "<link state='down'/>"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<link state='down'/>", self.virsh("dumpxml", "netguest"))
        self.assertEqual(self.virsh("domif-getlink", "netguest", "52:54:00:77:00:01").split(),
                         ["52:54:00:77:00:01", "down"])
        time.sleep(1)
        self.assertFalse(ping(), "the guest answers through a link that is down")
        self.virsh("domif-setlink", "netguest", "vnet0", "up")
        nh.wait_for(ping, "the guest to answer again", timeout=20)
        # refusals: nothing changes
        p = update(nic.replace("52:54:00:77:00:01", "52:54:00:77:00:99"))
        self.assertIn("no device matching MAC address 52:54:00:77:00:99 found", p.stderr)
        p = update(nic.replace("<model type='virtio'/>", "<model type='e1000'/>"))
        self.assertIn("cannot change the model of a network interface", p.stderr)
        # a cdrom's media can change (hotplug), but this guest has no hdc
        p = update("<disk type='file' device='cdrom'><target dev='hdc'/></disk>")
        self.assertIn("disk hdc not found", p.stderr)
        p = update("<interface type='network'><mac address='52:54:00:77:00:01'/><link state='sideways'/></interface>")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("<link state='up'/>", self.virsh("dumpxml", "netguest"))
        # --config: the definition only
        self.virsh("domif-setlink", "--config", "netguest", "52:54:00:77:00:02", "down")
        second = re.findall(r"<interface.*?</interface>", self.virsh("dumpxml", "--inactive", "netguest"), re.S)[1]
        self.assertIn("<link state='down'/>", second)
        second_live = re.findall(r"<interface.*?</interface>", self.virsh("dumpxml", "netguest"), re.S)[1]
        self.assertNotIn("state='down'", second_live)
        self.assertEqual(self.virsh("domif-getlink", "netguest", "guesttap1").split(), ["guesttap1", "up"])

    def test_refusals(self):
        """A NIC on a network that is not running, or a bridge that does not exist: refused at
        start with the reason, no tap left behind."""
        for name, iface, want in (
                ("nicnonet", "<interface type='network'><source network='nosuch'/></interface>",
                 "no network with matching name 'nosuch'"),
                ("nicnobr", "<interface type='bridge'><source bridge='nosuchbr'/></interface>",
                 "bridge 'nosuchbr' of the interface does not exist")):
            xml = self.w.tmp / (name + ".xml")
            xml.write_text(self.guest_xml(name, iface + "\n"))
            self.virsh("define", str(xml))
            links = sh("ip", "-o", "link").stdout.count("\n")
            p = self.w.virsh("start", name)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(want, p.stderr)
            self.assertIn("shut off", self.virsh("domstate", name))
            self.assertEqual(sh("ip", "-o", "link").stdout.count("\n"), links, "a tap was left behind")
            self.virsh("undefine", name)


if __name__ == "__main__":
    testmain.main()
