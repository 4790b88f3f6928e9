#!/usr/bin/python3
"""test_qemu_domstats_net.py: `virsh domstats` and D-Bus GetAllDomainStats of a real TCG guest
on `virtbusd --system` (guests in cgroups) with a NIC on a host bridge, in private mount and
network namespaces: net.N.* are the tap's counters as the guest sees them (the host's rx is
the guest's tx), cpu.* come from the guest's cgroup, and every key libvirtd 9.0 reports for
such a guest is there."""

import json
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
    guest.build()   # before the namespace: building may download the kernel and busybox
nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>statsnet</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:77:10:01'/>
      <source bridge='brstats'/>
      <target dev='statstap0'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""

NET_KEYS = ["net.count", "net.0.name"] + ["net.0.%s.%s" % (d, k) for d in ("rx", "tx")
                                          for k in ("bytes", "pkts", "errs", "drop")]


def host_counters():
    """The tap's counters as the host sees them, over netlink (ip -s)."""
    st = json.loads(sh("ip", "-j", "-s", "link", "show", "statstap0").stdout)[0]["stats64"]
    return {"rx_bytes": st["rx"]["bytes"], "rx_packets": st["rx"]["packets"],
            "tx_bytes": st["tx"]["bytes"], "tx_packets": st["tx"]["packets"]}


class DomstatsNetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        sh("ip", "link", "add", "brstats", "type", "bridge")
        sh("ip", "addr", "add", "10.77.0.1/24", "dev", "brstats")
        sh("ip", "link", "set", "brstats", "up")
        xml = cls.w.tmp / "statsnet.xml"
        xml.write_text(DOMAIN_XML.format(kernel=cls.image.kernel, initrd=cls.image.initrd, append=cls.image.append,
                                         console=cls.w.tmp / "console.log"))
        cls.w.virsh("create", str(xml), check=True)

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", "statsnet")
        cls.w.stop()

    def domstats(self, *opts):
        out = self.w.virsh("domstats", *opts, "statsnet", check=True).stdout
        return [tuple(line.strip().split("=", 1)) for line in out.splitlines() if "=" in line]

    def test_net_counters_are_the_taps(self):
        # ARP requests for an address nobody has go out of the bridge to the tap: the guest
        # receives them
        sh("ping", "-c", "3", "-i", "0.2", "-W", "1", "10.77.0.9", check=False)
        before = host_counters()
        stats = self.domstats("--interface")
        after = host_counters()
        self.assertEqual([k for k, _ in stats], NET_KEYS)
        v = {k: val for k, val in stats}
        self.assertEqual(v["net.count"], "1")
        self.assertEqual(v["net.0.name"], "statstap0")
        self.assertGreaterEqual(int(v["net.0.rx.pkts"]), 1)          # an ARP request at least
        # the guest's rx is the tap's tx, and the other way round
        for mine, host in (("rx.bytes", "tx_bytes"), ("rx.pkts", "tx_packets"),
                           ("tx.bytes", "rx_bytes"), ("tx.pkts", "rx_packets")):
            self.assertGreaterEqual(int(v["net.0." + mine]), before[host], mine)
            self.assertLessEqual(int(v["net.0." + mine]), after[host], mine)
        # the same on D-Bus: Connect.GetAllDomainStats with the interface group (16)
        p = subprocess.run(["busctl", "--system", "--json=short", "call", "org.libvirt", "/org/libvirt/QEMU",
                            "org.libvirt.Connect", "GetAllDomainStats", "uu", "16", "0"],
                           capture_output=True, text=True, check=True)
        recs = json.loads(p.stdout)["data"][0]
        self.assertEqual(len(recs), 1)
        self.assertEqual(sorted(recs[0][1].keys()), sorted(NET_KEYS))
        self.assertEqual(recs[0][1]["net.0.name"]["data"]["data"], "statstap0")

    def test_domifstat(self):
        before = host_counters()
        out = self.w.virsh("domifstat", "statsnet", "statstap0", check=True).stdout
        after = host_counters()
        v = {line.split()[1]: int(line.split()[2]) for line in out.splitlines() if line.strip()}
        self.assertEqual(sorted(v), sorted(["rx_bytes", "rx_packets", "rx_errs", "rx_drop",
                                            "tx_bytes", "tx_packets", "tx_errs", "tx_drop"]))
        self.assertTrue(before["tx_bytes"] <= v["rx_bytes"] <= after["tx_bytes"])
        self.assertTrue(before["rx_packets"] <= v["tx_packets"] <= after["rx_packets"])
        # by MAC too (libvirt-dbus 1.4.1 has no InterfaceStats: D-Bus clients use GetStats' net.*)
        self.assertIn("52:54:00:77:10:01 rx_bytes ", self.w.virsh("domifstat", "statsnet", "52:54:00:77:10:01", check=True).stdout)

    def test_cpu_from_the_cgroup(self):
        v = dict(self.domstats("--cpu-total"))
        self.assertEqual(list(v), ["cpu.time", "cpu.user", "cpu.system", "cpu.cache.monitor.count",
                                   "cpu.haltpoll.success.time", "cpu.haltpoll.fail.time"])
        self.assertGreater(int(v["cpu.time"]), 0)
        self.assertGreater(int(v["cpu.user"]), 0)
        # the cgroup counts in µs, the parts separately: they add up to about the total
        self.assertLess(abs(int(v["cpu.user"]) + int(v["cpu.system"]) - int(v["cpu.time"])), int(v["cpu.time"]) // 5)

    def test_all_groups(self):
        keys = [k for k, _ in self.domstats()]
        for want in (["state.state", "cpu.time", "balloon.current", "balloon.rss", "vcpu.0.delay"] + NET_KEYS +
                     ["block.count", "dirtyrate.calc_status"]):
            self.assertIn(want, keys)
        self.assertEqual(dict(self.domstats("--block"))["block.count"], "0")


if __name__ == "__main__":
    testmain.main()
