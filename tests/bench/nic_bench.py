#!/usr/bin/python3
"""nic_bench.py: what one NIC adds to a guest's start: createXML → running of the same small
guest with no NIC and with one virtio NIC on the default network (a tap on virbr0), virtbusd
against Debian's libvirtd 9.0, each in the same private mount and network namespace (one after
the other: both want virbr0), through python3-libvirt on the system socket.

    /usr/bin/python3 tests/bench/nic_bench.py [--rounds N]

Needs root and QEMU. The two guests are started alternately (no NIC, NIC, no NIC, …) so that
drift on the shared machine falls on both alike; each is destroyed before the next start. The
delta is median(with NIC) − median(without). Prints a markdown table (docs/networks.md)."""

import argparse
import re
import os
import shutil
import statistics
import tempfile
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "integration"))
import net_harness as nh  # noqa: E402

nh.enter_namespace()
import libvirt  # noqa: E402
libvirt.registerErrorHandler(lambda *a: None, None)

GUEST = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>{nic}<memballoon model='none'/></devices>
</domain>
"""
NICS = {
    None: "",
    "user": "<interface type='user'><model type='virtio'/></interface>",
    "network": "<interface type='network'><source network='default'/><model type='virtio'/></interface>",
}


def start_ms(conn, name, nic):
    t = time.perf_counter()
    dom = conn.createXML(GUEST.format(name=name, nic=NICS[nic]), 0)
    ms = (time.perf_counter() - t) * 1000
    assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    if nic == "network":
        assert "<target dev='vnet" in dom.XMLDesc(0)
    dom.destroy()
    return ms


def default_network(conn):
    """The default network of conn, defined if missing, active."""
    try:
        net = conn.networkLookupByName("default")
    except libvirt.libvirtError:
        net = conn.networkDefineXML(nh.DEFAULT_XML)
    if not net.isActive():
        net.create()
    return net


def cycle(uri, rounds):
    conn = libvirt.open(uri)
    net = default_network(conn)
    for kind in NICS:                       # QEMU's capabilities, caches
        start_ms(conn, "warm-%s" % kind, kind)
    times = {kind: [] for kind in NICS}
    for i in range(rounds):
        for kind in NICS:
            times[kind].append(start_ms(conn, "g%d-%s" % (i, kind), kind))
    net.destroy()
    net.undefine()
    conn.close()
    return times


def run_virtbusd(rounds):
    """Also the daemon's own share: the time qemu-net.c reports for the tap of each start."""
    w = nh.NetWorld()
    try:
        w.start()
        times = cycle(w.uri, rounds)
        prep = [int(m) / 1000 for m in re.findall(r"interface descriptor\(s\) ready in (\d+) us", w.log())]
        return times, prep
    finally:
        w.stop()


def run_libvirtd(rounds):
    """Debian's libvirtd (system mode) with its directories bind-mounted from temporary ones,
    as net_bench runs it, and a qemu.conf as virtbusd's test one: QEMU as root, no security
    driver (no AppArmor here), its output to a file (no virtlogd)."""
    tmp = Path(tempfile.mkdtemp(prefix="virtbus-nicbench-"))
    mounts, proc = [], None
    try:
        for d in ("/etc/libvirt/qemu", "/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"):
            src = tmp / d.strip("/").replace("/", "-")
            src.mkdir(parents=True)
            Path(d).mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "--bind", str(src), d], check=True)
            mounts.append(d)
        qconf = tmp / "qemu.conf"
        qconf.write_text('user = "root"\ngroup = "root"\nsecurity_driver = "none"\nstdio_handler = "file"\n')
        subprocess.run(["mount", "--bind", str(qconf), "/etc/libvirt/qemu.conf"], check=True)
        mounts.append("/etc/libvirt/qemu.conf")
        sock_dir = tmp / "sock"
        sock_dir.mkdir()
        conf = tmp / "libvirtd.conf"
        conf.write_text('unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n' % sock_dir)
        with open(tmp / "libvirtd.log", "w") as log:
            proc = subprocess.Popen(["/usr/sbin/libvirtd", "-f", str(conf), "-p", str(tmp / "libvirtd.pid")], stdout=log, stderr=subprocess.STDOUT)
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
    ours, prep = run_virtbusd(opts.rounds)
    results = {"virtbusd": ours, "libvirtd 9.0": run_libvirtd(opts.rounds)}
    med = statistics.median
    print("| guest start, median of %d (ms) | no NIC | virtio NIC, user | virtio NIC on default (tap) | tap − user |"
          % opts.rounds)
    print("|---|---|---|---|---|")
    for side, t in results.items():
        print("| %s | %.1f | %.1f | %.1f | %.1f |" % (side, med(t[None]), med(t["user"]), med(t["network"]),
                                                    med(t["network"]) - med(t["user"])))
    print()
    print("virtbusd's own share (the tap: create, MAC, MTU, bridge, up), %d starts: min %.2f ms, median %.2f ms, "
          "max %.2f ms" % (len(prep), min(prep), med(prep), max(prep)))


if __name__ == "__main__":
    main()
