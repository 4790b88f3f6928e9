#!/usr/bin/python3
"""test_remote_readonly.py: read-only connections refuse every mutating call, with libvirt's text.

Three ways to be read-only:
* `virsh -r` / libvirt.openReadOnly: connect_open with flags=1 (VIR_CONNECT_RO). libvirt's client
  library refuses mutating calls itself, so these mostly check that such an open works and
  that listing works; a raw client that opens with flags=1 and sends the mutating CALL anyway
  checks the daemon's own refusal, field by field against what libvirtd 9.0 answers.
* the read-only socket ($XDG_RUNTIME_DIR/libvirt/libvirt-sock-ro), opened WITHOUT -r: the client
  believes it may write, so only the daemon stands in the way. libvirtd 9.0 prints, e.g.
      error: Failed to define domain from /tmp/d.xml
      error: operation forbidden: read only access prevents virDomainDefineXML
  (taken from Debian's libvirtd 9.0 on its -ro socket: the daemon-side check is the same public
  API check that `virsh -r` meets in the client, so `virsh -r -c test:///default` is the oracle
  for the text wherever the command gets that far).
"""

import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TEST_NETWORK_UUID, TEST_POOL_UUID  # noqa: E402
from remote_harness import (DOMAIN_XML, NETWORK_XML, PROC_DOMAIN_DEFINE_XML, PROC_DOMAIN_SUSPEND,  # noqa: E402
                            RemoteError, RawClient, TEST_DOMAIN_UUID, libvirt_module, main, oracle_sequence,
                            p_domain, p_string, parse_remote_error, transports, Unpacker)

MUTATIONS = [
    "define {dom}", "destroy test", "suspend test", "resume test", "shutdown test", "reboot test",
    "undefine test", "net-define {net}", "net-destroy default", "net-undefine default",
    "pool-define-as pdemo dir --target /pdemo", "pool-destroy default-pool", "pool-undefine default-pool",
    "vol-create-as default-pool v.img 1M",
]
QUERIES = ["list --all", "list", "dumpxml test", "dominfo test", "domstate test --reason",
           "net-list --all", "net-dumpxml default", "pool-list --all", "pool-dumpxml default-pool",
           "vol-list default-pool", "version", "nodeinfo"]


def denied(api):
    """libvirt's remote_error for a refused call: VIR_ERR_OPERATION_DENIED from the public API's
    own error domain (20 VIR_FROM_DOMAIN, 19 VIR_FROM_NETWORK, 18 VIR_FROM_STORAGE)."""
    msg = "operation forbidden: read only access prevents %s" % api
    domain = 19 if api.startswith("virNetwork") else 18 if api.startswith("virStorage") else 20
    return RemoteError(29, domain, msg, 2, None, "operation forbidden: %s", "read only access prevents %s" % api,
                       None, -1, -1, None)


# What libvirtd 9.0 answered (raw client, connect_open flags=1, serial 3 = the 4th call): the
# whole REPLY packet of domain_suspend on the domain "test".
LIBVIRTD_RO_SUSPEND_REPLY = bytes.fromhex(
    "000000d82000808600000001000000220000000100000003000000010000001d00000014000000010000003f"
    "6f7065726174696f6e20666f7262696464656e3a2072656164206f6e6c79206163636573732070726576656e"
    "747320766972446f6d61696e53757370656e6400000000020000000000000001000000176f70657261746"
    "96f6e20666f7262696464656e3a20257300000000010000002a72656164206f6e6c79206163636573732070"
    "726576656e747320766972446f6d61696e53757370656e64000000000000ffffffffffffffff00000000")


class _ReadOnlyFlag:
    """virsh -r and raw connect_open(flags=1) on the read-write socket and on TCP."""

    def fill(self, cmds):
        dom = self.daemon.tmp / "demo.xml"
        dom.write_text(DOMAIN_XML.format(name="demo"))
        net = self.daemon.tmp / "net.xml"
        net.write_text(NETWORK_XML.format(name="netdemo", bridge="vbr-demo"))
        return [c.format(dom=dom, net=net) for c in cmds]

    def test_virsh_r_lists_and_is_refused_like_the_test_driver(self):
        self.compare_with_oracle(self.fill(QUERIES + MUTATIONS + ["list --all"]), readonly=True)

    def test_raw_read_only_open_is_enforced_by_the_daemon(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake(flags=1)
            dom = p_domain("test", TEST_DOMAIN_UUID, 1)
            p = c.call(PROC_DOMAIN_SUSPEND, dom)
            self.assertEqual(parse_remote_error(p.payload), denied("virDomainSuspend"))
            self.assertEqual(p.raw, LIBVIRTD_RO_SUSPEND_REPLY)
            p = c.call(PROC_DOMAIN_DEFINE_XML, p_string(DOMAIN_XML.format(name="x")))
            self.assertEqual(parse_remote_error(p.payload), denied("virDomainDefineXML"))
            for proc, api in ((12, "virDomainDestroy"), (33, "virDomainShutdown"), (28, "virDomainResume"),
                              (35, "virDomainUndefine")):
                p = c.call(proc, dom)
                self.assertEqual(parse_remote_error(p.payload), denied(api), api)
            net = p_string("default") + uuid.UUID(TEST_NETWORK_UUID).bytes
            pool = p_string("default-pool") + uuid.UUID(TEST_POOL_UUID).bytes
            for proc, payload, api in ((42, net, "virNetworkDestroy"), (41, p_string("<network/>"), "virNetworkDefineXML"),
                                       (80, pool, "virStoragePoolDestroy"),
                                       (78, pool + b"\0\0\0\0", "virStoragePoolCreate")):
                p = c.call(proc, payload)
                self.assertEqual(parse_remote_error(p.payload), denied(api), api)
            # reads still work on it
            p = c.call_ok(212, dom + b"\0\0\0\0")
            self.assertEqual(Unpacker(p.payload).int(), 1)
        # and nothing changed
        self.assertEqual(self.virsh("domstate test").stdout, "running\n\n")

    def test_python_open_read_only(self):
        libvirt = libvirt_module()
        c = libvirt.openReadOnly(self.uri)
        try:
            self.assertEqual([d.name() for d in c.listAllDomains()], ["test"])
            self.assertEqual([n.name() for n in c.listAllNetworks()], ["default"])
            self.assertEqual([p.name() for p in c.listAllStoragePools()], ["default-pool"])
            with self.assertRaises(libvirt.libvirtError) as cm:
                c.lookupByName("test").destroy()
            self.assertEqual(cm.exception.get_error_message(),
                             "operation forbidden: read only access prevents virDomainDestroy")
        finally:
            c.close()


class _ReadOnlySocket:
    transport = "ro"

    def setUp(self):
        super().setUp()
        if not self.daemon.has_ro_socket:
            self.daemon.stop()
            raise unittest.SkipTest("%s has no read-only socket in session mode" % self.daemon.name)

    def test_queries_work(self):
        self.compare_with_oracle(QUERIES)

    def test_mutations_refused_by_the_daemon(self):
        dom = self.daemon.tmp / "demo.xml"
        dom.write_text(DOMAIN_XML.format(name="demo"))
        net = self.daemon.tmp / "net.xml"
        net.write_text(NETWORK_XML.format(name="netdemo", bridge="vbr-demo"))
        cmds = [c.format(dom=dom, net=net) for c in MUTATIONS]
        # without -r here: virsh thinks it may write; the oracle runs with -r (same check, same text)
        expected = oracle_sequence(cmds, readonly=True)
        for cmd, (o_out, o_err) in zip(cmds, expected):
            p = self.virsh(cmd)
            self.assertIn("operation forbidden: read only access prevents", o_err, cmd)
            self.assertEqual((p.stdout, p.stderr, p.returncode), (o_out, o_err, 1), cmd)
        # nothing changed
        self.compare_with_oracle(["list --all", "net-list --all", "pool-list --all", "vol-list default-pool"])

    def test_start_of_inactive_domain_refused(self):
        # make "test" inactive through the read-write socket, then try to start it read-only
        self.assertEqual(self.virsh("shutdown test", transport="unix").returncode, 0)
        p = self.virsh("start test")
        self.assertEqual(p.stderr, "error: Failed to start domain 'test'\n"
                                   "error: operation forbidden: read only access prevents virDomainCreate\n")
        self.assertEqual(p.returncode, 1)
        p = self.virsh("domstate test")
        self.assertEqual(p.stdout, "shut off\n\n")

    def test_python_on_the_ro_socket(self):
        libvirt = libvirt_module()
        c = libvirt.open(self.uri)          # not openReadOnly: the socket makes it read-only
        try:
            self.assertEqual(c.isSecure(), 1)
            self.assertEqual([d.name() for d in c.listAllDomains()], ["test"])
            for fn, api in ((lambda: c.defineXML(DOMAIN_XML.format(name="demo")), "virDomainDefineXML"),
                            (lambda: c.lookupByName("test").suspend(), "virDomainSuspend"),
                            (lambda: c.networkLookupByName("default").destroy(), "virNetworkDestroy"),
                            (lambda: c.storagePoolLookupByName("default-pool").destroy(), "virStoragePoolDestroy")):
                with self.assertRaises(libvirt.libvirtError) as cm:
                    fn()
                e = cm.exception
                want = denied(api)
                self.assertEqual((e.get_error_code(), e.get_error_domain(), e.get_error_message(),
                                  e.get_str1(), e.get_str2()), (want.code, want.domain, want.message,
                                                                want.str1, want.str2))
            self.assertEqual(c.lookupByName("test").state(), [1, 0])
        finally:
            c.close()

    def test_raw_client_on_the_ro_socket(self):
        with RawClient(self.daemon.addr("ro")) as c:
            c.handshake(flags=0)
            p = c.call(PROC_DOMAIN_SUSPEND, p_domain("test", TEST_DOMAIN_UUID, 1))
            self.assertEqual(p.raw, LIBVIRTD_RO_SUSPEND_REPLY)


globals().update(transports("unix", "tcp")(_ReadOnlyFlag))
globals().update(transports("ro")(_ReadOnlySocket))

if __name__ == "__main__":
    main()
