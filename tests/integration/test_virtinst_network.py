#!/usr/bin/python3
"""test_virtinst_network.py: `virt-install --network network=default --import` against the
system daemon (in private mount and network namespaces) boots the tiny test guest, which gets
a DHCP lease from the default network's dnsmasq: seen on the guest's console, in `virsh
net-dhcp-leases` and `virsh domifaddr`, and the namespace pings it."""

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
    guest.build()
nh.enter_namespace()

import testmain  # noqa: E402
from net_harness import sh  # noqa: E402

BOOT_TIMEOUT = 120


class VirtInstallNetworkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        (cls.w.tmp / "default.xml").write_text(nh.DEFAULT_XML)

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", "vinet")
        cls.w.stop()

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def test_virt_install_on_default_gets_a_lease(self):
        self.virsh("net-define", str(self.w.tmp / "default.xml"))
        self.virsh("net-start", "default")
        disk = self.w.tmp / "vinet.img"
        with open(disk, "wb") as f:
            f.truncate(16 << 20)
        console = self.w.tmp / "vinet.console"
        p = subprocess.run(
            ["virt-install", "--connect", self.w.uri, "--name", "vinet", "--osinfo", "linux2022",
             "--machine", "q35", "--memory", "256", "--disk", "path=%s,format=raw" % disk, "--import",
             "--network", "network=default", "--noautoconsole", "--graphics", "none", "--sound", "none",
             "--boot", "kernel=%s,initrd=%s,kernel_args=%s" % (self.image.kernel, self.image.initrd, self.image.append),
             "--serial", "file,path=%s" % console],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr + self.w.log()[-3000:])
        live = self.virsh("dumpxml", "vinet")
        mac = re.search(r"<interface type='network'>\s*<mac address='([0-9a-f:]+)'/>", live).group(1)
        self.assertRegex(live, r"<source network='default' portid='[0-9a-f-]{36}' bridge='virbr0'/>")
        self.assertIn("<model type='virtio'/>", live)
        text = lambda: console.read_text(errors="replace") if console.exists() else ""
        ip = nh.guest_lease(text, BOOT_TIMEOUT)
        self.assertTrue(ip.startswith("192.168.122."), ip)
        nh.wait_for(lambda: mac in self.virsh("net-dhcp-leases", "default"), "the lease in net-dhcp-leases")
        self.assertRegex(self.virsh("net-dhcp-leases", "default"), r"%s\s+ipv4\s+%s/24" % (mac, re.escape(ip)))
        self.assertRegex(self.virsh("domifaddr", "vinet"), r"vnet\d+\s+%s\s+ipv4\s+%s/24" % (mac, re.escape(ip)))
        nh.wait_for(lambda: sh("ping", "-c", "1", "-W", "1", ip, check=False).returncode == 0,
                    "the guest to answer a ping", timeout=20)
        self.virsh("destroy", "vinet")
        self.virsh("undefine", "vinet")


if __name__ == "__main__":
    testmain.main()
