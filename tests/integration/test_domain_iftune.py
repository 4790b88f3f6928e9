#!/usr/bin/python3
"""test_domain_iftune.py: virsh domiftune (virDomainSet/GetInterfaceParameters) on the Test connection against
libvirt's test driver: virsh output byte for byte, python3-libvirt's merges and refusals, and D-Bus
Domain.Set/GetInterfaceParameters."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DOMAIN, LIBVIRT_ERROR, TEST_DOMAIN_PATH, VirtbusTestCase, main  # noqa: E402
import remote_harness  # noqa: E402

ZERO = {"inbound.average": 0, "inbound.peak": 0, "inbound.burst": 0, "inbound.floor": 0,
        "outbound.average": 0, "outbound.peak": 0, "outbound.burst": 0}


def oracle_domain(name="test"):
    import libvirt
    return libvirt.open("test:///default").lookupByName(name)


class TestVirsh(remote_harness.RemoteTestCase):

    def test_domiftune_matches_libvirt(self):
        self.compare_with_oracle([
            "domiftune test testnet0", "domiftune test aa:bb:cc:dd:ee:ff", "domiftune test vnet0",
            "domiftune test aa:bb:cc:dd:ee:00", "domiftune test testnet0 --config",
            "domiftune test testnet0 --inbound 100,200,300,50 --outbound 10,20,30",
            "domiftune test testnet0", "domiftune test testnet0 --live", "domiftune test testnet0 --config",
            "dumpxml test",
            "domiftune test testnet0 --inbound 0", "domiftune test testnet0", "dumpxml test",
            "domiftune test aa:bb:cc:dd:ee:ff --outbound 7 --config", "domiftune test testnet0 --config",
            "dumpxml test --inactive", "domiftune test testnet0",
            "domiftune test testnet0 --inbound 1 --live --config",
            "domiftune test testnet0 --inbound 1,2,x", "domiftune test vnet0 --inbound 5",
            "destroy test", "domiftune test testnet0", "domiftune test testnet0 --live",
            "domiftune test testnet0 --inbound 3 --live", "domiftune test testnet0 --outbound 0 --config",
            "domiftune test testnet0 --config"])


class TestPython(remote_harness.RemoteTestCase):

    def test_merges_as_libvirt(self):
        import libvirt
        conn = libvirt.open(self.uri)
        try:
            ours, theirs = conn.lookupByName("test"), oracle_domain()
            steps = [{"inbound.average": 5, "inbound.peak": 7, "outbound.average": 2},
                     {"inbound.peak": 9},            # no average: nothing changes
                     {"inbound.floor": 4},           # the floor alone replaces inbound
                     {"outbound.peak": 3},
                     {"inbound.floor": 0},           # named with 0: inbound goes
                     {"outbound.average": 4294967295, "outbound.burst": 1}]
            for params in steps:
                ours.setInterfaceParameters("testnet0", params, 0)
                theirs.setInterfaceParameters("testnet0", params, 0)
                self.assertEqual(ours.interfaceParameters("testnet0", 0), theirs.interfaceParameters("testnet0", 0),
                                 params)
            self.assertEqual(ours.interfaceParameters("aa:bb:cc:dd:ee:ff", libvirt.VIR_DOMAIN_AFFECT_CONFIG), ZERO)
            both = libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG
            for call in (lambda d: d.interfaceParameters("testnet0", both),
                         lambda d: d.setInterfaceParameters("testnet0", {"inbound.average": 1}, both),
                         lambda d: d.interfaceParameters("nic9", 0)):
                errors = []
                for d in (ours, theirs):
                    with self.assertRaises(libvirt.libvirtError) as cm:
                        call(d)
                    errors.append((cm.exception.get_error_code(), cm.exception.get_error_domain(),
                                   cm.exception.get_error_message()))
                self.assertEqual(errors[0], errors[1])
        finally:
            conn.close()


class TestBus(VirtbusTestCase):

    def test_bus_set_and_get(self):
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        got = {str(k): int(v) for k, v in dom.GetInterfaceParameters("testnet0", 0).items()}
        self.assertEqual(got, ZERO)
        import dbus
        dom.SetInterfaceParameters("aa:bb:cc:dd:ee:ff", {"inbound.average": dbus.UInt32(100),
                                                         "inbound.burst": dbus.UInt32(64),
                                                         "outbound.average": dbus.UInt32(50)}, 0)
        got = {str(k): int(v) for k, v in dom.GetInterfaceParameters("testnet0", 1).items()}
        self.assertEqual(got, dict(ZERO, **{"inbound.average": 100, "inbound.burst": 64, "outbound.average": 50}))
        self.assertIn("<inbound average='100' burst='64'/>", str(dom.GetXMLDesc(0)))
        self.assertDBusError(LIBVIRT_ERROR, dom.GetInterfaceParameters, "vnet9", 0,
                             message="invalid argument: 'vnet9' is not a known interface")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetInterfaceParameters, "testnet0",
                             {"inbound.average": dbus.UInt64(1)}, 0,
                             message="invalid argument: invalid type 'ullong' for parameter 'inbound.average', "
                                     "expected 'uint'")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetInterfaceParameters, "testnet0",
                             {"inbound.speed": dbus.UInt32(1)}, 0,
                             message="argument unsupported: parameter 'inbound.speed' not supported")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetInterfaceParameters, "testnet0", dbus.Dictionary({}, signature="sv"), 0,
                             message="invalid argument: nparams in virDomainSetInterfaceParameters must be greater "
                                     "than zero")
        # the refusals changed nothing
        got = {str(k): int(v) for k, v in dom.GetInterfaceParameters("testnet0", 0).items()}
        self.assertEqual(got["inbound.average"], 100)
        dom.SetInterfaceParameters("testnet0", {"inbound.average": dbus.UInt32(0)}, 0)
        self.assertNotIn("<inbound", str(dom.GetXMLDesc(0)))


if __name__ == "__main__":
    main()
