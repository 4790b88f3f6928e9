"""test_qemu_pin.py: vCPU and emulator threads in their own cgroups, pinned, with a real TCG guest of 2 vCPUs.

    /usr/bin/python3 tests/integration/test_qemu_pin.py -v

qemu:///session with qemu.conf's cgroup_controllers: each guest's QEMU gets
machine.slice/virtbus-qemu-NAME.scope, and in it vcpu0, vcpu1 (one vCPU thread each) and emulator
(QEMU's other threads). Checked from the host's side, not through virtbusd: which threads the
child cgroups hold (QEMU names its vCPU threads "CPU N/TCG"), their cpuset.cpus and per-vCPU CFS
quota, each thread's Cpus_allowed_list in /proc/PID/task/TID/status; then virsh vcpupin,
emulatorpin, vcpuinfo and schedinfo, python3-libvirt's vcpus(), and the D-Bus door's PinVcpu,
PinEmulator, GetVcpuPinInfo, GetEmulatorPinInfo changing and reading the same. Needs root and
at least 2 host CPUs.
"""

import os
import re
import shutil
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
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <cputune>
    <vcpupin vcpu='0' cpuset='1'/>
    <vcpupin vcpu='1' cpuset='0'/>
    <emulatorpin cpuset='0'/>
    <period>100000</period>
    <quota>50000</quota>
  </cputune>
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


def allowed(pid, tid):
    for line in Path("/proc/%d/task/%d/status" % (pid, tid)).read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    return None


def comm(pid, tid):
    return Path("/proc/%d/task/%d/comm" % (pid, tid)).read_text().strip()


def tasks(controller, group):
    path = (CG / group) if (CG / "cgroup.controllers").exists() else (CG / controller / group)
    f = path / ("cgroup.threads" if (CG / "cgroup.controllers").exists() else "tasks")
    return sorted(int(t) for t in f.read_text().split())


def cgfile(controller, group, name):
    v2 = (CG / "cgroup.controllers").exists()
    return ((CG / group) if v2 else (CG / controller / group)) / name


class PinTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (cgroups)")
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        if os.cpu_count() < 2:
            raise unittest.SkipTest("needs 2 host CPUs")
        cls.image = guest.build()
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('# written by test_qemu_pin.py\n'
                                            'cgroup_controllers = [ "cpu", "cpuacct", "memory", "cpuset" ]\n'
                                            'namespaces = [ "mount" ]\n')
        cls.daemon.start()
        cls.name = "vbpin-%d" % os.getpid()    # unique on a host shared by several test runs
        cls.group = "machine.slice/virtbus-qemu-%s.scope" % cls.name
        xml = cls.daemon.tmp / "pin.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, console=cls.daemon.tmp / "pin.console"))
        cls.started = False
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            cls.daemon.stop()
            raise RuntimeError("define failed: %s" % p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        if cls.daemon.keep:
            print("kept %s" % cls.daemon.tmp, file=sys.stderr)
        cls.daemon.stop()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def qemu_pid(self):
        import json
        f = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" / ("%s.runtime.json" % self.name)
        return json.loads(f.read_text())["pid"]

    def vcpu_tid(self, i):
        tids = tasks("cpu", "%s/vcpu%d" % (self.group, i))
        self.assertEqual(len(tids), 1, "vcpu%d holds %s" % (i, tids))
        return tids[0]

    def test_01_threads_in_their_groups_pinned_at_start(self):
        """At start: vcpuN holds vCPU N's thread, emulator the rest; cpuset.cpus, affinity and quota from <cputune>."""
        self.virsh("start %s" % self.name)
        pid = self.qemu_pid()
        v2 = (CG / "cgroup.controllers").exists()
        t0, t1 = self.vcpu_tid(0), self.vcpu_tid(1)
        self.assertEqual(comm(pid, t0), "CPU 0/TCG")
        self.assertEqual(comm(pid, t1), "CPU 1/TCG")
        emulator = tasks("cpu", self.group + "/emulator")
        self.assertIn(pid, emulator)
        all_threads = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
        self.assertEqual(sorted(emulator + [t0, t1]), all_threads)
        self.assertNotIn(t0, emulator)
        for ctrl in ([] if v2 else ["cpuacct", "cpuset"]):
            self.assertEqual(tasks(ctrl, "%s/vcpu0" % self.group), [t0], ctrl)
        # Pins: the cgroup's cpuset and the threads' own affinity.
        self.assertEqual(cgfile("cpuset", self.group + "/vcpu0", "cpuset.cpus").read_text().strip(), "1")
        self.assertEqual(cgfile("cpuset", self.group + "/vcpu1", "cpuset.cpus").read_text().strip(), "0")
        self.assertEqual(cgfile("cpuset", self.group + "/emulator", "cpuset.cpus").read_text().strip(), "0")
        self.assertEqual(allowed(pid, t0), "1")
        self.assertEqual(allowed(pid, t1), "0")
        self.assertEqual(allowed(pid, pid), "0")
        # Period and quota are per vCPU (libvirt's vcpu_period/vcpu_quota); the guest's group is not capped.
        if v2:
            self.assertEqual(cgfile("cpu", self.group + "/vcpu0", "cpu.max").read_text().split(), ["50000", "100000"])
        else:
            for i in (0, 1):
                self.assertEqual(cgfile("cpu", "%s/vcpu%d" % (self.group, i), "cpu.cfs_quota_us").read_text().strip(),
                                 "50000")
            self.assertEqual(cgfile("cpu", self.group, "cpu.cfs_quota_us").read_text().strip(), "-1")

    def test_02_virsh_vcpupin_emulatorpin_vcpuinfo(self):
        """virsh reads the pins, changes them live (cgroup and affinity) and in the config, and refuses bad ones."""
        pid, t0 = self.qemu_pid(), self.vcpu_tid(0)
        out = self.virsh("vcpupin %s" % self.name).stdout
        self.assertRegex(out, r"\n\s*0\s+1\s*\n")
        self.assertRegex(out, r"\n\s*1\s+0\s*\n")
        self.assertRegex(self.virsh("emulatorpin %s" % self.name).stdout, r"\*:\s+0\s*\n")
        info = self.virsh("vcpuinfo %s" % self.name).stdout
        blocks = info.strip().split("\n\n")
        self.assertEqual(len(blocks), 2, info)
        self.assertRegex(blocks[0], r"VCPU:\s+0\n")
        self.assertRegex(blocks[0], r"State:\s+running\n")
        self.assertRegex(blocks[0], r"CPU Affinity:\s+-y")
        self.assertRegex(blocks[1], r"CPU Affinity:\s+y-")
        self.assertRegex(blocks[0], r"CPU:\s+1\n")      # it can only run on CPU 1
        # Live change.
        self.virsh("vcpupin %s 0 0-1 --live" % self.name)
        self.assertEqual(cgfile("cpuset", self.group + "/vcpu0", "cpuset.cpus").read_text().strip(), "0-1")
        self.assertEqual(allowed(pid, t0), "0-1")
        self.assertIn("<vcpupin vcpu='0' cpuset='0-1'/>", self.virsh("dumpxml %s" % self.name).stdout)
        self.assertIn("<vcpupin vcpu='0' cpuset='1'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.virsh("emulatorpin %s 1 --live" % self.name)
        self.assertEqual(cgfile("cpuset", self.group + "/emulator", "cpuset.cpus").read_text().strip(), "1")
        self.assertEqual(allowed(pid, pid), "1")
        # Config only: the running guest does not change.
        self.virsh("vcpupin %s 1 1 --config" % self.name)
        self.assertIn("<vcpupin vcpu='1' cpuset='1'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        self.assertEqual(allowed(pid, self.vcpu_tid(1)), "0")
        # Refusals change nothing.
        r = self.virsh("vcpupin %s 5 0 --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("vcpu 5 is out of range of live cpu count 2", r.stderr)
        r = self.virsh("vcpupin %s 0 7 --live" % self.name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(allowed(pid, t0), "0-1")
        # Per-vCPU quota live: each vCPU's group.
        self.virsh("schedinfo %s --live --set vcpu_quota=20000" % self.name)
        if not (CG / "cgroup.controllers").exists():
            for i in (0, 1):
                self.assertEqual(cgfile("cpu", "%s/vcpu%d" % (self.group, i), "cpu.cfs_quota_us").read_text().strip(),
                                 "20000")

    def test_03_python_and_dbus(self):
        """python3-libvirt's vcpus() and the D-Bus door's pin methods see and change the same pins."""
        import dbus
        import libvirt
        pid, t1 = self.qemu_pid(), self.vcpu_tid(1)
        conn = libvirt.open(self.daemon.uri())
        try:
            dom = conn.lookupByName(self.name)
            info, maps = dom.vcpus()
            self.assertEqual([i[0] for i in info], [0, 1])
            self.assertTrue(all(i[1] == libvirt.VIR_VCPU_RUNNING for i in info))
            self.assertTrue(all(i[2] > 0 for i in info), info)
            self.assertEqual(maps[1][:2], (True, False))
            self.assertEqual(dom.vcpuPinInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)[1][:2], (True, False))
        finally:
            conn.close()
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        conn = dbus.Interface(bus.get_object(harness.BUS_NAME, lc.QEMU_PATH), harness.CONNECT)
        path = conn.DomainLookupByName(self.name)
        dom = dbus.Interface(bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)
        dom.PinVcpu(dbus.UInt32(1), dbus.Array([False, True], signature="b"), dbus.UInt32(1))
        self.assertEqual(cgfile("cpuset", self.group + "/vcpu1", "cpuset.cpus").read_text().strip(), "1")
        self.assertEqual(allowed(pid, t1), "1")
        self.assertEqual([list(m)[:2] for m in dom.GetVcpuPinInfo(dbus.UInt32(1))], [[True, True], [False, True]])
        dom.PinEmulator(dbus.Array([True, True], signature="b"), dbus.UInt32(1))
        self.assertEqual(allowed(pid, pid), "0-1")
        self.assertEqual(list(dom.GetEmulatorPinInfo(dbus.UInt32(1)))[:2], [True, True])
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            dom.PinVcpu(dbus.UInt32(0), dbus.Array([False, False], signature="b"), dbus.UInt32(1))
        self.assertIn("Empty cpu list for pinning", str(cm.exception))

    def test_03_5_private_dev(self):
        """namespaces = [ "mount" ]: QEMU's /dev is a tmpfs of its own holding only the nodes it needs."""
        pid = self.qemu_pid()
        self.assertNotEqual(os.readlink("/proc/%d/ns/mnt" % pid), os.readlink("/proc/self/ns/mnt"))
        dev_mounts = [l.split() for l in Path("/proc/%d/mountinfo" % pid).read_text().splitlines()
                      if l.split()[4] == "/dev"]
        # the last mount on /dev is the one QEMU sees (the host's devtmpfs lies hidden under it)
        fields = dev_mounts[-1]
        self.assertEqual(fields[fields.index("-") + 1], "tmpfs", dev_mounts)
        self.assertIn("nosuid", fields[5])
        root = Path("/proc/%d/root/dev" % pid)
        want = {"null", "fd", "stdin", "stdout", "stderr", "pts"}
        for optional in ("zero", "full", "random", "urandom", "ptmx", "kvm", "net", "vhost-net", "shm", "mqueue"):
            if Path("/dev", optional).exists():
                want.add(optional)
        self.assertEqual(set(os.listdir(root)), want)
        for node in ("null", "urandom", "ptmx"):
            st, host = os.stat(root / node), os.stat(Path("/dev") / node)
            self.assertEqual((st.st_rdev, st.st_mode), (host.st_rdev, host.st_mode), node)
        # the host's /dev is untouched
        self.assertIn("loop-control", os.listdir("/dev"))

    def test_04_groups_gone_after_stop(self):
        """destroy: the guest's group and its vcpuN/emulator children are removed in every hierarchy."""
        pid = self.qemu_pid()
        v2 = (CG / "cgroup.controllers").exists()
        dirs = [CG / self.group] if v2 else [CG / c / self.group for c in ("cpu", "cpuacct", "cpuset", "memory")]
        self.assertTrue(all(d.exists() for d in dirs))
        self.virsh("destroy %s" % self.name)
        lc.wait_for("QEMU %d gone" % pid, lambda: lc.process_gone(pid), 10)
        for d in dirs:
            self.assertFalse(d.exists(), "%s left after stop" % d)


if __name__ == "__main__":
    testmain.main()
