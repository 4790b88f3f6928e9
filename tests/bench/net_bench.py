#!/usr/bin/python3
"""net_bench.py: net-start and net-destroy of libvirt's default network, virtbusd against
Debian's libvirtd 9.0, each in the same private mount and network namespace (one after the
other: both want virbr0), timed through python3-libvirt on the system socket.

    /usr/bin/python3 tests/bench/net_bench.py [--rounds N]

Needs root. libvirtd runs with its directories (/etc/libvirt/qemu, /run/libvirt,
/var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt) bind-mounted from temporary ones;
its firewall backend in 9.0 is iptables. Prints a markdown table (docs/benchmarks-network.md keeps one)."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
import net_harness as nh  # noqa: E402

nh.enter_namespace()
import libvirt  # noqa: E402


def cycle(uri, rounds):
    conn = libvirt.open(uri)
    try:
        net = conn.networkLookupByName("default")
    except libvirt.libvirtError:
        net = conn.networkDefineXML(nh.DEFAULT_XML)
    if net.isActive():
        net.destroy()
    starts, stops = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        net.create()
        starts.append(time.perf_counter() - t)
        assert nh.link_exists("virbr0")
        t = time.perf_counter()
        net.destroy()
        stops.append(time.perf_counter() - t)
    net.undefine()
    conn.close()
    return starts, stops


def run_virtbusd(rounds):
    w = nh.NetWorld()
    try:
        w.start()
        return cycle(w.uri, rounds)
    finally:
        w.stop()


def run_libvirtd(rounds):
    tmp = Path(tempfile.mkdtemp(prefix="virtbus-netbench-"))
    mounts = []
    proc = None
    try:
        for d in ("/etc/libvirt/qemu", "/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"):
            src = tmp / d.strip("/").replace("/", "-")
            src.mkdir(parents=True)
            Path(d).mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "--bind", str(src), d], check=True)
            mounts.append(d)
        sock_dir = tmp / "sock"
        sock_dir.mkdir()
        conf = tmp / "libvirtd.conf"
        conf.write_text('unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n' % sock_dir)
        with open(tmp / "libvirtd.log", "w") as log:
            proc = subprocess.Popen(["/usr/sbin/libvirtd", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT)
        nh.wait_for(lambda: (sock_dir / "libvirt-sock").exists(), "libvirtd", timeout=30)
        return cycle("qemu+unix:///system?socket=%s" % (sock_dir / "libvirt-sock"), rounds)
    finally:
        if proc:
            proc.terminate()
            proc.wait(20)
        for pid in nh.pids_of("dnsmasq"):
            os.kill(pid, 9)
        for d in reversed(mounts):
            subprocess.run(["umount", "-l", d])
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    opts = ap.parse_args()
    nh.sh("ip", "link", "set", "lo", "up")
    results = {"virtbusd": run_virtbusd(opts.rounds), "libvirtd 9.0": run_libvirtd(opts.rounds)}
    ms = lambda xs: "%.1f" % (statistics.median(xs) * 1000)
    print("| measure (median of %d, ms) | virtbusd | libvirtd 9.0 | virtbusd / libvirtd |" % opts.rounds)
    print("|---|---|---|---|")
    for i, label in enumerate(("net-start default", "net-destroy default")):
        v, l = results["virtbusd"][i], results["libvirtd 9.0"][i]
        print("| %s | %s | %s | %.2f |" % (label, ms(v), ms(l), statistics.median(v) / statistics.median(l)))


if __name__ == "__main__":
    main()
