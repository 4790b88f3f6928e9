#!/usr/bin/python3
"""test_qemu_snapshot_ext.py: external snapshots of a running guest with their memory on qemu:///session (the tiny guest under TCG, virsh).

    /usr/bin/python3 tests/integration/test_qemu_snapshot_ext.py -v

`--memspec file=…,snapshot=external`: the guest's memory goes into a save image (QEMU's
migration stream after libvirt's header) and its disks onto qcow2 overlays, all at one
moment; the guest then goes on. The memory file is a save image: `virsh restore` of it
brings back the guest's memory of that moment. A failure at any step leaves the guest, its
disks and its definition as they were, and no memory file behind. `--reuse-external` takes
the user's overlays as they are; `--quiesce` freezes the guest's file systems through its
agent around a disk-only snapshot. Reverting to an external snapshot is refused as libvirt
9.0 refuses it.
"""

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402
from test_qemu_snapshot import DOMAIN_XML, SnapshotFixture  # noqa: E402

# The snapshot test's guest with a second disk (vdb): a snapshot's disks move together or not at all.
TWO_DISKS_XML = DOMAIN_XML.replace("    </disk>\n", """    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk2}'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
""", 1)

# An agent channel and a disk with a file system the guest mounts: something to freeze.
AGENT_XML = DOMAIN_XML.replace("  <devices>\n", """  <devices>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
""", 1).replace("{append}", "{append} virtbus.mount=vda:/mnt/data")

BOOT_TIMEOUT = 300


def backing_chain(path):
    return subprocess.run(["qemu-img", "info", "-U", "--backing-chain", str(path)], capture_output=True, text=True,
                          check=True).stdout


class QemuExternalSnapshotTest(SnapshotFixture):
    @classmethod
    def tearDownClass(cls):
        for name in ("ext-mem", "ext-fail", "ext-reuse", "ext-quiesce"):     # what a failed test left running
            cls.daemon.virsh("unix", "destroy %s" % name)
        super().tearDownClass()

    def define_two(self, name):
        disk, disk2 = self.disks / ("%s.qcow2" % name), self.disks / ("%s-b.qcow2" % name)
        for d in (disk, disk2):
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(d), "16M"], check=True)
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(TWO_DISKS_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                            append=self.image.append, fmt="qcow2", disk=disk, disk2=disk2))
        self.virsh_ok("define %s" % xml)
        return disk, disk2

    def blk(self, name):
        return [line.split()[1] for line in self.virsh_ok("domblklist %s" % name).splitlines()[2:] if line.strip()]

    def test_1_memory_and_disks_then_the_guest_goes_on(self):
        disk, disk2 = self.define_two("ext-mem")
        self.virsh_ok("start ext-mem", timeout=BOOT_TIMEOUT)
        dom = self.conn.lookupByName("ext-mem")
        self.mark(dom, "before")
        mem, ov, ov2 = self.disks / "ext-mem.mem", self.disks / "ext-mem.s1", self.disks / "ext-mem-b.s1"
        lv = self.libvirt
        paused_then_resumed = [("ext-mem", lv.VIR_DOMAIN_EVENT_SUSPENDED, lv.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                               ("ext-mem", lv.VIR_DOMAIN_EVENT_RESUMED, lv.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)]
        del self.lifecycle[:]
        self.virsh_ok("snapshot-create-as ext-mem s1 --memspec file=%s,snapshot=external "
                      "--diskspec vda,snapshot=external,file=%s --diskspec vdb,file=%s" % (mem, ov, ov2), timeout=240)
        # the guest goes on, on its overlays, with its memory (stopped meanwhile, as libvirt's)
        self.wait_events(paused_then_resumed)
        self.assertEqual(self.virsh_ok("domstate ext-mem").strip(), "running")
        self.assertEqual(self.state(dom), "before")
        self.mark(dom, "after")
        self.assertEqual(self.blk("ext-mem"), [str(ov), str(ov2)])
        self.assertIn("backing file: %s" % disk, backing_chain(ov))
        self.assertIn("backing file: %s" % disk2, backing_chain(ov2))
        inactive = self.virsh_ok("dumpxml ext-mem --inactive")
        self.assertIn("<source file='%s'/>" % ov, inactive)
        self.assertIn("<source file='%s'/>" % ov2, inactive)
        # libvirt's snapshot XML: the memory file, the overlays, the guest's state then
        xml = self.virsh_ok("snapshot-dumpxml ext-mem s1")
        self.assertIn("<state>running</state>", xml)
        self.assertIn("<memory snapshot='external' file='%s'/>" % mem, xml)
        self.assertIn("<disk name='vda' snapshot='external'>", xml)
        self.assertIn("<source file='%s'/>" % ov, xml)
        self.assertIn("<source file='%s'/>" % ov2, xml)
        self.assertIn("<source file='%s'/>" % disk, xml)        # the domain as it was
        # the memory file is a save image, 0600, of the domain on its disks of that moment
        self.assertEqual(stat.S_IMODE(os.stat(mem).st_mode), 0o600)
        self.assertEqual(mem.read_bytes()[:16], b"VirtbusQemuSave1")     # this daemon's save images
        image_xml = self.virsh_ok("save-image-dumpxml %s" % mem)
        self.assertIn("<source file='%s'/>" % disk, image_xml)
        # libvirt 9.0 reverts to no external snapshot
        self.virsh_fails("snapshot-revert ext-mem s1",
                         "unsupported configuration: revert to external snapshot not supported yet")
        self.assertEqual(self.state(dom), "after")
        # --live: the guest runs while its memory streams; it goes on afterwards
        mem2, ov3, ov4 = self.disks / "ext-mem.mem2", self.disks / "ext-mem.s2", self.disks / "ext-mem-b.s2"
        del self.lifecycle[:]
        self.virsh_ok("snapshot-create-as ext-mem s2 --live --memspec file=%s --diskspec vda,file=%s "
                      "--diskspec vdb,file=%s" % (mem2, ov3, ov4), timeout=240)
        self.wait_events(paused_then_resumed)      # QEMU stops the guest once the stream converged
        self.assertEqual(self.virsh_ok("domstate ext-mem").strip(), "running")
        self.assertEqual(self.state(dom), "after")
        self.assertEqual(self.blk("ext-mem"), [str(ov3), str(ov4)])
        self.assertIn("<memory snapshot='external' file='%s'/>" % mem2, self.virsh_ok("snapshot-dumpxml ext-mem s2"))
        self.assertEqual(self.virsh_ok("snapshot-parent ext-mem s2").strip(), "s1")
        # deleting it (the guest runs): the overlays are committed into the ones below, the
        # disks go back there, and the memory file goes
        self.virsh_ok("snapshot-delete ext-mem s2", timeout=240)
        self.assertEqual(self.blk("ext-mem"), [str(ov), str(ov2)])
        for gone in (mem2, ov3, ov4):
            self.assertFalse(gone.exists(), gone)
        self.assertEqual(self.names("ext-mem"), ["s1"])
        self.assertEqual(self.state(dom), "after")
        # the first memory file restores: the guest knows the word of that moment (its disks:
        # the bases, as the image's definition says)
        self.virsh_ok("destroy ext-mem")
        self.virsh_ok("restore %s" % mem, timeout=240)
        self.assertEqual(self.virsh_ok("domstate ext-mem").strip(), "running")
        self.assertEqual(self.state(self.conn.lookupByName("ext-mem")), "before")
        self.virsh_ok("destroy ext-mem")
        self.virsh_ok("snapshot-delete ext-mem s1 --metadata")
        self.virsh_ok("undefine ext-mem")

    def test_2_a_failure_changes_nothing(self):
        disk, disk2 = self.define_two("ext-fail")
        # refusals before anything runs
        self.virsh_fails("snapshot-create-as ext-fail x --memspec file=%s" % (self.disks / "x.mem"),
                         "memory state cannot be saved with offline or disk-only snapshot")
        self.virsh_fails("snapshot-create-as ext-fail x --live",
                         "live snapshot creation is supported only during full system snapshots")
        self.virsh_ok("start ext-fail", timeout=BOOT_TIMEOUT)
        dom = self.conn.lookupByName("ext-fail")
        self.mark(dom, "kept")
        self.virsh_fails("snapshot-create-as ext-fail x --live --disk-only",
                         "live snapshot creation is supported only during full system snapshots")
        self.virsh_fails("snapshot-create-as ext-fail x --disk-only --memspec file=%s" % (self.disks / "x.mem"),
                         "memory state cannot be saved with offline or disk-only snapshot")
        self.virsh_fails("snapshot-create-as ext-fail x --quiesce",
                         "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY' is required by flag "
                         "'VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE'")
        self.virsh_fails("snapshot-create-as ext-fail x --disk-only --quiesce",
                         "QEMU guest agent is not configured")
        taken = self.disks / "ext-fail.taken"
        taken.write_bytes(b"data")
        mem = self.disks / "ext-fail.mem"
        self.virsh_fails("snapshot-create-as ext-fail x --memspec file=%s --diskspec vdb,file=%s" % (mem, taken),
                         "external snapshot file for disk vdb already exists and is not a block device: %s" % taken)
        self.virsh_fails("snapshot-create-as ext-fail x --disk-only --reuse-external --diskspec vda,file=%s"
                         % (self.disks / "nowhere"),
                         "missing existing file for disk vda: %s: No such file or directory" % (self.disks / "nowhere"))
        self.assertFalse(mem.exists())
        # a failure after the memory is saved: vdb's overlay cannot be made, so vda's goes too,
        # and so does the memory file; the guest runs on its old disks
        ov = self.disks / "ext-fail.y"
        self.virsh_fails("snapshot-create-as ext-fail y --memspec file=%s --diskspec vda,file=%s "
                         "--diskspec vdb,file=%s" % (mem, ov, self.disks / "no-such-dir" / "b.y"),
                         "cannot snapshot disk")
        self.assertFalse(mem.exists())
        self.assertFalse(ov.exists())
        self.assertEqual(self.blk("ext-fail"), [str(disk), str(disk2)])
        self.assertIn("<source file='%s'/>" % disk, self.virsh_ok("dumpxml ext-fail --inactive"))
        self.assertEqual(self.names("ext-fail"), [])
        self.assertEqual(self.virsh_ok("domstate ext-fail").strip(), "running")
        self.assertEqual(self.state(dom), "kept")
        # and QEMU still writes where it did: a disk-only snapshot works afterwards
        self.virsh_ok("snapshot-create-as ext-fail z --disk-only --diskspec vdb,snapshot=no", timeout=240)
        self.assertEqual(self.blk("ext-fail"), [str(self.disks / "ext-fail.z"), str(disk2)])
        # --halt: the snapshot is taken, then the guest stops "from snapshot"
        lv = self.libvirt
        del self.lifecycle[:]
        self.virsh_ok("snapshot-create-as ext-fail h --disk-only --halt --diskspec vdb,snapshot=no", timeout=240)
        self.assertEqual(self.virsh_ok("domstate ext-fail --reason").strip(), "shut off (from snapshot)")
        self.wait_events([("ext-fail", lv.VIR_DOMAIN_EVENT_STOPPED, lv.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)])
        self.assertEqual(self.blk("ext-fail"), [str(self.disks / "ext-fail.h"), str(disk2)])
        self.assertIn("backing file: %s" % (self.disks / "ext-fail.z"), backing_chain(self.disks / "ext-fail.h"))
        self.assertEqual(self.virsh_ok("snapshot-current ext-fail --name").strip(), "h")
        self.virsh_ok("snapshot-delete ext-fail h --metadata")
        self.virsh_ok("snapshot-delete ext-fail z --metadata")
        self.virsh_ok("undefine ext-fail")

    def test_3_reuse_external_takes_the_users_overlays(self):
        disk, disk2 = self.define_two("ext-reuse")
        pre = self.disks / "ext-reuse.pre"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(disk), str(pre)], check=True)
        # shut off: the definition follows the overlay as it is
        self.virsh_ok("snapshot-create-as ext-reuse r1 --disk-only --reuse-external --diskspec vda,file=%s "
                      "--diskspec vdb,snapshot=no" % pre)
        self.assertEqual(self.blk("ext-reuse"), [str(pre), str(disk2)])
        self.assertTrue(pre.exists())
        # running: QEMU opens the user's overlay on top of what it writes to
        self.virsh_ok("start ext-reuse", timeout=BOOT_TIMEOUT)
        pre2 = self.disks / "ext-reuse-b.pre"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(disk2), str(pre2)],
                       check=True)
        self.virsh_ok("snapshot-create-as ext-reuse r2 --disk-only --reuse-external --diskspec vda,snapshot=no "
                      "--diskspec vdb,file=%s" % pre2, timeout=240)
        self.assertEqual(self.blk("ext-reuse"), [str(pre), str(pre2)])
        self.assertIn("backing file: %s" % disk2, backing_chain(pre2))
        self.virsh_ok("destroy ext-reuse")
        self.virsh_ok("snapshot-delete ext-reuse r2 --metadata")
        self.virsh_ok("snapshot-delete ext-reuse r1 --metadata")
        self.virsh_ok("undefine ext-reuse")

    def test_4_quiesce_freezes_through_the_agent(self):
        raw, disk = self.disks / "ext-quiesce.raw", self.disks / "ext-quiesce.qcow2"
        with open(raw, "wb") as f:
            f.truncate(8 << 20)
        subprocess.run(["mkfs.ext2", "-q", "-F", str(raw)], check=True)
        subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", str(raw), str(disk)], check=True)
        xml = self.daemon.tmp / "ext-quiesce.xml"
        xml.write_text(AGENT_XML.format(name="ext-quiesce", kernel=self.image.kernel, initrd=self.image.initrd,
                                        append=self.image.append, fmt="qcow2", disk=disk))
        self.virsh_ok("define %s" % xml)
        self.virsh_ok("start ext-quiesce", timeout=BOOT_TIMEOUT)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while "/mnt/data" not in self.virsh("domfsinfo ext-quiesce").stdout:
            self.assertLess(time.monotonic(), deadline, "the guest's agent never showed /mnt/data")
            time.sleep(2)
        # a guest frozen already: the agent refuses the snapshot's freeze, and nothing changes
        self.virsh_ok("domfsfreeze ext-quiesce")
        self.virsh_fails("snapshot-create-as ext-quiesce q0 --disk-only --quiesce", "guest-fsfreeze-freeze")
        self.assertEqual(self.blk("ext-quiesce"), [str(disk)])
        self.assertEqual(self.names("ext-quiesce"), [])
        self.virsh_ok("domfsthaw ext-quiesce")
        # frozen for the overlay, thawed afterwards
        self.virsh_ok("snapshot-create-as ext-quiesce q1 --disk-only --quiesce", timeout=240)
        self.assertEqual(self.blk("ext-quiesce"), [str(self.disks / "ext-quiesce.q1")])
        status = self.virsh_ok("qemu-agent-command ext-quiesce '{\"execute\":\"guest-fsfreeze-status\"}'")
        self.assertIn("thawed", status)
        self.virsh_ok("destroy ext-quiesce")
        self.virsh_ok("snapshot-delete ext-quiesce q1 --metadata")
        self.virsh_ok("undefine ext-quiesce")


if __name__ == "__main__":
    testmain.main()
