#!/usr/bin/python3
"""test_remote_python.py: python3-libvirt against virtbusd over the unix socket and over TCP.

The calls of capture 30 (py-basics.py) and more, each compared with the same call on libvirt's
own test driver opened inside this process (`libvirt.open("test:///default")`, the oracle),
which starts from the same content. Errors are compared field by field as the client
rebuilds them from remote_error (code, domain, message, level, str1..3, int1, int2).
"""

import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_harness import (ORACLE_URI, TEST_DOMAIN_UUID, libvirt_module,  # noqa: E402
                            main, transports)

DEMO_UUID = "11111111-2222-3333-4444-555555555555"
DEMO_XML = """<domain type='test'>
  <name>demo</name>
  <uuid>%s</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
</domain>""" % DEMO_UUID
NET_XML = """<network>
  <name>netdemo</name>
  <uuid>22222222-3333-4444-5555-666666666666</uuid>
  <bridge name='vbr-demo'/>
  <ip address='10.9.8.1' netmask='255.255.255.0'/>
</network>"""
POOL_XML = """<pool type='dir'>
  <name>pdemo</name>
  <uuid>33333333-4444-5555-6666-777777777777</uuid>
  <target><path>/pdemo</path></target>
</pool>"""
VOL_XML = "<volume><name>v1.img</name><capacity unit='bytes'>1048576</capacity></volume>"


def describe(fn):
    try:
        return inspect.getsource(fn).strip()
    except (OSError, TypeError):
        return repr(fn)


def info_without_cputime(dom):
    i = dom.info()
    return i[:4]


class _PythonClient:
    def setUp(self):
        super().setUp()
        self.libvirt = libvirt_module()
        self.conn = self.libvirt.open(self.uri)
        self.oracle = self.libvirt.open(ORACLE_URI)

    def tearDown(self):
        for c in (self.conn, self.oracle):
            try:
                c.close()
            except self.libvirt.libvirtError:
                pass
        super().tearDown()

    def both(self, fn):
        """fn(conn) on the daemon and on the oracle: (daemon's result, oracle's result)."""
        return fn(self.conn), fn(self.oracle)

    def assertSame(self, fn, msg=None):
        """fn on both must give the same; a difference is recorded (subTest) and the test goes
        on, so that one run shows every difference."""
        with self.subTest(call=msg or describe(fn)):
            got, want = self.both(fn)
            self.assertEqual(got, want)
            return got

    def error_of(self, conn, fn):
        try:
            fn(conn)
        except self.libvirt.libvirtError as e:
            return (e.get_error_code(), e.get_error_domain(), e.get_error_message(), e.get_error_level(),
                    e.get_str1(), e.get_str2(), e.get_str3(), e.get_int1(), e.get_int2())
        self.fail("no error raised")

    def assertSameError(self, fn):
        with self.subTest(error_of=describe(fn)):
            got = self.error_of(self.conn, fn)
            want = self.error_of(self.oracle, fn)
            self.assertEqual(got, want)
            return got

    # --- capture 30 ---

    def test_capture30_connection_calls(self):
        c = self.conn
        self.assertEqual(c.getType(), "TEST")
        self.assertSame(lambda c: c.getType())
        self.assertSame(lambda c: c.getVersion())
        self.assertEqual(c.getLibVersion(), 9000000)
        self.assertSame(lambda c: c.getHostname())
        self.assertSame(lambda c: c.getCapabilities())
        self.assertSame(lambda c: c.getInfo())
        self.assertEqual(c.getURI(), self.uri)           # no RPC
        self.assertEqual(c.isAlive(), 1)
        # The client reports secure only if its transport is (unix yes, plain TCP no) AND the
        # daemon says so.
        self.assertEqual(c.isSecure(), 1 if self.transport == "unix" else 0)
        self.assertEqual(c.isEncrypted(), 0)
        self.assertSame(lambda c: c.numOfDomains())
        self.assertSame(lambda c: c.listDomainsID())
        self.assertSame(lambda c: c.listDefinedDomains())
        self.assertSame(lambda c: [d.name() for d in c.listAllDomains()])
        self.assertSame(lambda c: [n.name() for n in c.listAllNetworks()])
        self.assertSame(lambda c: [p.name() for p in c.listAllStoragePools()])

    def test_capture30_domain_calls(self):
        d = self.conn.lookupByName("test")
        self.assertEqual((d.name(), d.UUIDString(), d.ID()), ("test", TEST_DOMAIN_UUID, 1))
        self.assertEqual(self.conn.lookupByUUIDString(TEST_DOMAIN_UUID).name(), "test")
        self.assertEqual(self.conn.lookupByID(1).name(), "test")
        self.assertSame(lambda c: info_without_cputime(c.lookupByName("test")))
        self.assertGreater(d.info()[4], 0)
        self.assertSame(lambda c: c.lookupByName("test").state())
        self.assertSame(lambda c: c.lookupByName("test").isActive())
        self.assertSame(lambda c: c.lookupByName("test").isPersistent())
        self.assertSame(lambda c: c.lookupByName("test").XMLDesc())
        self.assertSame(lambda c: c.lookupByName("test").OSType())
        self.assertSame(lambda c: c.lookupByName("test").maxMemory())
        self.assertSame(lambda c: c.lookupByName("test").autostart())

    # --- more ---

    def test_set_memory_and_domain_stats(self):
        lv = self.libvirt
        d = self.conn.lookupByName("test")
        d.setMemory(1048576)                                         # proc 31
        d.setMemoryFlags(524288, lv.VIR_DOMAIN_AFFECT_LIVE)          # proc 204
        self.assertEqual(d.info()[2], 524288)
        with self.assertRaises(lv.libvirtError) as cm:
            d.setMemoryFlags(1 << 40, 0)
        self.assertEqual(cm.exception.get_error_message(), "invalid argument: cannot set memory higher than max memory")
        groups = lv.VIR_DOMAIN_STATS_STATE | lv.VIR_DOMAIN_STATS_BALLOON | lv.VIR_DOMAIN_STATS_VCPU | lv.VIR_DOMAIN_STATS_BLOCK
        records = self.conn.getAllDomainStats(groups)                # proc 344, every domain
        self.assertEqual([r[0].name() for r in records], ["test"])
        # the state group alone, as libvirt's test driver (the others: test_qemu_stats.py)
        self.assertEqual(records[0][1], {"state.state": 1, "state.reason": d.state()[1]})
        one = self.conn.domainListGetStats([d], lv.VIR_DOMAIN_STATS_STATE)   # the same procedure, one domain
        self.assertEqual(one[0][1], {"state.state": d.state()[0], "state.reason": d.state()[1]})
        self.assertEqual(self.conn.getAllDomainStats(lv.VIR_DOMAIN_STATS_STATE,
                                                     lv.VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF), [])

    def test_domain_lifecycle_states(self):
        def step(c, what):
            d = c.lookupByName("demo")
            if what == "define":
                d = c.defineXML(DEMO_XML)
            elif what:
                getattr(d, what)()
            d = c.lookupByName("demo")      # a virDomainPtr keeps the id it was looked up with
            return (d.ID(), d.state(), info_without_cputime(d), d.isActive(), d.isPersistent())

        for c in (self.conn, self.oracle):
            c.defineXML(DEMO_XML)
        for what in ("", "create", "suspend", "resume", "shutdown", "create", "reboot", "destroy"):
            self.assertSame(lambda c: step(c, what), what)
        self.assertSame(lambda c: c.lookupByName("demo").XMLDesc())
        self.assertSame(lambda c: c.lookupByUUIDString(DEMO_UUID).name())
        self.assertSame(lambda c: sorted(d.name() for d in c.listAllDomains(
            self.libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)))
        self.assertSame(lambda c: sorted(d.name() for d in c.listAllDomains(
            self.libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)))
        self.assertSame(lambda c: c.listDefinedDomains())
        self.assertSame(lambda c: c.numOfDefinedDomains())
        self.assertSame(lambda c: c.lookupByName("demo").undefine())
        self.assertSame(lambda c: [d.name() for d in c.listAllDomains()])

    def test_errors_match_the_test_driver(self):
        lv = self.libvirt
        got = self.error_of(self.conn, lambda c: c.lookupByName("nosuchdom"))
        with self.subTest("capture 18"):
            self.assertEqual(got[:3], (lv.VIR_ERR_NO_DOMAIN, lv.VIR_FROM_TEST, "Domain not found"))
        self.assertSameError(lambda c: c.lookupByName("nosuchdom"))
        self.assertSameError(lambda c: c.lookupByUUIDString("00000000-0000-0000-0000-000000000001"))
        self.assertSameError(lambda c: c.lookupByID(99))
        self.assertSameError(lambda c: c.networkLookupByName("nosuchnet"))
        self.assertSameError(lambda c: c.storagePoolLookupByName("nosuchpool"))
        self.assertSameError(lambda c: c.storagePoolLookupByName("default-pool").storageVolLookupByName("nosuchvol"))
        self.assertSameError(lambda c: c.lookupByName("test").create())
        self.assertSameError(lambda c: c.lookupByName("test").resume())
        self.assertSameError(lambda c: c.networkLookupByName("default").create())
        self.assertSameError(lambda c: c.storagePoolLookupByName("default-pool").create())
        self.assertSameError(lambda c: c.defineXML("<domain type='test'><name>test</name>"
                                                    "<uuid>%s</uuid><memory>1024</memory>"
                                                    "<os><type>hvm</type></os></domain>" % DEMO_UUID))
        self.assertSameError(lambda c: c.defineXML("<domain"))           # libxml2's words, VIR_FROM_DOMAIN
        self.assertSameError(lambda c: [c.storagePoolLookupByName("default-pool").createXML(
            "<volume><name>dup.img</name><capacity>1</capacity></volume>") for _ in range(2)])
        # the connection is still fine after all these errors
        self.assertEqual(self.conn.getType(), "TEST")

    def test_networks(self):
        self.assertSame(lambda c: c.networkLookupByName("default").XMLDesc())
        self.assertSame(lambda c: c.networkLookupByName("default").bridgeName())
        self.assertSame(lambda c: (c.networkLookupByName("default").isActive(),
                                   c.networkLookupByName("default").isPersistent(),
                                   c.networkLookupByName("default").autostart()))
        self.assertSame(lambda c: c.networkDefineXML(NET_XML).name())
        self.assertSame(lambda c: sorted(n.name() for n in c.listAllNetworks()))
        self.assertSame(lambda c: c.networkLookupByName("netdemo").create())
        self.assertSame(lambda c: (c.networkLookupByName("netdemo").isActive(),
                                   c.networkLookupByName("netdemo").XMLDesc()))
        self.assertSame(lambda c: c.networkLookupByName("netdemo").destroy())
        self.assertSame(lambda c: c.networkLookupByName("netdemo").undefine())
        self.assertSame(lambda c: sorted(n.name() for n in c.listAllNetworks()))

    def test_pools_and_volumes(self):
        self.assertSame(lambda c: c.storagePoolLookupByName("default-pool").info())
        self.assertSame(lambda c: c.storagePoolLookupByName("default-pool").XMLDesc())
        self.assertSame(lambda c: c.storagePoolDefineXML(POOL_XML).name())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").create())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").info())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").createXML(VOL_XML).key())
        self.assertSame(lambda c: [(v.name(), v.key(), v.path(), v.info(), v.XMLDesc())
                                   for v in c.storagePoolLookupByName("pdemo").listAllVolumes()])
        self.assertSame(lambda c: c.storageVolLookupByKey("/pdemo/v1.img").name())
        self.assertSame(lambda c: c.storageVolLookupByPath("/pdemo/v1.img").name())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").listVolumes())
        self.assertSame(lambda c: c.storageVolLookupByKey("/pdemo/v1.img").delete())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").numOfVolumes())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").destroy())
        self.assertSame(lambda c: c.storagePoolLookupByName("pdemo").undefine())
        self.assertSame(lambda c: sorted(p.name() for p in c.listAllStoragePools()))

    def test_two_connections_share_the_state(self):
        other = self.libvirt.open(self.uri)
        try:
            self.conn.defineXML(DEMO_XML)
            d = other.lookupByName("demo")
            d.create()
            self.assertEqual(self.conn.lookupByName("demo").state()[0], self.libvirt.VIR_DOMAIN_RUNNING)
            self.assertEqual(sorted(x.name() for x in other.listAllDomains()), ["demo", "test"])
        finally:
            other.close()
        self.assertEqual(self.conn.lookupByName("demo").ID(), 2)

    def test_open_read_only(self):
        ro = self.libvirt.openReadOnly(self.uri)
        try:
            self.assertEqual([d.name() for d in ro.listAllDomains()], ["test"])    # capture 31
            self.assertEqual(ro.lookupByName("test").state(), self.oracle.lookupByName("test").state())
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                ro.defineXML(DEMO_XML)
            self.assertEqual(cm.exception.get_error_code(), self.libvirt.VIR_ERR_OPERATION_DENIED)
            self.assertEqual(cm.exception.get_error_message(),
                             "operation forbidden: read only access prevents virDomainDefineXML")
        finally:
            ro.close()
        self.assertEqual(self.conn.listDefinedDomains(), [])

    def test_close_is_clean(self):
        # connect_close answers, and the daemon serves the next connection
        for _ in range(5):
            c = self.libvirt.open(self.uri)
            self.assertEqual(c.getType(), "TEST")
            self.assertEqual(c.close(), 0)
        self.assertEqual(self.conn.numOfDomains(), 1)


globals().update(transports("unix", "tcp")(_PythonClient))


if __name__ == "__main__":
    main()
