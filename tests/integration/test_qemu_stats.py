"""test_qemu_stats.py: a real QEMU guest's live values on both doors: balloon (SetMemory), stats, vCPUs, pty paths.

    /usr/bin/python3 tests/integration/test_qemu_stats.py -v

Reuses test_qemu_lifecycle.py's daemon (virtbusd --session, a private bus, the libvirt unix
socket) and guest image; one guest with a virtio balloon, two vCPUs, a raw disk and a serial
console on a pty. Skips when qemu-system-x86_64 is missing.
"""

import os
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
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
    </disk>
    <interface type='user'><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""

# `virsh domstats` of libvirtd 9.0 for this guest (2 vCPUs, one raw disk, one user NIC, a
# virtio balloon without a stats period, TCG, no cgroup), recorded from a run beside it
LIBVIRT_KEYS = (["state.state", "state.reason",
                 "cpu.time", "cpu.user", "cpu.system", "cpu.cache.monitor.count",
                 "cpu.haltpoll.success.time", "cpu.haltpoll.fail.time",
                 "balloon.current", "balloon.maximum", "balloon.last-update", "balloon.rss",
                 "vcpu.current", "vcpu.maximum"] +
                ["vcpu.%d.%s" % (i, k) for i in (0, 1) for k in ("state", "time", "wait", "delay")] +
                ["net.count",
                 "block.count", "block.0.name", "block.0.path", "block.0.backingIndex"] +
                ["block.0.%s.%s" % (op, k) for op, ks in (("rd", ("reqs", "bytes", "times")),
                                                          ("wr", ("reqs", "bytes", "times")),
                                                          ("fl", ("reqs", "times"))) for k in ks] +
                ["block.0.allocation", "block.0.capacity", "block.0.physical",
                 "dirtyrate.calc_status", "dirtyrate.calc_start_time", "dirtyrate.calc_period",
                 "dirtyrate.calc_mode"])

# virDomainStatsTypes
STATS_STATE, STATS_BALLOON, STATS_VCPU, STATS_BLOCK = 1, 4, 8, 32


class QemuStatsTest(unittest.TestCase):
    name = "stats-guest"

    @classmethod
    def setUpClass(cls):
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
        xml_path = cls.daemon.tmp / "stats.xml"
        xml_path.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                              append=cls.image.append, disk=cls.disk))
        cls.xml_path = xml_path

    open_clients = classmethod(lc.QemuLifecycleTest.open_clients.__func__)
    close_clients = classmethod(lc.QemuLifecycleTest.close_clients.__func__)
    tearDownClass = classmethod(lc.QemuLifecycleTest.tearDownClass.__func__)
    virsh = lc.QemuLifecycleTest.virsh
    dom = lc.QemuLifecycleTest.dom
    dom_path = lc.QemuLifecycleTest.dom_path
    busctl_domain = lc.QemuLifecycleTest.busctl_domain

    def bus_dom(self):
        return self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, self.dom_path()), harness.DOMAIN)

    def test_01_start_pty_in_live_xml(self):
        self.virsh("define %s" % self.xml_path)
        # inactive: stats from the definition, no vCPU times
        st = self.bus_dom().GetStats(self.dbus.UInt32(STATS_STATE | STATS_VCPU), self.dbus.UInt32(0))
        self.assertEqual(int(st["state.state"]), 5)
        self.assertNotIn("vcpu.0.time", st)
        self.virsh("start %s" % self.name)
        live = ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)
        src = live.find("devices/serial/source")
        self.assertIsNotNone(src, "no <source> in the live <serial>")
        pts = src.get("path")
        self.assertTrue(pts.startswith("/dev/pts/"), pts)
        self.assertTrue(os.path.exists(pts), pts)
        console = live.find("devices/console")
        self.assertEqual(console.get("tty"), pts)
        self.assertEqual(console.find("source").get("path"), pts)
        # the inactive definition has no pty path
        inactive = ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.assertIsNone(inactive.find("devices/serial/source"))
        # D-Bus shows the same running definition
        self.assertIn("path='%s'" % pts, self.bus_dom().GetXMLDesc(self.dbus.UInt32(0)).replace('"', "'"))

    def test_02_vcpus(self):
        self.assertEqual(self.virsh("vcpucount --live --active %s" % self.name).stdout.strip(), "2")
        self.assertEqual(self.virsh("vcpucount --maximum --config %s" % self.name).stdout.strip(), "2")
        self.assertEqual(int(self.bus_dom().GetVcpus(self.dbus.UInt32(0))), 2)
        self.assertEqual(int(self.bus_dom().GetVcpus(self.dbus.UInt32(4))), 2)

    def test_03_setmem_virsh(self):
        self.virsh("setmem %s 200M" % self.name)                  # virDomainSetMemory (proc 31)
        self.assertEqual(self.dom().info()[2], 200 * 1024)
        live = ET.fromstring(self.dom().XMLDesc(0))
        self.assertEqual(int(live.find("currentMemory").text), 200 * 1024)
        self.virsh("setmem --live %s 192M" % self.name)           # virDomainSetMemoryFlags (proc 204)
        self.assertEqual(self.dom().info()[2], 192 * 1024)
        p = self.virsh("setmem --live %s 512M" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot set memory higher than max memory", p.stderr)
        # --config changes the persistent <currentMemory> only
        self.virsh("setmem --config %s 128M" % self.name)
        inactive = ET.fromstring(self.dom().XMLDesc(self.libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual(int(inactive.find("currentMemory").text), 128 * 1024)
        self.assertEqual(self.dom().info()[2], 192 * 1024)

    def test_04_setmem_dbus(self):
        self.bus_dom().SetMemory(self.dbus.UInt64(180 * 1024), self.dbus.UInt32(1))
        self.assertEqual(self.dom().info()[2], 180 * 1024)
        with self.assertRaises(self.dbus.exceptions.DBusException) as cm:
            self.bus_dom().SetMemory(self.dbus.UInt64(1 << 30), self.dbus.UInt32(0))
        self.assertEqual(cm.exception.get_dbus_name(), "org.libvirt.Error")
        self.assertIn("cannot set memory higher than max memory", cm.exception.get_dbus_message())
        self.busctl_domain("SetMemory", "tu", str(176 * 1024), "0")
        self.assertEqual(self.dom().info()[2], 176 * 1024)

    def test_05_get_stats_dbus(self):
        st = self.bus_dom().GetStats(self.dbus.UInt32(STATS_STATE | STATS_BALLOON | STATS_VCPU | STATS_BLOCK),
                                     self.dbus.UInt32(0))
        for key, v in st.items():       # libvirt-dbus double-wraps every value (cockpit checks)
            self.assertEqual(v.variant_level, 2, key)
        self.assertEqual(int(st["state.state"]), 1)
        self.assertEqual(int(st["state.reason"]), 1)
        self.assertEqual(int(st["balloon.current"]), 176 * 1024)
        self.assertEqual(int(st["balloon.maximum"]), 256 * 1024)
        self.assertEqual(int(st["vcpu.current"]), 2)
        self.assertEqual(int(st["vcpu.maximum"]), 2)
        for i in (0, 1):
            self.assertEqual(int(st["vcpu.%d.state" % i]), 1)
            self.assertIn("vcpu.%d.time" % i, st)
        self.assertGreater(int(st["vcpu.0.time"]), 0)          # the guest's kernel has been running
        self.assertEqual(int(st["block.count"]), 1)
        self.assertEqual(str(st["block.0.name"]), "vda")
        self.assertEqual(str(st["block.0.path"]), str(self.disk))
        self.assertEqual(int(st["block.0.capacity"]), 16 << 20)
        self.assertEqual(int(st["block.0.physical"]), 16 << 20)
        self.assertIn("block.0.allocation", st)
        # the wire shape, as gdbus prints it: <<value>>
        p = subprocess.run(["gdbus", "call", "--address", self.daemon.bus_address, "--dest", harness.BUS_NAME,
                            "--object-path", self.dom_path(), "--method", harness.DOMAIN + ".GetStats", "1", "0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("'state.state': <<1>>", p.stdout)
        # only the groups asked for
        st = self.bus_dom().GetStats(self.dbus.UInt32(STATS_BALLOON), self.dbus.UInt32(0))
        self.assertEqual(sorted(st.keys()), ["balloon.current", "balloon.last-update", "balloon.maximum", "balloon.rss"])

    def test_06_domstats_remote(self):
        out = self.virsh("domstats --state --balloon --vcpu --block %s" % self.name).stdout
        for line in ("state.state=1", "balloon.current=%d" % (176 * 1024), "balloon.maximum=%d" % (256 * 1024),
                     "vcpu.current=2", "vcpu.maximum=2", "vcpu.1.state=1", "block.count=1", "block.0.name=vda",
                     "block.0.capacity=%d" % (16 << 20)):
            self.assertIn("  " + line + "\n", out)
        self.assertIn("vcpu.0.time=", out)
        records = self.conn.getAllDomainStats(self.libvirt.VIR_DOMAIN_STATS_VCPU)
        self.assertEqual([r[0].name() for r in records], [self.name])
        self.assertGreater(records[0][1]["vcpu.0.time"], 0)

    def test_06b_domstats_all_groups(self):
        # libvirtd 9.0 on the same guest (session daemon, no cgroup, TCG, a user NIC) prints
        # exactly these keys for `virsh domstats`, in this order (tests/bench/domstats_bench.py
        # --keys shows them side by side)
        out = self.virsh("domstats %s" % self.name).stdout
        keys = [line.strip().split("=", 1)[0] for line in out.splitlines()[1:] if "=" in line]
        self.assertEqual(keys, LIBVIRT_KEYS)
        values = dict(line.strip().split("=", 1) for line in out.splitlines()[1:] if "=" in line)
        self.assertGreater(int(values["cpu.time"]), 0)
        self.assertEqual(int(values["cpu.time"]), int(values["cpu.user"]) + int(values["cpu.system"]))
        self.assertGreater(int(values["balloon.rss"]), 1024)
        self.assertEqual(values["balloon.last-update"], "0")           # no <stats period>: nothing polled
        # query-blockstats' counters (this guest does no disk I/O of its own: all 0 here)
        for k in ("rd.reqs", "rd.bytes", "rd.times", "wr.reqs", "wr.bytes", "wr.times", "fl.reqs", "fl.times"):
            self.assertGreaterEqual(int(values["block.0." + k]), 0)
        self.assertEqual(values["block.0.allocation"], "0")            # nothing written: wr_highest_offset
        for i in (0, 1):
            self.assertGreater(int(values["vcpu.%d.delay" % i]), 0)     # schedstat's run delay
        self.assertEqual(values["dirtyrate.calc_mode"], "page-sampling")
        # the same record on D-Bus (Connect.GetAllDomainStats, Domain.GetStats)
        conn = self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, "/org/libvirt/QEMU"), harness.CONNECT)
        recs = conn.GetAllDomainStats(self.dbus.UInt32(0), self.dbus.UInt32(0))
        self.assertEqual(len(recs), 1)
        self.assertEqual(sorted(recs[0][1].keys()), sorted(LIBVIRT_KEYS))
        st = self.bus_dom().GetStats(self.dbus.UInt32(0), self.dbus.UInt32(0))
        self.assertEqual(sorted(st.keys()), sorted(LIBVIRT_KEYS))
        self.assertEqual(str(st["dirtyrate.calc_mode"]), "page-sampling")
        # python3-libvirt's types: ullong counters, uint counts
        rec = self.dom().connect().domainListGetStats([self.dom()], 0)[0][1]
        self.assertIsInstance(rec["block.0.wr.bytes"], int)
        self.assertEqual(rec["net.count"], 1)
        self.assertEqual(rec["block.0.backingIndex"], 1)

    def test_06c_domain_info(self):
        # virsh vcpuinfo (virDomainGetVcpus): the vCPU threads' CPU, time and affinity
        out = self.virsh("vcpuinfo %s" % self.name).stdout
        ncpu = os.cpu_count()
        for i in (0, 1):
            self.assertRegex(out, r"VCPU:\s+%d\nCPU:\s+\d+\nState:\s+running\n" % i)
        self.assertIn("CPU Affinity:   %s\n" % ("y" * ncpu), out)
        self.assertRegex(out, r"CPU time:\s+[0-9.]+s")              # vCPU 0 has run the kernel
        info = self.dom().vcpus()
        self.assertEqual([v[0] for v in info[0]], [0, 1])
        self.assertEqual([v[1] for v in info[0]], [1, 1])          # VIR_VCPU_RUNNING
        self.assertGreater(info[0][0][2], 0)
        # domblkinfo (virDomainGetBlockInfo): libvirt's numbers for a sparse 16 MiB raw file
        self.assertEqual(self.virsh("domblkinfo %s vda" % self.name).stdout,
                         "Capacity:       16777216\nAllocation:     0\nPhysical:       16777216\n\n")
        self.assertEqual(self.dom().blockInfo(str(self.disk)), [16 << 20, 0, 16 << 20])
        p = self.virsh("domblkinfo %s vdz" % self.name, check=False)
        self.assertIn("invalid path vdz not assigned to domain", p.stderr)
        # iothreadinfo: the QEMU driver starts none
        self.assertEqual(self.virsh("iothreadinfo %s" % self.name).stdout.strip(), "No IOThreads found for the domain")
        self.assertEqual(list(self.bus_dom().GetIOThreadInfo(self.dbus.UInt32(0))), [])
        # dommemstat (virDomainMemoryStats, over QMP): libvirtd's lines for this guest
        out = self.virsh("dommemstat %s" % self.name).stdout
        self.assertRegex(out, r"^actual %d\n(.*\n)*last_update 0\nrss \d+\n\n$" % (176 * 1024))
        st = self.dom().memoryStats()
        self.assertEqual(st["actual"], 176 * 1024)
        self.assertGreater(st["rss"], 1024)
        bus = {int(k): int(v) for k, v in self.bus_dom().MemoryStats(self.dbus.UInt32(0)).items()}
        self.assertEqual(bus[6], 176 * 1024)                         # VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON
        self.assertIn(7, bus)                                        # RSS
        self.virsh("dommemstat %s --period 0" % self.name)           # virDomainSetMemoryStatsPeriod: test_qemu_tuning.py
        # domjobinfo (virDomainGetJobInfo): no background job, as libvirtd prints it
        self.assertEqual(self.virsh("domjobinfo %s" % self.name).stdout, "Job type:         None        \n\n")
        self.assertEqual(self.dom().jobInfo(), [0] * 12)
        self.assertEqual([int(x) for x in self.bus_dom().GetJobInfo()], [0] * 12)
        # domifstat of a user NIC: nothing on the host to count
        mac = ET.fromstring(self.dom().XMLDesc(0)).find("devices/interface/mac").get("address")
        p = self.virsh("domifstat %s %s" % (self.name, mac), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("has no host device", p.stderr)

    def test_07_destroy(self):
        self.virsh("destroy %s" % self.name)
        p = self.virsh("setmem %s 100M" % self.name, check=False)   # LIVE on a shut-off domain
        self.assertIn("domain is not running", p.stderr)
        self.assertEqual(self.dom().info()[2], 128 * 1024)         # the --config value of test_03
        for cmd in ("domjobinfo", "dommemstat"):
            p = self.virsh("%s %s" % (cmd, self.name), check=False)
            self.assertIn("domain is not running", p.stderr)


if __name__ == "__main__":
    import testmain  # noqa: E402  (skips say so: exit 77, or a failure with CI=true)
    testmain.main()
