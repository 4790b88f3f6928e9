"""test_qemu_tune.py: <blkiotune> and <numatune> in a real TCG guest's cgroups, at start and live on both doors.

    /usr/bin/python3 tests/integration/test_qemu_tune.py -v

qemu:///session with qemu.conf's cgroup_controllers. A loop device (losetup on a sparse file in
the test's directory, detached at the end) gives a real major:minor for the per-device
throttles. Checked in the cgroup files themselves: blkio.throttle.* (v1) or io.max (v2), and
cpuset.mems for <numatune>; virsh blkiotune / numatune and the D-Bus door's
Get/SetBlockIOParameters and Get/SetNumaParameters read and change them. A weight on a host
whose I/O scheduler has none (this one: no blkio.weight nor blkio.bfq.weight) is refused with a
clear error, never pretended. Needs root.
"""

import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

CG = Path("/sys/fs/cgroup")
V2 = (CG / "cgroup.controllers").exists()
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  {blkiotune}
  <vcpu>1</vcpu>
  <numatune>
    <memory mode='strict' nodeset='0'/>
  </numatune>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def blkio_dir(group):
    return (CG / group) if V2 else (CG / "blkio" / group)


def weight_supported(group):
    d = blkio_dir(group)
    names = ("io.weight", "io.bfq.weight") if V2 else ("blkio.weight", "blkio.bfq.weight")
    return any((d / n).exists() for n in names)


class TuneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (cgroups, losetup)")
        for prog in ("qemu-system-x86_64", "losetup"):
            if not shutil.which(prog):
                raise unittest.SkipTest("%s is not installed" % prog)
        cls.image = guest.build()
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('# written by test_qemu_tune.py\n'
                                            'cgroup_controllers = [ "cpu", "cpuacct", "memory", "cpuset", "blkio" ]\n')
        backing = cls.daemon.tmp / "loop.img"
        with open(backing, "wb") as f:
            f.truncate(8 << 20)
        cls.loop = subprocess.run(["losetup", "-f", "--show", str(backing)], check=True, capture_output=True,
                                  text=True).stdout.strip()
        st = os.stat(cls.loop)
        cls.majmin = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        cls.name = "vbtune-%d" % os.getpid()
        cls.group = "machine.slice/virtbus-qemu-%s.scope" % cls.name
        try:
            cls.daemon.start()
        except Exception:
            subprocess.run(["losetup", "-d", cls.loop])
            raise

    @classmethod
    def tearDownClass(cls):
        for n in (cls.name, cls.name + "-w"):
            cls.daemon.virsh("unix", "destroy %s" % n)
        if cls.daemon.keep:
            print("kept %s" % cls.daemon.tmp, file=sys.stderr)
        cls.daemon.stop()
        subprocess.run(["losetup", "-d", cls.loop])

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def define(self, name, blkiotune):
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, blkiotune=blkiotune, kernel=self.image.kernel,
                                         initrd=self.image.initrd, append=self.image.append,
                                         console=self.daemon.tmp / ("%s.console" % name)))
        self.virsh("define %s" % xml)

    def throttle(self, what):
        """The group's limit for the loop device: what is read_bps, write_bps, read_iops, write_iops."""
        d = blkio_dir(self.group)
        if V2:
            for line in (d / "io.max").read_text().splitlines():
                if line.startswith(self.majmin + " "):
                    kv = dict(f.split("=") for f in line.split()[1:])
                    return kv[{"read_bps": "rbps", "write_bps": "wbps", "read_iops": "riops",
                               "write_iops": "wiops"}[what]]
            return None
        for line in (d / ("blkio.throttle.%s_device" % what)).read_text().splitlines():
            dev, value = line.split()
            if dev == self.majmin:
                return value
        return None

    def test_01_start_applies_throttles_and_nodes(self):
        """At start: the device's throttles in the blkio group, <numatune>'s nodes in cpuset.mems."""
        self.define(self.name, "<blkiotune><device><path>%s</path><read_bytes_sec>1048576</read_bytes_sec>"
                               "<write_iops_sec>300</write_iops_sec></device></blkiotune>" % self.loop)
        self.virsh("start %s" % self.name)
        self.assertEqual(self.throttle("read_bps"), "1048576")
        self.assertEqual(self.throttle("write_iops"), "300")
        mems = ((CG / self.group) if V2 else (CG / "cpuset" / self.group)) / "cpuset.mems"
        self.assertEqual(mems.read_text().strip(), "0")

    def test_02_virsh_blkiotune_live_and_config(self):
        """virsh blkiotune reads the settings and changes a throttle live (the cgroup file) and in the config."""
        out = self.virsh("blkiotune %s" % self.name).stdout
        self.assertRegex(out, r"device_read_bytes_sec:\s*%s,1048576\n" % self.loop)
        self.assertRegex(out, r"device_write_iops_sec:\s*%s,300\n" % self.loop)
        self.virsh("blkiotune %s --device-write-bytes-sec %s,2097152 --live" % (self.name, self.loop))
        self.assertEqual(self.throttle("write_bps"), "2097152")
        self.assertEqual(self.throttle("read_bps"), "1048576")
        self.assertIn("<write_bytes_sec>2097152</write_bytes_sec>", self.virsh("dumpxml %s" % self.name).stdout)
        self.assertNotIn("<write_bytes_sec>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.virsh("blkiotune %s --device-read-bytes-sec %s,0 --live" % (self.name, self.loop))
        self.assertIn(self.throttle("read_bps"), (None, "max"))      # lifted
        self.virsh("blkiotune %s --device-read-iops-sec %s,40 --config" % (self.name, self.loop))
        self.assertIn("<read_iops_sec>40</read_iops_sec>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        r = self.virsh("blkiotune %s --device-read-iops-sec /nonexistent,5 --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Path '/nonexistent' must be a block device", r.stderr)

    def test_03_weight_refused_where_the_host_has_none(self):
        """A weight: written where the I/O scheduler has weights, else refused live and at start, naming why."""
        if weight_supported(self.group):
            self.virsh("blkiotune %s --weight 500 --live" % self.name)
            return
        r = self.virsh("blkiotune %s --weight 500 --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("blkio weight is not supported on this host", r.stderr)
        self.assertRegex(self.virsh("blkiotune %s" % self.name).stdout, r"weight\s*: 0\n")
        name = self.name + "-w"
        self.define(name, "<blkiotune><weight>500</weight></blkiotune>")
        r = self.virsh("start %s" % name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("blkio weight is not supported on this host", r.stderr)
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "shut off")
        self.assertFalse(blkio_dir("machine.slice/virtbus-qemu-%s.scope" % name).exists())

    def test_04_virsh_numatune(self):
        """virsh numatune reads <numatune>, sets the nodes live, refuses a mode change and bad nodes."""
        out = self.virsh("numatune %s" % self.name).stdout
        self.assertRegex(out, r"numa_mode\s*: strict\n")
        self.assertRegex(out, r"numa_nodeset\s*: 0\n")
        self.virsh("numatune %s --nodeset 0 --live" % self.name)
        r = self.virsh("numatune %s --mode interleave --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("can't change numatune mode for running domain", r.stderr)
        r = self.virsh("numatune %s --nodeset 63 --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(self.virsh("numatune %s" % self.name).stdout, r"numa_nodeset\s*: 0\n")
        self.virsh("numatune %s --mode preferred --config" % self.name)
        self.assertIn("<memory mode='preferred' nodeset='0'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)

    def test_05_dbus(self):
        """The D-Bus door: Get/SetBlockIOParameters and Get/SetNumaParameters with strings in a{sv}."""
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        conn = dbus.Interface(bus.get_object(harness.BUS_NAME, lc.QEMU_PATH), harness.CONNECT)
        dom = dbus.Interface(bus.get_object(harness.BUS_NAME, conn.DomainLookupByName(self.name)), harness.DOMAIN)
        params = dom.GetBlockIOParameters(dbus.UInt32(1))
        self.assertEqual(str(params["device_write_iops_sec"]), "%s,300" % self.loop)
        dom.SetBlockIOParameters({"device_write_iops_sec": dbus.String("%s,123" % self.loop, variant_level=1)},
                                 dbus.UInt32(1))
        self.assertEqual(self.throttle("write_iops"), "123")
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            dom.SetBlockIOParameters({"bogus": dbus.UInt32(1, variant_level=1)}, dbus.UInt32(1))
        self.assertIn("parameter 'bogus' not supported", str(cm.exception))
        numa = dom.GetNumaParameters(dbus.UInt32(1))
        self.assertEqual(int(numa["numa_mode"]), 0)
        self.assertEqual(str(numa["numa_nodeset"]), "0")

    def test_06_gone_after_stop(self):
        """destroy removes the blkio group too."""
        d = blkio_dir(self.group)
        self.assertTrue(d.exists())
        self.virsh("destroy %s" % self.name)
        lc.wait_for("%s removed" % d, lambda: not d.exists(), 10)


if __name__ == "__main__":
    testmain.main()
