"""test_qemu_threshold.py: a disk's write threshold on a real TCG guest (issue 13): virsh domblkthreshold sets it
(QMP block-set-write-threshold), the guest writes past it (busybox dd run by qemu-ga's guest-exec) and the
BLOCK_THRESHOLD event (385) reaches python3-libvirt and `virsh event --event block-threshold` with the disk, its
source, the threshold and the excess; QEMU has cleared it then, so more writes fire nothing until it is set again.

    /usr/bin/python3 tests/integration/test_qemu_threshold.py -v

qemu:///session of a private daemon.
"""

import json
import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402
import testmain  # noqa: E402

BOOT_TIMEOUT = 300      # TCG boots on a loaded 2-core machine
AGENT_TIMEOUT = 120

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class ThresholdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.name = "threshold-guest"
        cls.disk = cls.daemon.tmp / "data.img"
        with open(cls.disk, "wb") as f:
            f.truncate(16 << 20)
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, disk=cls.disk))
        cls.events = []
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.conn.domainEventRegisterAny(
            None, cls.libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
            lambda c, d, dev, path, threshold, excess, o: cls.events.append((d.name(), dev, path, threshold, excess)),
            None)
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            raise AssertionError("virsh define: %s" % p.stderr)
        cls.watcher = None

    @classmethod
    def tearDownClass(cls):
        if cls.watcher and cls.watcher.poll() is None:
            cls.watcher.kill()
            cls.watcher.wait()
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=AGENT_TIMEOUT + 60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def agent(self, execute, **arguments):
        cmd = {"execute": execute, "arguments": arguments} if arguments else {"execute": execute}
        p = self.virsh("qemu-agent-command %s '%s' --timeout %d" % (self.name, json.dumps(cmd), AGENT_TIMEOUT))
        return json.loads(p.stdout)["return"]

    def guest_write(self, offset_kib, kib):
        """The guest writes kib KiB at offset_kib of its vda, synced (busybox dd through qemu-ga)."""
        pid = self.agent("guest-exec", path="/bin/dd",
                         arg=["if=/dev/zero", "of=/dev/vda", "bs=1024", "seek=%d" % offset_kib, "count=%d" % kib,
                              "conv=fsync,notrunc"], **{"capture-output": True})["pid"]
        status = wait_for("the guest's dd to end",
                          lambda: (lambda s: s if s["exited"] else None)(self.agent("guest-exec-status", pid=pid)),
                          AGENT_TIMEOUT)
        self.assertEqual(status.get("exitcode"), 0, status)

    def test_1_refusals(self):
        p = self.virsh("domblkthreshold %s vda 1024" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("domain is not running", p.stderr)
        self.virsh("start %s" % self.name)
        p = self.virsh("domblkthreshold %s vdz 1024" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("failed to find disk 'vdz'", p.stderr)

    def test_2_guest_writes_past_the_threshold(self):
        wait_for("the guest agent", lambda: self.virsh("qemu-agent-command %s '{\"execute\":\"guest-ping\"}'"
                                                        % self.name, check=False).returncode == 0, BOOT_TIMEOUT)
        # virsh's own event loop sees it too
        self.__class__.watcher = subprocess.Popen(
            ["virsh", "-c", self.daemon.uri(), "event", "--domain", self.name, "--event", "block-threshold",
             "--timeout", str(AGENT_TIMEOUT * 2)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.daemon.env())
        time.sleep(3)       # virsh registers before the write (a late registration only makes this test fail)
        self.virsh("domblkthreshold %s vda 4194304" % self.name)            # 4 MiB
        self.guest_write(1024, 1024)        # 1-2 MiB: below it, nothing
        self.guest_write(4096, 64)          # 4 MiB .. +64 KiB: past it
        wait_for("the BLOCK_THRESHOLD event", lambda: self.events, AGENT_TIMEOUT)
        name, dev, path, threshold, excess = self.events[0]
        self.assertEqual((name, dev, path, threshold), (self.name, "vda", str(self.disk), 4194304))
        self.assertGreater(excess, 0)
        self.assertLessEqual(excess, 64 * 1024)
        out, err = self.watcher.communicate(timeout=AGENT_TIMEOUT)
        self.assertIn("event 'block-threshold' for domain '%s': dev: vda(%s) 4194304 %d" % (self.name, self.disk, excess),
                      out, err)
        # QEMU cleared it on firing: another write past it is silent until it is set again
        self.guest_write(8192, 64)
        self.virsh("domblkthreshold %s vda 12582912" % self.name)           # 12 MiB
        self.guest_write(12288, 4)
        wait_for("the second BLOCK_THRESHOLD event", lambda: len(self.events) >= 2, AGENT_TIMEOUT)
        self.assertEqual(len(self.events), 2, self.events)
        self.assertEqual(self.events[1][3], 12582912)


if __name__ == "__main__":
    testmain.main()
