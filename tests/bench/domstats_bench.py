#!/usr/bin/python3
"""virtbus getAllDomainStats benchmark: `virsh domstats` of many running QEMU guests, virtbusd
against libvirtd 9.0 side by side (issue 13: "it stays fast with 100 guests").

Both daemons run as session daemons in temporary directories (libvirtd as uid nobody when we
are root; qemu_bench.py's sides). Each gets N transient guests of the same XML: TCG, 64 MiB,
one vCPU, a 16 MiB raw disk, a user-mode NIC and a virtio balloon; no kernel, so the guests
sit in the firmware (SeaBIOS finds no bootable disk). With all 2 × N guests running, each round
times one conn.getAllDomainStats(0) (every group, every guest) per side, the sides taking turns
and swapping who goes first each round. Reported: median and p90 per side, the ratio, the keys
per record (the same groups must be there on both sides), and virtbusd's time per guest.

Never a pass/fail test; --smoke (N = 2, 3 rounds) only checks both sides answered with the
same keys (exit 77 when QEMU, libvirtd or virtbusd is missing; a failure under CI=true).

  /usr/bin/python3 tests/bench/domstats_bench.py [-n 20] [--rounds 30] [--write-doc]
"""

import argparse
import datetime
import os
import shutil
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qemu_bench  # noqa: E402
import remote_bench  # noqa: E402
from remote_bench import BenchError, machine, stats, virtbusd_version  # noqa: E402

import libvirt  # noqa: E402

ROOT = remote_bench.ROOT
DOC = ROOT / "docs" / "benchmarks-domstats.md"

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'><model type='virtio'/></interface>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def start_guests(side, n, workdir):
    doms = []
    for i in range(n):
        disk = workdir / f"{side.label}-{i}.img"
        with open(disk, "wb") as f:
            f.truncate(16 << 20)
        if os.geteuid() == 0:
            os.chown(disk, 65534, 65534)     # libvirtd's QEMU runs as nobody
        name = f"ds-{side.label}-{i:03d}"
        doms.append(side.conn.createXML(DOMAIN_XML.format(name=name, disk=disk), 0))
    return doms


def timed_stats(conn):
    t0 = time.perf_counter()
    recs = conn.getAllDomainStats(0, 0)
    return (time.perf_counter() - t0) * 1000.0, recs


def run(opts):
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"virtbus-domstats-{os.getpid()}"
    workdir.mkdir(mode=0o755)
    sides = [qemu_bench.VirtbusdSide(opts.virtbusd)]
    if not opts.no_libvirtd:
        sides.append(qemu_bench.LibvirtdSide(opts.libvirtd))
    samples = {s.label: [] for s in sides}
    keys = {}
    try:
        for s in sides:
            s.start()
            log(f"{s.label}: starting {opts.n} guests")
            t0 = time.perf_counter()
            start_guests(s, opts.n, workdir)
            log(f"{s.label}: {opts.n} guests running after {time.perf_counter() - t0:.1f} s")
        for s in sides:                       # warm-up: first stats of every guest
            _, recs = timed_stats(s.conn)
            if len(recs) != opts.n:
                raise BenchError(f"{s.label}: {len(recs)} records for {opts.n} guests")
            keys[s.label] = sorted(recs[0][1].keys())
        for r in range(opts.rounds):
            order = sides if r % 2 == 0 else sides[::-1]
            for s in order:
                ms, recs = timed_stats(s.conn)
                if len(recs) != opts.n:
                    raise BenchError(f"{s.label}: {len(recs)} records for {opts.n} guests")
                samples[s.label].append(ms)
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:     # noqa: BLE001
                log(f"{s.label}: stop: {e}")
        shutil.rmtree(workdir, ignore_errors=True)
    return {"n": opts.n, "rounds": opts.rounds, "keys": keys,
            "virtbusd": stats(samples["virtbusd"]), "libvirtd": stats(samples.get("libvirtd", []))}


def machine_line():
    m = machine()
    return f"{m['cpu']}, {m['cores']} cores, {m['memory']}, kernel {m['kernel']}, load average {m['loadavg']}"


def render(res, opts):
    v, lv = res["virtbusd"], res["libvirtd"]
    if lv is None:
        return "\n".join([
            f"### Run of {datetime.datetime.now().astimezone().isoformat(timespec='seconds')} (virtbusd alone)",
            "", f"Machine: {machine_line()}; {res['n']} running guests, {res['rounds']} rounds.", "",
            "| getAllDomainStats(0), all guests | median | p90 | per guest (median) | keys per record |",
            "| --- | --- | --- | --- | --- |",
            f"| virtbusd | {v['median']:.1f} ms | {v['p90']:.1f} ms | {v['median'] / res['n']:.2f} ms | "
            f"{len(res['keys']['virtbusd'])} |", ""])
    kv, kl = res["keys"]["virtbusd"], res["keys"]["libvirtd"]
    only_v = sorted(set(kv) - set(kl))
    only_l = sorted(set(kl) - set(kv))
    lines = [
        f"### Run of {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        "",
        f"Machine: {machine_line()}; virtbusd: {virtbusd_version(opts.virtbusd)}; libvirtd 9.0 (Debian 12); "
        f"{res['n']} running guests per side (both sides' guests up together), {res['rounds']} rounds.",
        "",
        "| getAllDomainStats(0), all guests | median | p90 | per guest (median) |",
        "| --- | --- | --- | --- |",
        f"| virtbusd | {v['median']:.1f} ms | {v['p90']:.1f} ms | {v['median'] / res['n']:.2f} ms |",
        f"| libvirtd 9.0 | {lv['median']:.1f} ms | {lv['p90']:.1f} ms | {lv['median'] / res['n']:.2f} ms |",
        f"| ratio virtbusd / libvirtd | {v['median'] / lv['median']:.2f} | {v['p90'] / lv['p90']:.2f} | |",
        "",
        f"Keys per record: virtbusd {len(kv)}, libvirtd {len(kl)}; only virtbusd: {only_v or 'none'}; "
        f"only libvirtd: {only_l or 'none'}.",
        "",
    ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("-n", type=int, default=20, help="running guests per side")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--no-libvirtd", action="store_true", help="virtbusd alone (e.g. -n 100)")
    ap.add_argument("--write-doc", action="store_true", help=f"append the table to {DOC.relative_to(ROOT)}")
    opts = ap.parse_args()
    if opts.smoke:
        opts.n, opts.rounds = 2, 3
    needed = (qemu_bench.QEMU, opts.virtbusd) + (() if opts.no_libvirtd else (opts.libvirtd,))
    missing = [p for p in needed if not Path(p).exists()]
    if missing:
        log("missing: " + ", ".join(map(str, missing)))
        sys.exit(1 if os.environ.get("CI") == "true" else 77)
    libvirt.registerErrorHandler(lambda *a: None, None)
    res = run(opts)
    text = render(res, opts)
    print(text)
    if opts.smoke and not opts.no_libvirtd and res["keys"]["virtbusd"] != res["keys"]["libvirtd"]:
        sys.exit(1)
    if opts.write_doc:
        with open(DOC, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
