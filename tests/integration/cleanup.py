"""cleanup.py: every process a harness starts goes away with the test class that started it, also
when that class's setUpClass fails part-way (unittest then runs no tearDownClass, only the
class's cleanups).

A harness object calls owned(self.stop) before it starts its first process. Under
testmain.main() every test class's setUpClass runs with the class known here, so owned()
registers stop as a class cleanup of that class: unittest runs it after tearDownClass, and after
a setUpClass that raised. stop then runs twice after a clean run, so it must be idempotent.
Outside a setUpClass (setUp, a test method, `python3 -m unittest`) owned() registers nothing and
the caller stops what it started, as before. When the run is cut short (SIGTERM, Ctrl-C)
testmain.main() runs every registered stop on its way out (stop_all()).

The process helpers the harnesses' stops share live here too. Standard library only:
test_polkit.py copies this file, with harness.py and remote_harness.py, for unprivileged callers.
"""

import json
import os
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

_setting_up = []        # the test classes whose setUpClass runs now, innermost last
_registered = []        # every stop owned() registered, for stop_all()


def owned(stop):
    """Register stop (idempotent) as a class cleanup of the test class now setting up; False when
    no setUpClass runs (the caller stops what it started itself)."""
    if not _setting_up:
        return False
    _setting_up[-1].addClassCleanup(stop)
    _registered.append(stop)
    return True


def stop_all():
    """Run every stop owned() registered, newest first (again for those already run: they are
    idempotent): a run cut short (meson's timeout sends SIGTERM, testmain turns it into
    KeyboardInterrupt, which unittest does not catch) leaves nothing behind either."""
    while _registered:
        stop = _registered.pop()
        try:
            stop()
        except Exception as e:
            print("cleanup: %r failed: %s" % (stop, e), file=sys.stderr)


def _all_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _all_tests(t)
        else:
            yield t


def _owning(func):
    def setUpClass(cls):
        _setting_up.append(cls)
        try:
            func(cls)
        finally:
            _setting_up.pop()
    setUpClass.owning = True
    setUpClass.__doc__ = func.__doc__
    return setUpClass


def own_class_resources(suite):
    """Make the setUpClass of every test class of suite (and of its mixins, e.g. a world class
    that holds setUpClass) run so that owned() finds the class being set up."""
    for test in _all_tests(suite):
        for klass in type(test).__mro__:
            if klass in (object, unittest.TestCase):
                continue
            f = klass.__dict__.get("setUpClass")
            if isinstance(f, classmethod) and not getattr(f.__func__, "owning", False):
                setattr(klass, "setUpClass", classmethod(_owning(f.__func__)))


def stop_process(p, timeout=10):
    """SIGTERM a Popen and wait for it, SIGKILL after timeout s; its exit code (None if killed).
    Again on an ended process: its exit code."""
    if p.poll() is not None:
        return p.returncode
    p.terminate()
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def start_time(pid):
    """Field 22 of /proc/PID/stat (what a daemon's runtime record keeps), None when gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


def gone(pid):
    return start_time(pid) is None


def recorded_qemus(qemu_run_dir):
    """The QEMUs a daemon recorded in qemu_run_dir (NAME.runtime.json: pid, start_time) that
    still run: pid → start time (a pid reused by another process does not match)."""
    out = {}
    for f in Path(qemu_run_dir).glob("*.runtime.json"):
        try:
            rec = json.loads(f.read_text())
            pid, started = int(rec["pid"]), int(rec["start_time"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if start_time(pid) == started:
            out[pid] = started
    return out


def kill_recorded_qemus(qemu_run_dir, daemon_running, timeout=10):
    """SIGKILL the QEMUs recorded in qemu_run_dir and wait until they are gone; with
    daemon_running, also until the daemon has removed their records (it has seen them end and
    given their files back). Guests outlive their daemon's stop (a restarted daemon adopts
    them), so a test's world ends them itself, before it stops the daemon. The pids killed."""
    pids = recorded_qemus(qemu_run_dir)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while any(not gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    while (pids and daemon_running and list(Path(qemu_run_dir).glob("*.runtime.json"))
           and time.monotonic() < deadline):
        time.sleep(0.05)
    return list(pids)
