"""test_qemu_dac_nss.py: a disk's DAC <label> names are looked up off the event loop.

    /usr/bin/python3 tests/integration/test_qemu_dac_nss.py -v

The daemon of test_qemu_dac.py (QEMU as a throwaway user) runs with an LD_PRELOAD shim
(tests/integration/slow-nss.c) whose getpwnam_r of the user name "daemon" behaves like an NSS
module waiting on a directory server: it says which thread asked and waits until the test lets
it go. A guest whose disk is labelled daemon:USER is started, and such a disk hot-plugged into
a running guest; while the lookup waits, the daemon answers other calls, and once the lookup
is let go the start (the attach) completes with the image given to daemon:USER, and given back
when the guest is destroyed.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import remote_harness  # noqa: E402
import test_qemu_dac as dac  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

SLOW = "daemon"         # a user every Debian system has; nothing else in the daemon looks it up


class DacNssTest(dac.DacWorld, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        so = os.environ.get("VBTEST_SLOW_NSS_SO")
        if not so or not Path(so).exists():
            raise unittest.SkipTest("VBTEST_SLOW_NSS_SO (the shim meson builds) is not set")
        cls.gate = Path(tempfile.mkdtemp(prefix="virtbus-nss-"))
        cls.slow_uid = int(subprocess.run(["id", "-u", SLOW], check=True, capture_output=True,
                                          text=True).stdout)
        shim = cls.gate / "virtbusd-slow-nss"
        shim.write_text("#!/bin/sh\nLD_PRELOAD=%s VBTEST_SLOW_NSS_NAME=%s VBTEST_SLOW_NSS_DIR=%s exec %s \"$@\"\n"
                        % (so, SLOW, cls.gate, remote_harness.VIRTBUSD))
        shim.chmod(0o755)
        cls.outer_virtbusd = remote_harness.VIRTBUSD
        remote_harness.VIRTBUSD = shim
        try:
            super().setUpClass()
        except BaseException:
            remote_harness.VIRTBUSD = cls.outer_virtbusd
            raise

    @classmethod
    def tearDownClass(cls):
        (cls.gate / "release").touch()      # never leave a lookup waiting
        super().tearDownClass()
        remote_harness.VIRTBUSD = cls.outer_virtbusd
        for f in cls.gate.iterdir():
            f.unlink()
        cls.gate.rmdir()

    def setUp(self):
        for f in ("entered", "release"):
            (self.gate / f).unlink(missing_ok=True)

    def background(self, cmd):
        return subprocess.Popen(["virsh", "-c", self.daemon.uri("unix")] + cmd.split(),
                                env=self.daemon.client_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def while_looking_up(self, proc, name, state):
        """The lookup runs in a thread of its own, and the loop answers meanwhile."""
        entered = self.gate / "entered"
        lc.wait_for("the daemon's getpwnam_r(%r)" % SLOW, lambda: entered.exists() or proc.poll() is not None, 120)
        if proc.poll() is not None:
            self.fail("the call ended before the lookup: %s" % (proc.communicate(),))
        lc.wait_for("the shim's note", lambda: entered.read_text().strip(), 10)
        self.assertEqual(entered.read_text().strip(), "thread")
        # answered while getpwnam_r still waits (a blocked loop would answer nothing)
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), state)
        self.assertIn(name, self.virsh("list --all --name").stdout.split())
        self.assertIsNone(proc.poll())
        (self.gate / "release").touch()
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err + self.daemon.log()[-3000:])

    def labelled(self, image):
        return ("<source file='%s'><seclabel model='dac' relabel='yes'><label>%s:%s</label></seclabel></source>"
                % (image, SLOW, dac.USER))

    def test_01_start_looks_names_up_off_the_loop(self):
        image = self.make_image("nss-start", mode=0o660)
        xml = self.work / "nss-start.xml"
        xml.write_text(dac.DOMAIN_XML.format(name="nss-start", kernel=self.kernel, initrd=self.initrd,
                                             append=self.append, image=image,
                                             console=self.work / "nss-start.console", readonly="",
                                             cputune="").replace("<source file='%s'/>" % image, self.labelled(image)))
        self.virsh("define %s" % xml)
        proc = self.background("start nss-start")
        self.guests.append("nss-start")
        self.while_looking_up(proc, "nss-start", "shut off")
        self.assertEqual(self.virsh("domstate nss-start").stdout.strip(), "running")
        self.assertEqual(dac.owner(image), (self.slow_uid, self.uid))
        self.destroy("nss-start")
        self.assertEqual(dac.owner(image), dac.OWNER)

    def test_02_hotplug_looks_names_up_off_the_loop(self):
        base = self.make_image("nss-base")
        xml = self.work / "nss-hot.xml"
        xml.write_text(dac.DOMAIN_XML.format(name="nss-hot", kernel=self.kernel, initrd=self.initrd,
                                             append=self.append, image=base, console=self.work / "nss-hot.console",
                                             readonly="", cputune="").replace(
            "</os>", "</os>\n  <features><acpi/></features>"))     # PCI hotplug needs ACPI
        self.virsh("define %s" % xml)
        self.start("nss-hot")
        image = self.make_image("nss-hot-vdb", mode=0o660)
        disk = self.work / "nss-hot-vdb.xml"
        disk.write_text("<disk type='file' device='disk'><driver name='qemu' type='raw'/>%s"
                        "<target dev='vdb' bus='virtio'/></disk>" % self.labelled(image))
        proc = self.background("attach-device nss-hot %s --live" % disk)
        self.while_looking_up(proc, "nss-hot", "running")
        self.assertIn("vdb", self.virsh("domblklist nss-hot").stdout)
        self.assertEqual(dac.owner(image), (self.slow_uid, self.uid))
        self.destroy("nss-hot")
        self.assertEqual(dac.owner(image), dac.OWNER)


if __name__ == "__main__":
    testmain.main()
