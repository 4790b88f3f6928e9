#!/usr/bin/python3
"""test_virt_manager.py: Debian's virt-manager under Xvfb against virtbusd --system.

    /usr/bin/python3 tests/ui/test_virt_manager.py -v      (root)

virt-manager connects to qemu:///system (libvirt's default socket path, bound to virtbusd's in
ui_harness's mount namespace), opens the running test guest's console window
(--show-domain-console) and shows its VNC display; a screenshot of the X display (xwd) must
show the window with the guest's screen: many distinct colours, not a blank root window."""

import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui_harness as uh  # noqa: E402

uh.enter_namespace(needs=("virt-manager", "Xvfb", "xwd"))

import testmain  # noqa: E402

NAME = "vmmvm"
GRAPHICS = """<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>"""


def xwd_colours(path):
    """Distinct pixel values of a 24/32-bit ZPixmap xwd dump (the header says where pixels start)."""
    data = Path(path).read_bytes()
    header_size = int.from_bytes(data[0:4], "big")
    ncolors = int.from_bytes(data[76:80], "big")
    bpp = int.from_bytes(data[44:48], "big") // 8
    pixels = data[header_size + 12 * ncolors:]
    return len({pixels[i:i + bpp] for i in range(0, len(pixels) - bpp + 1, bpp * 7)})


class VirtManagerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld().start()
        try:
            cls.w.define_guest(NAME, extra=GRAPHICS)
            cls.w.virsh("start", NAME, check=True)
            cls.display = cls.w.start_xvfb()
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    @classmethod
    def start_virt_manager(cls):
        env = cls.w.virt_manager_env(cls.display)
        cls.vmm_log = cls.w.tmp / "virt-manager.log"
        with open(cls.vmm_log, "w") as log:
            cls.w.procs["virt-manager"] = subprocess.Popen(
                ["virt-manager", "--no-fork", "--debug", "--connect", "qemu:///system",
                 "--show-domain-console", NAME], stdout=log, stderr=subprocess.STDOUT, env=env)

    def wait_log(self, text, timeout=90):
        def seen():
            if self.w.procs["virt-manager"].poll() is not None:
                raise AssertionError("virt-manager exited")
            return text in self.vmm_log.read_text()
        try:
            uh.wait_for(seen, "virt-manager to log %r" % text, timeout=timeout, interval=0.5)
        except AssertionError as e:
            self.fail("%s\n--- virt-manager log:\n%s\n--- virtbusd log tail:\n%s" % (
                e, self.vmm_log.read_text()[-4000:], self.w.log()[-2000:]))

    def screen_colours(self):
        shot = self.w.tmp / "screen.xwd"
        subprocess.run(["xwd", "-root", "-silent", "-display", self.display, "-out", str(shot)],
                       check=True, timeout=20)
        return xwd_colours(shot)

    def test_1_connects_lists_and_opens_the_console_window(self):
        if "virt-manager" not in self.w.procs:
            self.start_virt_manager()
        self.wait_log("conn=qemu:///system changed to state=Active")
        self.wait_log("domain=%s status=Running added" % NAME)
        self.wait_log("Showing VM details: <vmmDomain name=%s" % NAME)
        # The window is drawn: an empty Xvfb root is one colour.
        uh.wait_for(lambda: self.screen_colours() > 20, "virt-manager's window on the X display", 60, 1)

    # virt-manager opens a local connection's display with virDomainOpenGraphicsFD (a
    # REPLY_WITH_FDS on the unix socket): the guest's VNC display reaches the window.
    def test_2_console_shows_the_guest_display(self):
        if "virt-manager" not in self.w.procs:
            self.start_virt_manager()
        uh.wait_for(lambda: "Viewer connected cb" in self.vmm_log.read_text() or
                    "Error connecting to graphical console" in self.vmm_log.read_text(), "the viewer", 60, 0.5)
        self.assertNotIn("Error connecting to graphical console", self.vmm_log.read_text())
        uh.wait_for(lambda: self.screen_colours() > 20, "the guest's display", 60, 1)


if __name__ == "__main__":
    testmain.main()
