#!/usr/bin/python3
"""virtbus storage benchmark: virtbusd's dir pools against libvirtd 9.0's, side by side.

The script re-runs itself under `unshare -m` and mounts a tmpfs (so both daemons work on the
same kind of file system and nothing reaches a real disk). Two daemons run at once:

  * virtbusd --session (temporary XDG directories), qemu:///session over its unix socket;
  * Debian's libvirtd 9.0 as a session daemon (uid nobody when we are root), qemu:///session.

Each has a dir pool in the tmpfs. Workload per side, with real virsh (the C client both sides
are used with) for the transfers and the list, and python3-libvirt for the clone:

  * vol-upload of a 1 GiB file of random data into a 1 GiB raw volume (throughput);
  * vol-download of that volume into a file in the tmpfs (throughput);
  * clone (virStorageVolCreateXMLFrom) of a 1 GiB raw volume whose every other MiB is a hole;
  * vol-list of a pool with 1000 volumes (virsh vol-list: ListAllVolumes, then one call per
    volume for its path).

The sides take turns in rounds, the order rotating, so that load on the machine weighs on both
alike. Targets (issue 10): upload and download >= 2x libvirtd's throughput, clone <= 0.5x
libvirtd's time, list <= 0.5x. Never a pass/fail test.

  /usr/bin/python3 tests/bench/storage_bench.py [--rounds 3] [--size-mib 1024] [--write-doc]
"""

import argparse
import datetime
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

NS_MARK = "VIRTBUS_STORAGE_BENCH_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        sys.exit("storage_bench: needs root (a private mount namespace, libvirtd as uid nobody)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import remote_bench  # noqa: E402  (sys.path for tests/integration; imports libvirt)
from remote_bench import BenchError, machine, virtbusd_version  # noqa: E402

import libvirt  # noqa: E402
import remote_harness  # noqa: E402

ROOT = remote_bench.ROOT
DOC = ROOT / "docs" / "benchmarks-storage.md"
SCRATCH = Path("/tmp/virtbus-storage-bench")
MIB = 1 << 20
TARGETS = {"upload": 2.0, "download": 2.0, "clone": 0.5, "list": 0.5, "listcalls": 0.5}


def log(*a):
    print("storage_bench:", *a, file=sys.stderr, flush=True)


class Side:
    def __init__(self, label, daemon, owner):
        self.label = label
        self.daemon = daemon
        self.owner = owner              # uid the daemon runs as (its pool directory's owner)
        self.res = {k: [] for k in ("upload", "download", "clone", "list", "listcalls",
                                    "upload_cpu", "download_cpu", "list_cpu", "list_virsh_cpu", "list_virsh_csw",
                                    "upload_virsh_cpu", "download_virsh_cpu",
                                    "upload_virsh_main", "download_virsh_main")}

    def start(self):
        self.daemon.start(timeout=30) if self.label == "libvirtd" else self.daemon.start()
        self.uri = "qemu+unix:///session?socket=%s" % self.daemon.sock
        self.conn = libvirt.open(self.uri)
        self.pooldir = SCRATCH / self.label
        self.pooldir.mkdir()
        os.chown(self.pooldir, self.owner, self.owner)
        self.listdir = SCRATCH / (self.label + "-list")
        self.listdir.mkdir()
        self.pool = self.define_pool("bench", self.pooldir)
        self.listpool = self.define_pool("many", self.listdir)

    def define_pool(self, name, path):
        p = self.conn.storagePoolDefineXML(
            "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>" % (name, path), 0)
        p.create(0)
        return p

    def virsh(self, cmd):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=600)
        if p.returncode != 0:
            raise BenchError("%s: virsh %s: %s" % (self.label, cmd, p.stderr.strip()))
        return p

    def cpu(self):
        """The daemon's CPU time (user + system, all its threads and reaped children), seconds:
        what the work cost it, whatever else the machine's cores were doing meanwhile."""
        f = open("/proc/%d/stat" % self.daemon.proc.pid).read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")

    def timed_virsh(self, cmd, key=None):
        c0 = self.cpu()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        main_cpu = self.virsh_sampled(cmd) if key in ("upload", "download") else self.virsh(cmd)
        t = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if key:
            self.res[key + "_cpu"].append(self.cpu() - c0)
        if key in ("upload", "download"):
            self.res[key + "_virsh_cpu"].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
            self.res[key + "_virsh_main"].append(main_cpu)
        if key == "list":
            # virsh's own side of it: its CPU time and how often it slept (voluntary switches)
            self.res["list_virsh_cpu"].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
            self.res["list_virsh_csw"].append(r1.ru_nvcsw - r0.ru_nvcsw)
        return t

    def virsh_sampled(self, cmd):
        """Run virsh, sampling its main thread's CPU time (user + system) every 5 ms until it
        exits; returns the last sample, seconds. The main thread runs the command serially (file
        I/O, XDR, the socket when it holds the call), so its CPU time bounds the command's wall
        time from below, whatever daemon answers: the floor a throughput target meets."""
        argv = [remote_harness.VIRSH, "-c", self.uri] + cmd.split()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=self.daemon.client_env())
        tick = os.sysconf("SC_CLK_TCK")
        last = 0.0
        while p.poll() is None:
            try:
                f = open("/proc/%d/task/%d/stat" % (p.pid, p.pid)).read().rsplit(")", 1)[1].split()
                last = (int(f[11]) + int(f[12])) / tick
            except (OSError, IndexError, ValueError):
                pass            # exiting: keep the last sample
            time.sleep(0.005)
        err = p.stderr.read().decode()
        p.stderr.close()
        if p.returncode != 0:
            raise BenchError("%s: virsh %s: %s" % (self.label, cmd, err.strip()))
        return last

    def new_volume(self, name, size):
        xml = ("<volume><name>%s</name><capacity>%d</capacity><allocation>0</allocation>"
               "<target><format type='raw'/></target></volume>" % (name, size))
        return self.pool.createXML(xml, 0)

    def stop(self):
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass
        self.daemon.stop()


def make_holey(path, size, owner):
    """size bytes: every even MiB random data, every odd MiB a hole."""
    with open(path, "wb") as f:
        f.truncate(size)
        chunk = os.urandom(MIB)
        for off in range(0, size, 2 * MIB):
            f.seek(off)
            f.write(chunk)
    os.chown(path, owner, owner)
    os.chmod(path, 0o600)


def run_round(side, size, src, only):
    if only & {"upload", "download"}:
        run_transfer(side, size, src, only)
    if "clone" in only:
        run_clone(side, size)
    if "list" in only:
        run_list(side)


def run_transfer(side, size, src, only):
    vol = side.new_volume("up.img", size)
    side.res["upload"].append(side.timed_virsh("vol-upload --pool bench up.img %s" % src, "upload"))
    if "download" not in only:
        vol.delete(0)
        return
    dst = SCRATCH / ("down-%s.img" % side.label)
    side.res["download"].append(side.timed_virsh("vol-download --pool bench up.img %s" % dst, "download"))
    if os.path.getsize(dst) != size:
        raise BenchError("%s: download gave %d bytes" % (side.label, os.path.getsize(dst)))
    dst.unlink()
    vol.delete(0)


def run_clone(side, size):
    holey = side.pooldir / "holey.img"
    make_holey(holey, size, side.owner)
    side.pool.refresh(0)
    src_vol = side.pool.storageVolLookupByName("holey.img")
    xml = ("<volume><name>clone.img</name><capacity>%d</capacity>"
           "<target><format type='raw'/></target></volume>" % size)
    t0 = time.perf_counter()
    clone = side.pool.createXMLFrom(xml, src_vol, 0)
    side.res["clone"].append(time.perf_counter() - t0)
    clone.delete(0)
    src_vol.delete(0)


def run_list(side):
    for _ in range(3):          # short: three samples a round
        side.res["list"].append(side.timed_virsh("vol-list many", "list"))
        # the daemon's share of it: the same calls from python3-libvirt on an open connection
        t0 = time.perf_counter()
        for v in side.listpool.listAllVolumes(0):
            v.path()
        side.res["listcalls"].append(time.perf_counter() - t0)


def fmt(side, key, size):
    """The median, and the range of the rounds (load on the machine moves them a lot)."""
    s = side.res[key]
    if not s:
        return "-", None
    med = statistics.median(s)
    if key.endswith("_csw"):
        return "%.0f (%.0f–%.0f)" % (med, min(s), max(s)), med
    if key in ("upload", "download"):
        return "%.0f MiB/s (%.0f–%.0f)" % (size / MIB / med, size / MIB / max(s), size / MIB / min(s)), med
    return "%.0f ms (%.0f–%.0f)" % (med * 1000, min(s) * 1000, max(s) * 1000), med


def render(sides, size, n_vols, rounds):
    vb, lv = sides
    rows = []
    for key, what in (("upload", "vol-upload, %d MiB of random data" % (size // MIB)),
                      ("download", "vol-download, %d MiB" % (size // MIB)),
                      ("clone", "clone of a %d MiB raw volume, half holes" % (size // MIB)),
                      ("list", "vol-list of %d volumes (virsh)" % n_vols),
                      ("listcalls", "ListAllVolumes + %d GetPath (python3-libvirt, open connection)" % n_vols)):
        a, am = fmt(vb, key, size)
        b, bm = fmt(lv, key, size)
        if am is None or bm is None:
            continue
        if key in ("upload", "download"):
            ratio = bm / am     # throughput ratio: virtbusd's over libvirtd's
            verdict = "met" if ratio >= TARGETS[key] else "missed"
            target = ">= %.1fx" % TARGETS[key]
        else:
            ratio = am / bm     # time ratio
            verdict = "met" if ratio <= TARGETS[key] else "missed"
            target = "<= %.1fx" % TARGETS[key]
        rows.append("| %s | %s | %s | %.2fx | %s | %s |" % (what, a, b, ratio, target, verdict))
    # The daemons' CPU time for the same work: not a target, but what the load on the machine
    # moves least (the wall-clock rows above include waiting for a core and for virsh).
    for key, what in (("upload_cpu", "daemon CPU time of the vol-upload"),
                      ("download_cpu", "daemon CPU time of the vol-download"),
                      ("upload_virsh_cpu", "virsh's own CPU time in the vol-upload (all threads)"),
                      ("upload_virsh_main", "virsh's main thread's CPU time in the vol-upload"),
                      ("download_virsh_cpu", "virsh's own CPU time in the vol-download (all threads)"),
                      ("download_virsh_main", "virsh's main thread's CPU time in the vol-download"),
                      ("list_cpu", "daemon CPU time of the virsh vol-list"),
                      ("list_virsh_cpu", "virsh's own CPU time in the vol-list"),
                      ("list_virsh_csw", "virsh's voluntary context switches in the vol-list")):
        a, am = fmt(vb, key, size)
        b, bm = fmt(lv, key, size)
        if am is None or bm is None:
            continue
        rows.append("| %s | %s | %s | %s | | |" % (what, a, b, "%.2fx" % (am / bm) if bm else "-"))
    head = ("| workload (median of %d rounds; range) | virtbusd | libvirtd 9.0 | ratio of medians | target | |\n"
            "|---|---|---|---|---|---|\n" % rounds)
    return head + "\n".join(rows) + "\n"


def write_doc(table, size):
    text = DOC.read_text() if DOC.exists() else ""
    marker = "<!-- results -->"
    m = machine()
    host = "%s, %s cores, %s, kernel %s" % (m.get("cpu"), m.get("cores"), m.get("memory"), m.get("kernel"))
    stamp = "Run of %s on %s; %s; load average at the end: %s." % (
        datetime.date.today().isoformat(), host, virtbusd_version(remote_harness.VIRTBUSD),
        " ".join(open("/proc/loadavg").read().split()[:3]))
    block = "%s\n%s\n\n%s%s\n" % (marker, stamp, table, marker)
    if text.count(marker) == 2:
        pre, _, rest = text.partition(marker)
        _, _, post = rest.partition(marker)
        text = pre + block + post.lstrip("\n")
    else:
        text += "\n" + block
    DOC.write_text(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--volumes", type=int, default=1000)
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--write-doc", action="store_true")
    ap.add_argument("--only", action="append", choices=["upload", "download", "clone", "list"],
                    help="run only this workload (repeatable; download implies upload)")
    opts = ap.parse_args()
    only = set(opts.only or ["upload", "download", "clone", "list"])
    if "download" in only:
        only.add("upload")
    size = opts.size_mib * MIB
    remote_harness.VIRTBUSD = Path(opts.virtbusd)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    tmpfs_mib = 4 * opts.size_mib + 512
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % tmpfs_mib, "tmpfs", str(SCRATCH)],
                   check=True)
    nobody = 65534 if os.geteuid() == 0 else os.getuid()
    vb = Side("virtbusd", remote_harness.RemoteDaemon(tcp=False), 0)
    lv = Side("libvirtd", remote_harness.LibvirtdDaemon(tcp=False, holder=False), nobody)
    sides = [vb, lv]
    try:
        for s in sides:
            s.start()
            for i in range(opts.volumes):
                f = s.listdir / ("vol%04d.img" % i)
                f.write_bytes(b"")
                os.chown(f, s.owner, s.owner)
            s.listpool.refresh(0)
        src = SCRATCH / "random.bin"
        with open(src, "wb") as f:
            for _ in range(opts.size_mib if "upload" in only else 0):
                f.write(os.urandom(MIB))
        os.chmod(src, 0o644)
        for r in range(opts.rounds):
            order = sides if r % 2 == 0 else sides[::-1]
            for s in order:
                log("round %d: %s" % (r + 1, s.label))
                run_round(s, size, src, only)
        table = render(sides, size, opts.volumes, opts.rounds)
        print(table)
        if opts.write_doc:
            write_doc(table, size)
    finally:
        for s in sides:
            try:
                s.stop()
            except Exception as e:      # noqa: BLE001  (report, keep cleaning up)
                log("stopping %s: %s" % (s.label, e))
        subprocess.run(["umount", "-l", str(SCRATCH)])


if __name__ == "__main__":
    main()
