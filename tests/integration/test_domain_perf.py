#!/usr/bin/python3
"""test_domain_perf.py: perf events (virsh perf, virDomainGet/SetPerfEvents, domstats --perf) on the Test connection,
against libvirt's test driver: virsh output byte for byte, python3-libvirt, D-Bus."""

import sys
from pathlib import Path

import dbus

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DOMAIN, LIBVIRT_ERROR, TEST_DOMAIN_PATH, VirtbusTestCase, main  # noqa: E402
import remote_harness  # noqa: E402

EVENTS = ["cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
          "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend", "stalled_cycles_backend",
          "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults", "context_switches", "cpu_migrations",
          "page_faults_min", "page_faults_maj", "alignment_faults", "emulation_faults"]

TRANSIENT_XML = "<domain type='test'><name>tr</name><memory>1024</memory><os><type>hvm</type></os></domain>\n"


def oracle_domain(name="test"):
    import libvirt
    return libvirt.open("test:///default").lookupByName(name)


class TestVirsh(remote_harness.RemoteTestCase):

    def test_commands_match_libvirt(self):
        xml = self.daemon.tmp / "tr.xml"
        xml.write_text(TRANSIENT_XML)
        self.compare_with_oracle(["perf test", "perf test --enable cpu_cycles", "perf test",
                                  "perf test --enable cpu_cycles,cmt --disable page_faults --config",
                                  "perf test --config", "perf test --live", "dumpxml test --inactive", "dumpxml test",
                                  "perf test --enable foo", "perf test --enable task_clock,foo", "perf test --live --config",
                                  "perf test --enable task_clock --live --config", "perf test --enable cpu_clock --live",
                                  "domstats --perf test", "domstats --perf", "perf test --disable cpu_cycles", "perf test",
                                  "destroy test", "perf test --live", "perf test --enable page_faults_maj", "perf test",
                                  "perf test --enable mbml --live", "dumpxml test",
                                  "create %s" % xml, "perf tr", "perf tr --config", "perf tr --enable cmt --config",
                                  "perf tr --enable cmt", "perf tr --live", "dumpxml tr"])

    def test_python(self):
        import libvirt
        conn = libvirt.open(self.uri)
        try:
            ours, theirs = conn.lookupByName("test"), oracle_domain()
            self.assertEqual(ours.perfEvents(0), theirs.perfEvents(0))
            self.assertEqual(list(ours.perfEvents(0)), EVENTS)
            for dom in (ours, theirs):
                dom.setPerfEvents({"cpu_clock": True, "cmt": True}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
                dom.setPerfEvents({"cmt": False}, 0)
            self.assertEqual(ours.perfEvents(0), theirs.perfEvents(0))
            self.assertTrue(ours.perfEvents(0)["cpu_clock"])
            self.assertEqual(ours.perfEvents(libvirt.VIR_DOMAIN_AFFECT_CONFIG),
                             theirs.perfEvents(libvirt.VIR_DOMAIN_AFFECT_CONFIG))
            self.assertIn("<event name='cpu_clock' enabled='yes'/>", ours.XMLDesc(0))
            self.assertIn("<event name='cmt' enabled='no'/>", ours.XMLDesc(0))
            self.assertEqual(ours.perfEvents(4), theirs.perfEvents(4))     # VIR_TYPED_PARAM_STRING_OKAY
            for get, flags in ((True, 8), (True, 3), (False, 4), (False, 3)):
                with self.assertRaises(libvirt.libvirtError) as cm:
                    ours.perfEvents(flags) if get else ours.setPerfEvents({"cmt": True}, flags)
                with self.assertRaises(libvirt.libvirtError) as want:
                    theirs.perfEvents(flags) if get else theirs.setPerfEvents({"cmt": True}, flags)
                self.assertEqual(cm.exception.get_error_code(), want.exception.get_error_code())
            # the perf group answers nothing on the Test connection, as libvirt's test driver
            self.assertEqual(conn.domainListGetStats([ours], libvirt.VIR_DOMAIN_STATS_PERF)[0][1], {})
        finally:
            conn.close()


class TestBus(VirtbusTestCase):

    def test_bus_matches_libvirt(self):
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        theirs = oracle_domain()
        got = dom.GetPerfEvents(0)
        self.assertEqual(list(got.keys()), EVENTS)
        self.assertEqual({str(k): bool(v) for k, v in got.items()}, theirs.perfEvents(0))
        self.assertTrue(all(isinstance(v, dbus.Boolean) for v in got.values()))
        dom.SetPerfEvents({"task_clock": dbus.Boolean(True, variant_level=1),
                           "page_faults": dbus.Boolean(False, variant_level=1)}, 0)
        got = dom.GetPerfEvents(0)
        self.assertTrue(got["task_clock"])
        self.assertFalse(got["page_faults"])
        self.assertIn("<event name='task_clock' enabled='yes'/>", str(dom.GetXMLDesc(0)))
        self.assertIn("<event name='page_faults' enabled='no'/>", str(dom.GetXMLDesc(0)))
        # libvirt's typed parameter checks (virTypedParamsValidate), and nothing changes
        self.assertDBusError(LIBVIRT_ERROR, dom.SetPerfEvents, {"bogus": dbus.Boolean(True, variant_level=1)}, 0,
                             message="argument unsupported: parameter 'bogus' not supported")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetPerfEvents,
                             {"cmt": dbus.UInt32(1, variant_level=1), "zzz": dbus.Boolean(True, variant_level=1)}, 0,
                             message="invalid argument: invalid type 'uint' for parameter 'cmt', expected 'boolean'")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetPerfEvents, {"cmt": dbus.Boolean(True, variant_level=1)}, 3,
                             message="Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive")
        self.assertFalse(dom.GetPerfEvents(0)["cmt"])
        dom.SetPerfEvents({"task_clock": dbus.Boolean(False, variant_level=1)}, 0)


if __name__ == "__main__":
    main()
