#!/usr/bin/python3
"""test_qemu_blockjobs.py: block jobs on qemu:///session with the tiny guest under TCG: virsh
blockpull, blockjob --info/--bandwidth/--abort and blockcommit (a middle image, and the active
one with --pivot), with the BLOCK_JOB_2 events seen through python3-libvirt's event loop.

    /usr/bin/python3 tests/integration/test_qemu_blockjobs.py -v

Each guest's disk is a qcow2 overlay on qcow2 images made here with qemu-img; qemu-io writes
data into the base so that a job limited to 1 MiB/s runs long enough to be looked at.
"""

import shutil
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
import harness  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
from test_qemu_lifecycle import QemuDaemon  # noqa: E402
from test_qemu_snapshot import DOMAIN_XML  # noqa: E402

PULL, COPY, COMMIT, ACTIVE_COMMIT = 1, 2, 3, 4
COMPLETED, CANCELED, READY = 0, 2, 3


def qemu_img_info(path):
    return subprocess.run(["qemu-img", "info", "-U", str(path)], capture_output=True, text=True, check=True).stdout


class QemuBlockJobsTest(unittest.TestCase):
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
        cls.events = []
        cls.cond = threading.Condition()
        cls.listen(cls.conn)

    @classmethod
    def listen(cls, conn):
        def on_job(conn, dom, disk, kind, status, opaque):
            with cls.cond:
                cls.events.append((dom.name(), disk, kind, status))
                cls.cond.notify_all()
        conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, on_job, None)

    @classmethod
    def tearDownClass(cls):
        for name in ("bj-pull", "bj-commit", "bj-restart"):
            cls.daemon.virsh("unix", "destroy %s" % name)
        cls.daemon.virsh("unix", "undefine bj-commit")
        cls.daemon.virsh("unix", "undefine bj-restart")
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def virsh(self, cmd, timeout=180):
        return self.daemon.virsh("unix", cmd, timeout=timeout)

    def virsh_ok(self, cmd, timeout=180):
        p = self.virsh(cmd, timeout)
        if p.returncode != 0:
            raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p.stdout

    def wait_event(self, want, timeout=120):
        deadline = time.monotonic() + timeout
        with self.cond:
            while want not in self.events:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("no event %r; seen %r" % (want, self.events))
                self.cond.wait(left)

    def chain(self, name, *layers):
        """qcow2 images name.LAYER, each on the one before; the first gets 64 MiB of data (a minute
        at 1 MiB/s: long enough to look at a job on a loaded machine)."""
        paths = []
        for layer in layers:
            p = self.disks / ("%s.%s" % (name, layer))
            cmd = ["qemu-img", "create", "-q", "-f", "qcow2"]
            if paths:
                cmd += ["-F", "qcow2", "-b", str(paths[-1])]
            subprocess.run(cmd + [str(p), "128M"], check=True)
            if not paths:
                subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64M", str(p)], check=True,
                               capture_output=True)
            paths.append(p)
        return paths

    def start(self, name, disk, persistent=False):
        xml = self.daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, fmt="qcow2", disk=disk))
        if persistent:
            self.virsh_ok("define %s" % xml)
            self.virsh_ok("start %s" % name)
        else:
            self.virsh_ok("create %s" % xml)

    def test_1_pull(self):
        base, top = self.chain("bj-pull", "base", "top")
        self.start("bj-pull", top)
        # a slow pull: seen by blockjob --info, sped up, then cancelled
        self.virsh_ok("blockpull bj-pull vda --bandwidth 1")
        p = self.virsh("blockjob bj-pull vda --info")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Block Pull: [", p.stdout + p.stderr)    # virsh draws its progress on stderr
        self.assertIn("Bandwidth limit: 1048576 bytes/s (1.000 MiB/s)", self.virsh_ok("blockjob bj-pull vda --info --bytes"))
        self.virsh_ok("blockjob bj-pull vda --bandwidth 2")
        self.assertIn("Bandwidth limit: 2097152 bytes/s", self.virsh_ok("blockjob bj-pull vda --info --bytes"))
        p = self.virsh("blockpull bj-pull vda")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already in active block job", p.stderr)
        self.virsh_ok("blockjob bj-pull vda --abort")
        self.wait_event(("bj-pull", "vda", PULL, CANCELED))
        self.assertIn("No current block job for vda", self.virsh_ok("blockjob bj-pull vda --info"))
        self.assertIn("backing file: %s" % base, qemu_img_info(top))
        # the whole pull, waited for (virsh waits for the event)
        out = self.virsh_ok("blockpull bj-pull vda --wait")
        self.assertIn("Pull complete", out)
        self.wait_event(("bj-pull", "vda", PULL, COMPLETED))
        self.assertNotIn("backing file", qemu_img_info(top))
        xml = self.virsh_ok("dumpxml bj-pull")
        self.assertNotIn("<backingStore", xml)
        self.assertIn("<source file='%s'/>" % top, xml)
        # bad requests change nothing
        p = self.virsh("blockjob bj-pull vdz --abort")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("disk 'vdz' not found in domain", p.stderr)
        p = self.virsh("blockjob bj-pull vda --abort")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("disk 'vda' does not have an active block job", p.stderr)

    def test_2_commit(self):
        base, mid, top = self.chain("bj-commit", "base", "mid", "top")
        self.start("bj-commit", top, persistent=True)
        # the middle image into the base: the top's backing is the base afterwards
        out = self.virsh_ok("blockcommit bj-commit vda --top %s --base %s --wait" % (mid, base))
        self.assertIn("Commit complete", out)
        self.wait_event(("bj-commit", "vda", COMMIT, COMPLETED))
        self.assertIn("backing file: %s" % base, qemu_img_info(top))
        # the active image into the base, then the disk writes to the base
        out = self.virsh_ok("blockcommit bj-commit vda --active --wait --pivot")
        self.assertIn("Successfully pivoted", out)
        self.wait_event(("bj-commit", "vda", ACTIVE_COMMIT, READY))
        self.wait_event(("bj-commit", "vda", ACTIVE_COMMIT, COMPLETED))
        self.assertIn(str(base), self.virsh_ok("domblklist bj-commit"))
        self.assertIn("<source file='%s'/>" % base, self.virsh_ok("dumpxml bj-commit"))
        self.assertIn("<source file='%s'/>" % base, self.virsh_ok("dumpxml bj-commit --inactive"))
        self.assertEqual(self.virsh_ok("domstate bj-commit").strip(), "running")

    def test_4_copy(self):
        base, top = self.chain("bj-copy", "base", "top")
        self.start("bj-copy", top)
        self.addCleanup(self.virsh, "destroy bj-copy")
        dest = self.disks / "bj-copy.dest"
        # a slow copy cannot pivot before it is ready; aborted, the disk stays where it was
        self.virsh_ok("blockcopy bj-copy vda %s.slow --bandwidth 1" % dest)
        p = self.virsh("blockjob bj-copy vda --pivot")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("block job 'vda' not ready for pivot yet", p.stderr)
        self.virsh_ok("blockjob bj-copy vda --abort")
        self.wait_event(("bj-copy", "vda", COPY, CANCELED))
        self.assertIn("<source file='%s'/>" % top, self.virsh_ok("dumpxml bj-copy"))
        out = self.virsh_ok("blockcopy bj-copy vda %s --wait --pivot" % dest)
        self.assertIn("Successfully pivoted", out)
        self.wait_event(("bj-copy", "vda", COPY, READY))
        self.wait_event(("bj-copy", "vda", COPY, COMPLETED))
        self.assertNotIn("backing file", qemu_img_info(dest))
        self.assertIn("<source file='%s'/>" % dest, self.virsh_ok("dumpxml bj-copy"))
        self.assertIn(str(dest), self.virsh_ok("domblklist bj-copy"))
        # the flags a copy does not know are refused, and nothing starts
        p = self.virsh("blockcopy bj-copy vda %s.2 --blockdev" % dest)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("No current block job for vda", self.virsh_ok("blockjob bj-copy vda --info"))

    def busctl(self, name, method, *args):
        path = "/org/libvirt/QEMU/domain/_%s" % self.conn.lookupByName(name).UUIDString().replace("-", "_")
        p = subprocess.run(["busctl", "--address=%s" % self.daemon.bus_address, "call", harness.BUS_NAME, path,
                            harness.DOMAIN, method] + [str(a) for a in args], capture_output=True, text=True,
                           timeout=120)
        return p

    def bus_ok(self, name, method, *args):
        p = self.busctl(name, method, *args)
        self.assertEqual(p.returncode, 0, "busctl %s: %s" % (method, p.stderr))
        return p.stdout.strip()

    def test_3_dbus(self):
        base, top = self.chain("bj-bus", "base", "top")
        self.start("bj-bus", top)
        self.addCleanup(self.virsh, "destroy bj-bus")
        self.bus_ok("bj-bus", "BlockPull", "stu", "vda", 1, 0)
        info = self.bus_ok("bj-bus", "GetBlockJobInfo", "su", "vda", 1).split()
        self.assertEqual(info[:3], ["(ittt)", "1", "1048576"])
        self.bus_ok("bj-bus", "BlockJobSetSpeed", "stu", "vda", 3, 0)
        self.assertEqual(self.bus_ok("bj-bus", "GetBlockJobInfo", "su", "vda", 0).split()[:3], ["(ittt)", "1", "3"])
        self.bus_ok("bj-bus", "BlockJobAbort", "su", "vda", 0)     # returns once the job is gone
        self.assertEqual(self.bus_ok("bj-bus", "GetBlockJobInfo", "su", "vda", 0), "(ittt) 0 0 0 0")
        self.wait_event(("bj-bus", "vda", PULL, CANCELED))
        p = self.busctl("bj-bus", "BlockCommit", "ssstu", "vda", "", "", 0, 0)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("commit of 'vda' active layer requires active flag", p.stderr)
        self.bus_ok("bj-bus", "BlockRebase", "sstu", "vda", "", 0, 0)
        self.wait_event(("bj-bus", "vda", PULL, COMPLETED))
        self.assertNotIn("backing file", qemu_img_info(top))

    def test_5_block_copy_api(self):
        """virDomainBlockCopy: virsh blockcopy --xml / --granularity / --buf-size, python3-libvirt's
        blockCopy with a bandwidth, D-Bus BlockCopy; each copy checked in the image QEMU wrote."""
        base, top = self.chain("bj-bc", "base", "top")
        self.start("bj-bc", top)
        self.addCleanup(self.virsh, "destroy bj-bc")
        dest = self.disks / "bj-bc.xml-dest"
        xml = self.daemon.tmp / "bc-dest.xml"
        xml.write_text("<disk type='file'><source file='%s'/><driver name='qemu' type='qcow2'/></disk>" % dest)
        out = self.virsh_ok("blockcopy bj-bc vda --xml %s --wait --pivot" % xml)
        self.assertIn("Successfully pivoted", out)
        self.wait_event(("bj-bc", "vda", COPY, COMPLETED))
        info = qemu_img_info(dest)
        self.assertIn("file format: qcow2", info)
        self.assertNotIn("backing file", info)
        self.assertIn("<source file='%s'/>" % dest, self.virsh_ok("dumpxml bj-bc"))
        # QEMU's tuning (virsh uses BlockCopy for it); --finish leaves the disk where it is
        tuned = self.disks / "bj-bc.tuned"
        out = self.virsh_ok("blockcopy bj-bc vda --dest %s --granularity 65536 --buf-size 1048576 --wait --finish"
                            % tuned)
        self.assertIn("Successfully copied", out)
        self.assertIn("file format: qcow2", qemu_img_info(tuned))
        self.assertIn("<source file='%s'/>" % dest, self.virsh_ok("dumpxml bj-bc"))
        # python3-libvirt with a bandwidth in bytes/s: a copy job that QEMU runs at that speed
        slow = self.disks / "bj-bc.slow"
        dom = self.conn.lookupByName("bj-bc")
        dom.blockCopy("vda", "<disk type='file'><source file='%s'/></disk>" % slow,
                      {self.libvirt.VIR_DOMAIN_BLOCK_COPY_BANDWIDTH: 1048576}, 0)
        job = dom.blockJobInfo("vda", self.libvirt.VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES)
        self.assertEqual((job["type"], job["bandwidth"]), (COPY, 1048576))
        self.virsh_ok("blockjob bj-bc vda --abort")
        self.wait_event(("bj-bc", "vda", COPY, CANCELED))
        # D-Bus BlockCopy, then BlockJobAbort
        p = self.busctl("bj-bc", "BlockCopy", "ssa{sv}u", "vda",
                        "<disk type='file'><source file='%s.bus'/></disk>" % slow, 1, "bandwidth", "t", 1048576, 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.bus_ok("bj-bc", "GetBlockJobInfo", "su", "vda", 1).split()[:3], ["(ittt)", "2", "1048576"])
        self.bus_ok("bj-bc", "BlockJobAbort", "su", "vda", 0)
        # refusals, nothing started
        p = self.virsh("blockcopy bj-bc vda --dest %s.g --granularity 1000" % tuned)
        self.assertIn("granularity must be power of 2", p.stderr)
        rel = self.daemon.tmp / "bc-rel.xml"
        rel.write_text("<disk type='file'><source file='relative.img'/></disk>")
        p = self.virsh("blockcopy bj-bc vda --xml %s" % rel)
        self.assertIn("the destination 'relative.img' is not an absolute path", p.stderr)
        p = self.virsh("blockcopy bj-bc vdz --xml %s" % xml)
        self.assertIn("disk 'vdz' not found in domain", p.stderr)
        self.assertIn("No current block job for vda", self.virsh_ok("blockjob bj-bc vda --info"))

    def restart_daemon(self):
        """virtbusd restarted (the guests' QEMUs go on); events come through a new connection."""
        self.daemon.restart()
        try:
            self.conn.close()
        except Exception:
            pass
        type(self).conn = self.libvirt.open(self.daemon.uri())
        self.listen(self.conn)

    def assert_job_info(self, name, text):
        p = self.virsh("blockjob %s vda --info" % name)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(text, p.stdout + p.stderr)    # virsh draws its progress on stderr

    def test_6_jobs_survive_a_daemon_restart(self):
        base, top = self.chain("bj-restart", "base", "top")
        self.start("bj-restart", top, persistent=True)
        # a slow pull, found again after the restart: its progress, then abort and the event
        self.virsh_ok("blockpull bj-restart vda --bandwidth 1")
        record = list((self.daemon.tmp).rglob("bj-restart.blockjobs.json"))
        self.assertEqual(len(record), 1, "no block job record")
        self.assertEqual(record[0].stat().st_mode & 0o777, 0o600)
        self.restart_daemon()
        self.assert_job_info("bj-restart", "Block Pull: [")
        self.virsh_ok("blockjob bj-restart vda --abort")
        self.wait_event(("bj-restart", "vda", PULL, CANCELED))
        self.assertIn("No current block job for vda", self.virsh_ok("blockjob bj-restart vda --info"))
        self.assertFalse(record[0].exists(), "the record outlived its job")
        self.assertIn("backing file: %s" % base, qemu_img_info(top))
        # an active commit, ready when the daemon restarts: its pivot after the restart moves
        # the disk to the base (the record kept where to) and the completion event comes
        self.virsh_ok("blockcommit bj-restart vda --active")
        self.wait_event(("bj-restart", "vda", ACTIVE_COMMIT, READY))
        self.restart_daemon()
        self.assert_job_info("bj-restart", "Active Block Commit: [")
        self.virsh_ok("blockjob bj-restart vda --pivot")
        self.wait_event(("bj-restart", "vda", ACTIVE_COMMIT, COMPLETED))
        self.assertIn("<source file='%s'/>" % base, self.virsh_ok("dumpxml bj-restart"))
        self.assertIn("<source file='%s'/>" % base, self.virsh_ok("dumpxml bj-restart --inactive"))
        self.assertEqual(self.virsh_ok("domstate bj-restart").strip(), "running")


if __name__ == "__main__":
    testmain.main()
