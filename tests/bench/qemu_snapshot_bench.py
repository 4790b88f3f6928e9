#!/usr/bin/python3
"""virtbus snapshot benchmark: virtbusd against libvirtd 9.0's QEMU driver.

For the same minimal running domain (type='qemu', TCG, 64 MiB, one vCPU, machine pc, nothing
boots, one 64 MiB qcow2 disk) on each side (the sides of tests/bench/qemu_bench.py: virtbusd
--session and a session libvirtd 9.0, both in temporary XDG directories, reached by
python3-libvirt):

  * create: dom.snapshotCreateXML(<name>) of the running guest until it returns (an internal
    snapshot: memory and disk into the qcow2 image);
  * delete: snap.delete() until it returns;
  * round trip: the two together.

n cycles per side after one warm-up, in rounds that rotate which side goes first. Never a
pass/fail test; the target (issue 14): each ≤ 0.5 × libvirtd's time.

  /usr/bin/python3 tests/bench/qemu_snapshot_bench.py [-n 10] [--write-doc]
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qemu_save_bench  # noqa: E402
from qemu_bench import libvirt, ms  # noqa: E402

DOC_BEGIN = "<!-- qemu_snapshot_bench: begin -->"
DOC_END = "<!-- qemu_snapshot_bench: end -->"

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def cycle(side, workdir):
    """define, start, snapshot, delete the snapshot, destroy, undefine; (create ms, delete ms)."""
    name = side.name()
    disk = os.path.join(workdir, name + ".qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
    os.chmod(disk, 0o666)       # libvirtd's QEMU runs as uid nobody
    dom = side.conn.defineXML(DOMAIN_XML.format(name=name, disk=disk))
    dom.create()
    t0 = time.perf_counter()
    snap = dom.snapshotCreateXML("<domainsnapshot><name>bench</name></domainsnapshot>", 0)
    t_create = ms(t0)
    t0 = time.perf_counter()
    snap.delete(0)
    t_delete = ms(t0)
    dom.destroy()
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    os.unlink(disk)
    return t_create, t_delete


ROWS = (("create", "snapshot create (running)"), ("delete", "snapshot delete (running)"),
        ("round_trip", "create + delete"))

if __name__ == "__main__":
    sys.exit(qemu_save_bench.main(__doc__, cycle, ("create", "delete"), ROWS, "virtbus-snapshot-bench-",
                                  (DOC_BEGIN, DOC_END, "Snapshots (qemu_snapshot_bench.py)")))
