#!/usr/bin/python3
"""virtbus snapshot benchmark: virtbusd against libvirtd 9.0's QEMU driver.

For the same minimal running domain (type='qemu', TCG, 64 MiB, one vCPU, machine pc, nothing
boots, one 64 MiB qcow2 disk) on each side (the sides of tests/bench/qemu_bench.py: virtbusd
--session and a session libvirtd 9.0, both in temporary XDG directories, reached by
python3-libvirt):

  * create: dom.snapshotCreateXML(<name>) of the running guest until it returns (an internal
    snapshot: memory and disk into the qcow2 image);
  * delete: snap.delete() until it returns;
  * round trip: the two together.

n cycles per side after one warm-up, in rounds that rotate which side goes first. Never a
pass/fail test; the target (issue 14): each ≤ 0.5 × libvirtd's time.

  /usr/bin/python3 tests/bench/qemu_snapshot_bench.py [-n 10] [--write-doc]
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qemu_bench  # noqa: E402
from qemu_bench import LibvirtdSide, VirtbusdSide, dpkg_version, git_revision, libvirt, log, ms  # noqa: E402
from remote_bench import BenchError, machine, stats  # noqa: E402

DOC = qemu_bench.ROOT / "docs" / "benchmarks-qemu.md"
DOC_BEGIN = "<!-- qemu_snapshot_bench: begin -->"
DOC_END = "<!-- qemu_snapshot_bench: end -->"
TARGET = 0.5

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def cycle(side, workdir):
    """define, start, snapshot, delete the snapshot, destroy, undefine; (create ms, delete ms)."""
    name = side.name()
    disk = os.path.join(workdir, name + ".qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
    os.chmod(disk, 0o666)       # libvirtd's QEMU runs as uid nobody
    dom = side.conn.defineXML(DOMAIN_XML.format(name=name, disk=disk))
    dom.create()
    t0 = time.perf_counter()
    snap = dom.snapshotCreateXML("<domainsnapshot><name>bench</name></domainsnapshot>", 0)
    t_create = ms(t0)
    t0 = time.perf_counter()
    snap.delete(0)
    t_delete = ms(t0)
    dom.destroy()
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    os.unlink(disk)
    return t_create, t_delete


def measure(sides, n, rounds, workdir):
    per_round = max(1, -(-n // rounds))
    for s in sides:
        s.res = {"create": [], "delete": [], "round_trip": []}
        cycle(s, workdir)       # warm-up
    done, r = 0, 0
    while done < n:
        k = min(per_round, n - done)
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for s in order:
            for _ in range(k):
                a, b = cycle(s, workdir)
                s.res["create"].append(a)
                s.res["delete"].append(b)
                s.res["round_trip"].append(a + b)
        done += k
        r += 1
    for s in sides:
        log(f"{s.label}: " + "; ".join(f"{k} median {stats(v)['median']:.0f} ms" for k, v in s.res.items()))


def render(results):
    v, l = results["sides"].get("virtbusd"), results["sides"].get("libvirtd")
    m = results["machine"]
    lines = [f"Run {results['date']} on {m.get('cpu', '?')} × {m.get('cores', '?')} cores, kernel {m.get('kernel', '?')} "
             f"({results['git']}), libvirtd "
             f"{results['libvirtd_version']}, QEMU {results['qemu_version']}; n = {results['n']} per side; "
             f"load average {results['load_before']} before, {results['load_after']} after.", "",
             "| | virtbusd median (p90) | libvirtd 9.0 median (p90) | ratio (target ≤ 0.5) |",
             "|---|---|---|---|"]
    for key, label in (("create", "snapshot create (running)"), ("delete", "snapshot delete (running)"),
                       ("round_trip", "create + delete")):
        vs = v[key]
        ls = l[key] if l else None
        ratio = f"{vs['median'] / ls['median']:.2f}×" if ls else "—"
        lcell = f"{ls['median']:.0f} ms ({ls['p90']:.0f})" if ls else "—"
        lines.append(f"| {label} | {vs['median']:.0f} ms ({vs['p90']:.0f}) | {lcell} | {ratio} |")
    return "\n".join(lines) + "\n"


def write_doc(table):
    text = DOC.read_text()
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        _, foot = rest.split(DOC_END, 1)
        text = head + DOC_BEGIN + "\n" + table + DOC_END + foot
    else:
        text = text.rstrip("\n") + "\n\n## Snapshots (qemu_snapshot_bench.py)\n\n" + DOC_BEGIN + "\n" + table + DOC_END + "\n"
    DOC.write_text(text)
    log(f"wrote {DOC}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
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
    # both daemons' QEMUs (libvirtd's runs as uid nobody) open the disks here
    workdir = tempfile.mkdtemp(prefix="virtbus-snapshot-bench-")
    os.chmod(workdir, 0o1777)
    sides = []
    try:
        wanted = [VirtbusdSide(opts.virtbusd)] + ([] if opts.no_libvirtd else [LibvirtdSide(opts.libvirtd)])
        for s in wanted:
            sides.append(s)
            s.start()
        measure(sides, opts.n, opts.rounds, workdir)
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
    table = render(results)
    print(table)
    if opts.write_doc:
        write_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
