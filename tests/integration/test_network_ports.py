#!/usr/bin/python3
"""test_network_ports.py: virNetworkPort (remote procedures 404-410) through virsh and python3-libvirt on
`virtbusd --system`, in private mount and network namespaces: a running TCG guest's NIC on the NAT network
holds a port (net-port-list, net-port-dumpxml) that survives a daemon restart with the same UUID and goes with
the guest; a client's net-port-create makes a record kept 0600 under the network's run directory, that
net-port-delete and net-destroy remove; bad input is refused with libvirt's texts and changes nothing."""

import os
import re
import stat
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import net_harness as nh  # noqa: E402
import remote_harness as rh  # noqa: E402

if os.environ.get(nh.NS_ENV) != "1":
    guest.build()   # before the namespace: building may download the kernel and busybox
nh.enter_namespace()

import testmain  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>portguest</name>
  <uuid>7a1c0f52-3b6e-4d2a-9c11-5e8f00c0ffee</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:78:00:01'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
"""

PORT_UUID = "3f0e2a8c-6d41-4b7a-a0c5-1d2e3f405162"
PORT_XML = """<networkport>
  <uuid>%s</uuid>
  <owner>
    <name>outside</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
  </owner>
  <mac address='52:54:00:aa:bb:cc'/>
  <bandwidth>
    <inbound average='1000' peak='2000' floor='100' burst='512'/>
    <outbound average='800'/>
  </bandwidth>
  <plug type='bridge' bridge='br9'/>
</networkport>
""" % PORT_UUID

PORT_DUMP = """<networkport>
  <uuid>%s</uuid>
  <owner>
    <name>outside</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
  </owner>
  <mac address='52:54:00:aa:bb:cc'/>
  <bandwidth>
    <inbound average='1000' peak='2000' floor='100' burst='512'/>
    <outbound average='800'/>
  </bandwidth>
  <plug type='bridge' bridge='br9'/>
</networkport>""" % PORT_UUID

PORTS_DIR = Path("/run/virtbus/network/default.ports")

PROC_NETWORK_PORT_SET_PARAMETERS = 408
UINT, STRING = 2, 7     # VIR_TYPED_PARAM_*


def typed_param(name, typ, value):
    """remote_typed_param: the field, then the value's union (type, value)."""
    v = rh.p_uint(value) if typ == UINT else rh.p_string(value) if typ == STRING else rh.p_uint(value)
    return rh.p_string(name) + rh.p_int(typ) + v


class NetworkPortTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        (cls.w.tmp / "default.xml").write_text(nh.DEFAULT_XML)
        cls.w.virsh("net-define", str(cls.w.tmp / "default.xml"), check=True)

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", "portguest")
        cls.w.stop()

    def setUp(self):
        # each test on a freshly started network: no records left by the other
        if re.search(r"Active:\s+yes", self.virsh("net-info", "default")):
            self.virsh("net-destroy", "default")
        self.virsh("net-start", "default")

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def lookup_error(self, uuid):
        import libvirt
        conn = libvirt.open(self.w.uri)
        try:
            conn.networkLookupByName("default").portLookupByUUIDString(uuid)
        except libvirt.libvirtError as e:
            self.assertEqual(e.get_error_code(), libvirt.VIR_ERR_NO_NETWORK_PORT)
            return str(e)
        finally:
            conn.close()
        self.fail("port %s found" % uuid)

    def port_uuids(self):
        return self.virsh("net-port-list", "default", "--uuid").split()

    def set_parameters_raw(self, port_uuid, params, flags=0):
        """virNetworkPortSetParameters as bytes on the wire (virsh has no command for it, and
        python3-libvirt sends only the names and types GetParameters lists): None, or the
        remote_error."""
        import libvirt
        import uuid as uuidmod
        conn = libvirt.open(self.w.uri)
        try:
            net_uuid = conn.networkLookupByName("default").UUID()
        finally:
            conn.close()
        with rh.RawClient(str(self.w.sock_dir / "libvirt-sock"), timeout=15) as c:
            c.handshake("qemu:///system", keepalive=False)
            payload = (rh.p_string("default") + net_uuid + uuidmod.UUID(port_uuid).bytes
                       + rh.p_uint(len(params)) + b"".join(typed_param(*t) for t in params) + rh.p_uint(flags))
            p = c.call(PROC_NETWORK_PORT_SET_PARAMETERS, payload)
        return None if p.status == rh.OK else rh.parse_remote_error(p.payload)

    def test_set_parameters_checks(self):
        """SetParameters' bad input is refused with libvirt's texts, the record unchanged; none is a
        no-op; good ones for a client's record: "not supported" (it plugs nothing)."""
        import libvirt
        f = self.w.tmp / "port.xml"
        f.write_text(PORT_XML)
        self.virsh("net-port-create", "default", str(f))
        for params, flags, code, text in (
                ([("inbound.avg", UINT, 5)], 0, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                 "argument unsupported: parameter 'inbound.avg' not supported"),
                ([("inbound.average", STRING, "5")], 0, libvirt.VIR_ERR_INVALID_ARG,
                 "invalid argument: invalid type 'string' for parameter 'inbound.average', expected 'uint'"),
                ([("inbound.average", UINT, 5), ("inbound.average", UINT, 6)], 0, libvirt.VIR_ERR_INVALID_ARG,
                 "invalid argument: parameter 'inbound.average' occurs multiple times"),
                ([("inbound.average", 99, 5)], 0, libvirt.VIR_ERR_INVALID_ARG,
                 "invalid argument: unknown typed parameter type"),
                ([("inbound.average", UINT, 5)], 1, libvirt.VIR_ERR_INVALID_ARG,
                 "unsupported flags (0x1) in function networkPortSetParameters"),
                ([("inbound.average", UINT, 5)], 0, libvirt.VIR_ERR_NO_SUPPORT,
                 "this function is not supported by the connection driver: virNetworkPortSetParameters: "
                 "virtbus shapes only the ports of running guests' interfaces")):
            e = self.set_parameters_raw(PORT_UUID, params, flags)
            self.assertIsNotNone(e, params)
            self.assertEqual((e.code, e.message), (code, text))
        e = self.set_parameters_raw("00000000-0000-4000-8000-000000000000", [("inbound.average", UINT, 5)])
        self.assertEqual((e.code, e.message), (libvirt.VIR_ERR_NO_NETWORK_PORT, "network port not found: Network port "
                         "with UUID 00000000-0000-4000-8000-000000000000 does not exist"))
        self.assertIsNone(self.set_parameters_raw(PORT_UUID, []))
        self.assertEqual(self.virsh("net-port-dumpxml", "default", PORT_UUID).strip(), PORT_DUMP)
        self.assertEqual((PORTS_DIR / (PORT_UUID + ".xml")).read_text().strip(), PORT_DUMP)
        self.virsh("net-port-delete", "default", PORT_UUID)

    def test_client_record(self):
        f = self.w.tmp / "port.xml"
        f.write_text(PORT_XML)
        self.virsh("net-port-create", "default", str(f))
        self.assertIn(PORT_UUID, self.port_uuids())
        self.assertEqual(self.virsh("net-port-dumpxml", "default", PORT_UUID).strip(), PORT_DUMP)
        record = PORTS_DIR / (PORT_UUID + ".xml")
        self.assertEqual(stat.S_IMODE(record.stat().st_mode), 0o600)

        # the same UUID again, and bad documents: refused, nothing changes
        p = self.w.virsh("net-port-create", "default", str(f))
        self.assertIn("this network port exists already: Network port with UUID %s already exists" % PORT_UUID, p.stderr)
        f.write_text(PORT_XML.replace("<mac address='52:54:00:aa:bb:cc'/>", ""))
        p = self.w.virsh("net-port-create", "default", str(f))
        self.assertIn("network port has no mac", p.stderr)
        f.write_text(re.sub(r"<uuid>%s</uuid>" % PORT_UUID, "", PORT_XML).replace("br9'", "br9' x='1'")
                     .replace("<name>outside</name>", ""))
        p = self.w.virsh("net-port-create", "default", str(f))
        self.assertIn("network port has no uuid", p.stderr)
        self.assertEqual(sorted(os.listdir(PORTS_DIR)), [PORT_UUID + ".xml"])

        # python3-libvirt sees the same record; a restart of the daemon keeps it
        import libvirt
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        conn = libvirt.open(self.w.uri)
        try:
            net = conn.networkLookupByName("default")
            port = net.portLookupByUUIDString(PORT_UUID)
            self.assertEqual(port.UUIDString(), PORT_UUID)
            self.assertIn("<name>outside</name>", port.XMLDesc())
            self.assertIn(PORT_UUID, [p.UUIDString() for p in net.listAllPorts()])
            self.assertEqual(port.parameters(), {
                "inbound.average": 1000, "inbound.peak": 2000, "inbound.floor": 100, "inbound.burst": 512,
                "outbound.average": 800, "outbound.peak": 0, "outbound.burst": 0})
            with self.assertRaises(libvirt.libvirtError) as cm:
                net.portLookupByUUIDString("00000000-0000-4000-8000-000000000000")
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_NETWORK_PORT)
            self.assertEqual(str(cm.exception), "network port not found: Network port with UUID "
                             "00000000-0000-4000-8000-000000000000 does not exist")
            # flags no call takes: refused naming libvirt's network driver function, as libvirtd does
            for call, fn in ((lambda: net.listAllPorts(0x100), "networkListAllPorts"),
                             (lambda: port.delete(1), "networkPortDelete")):
                with self.assertRaises(libvirt.libvirtError) as cm:
                    call()
                self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
                self.assertIn("unsupported flags (0x", str(cm.exception))
                self.assertTrue(str(cm.exception).endswith(") in function %s" % fn), str(cm.exception))
            self.assertTrue(record.exists())
        finally:
            conn.close()

        self.virsh("net-port-delete", "default", PORT_UUID)
        self.assertNotIn(PORT_UUID, self.port_uuids())
        self.assertFalse(record.exists())
        # virsh says only "failed to get network port"; python3-libvirt carries libvirt's text
        p = self.w.virsh("net-port-dumpxml", "default", PORT_UUID)
        self.assertIn("failed to get network port '%s'" % PORT_UUID, p.stderr)
        self.assertEqual(self.lookup_error(PORT_UUID), "network port not found: Network port with UUID %s does not exist"
                         % PORT_UUID)

        # a record lives as long as the network runs
        f.write_text(PORT_XML)
        self.virsh("net-port-create", "default", str(f))
        self.virsh("net-destroy", "default")
        self.assertFalse(record.exists())
        p = self.w.virsh("net-port-create", "default", str(f))
        self.assertIn("network 'default' is not active", p.stderr)
        self.assertEqual(self.virsh("net-port-list", "default", "--uuid").split(), [])
        self.virsh("net-start", "default")
        self.assertNotIn(PORT_UUID, self.port_uuids())

    def test_guest_nic_port(self):
        xml = self.w.tmp / "portguest.xml"
        xml.write_text(DOMAIN_XML.format(kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append))
        self.virsh("define", str(xml))
        self.assertEqual(self.port_uuids(), [])       # a NIC holds a port only while its guest runs
        self.virsh("start", "portguest")
        uuids = self.port_uuids()
        self.assertEqual(len(uuids), 1, uuids)
        dump = self.virsh("net-port-dumpxml", "default", uuids[0])
        self.assertIn("<uuid>%s</uuid>" % uuids[0], dump)
        self.assertIn("<owner>\n    <name>portguest</name>\n    <uuid>7a1c0f52-3b6e-4d2a-9c11-5e8f00c0ffee</uuid>\n"
                      "  </owner>", dump)
        self.assertIn("<mac address='52:54:00:78:00:01'/>", dump)
        self.assertIn("<plug type='network' bridge='virbr0'/>", dump)
        self.assertIn(uuids[0], self.virsh("net-port-list", "default"))

        # the guest's port is the NIC's: a client cannot delete it
        p = self.w.virsh("net-port-delete", "default", uuids[0])
        self.assertIn("Failed to delete network port %s" % uuids[0], p.stderr)
        import libvirt
        conn = libvirt.open(self.w.uri)
        try:
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.networkLookupByName("default").portLookupByUUIDString(uuids[0]).delete()
            self.assertIn("belongs to a running guest's interface", str(cm.exception))
            # its bandwidth (none): GetParameters in libvirt's names; a set shapes the NIC's tap (as domiftune
            # --live; test_network_floor.py reads the tap) and 0 removes it again
            port = conn.networkLookupByName("default").portLookupByUUIDString(uuids[0])
            self.assertEqual(port.parameters(), {
                "inbound.average": 0, "inbound.peak": 0, "inbound.floor": 0, "inbound.burst": 0,
                "outbound.average": 0, "outbound.peak": 0, "outbound.burst": 0})
            port.setParameters({"inbound.average": 100})
            self.assertEqual(port.parameters()["inbound.average"], 100)
            # a name libvirt does not know is refused for a guest's port too, the tap's value kept
            e = self.set_parameters_raw(uuids[0], [("inbound.avg", UINT, 5)])
            self.assertEqual(e.message, "argument unsupported: parameter 'inbound.avg' not supported")
            self.assertEqual(port.parameters()["inbound.average"], 100)
            port.setParameters({"inbound.average": 0})
            self.assertEqual(port.parameters()["inbound.average"], 0)
        finally:
            conn.close()

        # the daemon dies and comes back: the running guest's NIC has the same port
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        self.assertIn("running", self.virsh("domstate", "portguest"))
        self.assertEqual(self.port_uuids(), uuids)

        self.virsh("destroy", "portguest")
        self.assertEqual(self.port_uuids(), [])
        self.assertEqual(self.lookup_error(uuids[0]), "network port not found: Network port with UUID %s does not exist"
                         % uuids[0])
        self.virsh("undefine", "portguest")


if __name__ == "__main__":
    testmain.main()
