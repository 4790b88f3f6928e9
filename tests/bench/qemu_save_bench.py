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
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qemu_bench  # noqa: E402
from qemu_bench import DOMAIN_XML, LibvirtdSide, VirtbusdSide, dpkg_version, git_revision, libvirt, log, ms  # noqa: E402
from remote_bench import BenchError, machine, stats  # noqa: E402

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


def measure(sides, n, rounds, workdir, cycle_fn=cycle, keys=("save", "restore")):
    """cycle_fn(side, workdir) → (a ms, b ms), recorded as keys[0], keys[1] and their sum."""
    per_round = max(1, -(-n // rounds))
    for s in sides:
        s.res = {keys[0]: [], keys[1]: [], "round_trip": []}
        cycle_fn(s, workdir)    # warm-up
    done, r = 0, 0
    while done < n:
        k = min(per_round, n - done)
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for s in order:
            for _ in range(k):
                a, b = cycle_fn(s, workdir)
                s.res[keys[0]].append(a)
                s.res[keys[1]].append(b)
                s.res["round_trip"].append(a + b)
        done += k
        r += 1
    for s in sides:
        log(f"{s.label}: " + "; ".join(f"{k} median {stats(v)['median']:.0f} ms" for k, v in s.res.items()))


SAVE_ROWS = (("save", "save"), ("restore", "restore → running"), ("round_trip", "save + restore"))


def render(results, rows=SAVE_ROWS):
    v, l = results["sides"].get("virtbusd"), results["sides"].get("libvirtd")
    m = results["machine"]
    lines = [f"Run {results['date']} on {m.get('cpu', '?')} × {m.get('cores', '?')} cores, kernel {m.get('kernel', '?')} "
             f"({results['git']}), libvirtd "
             f"{results['libvirtd_version']}, QEMU {results['qemu_version']}; n = {results['n']} per side; "
             f"load average {results['load_before']} before, {results['load_after']} after.", "",
             "| | virtbusd median (p90) | libvirtd 9.0 median (p90) | ratio (target ≤ 0.5) |",
             "|---|---|---|---|"]
    for key, label in rows:
        vs = v[key]
        ls = l[key] if l else None
        ratio = f"{vs['median'] / ls['median']:.2f}×" if ls else "—"
        lcell = f"{ls['median']:.0f} ms ({ls['p90']:.0f})" if ls else "—"
        lines.append(f"| {label} | {vs['median']:.0f} ms ({vs['p90']:.0f}) | {lcell} | {ratio} |")
    return "\n".join(lines) + "\n"


def write_doc(table, begin=DOC_BEGIN, end=DOC_END, title="Save and restore (qemu_save_bench.py)"):
    text = DOC.read_text()
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, foot = rest.split(end, 1)
        text = head + begin + "\n" + table + end + foot
    else:
        text = text.rstrip("\n") + "\n\n## " + title + "\n\n" + begin + "\n" + table + end + "\n"
    DOC.write_text(text)
    log(f"wrote {DOC}")


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
    sides = []
    try:
        wanted = [VirtbusdSide(opts.virtbusd)] + ([] if opts.no_libvirtd else [LibvirtdSide(opts.libvirtd)])
        for s in wanted:
            sides.append(s)
            s.start()
        measure(sides, opts.n, opts.rounds, workdir, cycle_fn, keys)
        results["sides"] = {s.label: {k: stats(v) for k, v in s.res.items()} for s in sides}
    except BenchError as e:
        log(str(e))
        return 1
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:      # noqa: BLE001
                log(f"{s.label}: stop: {e}")
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = render(results, rows)
    print(table)
    if opts.write_doc:
        write_doc(table, *doc_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
