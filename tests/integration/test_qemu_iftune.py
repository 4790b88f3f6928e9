#!/usr/bin/python3
"""test_qemu_iftune.py: a running TCG guest's NIC bandwidth (virsh domiftune, python3-libvirt, D-Bus
Set/GetInterfaceParameters) on `virtbusd --system`, in private mount and network namespaces (net_harness).

The definition's <bandwidth> shapes the tap at start; domiftune --live changes it: the tap's egress (inbound,
host to guest) gets an htb class, its ingress (outbound, guest to host) is redirected to the IFB device
ifb-<tap> that has one (a macvtap of type direct the other way round); `tc` in the test's namespace reads them
back. 0 removes them, --config persists into
the definition and applies at the next start, a floor and unknown interfaces are refused with libvirt's texts
and change nothing. The guest need not boot: the tap is the host's."""

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
from test_nic_host import own_sysfs  # noqa: E402  (only the function: its tests stay out of this suite)
from test_qemu_lifecycle import wait_for  # noqa: E402

NAME = "shaped"
MAC = "52:54:00:79:00:01"
MAC_DIRECT = "52:54:00:79:00:03"
MAC_USER = "52:54:00:79:00:04"      # no host device: its <bandwidth> is kept, not applied, as libvirt's
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <interface type='network'>
      <mac address='{mac}'/>
      <source network='default'/>
      <bandwidth>
        <inbound average='1000' peak='2000' burst='256'/>
      </bandwidth>
      <model type='virtio'/>
    </interface>
    <interface type='direct'>
      <mac address='{mac_direct}'/>
      <source dev='lowi' mode='bridge'/>
      <bandwidth>
        <inbound average='40'/>
        <outbound average='30' peak='60'/>
      </bandwidth>
      <model type='virtio'/>
    </interface>
    <interface type='user'>
      <mac address='{mac_user}'/>
      <bandwidth><inbound average='10'/></bandwidth>
      <model type='virtio'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
"""
ZERO = {"inbound.average": 0, "inbound.peak": 0, "inbound.burst": 0, "inbound.floor": 0,
        "outbound.average": 0, "outbound.peak": 0, "outbound.burst": 0}


def tc(*args):
    return sh("tc", *args).stdout


class QemuIftuneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()
        cls.image = cls.w.guest_image()
        (cls.w.tmp / "default.xml").write_text(nh.DEFAULT_XML)
        cls.w.virsh("net-define", str(cls.w.tmp / "default.xml"), check=True)
        cls.w.virsh("net-start", "default", check=True)
        xml = cls.w.tmp / "guest.xml"
        own_sysfs()     # the daemon opens the macvtap through this namespace's /sys
        sh("ip", "link", "add", "lowi", "type", "veth", "peer", "name", "peeri")
        sh("ip", "link", "set", "lowi", "up")
        xml.write_text(DOMAIN_XML.format(name=NAME, mac=MAC, mac_direct=MAC_DIRECT, mac_user=MAC_USER, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append))
        cls.w.virsh("define", str(xml), check=True)
        cls.w.virsh("start", NAME, check=True)

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def refused(self, *cmd):
        p = self.w.virsh(*cmd)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        return p.stderr

    def tap(self):
        target = ET.fromstring(self.virsh("dumpxml", NAME)).find("./devices/interface/target")
        self.assertIsNotNone(target)
        return target.get("dev")

    def host_dev(self, mac):
        for nic in ET.fromstring(self.virsh("dumpxml", NAME)).findall("./devices/interface"):
            if nic.find("mac").get("address") == mac:
                return nic.find("target").get("dev")
        self.fail("no interface %s" % mac)

    def bandwidth(self, *flags):
        """The <bandwidth> of the NIC in dumpxml FLAGS: {direction: {attribute: value}}."""
        nic = ET.fromstring(self.virsh("dumpxml", NAME, *flags)).find("./devices/interface")
        bw = nic.find("bandwidth")
        return {} if bw is None else {e.tag: dict(e.attrib) for e in bw}

    def domiftune(self, dev, *flags):
        """virsh domiftune's table as {name: value}."""
        out = {}
        for line in self.virsh("domiftune", NAME, dev, *flags).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = int(v)
        return out

    def assert_shaped(self, tap, inbound, outbound):
        """inbound / outbound: tc's "rate … ceil … burst …" text, or None for no shaping."""
        qdisc, cls = tc("qdisc", "show", "dev", tap), tc("class", "show", "dev", tap)
        ifb = "ifb-" + tap
        if inbound:
            self.assertIn("qdisc htb 1: root", qdisc)
            self.assertIn(inbound, cls)
        else:
            self.assertNotIn("htb", qdisc)
        if outbound:
            self.assertIn("qdisc ingress ffff:", qdisc)
            self.assertIn("Egress Redirect to device %s" % ifb, tc("filter", "show", "dev", tap, "parent", "ffff:"))
            self.assertIn(outbound, tc("class", "show", "dev", ifb))
        else:
            self.assertNotIn("ingress", qdisc)
            self.assertFalse(nh.link_exists(ifb))

    def test_1_definition_applied_at_start(self):
        tap = self.tap()
        self.assert_shaped(tap, "rate 8Mbit ceil 16Mbit burst 256Kb", None)
        self.assertEqual(self.domiftune(tap), dict(ZERO, **{"inbound.average": 1000, "inbound.peak": 2000,
                                                            "inbound.burst": 256}))

    def test_2_live_change_and_read_back(self):
        tap = self.tap()
        self.virsh("domiftune", NAME, tap, "--live", "--inbound", "100,200,300", "--outbound", "10,20,30")
        self.assert_shaped(tap, "rate 800Kbit ceil 1600Kbit burst 300Kb", "rate 80Kbit ceil 160Kbit burst 30Kb")
        want = {"inbound.average": 100, "inbound.peak": 200, "inbound.burst": 300, "inbound.floor": 0,
                "outbound.average": 10, "outbound.peak": 20, "outbound.burst": 30}
        self.assertEqual(self.domiftune(tap), want)
        self.assertEqual(self.bandwidth(), {"inbound": {"average": "100", "peak": "200", "burst": "300"},
                                            "outbound": {"average": "10", "peak": "20", "burst": "30"}})
        # the persistent definition is untouched
        self.assertEqual(self.bandwidth("--inactive"), {"inbound": {"average": "1000", "peak": "2000",
                                                                    "burst": "256"}})
        import libvirt
        conn = libvirt.open(self.w.uri)
        try:
            dom = conn.lookupByName(NAME)
            self.assertEqual(dom.interfaceParameters(MAC, libvirt.VIR_DOMAIN_AFFECT_LIVE), want)
            # outbound alone: inbound stays as it is
            dom.setInterfaceParameters(MAC, {"outbound.average": 50}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        finally:
            conn.close()
        self.assert_shaped(tap, "rate 800Kbit ceil 1600Kbit burst 300Kb", "rate 400Kbit ceil 400Kbit")

    def test_3_refusals_change_nothing(self):
        tap = self.tap()
        before = self.bandwidth()
        self.assertIn("error: invalid argument: 'vnet99' is not a known interface",
                      self.refused("domiftune", NAME, "vnet99", "--inbound", "5"))
        self.assertIn("error: invalid argument: '52:54:00:79:00:99' is not a known interface",
                      self.refused("domiftune", NAME, "52:54:00:79:00:99"))
        # a floor needs a network with inbound QoS
        self.assertIn("Invalid use of 'floor' on interface with MAC address %s - network 'default' has no inbound "
                      "QoS set" % MAC, self.refused("domiftune", NAME, tap, "--live", "--inbound", "100,0,0,50"))
        # the live name of the tap is not in the persistent definition
        self.assertIn("error: invalid argument: '%s' is not a known interface" % tap,
                      self.refused("domiftune", NAME, tap, "--config", "--inbound", "5"))
        self.assertIn("error: unsupported configuration: setting bandwidth on interfaces of type 'user' is not "
                      "implemented yet", self.refused("domiftune", NAME, MAC_USER, "--live", "--inbound", "5"))
        self.assertEqual(self.domiftune(MAC_USER)["inbound.average"], 10)
        self.assertIn("error: field 'average' is malformed", self.refused("domiftune", NAME, tap, "--inbound", "x"))
        self.assertEqual(self.bandwidth(), before)
        self.assert_shaped(tap, "rate 800Kbit ceil 1600Kbit burst 300Kb", "rate 400Kbit ceil 400Kbit")

    def test_4_dbus(self):
        import dbus
        bus = dbus.bus.BusConnection("unix:path=/run/dbus/system_bus_socket")
        try:
            uuid = self.virsh("domuuid", NAME).strip()
            dom = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU/domain/_" + uuid.replace("-", "_")),
                                 "org.libvirt.Domain")
            tap = self.tap()
            dom.SetInterfaceParameters(tap, {"inbound.average": dbus.UInt32(2000), "inbound.burst": dbus.UInt32(64)},
                                       1)
            got = {str(k): int(v) for k, v in dom.GetInterfaceParameters(MAC, 1).items()}
            self.assertEqual(got["inbound.average"], 2000)
            self.assertEqual(got["outbound.average"], 50)
            self.assert_shaped(tap, "rate 16Mbit ceil 16Mbit burst 64Kb", "rate 400Kbit ceil 400Kbit")
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                dom.SetInterfaceParameters(tap, {"inbound.speed": dbus.UInt32(1)}, 1)
            self.assertEqual(cm.exception.get_dbus_message(),
                             "argument unsupported: parameter 'inbound.speed' not supported")
        finally:
            bus.close()

    def test_5_zero_removes(self):
        tap = self.tap()
        self.virsh("domiftune", NAME, tap, "--live", "--inbound", "0", "--outbound", "0")
        self.assert_shaped(tap, None, None)
        self.assertEqual(self.domiftune(tap), ZERO)
        self.assertEqual(self.bandwidth(), {})

    def test_6_config_persists_and_applies_at_next_start(self):
        tap = self.tap()
        self.virsh("domiftune", NAME, MAC, "--config", "--inbound", "0", "--outbound", "500,0,64")
        self.assertEqual(self.bandwidth("--inactive"), {"outbound": {"average": "500", "burst": "64"}})
        self.assertEqual(self.domiftune(MAC, "--config"), dict(ZERO, **{"outbound.average": 500,
                                                                        "outbound.burst": 64}))
        self.assert_shaped(tap, None, None)         # the running guest is left alone
        self.virsh("domiftune", NAME, MAC, "--live", "--outbound", "7")
        self.assertTrue(nh.link_exists("ifb-" + tap))
        macvtap = self.host_dev(MAC_DIRECT)
        self.assertTrue(nh.link_exists("ifb-" + macvtap))
        self.virsh("destroy", NAME)
        for dev in (tap, macvtap):
            wait_for("the IFB device of %s deleted" % dev, lambda: not nh.link_exists("ifb-" + dev), 30)
        self.virsh("start", NAME)
        tap = self.tap()
        self.assert_shaped(tap, None, "rate 4Mbit ceil 4Mbit burst 64Kb")
        self.assertEqual(self.domiftune(tap)["outbound.average"], 500)

    def test_7_hotplugged_nic_is_shaped(self):
        mac = "52:54:00:79:00:02"
        f = self.w.tmp / "nic.xml"
        f.write_text("<interface type='network'><mac address='%s'/><source network='default'/><model type='virtio'/>"
                     "<bandwidth><inbound average='300'/><outbound average='20' burst='8'/></bandwidth></interface>"
                     % mac)
        self.virsh("attach-device", NAME, str(f), "--live")
        tap = self.host_dev(mac)
        self.assert_shaped(tap, "rate 2400Kbit ceil 2400Kbit", "rate 160Kbit ceil 160Kbit burst 8Kb")
        self.assertEqual(self.domiftune(mac)["outbound.burst"], 8)

    def test_8_direct_nic_the_other_way_round(self):
        # a macvtap shares the guest's view: outbound is its egress, inbound its ingress
        dev = self.host_dev(MAC_DIRECT)
        self.assertTrue(dev.startswith("macvtap"), dev)
        self.assert_shaped(dev, "rate 240Kbit ceil 480Kbit", "rate 320Kbit ceil 320Kbit")
        self.virsh("domiftune", NAME, MAC_DIRECT, "--live", "--outbound", "0")
        self.assert_shaped(dev, None, "rate 320Kbit ceil 320Kbit")
        self.assertEqual(self.domiftune(MAC_DIRECT), dict(ZERO, **{"inbound.average": 40}))

    def test_9_live_setting_survives_a_daemon_restart(self):
        tap = self.tap()
        self.virsh("domiftune", NAME, tap, "--live", "--inbound", "600", "--outbound", "70")
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        self.assertEqual(self.domiftune(tap), dict(ZERO, **{"inbound.average": 600, "outbound.average": 70}))
        self.assert_shaped(tap, "rate 4800Kbit ceil 4800Kbit", "rate 560Kbit ceil 560Kbit")
        self.virsh("destroy", NAME)
        wait_for("the IFB device of %s deleted" % tap, lambda: not nh.link_exists("ifb-" + tap), 30)


if __name__ == "__main__":
    testmain.main()
