#!/usr/bin/python3
"""A disk hot-plugged into a guest confined by AppArmor: its path enters the guest's profile
(regenerated and reloaded with `apparmor_parser -r` before QEMU is asked to open it) and leaves
it after the unplug; a reload that fails fails the attach, nothing attached, profile as before.

    /usr/bin/python3 tests/integration/test_qemu_apparmor_hotplug.py -v

This host has no AppArmor, so no guest can start confined (the child's write to
/proc/thread-self/attr/apparmor/exec fails). The test re-executes itself in a private mount
namespace, starts a guest there while the namespace does not look like an AppArmor host, kills
virtbusd (-9: the guest runs on), makes the namespace look like one (what the driver's probe
reads, as test_qemu_apparmor_host.py does) with a recording apparmor_parser over /usr/sbin (an
overlay: it logs its arguments, keeps a copy of each profile it is given, and refuses when the
test asks), and restarts virtbusd, which adopts the guest as AppArmor confines it. The daemon's
side is what is checked: the profile file and the parser's invocations around attach-disk and
detach-disk of a SCSI disk (no guest cooperation needed), a refusal, and a CD-ROM's media.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import testmain  # noqa: E402

NS_ENV = "VIRTBUS_APPARMOR_HOTPLUG_NS"
FAKE = Path(os.environ.get("VIRTBUS_AA_FAKE", "/nonexistent"))

PARSER = """#!/bin/sh
# a recording apparmor_parser (test_qemu_apparmor_hotplug.py)
dir=%s
echo "$*" >> "$dir/calls"
n=$(wc -l < "$dir/calls")
[ -f "$2" ] && cp "$2" "$dir/profile.$n"
if [ -e "$dir/refuse" ]; then echo "AppArmor parser error: refused by the test" >&2; exit 1; fi
exit 0
"""


def enter_namespace():
    if os.environ.get(NS_ENV) == "1":
        return
    if os.geteuid() != 0:
        testmain.skip_program("needs root (mount namespace)")
    fake = Path(tempfile.mkdtemp(prefix="virtbus-aa-hotplug-"))
    (fake / "sbin").mkdir()
    parser = fake / "sbin" / "apparmor_parser"
    parser.write_text(PARSER % fake)
    parser.chmod(0o755)
    env = dict(os.environ, **{NS_ENV: "1", "VIRTBUS_AA_FAKE": str(fake)})
    r = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv, env=env)
    subprocess.run(["rm", "-rf", str(fake)])
    sys.exit(r.returncode)


def look_like_apparmor_host():
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", "lowerdir=%s:/usr/sbin" % (FAKE / "sbin"), "/usr/sbin"],
                   check=True)
    for where, inside in (("/sys/module", "apparmor/parameters"), ("/sys/kernel/security", "apparmor")):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "none", where], check=True)
        os.makedirs(os.path.join(where, inside))
    Path("/sys/module/apparmor/parameters/enabled").write_text("Y\n")


enter_namespace()

import test_qemu_lifecycle as lc  # noqa: E402

GUEST = """<domain type='qemu'>
  <name>aahot</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <controller type='scsi' model='virtio-scsi'/>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class AppArmorHotplug(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = lc.QemuDaemon()
        cls.d.start()
        try:
            xml = cls.d.tmp / "aahot.xml"
            xml.write_text(GUEST)
            cls.virsh_ok(cls, "define %s" % xml)
            cls.virsh_ok(cls, "start aahot")
            cls.uuid = cls.virsh_ok(cls, "domuuid aahot").strip()
            # the guest runs on; the daemon comes back on an AppArmor host and adopts it
            cls.d.proc.kill()
            cls.d.proc.wait(timeout=10)
            look_like_apparmor_host()
            cls.d.restart()
            lc.wait_for("aahot adopted", lambda: cls.virsh_ok(cls, "domstate aahot").strip() == "running", 60)
        except BaseException:
            cls.d.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.virsh("unix", "destroy aahot", timeout=60)
        cls.d.stop()

    def virsh_ok(self, cmd):
        p = self.d.virsh("unix", cmd, timeout=120)
        if p.returncode != 0:
            raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, self.d.log()[-3000:]))
        return p.stdout

    def calls(self):
        f = FAKE / "calls"
        return f.read_text().splitlines() if f.exists() else []

    def profile(self):
        found = list(self.d.tmp.rglob("apparmor/libvirt-%s" % self.uuid))
        self.assertEqual(len(found), 1, found)
        return found[0]

    def image(self, name):
        path = self.d.tmp / name
        subprocess.run(["qemu-img", "create", "-q", "-f", "raw", str(path), "1M"], check=True)
        return path

    def test_1_attach_adds_the_path_detach_removes_it(self):
        """attach-disk: one `apparmor_parser -r PROFILE` whose profile names the image (rwk);
        detach: another, whose profile no longer does."""
        img = self.image("aa-data.img")
        before = len(self.calls())
        self.virsh_ok("attach-disk aahot %s sdb --targetbus scsi --live" % img)
        calls = self.calls()[before:]
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(calls[0], "-r %s" % self.profile())
        # what the parser was given (before QEMU opened the image) names it, writable
        given = (FAKE / ("profile.%d" % (before + 1))).read_text()
        self.assertIn('"%s" rwk,' % img, given)
        self.assertIn("profile libvirt-%s" % self.uuid, given)
        self.assertEqual(self.profile().read_text(), given)
        self.assertIn("sdb", self.virsh_ok("domblklist aahot"))
        self.virsh_ok("detach-disk aahot sdb --live")
        lc.wait_for("sdb gone", lambda: "sdb" not in self.virsh_ok("domblklist aahot"), 60)
        lc.wait_for("the reload after the unplug", lambda: len(self.calls()) == before + 2, 60)
        self.assertEqual(self.calls()[before + 1], "-r %s" % self.profile())
        self.assertNotIn(str(img), (FAKE / ("profile.%d" % (before + 2))).read_text())
        self.assertNotIn(str(img), self.profile().read_text())

    def test_2_a_failed_reload_fails_the_attach(self):
        """The parser refuses: the attach fails with its words, QEMU was never asked (no sdd), the
        profile file is as it was."""
        img = self.image("aa-refused.img")
        was = self.profile().read_text()
        before = len(self.calls())
        (FAKE / "refuse").touch()
        try:
            p = self.d.virsh("unix", "attach-disk aahot %s sdd --targetbus scsi --live" % img, timeout=120)
        finally:
            (FAKE / "refuse").unlink()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot load the AppArmor profile of domain 'aahot': apparmor_parser exited 1: "
                      "AppArmor parser error: refused by the test", p.stderr)
        self.assertEqual(len(self.calls()), before + 1)
        self.assertNotIn("sdd", self.virsh_ok("domblklist aahot"))
        self.assertEqual(self.profile().read_text(), was)
        self.assertNotIn(str(img), was)

    def test_3_cdrom_media(self):
        """change-media --insert: the new medium enters the profile (rk) before QEMU opens it;
        --eject: the profile is reloaded without it."""
        iso = self.image("aa-medium.iso")
        before = len(self.calls())
        self.virsh_ok("change-media aahot hdc %s --insert --live" % iso)
        lc.wait_for("the reloads", lambda: len(self.calls()) >= before + 2, 60)
        calls = self.calls()[before:]
        self.assertEqual(calls, ["-r %s" % self.profile()] * 2, calls)
        self.assertIn('"%s" rk,' % iso, (FAKE / ("profile.%d" % (before + 1))).read_text())
        self.assertIn('"%s" rk,' % iso, self.profile().read_text())
        self.virsh_ok("change-media aahot hdc --eject --live")
        lc.wait_for("the reload after the eject", lambda: len(self.calls()) >= before + 3, 60)
        self.assertNotIn(str(iso), self.profile().read_text())


if __name__ == "__main__":
    testmain.main()
