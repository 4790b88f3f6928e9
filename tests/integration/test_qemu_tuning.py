"""test_qemu_tuning.py: statistics and small live settings of a real TCG guest on both doors: block I/O counters
(virsh domblkstat: QMP query-blockstats), CPU time per host CPU (cpu-stats: the guest's cgroup), the balloon's
statistics period (dommemstat --period: qom-set, and <stats period> in the XML), the monitor's state
(domcontrol), the flagless vcpupin (virDomainPinVcpu), blockresize (QMP block_resize),
domblkerror (QMP query-block's io-status), domjobinfo/domjobabort of a save, domdirtyrate-calc
(QMP calc-dirty-rate) and set-lifecycle-action (QMP set-action).

    /usr/bin/python3 tests/integration/test_qemu_tuning.py -v

qemu:///session with qemu.conf's cgroup_controllers (cpu-stats reads cpuacct). Needs root.
"""

import os
import shutil
import subprocess
import sys
import time
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
import testmain  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>192</memory>
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
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""

# virsh domblkstat's lines for virDomainBlockStatsFlags' parameters (virsh's own order and names)
BLKSTAT_KEYS = ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "flush_operations", "rd_total_times",
                "wr_total_times", "flush_total_times"]


class QemuTuningTest(unittest.TestCase):
    name = "tuning-guest"

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (cgroups)")
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('# written by test_qemu_tuning.py\n'
                                            'cgroup_controllers = [ "cpu", "cpuacct", "memory", "cpuset" ]\n')
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
        cls.console = cls.daemon.tmp / "console.log"
        cls.xml_path = cls.daemon.tmp / "tuning.xml"
        cls.xml_path.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                                  append=cls.image.append, disk=cls.disk, console=cls.console))

    open_clients = classmethod(lc.QemuLifecycleTest.open_clients.__func__)
    close_clients = classmethod(lc.QemuLifecycleTest.close_clients.__func__)
    tearDownClass = classmethod(lc.QemuLifecycleTest.tearDownClass.__func__)
    virsh = lc.QemuLifecycleTest.virsh
    dom = lc.QemuLifecycleTest.dom
    dom_path = lc.QemuLifecycleTest.dom_path

    def bus_dom(self):
        return self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, self.dom_path()), harness.DOMAIN)

    def virsh_fails(self, cmd, message):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(message, p.stderr)

    def blkstat(self, args):
        out = {}
        for line in self.virsh("domblkstat %s" % args).stdout.splitlines():
            if line.strip():
                key, value = line.split()[-2:]          # "vda rd_req 12"; the summary has no device
                out[key] = int(value)
        return out

    def test_01_refused_while_shut_off(self):
        self.virsh("define %s" % self.xml_path)
        self.virsh_fails("domblkstat %s vda" % self.name, "domain is not running")
        self.virsh_fails("cpu-stats %s" % self.name, "domain is not running")
        self.virsh_fails("domcontrol %s" % self.name, "domain is not running")
        self.virsh_fails("domjobinfo %s" % self.name, "domain is not running")
        self.virsh_fails("dommemstat %s --period 2 --live" % self.name, "domain is not running")
        # the persistent definition alone
        self.virsh("dommemstat %s --period 4" % self.name)
        self.assertIn("<stats period='4'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.virsh("start %s" % self.name)

    def test_02_domblkstat(self):
        # the guest's kernel reads the disk's partition table once it has found it
        lc.wait_for("reads on vda", lambda: self.blkstat("%s vda" % self.name).get("rd_req", 0) > 0,
                    max(lc.BOOT_TIMEOUT, 180))
        st = self.blkstat("%s vda" % self.name)
        self.assertEqual(list(st), BLKSTAT_KEYS)
        self.assertGreater(st["rd_bytes"], 0)
        self.assertGreater(st["rd_total_times"], 0)
        # by source path too, and the summary of every disk (one here)
        self.assertEqual(list(self.blkstat("%s %s" % (self.name, self.disk))), BLKSTAT_KEYS)
        self.assertGreaterEqual(self.blkstat("%s ''" % self.name)["rd_req"], st["rd_req"])
        self.virsh_fails("domblkstat %s vdz" % self.name, "invalid argument: invalid path: vdz")
        # python3-libvirt: the five counters (errs unknown: -1), and the typed parameters
        rd_req, rd_bytes, wr_req, wr_bytes, errs = self.dom().blockStats("vda")
        self.assertGreaterEqual(rd_req, st["rd_req"])
        self.assertEqual(errs, -1)
        flags = self.dom().blockStatsFlags("vda", 0)
        self.assertEqual(list(flags), ["wr_bytes", "wr_operations", "rd_bytes", "rd_operations", "flush_operations",
                                       "wr_total_times", "rd_total_times", "flush_total_times"])
        self.assertGreaterEqual(flags["rd_operations"], st["rd_req"])

    def test_03_cpu_stats(self):
        total = self.dom().getCPUStats(True)
        self.assertEqual(len(total), 1)
        self.assertEqual(sorted(total[0]), ["cpu_time", "system_time", "user_time"])
        self.assertGreater(total[0]["cpu_time"], 0)
        per = self.dom().getCPUStats(False)
        self.assertEqual(len(per), os.cpu_count())
        for cpu in per:
            self.assertEqual(list(cpu), ["cpu_time", "vcpu_time"])
        self.assertGreater(sum(c["cpu_time"] for c in per), 0)
        self.assertGreater(sum(c["vcpu_time"] for c in per), 0)      # TCG's vCPU threads run in vcpuN groups
        out = self.virsh("cpu-stats %s" % self.name).stdout
        for i in range(os.cpu_count()):
            self.assertRegex(out, r"CPU%d:\n\tcpu_time +\d+\.\d{9} seconds\n\tvcpu_time +\d+\.\d{9} seconds\n" % i)
        self.assertRegex(out, r"Total:\n\tcpu_time +\d+\.\d{9} seconds\n\tuser_time +\d+\.\d{9} seconds\n"
                              r"\tsystem_time +\d+\.\d{9} seconds\n")
        last = os.cpu_count() - 1
        out = self.virsh("cpu-stats %s --start %d --count 1" % (self.name, last)).stdout
        self.assertEqual(out.count("CPU"), 1)
        self.assertIn("CPU%d:\n" % last, out)

    def test_04_memory_stats_period(self):
        self.virsh("dommemstat %s --period 2 --live" % self.name)
        live = ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)
        self.assertEqual(live.find("devices/memballoon/stats").get("period"), "2")
        inactive = ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.assertEqual(inactive.find("devices/memballoon/stats").get("period"), "4")
        # D-Bus: both at once (LIVE | CONFIG), then off live
        self.bus_dom().SetMemoryStatsPeriod(self.dbus.Int32(6), self.dbus.UInt32(3))
        for flag in ("", "--inactive "):
            xml = ET.fromstring(self.virsh("dumpxml %s%s" % (flag, self.name)).stdout)
            self.assertEqual(xml.find("devices/memballoon/stats").get("period"), "6")
        self.virsh("dommemstat %s --period 0 --live" % self.name)
        self.assertIsNone(ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout).find("devices/memballoon/stats"))
        with self.assertRaises(self.dbus.exceptions.DBusException) as cm:
            self.bus_dom().SetMemoryStatsPeriod(self.dbus.Int32(-3), self.dbus.UInt32(1))
        self.assertIn("must be zero or greater", str(cm.exception))

    def test_05_domcontrol(self):
        self.assertEqual(self.virsh("domcontrol %s" % self.name).stdout.strip(), "ok")
        self.assertEqual(self.dom().controlInfo(), [0, 0, 0])
        self.assertEqual(tuple(int(x) for x in self.bus_dom().GetControlInfo(self.dbus.UInt32(0))), (0, 0, 0))

    def test_05b_dirty_rate(self):
        """domdirtyrate-calc: QEMU measures (calc-dirty-rate), domstats' dirtyrate group reports it."""
        self.virsh_fails("domdirtyrate-calc %s --seconds 61" % self.name,
                         "seconds=61 is invalid, please choose value within [1, 60].")
        self.virsh("domdirtyrate-calc %s --seconds 1" % self.name)

        def measured():
            out = self.virsh("domstats --dirtyrate %s" % self.name).stdout
            return "dirtyrate.calc_status=2" in out and out
        out = lc.wait_for("the measurement", measured, lc.STATE_TIMEOUT)
        self.assertIn("dirtyrate.calc_period=1", out)
        self.assertRegex(out, r"dirtyrate\.megabytes_per_second=\d+")

    def test_06_vcpupin_without_flags(self):
        # no --live/--config: virsh calls virDomainPinVcpu, which pins the running guest's vCPU
        self.virsh("vcpupin %s 1 0" % self.name)
        self.assertEqual(self.dom().vcpuPinInfo(self.libvirt.VIR_DOMAIN_AFFECT_LIVE)[1][0], True)
        self.assertNotIn(True, self.dom().vcpuPinInfo(self.libvirt.VIR_DOMAIN_AFFECT_LIVE)[1][1:])
        self.dom().pinVcpu(1, (True,) * os.cpu_count())
        self.assertNotIn(False, self.dom().vcpuPinInfo(self.libvirt.VIR_DOMAIN_AFFECT_LIVE)[1])

    def test_06b_block_resize(self):
        # QEMU grows the raw image itself (block_resize): the file and domblkinfo show it
        self.virsh("blockresize %s vda 32M" % self.name)
        self.assertEqual(os.path.getsize(self.disk), 32 << 20)
        self.assertEqual(self.dom().blockInfo("vda")[0], 32 << 20)
        # D-Bus, in bytes (VIR_DOMAIN_BLOCK_RESIZE_BYTES)
        self.bus_dom().BlockResize("vda", self.dbus.UInt64(40 << 20), self.dbus.UInt32(1))
        self.assertEqual(os.path.getsize(self.disk), 40 << 20)
        self.virsh_fails("blockresize %s vdz 1M" % self.name, "disk 'vdz' was not found in the domain config")
        self.assertEqual(os.path.getsize(self.disk), 40 << 20)

    def test_07_disk_errors(self):
        # QMP query-block's io-status: this guest's disk has had none
        self.assertEqual(self.virsh("domblkerror %s" % self.name).stdout.strip(), "No errors found")
        self.assertEqual(self.dom().diskErrors(), {})
        self.assertEqual(list(self.bus_dom().GetDiskErrors(self.dbus.UInt32(0))), [])

    def test_07b_save_job_stats_and_abort(self):
        """A save into a pipe nobody drains stays in flight: domjobinfo shows it, domjobabort ends it."""
        self.assertEqual(self.virsh("domjobinfo %s" % self.name).stdout, "Job type:         None        \n\n")
        self.assertEqual(self.dom().jobStats(), {"type": 0})
        self.virsh_fails("domjobabort %s" % self.name, "no job is active on the domain")
        fifo = self.daemon.tmp / "save.fifo"
        os.mkfifo(fifo)
        rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        saver = subprocess.Popen(["virsh", "-c", self.daemon.uri(), "save", self.name, str(fifo)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            lc.wait_for("the save in domjobinfo", lambda: self.dom().jobStats().get("memory_total", 0) > 0,
                        lc.STATE_TIMEOUT)
            st = self.dom().jobStats()
            self.assertEqual(st["type"], 2)                             # VIR_DOMAIN_JOB_UNBOUNDED
            self.assertEqual(st["operation"], 2)                        # VIR_DOMAIN_JOB_OPERATION_SAVE
            self.assertIn("time_elapsed", st)
            info = self.dom().jobInfo()                                 # virDomainGetJobInfo: the same counters
            self.assertEqual((info[0], info[6]), (2, st["memory_total"]))
            self.assertRegex(self.virsh("domjobinfo %s" % self.name).stdout, r"Job type: +Unbounded")
            self.assertTrue(self.virsh("domcontrol %s" % self.name).stdout.startswith("background job"))
            bus_type, bus_params = self.bus_dom().GetJobStats(self.dbus.UInt32(0))
            self.assertEqual((int(bus_type), int(bus_params["operation"])), (2, 2))
            self.dom().abortJob()
            # QEMU's stream stops once what it had written is read
            while saver.poll() is None:
                try:
                    if not os.read(rfd, 1 << 16):
                        time.sleep(0.05)
                except BlockingIOError:
                    time.sleep(0.05)
            out, err = saver.communicate()
        finally:
            if saver.poll() is None:
                saver.kill()
            os.close(rfd)
        self.assertNotEqual(saver.returncode, 0, out)
        self.assertIn("operation aborted: job 'domain save' canceled by client", err)
        lc.wait_for("running again", lambda: self.virsh("domstate %s" % self.name).stdout.strip() == "running",
                    lc.STATE_TIMEOUT)
        self.assertEqual(self.dom().jobStats(), {"type": 0})

    def test_08_lifecycle_action(self):
        """set-lifecycle-action: reboot → destroy told to QEMU (set-action), then a reset ends the guest."""
        self.virsh_fails("set-lifecycle-action %s poweroff restart --live" % self.name,
                         "action 'restart' for lifecycle event 'poweroff' is not supported")
        self.virsh_fails("set-lifecycle-action %s reboot coredump-destroy" % self.name,
                         "Lifecycle event 'reboot' doesn't support 'coredump-destroy' action")
        self.virsh("set-lifecycle-action %s poweroff restart --config" % self.name)
        inactive = ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.assertEqual(inactive.find("on_poweroff").text, "restart")
        live = ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)
        self.assertEqual(live.find("on_poweroff").text, "destroy")
        self.virsh("set-lifecycle-action %s reboot destroy" % self.name)
        self.assertEqual(ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout).find("on_reboot").text, "destroy")
        self.assertEqual(ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout).find("on_reboot").text,
                         "restart")
        # QEMU now powers the guest off where it would reset it: the daemon ends it
        self.virsh("reset %s" % self.name)
        lc.wait_for("shut off after the reset",
                    lambda: self.virsh("domstate %s" % self.name).stdout.strip() == "shut off", lc.STATE_TIMEOUT * 2)
        self.virsh_fails("cpu-stats %s --total" % self.name, "domain is not running")


if __name__ == "__main__":
    testmain.main()
