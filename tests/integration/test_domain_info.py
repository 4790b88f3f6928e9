#!/usr/bin/python3
"""test_domain_info.py: per-request domain information (schedinfo, dommemstat, domblkinfo, domifstat, domhostname,
domtime, vcpuinfo, vcpupin, emulatorpin, iothreadinfo) on the Test connection, against libvirt's test driver:
virsh output byte for byte, python3-libvirt, D-Bus."""

import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DOMAIN, LIBVIRT_ERROR, TEST_DOMAIN_PATH, VirtbusTestCase, main  # noqa: E402
import remote_harness  # noqa: E402

OFF_XML = """<domain type='test'><name>off</name><memory>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os>
<devices><disk type='file' device='disk'><source file='/tmp/none.img'/><target dev='vdb'/></disk>
<interface type='network'><source network='default'/><target dev='vnet7'/><mac address='52:54:00:00:00:01'/></interface>
</devices></domain>
"""


def oracle_domain(name="test"):
    import libvirt
    return libvirt.open("test:///default").lookupByName(name)


class TestVirsh(remote_harness.RemoteTestCase):

    def test_commands_match_libvirt(self):
        xml = self.daemon.tmp / "off.xml"
        xml.write_text(OFF_XML)
        self.compare_with_oracle(["schedinfo test", "schedinfo test --config", "schedinfo test --live",
                                  "dommemstat test", "domblkinfo test vda", "domblkinfo test /guest/diskimage1",
                                  "domblkinfo test vdz", "domifstat test vnet9", "domhostname test", "domtime test",
                                  "domtime test --pretty", "define %s" % xml, "dommemstat off", "domblkinfo off vdb",
                                  "domifstat off vnet7", "domhostname off", "domtime off", "schedinfo off",
                                  "vcpuinfo test", "vcpuinfo test --pretty", "vcpupin test", "vcpupin test --config",
                                  "emulatorpin test", "emulatorpin test --live", "iothreadinfo test", "vcpuinfo off",
                                  "vcpupin off", "emulatorpin off", "iothreadinfo off"])

    def test_interface_stats_follow_the_clock(self):
        # libvirt's test driver derives them from the wall clock: compare within a second's worth
        import libvirt
        conn = libvirt.open(self.uri)
        try:
            ours = conn.lookupByName("test").interfaceStats("testnet0")
            theirs = oracle_domain().interfaceStats("aa:bb:cc:dd:ee:ff")
            self.assertEqual(len(ours), 8)
            for a, b in zip(ours, theirs):
                self.assertLess(abs(a - b), max(b // 1000, 2), (ours, theirs))
        finally:
            conn.close()

    def test_python(self):
        import libvirt
        conn = libvirt.open(self.uri)
        try:
            ours, theirs = conn.lookupByName("test"), oracle_domain()
            self.assertEqual(ours.memoryStats(), theirs.memoryStats())
            self.assertEqual(ours.blockInfo("vda"), theirs.blockInfo("vda"))
            self.assertEqual(ours.schedulerType(), theirs.schedulerType())
            self.assertEqual(ours.schedulerParameters(), theirs.schedulerParameters())
            # over a remote connection the client adds VIR_TYPED_PARAM_STRING_OKAY (the daemon supports typed
            # string parameters), which libvirt's test driver refuses: the same as asking it in process
            with self.assertRaises(libvirt.libvirtError) as ours_err:
                ours.schedulerParametersFlags(0)
            with self.assertRaises(libvirt.libvirtError) as theirs_err:
                theirs.schedulerParametersFlags(libvirt.VIR_TYPED_PARAM_STRING_OKAY)
            self.assertEqual(ours_err.exception.get_error_message(), theirs_err.exception.get_error_message())
            self.assertEqual(ours.hostname(), theirs.hostname())
            self.assertEqual(ours.vcpuPinInfo(0), theirs.vcpuPinInfo(0))
            self.assertEqual(ours.emulatorPinInfo(0), theirs.emulatorPinInfo(0))
            self.assertEqual(ours.ioThreadInfo(0), theirs.ioThreadInfo(0))
            info, maps = ours.vcpus()
            their_info, their_maps = theirs.vcpus()
            self.assertEqual(maps, their_maps)
            self.assertEqual([(n, s, c) for n, s, _, c in info], [(n, s, c) for n, s, _, c in their_info])
            self.assertEqual(ours.getTime(), theirs.getTime())
        finally:
            conn.close()


class TestBus(VirtbusTestCase):

    def test_bus_matches_libvirt(self):
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        theirs = oracle_domain()
        import libvirt
        names = {libvirt.VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON: "actual", libvirt.VIR_DOMAIN_MEMORY_STAT_RSS: "rss",
                 libvirt.VIR_DOMAIN_MEMORY_STAT_UNUSED: "unused", libvirt.VIR_DOMAIN_MEMORY_STAT_USABLE: "usable"}
        stats = dom.MemoryStats(0)
        self.assertEqual(stats.signature, "it")
        expected = theirs.memoryStats()
        for tag, name in names.items():
            self.assertEqual(int(stats[tag]), expected[name])
        self.assertEqual(str(dom.GetHostname(0)), theirs.hostname())
        t = theirs.getTime()
        self.assertEqual(tuple(dom.GetTime(0)), (t["seconds"], t["nseconds"]))
        params = dom.GetSchedulerParameters(0)
        self.assertEqual({str(k): int(v) for k, v in params.items()}, theirs.schedulerParameters())
        raw = self.daemon.busctl("call", "--verbose", "org.libvirt", TEST_DOMAIN_PATH, DOMAIN,
                                 "GetSchedulerParameters", "u", "0").stdout
        self.assertIn('VARIANT "v"', raw)          # double-wrapped, as libvirt-dbus
        self.assertEqual([list(map(bool, m)) for m in dom.GetVcpuPinInfo(0)],
                         [list(m) for m in theirs.vcpuPinInfo(0)])
        self.assertEqual(list(map(bool, dom.GetEmulatorPinInfo(0))), list(theirs.emulatorPinInfo(0)))
        self.assertEqual(list(dom.GetIOThreadInfo(0)), [])
        self.assertDBusError(LIBVIRT_ERROR, dom.GetHostname, 1,
                             message="unsupported flags (0x1) in function testDomainGetHostname")


if __name__ == "__main__":
    main()
