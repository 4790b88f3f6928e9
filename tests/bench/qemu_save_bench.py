#!/usr/bin/python3
"""virtbus save/restore benchmark: virtbusd against libvirtd 9.0's QEMU driver.

For the same minimal running domain (type='qemu', TCG, 64 MiB, one vCPU, machine pc, nothing
boots) on each side (the sides of tests/bench/qemu_bench.py: virtbusd --session and a session
libvirtd 9.0, both in temporary XDG directories, reached by python3-libvirt):

  * save: dom.save(path) until it returns (the domain is shut off, the image written);
  * restore: conn.restore(path) until it returns and the domain reports running;
  * round trip: the two together.

n cycles per side after one warm-up, in rounds that rotate which side goes first. Never a
pass/fail test; the target (issue 14): each ≤ 0.5 × libvirtd's time.

  /usr/bin/python3 tests/bench/qemu_save_bench.py [-n 10] [--write-doc]
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_rounds  # noqa: E402
import qemu_bench  # noqa: E402
from qemu_bench import DOMAIN_XML, dpkg_version, git_revision, libvirt, log, ms  # noqa: E402
from remote_bench import BenchError, machine  # noqa: E402

DOC = qemu_bench.ROOT / "docs" / "benchmarks-qemu.md"
DOC_BEGIN = "<!-- qemu_save_bench: begin -->"
DOC_END = "<!-- qemu_save_bench: end -->"
TARGET = 0.5


def cycle(side, workdir):
    """create, save, restore, destroy; (save ms, restore ms)."""
    name = side.name()
    dom = side.conn.createXML(DOMAIN_XML.format(name=name), 0)
    path = os.path.join(workdir, name + ".save")
    t0 = time.perf_counter()
    dom.save(path)
    t_save = ms(t0)
    t0 = time.perf_counter()
    side.conn.restore(path)
    dom = side.conn.lookupByName(name)
    while dom.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
        if ms(t0) > 60000:
            raise BenchError(f"{side.label}: {name} not running 60 s after restore")
        time.sleep(0.001)
    t_restore = ms(t0)
    dom.destroy()
    os.unlink(path)
    return t_save, t_restore


SAVE_ROWS = (("save", "save"), ("restore", "restore → running"), ("round_trip", "save + restore"))


def write_doc(table, begin=DOC_BEGIN, end=DOC_END, title="Save and restore (qemu_save_bench.py)"):
    bench_rounds.write_doc(DOC, begin, end, title, table, log)


def main(doc=__doc__, cycle_fn=cycle, keys=("save", "restore"), rows=SAVE_ROWS, prefix="virtbus-save-bench-",
         doc_args=()):
    """The benchmark's run; the snapshot benchmark (qemu_snapshot_bench.py) passes its own cycle."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(qemu_bench.ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--no-libvirtd", action="store_true")
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write-doc", action="store_true")
    opts = ap.parse_args()
    results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "n": opts.n,
               "git": git_revision(), "libvirtd_version": dpkg_version("libvirt-daemon"),
               "qemu_version": dpkg_version("qemu-system-x86"), "machine": machine()}
    # both daemons (libvirtd runs as uid nobody) write and read the images here
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.chmod(workdir, 0o1777)
    return bench_rounds.run_sides(
        opts, results, workdir, lambda side: None,
        lambda sides: bench_rounds.measure(sides, opts.n, opts.rounds, lambda side: cycle_fn(side, workdir),
                                           (*keys, "round_trip"), log),
        lambda res: bench_rounds.render(res, rows), lambda table: write_doc(table, *doc_args), log)

if __name__ == "__main__":
    sys.exit(main())
