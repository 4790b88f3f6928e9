#!/usr/bin/python3
"""virtbus TLS/SASL benchmark: virtbusd against libvirtd 9.0, both with TLS and the same certificates.

Rows (the same python3-libvirt 9.0 client against each daemon, in alternating rounds):
  * TLS connect + listAllDomains + close (a full handshake with client certificate each time),
  * SASL SCRAM-SHA-256 connect (+ close) over TLS, with a private sasldb (saslpasswd2 -a libvirt),
  * 1000 small calls (getLibVersion) over one TLS connection.

The whole run happens in a private network namespace (the script re-executes itself under
`unshare --net`, loopback up), so both daemons listen on 127.0.0.1 there and nothing reaches the
host's network. libvirtd (/usr/sbin/libvirtd --listen) runs as the system daemon in a private mount
namespace with tmpfs over /run, /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and
/var/log/libvirt, as tests/bench/remote_bench.py does; virtbusd runs --session in temporary
XDG directories with a private dbus-daemon. The PKI (CA, server certificate for 127.0.0.1, one
client certificate) is made by certtool at the start (tests/integration/pki.py). Each daemon
runs twice: auth_tls = "none" for the TLS rows, auth_tls = "sasl" for the SCRAM row.

Root only (namespaces). A benchmark, never a timed pass/fail: --smoke runs tiny counts and checks
that both daemons answered (exit 77, skipped, when something is missing; a failure under
CI=true).

  /usr/bin/python3 tests/bench/tls_bench.py [--write-doc]
"""

import argparse
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
DOC = ROOT / "docs" / "benchmarks-tls.md"
NS_ENV = "VIRTBUS_TLS_BENCH_NS"

import remote_bench as rb  # noqa: E402  (stats, alternate, helpers; needs python3-libvirt)
from remote_bench import BenchError, log  # noqa: E402
import libvirt  # noqa: E402

SASLPASSWD2 = "/usr/sbin/saslpasswd2"
LIBVIRTD_NS_SCRIPT = r"""
set -e
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
    mount -t tmpfs -o mode=0755 virtbus-tls-bench "$d"
done
exec "$1" --listen --config "$2"
"""


def enter_netns():
    if os.environ.get(NS_ENV) == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise BenchError("not installed: the TLS bench needs root and unshare (private network namespace)")
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "--net", sys.executable] + sys.argv, env)


class Setup:
    """The PKI, the sasldb and the client's credentials, shared by both daemons."""

    def __init__(self, workdir):
        from pki import Pki
        self.dir = Path(workdir)
        p = Pki(self.dir / "pki")
        self.ca = p.ca("ca")
        self.server = p.server("server", self.ca)
        self.pkipath = p.pkipath("client", [self.ca], p.client("client1", self.ca))
        self.sasl_dir = self.dir / "sasl2"
        self.sasl_dir.mkdir()
        db = self.sasl_dir / "passwd.db"
        (self.sasl_dir / "libvirt.conf").write_text("mech_list: scram-sha-256\nsasldb_path: %s\n" % db)
        subprocess.run([SASLPASSWD2, "-a", "libvirt", "-f", str(db), "-p", "-c", "fred"], input=b"fredpw",
                       check=True)
        os.environ["SASL_CONF_PATH"] = str(self.sasl_dir)     # both daemons' cyrus-sasl read it

    def conf(self, port, auth):
        return ('listen_tls = 1\nlisten_tcp = 0\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\nauth_tls = "%s"\n'
                'ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\nsasl_allowed_username_list = [ "fred*" ]\n'
                % (port, auth, self.ca[0], self.server[0], self.server[1]))


class VirtbusdTls:
    label = "virtbusd"

    def __init__(self, binary, setup, auth):
        import remote_harness
        remote_harness.VIRTBUSD = Path(binary)
        self.port = remote_harness.free_tcp_port()
        self.daemon = remote_harness.RemoteDaemon(conf=setup.conf(self.port, auth), tcp=False)
        self.res = {}

    def start(self):
        self.daemon.start()
        self.pid = self.daemon.proc.pid

    def stop(self):
        self.daemon.stop()


class LibvirtdTls:
    label = "libvirtd"

    def __init__(self, binary, setup, auth, workdir):
        import remote_harness
        self.binary = binary
        self.port = remote_harness.free_tcp_port()
        self.conf = Path(workdir) / ("libvirtd-%s.conf" % auth)
        self.conf.write_text('log_outputs = "3:stderr"\nlisten_tcp = 0\n' + setup.conf(self.port, auth))
        self.log = Path(workdir) / ("libvirtd-%s.log" % auth)
        self.res = {}

    def start(self):
        with open(self.log, "w") as f:
            self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                          LIBVIRTD_NS_SCRIPT, "sh", str(self.binary), str(self.conf)],
                                         stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        import socket
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise BenchError("libvirtd exited with status %d:\n%s" % (self.proc.returncode, rb.tail(self.log)))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError("libvirtd: no TLS listener within 30 s:\n%s" % rb.tail(self.log))
                time.sleep(0.05)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def daemon_cpu_ns(pid):
    """CPU time (ns) the daemon has used so far, its exited threads included (utime + stime of
    /proc/PID/stat, in clock ticks: 10 ms resolution, small against a run's total)."""
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e9 / os.sysconf("SC_CLK_TCK")


def daemon_sched(pid):
    """{thread id: (ns run, ns waited runnable for a CPU)} of the daemon's live threads
    (/proc/PID/task/*/schedstat: the kernel's run time and run-queue delay, not time asleep)."""
    out = {}
    for t in Path("/proc/%d/task" % pid).iterdir():
        try:
            f = (t / "schedstat").read_text().split()
            out[t.name] = (int(f[0]), int(f[1]))
        except (OSError, IndexError, ValueError):
            pass        # a thread that ended meanwhile
    return out


def sched_delta(before, after):
    """(run, runq) ns between two daemon_sched() snapshots: threads started meanwhile count from
    zero, those that ended are lost (virtbusd's SASL step threads; libvirtd's workers live on)."""
    run = sum(a[0] - before.get(t, (0, 0))[0] for t, a in after.items())
    runq = sum(a[1] - before.get(t, (0, 0))[1] for t, a in after.items())
    return run, runq


def alternate_cpu(sides, key, count, make_op, rounds=5, warmup=0):
    """rb.alternate, plus each side's CPU per op: the client's (this process, all its threads:
    time.process_time around each op) and the daemon's (schedstat totals before and after: an idle
    daemon uses none, so what the other side's turns add to it is noise only); and the time each
    end waited in the run queue: the client's calling thread around each op (python3-libvirt
    without an event loop does its I/O there), the daemon's as totals like its CPU."""
    client = {s.label: [0.0, 0, 0, 0] for s in sides}
    me = os.open("/proc/thread-self/schedstat", os.O_RDONLY)

    def sched_self():
        f = os.pread(me, 128, 0).split()
        return int(f[0]), int(f[1])

    def make(side):
        op = make_op(side)
        acc = client[side.label]

        def timed_op():
            t0, s0 = time.process_time(), sched_self()
            op()
            s1 = sched_self()
            acc[0] += time.process_time() - t0
            acc[2] += s1[0] - s0[0]
            acc[3] += s1[1] - s0[1]
            acc[1] += 1
        return timed_op
    before = {s.label: (daemon_cpu_ns(s.pid), daemon_sched(s.pid)) for s in sides}
    try:
        rb.alternate(sides, key, count, make, rounds=rounds, warmup=warmup)
    finally:
        os.close(me)
    for s in sides:
        n = client[s.label][1]
        s.res[key]["client_cpu"] = client[s.label][0] * 1000.0 / n
        s.res[key]["daemon_cpu"] = (daemon_cpu_ns(s.pid) - before[s.label][0]) / 1e6 / n
        _, runq = sched_delta(before[s.label][1], daemon_sched(s.pid))
        # the daemon's run time as its CPU above: schedstat forgets threads that ended (virtbusd's
        # SASL steps), /proc/PID/stat keeps them
        s.res[key]["sched"] = {"client_run": client[s.label][2] / 1e6 / n, "client_runq": client[s.label][3] / 1e6 / n,
                               "daemon_run": s.res[key]["daemon_cpu"], "daemon_runq": runq / 1e6 / n}
        log("%s: %s CPU per op: client %.3f ms, daemon %.3f ms" % (s.label, key, s.res[key]["client_cpu"],
                                                                  s.res[key]["daemon_cpu"]))


def tls_uri(side, setup, extra=""):
    return "test+tls://127.0.0.1:%d/default?pkipath=%s%s" % (side.port, setup.pkipath, extra)


def scram_open(uri):
    def cb(creds, _):
        for c in creds:
            c[4] = "fred" if c[0] == libvirt.VIR_CRED_AUTHNAME else "fredpw"
        return 0
    return libvirt.openAuth(uri, [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], cb, None], 0)


def measure_tls(sides, setup, opts):
    for s in sides:
        s.holder = libvirt.open(tls_uri(s, setup))     # libvirtd's test driver keeps state while open
        if not any(d.name() == "test" for d in s.holder.listAllDomains(0)):
            raise BenchError("%s: no domain 'test' over TLS" % s.label)

    def connect_list(side):
        uri = tls_uri(side, setup)

        def op():
            c = libvirt.open(uri)
            c.listAllDomains(0)
            c.close()
        return op
    alternate_cpu(sides, "tls_connect_list", opts.connects, connect_list, warmup=2)

    def calls(side):
        c = side.holder

        def op():
            for _ in range(opts.calls):
                c.getLibVersion()
        return op
    alternate_cpu(sides, "tls_calls", opts.rounds, calls, rounds=opts.rounds, warmup=1)
    for s in sides:
        s.holder.close()


def measure_scram(sides, setup, opts):
    for s in sides:
        c = scram_open(tls_uri(s, setup, "&auth=sasl.SCRAM-SHA-256"))
        c.close()

    def connect(side):
        uri = tls_uri(side, setup, "&auth=sasl.SCRAM-SHA-256")

        def op():
            scram_open(uri).close()
        return op
    alternate_cpu(sides, "scram_connect", opts.scram, connect, warmup=2)


def run_pair(opts, setup, workdir, auth, fn):
    sides = [LibvirtdTls(opts.libvirtd, setup, auth, workdir), VirtbusdTls(opts.virtbusd, setup, auth)]
    started = []
    try:
        for s in sides:
            s.start()
            started.append(s)
            log("%s: TLS (auth_tls %s) on 127.0.0.1:%d, pid %d" % (s.label, auth, s.port, s.pid))
        fn(sides, setup, opts)
    finally:
        for s in started:
            s.stop()
    return {s.label: s.res for s in sides}


def render(res, opts):
    rows = [("TLS connect + listAllDomains + close", "tls_connect_list", 1),
            ("SASL SCRAM-SHA-256 connect + close (over TLS)", "scram_connect", 1),
            ("%d getLibVersion calls over one TLS connection" % opts.calls, "tls_calls", 1)]
    out = ["| operation | libvirtd 9.0 median (p90) | virtbusd median (p90) | ratio |", "|---|---|---|---|"]
    for name, key, _ in rows:
        lv, vb = res["libvirtd"].get(key), res["virtbusd"].get(key)
        ratio = vb["median"] / lv["median"] if lv and vb and lv["median"] else float("nan")
        out.append("| %s | %.2f ms (%.2f) | %.2f ms (%.2f) | %.2f× |" % (name, lv["median"], lv["p90"], vb["median"],
                                                                      vb["p90"], ratio))
    out += ["", "CPU per operation (ms): the client's (python3-libvirt, this process, all its threads) and the "
            "daemon's (utime + stime). \"both ends\": virtbusd's client + daemon CPU over libvirtd's; \"floor\": "
            "the client's CPU alone over libvirtd's client + daemon CPU, the ratio a daemon costing nothing would get.",
            "", "| operation | client CPU with libvirtd | libvirtd CPU | client CPU with virtbusd | virtbusd CPU |"
            " both ends | floor |", "|---|---|---|---|---|---|---|"]
    for name, key, _ in rows:
        lv, vb = res["libvirtd"].get(key), res["virtbusd"].get(key)
        if not lv or not vb or "client_cpu" not in lv:
            continue
        lv_total = lv["client_cpu"] + lv["daemon_cpu"]
        out.append("| %s | %.3f | %.3f | %.3f | %.3f | %.2f× | %.2f× |" % (
            name, lv["client_cpu"], lv["daemon_cpu"], vb["client_cpu"], vb["daemon_cpu"],
            (vb["client_cpu"] + vb["daemon_cpu"]) / lv_total if lv_total else float("nan"),
            vb["client_cpu"] / lv_total if lv_total else float("nan")))
    out += ["", "Where the wall time goes (ms per operation, means; /proc schedstat, in ns: run time and run-queue "
            "wait, i.e. runnable but waiting for a CPU, of the client's calling thread and of the daemon's "
            "threads; the daemon's run time is its CPU above, its run-queue wait leaves out threads that ended, "
            "such as virtbusd's SASL steps): \"rest\" is the mean wall time minus all four: time in which neither end ran nor waited "
            "for a CPU (network, timers, a stall) where positive; where negative, the two ends ran or waited at "
            "the same time for at least that long.",
            "", "| operation | daemon | mean wall | client run | client run-queue | daemon run | daemon run-queue "
            "| rest |", "|---|---|---|---|---|---|---|---|"]
    for name, key, _ in rows:
        for label in ("libvirtd", "virtbusd"):
            r = res[label].get(key)
            if not r or "sched" not in r:
                continue
            q = r["sched"]
            parts = (q["client_run"], q["client_runq"], q["daemon_run"], q["daemon_runq"])
            out.append("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |" % ((name, label, r["mean"]) + parts
                                                                                 + (r["mean"] - sum(parts),)))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--connects", type=int, default=100)
    ap.add_argument("--scram", type=int, default=100)
    ap.add_argument("--calls", type=int, default=1000, help="calls per sample over one connection")
    ap.add_argument("--rounds", type=int, default=10, help="samples of --calls calls")
    ap.add_argument("--smoke", action="store_true", help="tiny counts; checks both daemons answered")
    ap.add_argument("--write-doc", action="store_true")
    opts = ap.parse_args()
    if opts.smoke:
        opts.connects, opts.scram, opts.calls, opts.rounds = 3, 3, 20, 2
    workdir = None      # made inside the namespace: enter_netns() execs, leaving nothing behind
    try:
        for need, what in ((opts.libvirtd, "libvirt-daemon"), (SASLPASSWD2, "sasl2-bin"), ("/usr/bin/certtool", "gnutls-bin")):
            if not os.access(need, os.X_OK):
                raise BenchError("%s not installed (package %s)" % (need, what))
        if not Path(opts.virtbusd).exists():
            raise BenchError("virtbusd not built: %s" % opts.virtbusd)
        enter_netns()
        workdir = tempfile.mkdtemp(prefix="virtbus-tls-bench-")
        setup = Setup(workdir)
        res = run_pair(opts, setup, workdir, "none", measure_tls)
        scram = run_pair(opts, setup, workdir, "sasl", measure_scram)
        for k in res:
            res[k].update(scram[k])
    except BenchError as e:
        log(str(e))
        if opts.smoke and ("not built" in str(e) or "not installed" in str(e)):
            import testmain
            testmain.skip_program(str(e))
        return 1
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    table = render(res, opts)
    print(table)
    if opts.write_doc and not opts.smoke:
        when = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        head = DOC.read_text().split("<!-- results -->")[0] if DOC.exists() else ""
        DOC.write_text(head + "<!-- results -->\n\nRun %s (%s; counts: %d connects, %d SCRAM connects, %d × %d calls):\n\n%s"
                       % (when, rb.machine(), opts.connects, opts.scram, opts.rounds, opts.calls, table))
        log("wrote %s" % DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
