"""bench_rounds.py: what the side-by-side QEMU benchmarks (qemu_save_bench.py, qemu_snapshot_bench.py,
qemu_hotplug_bench.py) share: cycles in rounds that rotate which side goes first, the table of
medians and ratios, and its section of docs/benchmarks-qemu.md."""

import os
import shutil

from qemu_bench import LibvirtdSide, VirtbusdSide
from remote_bench import BenchError, stats


def measure(sides, n, rounds, cycle, keys, log):
    """One warm-up cycle per side, then n cycles per side; cycle(side) returns one time per
    key but the last (the sum of the others)."""
    per_round = max(1, -(-n // rounds))
    for s in sides:
        s.res = {k: [] for k in keys}
        cycle(s)
    done, r = 0, 0
    while done < n:
        k = min(per_round, n - done)
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for s in order:
            for _ in range(k):
                times = cycle(s)
                for key, t in zip(keys, times):
                    s.res[key].append(t)
                s.res[keys[-1]].append(sum(times))
        done += k
        r += 1
    for s in sides:
        log(f"{s.label}: " + "; ".join(f"{k} median {stats(v)['median']:.0f} ms" for k, v in s.res.items()))


def render(results, rows, first_column=""):
    """The run's context and a row per (key, label): virtbusd and libvirtd medians (p90), ratio."""
    v, l = results["sides"].get("virtbusd"), results["sides"].get("libvirtd")
    m = results["machine"]
    lines = [f"Run {results['date']} on {m.get('cpu', '?')} × {m.get('cores', '?')} cores, kernel {m.get('kernel', '?')} "
             f"({results['git']}), libvirtd "
             f"{results['libvirtd_version']}, QEMU {results['qemu_version']}; n = {results['n']} per side; "
             f"load average {results['load_before']} before, {results['load_after']} after.", "",
             f"|{' ' + first_column + ' ' if first_column else ' '}| virtbusd median (p90) | libvirtd 9.0 median (p90) | ratio (target ≤ 0.5) |",
             "|---|---|---|---|"]
    for key, label in rows:
        vs = v[key]
        ls = l[key] if l else None
        ratio = f"{vs['median'] / ls['median']:.2f}×" if ls else "—"
        lcell = f"{ls['median']:.0f} ms ({ls['p90']:.0f})" if ls else "—"
        lines.append(f"| {label} | {vs['median']:.0f} ms ({vs['p90']:.0f}) | {lcell} | {ratio} |")
    return "\n".join(lines) + "\n"


def write_doc(doc, begin, end, title, table, log):
    """Replace the section between the markers begin and end of doc (or append it under title)."""
    text = doc.read_text()
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, foot = rest.split(end, 1)
        text = head + begin + "\n" + table + end + foot
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n" + begin + "\n" + table + end + "\n"
    doc.write_text(text)
    log(f"wrote {doc}")


def run_sides(opts, results, workdir, prepare, measure, render, write_doc, log, wanted=None):
    """Start virtbusd's side and libvirtd's (unless opts.no_libvirtd), or the sides wanted,
    prepare(side) each once started, measure(sides), stop them and remove workdir; print the
    table render(results) gives (and write_doc it with opts.write_doc). The exit status."""
    sides = []
    try:
        if wanted is None:
            wanted = [VirtbusdSide(opts.virtbusd)] + ([] if opts.no_libvirtd else [LibvirtdSide(opts.libvirtd)])
        for s in wanted:
            sides.append(s)
            s.start()
            prepare(s)
        measure(sides)
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
