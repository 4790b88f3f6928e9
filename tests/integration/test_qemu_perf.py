#!/usr/bin/python3
"""test_qemu_perf.py: perf events of a real TCG guest (issue 13): host counters (perf_event_open) on its QEMU's threads.

    /usr/bin/python3 tests/integration/test_qemu_perf.py -v

A guest defined with <perf><event name='task_clock' enabled='yes'/></perf> starts with that counter open;
`virsh perf --enable/--disable --live` opens and closes counters (the daemon's perf descriptors are counted in
/proc), `virsh domstats --perf` reports perf.<name> counts that grow while QEMU runs, python3-libvirt and D-Bus
see the same; an event the host cannot count (hardware events in a container: ENOENT; cmt/mbmt/mbml without
intel_cqm) is refused with libvirt's text and changes nothing, at start too; --config changes only the
definition; QEMU's end closes every counter. qemu:///session of a private daemon.
"""

import ctypes
import os
import shutil
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402
import testmain  # noqa: E402

COUNT_TIMEOUT = 120     # counts grow as QEMU runs; generous on a loaded machine

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
  <perf>
{events}  </perf>
  <devices>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def host_counts(hw_config=0):
    """Whether this host lets a process count hardware event hw_config (PERF_TYPE_HARDWARE) on itself:
    the errno of perf_event_open, or 0."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint8 * 128)()
    ctypes.c_uint32.from_buffer(attr, 0).value = 0            # PERF_TYPE_HARDWARE
    ctypes.c_uint32.from_buffer(attr, 4).value = 128           # size
    ctypes.c_uint64.from_buffer(attr, 8).value = hw_config
    ctypes.c_uint64.from_buffer(attr, 40).value = 1            # disabled
    fd = libc.syscall(298, attr, 0, -1, -1, 0)                 # __NR_perf_event_open (x86_64)
    if fd >= 0:
        os.close(fd)
        return 0
    return ctypes.get_errno()


class QemuPerfTest(unittest.TestCase):
    name = "perf-guest"

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
        cls.define(cls.name, ["task_clock"])

    open_clients = classmethod(lc.QemuLifecycleTest.open_clients.__func__)
    close_clients = classmethod(lc.QemuLifecycleTest.close_clients.__func__)
    tearDownClass = classmethod(lc.QemuLifecycleTest.tearDownClass.__func__)
    virsh = lc.QemuLifecycleTest.virsh
    dom = lc.QemuLifecycleTest.dom
    dom_path = lc.QemuLifecycleTest.dom_path

    @classmethod
    def define(cls, name, enabled):
        events = "".join("    <event name='%s' enabled='yes'/>\n" % e for e in enabled)
        xml = cls.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, events=events))
        p = cls.daemon.virsh("unix", "define %s" % xml)
        assert p.returncode == 0, p.stderr

    def bus_dom(self):
        return self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, self.dom_path()), harness.DOMAIN)

    def perf_fds(self):
        """The daemon's open perf event descriptors."""
        fd_dir = "/proc/%d/fd" % self.daemon.proc.pid
        n = 0
        for fd in os.listdir(fd_dir):
            try:
                n += os.readlink(os.path.join(fd_dir, fd)) == "anon_inode:[perf_event]"
            except OSError:
                pass
        return n

    def perf_state(self, *flags):
        out = {}
        for line in self.virsh("perf %s %s" % (self.name, " ".join(flags))).stdout.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = v.strip()
        return out

    def domstats_perf(self):
        out = {}
        for line in self.virsh("domstats --perf %s" % self.name).stdout.splitlines():
            line = line.strip()
            if line.startswith("perf."):
                k, v = line.split("=", 1)
                out[k[len("perf."):]] = int(v)
        return out

    def virsh_fails(self, cmd, message):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(message, p.stderr)

    def test_1_started_with_its_events(self):
        self.assertEqual(self.perf_fds(), 0)
        self.virsh("start %s" % self.name)
        self.assertEqual(self.perf_state()["task_clock"], "enabled")
        self.assertGreater(self.perf_fds(), 0)
        first = wait_for("a task_clock count", lambda: self.domstats_perf().get("task_clock"), COUNT_TIMEOUT)
        self.assertEqual(list(self.domstats_perf()), ["task_clock"])
        wait_for("task_clock to grow past %d" % first,
                 lambda: self.domstats_perf()["task_clock"] > first, COUNT_TIMEOUT)
        # python3-libvirt's stats record has it too
        stats = self.conn.domainListGetStats([self.dom()], self.libvirt.VIR_DOMAIN_STATS_PERF)[0][1]
        self.assertEqual(list(stats), ["perf.task_clock"])
        self.assertGreater(stats["perf.task_clock"], 0)

    def test_2_software_events_live(self):
        before = self.perf_fds()
        p = self.virsh("perf %s --enable page_faults,context_switches --live" % self.name)
        self.assertEqual(p.stdout, "page_faults    : enabled\ncontext_switches: enabled\n\n")
        self.assertGreater(self.perf_fds(), before)
        wait_for("context_switches counted", lambda: self.domstats_perf().get("context_switches"), COUNT_TIMEOUT)
        self.assertEqual(sorted(self.domstats_perf()), ["context_switches", "page_faults", "task_clock"])
        events = self.dom().perfEvents(0)
        self.assertEqual([k for k, v in events.items() if v], ["task_clock", "page_faults", "context_switches"])
        bus = self.bus_dom().GetPerfEvents(self.dbus.UInt32(0))
        self.assertEqual({str(k): bool(v) for k, v in bus.items()}, events)
        # live only: the persistent definition keeps task_clock alone
        self.assertEqual([k for k, v in self.dom().perfEvents(self.libvirt.VIR_DOMAIN_AFFECT_CONFIG).items() if v],
                         ["task_clock"])
        self.assertIn("<event name='page_faults' enabled='yes'/>", self.virsh("dumpxml %s" % self.name).stdout)
        self.assertNotIn("page_faults", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        # D-Bus turns one off
        self.bus_dom().SetPerfEvents({"context_switches": self.dbus.Boolean(False, variant_level=1)},
                                     self.dbus.UInt32(1))
        self.assertEqual(self.perf_state()["context_switches"], "disabled")
        self.assertNotIn("context_switches", self.domstats_perf())

    def test_3_unavailable_events_change_nothing(self):
        before, state = self.perf_fds(), self.perf_state()
        errno = host_counts(0)      # PERF_COUNT_HW_CPU_CYCLES
        if errno:
            # libvirt's text with the kernel's reason; cpu_migrations, asked with it, is not enabled either
            self.virsh_fails("perf %s --enable cpu_migrations,cpu_cycles --live" % self.name,
                             "unable to open host cpu perf event for cpu_cycles: %s" % os.strerror(errno))
            self.assertEqual(self.perf_state(), state)
            self.assertEqual(self.perf_fds(), before)
        else:
            self.virsh("perf %s --enable cpu_cycles --live" % self.name)
            self.assertEqual(self.perf_state()["cpu_cycles"], "enabled")
            self.virsh("perf %s --disable cpu_cycles --live" % self.name)
        if not os.path.exists("/sys/devices/intel_cqm/type"):
            for ev in ("cmt", "mbmt", "mbml"):
                self.virsh_fails("perf %s --enable %s" % (self.name, ev),
                                 "argument unsupported: unable to enable host cpu perf event for %s" % ev)
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                self.dom().setPerfEvents({"mbml": True}, 0)
            self.assertEqual(cm.exception.get_error_code(), self.libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED)
            self.assertEqual(cm.exception.get_error_domain(), self.libvirt.VIR_FROM_PERF)
        self.assertEqual(self.perf_state(), state)
        self.assertEqual(self.perf_fds(), before)

    def test_4_config_and_both(self):
        before = self.perf_fds()
        self.virsh("perf %s --enable cpu_clock --config" % self.name)
        self.assertEqual(self.perf_state("--config")["cpu_clock"], "enabled")
        self.assertEqual(self.perf_state()["cpu_clock"], "disabled")
        self.assertEqual(self.perf_fds(), before)
        self.assertIn("<event name='cpu_clock' enabled='yes'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        # libvirt's QEMU driver takes --live with --config for a set
        self.virsh("perf %s --enable cpu_migrations --disable cpu_clock --live --config" % self.name)
        self.assertEqual(self.perf_state("--config")["cpu_migrations"], "enabled")
        self.assertEqual(self.perf_state("--config")["cpu_clock"], "disabled")
        self.assertEqual(self.perf_state("--live")["cpu_migrations"], "enabled")
        self.assertGreater(self.perf_fds(), before)
        self.assertIn("cpu_migrations", wait_for("cpu_migrations counted", self.domstats_perf, COUNT_TIMEOUT))
        self.virsh_fails("perf %s --live --config" % self.name, "mutually exclusive")

    def test_4b_counted_again_after_a_restart(self):
        # the status file keeps the live events; a restarted daemon opens their counters again
        self.close_clients()
        self.daemon.restart()
        self.open_clients()
        wait_for("the guest found again", lambda: self.virsh("domstate %s" % self.name).stdout.strip() == "running",
                 COUNT_TIMEOUT)
        self.assertGreater(self.perf_fds(), 0)
        self.assertEqual([k for k, v in self.dom().perfEvents(0).items() if v],
                         ["task_clock", "page_faults", "cpu_migrations"])
        self.assertEqual(sorted(wait_for("counts after the restart",
                                         lambda: (lambda s: s if len(s) == 3 else None)(self.domstats_perf()),
                                         COUNT_TIMEOUT)),
                         ["cpu_migrations", "page_faults", "task_clock"])

    def test_5_end_closes_counters(self):
        self.assertGreater(self.perf_fds(), 0)
        self.virsh("destroy %s" % self.name)
        self.assertEqual(self.perf_fds(), 0)
        # shut off: the persistent definition's, and no live ones
        state = self.perf_state()
        self.assertEqual(state["task_clock"], "enabled")
        self.assertEqual(state["cpu_migrations"], "enabled")
        self.assertEqual(state["page_faults"], "disabled")
        self.virsh_fails("perf %s --live" % self.name, "domain is not running")

    def test_6_start_refused_for_an_unavailable_event(self):
        # an event the host cannot count fails the start, as libvirt's, and leaves nothing open
        ev = "cpu_cycles" if host_counts(0) else ("cmt" if not os.path.exists("/sys/devices/intel_cqm/type") else None)
        if ev is None:      # this host counts every event: the start succeeds with them open
            self.define("perf-all", ["cpu_cycles", "cmt"])
            self.virsh("start perf-all")
            self.assertGreater(self.perf_fds(), 0)
            self.virsh("destroy perf-all")
            self.virsh("undefine perf-all")
            return
        self.define("perf-bad", ["page_faults", ev])
        p = self.daemon.virsh("unix", "start perf-bad", timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("host cpu perf event for %s" % ev, p.stderr)
        self.assertEqual(self.virsh("domstate perf-bad").stdout.strip(), "shut off")
        self.assertEqual(self.perf_fds(), 0)
        self.virsh("undefine perf-bad")


if __name__ == "__main__":
    testmain.main()
