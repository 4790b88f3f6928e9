#!/usr/bin/python3
"""virtbus QEMU driver benchmark: virtbusd against libvirtd 9.0's QEMU driver and bare QEMU.

One run measures, for the same minimal domain (type='qemu', TCG, 64 MiB, one vCPU, machine pc,
no disk, no devices but what each command builder adds; nothing boots), three sides:

  * virtbusd's QEMU driver (qemu:///session over its unix socket, python3-libvirt),
  * Debian's libvirtd 9.0 QEMU driver (qemu:///session of a session libvirtd run as uid nobody
    in temporary XDG directories when we are root; same client, same XML),
  * the floor: bare QEMU exec'd from Python with the same kind of command line (-S,
    -no-user-config, -nodefaults, QMP on a listening unix socket handed over as an fd),
    qmp_capabilities + cont until QEMU answers (running); SIGTERM, then waitpid (reaped).

Workload, per side:
  * create → running: createXML (transient) until the call returns and the domain reports
    running (for the floor: exec until cont's RESUME event);
  * destroy: dom.destroy() until it returns (libvirt returns once QEMU is reaped);
    for the floor, SIGTERM until waitpid returns;
  * 20 parallel starts: 20 threads, each with its own connection opened beforehand, all
    released at once on a barrier; wall time until all 20 are running; then all destroyed in
    parallel (wall time too). For the floor, 20 threads each exec'ing a bare QEMU.

The sides take turns in rounds (rotating which goes first), so that the machine's load weighs
on all of them alike. One warm-up create/destroy per side before timing (libvirtd probes QEMU's
capabilities on its first start; virtbusd caches its probe too).

Never a pass/fail test: the ratios are reported against the targets of issue 4
(create → running ≤ 1.3 × the floor, destroy ≤ 2 × the floor, 20 parallel starts ≤ 0.5 ×
libvirtd's time). --smoke runs n=2 and one parallel round of 2 and only checks that every side
answered (exit 77, skipped, when QEMU, libvirtd or virtbusd is not there; a failure under
CI=true).

Run with Debian's python3 (python3-libvirt):
  /usr/bin/python3 tests/bench/qemu_bench.py [--write-doc] [-n 20] [--parallel 20]
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True     # no __pycache__ in the tree from the imports below
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import remote_bench  # noqa: E402  (sets up sys.path for tests/integration, imports libvirt)
from remote_bench import BenchError, machine, stats, tail, virtbusd_version  # noqa: E402

import libvirt  # noqa: E402
import remote_harness  # noqa: E402

ROOT = remote_bench.ROOT
DOC = ROOT / "docs" / "benchmarks-qemu.md"
QEMU = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
"""

# Measured on the issue's machine (context only).
ISSUE_REFERENCE = {"floor_create": 48, "floor_destroy": 17, "libvirtd_create": 234, "libvirtd_destroy": 207}
TARGETS = {"create": 1.3, "destroy": 2.0, "parallel": 0.5}


def log(*a):
    print("qemu_bench:", *a, file=sys.stderr, flush=True)


def ms(t0):
    return (time.perf_counter() - t0) * 1000.0


# ---------------------------------------------------------------------------------------------
# libvirt sides

class LibvirtSide:
    """A daemon reached by python3-libvirt over qemu+unix:///session?socket=…"""

    label = "?"
    qemu_uid = None

    def __init__(self):
        self.res = {}
        self.conn = None
        self.seq = 0

    def open(self):
        return libvirt.open(self.uri)

    def check(self):
        self.conn = self.open()
        t = self.conn.getType()
        if t != "QEMU":
            raise BenchError(f"{self.label}: the connection answers {t!r}, not QEMU")

    def name(self):
        self.seq += 1
        return f"qb-{self.label}-{self.seq:04d}"

    def create(self, conn=None):
        """createXML → running; (ms, dom)."""
        conn = conn or self.conn
        xml = DOMAIN_XML.format(name=self.name())
        t0 = time.perf_counter()
        dom = conn.createXML(xml, 0)
        while dom.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
            if ms(t0) > 60000:
                raise BenchError(f"{self.label}: {dom.name()} not running after 60 s")
            time.sleep(0.001)
        return ms(t0), dom

    def destroy(self, dom):
        t0 = time.perf_counter()
        dom.destroy()
        return ms(t0)

    def leftovers(self):
        try:
            return [d.name() for d in self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]
        except libvirt.libvirtError:
            return []

    def close(self):
        if self.conn is not None:
            for d in self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
                try:
                    d.destroy()
                except libvirt.libvirtError:
                    pass
            try:
                self.conn.close()
            except libvirt.libvirtError:
                pass
            self.conn = None


class VirtbusdSide(LibvirtSide):
    label = "virtbusd"

    def __init__(self, binary):
        super().__init__()
        remote_harness.VIRTBUSD = Path(binary)
        self.daemon = remote_harness.RemoteDaemon(tcp=False)
        self.mode = "virtbusd --session (temporary XDG directories, private dbus-daemon)"

    def start(self):
        self.daemon.start()
        self.uri = f"qemu+unix:///session?socket={self.daemon.sock}"
        self.pid = self.daemon.proc.pid
        self.check()

    def stop(self):
        self.close()
        self.daemon.stop()


class LibvirtdSide(LibvirtSide):
    label = "libvirtd"

    def __init__(self, binary):
        super().__init__()
        remote_harness.LIBVIRTD = Path(binary)
        self.daemon = remote_harness.LibvirtdDaemon(tcp=False, holder=False)
        self.mode = ("session libvirtd" + (" as uid nobody (setpriv)" if os.geteuid() == 0 else "")
                     + " in temporary XDG directories")

    def start(self):
        if not remote_harness.LIBVIRTD.exists():
            raise BenchError(f"{remote_harness.LIBVIRTD} not installed (package libvirt-daemon)")
        self.daemon.start(timeout=30)
        self.uri = f"qemu+unix:///session?socket={self.daemon.sock}"
        self.pid = self.daemon.proc.pid
        self.check()

    def stop(self):
        self.close()
        self.daemon.stop()


# ---------------------------------------------------------------------------------------------
# the floor: bare QEMU

class BareVM:
    """One bare QEMU: exec with -S and QMP on a listening socket passed as fd; cont; kill."""

    def __init__(self, workdir, name):
        self.workdir = Path(workdir)
        self.name = name
        self.proc = None
        self.sock = None

    def argv(self, fd):
        # virtbusd's command line for DOMAIN_XML (from its QEMU log), with the monitor's
        # listening socket passed as an fd (as libvirtd does) instead of a path.
        return [QEMU, "-name", f"guest={self.name},debug-threads=on", "-S",
                "-machine", "pc,usb=off,dump-guest-core=off,acpi=off", "-accel", "tcg",
                "-m", "size=65536k", "-smp", "1,sockets=1,cores=1,threads=1",
                "-no-user-config", "-nodefaults",
                "-chardev", f"socket,id=charmonitor,fd={fd},server=on,wait=off",
                "-mon", "chardev=charmonitor,id=monitor,mode=control",
                "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on", "-display", "none",
                "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                "-msg", "timestamp=on"]

    def start(self):
        """exec → running (cont answered and RESUME seen); ms."""
        path = str(self.workdir / f"{self.name}.qmp")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        lsock.listen(1)
        t0 = time.perf_counter()
        log_f = open(self.workdir / f"{self.name}.log", "wb")
        self.proc = subprocess.Popen(self.argv(lsock.fileno()), pass_fds=[lsock.fileno()], stdin=subprocess.DEVNULL,
                                     stdout=log_f, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
        log_f.close()
        lsock.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)       # queued in the backlog until QEMU's main loop accepts it
        self.sock = s
        self.buf = b""
        self.recv_msg()       # greeting
        self.command("qmp_capabilities")
        self.command("cont", want_event="RESUME")
        return ms(t0)

    def recv_msg(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError(f"bare QEMU {self.name} closed QMP: "
                                 f"{tail(self.workdir / (self.name + '.log'))}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, cmd, want_event=None):
        self.sock.sendall(json.dumps({"execute": cmd}).encode() + b"\n")
        got_return = got_event = False
        while not got_return or (want_event and not got_event):
            m = self.recv_msg()
            if "error" in m:
                raise BenchError(f"bare QEMU {cmd}: {m['error']}")
            if "return" in m:
                got_return = True
            if m.get("event") == want_event:
                got_event = True

    def destroy(self):
        """SIGTERM → reaped; ms."""
        t0 = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()
        t = ms(t0)
        self.sock.close()
        try:
            os.unlink(self.workdir / f"{self.name}.qmp")
        except OSError:
            pass
        return t

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class FloorSide:
    label = "floor"
    mode = "bare qemu-system-x86_64 exec'd from Python (-S, QMP fd, cont; SIGTERM + waitpid)"

    def __init__(self, workdir):
        self.workdir = Path(workdir) / "floor"
        self.workdir.mkdir()
        self.res = {}
        self.seq = 0
        self.live = []

    def start(self):
        if not os.access(QEMU, os.X_OK):
            raise BenchError(f"{QEMU} not installed")

    def open(self):
        return None

    def create(self, conn=None):
        self.seq += 1
        vm = BareVM(self.workdir, f"qb-floor-{self.seq:04d}")
        self.live.append(vm)
        try:
            return vm.start(), vm
        except Exception:
            vm.kill()
            raise

    def destroy(self, vm):
        t = vm.destroy()
        self.live.remove(vm)
        return t

    def leftovers(self):
        return [vm.name for vm in self.live if vm.proc.poll() is None]

    def stop(self):
        for vm in self.live:
            vm.kill()


# ---------------------------------------------------------------------------------------------
# measurements

def measure_serial(sides, n, rounds):
    """n create/destroy cycles per side, in rounds that rotate the order of the sides."""
    per_round = max(1, -(-n // rounds))
    for s in sides:
        s.res["create"], s.res["destroy"] = [], []
        t, dom = s.create()                # warm-up
        s.destroy(dom)
    done = 0
    r = 0
    while done < n:
        k = min(per_round, n - done)
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for s in order:
            for _ in range(k):
                t, dom = s.create()
                s.res["create"].append(t)
                s.res["destroy"].append(s.destroy(dom))
        done += k
        r += 1
    for s in sides:
        c, d = stats(s.res["create"]), stats(s.res["destroy"])
        log(f"{s.label}: create→running median {c['median']:.1f} ms p90 {c['p90']:.1f}; "
            f"destroy median {d['median']:.1f} ms p90 {d['p90']:.1f}")


def parallel_once(side, count):
    """count threads, own connection each, released together: (start wall ms, destroy wall ms)."""
    conns = [side.open() for _ in range(count)]
    doms = [None] * count
    errors = []
    barrier = threading.Barrier(count + 1)

    def starter(i):
        try:
            barrier.wait()
            doms[i] = side.create(conns[i])[1]
        except Exception as e:          # noqa: BLE001 (reported below)
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            done.wait()

    def destroyer(i):
        try:
            barrier2.wait()
            if doms[i] is not None:
                side.destroy(doms[i])
        except Exception as e:          # noqa: BLE001
            errors.append(f"{type(e).__name__}: {e}")

    done = threading.Barrier(count + 1)
    threads = [threading.Thread(target=starter, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    done.wait()
    start_ms = ms(t0)
    for t in threads:
        t.join()
    barrier2 = threading.Barrier(count + 1)
    threads = [threading.Thread(target=destroyer, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    barrier2.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    destroy_ms = ms(t0)
    for c in conns:
        if c is not None:
            try:
                c.close()
            except libvirt.libvirtError:
                pass
    if errors:
        raise BenchError(f"{side.label}: {len(errors)} of {count} parallel starts failed: {errors[0]}")
    return start_ms, destroy_ms


def measure_parallel(sides, count, rounds):
    for s in sides:
        s.res["par_start"], s.res["par_destroy"] = [], []
    for r in range(rounds):
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for s in order:
            a, b = parallel_once(s, count)
            s.res["par_start"].append(a)
            s.res["par_destroy"].append(b)
            left = s.leftovers()
            if left:
                raise BenchError(f"{s.label}: still running after the parallel destroy: {left}")
            log(f"{s.label}: {count} parallel starts {a:.0f} ms, destroys {b:.0f} ms")


# ---------------------------------------------------------------------------------------------
# report

def dpkg_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True,
                              timeout=10).stdout.strip() or "?"
    except OSError:
        return "?"


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


def render(results):
    R = {s: results["sides"][s] for s in results["sides"]}
    m = results["machine"]
    n = results["n"]
    out = [f"Run {results['date']} on {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}; "
           f"load average before the run {results['load_before']}, after {m['loadavg']}.",
           "",
           f"Command: `{results['command']}`",
           "",
           f"{results['virtbusd_version']} (git {results['git']}); libvirtd "
           f"{results['libvirtd_version']} ({R['libvirtd']['mode'] if 'libvirtd' in R else '-'}); "
           f"QEMU {results['qemu_version']}; python3-libvirt client "
           f"{m['libvirt_client'] // 1000000}.{m['libvirt_client'] // 1000 % 1000}.{m['libvirt_client'] % 1000}.",
           "",
           f"n = {n} create/destroy cycles per side (after one warm-up each), in {results['rounds']} rounds "
           f"rotating the sides; {results['parallel']} parallel starts × {results['parallel_rounds']} rounds "
           "(median of the rounds). Times in ms.",
           "",
           "| measure | floor (bare QEMU) | virtbusd | libvirtd 9.0 | virtbusd / floor | virtbusd / libvirtd | target |",
           "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]

    def cell(side, key, q):
        st = R.get(side, {}).get(key)
        return f"{st[q]:.1f}" if st else "-"

    def ratio(a, b, key, q="median"):
        x, y = R.get(a, {}).get(key), R.get(b, {}).get(key)
        return f"{x[q] / y[q]:.2f}×" if x and y and y[q] else "-"

    rows = [("create → running, median", "create", "median", "≤ 1.3 × floor"),
            ("create → running, p90", "create", "p90", ""),
            ("destroy → reaped, median", "destroy", "median", "≤ 2 × floor"),
            ("destroy → reaped, p90", "destroy", "p90", ""),
            (f"{results['parallel']} parallel starts → all running (wall)", "par_start", "median", "≤ 0.5 × libvirtd"),
            (f"{results['parallel']} parallel destroys (wall)", "par_destroy", "median", "")]
    for label, key, q, target in rows:
        out.append(f"| {label} | {cell('floor', key, q)} | {cell('virtbusd', key, q)} | {cell('libvirtd', key, q)} "
                   f"| {ratio('virtbusd', 'floor', key, q)} | {ratio('virtbusd', 'libvirtd', key, q)} | {target} |")
    out.append("")

    def verdict(a, b, key, limit):
        x, y = R.get(a, {}).get(key), R.get(b, {}).get(key)
        if not x or not y:
            return "not measured"
        r = x["median"] / y["median"]
        return f"{r:.2f}× (target ≤ {limit}×: {'met' if r <= limit else 'missed'})"

    out += ["Against issue 4's targets (medians):",
            "",
            f"* create → running: virtbusd / floor = {verdict('virtbusd', 'floor', 'create', TARGETS['create'])}",
            f"* destroy: virtbusd / floor = {verdict('virtbusd', 'floor', 'destroy', TARGETS['destroy'])}",
            f"* {results['parallel']} parallel starts: virtbusd / libvirtd = "
            f"{verdict('virtbusd', 'libvirtd', 'par_start', TARGETS['parallel'])}",
            "",
            f"For context, the issue's machine: bare QEMU {ISSUE_REFERENCE['floor_create']} ms to running and "
            f"{ISSUE_REFERENCE['floor_destroy']} ms kill → reaped; libvirtd {ISSUE_REFERENCE['libvirtd_create']} ms "
            f"and {ISSUE_REFERENCE['libvirtd_destroy']} ms."]
    return "\n".join(out) + "\n"


DOC_BEGIN = "<!-- qemu-bench:begin (written by tests/bench/qemu_bench.py --write-doc) -->"
DOC_END = "<!-- qemu-bench:end -->"


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


# ---------------------------------------------------------------------------------------------

def run(opts):
    results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
               "command": " ".join(["/usr/bin/python3", os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)]
                                   + sys.argv[1:]),
               "n": opts.n, "rounds": opts.rounds, "parallel": opts.parallel,
               "parallel_rounds": opts.parallel_rounds,
               "virtbusd_version": virtbusd_version(opts.virtbusd), "git": git_revision(),
               "libvirtd_version": dpkg_version("libvirt-daemon"),
               "qemu_version": dpkg_version("qemu-system-x86")}
    workdir = tempfile.mkdtemp(prefix="virtbus-qemu-bench-")
    sides = []
    try:
        if not os.access(QEMU, os.X_OK):
            raise BenchError(f"{QEMU} not installed")
        if not os.access(opts.virtbusd, os.X_OK):
            raise BenchError(f"virtbusd not built: {opts.virtbusd}")
        wanted = [FloorSide(workdir), VirtbusdSide(opts.virtbusd)]
        if not opts.no_libvirtd:
            wanted.append(LibvirtdSide(opts.libvirtd))
        for s in wanted:
            sides.append(s)
            s.start()
            log(f"{s.label}: up ({getattr(s, 'uri', s.mode)})")
        measure_serial(sides, opts.n, opts.rounds)
        if opts.parallel > 0:
            measure_parallel(sides, opts.parallel, opts.parallel_rounds)
        results["sides"] = {}
        for s in sides:
            results["sides"][s.label] = {"mode": s.mode}
            for k, v in s.res.items():
                results["sides"][s.label][k] = stats(v)
                results["sides"][s.label][k + "_samples"] = v
        results["machine"] = machine()
        return results
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:      # noqa: BLE001
                log(f"{s.label}: stop: {e}")
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--no-libvirtd", action="store_true", help="floor and virtbusd only")
    ap.add_argument("-n", type=int, default=20, help="create/destroy cycles per side")
    ap.add_argument("--rounds", type=int, default=5, help="rounds the cycles are split into")
    ap.add_argument("--parallel", type=int, default=20, help="domains started at once (0: none)")
    ap.add_argument("--parallel-rounds", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="n=2, 2 parallel; checks every side answered")
    ap.add_argument("--write-doc", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    ap.add_argument("--json", help="write the raw numbers to this file")
    opts = ap.parse_args()
    if opts.smoke:
        opts.n, opts.rounds, opts.parallel, opts.parallel_rounds = 2, 2, 2, 1
    try:
        results = run(opts)
    except BenchError as e:
        log(str(e))
        if opts.smoke and ("not built" in str(e) or "not installed" in str(e)):
            import testmain
            testmain.skip_program(str(e))   # exit 77, or 1 under CI=true
        return 1
    table = render(results)
    print(table)
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=2))
    if opts.write_doc and not opts.smoke:
        write_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
