"""test_harness_cleanup.py: a test class whose setUpClass fails after the harness has started
its processes leaves none of them running (cleanup.py).

    /usr/bin/python3 tests/integration/test_harness_cleanup.py -v

Each check runs a child: this file again, with VIRTBUS_CLEANUP_CHILD naming a world. The
child's test class starts that world in setUpClass (real dbus-daemon, virtbusd, QEMU under TCG
without a kernel: it sits in its firmware; for the system world also polkitd and the default
network's dnsmasq, in private namespaces), writes the pids of what runs to a file, then raises.
The child ends through testmain.main(), as every suite does, with no tearDownClass run; the
parent checks the child's error and that every pid is gone. A control runs the same child
through plain unittest (nothing registers the cleanups) and finds the processes still running:
the check sees a leak when there is one. A last child is sent SIGTERM mid-test (what meson's
timeout does) and stops what its class had started on its way out.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cleanup  # noqa: E402

CHILD_ENV = "VIRTBUS_CLEANUP_CHILD"
PIDS_ENV = "VIRTBUS_CLEANUP_PIDS"
PLAIN_ENV = "VIRTBUS_CLEANUP_PLAIN"
FORCED = "forced setUpClass failure after the harness started its processes"

# A QEMU that needs no guest image: no kernel, no disk; it stays in its firmware.
FIRMWARE_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    {nic}
    <memballoon model='none'/>
  </devices>
</domain>
"""


def wait_for(what, fn, timeout):
    deadline = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# The children: each setUpClass starts a world, records its pids, and fails. Mixins, made a
# test class only in the child (run_child).

def record(pids, tmp):
    """What the parent checks: the pids by name, and the world's temporary directory (the
    control removes it)."""
    Path(os.environ[PIDS_ENV]).write_text(json.dumps({"pids": pids, "tmp": str(tmp)}))


def start_firmware_guest(virsh, xml_dir, nic=""):
    """Define and start a guest (its name unique to this child) with virsh(*argv) → returncode,
    stderr, once QEMU's capabilities are known; the name."""
    wait_for("QEMU's capabilities", lambda: virsh("capabilities")[0] == 0, 150)
    name = "hygiene-cleanup-%d" % os.getpid()
    xml = Path(xml_dir) / "guest.xml"
    xml.write_text(FIRMWARE_XML.format(name=name, nic=nic))
    for argv in (("define", str(xml)), ("start", name)):
        code, err = virsh(*argv)
        if code != 0:
            raise AssertionError("virsh %s: %s" % (" ".join(argv), err))
    return name


class SessionChild:
    """harness.Daemon: a dbus-daemon and virtbusd --session."""

    @classmethod
    def setUpClass(cls):
        import harness
        cls.daemon = harness.Daemon()
        cls.daemon.start()
        record({"dbus-daemon": cls.daemon.dbus_proc.pid, "virtbusd": cls.daemon.proc.pid}, cls.daemon.tmp)
        raise RuntimeError(FORCED)

    def test_never_runs(self):
        pass


class QemuChild:
    """test_qemu_lifecycle's QemuDaemon (qemu:///session) with a running QEMU."""

    @classmethod
    def setUpClass(cls):
        from test_qemu_lifecycle import QemuDaemon
        cls.daemon = QemuDaemon()
        cls.daemon.start()

        def virsh(*argv):
            p = cls.daemon.virsh("unix", list(argv), timeout=150)
            return p.returncode, p.stderr + cls.daemon.log()[-2000:]
        name = start_firmware_guest(virsh, cls.daemon.tmp)
        qemus = cleanup.recorded_qemus(cls.daemon.runtime_dir / "virtbus" / "qemu")
        if len(qemus) != 1:
            raise AssertionError("%s: QEMUs recorded: %r" % (name, qemus))
        record({"dbus-daemon": cls.daemon.dbus_proc.pid, "virtbusd": cls.daemon.proc.pid,
                "qemu": next(iter(qemus))}, cls.daemon.tmp)
        raise RuntimeError(FORCED)

    def test_never_runs(self):
        pass


class NetChild:
    """net_harness's NetWorld (virtbusd --system, polkitd, the system bus, the default network's
    dnsmasq) with a running QEMU on the default network."""

    @classmethod
    def setUpClass(cls):
        import net_harness as nh
        cls.world = nh.NetWorld()
        cls.world.create_default_network = 1
        cls.world.start()
        nh.wait_for(lambda: nh.dnsmasq_servers(), "the default network's dnsmasq")

        def virsh(*argv):
            p = cls.world.virsh(*argv)
            return p.returncode, p.stderr + cls.world.log()[-2000:]
        name = start_firmware_guest(virsh, cls.world.tmp, nic="<interface type='network'><source network='default'/></interface>")
        qemus = cleanup.recorded_qemus(cls.world.tmp / "run-virtbus" / "qemu")
        if len(qemus) != 1:
            raise AssertionError("%s: QEMUs recorded: %r" % (name, qemus))
        # a process detached from everything the world started, as cockpit's session leaves
        detached = subprocess.run(["sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!"], capture_output=True,
                                  text=True, check=True).stdout
        pids = {name: p.pid for name, p in cls.world.procs.items()}
        pids.update(qemu=next(iter(qemus)), dnsmasq=nh.dnsmasq_servers()[0], detached=int(detached))
        record(pids, cls.world.tmp)
        raise RuntimeError(FORCED)

    def test_never_runs(self):
        pass


class TermChild:
    """harness.Daemon started, then the run waits until meson's timeout would SIGTERM it."""

    @classmethod
    def setUpClass(cls):
        import harness
        cls.daemon = harness.Daemon()
        cls.daemon.start()

    def test_waits(self):
        record({"dbus-daemon": self.daemon.dbus_proc.pid, "virtbusd": self.daemon.proc.pid}, self.daemon.tmp)
        time.sleep(600)


def run_child(kind):
    """The child's one test class, from its mixin (mixins: the parent's run collects none)."""
    mixin = globals()[kind + "Child"]
    globals()["Child"] = type("Child", (mixin, unittest.TestCase), {"__module__": "__main__"})
    sys.argv[1:] = ["Child"]
    if kind == "Net":
        import net_harness
        net_harness.enter_namespace()
    if os.environ.get(PLAIN_ENV):
        unittest.main(module="__main__")
    import testmain
    testmain.main()


# ---------------------------------------------------------------------------------------------
# The checks

class HarnessCleanupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(os.environ.get("TMPDIR", "/tmp")) / ("virtbus-cleanup-check-%d" % os.getpid())
        self.tmp.mkdir(exist_ok=True)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def child(self, kind, plain=False, timeout=240):
        """Run the child; (its pids by name, its output)."""
        pids_file = self.tmp / ("%s.pids" % kind)
        env = dict(os.environ, **{CHILD_ENV: kind, PIDS_ENV: str(pids_file)})
        env.pop("VIRTBUS_TEST_KEEP", None)
        if plain:
            env[PLAIN_ENV] = "1"
        p = subprocess.run([sys.executable, str(Path(__file__).resolve())], env=env, capture_output=True,
                           text=True, timeout=timeout)
        out = p.stdout + p.stderr
        if p.returncode == 77 or "SKIP" in out and not pids_file.exists():
            self.skipTest("the child skipped: " + out.strip().splitlines()[-1])
        self.assertTrue(pids_file.exists(), "the child failed before recording its pids:\n" + out)
        self.assertEqual(p.returncode, 1, "the child's setUpClass error is its result:\n" + out)
        self.assertIn(FORCED, out)
        self.assertIn("setUpClass", out)
        rec = json.loads(pids_file.read_text())
        if plain:
            self.addCleanup(shutil.rmtree, rec["tmp"], True)
        return rec["pids"], out

    def test_sigterm_mid_run(self):
        """meson's timeout: SIGTERM while a test runs stops what the class had started."""
        pids_file = self.tmp / "Term.pids"
        env = dict(os.environ, **{CHILD_ENV: "Term", PIDS_ENV: str(pids_file)})
        env.pop("VIRTBUS_TEST_KEEP", None)
        p = subprocess.Popen([sys.executable, str(Path(__file__).resolve())], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        try:
            wait_for("the child's pids", pids_file.exists, 30)
            time.sleep(0.2)
            p.terminate()
            out, _ = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 1, out)
        self.assertIn("interrupted (SIGTERM)", out)
        self.assertAllGone(json.loads(pids_file.read_text())["pids"], out)

    def assertAllGone(self, pids, out):
        # Processes that are not the child's own (QEMU, dnsmasq) are reaped by their new parent
        # once killed: a moment after the child ends at most.
        try:
            wait_for("every process gone", lambda: all(cleanup.gone(p) for p in pids.values()), 10)
        except AssertionError:
            left = {n: p for n, p in pids.items() if not cleanup.gone(p)}
            self.fail("left running after the failed setUpClass: %r\n%s" % (left, out))

    def test_session_daemon_and_bus(self):
        pids, out = self.child("Session")
        self.assertEqual(set(pids), {"dbus-daemon", "virtbusd"})
        self.assertAllGone(pids, out)

    def test_plain_unittest_leaves_them_running(self):
        """The control: without testmain's cleanups the same child leaves its processes."""
        pids, out = self.child("Session", plain=True)
        left = {n: p for n, p in pids.items() if not cleanup.gone(p)}
        for pid in left.values():
            os.kill(pid, 9)
        self.assertEqual(set(left), {"dbus-daemon", "virtbusd"}, out)

    def test_qemu_session_guest(self):
        if not shutil.which("qemu-system-x86_64"):
            self.skipTest("qemu-system-x86_64 is not installed")
        pids, out = self.child("Qemu")
        self.assertEqual(set(pids), {"dbus-daemon", "virtbusd", "qemu"})
        self.assertAllGone(pids, out)

    def test_system_world_network_and_guest(self):
        if not shutil.which("qemu-system-x86_64"):
            self.skipTest("qemu-system-x86_64 is not installed")
        pids, out = self.child("Net")
        self.assertEqual(set(pids), {"bus", "polkitd", "virtbusd", "qemu", "dnsmasq", "detached"})
        self.assertAllGone(pids, out)


if __name__ == "__main__":
    if os.environ.get(CHILD_ENV):
        run_child(os.environ[CHILD_ENV])
    import testmain
    testmain.main()
