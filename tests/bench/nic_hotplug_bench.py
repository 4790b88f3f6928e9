#!/usr/bin/python3
"""nic_hotplug_bench.py: a NIC's attach + detach round trip on a running guest, virtbusd against
Debian's libvirtd 9.0, each as a system daemon in the same private mount and network namespace
(one after the other: both want virbr0; nic_bench.py's set-up), through python3-libvirt.

Each side boots the tiny test guest (tests/guest, TCG, ACPI) and waits for its console to say
it is up; then, after one warm-up cycle, n times:

  * attach: attachDeviceFlags(<interface type='network'> on default, virtio, LIVE) until it
    returns (a tap on virbr0, then netdev_add + device_add);
  * detach: detachDeviceFlags(the same, LIVE) until it returns (DEVICE_DELETED from the guest,
    up to 5 s);
  * round trip: the two together.

Never a pass/fail test; the sides run one after the other, so drift of the machine's load
falls on them unevenly (the load average is printed). Needs root and QEMU.

    /usr/bin/python3 tests/bench/nic_hotplug_bench.py [-n 10]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import nic_bench  # noqa: E402  (enters the private namespaces)
import guest  # noqa: E402
import qemu_hotplug_bench as hb  # noqa: E402
from remote_bench import stats  # noqa: E402

libvirt = nic_bench.libvirt
nh = nic_bench.nh

NIC_XML = """<interface type='network'>
  <mac address='52:54:00:4b:e5:01'/>
  <source network='default'/>
  <model type='virtio'/>
</interface>
"""


def cycle(dom):
    live = libvirt.VIR_DOMAIN_AFFECT_LIVE
    t0 = time.perf_counter()
    dom.attachDeviceFlags(NIC_XML, live)
    t_attach = hb.ms(t0)
    t0 = time.perf_counter()
    dom.detachDeviceFlags(NIC_XML, live)
    t_detach = hb.ms(t0)
    t1 = time.perf_counter()
    while "52:54:00:4b:e5:01" in dom.XMLDesc(0):    # a detach that timed out: wait for the guest
        if hb.ms(t1) > 60000:
            raise RuntimeError("the NIC still in the guest 60 s after its detach")
        time.sleep(0.01)
    return t_attach, t_detach


class Side:
    """What hb.boot needs of a side: a connection and names."""

    def __init__(self, conn, label):
        self.conn, self.label, self.seq = conn, label, 0

    def name(self):
        self.seq += 1
        return f"nh-{self.label}-{self.seq:02d}"


def hotplug_cycles(n, label):
    """A replacement of nic_bench.cycle: boot the guest on uri, n NIC round trips."""
    def run(uri, _rounds):
        conn = libvirt.open(uri)
        net = nic_bench.default_network(conn)
        workdir = tempfile.mkdtemp(prefix="virtbus-nichp-")
        os.chmod(workdir, 0o1777)
        img = guest.build()
        image = [shutil.copy(src, workdir) for src in (img.kernel, img.initrd)] + [img.append]
        dom = hb.boot(Side(conn, label), workdir, image)
        try:
            cycle(dom)
            res = {"attach": [], "detach": [], "round_trip": []}
            for _ in range(n):
                a, d = cycle(dom)
                res["attach"].append(a)
                res["detach"].append(d)
                res["round_trip"].append(a + d)
            return res
        finally:
            dom.destroy()
            net.destroy()
            net.undefine()
            conn.close()
            shutil.rmtree(workdir, ignore_errors=True)
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=10)
    opts = ap.parse_args()
    nh.sh("ip", "link", "set", "lo", "up")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    nic_bench.cycle = hotplug_cycles(opts.n, "virtbusd")
    ours, _ = nic_bench.run_virtbusd(opts.n)
    nic_bench.cycle = hotplug_cycles(opts.n, "libvirtd")
    theirs = nic_bench.run_libvirtd(opts.n)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"n = {opts.n} per side; load average {load_before} before, {load_after} after.\n")
    print("| NIC on default (virtio, tap) | virtbusd median (p90) | libvirtd 9.0 median (p90) | ratio |")
    print("|---|---|---|---|")
    for key, label in (("attach", "attach"), ("detach", "detach (DEVICE_DELETED)"), ("round_trip", "attach + detach")):
        v, l = stats(ours[key]), stats(theirs[key])
        print(f"| {label} | {v['median']:.0f} ms ({v['p90']:.0f}) | {l['median']:.0f} ms ({l['p90']:.0f}) | "
              f"{v['median'] / l['median']:.2f}× |")


if __name__ == "__main__":
    main()
