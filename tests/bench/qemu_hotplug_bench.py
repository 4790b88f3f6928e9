#!/usr/bin/python3
"""virtbus hotplug benchmark: a disk's attach + detach round trip on a running guest, virtbusd
against libvirtd 9.0's QEMU driver.

Each side (tests/bench/qemu_bench.py's: virtbusd --session and a session libvirtd 9.0 in
temporary XDG directories, reached by python3-libvirt) boots the tiny test guest (tests/guest,
TCG, ACPI, so that it lets unplugged devices go) and waits for its console to say it is up;
then, n times:

  * attach: attachDeviceFlags(<disk> qcow2 vdb, LIVE) until it returns (an image per side);
  * detach: detachDeviceFlags(the same, LIVE) until it returns (both daemons wait for QEMU's
    DEVICE_DELETED, up to 5 s, then for QEMU to delete the image's block nodes);
  * round trip: the two together.

n cycles per side after one warm-up, in rounds that rotate which side goes first. Never a
pass/fail test; the target (issue 14): ≤ 0.5 × libvirtd's time. NICs are not measured here:
their taps need the system daemons (tests/integration/test_qemu_hotplug_nic.py).

  /usr/bin/python3 tests/bench/qemu_hotplug_bench.py [-n 10] [--write-doc]

--floor adds a third side: the same guest in a bare QEMU (tests/guest's GuestVM) driven over
QMP from Python with the same commands one at a time (blockdev-add ×2, device_add; device_del,
DEVICE_DELETED, blockdev-del ×2): what QEMU and the guest take without any daemon.

A/B of two virtbusd binaries in one run (same rounds, same load), no libvirtd:

  /usr/bin/python3 tests/bench/qemu_hotplug_bench.py --ab OLD/virtbusd [--virtbusd NEW/virtbusd]
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import bench_rounds  # noqa: E402
import qemu_bench  # noqa: E402
import qemu_save_bench  # noqa: E402
from qemu_bench import dpkg_version, git_revision, log, ms  # noqa: E402
from remote_bench import BenchError, machine  # noqa: E402

DOC_BEGIN = "<!-- qemu_hotplug_bench: begin -->"
DOC_END = "<!-- qemu_hotplug_bench: end -->"

GUEST_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

DISK_XML = """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='{path}'/>
  <target dev='vdb' bus='virtio'/>
</disk>
"""


def boot(side, workdir, image):
    """The tiny guest running on side, its console saying it is up; the domain."""
    name = side.name()
    console = os.path.join(workdir, name + ".console")
    xml = GUEST_XML.format(name=name, kernel=image[0], initrd=image[1], append=image[2], console=console)
    dom = side.conn.createXML(xml, 0)
    t0 = time.perf_counter()
    while True:
        try:
            if guest.UP in Path(console).read_text(errors="replace"):
                return dom
        except FileNotFoundError:
            pass
        if ms(t0) > 240000:
            raise BenchError(f"{side.label}: the guest {name} did not come up in 240 s")
        time.sleep(0.2)


class FloorSide:
    """The guest in a bare QEMU, hotplug over QMP from Python: no daemon at all."""
    label = "floor"

    def __init__(self, workdir):
        self.workdir = Path(workdir) / "floor"
        self.vm = None

    def start(self):
        pass

    def boot(self, image, disk):
        self.disk = disk
        self.vm = guest.GuestVM(guest.GuestImage(*image), self.workdir).start()
        self.vm.wait_console(guest.UP, timeout=240)

    def cycle(self):
        q = self.vm.qmp
        t0 = time.perf_counter()
        q.command("blockdev-add", driver="file", filename=self.disk, **{"node-name": "fl-storage"})
        q.command("blockdev-add", driver="qcow2", file="fl-storage", **{"node-name": "fl"})
        q.command("device_add", driver="virtio-blk-pci", drive="fl", id="fl-disk")
        t_attach = ms(t0)
        t0 = time.perf_counter()
        start = len(q.events)
        q.command("device_del", id="fl-disk")

        def deleted():
            return any(e["event"] == "DEVICE_DELETED" and e.get("data", {}).get("device") == "fl-disk"
                       for e in q.events[start:])
        with q._cond:
            if not q._cond.wait_for(deleted, 60):
                raise BenchError("floor: no DEVICE_DELETED in 60 s")
        q.command("blockdev-del", **{"node-name": "fl"})
        q.command("blockdev-del", **{"node-name": "fl-storage"})
        return t_attach, ms(t0)

    def stop(self):
        if self.vm:
            self.vm.stop()


def cycle(side, disk_xml):
    """attach + detach of vdb; (attach ms, detach ms)."""
    if isinstance(side, FloorSide):
        return side.cycle()
    live = qemu_bench.libvirt.VIR_DOMAIN_AFFECT_LIVE
    t0 = time.perf_counter()
    side.dom.attachDeviceFlags(disk_xml, live)
    t_attach = ms(t0)
    t0 = time.perf_counter()
    side.dom.detachDeviceFlags(disk_xml, live)
    t_detach = ms(t0)
    # the guest let it go (a detach that timed out would make the next attach fail)
    t1 = time.perf_counter()
    while "vdb" in side.dom.XMLDesc(0):
        if ms(t1) > 60000:
            raise BenchError(f"{side.label}: vdb still in the guest 60 s after its detach")
        time.sleep(0.01)
    return t_attach, t_detach


def measure(sides, n, rounds):
    bench_rounds.measure(sides, n, rounds, lambda s: cycle(s, s.disk_xml), ("attach", "detach", "round_trip"), log)


def render(results):
    return bench_rounds.render(results, (("attach", "attach"), ("detach", "detach (DEVICE_DELETED)"),
                                         ("round_trip", "attach + detach")), "disk vdb (qcow2, virtio)")


class PinnedSide(qemu_bench.VirtbusdSide):
    """A virtbusd side that starts its own binary (the harness's is one global), for A/B runs."""

    def __init__(self, binary, label):
        super().__init__(binary)
        self.binary = binary
        self.label = label

    def start(self):
        qemu_bench.remote_harness.VIRTBUSD = Path(self.binary)
        super().start()


def render_ab(results):
    """The A/B table: the virtbusd before and after a change, medians (p90) and their ratio."""
    a, b = results["sides"]["before"], results["sides"]["virtbusd"]
    lines = [f"A/B run {results['date']} ({results['git']}), n = {results['n']} per side; load average "
             f"{results['load_before']} before, {results['load_after']} after.", "",
             "| disk vdb (qcow2, virtio) | virtbusd before median (p90) | virtbusd after median (p90) | after / before |",
             "|---|---|---|---|"]
    for key, label in (("attach", "attach"), ("detach", "detach (DEVICE_DELETED)"), ("round_trip", "attach + detach")):
        lines.append(f"| {label} | {a[key]['median']:.0f} ms ({a[key]['p90']:.0f}) | {b[key]['median']:.0f} ms "
                     f"({b[key]['p90']:.0f}) | {b[key]['median'] / a[key]['median']:.2f}× |")
    return "\n".join(lines) + "\n"


def render_floor(results):
    """The usual table, then each side's time over the bare-QEMU floor (what the daemon adds)."""
    f = results["sides"]["floor"]
    lines = [render(results), "| over the bare-QEMU floor (medians) | floor | virtbusd − floor | libvirtd − floor |",
             "|---|---|---|---|"]
    for key, label in (("attach", "attach"), ("detach", "detach"), ("round_trip", "attach + detach")):
        cells = [f"{results['sides'][s][key]['median'] - f[key]['median']:+.0f} ms" if s in results["sides"] else "—"
                 for s in ("virtbusd", "libvirtd")]
        lines.append(f"| {label} | {f[key]['median']:.0f} ms ({f[key]['p90']:.0f}) | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def write_doc(table):
    bench_rounds.write_doc(qemu_save_bench.DOC, DOC_BEGIN, DOC_END, "Hotplug round trip (qemu_hotplug_bench.py)",
                           table, log)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtbusd", default=os.environ.get("VIRTBUSD", str(qemu_bench.ROOT / "build" / "service" / "virtbusd")))
    ap.add_argument("--libvirtd", default="/usr/sbin/libvirtd")
    ap.add_argument("--no-libvirtd", action="store_true")
    ap.add_argument("--floor", action="store_true", help="add the bare-QEMU side (hotplug over QMP from Python)")
    ap.add_argument("--ab", metavar="BASELINE", help="A/B against this virtbusd binary instead of libvirtd")
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write-doc", action="store_true")
    opts = ap.parse_args()
    results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "n": opts.n,
               "git": git_revision(), "libvirtd_version": dpkg_version("libvirt-daemon"),
               "qemu_version": dpkg_version("qemu-system-x86"), "machine": machine()}
    # both daemons (libvirtd runs as uid nobody) read the guest and the disk, and write the consoles here
    workdir = tempfile.mkdtemp(prefix="virtbus-hotplug-bench-")
    os.chmod(workdir, 0o1777)
    img = guest.build()
    image = []
    for src in (img.kernel, img.initrd):
        dst = os.path.join(workdir, os.path.basename(src))
        shutil.copy(src, dst)
        os.chmod(dst, 0o644)
        image.append(dst)
    image.append(img.append)

    def prepare(side):
        # an image per side: a side's QEMU may hold its image a moment after its detach
        disk = os.path.join(workdir, f"vdb-{side.label}.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
        os.chmod(disk, 0o666)
        side.disk_xml = DISK_XML.format(path=disk)
        if isinstance(side, FloorSide):
            side.boot(image, disk)
        else:
            side.dom = boot(side, workdir, image)

    wanted = [PinnedSide(opts.virtbusd, "virtbusd"), PinnedSide(opts.ab, "before")] if opts.ab else None
    if opts.floor and not opts.ab:
        wanted = ([qemu_bench.VirtbusdSide(opts.virtbusd)] +
                  ([] if opts.no_libvirtd else [qemu_bench.LibvirtdSide(opts.libvirtd)]) + [FloorSide(workdir)])
    if opts.ab:
        opts.write_doc = False      # the A/B table goes into the doc by hand, with its context
    return bench_rounds.run_sides(opts, results, workdir, prepare,
                                  lambda sides: measure(sides, opts.n, opts.rounds),
                                  render_ab if opts.ab else render_floor if opts.floor else render, write_doc, log,
                                  wanted)


if __name__ == "__main__":
    sys.exit(main())
