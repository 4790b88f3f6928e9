#!/usr/bin/python3
"""virtbus benchmark: virtbusd side by side with libvirt-dbus 1.4.1 (and libvirtd 9.0).

Both daemons are measured in one run, through the same python3-dbus client, each on a private
session bus of its own (scripts/session-bus.conf: no service activation). Both run at once and
every timed series takes turns between them in rounds, so that the load of the machine weighs
on both alike:

  * Peer.Ping on /org/libvirt/Test (the client + bus floor),
  * Connect.ListDomains(0) on /org/libvirt/Test with the test driver's 1 domain,
  * Connect.DomainDefineXML of N-1 more domains (latency and throughput),
  * Connect.ListDomains(0) with N domains (N = 1000 by default),
  * Properties.GetAll("org.libvirt.Domain") on the domain "test" with N domains defined,
  * the daemon's VmRSS after start, idle (Test connection open, 1 domain) and with N domains,
  * and, as the floor for ListDomains, bench-floor (tests/bench/bench-floor.c): a bare sd-bus
    server that answers ListDomains with N prebuilt paths.

libvirt-dbus opens test:///default inside its own process (libvirt's test driver lives in the
client library), so the reference side needs no libvirtd. libvirtd's own idle RSS is measured
apart: started in private mount and network namespaces with tmpfs over /run, /etc/libvirt,
/var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt, so the host is left untouched.

This is a benchmark, never a pass/fail timed test. --smoke runs tiny counts and checks only
that both sides answered (exit 77, "skipped", when libvirt-dbus is not installed; a failure
under CI=true).

Run with Debian's python3 (python3-dbus):
  /usr/bin/python3 tests/bench/bench.py [--write-doc] [--domains 1000] [--iterations 300]
"""

import argparse
import datetime
import gc
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import dbus
except ImportError:
    sys.exit("bench: needs python3-dbus; run it with /usr/bin/python3 (scripts/setup.sh installs it)")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUS_CONF = os.path.join(ROOT, "scripts", "session-bus.conf")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BUS_NAME = "org.libvirt"
TEST_PATH = "/org/libvirt/Test"
CONNECT = "org.libvirt.Connect"
DOC_BEGIN = "<!-- bench:begin (written by tests/bench/bench.py --write-doc) -->"
DOC_END = "<!-- bench:end -->"

DOMAIN_XML = ("<domain type='test'><name>vbbench-{i:05d}</name>"
              "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
              "<os><type arch='x86_64'>hvm</type></os></domain>")

# Targets from the issue, for the table: (key, compare, limit, text).
TARGETS = {
    "list_n": ("median", 1.2, "≤ 1.2 ms"),
    "rss_idle": ("value", 6 * 1000 * 1000 / 1024, "≤ 6 MB"),
    "rss_per_domain": ("value", 2.0, "≤ 2 KiB"),
}


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# processes and measurements

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError(f"no VmRSS for pid {pid}")


def private_dirty_kib(pid):
    """Private_Dirty from smaps_rollup: the memory this process alone has written (heap,
    stacks, library data), without the shared libraries' clean pages that VmRSS also counts."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def settled_rss(pid, timeout=3.0, interval=0.1):
    """VmRSS once three samples in a row agree (or after timeout)."""
    deadline = time.monotonic() + timeout
    last, same = rss_kib(pid), 0
    while time.monotonic() < deadline and same < 2:
        time.sleep(interval)
        now = rss_kib(pid)
        same = same + 1 if now == last else 0
        last = now
    return last


def stop_process(proc, grace=15.0):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        log(f"pid {proc.pid} ignored SIGTERM for {grace:.0f}s: SIGKILL")
        proc.kill()
        proc.wait()


def libvirt_daemons():
    """pid and name of every libvirtd-like process on the host (not ones the bench started)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if comm in ("libvirtd", "virtqemud", "virtproxyd", "virtnetworkd", "virtstoraged"):
                found.append(f"{comm}[{pid}]")
    return found


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class PrivateBus:
    def __init__(self):
        out = subprocess.run(["dbus-daemon", f"--config-file={BUS_CONF}", "--fork",
                              "--print-address=1", "--print-pid=1"],
                             check=True, capture_output=True, text=True, timeout=30).stdout.split()
        if len(out) < 2:
            raise BenchError(f"dbus-daemon printed {out!r}")
        self.address, self.pid = out[0], int(out[1])
        self.conn = dbus.bus.BusConnection(self.address)

    def close(self):
        try:
            self.conn.close()
        finally:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def stats(samples_s):
    v = sorted(x * 1000.0 for x in samples_s)
    if not v:
        return None

    def pct(q):  # nearest rank
        return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))]
    return {"n": len(v), "median": pct(0.5), "p90": pct(0.9), "min": v[0], "max": v[-1],
            "mean": sum(v) / len(v)}


# ---------------------------------------------------------------------------------------------
# one daemon serving org.libvirt on the private bus

class BusService:
    """A process started to own org.libvirt on the private bus; stopped on leaving the block."""

    def __init__(self, label, argv, bus, opts, workdir):
        self.label, self.argv, self.bus, self.opts, self.workdir = label, argv, bus, opts, workdir
        self.proc = None
        self.logpath = os.path.join(workdir, "daemon.log")

    def __enter__(self):
        env = dict(os.environ)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus.address
        env.pop("DBUS_STARTER_ADDRESS", None)
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                         ("XDG_RUNTIME_DIR", "run"), ("XDG_CACHE_HOME", "cache"),
                         ("XDG_DATA_HOME", "data")):
            env[var] = os.path.join(self.workdir, sub)
            os.makedirs(env[var], mode=0o700, exist_ok=True)
        if self.bus.conn.name_has_owner(BUS_NAME):
            raise BenchError(f"{BUS_NAME} is already owned on the private bus")
        log(f"{self.label}: starting {' '.join(self.argv)}")
        with open(self.logpath, "w") as logf:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, env=env, stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            deadline = time.monotonic() + self.opts.start_timeout
            while not self.bus.conn.name_has_owner(BUS_NAME):
                if self.proc.poll() is not None:
                    raise BenchError(f"{self.label} exited with status {self.proc.returncode} "
                                     f"before owning {BUS_NAME}:\n{tail(self.logpath)}")
                if time.monotonic() > deadline:
                    raise BenchError(f"{self.label} did not own {BUS_NAME} within "
                                     f"{self.opts.start_timeout:.0f}s:\n{tail(self.logpath)}")
                time.sleep(0.005)
            self.startup_ms = (time.perf_counter() - t0) * 1000.0
        except BaseException:
            self.stop()
            raise
        return self

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchError(f"{self.label} exited during the run:\n{tail(self.logpath)}")

    def stop(self):
        if self.proc:
            stop_process(self.proc)
        # The name must be gone before the next daemon starts.
        deadline = time.monotonic() + 10
        while self.bus.conn.name_has_owner(BUS_NAME) and time.monotonic() < deadline:
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop()
        return False


def interleaved(calls, counts, warmup, rounds, errors):
    """Time calls[k]() counts[k] times for every side k, taking turns in chunks over `rounds`
    rounds (the order rotates every round), so that a change in the machine's load touches
    every side alike. A side whose call raises is dropped, its error kept in errors[k].
    Returns {k: stats}."""
    samples = {k: [] for k in calls}
    live = list(calls)
    for k in list(live):
        try:
            for _ in range(warmup):
                calls[k]()
        except dbus.exceptions.DBusException as e:
            errors[k] = f"{k}: {e}"
            live.remove(k)
    done = {k: 0 for k in calls}
    chunk = {k: max(1, math.ceil(counts[k] / rounds)) for k in calls}
    gc.collect()
    gc.disable()
    try:
        r = 0
        while any(done[k] < counts[k] for k in live):
            order = live[r % len(live):] + live[:r % len(live)]
            for k in order:
                m = min(chunk[k], counts[k] - done[k])
                fn, out = calls[k], samples[k]
                try:
                    for _ in range(m):
                        t0 = time.perf_counter()
                        fn()
                        out.append(time.perf_counter() - t0)
                except dbus.exceptions.DBusException as e:
                    errors[k] = f"{k}: {e}"
                    live.remove(k)
                    continue
                done[k] += m
            r += 1
    finally:
        gc.enable()
    return {k: stats(samples[k]) for k in live}


class Side:
    """One process owning org.libvirt on a private bus of its own, kept running while the
    measurement series take turns between the sides."""

    def __init__(self, key, label, argv, opts, workdir, full=True):
        self.key, self.label, self.argv, self.opts, self.full = key, label, argv, opts, full
        self.workdir = workdir
        self.bus = self.svc = None
        self.res = {"label": label, "argv": argv}

    def start(self):
        opts = self.opts
        self.bus = PrivateBus()
        self.svc = BusService(self.label, self.argv, self.bus, opts, self.workdir).__enter__()
        self.pid = self.svc.proc.pid
        self.res["startup_ms"] = self.svc.startup_ms
        obj = self.bus.conn.get_object(BUS_NAME, TEST_PATH, introspect=False)
        self._list = obj.get_dbus_method("ListDomains", CONNECT)
        self._define = obj.get_dbus_method("DomainDefineXML", CONNECT)
        self.ping = obj.get_dbus_method("Ping", "org.freedesktop.DBus.Peer")
        if not self.full:       # bench-floor: only ListDomains with all its paths
            self.base = opts.domains
            got = len(self.list_domains())
            if got != opts.domains:
                raise BenchError(f"{self.label} returned {got} paths, expected {opts.domains}")
            return
        self.res["rss_start"] = settled_rss(self.pid)
        first = self.list_domains()
        if len(first) < 1:
            raise BenchError(f"{self.label}: ListDomains on {TEST_PATH} returned no domain")
        self.base = len(first)
        if self.base >= opts.domains:
            raise BenchError(f"{self.label} starts with {self.base} domains, "
                             f"--domains {opts.domains} is too few")
        dom = self.bus.conn.get_object(BUS_NAME, first[0], introspect=False)
        getall = dom.get_dbus_method("GetAll", "org.freedesktop.DBus.Properties")
        self.getall = lambda: getall("org.libvirt.Domain")
        props = self.getall()
        if "Name" not in props:
            raise BenchError(f"{self.label}: GetAll on {first[0]} has no Name: {dict(props)!r}")
        self.res["domain"] = str(props["Name"])
        self.res["rss_idle"] = settled_rss(self.pid)
        self.res["dirty_idle"] = private_dirty_kib(self.pid)
        self.n_defined = 0

    def list_domains(self):
        return self._list(dbus.UInt32(0))

    def define_next(self):
        self._define(DOMAIN_XML.format(i=self.n_defined))
        self.n_defined += 1

    def finish(self):
        """After all series: check the count, RSS with all domains, per-domain growth."""
        opts = self.opts
        got = len(self.list_domains())
        if got != opts.domains:
            raise BenchError(f"{self.label}: ListDomains returned {got} domains, "
                             f"expected {opts.domains}")
        self.svc.check_alive()
        if self.full:
            gc.collect()
            self.res["rss_full"] = settled_rss(self.pid)
            self.res["dirty_full"] = private_dirty_kib(self.pid)
            self.res["n_defined"] = self.n_defined
            self.res["rss_per_domain"] = ((self.res["rss_full"] - self.res["rss_idle"])
                                          / self.n_defined)

    def close(self):
        try:
            if self.svc:
                self.svc.stop()
        finally:
            if self.bus:
                self.bus.close()


def measure_sides(sides, opts, workdir, results):
    """Start each daemon side, run the series taking turns, stop them. Fills results."""
    specs = {
        "reference": ("libvirt-dbus", [opts.libvirt_dbus, "--session"], True),
        "virtbusd": ("virtbusd", [opts.virtbusd, "--session"], True),
        "floor": ("bench-floor", [opts.floor, str(opts.domains)], False),
    }
    live = {}
    errors = {}
    try:
        for key in sides:
            if key not in specs:
                continue
            label, argv, full = specs[key]
            sub = os.path.join(workdir, key)
            os.makedirs(sub)
            side = Side(key, label, argv, opts, sub, full)
            try:
                if not os.access(argv[0], os.X_OK):
                    raise BenchError(f"{argv[0]} is not installed or not built")
                side.start()
                live[key] = side
            except (BenchError, dbus.exceptions.DBusException, OSError,
                    subprocess.SubprocessError) as e:
                errors[key] = str(e)
                side.close()

        def series(name, keys, fn, counts, warmup):
            keys = [k for k in keys if k in live and k not in errors]
            if not keys:
                return
            log(f"series {name}: {', '.join(live[k].label for k in keys)}")
            out = interleaved({k: fn(live[k]) for k in keys}, {k: counts(live[k]) for k in keys},
                              warmup, opts.rounds, errors)
            for k, st in out.items():
                live[k].res[name] = st

        full = [k for k in live if live[k].full]
        series("ping", list(live), lambda s: s.ping, lambda s: opts.calls, opts.warmup)
        series("list_1", full, lambda s: s.list_domains, lambda s: opts.calls, opts.warmup)
        series("define", full, lambda s: s.define_next, lambda s: opts.domains - s.base, 0)
        for k in full:
            st = live[k].res.get("define")
            if st:
                live[k].res["define_rate"] = 1000.0 / st["mean"]
        series("list_n", list(live), lambda s: s.list_domains, lambda s: opts.iterations,
               opts.warmup)
        series("getall", full, lambda s: s.getall, lambda s: opts.calls, opts.warmup)
        for key, side in live.items():
            if key in errors:
                continue
            try:
                side.finish()
            except (BenchError, dbus.exceptions.DBusException, OSError) as e:
                errors[key] = str(e)
        if "reference" in live:
            live["reference"].res["libvirt_daemons"] = libvirt_daemons()
    finally:
        for side in live.values():
            side.close()
    for key, side in live.items():
        if key not in errors:
            results[key] = side.res
            lst = side.res.get("list_n")
            log(f"{side.label}: ListDomains({opts.domains}) median {lst['median']:.3f} ms"
                + (f", RSS idle {side.res['rss_idle']} KiB, with {opts.domains} domains "
                   f"{side.res['rss_full']} KiB" if side.full else ""))
    for key, err in errors.items():
        log(f"{key}: {err}")
        results[f"{key}_error"] = err
    return list(errors)


# ---------------------------------------------------------------------------------------------
# libvirtd idle, in private namespaces

LIBVIRTD_NS_SCRIPT = r"""
set -e
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
    mount -t tmpfs -o mode=0755 virtbus-bench "$d"
done
ip link set lo up 2>/dev/null || true
exec "$1" --config "$2"
"""


def measure_libvirtd(opts, workdir):
    binary = opts.libvirtd
    if os.geteuid() != 0:
        raise BenchError("needs root (private mount namespace)")
    if not os.access(binary, os.X_OK):
        raise BenchError(f"{binary} not installed (package libvirt-daemon)")
    if not shutil.which("unshare"):
        raise BenchError("unshare not found (package util-linux)")
    for d in ("/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"):
        if not os.path.isdir(d):
            raise BenchError(f"{d} does not exist; not creating it on the host")
    conf = os.path.join(workdir, "libvirtd.conf")
    with open(conf, "w") as f:
        f.write('# virtbus bench: libvirtd in private namespaces\nlog_outputs="3:stderr"\n')
    logpath = os.path.join(workdir, "libvirtd.log")
    log(f"libvirtd: starting {binary} in private mount and network namespaces")
    with open(logpath, "w") as logf:
        t0 = time.perf_counter()
        proc = subprocess.Popen(["unshare", "--mount", "--net", "--propagation", "private",
                                 "/bin/sh", "-c", LIBVIRTD_NS_SCRIPT, "sh", binary, conf],
                                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        sock = f"/proc/{proc.pid}/root/run/libvirt/libvirt-sock"
        deadline = time.monotonic() + opts.start_timeout
        while True:
            if proc.poll() is not None:
                raise BenchError(f"libvirtd exited with status {proc.returncode}:\n{tail(logpath)}")
            if os.path.exists(sock):
                break
            if time.monotonic() > deadline:
                raise BenchError(f"no {sock} within {opts.start_timeout:.0f}s:\n{tail(logpath)}")
            time.sleep(0.02)
        with open(f"/proc/{proc.pid}/comm") as f:
            comm = f.read().strip()
        if comm != "libvirtd":
            raise BenchError(f"pid {proc.pid} is {comm!r}, not libvirtd")
        startup_ms = (time.perf_counter() - t0) * 1000.0
        time.sleep(opts.libvirtd_settle)
        rss = settled_rss(proc.pid, timeout=10.0, interval=0.5)
        with open(f"/proc/{proc.pid}/status") as f:
            threads = next(int(l.split()[1]) for l in f if l.startswith("Threads:"))
        log(f"libvirtd: idle RSS {rss} KiB, {threads} threads")
        return {"rss_idle": rss, "startup_ms": startup_ms, "threads": threads}
    finally:
        stop_process(proc)


# ---------------------------------------------------------------------------------------------
# reporting

def fmt_ms(s, key="median"):
    return f"{s[key]:.3f} ms" if s else "n/a"


def fmt_kib(k):
    if k is None:
        return "n/a"
    return f"{k / 1024:.1f} MiB ({k:,.0f} KiB)"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def target_cell(key, value, domains=1000):
    if key not in TARGETS or domains != 1000:
        return ""
    _, limit, text = TARGETS[key]
    if value is None:
        return text
    return f"{text}: {'met' if value <= limit else '**missed**'}"


def render(results, opts):
    v = results.get("virtbusd") or {}
    r = results.get("reference") or {}
    lvd = results.get("libvirtd") or {}
    n = opts.domains
    rows = []

    def timing(title, key, stat="median", target=None):
        a, b = v.get(key), r.get(key)
        av = a[stat] if a else None
        bv = b[stat] if b else None
        rows.append((title, fmt_ms(a, stat), fmt_ms(b, stat), ratio(av, bv),
                     target_cell(target, av, n) if target else ""))

    def memory(title, key, target=None, ref=None, refval=None):
        a = v.get(key)
        b = refval if ref is not None else r.get(key)
        bcell = ref if ref is not None else fmt_kib(b)
        rows.append((title, fmt_kib(a), bcell, ratio(a, b),
                     target_cell(target, a, n) if target else ""))

    timing(f"ListDomains(0), {n} domains: median", "list_n", target="list_n")
    timing(f"ListDomains(0), {n} domains: p90", "list_n", "p90")
    fl = results.get("floor")
    if fl or results.get("floor_error"):
        rows.append((f"floor: bare sd-bus server sending {n} prebuilt paths (bench-floor): median",
                     fmt_ms(fl["list_n"]) if fl else f"n/a ({results['floor_error'].splitlines()[0]})",
                     "", "", ""))
    timing("ListDomains(0), 1 domain: median", "list_1")
    timing("Properties.GetAll(org.libvirt.Domain): median", "getall")
    timing("Properties.GetAll(org.libvirt.Domain): p90", "getall", "p90")
    timing("DomainDefineXML: median", "define")
    timing("DomainDefineXML: p90", "define", "p90")
    rows.append(("DomainDefineXML: throughput",
                 f"{v['define_rate']:,.0f} /s" if v.get("define_rate") else "n/a",
                 f"{r['define_rate']:,.0f} /s" if r.get("define_rate") else "n/a",
                 ratio(v.get("define_rate"), r.get("define_rate")), ""))
    timing("Peer.Ping (client and bus floor): median", "ping")
    rows.append(("start until org.libvirt is owned",
                 f"{v['startup_ms']:.0f} ms" if v.get("startup_ms") else "n/a",
                 f"{r['startup_ms']:.0f} ms" if r.get("startup_ms") else "n/a",
                 ratio(v.get("startup_ms"), r.get("startup_ms")), ""))
    memory("RSS just started", "rss_start")
    memory("RSS idle (Test connection open, 1 domain)", "rss_idle", target="rss_idle")
    memory("of which private dirty (smaps_rollup), idle", "dirty_idle")
    memory(f"RSS with {n} domains", "rss_full")
    memory(f"of which private dirty, with {n} domains", "dirty_full")
    a, b = v.get("rss_per_domain"), r.get("rss_per_domain")
    rows.append(("RSS per added domain",
                 f"{a:.2f} KiB" if a is not None else "n/a",
                 f"{b:.2f} KiB" if b is not None else "n/a", ratio(a, b),
                 target_cell("rss_per_domain", a, n)))
    lrss = lvd.get("rss_idle")
    rows.append(("libvirtd idle RSS (own namespaces, no client)", "(none: one process)",
                 fmt_kib(lrss) if lrss else f"n/a ({results.get('libvirtd_error', 'not run')})",
                 "", ""))
    if lrss and r.get("rss_idle") is not None:
        both = lrss + r["rss_idle"]
        memory("RSS idle, whole stack (virtbusd vs libvirtd + libvirt-dbus)", "rss_idle",
               ref=fmt_kib(both), refval=both)

    out = ["| measure | virtbusd | libvirt-dbus 1.4.1 + libvirt 9.0 | virtbusd / reference | target |",
           "|---|---|---|---|---|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    if "libvirt_daemons" in r:
        out.append("")
        out.append("libvirt daemons on the host during the reference measurement (none is "
                   "started by the bench; libvirt-dbus serves test:///default in-process): "
                   + (", ".join(r["libvirt_daemons"]) or "none") + ".")
    for side in ("virtbusd", "reference", "floor"):
        if results.get(f"{side}_error"):
            out.append("")
            out.append(f"{side} was not measured: {results[f'{side}_error'].splitlines()[0]}")
    return "\n".join(out) + "\n"


def dpkg_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                              text=True, timeout=10).stdout.strip() or "not installed"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_description():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(l for l in f if l.startswith("MemTotal:")).split()[1])
            mem = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    try:
        with open("/etc/debian_version") as f:
            debian = "Debian " + f.read().strip()
    except OSError:
        debian = platform.platform()
    return f"{cpu}, {os.cpu_count()} cores, {mem}; {debian}, Linux {platform.release()}"


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
        return rev.stdout.strip() if rev.returncode == 0 else "no commit yet"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def virtbusd_description(path):
    """The binary measured and its build's buildtype, when it lives in a meson build dir."""
    rel = os.path.relpath(os.path.abspath(path), ROOT)
    builddir = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    try:
        out = subprocess.run(["meson", "introspect", "--buildoptions", builddir],
                             capture_output=True, text=True, timeout=30)
        opts = {o["name"]: o["value"] for o in json.loads(out.stdout)}
        return f"{rel} (meson buildtype={opts.get('buildtype')}, b_ndebug={opts.get('b_ndebug')})"
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError):
        return rel


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def report_header(opts, results):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["/usr/bin/python3", os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)]
                   + sys.argv[1:])
    vers = ", ".join(f"{p} {dpkg_version(p)}" for p in
                     ("libvirt-daemon", "libvirt-dbus", "libvirt0", "dbus-daemon", "python3-dbus"))
    return (f"- Date: {now}\n"
            f"- Command (from the repository root): `{cmd}`\n"
            f"- Machine: {machine_description()}\n"
            f"- virtbus: {git_revision()}, {virtbusd_description(opts.virtbusd)}\n"
            f"- Reference packages: {vers}\n"
            f"- Counts: {opts.domains} domains; ListDomains({opts.domains}) x {opts.iterations}; "
            f"Ping, ListDomains(1 domain) and GetAll x {opts.calls}; {opts.warmup} warm-up calls "
            f"before each series; DomainDefineXML x {opts.domains - 1}; the sides take turns "
            f"in {opts.rounds} rounds per series\n"
            f"- Load average (1, 5, 15 min) at start: {results.get('loadavg_start')}, "
            f"at end: {results.get('loadavg_end')}\n")


def write_doc(path, section):
    block = f"{DOC_BEGIN}\n{section}{DOC_END}"
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ("# virtbus benchmarks\n\nSee tests/bench/bench.py for what is measured.\n\n"
                f"{DOC_BEGIN}\n{DOC_END}\n")
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        _, tail_ = rest.split(DOC_END, 1)
        text = head + block + tail_
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    log(f"wrote {path}")


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--virtbusd", default=os.path.join(ROOT, "build", "service", "virtbusd"))
    ap.add_argument("--libvirt-dbus", default="/usr/sbin/libvirt-dbus")
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--floor", default=os.path.join(ROOT, "build", "tests", "bench", "bench-floor"),
                    help="the bench-floor helper (tests/bench/bench-floor.c)")
    ap.add_argument("--domains", type=int, default=1000, help="domains on /org/libvirt/Test")
    ap.add_argument("--iterations", type=int, default=300, help="ListDomains calls with all domains")
    ap.add_argument("--calls", type=int, default=2000, help="Ping, ListDomains(1) and GetAll calls")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10,
                    help="each series is split in this many rounds, the sides taking turns")
    ap.add_argument("--sides", default="reference,virtbusd,floor,libvirtd",
                    help="comma-separated subset of reference,virtbusd,floor,libvirtd")
    ap.add_argument("--start-timeout", type=float, default=30.0)
    ap.add_argument("--libvirtd-settle", type=float, default=2.0,
                    help="seconds to wait after libvirtd's socket appears")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny counts, no libvirtd; only checks that both sides answered")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--write-doc", nargs="?", const=DOC, metavar="FILE",
                    help=f"update the results section of {os.path.relpath(DOC, ROOT)}")
    opts = ap.parse_args()
    sides = [s.strip() for s in opts.sides.split(",") if s.strip()]
    for s in sides:
        if s not in ("reference", "virtbusd", "floor", "libvirtd"):
            ap.error(f"unknown side {s!r}")
    if opts.smoke:
        opts.domains, opts.iterations, opts.calls, opts.warmup, opts.rounds = 4, 3, 3, 1, 1
        sides = [s for s in sides if s not in ("libvirtd", "floor")]
        if "reference" in sides and not os.access(opts.libvirt_dbus, os.X_OK):
            sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
            import testmain
            testmain.skip_program(f"bench: {opts.libvirt_dbus} is not installed (package libvirt-dbus)")
    if opts.domains < 2:
        ap.error("--domains must be at least 2")

    results = {"options": {k: v for k, v in vars(opts).items()}, "sides": sides,
               "loadavg_start": loadavg()}
    workdir = tempfile.mkdtemp(prefix="virtbus-bench-")
    try:
        failed = measure_sides(sides, opts, workdir, results)
        if "libvirtd" in sides:
            sub = os.path.join(workdir, "libvirtd")
            os.makedirs(sub)
            try:
                results["libvirtd"] = measure_libvirtd(opts, sub)
            except (BenchError, OSError, subprocess.SubprocessError) as e:
                log(f"libvirtd: {e}")
                results["libvirtd_error"] = str(e)
                failed.append("libvirtd")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["loadavg_end"] = loadavg()

    table = render(results, opts)
    header = report_header(opts, results)
    sys.stdout.write(header + "\n" + table)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=2, default=str)
    if opts.smoke:
        if failed:
            log(f"smoke: no answer from {', '.join(failed)}")
            return 1
        log("smoke: both sides answered")
        return 0
    if opts.write_doc:
        if "virtbusd" in failed or "reference" in failed:
            log("not writing the doc: a side was not measured")
            return 1
        write_doc(opts.write_doc, header + "\n" + table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
