"""test_qemu_logs.py: QEMU's logs through virtbus-qemu-log on qemu:///session: rotation by size with a kept count, and nothing lost when the daemon is killed while the guest writes.

    /usr/bin/python3 tests/integration/test_qemu_logs.py -v

The tiny guest (kernel argument virtbus.count=N) prints N numbered lines on its serial
console, a file-backed one. qemu.conf sets max_size and max_backups small, so the console's
file is rotated while the guest writes; the daemon is killed with SIGKILL in the middle and
started again, and every line is in the files, in order, each file within max_size.
"""

import re
import shutil
import signal
import sys
import time
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

MAX_SIZE = 1500
MAX_BACKUPS = 20
LINES = 250

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append} virtbus.count={lines}</cmdline>
  </os>
  <devices>
    <serial type='file'><source path='{serial}'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class QemuLogsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.daemon = QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text("max_size = %d\nmax_backups = %d\n" % (MAX_SIZE, MAX_BACKUPS))
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy log-guest")
        cls.daemon.stop()

    def files(self, base):
        """The log and its rotated copies, oldest first."""
        out = []
        for i in range(MAX_BACKUPS + 2, 0, -1):
            p = Path("%s.%d" % (base, i))
            if p.exists():
                out.append(p)
        if Path(base).exists():
            out.append(Path(base))
        return out

    def text(self, base):
        return "".join(p.read_text(errors="replace") for p in self.files(base))

    def test_kill_9_while_writing_keeps_every_line(self):
        serial = self.daemon.tmp / "serial.log"
        xml = self.daemon.tmp / "log-guest.xml"
        xml.write_text(DOMAIN_XML.format(name="log-guest", uuid=uuid.uuid4(), kernel=self.image.kernel,
                                         initrd=self.image.initrd, append=self.image.append, lines=LINES,
                                         serial=serial))
        for cmd in ("define %s" % xml, "start log-guest"):
            p = self.daemon.virsh("unix", cmd)
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-2000:]))
        wait_for("the guest's first numbered lines", lambda: "VIRTBUS-COUNT 10\n" in self.text(serial), 120)
        # the daemon dies in the middle of the guest's writing, and comes back a moment later
        self.daemon.proc.send_signal(signal.SIGKILL)
        self.daemon.proc.wait(timeout=10)
        time.sleep(1)
        self.daemon.restart()
        wait_for("the guest's last line", lambda: "VIRTBUS-COUNT %d\n" % (LINES - 1) in self.text(serial), 120)
        counts = [int(n) for n in re.findall(r"^VIRTBUS-COUNT (\d+)$", self.text(serial), re.M)]
        self.assertEqual(counts, list(range(LINES)), "lines lost or out of order")
        files = self.files(serial)
        # rotated by size: several files, none past max_size
        self.assertGreater(len(files), 2, [str(f) for f in files])
        for f in files:
            self.assertLessEqual(f.stat().st_size, MAX_SIZE, str(f))
            self.assertEqual(f.stat().st_mode & 0o077, 0, "%s is readable by others" % f)
        # the guest still runs under the restarted daemon
        p = self.daemon.virsh("unix", "domstate log-guest")
        self.assertEqual(p.stdout.strip(), "running")
        # QEMU's own log (its command line, then what it printed) is there too
        logs = list(self.daemon.tmp.rglob("log-guest.log"))
        self.assertTrue(logs, "no log-guest.log under %s" % self.daemon.tmp)
        self.assertIn("qemu-system-x86_64", logs[0].read_text(errors="replace"))

    def test_rotation_keeps_max_backups(self):
        """The writer alone: max_backups files are kept, the oldest dropped."""
        import subprocess
        import os
        writer = Path(remote_harness.VIRTBUSD).parent / "virtbus-qemu-log"
        log = self.daemon.tmp / "alone.log"
        r, w = os.pipe()
        p = subprocess.Popen([str(writer), str(r), str(log), "100", "2"], pass_fds=(r,))
        os.close(r)
        for i in range(40):
            os.write(w, b"line %02d of the writer test\n" % i)      # 28 bytes each
        os.close(w)
        self.assertEqual(p.wait(timeout=10), 0)
        files = self.files(log)
        self.assertEqual([f.name for f in files], ["alone.log.2", "alone.log.1", "alone.log"])
        text = "".join(f.read_text() for f in files)
        self.assertTrue(text.endswith("line 39 of the writer test\n"))
        self.assertFalse(Path("%s.3" % log).exists())
        # bad arguments: a clear refusal, nothing written
        q = subprocess.run([str(writer), "x", str(log), "100", "2"], capture_output=True, text=True)
        self.assertEqual(q.returncode, 1)
        self.assertIn("usage: virtbus-qemu-log", q.stderr)


if __name__ == "__main__":
    from testmain import main
    main()
