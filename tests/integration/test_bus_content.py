#!/usr/bin/python3
"""test_bus_content.py: /org/libvirt/Test starts with what libvirt's test:///default holds (checked against libvirt itself)."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (CONNECT, DOMAIN, NETWORK, POOL, TEST, TEST_DOMAIN_PATH, TEST_NETWORK_PATH,  # noqa: E402
                     TEST_POOL_PATH, OracleMixin, VirtbusTestCase, main, uuid_path)


class TestInitialContent(OracleMixin, VirtbusTestCase):

    def test_domains(self):
        libvirt, conn = self.oracle()
        theirs = {d.UUIDString(): d for d in conn.listAllDomains(0)}
        ours = [str(p) for p in self.connect.ListDomains(0)]
        self.assertEqual(sorted(ours), sorted(uuid_path("domain", u) for u in theirs))
        self.assertEqual(ours, [TEST_DOMAIN_PATH])
        for uuid, d in theirs.items():
            path = uuid_path("domain", uuid)
            props = self.get_all(path, DOMAIN)
            self.assertEqual(props["Name"], d.name())
            self.assertEqual(props["Id"], max(d.ID(), 0))
            self.assertEqual(props["Active"], bool(d.isActive()))
            self.assertEqual(props["Persistent"], bool(d.isPersistent()))
            self.assertEqual(props["Autostart"], bool(d.autostart()))
            self.assertEqual(props["OSType"], d.OSType())
            self.assertEqual(tuple(props["SchedulerType"]), tuple(d.schedulerType()))
            self.assertEqual(tuple(int(x) for x in self.iface(path, DOMAIN).GetState(0)), tuple(d.state()))
            self.assertEqual(int(self.iface(path, DOMAIN).GetVcpus(0)), d.vcpusFlags(0))

    def test_networks(self):
        libvirt, conn = self.oracle()
        theirs = {n.UUIDString(): n for n in conn.listAllNetworks(0)}
        ours = [str(p) for p in self.connect.ListNetworks(0)]
        self.assertEqual(sorted(ours), sorted(uuid_path("network", u) for u in theirs))
        self.assertEqual(ours, [TEST_NETWORK_PATH])
        for uuid, n in theirs.items():
            props = self.get_all(uuid_path("network", uuid), NETWORK)
            self.assertEqual((props["Name"], props["Active"], props["Persistent"], props["Autostart"]),
                             (n.name(), bool(n.isActive()), bool(n.isPersistent()), bool(n.autostart())))

    def test_pools(self):
        libvirt, conn = self.oracle()
        theirs = {p.UUIDString(): p for p in conn.listAllStoragePools(0)}
        ours = [str(p) for p in self.connect.ListStoragePools(0)]
        self.assertEqual(sorted(ours), sorted(uuid_path("storagepool", u) for u in theirs))
        self.assertEqual(ours, [TEST_POOL_PATH])
        for uuid, p in theirs.items():
            path = uuid_path("storagepool", uuid)
            props = self.get_all(path, POOL)
            self.assertEqual((props["Name"], props["Active"], props["Persistent"], props["Autostart"]),
                             (p.name(), bool(p.isActive()), bool(p.isPersistent()), bool(p.autostart())))
            self.assertEqual(tuple(int(x) for x in self.iface(path, POOL).GetInfo()), tuple(p.info()))
            self.assertEqual(len(self.iface(path, POOL).ListStorageVolumes(0)), len(p.listAllVolumes(0)))

    def test_connect(self):
        libvirt, conn = self.oracle()
        props = self.get_all(TEST, CONNECT)
        self.assertEqual(props["LibVersion"], conn.getLibVersion())
        self.assertEqual(props["Version"], conn.getVersion())
        self.assertEqual(props["Hostname"], conn.getHostname())
        self.assertEqual(props["Encrypted"], bool(conn.isEncrypted()))
        # libvirt-dbus 1.4.1 was observed to report Secure false (dbus-api.md §2)
        self.assertEqual(props["Secure"], False)
        self.assertEqual(int(self.connect.NodeGetFreeMemory()), conn.getFreeMemory())
        self.assertEqual(str(self.connect.GetSysinfo(0)), conn.getSysinfo(0))
        import xml.etree.ElementTree as ET
        ours, theirs = ET.fromstring(str(self.connect.GetCapabilities())), ET.fromstring(conn.getCapabilities())
        self.assertEqual(ours.tag, "capabilities")
        self.assertEqual(ours.findtext("host/cpu/arch"), theirs.findtext("host/cpu/arch"))
        self.assertEqual(sorted(g.findtext("os_type") for g in ours.findall("guest")),
                         sorted(g.findtext("os_type") for g in theirs.findall("guest")))

    def test_listing_matches_virsh(self):
        import subprocess
        out = subprocess.run(["virsh", "-c", "test:///default", "list", "--all", "--name"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            self.skipTest("virsh is not usable: " + out.stderr)
        names = [n for n in out.stdout.split() if n]
        ours = [str(self.get(p, DOMAIN, "Name")) for p in self.connect.ListDomains(0)]
        self.assertEqual(ours, names)


if __name__ == "__main__":
    main()
