#!/usr/bin/python3
"""test_bus_errors.py: failures carry libvirt's exact texts (checked against libvirt's own test driver) and change nothing."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (CONNECT, DOMAIN, DOMAIN_XML, LIBVIRT_ERROR, NETWORK, NETWORK_XML, POOL, POOL_XML,  # noqa: E402
                     TEST, TEST_DOMAIN_PATH, TEST_NETWORK_PATH, TEST_POOL_PATH, VOL_XML, OracleMixin,
                     VirtbusTestCase, main)

import dbus  # noqa: E402

INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
NO_UUID = "11111111-2222-3333-4444-555555555555"


class TestErrors(OracleMixin, VirtbusTestCase):

    def snapshot(self):
        """Everything a client can see that an error must not change."""
        state = {}
        for path in self.connect.ListDomains(0):
            d = self.iface(path, DOMAIN)
            state[str(path)] = (dict(self.get_all(path, DOMAIN)), tuple(d.GetState(0)), str(d.GetXMLDesc(0)))
        for path in self.connect.ListNetworks(0):
            state[str(path)] = dict(self.get_all(path, NETWORK))
        for path in self.connect.ListStoragePools(0):
            state[str(path)] = dict(self.get_all(path, POOL))
        return state

    def assertUnchanged(self, before):
        self.assertEqual(self.snapshot(), before)

    def test_start_running_domain(self):
        libvirt, conn = self.oracle()
        want = self.oracle_error(lambda: conn.lookupByName("test").create())
        self.assertEqual(want, "internal error: Domain 'test' is already running")
        before = self.snapshot()
        mon = self.start_monitor()
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST_DOMAIN_PATH, DOMAIN).Create, 0, message=want)
        self.assertUnchanged(before)
        self.assertEqual(mon.take(), [])

    def test_lifecycle_refusals_match_libvirt(self):
        libvirt, conn = self.oracle()
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        want = self.oracle_error(lambda: conn.lookupByName("test").resume())
        self.assertDBusError(LIBVIRT_ERROR, dom.Resume, message=want)
        # shut both off, then ask for what needs a running domain
        conn.lookupByName("test").destroy()
        dom.Destroy(0)
        odom = conn.lookupByName("test")
        for name, ours, theirs in (
                ("Destroy", lambda: dom.Destroy(0), odom.destroy),
                ("Suspend", dom.Suspend, odom.suspend),
                ("Shutdown", lambda: dom.Shutdown(0), odom.shutdown),
                ("Reboot", lambda: dom.Reboot(0), lambda: odom.reboot(0)),
                ("Reset", lambda: dom.Reset(0), lambda: odom.reset(0))):
            with self.subTest(method=name):
                before = self.snapshot()
                self.assertDBusError(LIBVIRT_ERROR, ours, message=self.oracle_error(theirs))
                self.assertUnchanged(before)

    def test_bad_xml(self):
        libvirt, conn = self.oracle()
        before = self.snapshot()
        want = self.oracle_error(lambda: conn.defineXML("<domain"))
        self.assertDBusError(LIBVIRT_ERROR, self.connect.DomainDefineXML, "<domain", message=want)
        want = self.oracle_error(lambda: conn.networkCreateXML("<network"))
        self.assertDBusError(LIBVIRT_ERROR, self.connect.NetworkCreateXML, "<network", message=want)
        want = self.oracle_error(lambda: conn.storagePoolDefineXML("<pool", 0))
        self.assertDBusError(LIBVIRT_ERROR, self.connect.StoragePoolDefineXML, "<pool", 0, message=want)
        self.assertUnchanged(before)

    def test_duplicate_name(self):
        libvirt, conn = self.oracle()
        xml = DOMAIN_XML.format(name="test")
        before = self.snapshot()
        want = self.oracle_error(lambda: conn.defineXML(xml))
        self.assertDBusError(LIBVIRT_ERROR, self.connect.DomainDefineXML, xml, message=want)
        self.assertDBusError(LIBVIRT_ERROR, self.connect.DomainCreateXML, xml, 0)
        self.assertUnchanged(before)

    def test_lookup_failures_match_libvirt(self):
        libvirt, conn = self.oracle()
        cases = [
            (self.connect.DomainLookupByName, ("nope",), lambda: conn.lookupByName("nope")),
            (self.connect.DomainLookupByUUID, (NO_UUID,), lambda: conn.lookupByUUIDString(NO_UUID)),
            (self.connect.DomainLookupByUUID, ("xyz",), lambda: conn.lookupByUUIDString("xyz")),
            (self.connect.DomainLookupByID, (99,), lambda: conn.lookupByID(99)),
            (self.connect.NetworkLookupByName, ("nope",), lambda: conn.networkLookupByName("nope")),
            (self.connect.NetworkLookupByUUID, (NO_UUID,), lambda: conn.networkLookupByUUIDString(NO_UUID)),
            (self.connect.NetworkLookupByUUID, ("xyz",), lambda: conn.networkLookupByUUIDString("xyz")),
            (self.connect.StoragePoolLookupByName, ("nope",), lambda: conn.storagePoolLookupByName("nope")),
            (self.connect.StoragePoolLookupByUUID, (NO_UUID,),
             lambda: conn.storagePoolLookupByUUIDString(NO_UUID)),
            (self.connect.StoragePoolLookupByUUID, ("xyz",), lambda: conn.storagePoolLookupByUUIDString("xyz")),
            (self.connect.StorageVolLookupByKey, ("/nope",), lambda: conn.storageVolLookupByKey("/nope")),
            (self.connect.StorageVolLookupByPath, ("/nope",), lambda: conn.storageVolLookupByPath("/nope")),
        ]
        for ours, args, theirs in cases:
            with self.subTest(method=ours._method_name, args=args):
                self.assertDBusError(LIBVIRT_ERROR, ours, *args, message=self.oracle_error(theirs))

    def test_pool_refusals_match_libvirt(self):
        libvirt, conn = self.oracle()
        opool = conn.storagePoolLookupByName("default-pool")
        pool = self.iface(TEST_POOL_PATH, POOL)
        for name, ours, theirs in (("Create", lambda: pool.Create(0), lambda: opool.create(0)),
                                   ("Build", lambda: pool.Build(0), lambda: opool.build(0)),
                                   ("Delete", lambda: pool.Delete(0), lambda: opool.delete(0))):
            with self.subTest(method=name):
                self.assertDBusError(LIBVIRT_ERROR, ours, message=self.oracle_error(theirs))
        pool.Destroy()
        opool.destroy()
        for name, ours, theirs in (("Destroy", pool.Destroy, opool.destroy),
                                   ("Refresh", lambda: pool.Refresh(0), lambda: opool.refresh(0)),
                                   ("ListStorageVolumes", lambda: pool.ListStorageVolumes(0),
                                    lambda: opool.listAllVolumes(0))):
            with self.subTest(method=name):
                self.assertDBusError(LIBVIRT_ERROR, ours, message=self.oracle_error(theirs))

    def test_volume_errors(self):
        libvirt, conn = self.oracle()
        opool = conn.storagePoolLookupByName("default-pool")
        pool = self.iface(TEST_POOL_PATH, POOL)
        xml = VOL_XML.format(name="dup.img", capacity=100)
        opool.createXML(xml, 0)
        pool.StorageVolCreateXML(xml, 0)
        self.assertDBusError(LIBVIRT_ERROR, pool.StorageVolCreateXML, xml, 0,
                             message=self.oracle_error(lambda: opool.createXML(xml, 0)))
        self.assertDBusError(LIBVIRT_ERROR, pool.StorageVolLookupByName, "nope",
                             message=self.oracle_error(lambda: opool.storageVolLookupByName("nope")))

    def test_network_start_running(self):
        libvirt, conn = self.oracle()
        want = self.oracle_error(lambda: conn.networkLookupByName("default").create())
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST_NETWORK_PATH, NETWORK).Create, message=want)

    def test_unknown_path(self):
        stale = TEST + "/domain/_" + NO_UUID.replace("-", "_")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(stale, DOMAIN).Create, 0, prefix="Domain not found")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST + "/network/_" + NO_UUID.replace("-", "_"),
                                                       NETWORK).Create, prefix="Network not found")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST + "/storagepool/_bogus", POOL).Destroy,
                             message="uuidstr in virStoragePoolLookupByUUIDString must be a valid UUID")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST + "/storagevol/_2fnope", "org.libvirt.StorageVol")
                             .Delete, 0, message="Storage volume not found: no storage vol with matching key '/nope'")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST + "/domain/_zz", DOMAIN).GetState, 0,
                             message="Invalid UUID")

    def test_wrong_signature(self):
        self.assertDBusError(INVALID_ARGS, lambda: self.bus.call_blocking(
            "org.libvirt", TEST_DOMAIN_PATH, DOMAIN, "Create", "", ()))
        self.assertDBusError(INVALID_ARGS, lambda: self.bus.call_blocking(
            "org.libvirt", TEST, CONNECT, "DomainLookupByName", "u", (1,)))
        self.assertTrue(self.get(TEST_DOMAIN_PATH, DOMAIN, "Active"))

    def test_unknown_method(self):
        self.assertDBusError(UNKNOWN_METHOD, lambda: self.bus.call_blocking(
            "org.libvirt", TEST_DOMAIN_PATH, DOMAIN, "NoSuchMethod", "u", (0,)))

    def test_member_not_served_yet(self):
        # every libvirt-dbus member exists; one virtbus cannot do yet says so in libvirt's words
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST_DOMAIN_PATH, DOMAIN).MigrateGetMaxSpeed, 0,
                             message="this function is not supported by the connection driver: "
                                     "virDomainMigrateGetMaxSpeed")
        # after the object's lookup, as libvirt-dbus
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST + "/domain/_11111111_2222_3333_4444_555555555555",
                                                       DOMAIN).InjectNMI, 0, prefix="Domain not found")

    def test_unsupported_flags(self):
        self.assertDBusError(LIBVIRT_ERROR, self.connect.ListDomains, 1 << 20,
                             prefix="unsupported flags (0x100000) in function")
        self.assertDBusError(LIBVIRT_ERROR, self.iface(TEST_DOMAIN_PATH, DOMAIN).GetState, 5,
                             prefix="unsupported flags (0x5) in function")

    def test_memory_stats(self):
        # libvirt's test driver has none ("not supported"); the QEMU connection reads the host's
        self.assertDBusError(LIBVIRT_ERROR, self.connect.NodeGetMemoryStats, -1, 0,
                             message="this function is not supported by the connection driver: virNodeGetMemoryStats")
        stats = self.iface("/org/libvirt/QEMU", CONNECT).NodeGetMemoryStats(-1, 0)
        self.assertEqual(stats.signature, "st")
        self.assertEqual(sorted(stats.keys()), ["buffers", "cached", "free", "total"])
        self.assertGreater(stats["total"], 0)


if __name__ == "__main__":
    main()
