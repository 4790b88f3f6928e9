"""pids_cap.py: a process held in a pids cgroup whose limit is the tasks it has, so that its next
pthread_create fails with EAGAIN as on a host at its thread limit; for the tests of what the
daemon does when no thread can be had."""

import contextlib
import os
from pathlib import Path


def _new_group(pid, tag):
    """(the group pid is in, a new group beside it) of the pids controller (v1's, or v2 with pids
    enabled there), or None."""
    mine = {}
    for line in Path("/proc/%d/cgroup" % pid).read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        mine["pids" if "pids" in ctrls.split(",") else ctrls or "v2"] = path.lstrip("/")
    for mount, key in ((Path("/sys/fs/cgroup/pids"), "pids"), (Path("/sys/fs/cgroup"), "v2")):
        if key not in mine or not (mount / "cgroup.procs").exists():
            continue
        here = mount / mine[key]
        if key == "v2" and "pids" not in (here / "cgroup.subtree_control").read_text().split():
            continue
        new = here / ("vbtest-%s-%d" % (tag, os.getpid()))
        try:
            new.mkdir()
        except OSError:
            continue
        if (new / "pids.max").exists():
            return here, new
        new.rmdir()
    return None


@contextlib.contextmanager
def no_new_threads(testcase, pid, tag):
    """pid can make no thread inside the block (skips testcase where no pids group can be made);
    it is put back where it was afterwards."""
    groups = _new_group(pid, tag)
    if groups is None:
        testcase.skipTest("no pids cgroup can be made here")
    root, cg = groups
    try:
        (cg / "cgroup.procs").write_text("%d\n" % pid)
        (cg / "pids.max").write_text((cg / "pids.current").read_text())
        yield
    finally:
        # each step on its own, best effort: a failed write above stays the error reported
        for undo in (lambda: (cg / "pids.max").write_text("max\n"),
                     lambda: (root / "cgroup.procs").write_text("%d\n" % pid), cg.rmdir):
            with contextlib.suppress(OSError):
                undo()
