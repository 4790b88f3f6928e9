#!/usr/bin/python3
"""A/B of virtbusd binaries on vol-upload and vol-download, side by side in one tmpfs.

Each binary runs as its own daemon with a dir pool (storage_bench.py's Side); the rounds rotate
the order, so the machine's load weighs on all alike. Per binary: the median throughput and the
daemon's CPU time (user + system, /proc/PID/stat) of each transfer, and its minor page faults
(what a buffer freshly mmap'ed per chunk costs shows there). A benchmark, not a test.

  /usr/bin/python3 tests/bench/storage_ab.py main=/work/main/build-l/service/virtbusd \\
      new=build/service/virtbusd [--rounds 4] [--size-mib 1024] [--sparse]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import storage_bench  # noqa: E402  (re-runs this script under unshare -m first)
from storage_bench import MIB, SCRATCH, Side, log  # noqa: E402

import remote_harness  # noqa: E402


def minflt(side):
    f = open("/proc/%d/stat" % side.daemon.proc.pid).read().rsplit(")", 1)[1].split()
    return int(f[7])            # field 10: minor faults of the process (all its threads)


def transfer(side, size, src, sparse, res):
    vol = side.new_volume("up.img", size)
    flag = " --sparse" if sparse else ""
    for what, cmd in (("upload", "vol-upload%s --pool bench up.img %s" % (flag, src)),
                      ("download", "vol-download%s --pool bench up.img %s" % (flag, SCRATCH / "down.img"))):
        f0 = minflt(side)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res[what].append(side.timed_virsh(cmd, what))
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res[what + "_cpu"].append(side.res[what + "_cpu"][-1])
        res[what + "_flt"].append(minflt(side) - f0)
        res[what + "_virsh"].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        res[what + "_virsh_flt"].append(r1.ru_minflt - r0.ru_minflt)
    out = SCRATCH / "down.img"
    if os.path.getsize(out) != size:
        raise storage_bench.BenchError("%s: download gave %d bytes" % (side.label, os.path.getsize(out)))
    out.unlink()
    vol.delete(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="+", metavar="LABEL=PATH")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--sparse", action="store_true", help="a source file with holes, --sparse transfers")
    opts = ap.parse_args()
    size = opts.size_mib * MIB
    SCRATCH.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % ((len(opts.binaries) + 2) * opts.size_mib + 256),
                    "tmpfs", str(SCRATCH)], check=True)
    sides, res = [], {}
    try:
        for spec in opts.binaries:
            label, path = spec.split("=", 1)
            remote_harness.VIRTBUSD = Path(path).resolve()
            s = Side(label, remote_harness.RemoteDaemon(tcp=False), 0)
            s.start()
            sides.append(s)
            res[label] = {k: [] for k in ("upload", "download", "upload_cpu", "download_cpu",
                                          "upload_flt", "download_flt", "upload_virsh", "download_virsh",
                                          "upload_virsh_flt", "download_virsh_flt")}
        src = SCRATCH / "random.bin"
        if opts.sparse:
            storage_bench.make_holey(src, size, 0)
        else:
            with open(src, "wb") as f:
                for _ in range(opts.size_mib):
                    f.write(os.urandom(MIB))
        os.chmod(src, 0o644)
        for r in range(opts.rounds):
            for i in range(len(sides)):
                s = sides[(i + r) % len(sides)]
                log("round %d: %s" % (r + 1, s.label))
                transfer(s, size, src, opts.sparse, res[s.label])
        print("| binary | upload MiB/s (range) | download MiB/s (range) | daemon CPU upload ms | daemon CPU download ms "
              "| virsh CPU upload ms | virsh CPU download ms | daemon minor faults upload | download "
              "| virsh minor faults upload | download |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for s in sides:
            d = res[s.label]

            def rate(k):
                return "%.0f (%.0f–%.0f)" % (size / MIB / statistics.median(d[k]), size / MIB / max(d[k]),
                                             size / MIB / min(d[k]))

            def ms(k):
                return "%.0f (%.0f–%.0f)" % tuple(1000 * x for x in (statistics.median(d[k]), min(d[k]), max(d[k])))
            print("| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f |" % (
                s.label, rate("upload"), rate("download"), ms("upload_cpu"), ms("download_cpu"), ms("upload_virsh"),
                ms("download_virsh"), statistics.median(d["upload_flt"]), statistics.median(d["download_flt"]),
                statistics.median(d["upload_virsh_flt"]), statistics.median(d["download_virsh_flt"])))
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:      # noqa: BLE001  (report, keep cleaning up)
                log("stopping %s: %s" % (s.label, e))
        subprocess.run(["umount", "-l", str(SCRATCH)])


if __name__ == "__main__":
    main()
