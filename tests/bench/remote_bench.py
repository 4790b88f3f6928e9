#!/usr/bin/python3
"""virtbus remote-protocol benchmark: virtbusd against libvirtd 9.0, same client, same workload.

Both daemons serve libvirt's test:///default content over a unix socket, and the same client
(python3-libvirt 9.0, and virsh 9.0 for one row) runs the same workload against each, in one
run, taking turns between the two daemons in rounds so that the machine's load weighs on both
alike:

  * connect + close (libvirt.open + close, no event loop),
  * defineXML of N domains (N = 1000): latency of each call and calls per second,
  * listAllDomains() with N + 1 domains,
  * XMLDesc() of the domain "test",
  * a create / suspend / resume / destroy cycle on one defined domain,
  * `virsh list --all` with N + 1 domains (wall time of the whole command),
  * lifecycle event latency: from just before a suspend (or resume) call on one connection to
    the event's arrival on another connection that runs libvirt's default event loop (both in
    one child process, so one clock),
  * the daemon's VmRSS idle (sockets up, no client yet, settled) and with N + 1 domains.

libvirtd's test driver keeps test:///default's state only while a connection to it is open
(checked: a domain defined by one virsh process is gone for the next one when no other
connection is open). So a "holder" connection stays open on each daemon for the whole run, and
every measurement goes through the daemon's socket (test+unix:///default?socket=...), for both
daemons alike. (virtbusd keeps its state regardless; the holder costs it nothing.)

libvirtd 9.0 (/usr/sbin/libvirtd, Debian's libvirt-daemon) runs, when we are root, as the system
daemon in private mount and network namespaces (`unshare --mount --net`) with tmpfs over /run,
/etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt, so the host's libvirt
configuration, sockets, state and network are untouched; its socket is reached through
/proc/PID/root/run/libvirt/libvirt-sock. Not root: as a session daemon in temporary XDG
directories. virtbusd runs with --session in temporary XDG directories and a private
dbus-daemon (it owns org.libvirt).

This is a benchmark, never a pass/fail timed test. --smoke runs tiny counts and checks only
that both daemons answered every call (exit 77, skipped, when a daemon is not available; a
failure under CI=true).

Run with Debian's python3 (python3-libvirt):
  /usr/bin/python3 tests/bench/remote_bench.py [--write-doc] [--domains 1000]
"""

import argparse
import datetime
import gc
import json
import os
import platform
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
DOC = ROOT / "docs" / "benchmarks-remote.md"

try:
    import libvirt
except ImportError:
    sys.exit("remote_bench: needs python3-libvirt; run it with /usr/bin/python3")

libvirt.registerErrorHandler(lambda *a: None, None)

DOMAIN_XML = ("<domain type='test'><name>vbbench-{i:05d}</name>"
              "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
              "<os><type>hvm</type></os></domain>")
CYCLE_XML = ("<domain type='test'><name>vbbench-cycle</name>"
             "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
             "<os><type>hvm</type></os></domain>")

# The issue's reference numbers for libvirtd 9.0 on its machine (for the doc's context only).
ISSUE_REFERENCE = {
    "connect": "0.67 ms", "define_rate": "3870 /s", "list_all": "1.66 ms", "xmldesc": "0.125 ms",
    "cycle": "0.54 ms", "virsh_list": "170 ms", "rss_idle": "26 MB",
}

# Targets: latency ≤ 0.5 × libvirtd's, define throughput ≥ 3 ×, RSS ≤ 0.25 ×.
LATENCY_KEYS = ["connect", "define", "list_all", "raw_list_all", "xmldesc", "lib_version", "raw_lib_version",
                "cycle", "virsh_list", "virsh_floor", "event"]
FLOOR_KEYS = ["raw_list_all", "lib_version", "raw_lib_version", "virsh_floor"]


def log(*a):
    print("remote_bench:", *a, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# processes

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError(f"no VmRSS for pid {pid}")


def rollup_kib(pid):
    """Pss and Private_Dirty from smaps_rollup: VmRSS also counts the shared libraries' clean
    pages, which other processes share; these two show the daemon's own share."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("Pss", "Private_Dirty"):
                    out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


def settled_rss(pid, timeout=5.0, interval=0.2):
    """VmRSS once three samples in a row agree (or after timeout)."""
    deadline = time.monotonic() + timeout
    last, same = rss_kib(pid), 0
    while time.monotonic() < deadline and same < 2:
        time.sleep(interval)
        now = rss_kib(pid)
        same = same + 1 if now == last else 0
        last = now
    return last


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


LIBVIRTD_NS_SCRIPT = r"""
set -e
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
    mount -t tmpfs -o mode=0755 virtbus-remote-bench "$d"
done
ip link set lo up 2>/dev/null || true
exec "$1" --config "$2"
"""


class Side:
    """One daemon under test: start(), uri, pid, stop()."""

    label = "?"

    def __init__(self):
        self.holder = None
        self.res = {}

    def open_holder(self):
        self.holder = libvirt.open(self.uri)
        if self.holder.getType() != "TEST":
            raise BenchError(f"{self.label}: the Test connection answers {self.holder.getType()!r}")

    def close_holder(self):
        if self.holder is not None:
            try:
                self.holder.close()
            except libvirt.libvirtError:
                pass
            self.holder = None


class VirtbusdSide(Side):
    label = "virtbusd"

    def __init__(self, binary):
        super().__init__()
        os.environ["VIRTBUSD"] = str(binary)
        import remote_harness
        remote_harness.VIRTBUSD = Path(binary)
        self.daemon = remote_harness.RemoteDaemon(tcp=False)

    def start(self):
        t0 = time.perf_counter()
        self.daemon.start()
        self.res["startup_ms"] = (time.perf_counter() - t0) * 1000
        self.uri = self.daemon.uri("unix")
        self.sock = self.daemon.sock
        self.pid = self.daemon.proc.pid

    def stop(self):
        self.close_holder()
        self.daemon.stop()


class LibvirtdNsSide(Side):
    """libvirtd as root in private mount and network namespaces."""

    label = "libvirtd"

    def __init__(self, binary, workdir):
        super().__init__()
        self.binary = binary
        self.workdir = Path(workdir)
        self.proc = None
        self.mode = "system daemon (root) in private mount+net namespaces"

    def start(self):
        for d in ("/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"):
            if not os.path.isdir(d):
                raise BenchError(f"{d} does not exist; not creating it on the host")
        conf = self.workdir / "libvirtd.conf"
        conf.write_text('# virtbus remote bench\nlog_outputs="3:stderr"\n')
        self.logpath = self.workdir / "libvirtd.log"
        with open(self.logpath, "w") as logf:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(["unshare", "--mount", "--net", "--propagation", "private",
                                          "/bin/sh", "-c", LIBVIRTD_NS_SCRIPT, "sh", str(self.binary), str(conf)],
                                         stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        sock = f"/proc/{self.proc.pid}/root/run/libvirt/libvirt-sock"
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"libvirtd exited with status {self.proc.returncode}:\n{tail(self.logpath)}")
            if os.path.exists(sock):
                try:
                    c = libvirt.open(f"test+unix:///default?socket={sock}")
                    c.close()
                    break
                except libvirt.libvirtError:
                    pass
            if time.monotonic() > deadline:
                raise BenchError(f"no {sock} within 30 s:\n{tail(self.logpath)}")
            time.sleep(0.02)
        self.res["startup_ms"] = (time.perf_counter() - t0) * 1000
        with open(f"/proc/{self.proc.pid}/comm") as f:
            comm = f.read().strip()
        if comm != "libvirtd":
            raise BenchError(f"pid {self.proc.pid} is {comm!r}, not libvirtd")
        self.uri = f"test+unix:///default?socket={sock}"
        self.sock = sock
        self.pid = self.proc.pid

    def stop(self):
        self.close_holder()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class LibvirtdSessionSide(Side):
    """libvirtd as a session daemon (uid nobody when root) in temporary XDG directories."""

    label = "libvirtd"

    def __init__(self, binary):
        super().__init__()
        import remote_harness
        remote_harness.LIBVIRTD = Path(binary)
        self.daemon = remote_harness.LibvirtdDaemon(tcp=False, holder=False)
        self.mode = "session daemon in temporary XDG directories"

    def start(self):
        t0 = time.perf_counter()
        self.daemon.start()
        self.res["startup_ms"] = (time.perf_counter() - t0) * 1000
        self.uri = self.daemon.uri("unix")
        self.sock = self.daemon.sock
        self.pid = self.daemon.proc.pid

    def stop(self):
        self.close_holder()
        self.daemon.stop()


# ---------------------------------------------------------------------------------------------
# measurements

def stats(samples_ms):
    s = sorted(samples_ms)
    if not s:
        return None
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return {"median": statistics.median(s), "p90": p90, "n": len(s), "mean": statistics.fmean(s)}


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def alternate(sides, key, count, make_op, rounds=5, warmup=0):
    """Run make_op(side)() count times per side, in rounds that alternate between the sides."""
    ops = {s.label: make_op(s) for s in sides}
    samples = {s.label: [] for s in sides}
    for s in sides:
        for _ in range(warmup):
            ops[s.label]()
    per_round = [count // rounds + (1 if i < count % rounds else 0) for i in range(rounds)]
    gc.disable()
    try:
        for n in per_round:
            for s in sides:
                op = ops[s.label]
                out = samples[s.label]
                for _ in range(n):
                    out.append(timed(op))
    finally:
        gc.enable()
    for s in sides:
        s.res[key] = stats(samples[s.label])
        log(f"{s.label}: {key} median {s.res[key]['median']:.3f} ms (p90 {s.res[key]['p90']:.3f}, n={s.res[key]['n']})")


def measure_connect(sides, count):
    def make(side):
        def op():
            c = libvirt.open(side.uri)
            c.close()
        return op
    alternate(sides, "connect", count, make, warmup=3)


def measure_define(sides, n):
    """Define n domains on each side, in alternating chunks; per-call latency and throughput."""
    conns = {s.label: libvirt.open(s.uri) for s in sides}
    counters = {s.label: 0 for s in sides}
    samples = {s.label: [] for s in sides}
    busy = {s.label: 0.0 for s in sides}
    chunk = max(1, n // 10)
    gc.disable()
    try:
        while any(counters[s.label] < n for s in sides):
            for s in sides:
                c = conns[s.label]
                todo = min(chunk, n - counters[s.label])
                t_chunk = time.perf_counter()
                for _ in range(todo):
                    i = counters[s.label] + 1
                    xml = DOMAIN_XML.format(i=i)
                    t0 = time.perf_counter()
                    c.defineXML(xml)
                    samples[s.label].append((time.perf_counter() - t0) * 1000)
                    counters[s.label] = i
                busy[s.label] += time.perf_counter() - t_chunk
    finally:
        gc.enable()
    for s in sides:
        s.res["define"] = stats(samples[s.label])
        s.res["define_rate"] = n / busy[s.label] if busy[s.label] else None
        got = conns[s.label].numOfDefinedDomains()
        if got != n:
            raise BenchError(f"{s.label}: {got} defined domains after defining {n}")
        conns[s.label].close()
        log(f"{s.label}: define median {s.res['define']['median']:.3f} ms, {s.res['define_rate']:.0f} /s")


def measure_list_all(sides, count, expect):
    conns = {s.label: libvirt.open(s.uri) for s in sides}
    for s in sides:
        got = len(conns[s.label].listAllDomains())
        if got != expect:
            raise BenchError(f"{s.label}: listAllDomains gave {got}, expected {expect}")
    alternate(sides, "list_all", count, lambda s: (lambda c=conns[s.label]: c.listAllDomains()), warmup=3)
    for c in conns.values():
        c.close()


def measure_lib_version(sides, count):
    """The smallest call through python3-libvirt: getLibVersion (connect_get_lib_version, not
    cached by the client, unlike getType)."""
    conns = {s.label: libvirt.open(s.uri) for s in sides}
    alternate(sides, "lib_version", count, lambda s: (lambda c=conns[s.label]: c.getLibVersion()), warmup=10)
    for c in conns.values():
        c.close()


def measure_raw(sides, count, key, proc, payload=b""):
    """One call's round trip from a bare socket client (remote_harness.RawClient): the daemon's
    share without python3-libvirt's (no objects made from the reply)."""
    import remote_harness as rh
    clients = {}
    for s in sides:
        clients[s.label] = rh.RawClient(s.sock, timeout=30).handshake(keepalive=False)

    def make(side):
        c = clients[side.label]
        return lambda: c.call_ok(proc, payload)
    try:
        alternate(sides, key, count, make, warmup=5)
    finally:
        for c in clients.values():
            c.close()


def measure_xmldesc(sides, count):
    conns = {s.label: libvirt.open(s.uri) for s in sides}
    doms = {k: c.lookupByName("test") for k, c in conns.items()}
    alternate(sides, "xmldesc", count, lambda s: (lambda d=doms[s.label]: d.XMLDesc()), warmup=10)
    for c in conns.values():
        c.close()


def measure_cycle(sides, count):
    conns = {s.label: libvirt.open(s.uri) for s in sides}
    doms = {k: c.defineXML(CYCLE_XML) for k, c in conns.items()}

    def make(side):
        d = doms[side.label]

        def op():
            d.create()
            d.suspend()
            d.resume()
            d.destroy()
        return op
    alternate(sides, "cycle", count, make, warmup=3)
    for k, c in conns.items():
        doms[k].undefine()
        c.close()


def measure_virsh_list(sides, count, expect):
    virsh = shutil.which("virsh") or "/usr/bin/virsh"
    env = dict(os.environ, LC_ALL="C")
    env.pop("LIBVIRT_DEFAULT_URI", None)

    def make(side):
        def op():
            p = subprocess.run([virsh, "-c", side.uri, "list", "--all"], capture_output=True, text=True,
                               env=env, stdin=subprocess.DEVNULL, timeout=120)
            if p.returncode != 0:
                raise BenchError(f"{side.label}: virsh list --all failed: {p.stderr}")
            lines = [line for line in p.stdout.splitlines()[2:] if line.strip()]
            if len(lines) != expect:
                raise BenchError(f"{side.label}: virsh list --all printed {len(lines)} domains, expected {expect}")
        return op
    alternate(sides, "virsh_list", count, make, rounds=max(1, min(5, count)), warmup=1)

    # The floor under that row: the same virsh process start, connection and close, no call.
    def make_floor(side):
        def op():
            p = subprocess.run([virsh, "-c", side.uri, "uri"], capture_output=True, text=True,
                               env=env, stdin=subprocess.DEVNULL, timeout=120)
            if p.returncode != 0:
                raise BenchError(f"{side.label}: virsh uri failed: {p.stderr}")
        return op
    alternate(sides, "virsh_floor", count, make_floor, rounds=max(1, min(5, count)), warmup=1)


EVENT_CHILD = r"""
import json, sys, threading, time
import libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
uri, n = sys.argv[1], int(sys.argv[2])
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
listener = libvirt.open(uri)
actor = libvirt.open(uri)
cond = threading.Condition()
arrived = []
def cb(conn, dom, event, detail, opaque):
    t = time.perf_counter()
    with cond:
        arrived.append((t, event))
        cond.notify_all()
listener.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
dom = actor.lookupByName("test")
samples = []
for i in range(n + 3):
    want = libvirt.VIR_DOMAIN_EVENT_SUSPENDED if i % 2 == 0 else libvirt.VIR_DOMAIN_EVENT_RESUMED
    with cond:
        arrived.clear()
    t0 = time.perf_counter()
    (dom.suspend if i % 2 == 0 else dom.resume)()
    with cond:
        ok = cond.wait_for(lambda: any(e == want for _, e in arrived), timeout=5)
        if not ok:
            print(json.dumps({"error": "no event %d within 5 s" % want})); sys.exit(1)
        t1 = next(t for t, e in arrived if e == want)
    if i >= 3:
        samples.append((t1 - t0) * 1000.0)
if n % 2 == 1 or True:
    if dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
        dom.resume()
listener.close(); actor.close()
print(json.dumps({"samples": samples}))
"""


def measure_event_latency(sides, count):
    for s in sides:
        p = subprocess.run([sys.executable, "-c", EVENT_CHILD, s.uri, str(count)], capture_output=True,
                           text=True, timeout=120)
        try:
            out = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise BenchError(f"{s.label}: event child failed ({p.returncode}): {p.stdout}{p.stderr}")
        if "error" in out:
            raise BenchError(f"{s.label}: {out['error']}")
        s.res["event"] = stats(out["samples"])
        log(f"{s.label}: event latency median {s.res['event']['median']:.3f} ms")


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
            "python": platform.python_version(), "libvirt_client": libvirt.getVersion(),
            "loadavg": loadavg()}


def loadavg():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def virtbusd_version(binary):
    try:
        return subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "?"


# ---------------------------------------------------------------------------------------------
# the run

def run(opts):
    sides = []
    results = {"machine": machine(), "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
               "domains": opts.domains}
    workdir = tempfile.mkdtemp(prefix="virtbus-remote-bench-")
    try:
        wanted = []
        if opts.only in (None, "libvirtd"):
            if not os.access(opts.libvirtd, os.X_OK):
                raise BenchError(f"{opts.libvirtd} not installed (package libvirt-daemon)")
            if os.geteuid() == 0 and shutil.which("unshare") and not opts.libvirtd_session:
                lv = LibvirtdNsSide(opts.libvirtd, workdir)
            else:
                lv = LibvirtdSessionSide(opts.libvirtd)
            results["libvirtd_mode"] = lv.mode
            wanted.append(lv)
        if opts.only in (None, "virtbusd"):
            if not Path(opts.virtbusd).exists():
                raise BenchError(f"virtbusd not built: {opts.virtbusd}")
            wanted.append(VirtbusdSide(opts.virtbusd))
            results["virtbusd_version"] = virtbusd_version(opts.virtbusd)
        for s in wanted:
            s.start()
            sides.append(s)
            log(f"{s.label}: started in {s.res['startup_ms']:.0f} ms, pid {s.pid}, {s.uri}")
        time.sleep(opts.settle)
        for s in sides:
            s.res["rss_idle"] = settled_rss(s.pid)
            r = rollup_kib(s.pid)
            s.res["pss_idle"], s.res["dirty_idle"] = r.get("Pss"), r.get("Private_Dirty")
            log(f"{s.label}: idle RSS {s.res['rss_idle']} KiB")
        for s in sides:
            s.open_holder()

        measure_connect(sides, opts.connects)
        measure_lib_version(sides, opts.calls)
        measure_raw(sides, opts.calls, "raw_lib_version", 157)
        measure_xmldesc(sides, opts.calls)
        measure_cycle(sides, opts.cycles)
        measure_event_latency(sides, opts.events)
        measure_define(sides, opts.domains)
        measure_list_all(sides, opts.iterations, opts.domains + 1)
        measure_raw(sides, opts.iterations, "raw_list_all", 273, struct.pack(">iI", 1, 0))
        measure_virsh_list(sides, opts.virsh_runs, opts.domains + 1)
        for s in sides:
            s.res["rss_full"] = settled_rss(s.pid)
            r = rollup_kib(s.pid)
            s.res["pss_full"], s.res["dirty_full"] = r.get("Pss"), r.get("Private_Dirty")
            log(f"{s.label}: RSS with {opts.domains + 1} domains {s.res['rss_full']} KiB")
        for s in sides:
            if not s.holder.isAlive():
                raise BenchError(f"{s.label}: the holder connection died")
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:  # report, keep stopping the others
                log(f"{s.label}: stop: {e}")
        shutil.rmtree(workdir, ignore_errors=True)
    for s in sides:
        results[s.label] = s.res
    results["loadavg_end"] = loadavg()
    return results


def combine(runs):
    """Several whole runs as one: per measurement, the median of the runs' medians (and of their
    90th percentiles), and the median of single values (throughput, RSS)."""
    if len(runs) == 1:
        return runs[0]
    out = dict(runs[-1])
    out["runs"] = len(runs)
    out["date"] = runs[0]["date"]
    out["machine"] = runs[0]["machine"]       # its load average is the first run's start
    for label in ("virtbusd", "libvirtd"):
        if label not in runs[-1]:
            continue
        merged = {}
        for key, val in runs[-1][label].items():
            vals = [r[label][key] for r in runs if r.get(label, {}).get(key) is not None]
            if isinstance(val, dict):
                merged[key] = {k: statistics.median(v[k] for v in vals) for k in ("median", "p90", "mean")}
                merged[key]["n"] = sum(v["n"] for v in vals)
                merged[key]["per_run_medians"] = [v["median"] for v in vals]
            elif isinstance(val, (int, float)):
                merged[key] = statistics.median(vals)
                merged[key + "_per_run"] = vals
            else:
                merged[key] = val
        out[label] = merged
    return out


def fmt_ms(st, digits=3):
    if not st:
        return "n/a"
    return f"{st['median']:.{digits}f} ms ({st['p90']:.{digits}f})"


def fmt_kib(k):
    return "n/a" if k is None else f"{k / 1024:.1f} MiB"


def render(results):
    v, lv = results.get("virtbusd", {}), results.get("libvirtd", {})
    n = results["domains"]
    m = results["machine"]
    rows = []

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    def verdict(r, limit, smaller_is_better=True):
        if r is None:
            return ""
        ok = r <= limit if smaller_is_better else r >= limit
        return "met" if ok else "**missed**"

    titles = {
        "connect": "connect + close",
        "define": "defineXML (one call)",
        "list_all": f"listAllDomains(), {n + 1} domains",
        "xmldesc": "XMLDesc() of \"test\"",
        "cycle": "create + suspend + resume + destroy",
        "virsh_list": f"`virsh list --all`, {n + 1} domains (whole command)",
        "virsh_floor": "floor for the row above: `virsh uri` (process start, connect, close; no call)",
        "raw_list_all": "  the same from a bare socket client (no python3-libvirt objects)",
        "lib_version": "getLibVersion(): the smallest call (python3-libvirt's floor)",
        "raw_lib_version": "  the same from a bare socket client",
        "event": "lifecycle event latency (suspend call → event on another connection)",
    }
    for key in LATENCY_KEYS:
        a, b = v.get(key), lv.get(key)
        r = ratio(a["median"] if a else None, b["median"] if b else None)
        digits = 1 if key.startswith("virsh") else 3
        target = "" if key == "define" or key in FLOOR_KEYS else f"≤ 0.5×: {verdict(r, 0.5)}"
        rows.append((titles[key], fmt_ms(a, digits), fmt_ms(b, digits), f"{r:.2f}" if r else "n/a", target))
    a, b = v.get("define_rate"), lv.get("define_rate")
    r = ratio(a, b)
    rows.append((f"defineXML throughput ({n} domains, one connection)", f"{a:,.0f} /s" if a else "n/a",
                 f"{b:,.0f} /s" if b else "n/a", f"{r:.2f}" if r else "n/a", f"≥ 3×: {verdict(r, 3.0, False)}"))
    for key, title in (("rss_idle", "RSS idle (sockets up, no client)"),
                       ("pss_idle", "  its PSS (shared library pages divided among their users)"),
                       ("dirty_idle", "  its private dirty memory (the daemon's own)"),
                       ("rss_full", f"RSS with {n + 1} domains"),
                       ("pss_full", "  its PSS"),
                       ("dirty_full", "  its private dirty memory")):
        a, b = v.get(key), lv.get(key)
        r = ratio(a, b)
        target = f"≤ 0.25×: {verdict(r, 0.25)}" if key.startswith("rss") else ""
        rows.append((title, fmt_kib(a), fmt_kib(b), f"{r:.2f}" if r else "n/a", target))
    a, b = v.get("startup_ms"), lv.get("startup_ms")
    rows.append(("start until the socket answers", f"{a:.0f} ms" if a else "n/a", f"{b:.0f} ms" if b else "n/a",
                 f"{ratio(a, b):.2f}" if a and b else "n/a", ""))

    out = []
    nruns = results.get("runs", 1)
    what = f"{nruns} whole runs (medians of their values)" if nruns > 1 else "one run"
    out.append(f"Run {results['date']} ({what}) on {m['cpu']}, {m['cores']} cores, {m['memory']}, "
               f"Linux {m['kernel']}, load average at the start {m['loadavg']}, "
               f"at the end {results.get('loadavg_end', '?')}.  ")
    out.append(f"Command: `/usr/bin/python3 {results['command']}`.  ")
    out.append(f"virtbusd: {results.get('virtbusd_version', '?')}; libvirtd 9.0 as a {results.get('libvirtd_mode')}; "
               f"client python3-libvirt / virsh {m['libvirt_client'] // 1000000}.{m['libvirt_client'] // 1000 % 1000}."
               f"{m['libvirt_client'] % 1000}, Python {m['python']}.")
    out.append("")
    if results.get("runs"):
        out.append(f"{results['runs']} whole runs, one after the other; each cell is the median of the runs' "
                   "values (for times: of their medians, and in brackets of their 90th percentiles).")
        out.append("")
    out.append("Times: median (90th percentile). Ratio = virtbusd / libvirtd (below 1 is faster or smaller; "
               "for throughput above 1 is better).")
    out.append("")
    out.append("| measurement | virtbusd | libvirtd 9.0 | ratio | target |")
    out.append("|---|---|---|---|---|")
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    counts = results.get("counts", {})
    if counts:
        out.append("")
        out.append("Counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".")
    return "\n".join(out) + "\n"


DOC_BEGIN = "<!-- remote-bench:begin (written by tests/bench/remote_bench.py --write-doc) -->"
DOC_END = "<!-- remote-bench:end -->"


def write_doc(table):
    text = DOC.read_text() if DOC.exists() else ""
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        _, foot = rest.split(DOC_END, 1)
        text = head + DOC_BEGIN + "\n" + table + DOC_END + foot
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + DOC_BEGIN + "\n" + table + DOC_END + "\n"
    DOC.write_text(text)
    log(f"wrote {DOC}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--libvirtd-session", action="store_true",
                    help="run libvirtd as a session daemon even when root")
    ap.add_argument("--only", choices=["virtbusd", "libvirtd"], help="measure one side alone")
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--connects", type=int, default=300)
    ap.add_argument("--calls", type=int, default=2000, help="XMLDesc calls")
    ap.add_argument("--iterations", type=int, default=200, help="listAllDomains calls with all domains")
    ap.add_argument("--cycles", type=int, default=300)
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--virsh-runs", type=int, default=10)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before the idle RSS")
    ap.add_argument("--repeat", type=int, default=1,
                    help="whole runs (fresh daemons each); the table gives the median of their values")
    ap.add_argument("--smoke", action="store_true", help="tiny counts; checks both daemons answered")
    ap.add_argument("--write-doc", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    ap.add_argument("--json", help="write the raw numbers to this file")
    opts = ap.parse_args()
    if opts.smoke:
        opts.domains, opts.connects, opts.calls, opts.iterations = 20, 5, 10, 5
        opts.cycles, opts.events, opts.virsh_runs, opts.settle = 5, 4, 1, 0.2
        opts.repeat = 1
    counts = {"connects": opts.connects, "XMLDesc": opts.calls, "listAllDomains": opts.iterations,
              "cycles": opts.cycles, "events": opts.events, "virsh runs": opts.virsh_runs}
    try:
        runs = []
        for i in range(opts.repeat):
            if opts.repeat > 1:
                log(f"run {i + 1} of {opts.repeat}")
            runs.append(run(opts))
        results = combine(runs)
    except BenchError as e:
        log(str(e))
        if opts.smoke and ("not built" in str(e) or "not installed" in str(e)):
            import testmain
            testmain.skip_program(str(e))   # exit 77, or 1 under CI=true
        return 1
    results["counts"] = counts
    table = render(results)
    print(table)
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=2))
    if opts.write_doc and not opts.smoke:
        write_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
