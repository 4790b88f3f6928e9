#!/usr/bin/python3
"""test_qemu_snapshot.py: internal snapshots on qemu:///session with the tiny guest under TCG, through virsh.

    /usr/bin/python3 tests/integration/test_qemu_snapshot.py -v

The guest boots from its kernel and initrd and has one qcow2 disk, which holds the snapshots
(qemu-img snapshot -l shows their tags). Its console shell keeps a word in memory ("mark WORD",
"state"): after a revert to a snapshot taken while it ran, the guest knows the word it knew then.
Stopped guests get qemu-img snapshot -c/-a/-d, running ones QMP snapshot-save/load/delete jobs.
"""

import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
import test_qemu_save  # noqa: E402
from test_qemu_console import DOMAIN_XML as console_domain_xml  # noqa: E402
from test_qemu_lifecycle import QemuDaemon  # noqa: E402

# The console test's guest with a disk: the snapshots' qcow2 image (or a raw one, refused).
DOMAIN_XML = console_domain_xml.replace("  <devices>\n", """  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='{fmt}'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
""", 1)


def qemu_img_tags(path):
    """The snapshot tags of a qcow2 image (-U: a running QEMU holds its lock)."""
    p = subprocess.run(["qemu-img", "snapshot", "-U", "-l", str(path)], capture_output=True, text=True, check=True)
    tags = []
    for line in p.stdout.splitlines()[2:]:
        f = line.split()
        if len(f) >= 2:
            tags.append(f[1])
    return tags


def opened_by_a_process(path):
    """Does some process (QEMU) have path open?"""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == str(path):
                    return True
        except OSError:
            continue
    return False


class SnapshotFixture(unittest.TestCase):
    """A daemon on qemu:///session, the tiny guest, a disk directory, python3-libvirt with the
    lifecycle events it has seen; and the virsh and console helpers (test_qemu_snapshot_revert.py
    shares them)."""
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.disks = cls.daemon.tmp / "disks"
        cls.disks.mkdir()
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.lifecycle = []
        cls.cond = threading.Condition()

        def on_lifecycle(conn, dom, event, detail, opaque):
            with cls.cond:
                cls.lifecycle.append((dom.name(), event, detail))
                cls.cond.notify_all()
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.conn.close()
        except Exception:
            pass
        for name in ("snap-run", "snap-off", "snap-x"):     # what a failed test left running
            cls.daemon.virsh("unix", "destroy %s" % name)
        cls.daemon.stop()

    def virsh(self, cmd, timeout=120):
        return self.daemon.virsh("unix", cmd, timeout=timeout)

    def virsh_ok(self, cmd, timeout=120):
        p = self.virsh(cmd, timeout)
        if p.returncode != 0:
            raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p.stdout

    def virsh_fails(self, cmd, text):
        p = self.virsh(cmd)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(text, p.stderr)

    def define(self, name, fmt="qcow2"):
        disk = self.disks / ("%s.%s" % (name, fmt))
        subprocess.run(["qemu-img", "create", "-q", "-f", fmt, str(disk), "16M"], check=True)
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, fmt=fmt, disk=disk))
        self.virsh_ok("define %s" % xml)
        return disk

    def snapshot_dir(self, name):
        found = list((self.daemon.tmp / "xdg_config_home").rglob("snapshot/%s" % name))
        return found[0] if found else None

    def wait_events(self, want, timeout=180):
        """The lifecycle events (name, event, detail) in want, in that order, among those seen."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                seen = iter(self.lifecycle)
                if all(w in seen for w in want):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("no events %r; seen %r" % (want, self.lifecycle))
                self.cond.wait(left)

    def names(self, dom, extra=""):
        return self.virsh_ok("snapshot-list %s --name %s" % (dom, extra)).split()

    # --- a console conversation with the running guest ---

    def ask(self, dom, command, answer_re):
        """The save test's conversation with the guest's console shell, with dom."""
        self.dom = dom
        return test_qemu_save.QemuSaveTest.ask(self, command, answer_re, timeout=120)

    def mark(self, dom, word):
        self.ask(dom, "mark %s" % word, r"VIRTBUS-GUEST-MARKED %s" % word)

    def state(self, dom):
        m = self.ask(dom, "state", r"VIRTBUS-GUEST-STATE mark=(\S+) uptime=([0-9.]+)")
        return m.group(1).decode()



class QemuSnapshotTest(SnapshotFixture):
    def test_1_stopped_guest_uses_qemu_img(self):
        disk = self.define("snap-off")
        self.virsh_ok("snapshot-create-as snap-off first --description 'before anything'")
        self.virsh_ok("snapshot-create-as snap-off second")
        self.assertEqual(qemu_img_tags(disk), ["first", "second"])
        self.assertEqual(self.names("snap-off"), ["first", "second"])
        self.assertEqual(self.virsh_ok("snapshot-current snap-off --name").strip(), "second")
        self.assertEqual(self.virsh_ok("snapshot-parent snap-off second").strip(), "first")
        self.assertIn("first\n  |\n  +- second", self.virsh_ok("snapshot-list snap-off --tree"))
        xml = self.virsh_ok("snapshot-dumpxml snap-off first")
        self.assertIn("<description>before anything</description>", xml)
        self.assertIn("<state>shutoff</state>", xml)
        self.assertIn("<memory snapshot='no'/>", xml)
        self.assertIn("<disk name='vda' snapshot='internal'/>", xml)
        self.assertIn("<name>snap-off</name>", xml)
        # the metadata: one 0600 file per snapshot in the domain's config dir
        d = self.snapshot_dir("snap-off")
        self.assertIsNotNone(d)
        for n in ("first", "second"):
            self.assertEqual(stat.S_IMODE(os.stat(d / ("%s.xml" % n)).st_mode), 0o600)
        self.virsh_ok("snapshot-revert snap-off first")
        self.assertEqual(self.virsh_ok("snapshot-current snap-off --name").strip(), "first")
        self.assertEqual(self.virsh_ok("domstate snap-off").strip(), "shut off")
        self.virsh_ok("snapshot-delete snap-off second")
        self.assertEqual(qemu_img_tags(disk), ["first"])
        self.assertEqual(self.names("snap-off"), ["first"])
        self.assertFalse((d / "second.xml").exists())

    def test_1b_disk_only_snapshots_write_to_overlays(self):
        disk = self.define("snap-ext")
        self.virsh_ok("snapshot-create-as snap-ext ext1 --disk-only")
        overlay = self.disks / "snap-ext.ext1"
        info = subprocess.run(["qemu-img", "info", "--output=json", str(overlay)], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn('"backing-filename": "%s"' % disk, info)
        self.assertIn(str(overlay), self.virsh_ok("domblklist snap-ext"))
        xml = self.virsh_ok("snapshot-dumpxml snap-ext ext1")
        self.assertIn("<state>disk-snapshot</state>", xml)
        self.assertIn("<memory snapshot='no'/>", xml)
        self.assertIn("<disk name='vda' snapshot='external'>", xml)
        self.assertIn("<source file='%s'/>" % overlay, xml)
        self.assertEqual(qemu_img_tags(disk), [])
        # an overlay that is there already is refused, and nothing changes
        taken = self.disks / "taken.qcow2"
        taken.write_bytes(b"data")      # as libvirt: an empty file would be taken and formatted
        self.virsh_fails("snapshot-create-as snap-ext ext2 --disk-only --diskspec vda,file=%s" % taken,
                         "external snapshot file for disk vda already exists and is not a block device: %s" % taken)
        self.assertEqual(self.names("snap-ext"), ["ext1"])
        self.virsh_fails("snapshot-revert snap-ext ext1", "revert to external snapshot not supported yet")
        # the guest starts on its overlay; a running guest's disk-only snapshot: QEMU writes to
        # the next overlay (blockdev-add + blockdev-snapshot), both definitions follow it
        self.virsh_ok("start snap-ext", timeout=180)
        self.virsh_ok("snapshot-create-as snap-ext ext3 --disk-only", timeout=180)
        top = self.disks / "snap-ext.ext3"
        chain = subprocess.run(["qemu-img", "info", "-U", "--backing-chain", str(top)], capture_output=True, text=True,
                               check=True).stdout
        self.assertIn("backing file: %s" % overlay, chain)
        self.assertIn("backing file: %s" % disk, chain)
        self.assertIn(str(top), self.virsh_ok("domblklist snap-ext"))
        self.assertIn("<source file='%s'/>" % top, self.virsh_ok("dumpxml snap-ext --inactive"))
        self.assertTrue(opened_by_a_process(top), "no process has %s open" % top)
        self.assertEqual(self.virsh_ok("snapshot-parent snap-ext ext3").strip(), "ext1")
        self.assertEqual(self.virsh_ok("domstate snap-ext").strip(), "running")
        # deleting an external snapshot merges its overlay into the image below, as libvirt
        # 9.0: the disk goes back there, the overlay goes. Only the disk's current overlay:
        self.virsh_fails("snapshot-delete snap-ext ext1", "disk vda does not write to its overlay %s" % overlay)
        # a running domain's: an active block commit, pivoted once ready
        self.virsh_ok("snapshot-delete snap-ext ext3", timeout=180)
        self.assertFalse(top.exists())
        self.assertIn(str(overlay), self.virsh_ok("domblklist snap-ext"))
        self.assertIn("<source file='%s'/>" % overlay, self.virsh_ok("dumpxml snap-ext --inactive"))
        self.assertEqual(self.virsh_ok("domstate snap-ext").strip(), "running")
        self.assertEqual(self.names("snap-ext"), ["ext1"])
        self.virsh_ok("destroy snap-ext")
        # a shut-off domain's: qemu-img commit; what was written on top ends in the base
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0xcd 0 1M", str(overlay)], check=True,
                       capture_output=True)
        self.virsh_ok("snapshot-delete snap-ext ext1", timeout=180)
        self.assertFalse(overlay.exists())
        self.assertIn("<source file='%s'/>" % disk, self.virsh_ok("dumpxml snap-ext --inactive"))
        self.assertIn("<driver name='qemu' type='qcow2'/>", self.virsh_ok("dumpxml snap-ext --inactive"))
        self.assertEqual(self.names("snap-ext"), [])
        # the data written on top is in the base now
        r = subprocess.run(["qemu-io", "-f", "qcow2", "-c", "read -P 0xcd 0 1M", str(disk)], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("verification failed", r.stdout + r.stderr)
        self.assertIn("read 1048576/1048576 bytes", r.stdout)
        self.virsh_ok("undefine snap-ext")

    def test_2_raw_disk_is_refused_and_nothing_changes(self):
        self.define("snap-raw", fmt="raw")
        self.virsh_fails("snapshot-create-as snap-raw s1",
                         "unsupported configuration: internal snapshot for disk vda unsupported for storage type raw")
        self.assertEqual(self.names("snap-raw"), [])
        self.assertIsNone(self.snapshot_dir("snap-raw"))
        self.virsh_fails("snapshot-dumpxml snap-raw s1", "Domain snapshot not found: no domain snapshot with matching name 's1'")
        # a name is a file name of the domain's config dir (and a qcow2 tag)
        self.virsh_fails("snapshot-create-as snap-raw a/b", "invalid char in name: /")
        self.virsh_ok("undefine snap-raw")

    def test_3_running_guest_reverts_to_its_memory(self):
        disk = self.define("snap-run")
        self.virsh_ok("start snap-run", timeout=180)
        dom = self.conn.lookupByName("snap-run")
        self.mark(dom, "then")
        self.virsh_ok("snapshot-create-as snap-run live1", timeout=180)
        self.assertEqual(self.virsh_ok("domstate snap-run").strip(), "running")
        self.assertEqual(qemu_img_tags(disk), ["live1"])
        xml = self.virsh_ok("snapshot-dumpxml snap-run live1")
        self.assertIn("<state>running</state>", xml)
        self.assertIn("<memory snapshot='internal'/>", xml)
        self.mark(dom, "later")
        self.virsh_ok("snapshot-create-as snap-run live2", timeout=180)
        self.assertIn(" live2 ", self.virsh_ok("snapshot-list snap-run --parent"))
        self.assertEqual(self.names("snap-run", "--leaves"), ["live2"])
        self.virsh_ok("snapshot-revert snap-run live1", timeout=180)
        self.assertEqual(self.virsh_ok("domstate snap-run").strip(), "running")
        self.assertEqual(self.state(dom), "then")          # the guest's memory as it was
        self.assertEqual(self.virsh_ok("snapshot-current snap-run --name").strip(), "live1")
        # --paused: back to live2, paused, and the word of that time
        self.virsh_ok("snapshot-revert snap-run live2 --paused", timeout=180)
        self.assertEqual(self.virsh_ok("domstate snap-run").strip(), "paused")
        self.virsh_ok("resume snap-run")
        self.assertEqual(self.state(dom), "later")
        # delete through QMP while it runs; --children takes the subtree
        self.virsh_ok("snapshot-delete snap-run live1 --children", timeout=180)
        self.assertEqual(qemu_img_tags(disk), [])
        self.assertEqual(self.names("snap-run"), [])
        self.virsh_fails("snapshot-current snap-run", "domain 'snap-run' has no current snapshot")

    def test_3b_dbus_snapshot_of_the_running_guest(self):
        import dbus
        dom = self.conn.lookupByName("snap-run")
        self.assertEqual(self.virsh_ok("domstate snap-run").strip(), "running")
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % dom.UUIDString().replace("-", "_")
            bdom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
            self.mark(dom, "dbus-then")
            spath = bdom.SnapshotCreateXML("<domainsnapshot><name>bus1</name></domainsnapshot>", dbus.UInt32(0),
                                           timeout=180)
            self.assertEqual(spath, "/org/libvirt/QEMU/domainsnapshot/_%s_bus1" % dom.UUIDString().replace("-", "_"))
            self.assertEqual(list(bdom.ListDomainSnapshots(dbus.UInt32(0))), [spath])
            self.assertEqual(bdom.SnapshotCurrent(dbus.UInt32(0)), spath)
            snap = dbus.Interface(bus.get_object("org.libvirt", spath), "org.libvirt.DomainSnapshot")
            self.assertIn("<state>running</state>", snap.GetXMLDesc(dbus.UInt32(0)))
            self.assertTrue(snap.IsCurrent(dbus.UInt32(0)))
            self.mark(dom, "dbus-later")
            snap.Revert(dbus.UInt32(0), timeout=180)
            self.assertEqual(self.state(dom), "dbus-then")
            snap.Delete(dbus.UInt32(0), timeout=180)
            self.assertEqual(list(bdom.ListDomainSnapshots(dbus.UInt32(0))), [])
        finally:
            bus.close()
        self.assertEqual(qemu_img_tags(self.disks / "snap-run.qcow2"), [])

    def test_4_metadata_survives_a_restart_and_blocks_undefine(self):
        self.assertEqual(self.names("snap-off"), ["first"])
        self.daemon.restart()
        self.assertEqual(self.names("snap-off"), ["first"])
        self.assertEqual(self.virsh_ok("snapshot-current snap-off --name").strip(), "first")
        self.virsh_fails("undefine snap-off", "cannot delete inactive domain with 1 snapshots")
        self.virsh_ok("undefine snap-off --snapshots-metadata")
        self.assertIsNone(self.snapshot_dir("snap-off"))


if __name__ == "__main__":
    testmain.main()
