#!/usr/bin/python3
"""test_qemu_checkpoint.py: checkpoints (and backups) on qemu:///session with the tiny guest under TCG, through virsh.

    /usr/bin/python3 tests/integration/test_qemu_checkpoint.py -v

A checkpoint is a persistent dirty bitmap per qcow2 disk: qemu-img bitmap on a stopped guest
(qemu-img info shows it in the image), a QMP transaction on a running one (query-block shows
it, recording). The tree is the daemon's metadata, one 0600 file per checkpoint, kept across a
restart of the daemon.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import testmain  # noqa: E402
from test_qemu_console import DOMAIN_XML as console_domain_xml  # noqa: E402
from test_qemu_lifecycle import QemuDaemon  # noqa: E402

DOMAIN_XML = console_domain_xml.replace("  <devices>\n", """  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='{fmt}'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
""", 1)


def image_bitmaps(path):
    """The bitmaps qemu-img finds in a qcow2 image (-U: a running QEMU holds its lock)."""
    p = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], capture_output=True, text=True, check=True)
    data = json.loads(p.stdout).get("format-specific", {}).get("data", {})
    return [b["name"] for b in data.get("bitmaps", [])]


class QemuCheckpointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.disks = cls.daemon.tmp / "disks"
        cls.disks.mkdir()

    @classmethod
    def tearDownClass(cls):
        for name in ("ck-run", "bk-run", "pl-run"):
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

    def define(self, name, fmt="qcow2", size="16M"):
        disk = self.disks / ("%s.%s" % (name, fmt))
        subprocess.run(["qemu-img", "create", "-q", "-f", fmt, str(disk), size], check=True)
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, fmt=fmt, disk=disk))
        self.virsh_ok("define %s" % xml)
        return disk

    def names(self, dom, extra=""):
        return self.virsh_ok("checkpoint-list %s --name %s" % (dom, extra)).split()

    def checkpoint_dir(self, name):
        found = list((self.daemon.tmp / "xdg_config_home").rglob("checkpoint/%s" % name))
        return found[0] if found else None

    def qemu_bitmaps(self, dom):
        """The dirty bitmaps of the running guest's disk, as QEMU reports them: {name: recording}."""
        out = self.virsh_ok("qemu-monitor-command %s '{\"execute\":\"query-block\"}'" % dom)
        for dev in json.loads(out)["return"]:
            ins = dev.get("inserted")
            if ins and "virtio-disk0" in dev.get("qdev", ""):
                return {b["name"]: b.get("recording") for b in ins.get("dirty-bitmaps", [])}
        raise AssertionError("no disk in query-block: %s" % out)

    def test_1_stopped_guest_uses_qemu_img(self):
        disk = self.define("ck-off")
        self.virsh_ok("checkpoint-create-as ck-off c1 --description 'before anything'")
        self.virsh_ok("checkpoint-create-as ck-off c2")
        self.assertEqual(image_bitmaps(disk), ["c1", "c2"])
        self.assertEqual(self.names("ck-off"), ["c1", "c2"])
        self.assertEqual(self.virsh_ok("checkpoint-parent ck-off c2").strip(), "c1")
        self.assertIn("c1\n  |\n  +- c2", self.virsh_ok("checkpoint-list ck-off --tree"))
        self.assertEqual(self.names("ck-off", "--leaves"), ["c2"])
        self.assertEqual(self.names("ck-off", "--roots"), ["c1"])
        xml = self.virsh_ok("checkpoint-dumpxml ck-off c1")
        self.assertIn("<description>before anything</description>", xml)
        self.assertIn("<disk name='vda' checkpoint='bitmap' bitmap='c1'/>", xml)
        self.assertIn("<name>ck-off</name>", xml)
        self.assertNotIn("<domain", self.virsh_ok("checkpoint-dumpxml ck-off c1 --no-domain").replace("<domaincheckpoint", ""))
        info = self.virsh_ok("checkpoint-info ck-off c1")
        self.assertIn("Children:       1", info)
        # the metadata: one 0600 file per checkpoint in the domain's config dir
        d = self.checkpoint_dir("ck-off")
        self.assertIsNotNone(d)
        for n in ("c1", "c2"):
            self.assertEqual(stat.S_IMODE(os.stat(d / ("%s.xml" % n)).st_mode), 0o600)
        # delete: the bitmap goes with it; the child moves up
        self.virsh_ok("checkpoint-delete ck-off c1")
        self.assertEqual(image_bitmaps(disk), ["c2"])
        self.assertEqual(self.names("ck-off", "--roots"), ["c2"])
        self.assertFalse((d / "c1.xml").exists())
        # --metadata: the daemon forgets it, the image keeps its bitmap
        self.virsh_ok("checkpoint-delete ck-off c2 --metadata")
        self.assertEqual(image_bitmaps(disk), ["c2"])
        self.assertEqual(self.names("ck-off"), [])
        # redefine: the metadata back, the bitmap as it is
        redef = self.daemon.tmp / "c2.xml"
        redef.write_text("<domaincheckpoint><name>c2</name><creationTime>1700000000</creationTime>"
                         "<disks><disk name='vda' checkpoint='bitmap' bitmap='c2'/></disks></domaincheckpoint>")
        self.virsh_ok("checkpoint-create ck-off %s --redefine" % redef)
        self.assertEqual(self.names("ck-off"), ["c2"])
        self.virsh_ok("checkpoint-delete ck-off c2")
        self.assertEqual(image_bitmaps(disk), [])
        # undefine: refused while checkpoints are there, unless their metadata goes with it
        self.virsh_ok("checkpoint-create-as ck-off c9")
        self.virsh_fails("undefine ck-off", "cannot delete inactive domain with 1 checkpoints")
        self.virsh_ok("undefine ck-off --checkpoints-metadata")
        self.assertFalse(d.exists())
        self.assertEqual(image_bitmaps(disk), ["c9"])

    def test_2_refusals_change_nothing(self):
        self.define("ck-raw", fmt="raw")
        self.virsh_fails("checkpoint-create-as ck-raw c1",
                         "unsupported configuration: checkpoint for disk vda unsupported for storage type raw")
        self.assertEqual(self.names("ck-raw"), [])
        self.assertIsNone(self.checkpoint_dir("ck-raw"))
        self.virsh_fails("checkpoint-create-as ck-raw c1 --diskspec vdz", "unsupported configuration: no disk named 'vdz'")
        self.virsh_fails("checkpoint-create-as ck-raw a/b", "invalid char in name: /")
        self.virsh_fails("checkpoint-dumpxml ck-raw c1",
                         "Domain checkpoint not found: no domain checkpoint with matching name 'c1'")
        # a disk left out gets no bitmap: the raw disk can stay out of it
        self.virsh_ok("checkpoint-create-as ck-raw meta --diskspec vda,checkpoint=no")
        self.assertIn("<disk name='vda' checkpoint='no'/>", self.virsh_ok("checkpoint-dumpxml ck-raw meta"))
        self.virsh_ok("checkpoint-delete ck-raw meta")
        self.virsh_ok("undefine ck-raw")

    def test_3_running_guest_gets_persistent_bitmaps(self):
        disk = self.define("ck-run")
        self.virsh_ok("start ck-run", timeout=180)
        self.virsh_ok("checkpoint-create-as ck-run r1", timeout=180)
        self.virsh_ok("checkpoint-create-as ck-run r2", timeout=180)
        # both record: an incremental backup from r1 needs r1's bitmap alone (as libvirt 9.0)
        self.assertEqual(self.qemu_bitmaps("ck-run"), {"r1": True, "r2": True})
        self.assertEqual(self.virsh_ok("checkpoint-parent ck-run r2").strip(), "r1")
        self.virsh_ok("checkpoint-delete ck-run r1", timeout=180)
        self.assertEqual(self.qemu_bitmaps("ck-run"), {"r2": True})
        # the tree survives a restart of the daemon; QEMU keeps running with its bitmap
        self.daemon.restart()
        self.assertEqual(self.names("ck-run"), ["r2"])
        self.assertEqual(self.virsh_ok("domstate ck-run").strip(), "running")
        self.assertEqual(self.qemu_bitmaps("ck-run"), {"r2": True})
        self.virsh_ok("checkpoint-create-as ck-run r3", timeout=180)
        self.assertEqual(self.virsh_ok("checkpoint-parent ck-run r3").strip(), "r2")
        # persistent: QEMU writes them into the image when it stops
        self.virsh_ok("destroy ck-run")
        self.assertEqual(sorted(image_bitmaps(disk)), ["r2", "r3"])
        self.virsh_ok("checkpoint-delete ck-run r2 --children")
        self.assertEqual(image_bitmaps(disk), [])

    # --- backups ---

    def write_guest_disk(self, dom, pattern, offset, length):
        """Data written through the running QEMU's block layer (HMP qemu-io on the device)."""
        out = self.virsh_ok("qemu-monitor-command %s --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P %s %s %s\"'"
                            % (dom, pattern, offset, length))
        self.assertNotIn("rror", out)
        # QEMU's qcow2 caches reach the image (qemu-img looks at it from outside)
        self.virsh_ok("qemu-monitor-command %s --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend flush'"
                      % dom)

    def wait_backup_done(self, dom):
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if "Job type:         None" in self.virsh_ok("domjobinfo %s" % dom):
                return
            time.sleep(0.2)
        self.fail("the backup of %s never ended:\n%s" % (dom, self.daemon.log()[-3000:]))

    def allocated(self, path):
        out = subprocess.run(["qemu-img", "map", "-U", "--output=json", str(path)], capture_output=True, text=True,
                             check=True).stdout
        return sum(e["length"] for e in json.loads(out) if e.get("data"))

    def test_4_push_backups_full_then_incremental(self):
        disk = self.define("bk-run", size="64M")
        self.virsh_ok("start bk-run", timeout=180)
        self.write_guest_disk("bk-run", "0x5a", 0, "4M")
        self.assertGreaterEqual(self.allocated(disk), 4 << 20)
        # a full backup of the paused guest, with a checkpoint taken at the same instant
        self.virsh_ok("suspend bk-run")
        full = self.disks / "full.qcow2"
        bxml = self.daemon.tmp / "full-backup.xml"
        bxml.write_text("<domainbackup mode='push'><disks><disk name='vda' type='file'>"
                        "<target file='%s'/><driver type='qcow2'/></disk></disks></domainbackup>" % full)
        cxml = self.daemon.tmp / "b1.xml"
        cxml.write_text("<domaincheckpoint><name>b1</name></domaincheckpoint>")
        self.virsh_ok("backup-begin bk-run %s %s" % (bxml, cxml), timeout=180)
        self.wait_backup_done("bk-run")
        cmp = subprocess.run(["qemu-img", "compare", "-U", str(disk), str(full)], capture_output=True, text=True)
        self.assertEqual(cmp.returncode, 0, cmp.stdout + cmp.stderr)
        self.assertEqual(self.names("bk-run"), ["b1"])
        self.assertEqual(self.qemu_bitmaps("bk-run"), {"b1": True})
        self.virsh_fails("backup-dumpxml bk-run", "no domain backup job present")
        self.virsh_ok("resume bk-run")
        # changes since b1: an incremental backup holds them, and only them
        self.write_guest_disk("bk-run", "0xa5", "8M", "512k")
        inc = self.disks / "inc.qcow2"
        ixml = self.daemon.tmp / "inc-backup.xml"
        ixml.write_text("<domainbackup mode='push'><incremental>b1</incremental><disks><disk name='vda' type='file'>"
                        "<target file='%s'/><driver type='qcow2'/></disk></disks></domainbackup>" % inc)
        self.virsh_ok("backup-begin bk-run %s" % ixml, timeout=180)
        self.wait_backup_done("bk-run")
        self.assertGreaterEqual(self.allocated(full), 4 << 20)
        self.assertGreater(self.allocated(inc), 0)
        self.assertLess(self.allocated(inc), self.allocated(full))
        self.assertLessEqual(self.allocated(inc), 1 << 20)
        data = subprocess.run(["qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xa5 8M 512k", str(inc)],
                              capture_output=True, text=True)
        self.assertNotIn("Pattern verification failed", data.stdout + data.stderr)
        self.assertEqual(data.returncode, 0, data.stdout + data.stderr)
        # the checkpoint's bitmap is read, not cleared: it still records
        self.assertEqual(self.qemu_bitmaps("bk-run"), {"b1": True})
        # refusals: an unknown checkpoint, a target that exists already
        self.virsh_fails("backup-begin bk-run %s" % ixml.as_posix().replace("inc-backup", "full-backup"),
                         "backup target of disk 'vda' exists already: %s" % full)
        nosuch = self.daemon.tmp / "nosuch.xml"
        nosuch.write_text("<domainbackup><incremental>nosuch</incremental></domainbackup>")
        self.virsh_fails("backup-begin bk-run %s" % nosuch,
                         "Domain checkpoint not found: no domain checkpoint with matching name 'nosuch'")
        self.virsh_ok("destroy bk-run")

    def nbd_read(self, sock, export, pattern, offset, length):
        """qemu-io reads the export over NBD and checks every byte is pattern; its output."""
        p = subprocess.run(["qemu-io", "-r", "-f", "raw", "-c", "read -P %s %s %s" % (pattern, offset, length),
                            "nbd+unix:///%s?socket=%s" % (export, sock)], capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout + p.stderr

    def dirty_extents(self, sock, export, bitmap):
        """The extents the exported bitmap marks dirty (qemu-img map through QEMU's NBD client: with
        x-dirty-bitmap a dirty extent reads as data false)."""
        opts = ("driver=nbd,server.type=unix,server.path=%s,export=%s,x-dirty-bitmap=qemu:dirty-bitmap:%s"
                % (sock, export, bitmap))
        out = subprocess.run(["qemu-img", "map", "--output=json", "--image-opts", opts], capture_output=True,
                             text=True, check=True, timeout=120).stdout
        return [(e["start"], e["length"]) for e in json.loads(out) if not e["data"]]

    def test_5_pull_backups_export_the_instant_they_began(self):
        """Pull mode: the disk as it was when the backup began, over NBD (a unix socket), while the guest
        writes on; domjobabort ends it and nothing is left; an incremental one exports the checkpoint's changes."""
        self.define("pl-run", size="32M")
        self.virsh_ok("start pl-run", timeout=180)
        self.write_guest_disk("pl-run", "0x11", 0, "2M")
        sock = self.daemon.tmp / "pull.sock"
        scratch = self.disks / "pull-scratch.qcow2"
        bxml = self.daemon.tmp / "pull.xml"
        bxml.write_text("<domainbackup mode='pull'><server transport='unix' socket='%s'/><disks>"
                        "<disk name='vda' type='file'><scratch file='%s'/></disk></disks></domainbackup>" % (sock, scratch))
        cxml = self.daemon.tmp / "p1.xml"
        cxml.write_text("<domaincheckpoint><name>p1</name></domaincheckpoint>")
        self.virsh_ok("backup-begin pl-run %s %s" % (bxml, cxml), timeout=180)
        dumped = self.virsh_ok("backup-dumpxml pl-run")
        self.assertIn("<domainbackup mode='pull'>", dumped)
        self.assertIn("<server transport='unix' socket='%s'/>" % sock, dumped)
        self.assertIn("exportname='vda'", dumped)
        self.assertIn("<scratch file='%s'/>" % scratch, dumped)
        self.assertRegex(self.virsh_ok("domjobinfo pl-run"), r"Job type: +Unbounded")
        # the guest overwrites what the backup began with: the export still shows the old bytes
        self.write_guest_disk("pl-run", "0x22", "1M", "1M")
        rc, out = self.nbd_read(sock, "vda", "0x11", 0, "2M")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("Pattern verification failed", out)
        self.assertGreater(os.stat(scratch).st_size, 0)
        self.assertEqual(stat.S_IMODE(os.stat(scratch).st_mode) & 0o077, 0, oct(os.stat(scratch).st_mode))
        # the client says it is done: completed, and the export, the scratch and the job are gone
        self.virsh_ok("domjobabort pl-run")
        self.wait_backup_done("pl-run")
        self.assertFalse(scratch.exists())
        self.assertNotEqual(self.nbd_read(sock, "vda", "0x11", 0, "4k")[0], 0)
        self.assertEqual(self.names("pl-run"), ["p1"])
        # incremental from p1: only the second write is in its bitmap, exported as backup-vda
        ixml = self.daemon.tmp / "pull-inc.xml"
        ixml.write_text("<domainbackup mode='pull'><incremental>p1</incremental>"
                        "<server transport='unix' socket='%s'/></domainbackup>" % sock)
        self.virsh_ok("backup-begin pl-run %s" % ixml, timeout=180)
        dumped = self.virsh_ok("backup-dumpxml pl-run")
        self.assertIn("exportbitmap='backup-vda'", dumped)
        self.assertIn("backupmode='incremental' incremental='p1'", dumped)
        self.assertEqual(self.dirty_extents(sock, "vda", "backup-vda"), [(1 << 20, 1 << 20)])
        rc, out = self.nbd_read(sock, "vda", "0x22", "1M", "1M")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("Pattern verification failed", out)
        self.virsh_ok("domjobabort pl-run")
        self.wait_backup_done("pl-run")
        self.assertEqual(self.qemu_bitmaps("pl-run"), {"p1": True})
        # refusals change nothing: a scratch file that exists, a bitmap without an incremental backup
        scratch.write_bytes(b"mine")
        self.virsh_fails("backup-begin pl-run %s" % bxml, "scratch file of disk 'vda' exists already: %s" % scratch)
        self.assertEqual(scratch.read_bytes(), b"mine")
        bad = self.daemon.tmp / "pull-bad.xml"
        bad.write_text("<domainbackup mode='pull'><disks><disk name='vda' exportbitmap='x'/></disks></domainbackup>")
        self.virsh_fails("backup-begin pl-run %s" % bad, "exportbitmap of disk 'vda' needs an incremental backup")
        bad.write_text("<domainbackup mode='pull'><server transport='rdma'/></domainbackup>")
        self.virsh_fails("backup-begin pl-run %s" % bad, "transport 'rdma' of the backup server (tcp or unix)")
        self.virsh_fails("backup-dumpxml pl-run", "no domain backup job present")
        self.virsh_ok("destroy pl-run")


if __name__ == "__main__":
    testmain.main()
