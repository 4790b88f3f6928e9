#!/usr/bin/python3
"""test_network_floor.py: guest NICs' inbound floors on a network with inbound QoS, with TCG guests of
`virtbusd --system` in private mount and network namespaces (net_harness). Each NIC's floor gets a class
of its own under the bridge's 1:1 (rate the floor, ceil the network's peak) and a u32 filter on its MAC,
the shared class 1:2 keeps the average less the floors, and /run/virtbus/network/NAME.floors records the
reservations (each NIC's, by its tap) and their sum; two NICs of one MAC (libvirt allows them, each a port of
its own) hold a floor each, and neither's change, end or a daemon restart touches the other's; a start whose floors would overcommit the network's inbound average is
refused with libvirt's text and leaves nothing; a guest's end releases its floors. A NIC without a
<bandwidth> of its own takes its <portgroup>'s (or the default portgroup's) on its tap; its network port
(python3-libvirt) reports it and takes a new one (virNetworkPortSetParameters). A running NIC's floor
changes live (virsh domiftune --live, port parameters), re-checked against the average; a refused change
changes nothing. The reservations follow the running guests: a start that fails after its floors
were reserved releases them, and a restarted daemon keeps only the floors of running guests' NICs
(not those of a guest killed while it was away, nor a record or class of no guest). The guests need
not boot: the taps and classes are the host's."""

import os
import sys
import unittest
import xml.etree.ElementTree as ET
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

QOS_XML = """<network>
  <name>qos</name>
  <forward mode='nat'/>
  <bridge name='virbr7'/>
  <bandwidth>
    <inbound average='1000' peak='2000'/>
  </bandwidth>
  <ip address='192.168.157.1' netmask='255.255.255.0'/>
  <portgroup name='slow'>
    <bandwidth>
      <inbound average='100'/>
      <outbound average='50'/>
    </bandwidth>
  </portgroup>
  <portgroup name='usual' default='yes'>
    <bandwidth>
      <inbound average='200'/>
    </bandwidth>
  </portgroup>
</network>
"""
PG_NICS = """    <interface type='network'>
      <mac address='52:54:00:7d:00:01'/>
      <source network='qos' portgroup='slow'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:7d:00:02'/>
      <source network='qos'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:7d:00:03'/>
      <source network='qos' portgroup='slow'/>
      <bandwidth><inbound average='300'/></bandwidth>
      <model type='virtio'/>
    </interface>
"""
NIC = """    <interface type='network'>
      <mac address='{mac}'/>
      <source network='{net}'/>
      <bandwidth><inbound floor='{floor}'/></bandwidth>
      <model type='virtio'/>
    </interface>
"""
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
{nics}    <memballoon model='none'/>
  </devices>
</domain>
"""
FLOORS = Path("/run/virtbus/network/qos.floors")


def tc(*args):
    return sh("tc", *args).stdout


def qemu_pid(name):
    """The QEMU of guest name in this network namespace."""
    for pid in nh.pids_of("qemu-system-x86"):
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"guest=%s," % name.encode() in f.read():
                return pid
    raise AssertionError("no QEMU of " + name)


class NetworkFloorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        # QEMU runs as virtbus-qemu: the world's copy of the guest, which it may read
        cls.image = cls.w.guest_image()
        for name, xml in (("qos", QOS_XML), ("default", nh.DEFAULT_XML)):
            (cls.w.tmp / (name + ".xml")).write_text(xml)
            cls.w.virsh("net-define", str(cls.w.tmp / (name + ".xml")), check=True)
            cls.w.virsh("net-start", name, check=True)

    @classmethod
    def tearDownClass(cls):
        for name in ("ga", "gb", "gc", "gd", "favg1", "favg2", "flive1", "flive2", "fdrift1", "fdrift2", "fdrift3",
                     "fmac1", "fmac2", "fmac3"):
            cls.w.virsh("destroy", name)
        cls.w.stop()

    def qos_up(self):
        if "qos" not in self.w.virsh("net-list", "--name").stdout:
            self.w.virsh("net-start", "qos", check=True)

    def taps(self, name):
        """{mac: tap} of a running guest's NICs (the last one of a MAC)."""
        live = ET.fromstring(self.w.virsh("dumpxml", name, check=True).stdout)
        return {n.find("mac").get("address"): n.find("target").get("dev") for n in live.findall("./devices/interface")}

    def define(self, name, nics):
        if not isinstance(nics, str):
            nics = "".join(NIC.format(mac=m, net=n, floor=f) for m, n, f in nics)
        xml = DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                append=self.image.append, nics=nics)
        (self.w.tmp / (name + ".xml")).write_text(xml)
        self.w.virsh("define", str(self.w.tmp / (name + ".xml")), check=True)

    def test_floors(self):
        self.define("ga", [("52:54:00:7a:00:01", "qos", 600), ("52:54:00:7a:00:02", "qos", 300)])
        self.define("gb", [("52:54:00:7b:00:01", "qos", 1200)])
        self.define("gc", [("52:54:00:7c:00:01", "default", 50)])
        self.w.virsh("start", "ga", check=True)

        # 600 and 300 kB/s guaranteed (4800 and 2400 Kbit), up to the network's peak (16 Mbit)
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 4800Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:4 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", classes)
        # the rest share what is left of the peak (libvirt 9.0's): 1100 kB/s
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 8800Kbit ceil 16Mbit", classes)
        filters = tc("filter", "show", "dev", "virbr7")
        self.assertIn("fh 800::803 order 2051 key ht 800 bkt 0 flowid 1:3", filters)
        self.assertIn("match 00005254/0000ffff at -16", filters)
        self.assertIn("match 007a0001/ffffffff at -12", filters)
        self.assertIn("match 007a0002/ffffffff at -12", filters)
        t = self.taps("ga")
        self.assertEqual(FLOORS.read_text(), "floor-sum 900\nclass 3 52:54:00:7a:00:01 600 %s\n"
                                             "class 4 52:54:00:7a:00:02 300 %s\n"
                         % (t["52:54:00:7a:00:01"], t["52:54:00:7a:00:02"]))
        self.assertEqual(FLOORS.stat().st_mode & 0o777, 0o600)

        # 900 + 1200 > the peak 2000: refused, and gb leaves no tap and no class
        p = self.w.virsh("start", "gb")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Cannot plug '52:54:00:7b:00:01' interface into 'virbr7' because new combined inbound "
                      "floor=2100 would overcommit peak=2000 on network 'qos'", p.stderr)
        self.assertIn("shut off", self.w.virsh("domstate", "gb").stdout)
        self.assertNotIn("1:5", tc("class", "show", "dev", "virbr7"))
        self.assertIn("floor-sum 900\n", FLOORS.read_text())
        self.assertEqual(sh("ip", "-o", "link", "show", "master", "virbr7").stdout.count("vnet"), 2)

        # a floor on a network without inbound QoS
        p = self.w.virsh("start", "gc")
        self.assertIn("Invalid use of 'floor' on interface with MAC address 52:54:00:7c:00:01 - network "
                      "'default' has no inbound QoS set", p.stderr)

        # ga's end releases its floors; gb fits now
        self.w.virsh("destroy", "ga", check=True)
        nh.wait_for(lambda: "1:3" not in tc("class", "show", "dev", "virbr7"), "ga's classes to go", timeout=30)
        self.assertEqual(FLOORS.read_text(), "floor-sum 0\n")
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 16Mbit ceil 16Mbit", tc("class", "show", "dev", "virbr7"))
        self.w.virsh("start", "gb", check=True)
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 9600Kbit ceil 16Mbit", tc("class", "show", "dev", "virbr7"))
        self.w.virsh("destroy", "gb", check=True)
        # a stopped network keeps no reservations
        self.w.virsh("net-destroy", "qos", check=True)
        self.assertFalse(FLOORS.exists())

    def test_portgroups(self):
        """A NIC without a <bandwidth> of its own takes its portgroup's (or the default portgroup's)."""
        self.qos_up()
        self.define("gd", PG_NICS)
        self.w.virsh("start", "gd", check=True)
        live = ET.fromstring(self.w.virsh("dumpxml", "gd", check=True).stdout)
        nics = {n.find("mac").get("address"): n for n in live.findall("./devices/interface")}
        taps = {m: n.find("target").get("dev") for m, n in nics.items()}

        def inbound(mac):
            bw = nics[mac].find("bandwidth")
            return None if bw is None else dict(bw.find("inbound").attrib)
        self.assertEqual(inbound("52:54:00:7d:00:01"), {"average": "100"})
        self.assertEqual(nics["52:54:00:7d:00:01"].find("source").get("portgroup"), "slow")
        self.assertEqual(inbound("52:54:00:7d:00:02"), {"average": "200"})
        self.assertEqual(inbound("52:54:00:7d:00:03"), {"average": "300"})
        # on the taps: 100, 200, 300 kB/s towards the guest; the slow portgroup's outbound on the IFB device
        self.assertIn("rate 800Kbit", tc("class", "show", "dev", taps["52:54:00:7d:00:01"]))
        self.assertIn("rate 400Kbit", tc("class", "show", "dev", "ifb-" + taps["52:54:00:7d:00:01"]))
        self.assertIn("rate 1600Kbit", tc("class", "show", "dev", taps["52:54:00:7d:00:02"]))
        self.assertIn("rate 2400Kbit", tc("class", "show", "dev", taps["52:54:00:7d:00:03"]))
        # the persistent definition keeps only what the user wrote
        inactive = self.w.virsh("dumpxml", "gd", "--inactive", check=True).stdout
        self.assertEqual(inactive.count("<bandwidth>"), 1)
        self.assertIn("portgroup='slow'", inactive)

        # the NIC's port (python3-libvirt) reports that bandwidth and takes a new one onto the tap
        import libvirt
        conn = libvirt.open(self.w.uri)
        try:
            net = conn.networkLookupByName("qos")
            ports = {ET.fromstring(p.XMLDesc()).find("mac").get("address"): p for p in net.listAllPorts()}
            port = ports["52:54:00:7d:00:01"]
            self.assertEqual(port.parameters()["inbound.average"], 100)
            self.assertEqual(port.parameters()["outbound.average"], 50)
            self.assertIn("<group>slow</group>", port.XMLDesc())
            port.setParameters({"inbound.average": 500, "inbound.peak": 600, "inbound.burst": 64})
            self.assertIn("rate 4Mbit ceil 4800Kbit burst 64Kb", tc("class", "show", "dev", taps["52:54:00:7d:00:01"]))
            got = port.parameters()
            self.assertEqual((got["inbound.average"], got["inbound.peak"], got["inbound.burst"]), (500, 600, 64))
            self.assertIn("inbound.average: 500", self.w.virsh("domiftune", "gd", "52:54:00:7d:00:01").stdout)
            # a floor the network cannot guarantee is refused, and nothing changes
            with self.assertRaises(libvirt.libvirtError) as cm:
                port.setParameters({"inbound.average": 500, "inbound.floor": 2100})
            self.assertIn("Cannot plug '52:54:00:7d:00:01' interface into 'virbr7' because new combined inbound "
                          "floor=2100 would overcommit peak=2000 on network 'qos'", str(cm.exception))
            self.assertEqual((port.parameters()["inbound.average"], port.parameters()["inbound.floor"]), (500, 0))
            self.assertNotIn("1:3 ", tc("class", "show", "dev", "virbr7"))
            # one it can is guaranteed on the bridge at once
            port.setParameters({"inbound.average": 500, "inbound.floor": 10})
            self.assertEqual(port.parameters()["inbound.floor"], 10)
            self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 80Kbit ceil 16Mbit", tc("class", "show", "dev", "virbr7"))
            self.assertEqual(FLOORS.read_text(), "floor-sum 10\nclass 3 52:54:00:7d:00:01 10 %s\n"
                             % taps["52:54:00:7d:00:01"])
            # a client's record plugs nothing, so nothing can be shaped
            rec = net.portCreateXML("<networkport><uuid>a1b2c3d4-0000-4000-8000-000000000001</uuid>"
                                    "<owner><name>x</name><uuid>a1b2c3d4-0000-4000-8000-000000000002</uuid></owner>"
                                    "<mac address='52:54:00:7e:00:01'/><plug type='network' bridge='virbr7'/>"
                                    "</networkport>")
            with self.assertRaises(libvirt.libvirtError) as cm:
                rec.setParameters({"inbound.average": 5})
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_SUPPORT)
            rec.delete()
        finally:
            conn.close()
        self.w.virsh("destroy", "gd", check=True)
        nh.wait_for(lambda: FLOORS.read_text() == "floor-sum 0\n", "gd's floor to go")

    def test_average_only(self):
        """Without an inbound peak the floors may add up to the average only (libvirt 9.0)."""
        xml = QOS_XML.replace("<name>qos</name>", "<name>qosavg</name>").replace("virbr7", "virbr6").replace(
            " peak='2000'", "").replace("192.168.157.1", "192.168.156.1")
        (self.w.tmp / "qosavg.xml").write_text(xml)
        self.w.virsh("net-define", str(self.w.tmp / "qosavg.xml"), check=True)
        self.w.virsh("net-start", "qosavg", check=True)
        self.define("favg1", [("52:54:00:7f:0a:01", "qosavg", 500)])
        self.define("favg2", [("52:54:00:7f:0a:02", "qosavg", 600)])
        self.w.virsh("start", "favg1", check=True)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 4Mbit", tc("class", "show", "dev", "virbr6"))
        p = self.w.virsh("start", "favg2")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Cannot plug '52:54:00:7f:0a:02' interface into 'virbr6' because new combined inbound "
                      "floor=1100 would overcommit average=1000 on network 'qosavg'", p.stderr)
        p = self.w.virsh("domiftune", "favg1", "52:54:00:7f:0a:01", "--inbound", "100,0,0,1100", "--live")
        self.assertIn("Cannot plug '52:54:00:7f:0a:01' interface into 'virbr6' because new combined inbound "
                      "floor=1100 would overcommit average=1000 on network 'qosavg'", p.stderr)
        self.w.virsh("destroy", "favg1", check=True)
        self.w.virsh("net-destroy", "qosavg", check=True)

    def test_live_floor(self):
        """virsh domiftune --live changes a running NIC's floor on its network, as libvirt 9.0."""
        self.qos_up()
        a, b = "52:54:00:7f:00:01", "52:54:00:7f:00:02"
        self.define("flive1", [(a, "qos", 300)])
        self.define("flive2", [(b, "qos", 500)])
        self.w.virsh("start", "flive1", check=True)
        self.w.virsh("start", "flive2", check=True)
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:4 parent 1:1 prio 0 rate 4Mbit ceil 16Mbit", classes)
        before = (classes, tc("filter", "show", "dev", "virbr7"), FLOORS.read_text())
        ta, tb = self.taps("flive1")[a], self.taps("flive2")[b]
        self.assertEqual(before[2], "floor-sum 800\nclass 3 %s 300 %s\nclass 4 %s 500 %s\n" % (a, ta, b, tb))

        # 1600 + 500 > the peak: refused with the start's text, and the bridge, the record and the NIC stay
        p = self.w.virsh("domiftune", "flive1", a, "--inbound", "100,200,0,1600", "--live")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Cannot plug '%s' interface into 'virbr7' because new combined inbound floor=2100 would "
                      "overcommit peak=2000 on network 'qos'" % a, p.stderr)
        self.assertEqual((tc("class", "show", "dev", "virbr7"), tc("filter", "show", "dev", "virbr7"),
                          FLOORS.read_text()), before)
        self.assertIn("inbound.floor  : 300", self.w.virsh("domiftune", "flive1", a, check=True).stdout)

        # 400 + 500 fits: the NIC's class and the shared 1:2 (2000 - 900 kB/s) change
        self.w.virsh("domiftune", "flive1", a, "--inbound", "100,200,0,400", "--live", check=True)
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 3200Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 8800Kbit ceil 16Mbit", classes)
        self.assertEqual(FLOORS.read_text(), "floor-sum 900\nclass 3 %s 400 %s\nclass 4 %s 500 %s\n" % (a, ta, b, tb))
        live = ET.fromstring(self.w.virsh("dumpxml", "flive1", check=True).stdout)
        self.assertEqual(live.find("./devices/interface/bandwidth/inbound").get("floor"), "400")
        self.assertIn("rate 800Kbit ceil 1600Kbit", tc("class", "show", "dev", live.find("./devices/interface/target").get("dev")))

        # no floor any more: its class goes, 1:2 gets its 400 kB/s back
        self.w.virsh("domiftune", "flive1", a, "--inbound", "100", "--live", check=True)
        classes = tc("class", "show", "dev", "virbr7")
        self.assertNotIn("1:3 ", classes)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 12Mbit ceil 16Mbit", classes)
        self.assertEqual(FLOORS.read_text(), "floor-sum 500\nclass 4 %s 500 %s\n" % (b, tb))

        # and a new one takes the free class again
        self.w.virsh("domiftune", "flive1", a, "--inbound", "100,200,0,200", "--live", check=True)
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 1600Kbit ceil 16Mbit", tc("class", "show", "dev", "virbr7"))
        self.assertIn("floor-sum 700\n", FLOORS.read_text())
        self.w.virsh("destroy", "flive1", check=True)
        self.w.virsh("destroy", "flive2", check=True)
        nh.wait_for(lambda: FLOORS.read_text() == "floor-sum 0\n", "the floors to go")

    def test_no_drift(self):
        """The reservations are the running guests' floors, whatever became of a start or a guest."""
        self.qos_up()
        # the floor is reserved, then the start fails (QEMU's command line refuses the model): released
        self.define("fdrift1", NIC.format(mac="52:54:00:7f:01:01", net="qos", floor=1500).replace(
            "<model type='virtio'/>", "<model type='bogus'/>"))
        p = self.w.virsh("start", "fdrift1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("interface model 'bogus' is not supported", p.stderr)
        self.assertEqual(FLOORS.read_text(), "floor-sum 0\n")
        self.assertNotIn("1:3 ", tc("class", "show", "dev", "virbr7"))
        # so a guest that needs that room fits
        self.define("fdrift2", [("52:54:00:7f:02:01", "qos", 1500)])
        self.w.virsh("start", "fdrift2", check=True)
        self.define("fdrift3", [("52:54:00:7f:03:01", "qos", 100)])
        self.w.virsh("start", "fdrift3", check=True)
        t2, t3 = self.taps("fdrift2")["52:54:00:7f:02:01"], self.taps("fdrift3")["52:54:00:7f:03:01"]
        self.assertEqual(FLOORS.read_text(), "floor-sum 1600\nclass 3 52:54:00:7f:02:01 1500 %s\n"
                                             "class 4 52:54:00:7f:03:01 100 %s\n" % (t2, t3))

        # while the daemon is away a guest is killed, and a start cut short left a reservation and a
        # class for a NIC of no guest: the restarted daemon keeps only the running guests' floors; a
        # record as an older daemon wrote it (no tap) is the running NIC's of its MAC
        self.w.kill9_virtbusd()
        pid = qemu_pid("fdrift2")
        os.kill(pid, 9)
        # reaped by init (the daemon was its parent): a zombie would still look alive
        nh.wait_for(lambda: not os.path.exists("/proc/%d" % pid), "fdrift2's QEMU to end", timeout=30)
        FLOORS.write_text(FLOORS.read_text().replace("floor-sum 1600", "floor-sum 1650").replace(" 100 " + t3, " 100")
                          + "class 9 52:54:00:7f:09:01 50\n")
        sh("tc", "class", "add", "dev", "virbr7", "parent", "1:1", "classid", "1:9", "htb", "rate", "400kbit")
        sh("tc", "filter", "add", "dev", "virbr7", "parent", "1:", "protocol", "all", "prio", "2", "handle", "800::809",
           "u32", "match", "u16", "0x5254", "0xffff", "at", "-14", "match", "u32", "0x007f0901", "0xffffffff", "at",
           "-12", "flowid", "1:9")
        self.w.restart_virtbusd()
        self.assertIn("shut off", self.w.virsh("domstate", "fdrift2").stdout)
        self.assertIn("running", self.w.virsh("domstate", "fdrift3").stdout)
        self.assertEqual(FLOORS.read_text(), "floor-sum 100\nclass 4 52:54:00:7f:03:01 100 %s\n" % t3)
        classes = tc("class", "show", "dev", "virbr7")
        self.assertNotIn("1:3 ", classes)
        self.assertNotIn("1:9 ", classes)
        self.assertNotIn("flowid 1:9", tc("filter", "show", "dev", "virbr7"))
        self.assertIn("class htb 1:4 parent 1:1 prio 0 rate 800Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 15200Kbit ceil 16Mbit", classes)
        self.w.virsh("start", "fdrift2", check=True)
        self.assertIn("floor-sum 1600\n", FLOORS.read_text())
        self.w.virsh("destroy", "fdrift2", check=True)
        self.w.virsh("destroy", "fdrift3", check=True)

    def test_same_mac(self):
        """Two NICs of one MAC on the network (two guests', or one guest's two) hold a floor each: one's
        change or end never overwrites or releases the other's, nor does a daemon restart merge them."""
        self.qos_up()
        m, m2 = "52:54:00:7f:0b:01", "52:54:00:7f:0b:02"
        self.define("fmac1", [(m, "qos", 300)])
        self.define("fmac2", [(m, "qos", 500)])
        self.define("fmac3", [(m2, "qos", 700), (m2, "qos", 400)])
        self.w.virsh("start", "fmac1", check=True)
        self.w.virsh("start", "fmac2", check=True)
        t1, t2 = self.taps("fmac1")[m], self.taps("fmac2")[m]
        self.assertEqual(FLOORS.read_text(), "floor-sum 800\nclass 3 %s 300 %s\nclass 4 %s 500 %s\n" % (m, t1, m, t2))
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:4 parent 1:1 prio 0 rate 4Mbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 9600Kbit ceil 16Mbit", classes)

        # both count: the second one's 1800 alone would fit the peak, with the first one's 300 not
        p = self.w.virsh("domiftune", "fmac2", m, "--inbound", "100,0,0,1800", "--live")
        self.assertIn("Cannot plug '%s' interface into 'virbr7' because new combined inbound floor=2100 would "
                      "overcommit peak=2000 on network 'qos'" % m, p.stderr)
        # one guest's two NICs of one MAC: a class each
        self.w.virsh("start", "fmac3", check=True)
        live3 = ET.fromstring(self.w.virsh("dumpxml", "fmac3", check=True).stdout)
        t3 = [n.find("target").get("dev") for n in live3.findall("./devices/interface")]
        self.assertEqual(FLOORS.read_text(), "floor-sum 1900\nclass 3 %s 300 %s\nclass 4 %s 500 %s\n"
                         "class 5 %s 700 %s\nclass 6 %s 400 %s\n" % (m, t1, m, t2, m2, t3[0], m2, t3[1]))
        self.w.virsh("destroy", "fmac3", check=True)
        nh.wait_for(lambda: "floor-sum 800\n" in FLOORS.read_text(), "fmac3's floors to go")
        self.assertNotIn(m2, FLOORS.read_text())

        # the second one's floor changes live: the first one's stays
        self.w.virsh("domiftune", "fmac2", m, "--inbound", "100,0,0,600", "--live", check=True)
        self.assertEqual(FLOORS.read_text(), "floor-sum 900\nclass 3 %s 300 %s\nclass 4 %s 600 %s\n" % (m, t1, m, t2))
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", tc("class", "show", "dev", "virbr7"))

        # a restarted daemon finds both again
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        self.assertEqual(sorted(FLOORS.read_text().splitlines()),
                         ["class 3 %s 300 %s" % (m, t1), "class 4 %s 600 %s" % (m, t2), "floor-sum 900"])
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:4 parent 1:1 prio 0 rate 4800Kbit ceil 16Mbit", classes)

        # the second one's end releases its own floor only
        self.w.virsh("destroy", "fmac2", check=True)
        nh.wait_for(lambda: "1:4 " not in tc("class", "show", "dev", "virbr7"), "fmac2's class to go", timeout=30)
        self.assertEqual(FLOORS.read_text(), "floor-sum 300\nclass 3 %s 300 %s\n" % (m, t1))
        classes = tc("class", "show", "dev", "virbr7")
        self.assertIn("class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit", classes)
        self.assertIn("class htb 1:2 parent 1:1 prio 0 rate 13600Kbit ceil 16Mbit", classes)
        self.w.virsh("destroy", "fmac1", check=True)
        nh.wait_for(lambda: FLOORS.read_text() == "floor-sum 0\n", "the floors to go")


if __name__ == "__main__":
    testmain.main()
