"""test_qemu_tuning2.py: more live settings of a real TCG guest (issue 13): blkdeviotune (a disk's <iotune>:
QMP block_set_io_throttle at start and live, the persistent definition with --config, libvirt's checks and
QEMU's own refusals passed on).

    /usr/bin/python3 tests/integration/test_qemu_tuning2.py -v

qemu:///session of a private daemon. Needs root.
"""

import os
import shutil
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

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
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
      <iotune>
        <read_iops_sec>500</read_iops_sec>
      </iotune>
    </disk>
  </devices>
</domain>
"""

# virsh blkdeviotune's lines: libvirt's typed parameters in the driver's order
IOTUNE_KEYS = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec", "read_iops_sec",
               "write_iops_sec", "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
               "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max", "size_iops_sec", "group_name",
               "total_bytes_sec_max_length", "read_bytes_sec_max_length", "write_bytes_sec_max_length",
               "total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length"]


class QemuTuning2Test(unittest.TestCase):
    name = "tuning2-guest"

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root")
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = lc.QemuDaemon()
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise
        cls.events, cls.bus_events = [], []
        cls.open_clients()
        cls.disk = cls.daemon.tmp / "disk.img"
        with open(cls.disk, "wb") as f:
            f.truncate(16 << 20)
        cls.xml_path = cls.daemon.tmp / "tuning2.xml"
        cls.xml_path.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                                  append=cls.image.append, disk=cls.disk))

    open_clients = classmethod(lc.QemuLifecycleTest.open_clients.__func__)
    close_clients = classmethod(lc.QemuLifecycleTest.close_clients.__func__)
    tearDownClass = classmethod(lc.QemuLifecycleTest.tearDownClass.__func__)
    virsh = lc.QemuLifecycleTest.virsh
    dom = lc.QemuLifecycleTest.dom
    dom_path = lc.QemuLifecycleTest.dom_path

    def virsh_fails(self, cmd, message):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(message, p.stderr)

    def iotune(self, args=""):
        out = {}
        for line in self.virsh("blkdeviotune %s vda %s" % (self.name, args)).stdout.splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                out[key.strip()] = value.strip()
        return out

    def xml_iotune(self, inactive):
        xml = ET.fromstring(self.virsh("dumpxml %s%s" % ("--inactive " if inactive else "", self.name)).stdout)
        node = xml.find("devices/disk/iotune")
        return None if node is None else [(c.tag, c.text) for c in node]

    def test_01_blkdeviotune_config_and_start(self):
        self.virsh("define %s" % self.xml_path)
        got = self.iotune("--config")
        self.assertEqual(list(got), IOTUNE_KEYS)
        self.assertEqual(got["read_iops_sec"], "500")
        self.assertEqual(got["total_bytes_sec"], "0")
        self.virsh_fails("blkdeviotune %s vda --live" % self.name, "domain is not running")
        # an inactive guest's change goes to its definition
        self.virsh("blkdeviotune %s vda --write-bytes-sec 65536" % self.name)
        self.assertEqual(self.xml_iotune(True), [("write_bytes_sec", "65536"), ("read_iops_sec", "500")])
        # QEMU is told before the guest runs: limits it refuses (a burst below the average) fail the start
        self.virsh("blkdeviotune %s vda --write-bytes-sec 65536 --write-bytes-sec-max 1024" % self.name)
        p = self.virsh("start %s" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot set the disk I/O limits", p.stderr)
        self.assertIn("bps_max", p.stderr)
        self.assertEqual(self.virsh("domstate %s" % self.name).stdout.strip(), "shut off")
        # a paused start too: the guest never runs, but QEMU's refusal still fails it
        p = self.virsh("start --paused %s" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot set the disk I/O limits", p.stderr)
        self.assertEqual(self.virsh("domstate %s" % self.name).stdout.strip(), "shut off")
        self.virsh("blkdeviotune %s vda --write-bytes-sec 65536 --write-bytes-sec-max 0" % self.name)
        self.virsh("start %s" % self.name)
        got = self.iotune()
        self.assertEqual(got["read_iops_sec"], "500")
        self.assertEqual(got["write_bytes_sec"], "65536")

    def test_02_live_change(self):
        self.virsh("blkdeviotune %s vda --total-bytes-sec 10000000 --total-iops-sec 1000 --total-iops-sec-max 2000 "
                   "--total-iops-sec-max-length 4 --size-iops-sec 8192 --group-name grp1 --live" % self.name)
        got = self.iotune()
        self.assertEqual((got["total_bytes_sec"], got["total_iops_sec"], got["total_iops_sec_max"],
                          got["total_iops_sec_max_length"], got["size_iops_sec"], got["group_name"]),
                         ("10000000", "1000", "2000", "4", "8192", "grp1"))
        # naming total_iops_sec replaced the read/write iops values, as libvirt does
        self.assertEqual(got["read_iops_sec"], "0")
        self.assertEqual(got["write_bytes_sec"], "0")
        self.assertEqual(self.xml_iotune(False), [
            ("total_bytes_sec", "10000000"), ("total_iops_sec", "1000"), ("total_iops_sec_max", "2000"),
            ("size_iops_sec", "8192"), ("group_name", "grp1"), ("total_iops_sec_max_length", "4")])
        # the persistent definition kept its own values
        self.assertEqual(self.xml_iotune(True), [("write_bytes_sec", "65536"), ("read_iops_sec", "500")])
        self.assertEqual(self.iotune("--config")["read_iops_sec"], "500")

    def test_03_qemu_refusal_changes_nothing(self):
        # a burst below the average: libvirt leaves this check to QEMU, whose reason reaches the client
        p = self.virsh("blkdeviotune %s vda --total-bytes-sec 10000000 --total-bytes-sec-max 10" % self.name,
                       check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("bps_max", p.stderr)
        self.assertEqual(self.iotune()["total_bytes_sec_max"], "0")
        self.assertEqual(self.iotune()["total_bytes_sec"], "10000000")

    def test_04_libvirt_checks(self):
        self.virsh_fails("blkdeviotune %s vda --total-bytes-sec 1 --read-bytes-sec 1" % self.name,
                         "invalid argument: total and read/write of bytes_sec cannot be set at the same time")
        self.virsh_fails("blkdeviotune %s vda --read-bytes-sec-max 5" % self.name,
                         "value 'read_bytes_sec_max' cannot be set if 'read_bytes_sec' is not set")
        # naming write_iops_sec_max replaces its group and leaves the burst length without a burst
        self.virsh_fails("blkdeviotune %s vda --write-iops-sec-max 5" % self.name,
                         "value 'total_iops_sec_max_length' cannot be set if 'total_iops_sec_max' is not set")
        self.virsh_fails("blkdeviotune %s vda --total-bytes-sec 1000000000000001" % self.name,
                         "block I/O throttle limit value must be no more than 1000000000000000")
        self.virsh_fails("blkdeviotune %s vdz --total-bytes-sec 1" % self.name, "disk 'vdz' not found in domain")
        self.virsh_fails("blkdeviotune %s vdz" % self.name, "disk 'vdz' was not found in the domain config")
        self.assertEqual(self.iotune()["total_bytes_sec"], "10000000")
        # domlaunchsecinfo: the guest has no launch security (AMD SEV): nothing, as libvirt's QEMU driver
        self.assertEqual(self.virsh("domlaunchsecinfo %s" % self.name).stdout.strip(), "")

    def test_05_python_live_and_config(self):
        lv = self.libvirt
        dom = self.dom()
        # (libvirt's client refuses LIVE | CONFIG for this call: one at a time)
        for flag in (lv.VIR_DOMAIN_AFFECT_LIVE, lv.VIR_DOMAIN_AFFECT_CONFIG):
            dom.setBlockIoTune("vda", {"read_bytes_sec": 3000000, "write_bytes_sec": 2000000}, flag)
        for flag in (lv.VIR_DOMAIN_AFFECT_LIVE, lv.VIR_DOMAIN_AFFECT_CONFIG):
            got = dom.blockIoTune("vda", flag)
            self.assertEqual((got["read_bytes_sec"], got["write_bytes_sec"], got["total_bytes_sec"]),
                             (3000000, 2000000, 0))
        self.assertEqual(dom.blockIoTune("vda", lv.VIR_DOMAIN_AFFECT_CONFIG)["read_iops_sec"], 500)
        self.assertEqual(dom.blockIoTune("vda", lv.VIR_DOMAIN_AFFECT_LIVE)["total_iops_sec"], 1000)
        # all off: no <iotune> left in the running definition
        dom.setBlockIoTune("vda", {k: 0 for k in IOTUNE_KEYS if k != "group_name"}, lv.VIR_DOMAIN_AFFECT_LIVE)
        dom.setBlockIoTune("vda", {"group_name": ""}, lv.VIR_DOMAIN_AFFECT_LIVE)
        self.assertIsNone(self.xml_iotune(False))

    def test_06_dbus(self):
        """Domain.SetBlockIOTune / GetBlockIOTune reach the same verbs: the running guest's limits
        change through QEMU and read back, on D-Bus and through virsh."""
        import dbus
        obj = dbus.Interface(self.bus.get_object(lc.harness.BUS_NAME, self.dom_path()), lc.harness.DOMAIN)
        live = dbus.UInt32(self.libvirt.VIR_DOMAIN_AFFECT_LIVE)
        obj.SetBlockIOTune("vda", dbus.Dictionary({"read_bytes_sec": dbus.UInt64(4000000),
                                                   "write_iops_sec": dbus.UInt64(300)}, signature="sv"), live)
        got = obj.GetBlockIOTune("vda", live)
        self.assertEqual((int(got["read_bytes_sec"]), int(got["write_iops_sec"]), int(got["total_bytes_sec"])),
                         (4000000, 300, 0))
        self.assertEqual(self.iotune()["read_bytes_sec"], "4000000")
        # refused by libvirt's checks: the message names the problem and nothing changes
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            obj.SetBlockIOTune("vda", dbus.Dictionary({"total_bytes_sec": dbus.UInt64(1),
                                                       "read_bytes_sec": dbus.UInt64(1)}, signature="sv"), live)
        self.assertIn("total and read/write of bytes_sec cannot be set at the same time", str(cm.exception))
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            obj.GetBlockIOTune("vdz", live)
        self.assertIn("disk 'vdz' was not found in the domain config", str(cm.exception))
        self.assertEqual(self.iotune()["read_bytes_sec"], "4000000")

    def test_99_destroy(self):
        self.virsh("destroy %s" % self.name)
        self.virsh("undefine %s" % self.name)


if __name__ == "__main__":
    testmain.main()
