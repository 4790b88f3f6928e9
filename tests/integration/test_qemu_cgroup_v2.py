#!/usr/bin/python3
"""test_qemu_cgroup_v2.py: the QEMU driver's cgroup code on a cgroup v2 (unified) hierarchy, with a real TCG
guest of 2 vCPUs.

This host mounts the v1 controllers at /sys/fs/cgroup/* with an empty v2 hierarchy beside them
(/sys/fs/cgroup/unified): the test re-executes itself in a private mount namespace and mounts
that v2 hierarchy over /sys/fs/cgroup, so virtbusd (and only it) sees a unified host. Every
controller is bound to v1 here, so v2's cgroup.controllers is empty: what is tested is what v2
does without controllers: the guest's group (machine.slice/virtbus-qemu-NAME.scope) made and
QEMU moved in, its per-thread children made threaded (vcpu0, vcpu1, emulator: cgroup.type,
cgroup.threads, /proc/TID/cgroup), the pins applied as the threads' affinity, everything gone
after stop; and a <cputune> quota, which needs the cpu controller, refused at start naming the
file. Not testable here: cpu.weight/cpu.max/memory.max values and cpuset.cpus on v2."""

import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import testmain  # noqa: E402

NS_ENV = "VIRTBUS_CGROUP_V2_NS"
CG = Path("/sys/fs/cgroup")


def enter_namespace():
    """Re-run this script in a private mount namespace with cgroup2 on /sys/fs/cgroup."""
    if os.environ.get(NS_ENV) == "1":
        subprocess.run(["mount", "-t", "cgroup2", "none", str(CG)], check=True)
        return
    if os.geteuid() != 0:
        testmain.skip_program("needs root (mount namespace, cgroups)")
    guest.build()
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv, env)


enter_namespace()

import test_qemu_lifecycle as lc  # noqa: E402
import test_qemu_pin as pin  # noqa: E402

QUOTA = "    <period>100000</period>\n    <quota>50000</quota>\n"
# test_qemu_pin's guest (2 vCPUs, pinned) with its quota made optional: v2 here has no cpu controller
assert QUOTA in pin.DOMAIN_XML
DOMAIN_XML = pin.DOMAIN_XML.replace(QUOTA, "{extra}")


class CgroupV2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert (CG / "cgroup.controllers").exists(), "cgroup2 is not mounted on /sys/fs/cgroup"
        cls.image = guest.build()
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('cgroup_controllers = [ "cpu", "cpuacct", "memory", "cpuset" ]\n')
        cls.daemon.start()
        cls.name = "vbcg2-%d" % os.getpid()
        cls.group = CG / "machine.slice" / ("virtbus-qemu-%s.scope" % cls.name)

    @classmethod
    def tearDownClass(cls):
        for name in (cls.name, cls.name + "-q"):
            cls.daemon.virsh("unix", "destroy %s" % name)
        cls.daemon.stop()
        try:
            (CG / "machine.slice").rmdir()     # the host's v2 tree: leave it as it was
        except OSError:
            pass

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=120)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def define(self, name, extra=""):
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, extra=extra, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, console=self.daemon.tmp / ("%s.console" % name)))
        self.virsh("define %s" % xml)

    def qemu_pid(self, name):
        f = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" / ("%s.runtime.json" % name)
        return json.loads(f.read_text())["pid"]

    def threads(self, child):
        return sorted(int(t) for t in (self.group / child / "cgroup.threads").read_text().split())

    def test_threads_placed_in_threaded_children(self):
        self.define(self.name)
        self.virsh("start %s" % self.name)
        pid = self.qemu_pid(self.name)
        self.assertIn(str(pid), (self.group / "cgroup.procs").read_text().split())
        self.assertEqual((self.group / "cgroup.type").read_text().strip(), "domain threaded")
        comms = {}
        for child in ("vcpu0", "vcpu1", "emulator"):
            self.assertEqual((self.group / child / "cgroup.type").read_text().strip(), "threaded", child)
            for tid in self.threads(child):
                comms[tid] = child
                rel = "/" + str((self.group / child).relative_to(CG))
                lines = Path("/proc/%d/task/%d/cgroup" % (pid, tid)).read_text().splitlines()
                self.assertIn("0::" + rel, lines)       # the v2 line (the v1 hierarchies are listed too)
        all_tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
        by_name = {t: Path("/proc/%d/task/%d/comm" % (pid, t)).read_text().strip() for t in all_tids}
        vcpu0 = [t for t, n in by_name.items() if n == "CPU 0/TCG"]
        vcpu1 = [t for t, n in by_name.items() if n == "CPU 1/TCG"]
        self.assertEqual(self.threads("vcpu0"), vcpu0)
        self.assertEqual(self.threads("vcpu1"), vcpu1)
        self.assertIn(pid, self.threads("emulator"))
        # no cpuset controller on this v2: the pins are the threads' affinity
        self.assertEqual(pin.allowed(pid, vcpu0[0]), "1")
        self.assertEqual(pin.allowed(pid, vcpu1[0]), "0")
        self.assertEqual(pin.allowed(pid, pid), "0")
        self.assertFalse((self.group / "cpuset.cpus").exists())

        self.virsh("destroy %s" % self.name)
        lc.wait_for("the guest's cgroup to go", lambda: not self.group.exists(), timeout=30)
        self.virsh("undefine %s" % self.name)

    def test_quota_needs_the_cpu_controller(self):
        name = self.name + "-q"
        self.define(name, extra=QUOTA)
        p = self.virsh("start %s" % name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cpu.max", p.stderr)
        self.assertFalse((CG / "machine.slice" / ("virtbus-qemu-%s.scope" % name)).exists())
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "shut off")
        self.virsh("undefine %s" % name)


if __name__ == "__main__":
    testmain.main()
