"""test_guest.py: the test guest's self-test: build it, boot it under TCG, shut it down for real.

    /usr/bin/python3 tests/guest/test_guest.py        (or python3 -m unittest)

Builds the guest with tests/guest/build-guest.sh into $VIRTBUS_GUEST_DIR (default
build/test-guest; cached), then boots it five times in qemu-system-x86_64 -accel tcg and checks:
  - it comes up (VIRTBUS-GUEST-UP on the serial console) and system_powerdown, the ACPI power
    button, makes it power itself off: QEMU's SHUTDOWN event (guest-shutdown) and QEMU exits;
  - a guest-initiated reboot (the console command `reboot`) is a RESET event and a second boot,
    and the power button still works after it;
  - virtbus.reboot_after=0 under -no-reboot: QEMU exits by itself (guest-reset);
  - virtbus.poweroff_after=0: QEMU exits by itself (guest-shutdown) with no host action;
  - the console command `crash` with -device pvpanic: a GUEST_PANICKED event.
Timings are printed (to stderr), not asserted beyond generous bounds. Set VIRTBUS_TEST_KEEP=1 to
keep each boot's directory (serial.log, qemu.log).
"""

import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guest  # noqa: E402

BOOT_TIMEOUT = 300      # the guest is up in ~6 s under TCG here, 30 s and more on a loaded 2-core machine
EXIT_TIMEOUT = 30       # it powers off ~0.03 s after system_powerdown here


def note(msg):
    print(f"guest: {msg}", file=sys.stderr, flush=True)


class GuestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t = time.monotonic()
        cls.image = guest.build()
        note(f"image ready in {time.monotonic() - t:.1f} s: {cls.image.kernel}, "
             f"{cls.image.initrd}, append {cls.image.append!r}")

    def setUp(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="virtbus-guest-"))

    def tearDown(self):
        if os.environ.get("VIRTBUS_TEST_KEEP"):
            note(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def vm(self, **kwargs):
        vm = guest.GuestVM(self.image, self.workdir, **kwargs)
        self.addCleanup(vm.stop)
        return vm.start()

    def assert_shutdown(self, vm, reason, since=0):
        ev = vm.qmp.wait_event("SHUTDOWN", EXIT_TIMEOUT, start=since)
        self.assertEqual(ev["data"], {"guest": True, "reason": reason})
        self.assertEqual(vm.wait_exit(EXIT_TIMEOUT), 0)

    def test_acpi_powerdown(self):
        vm = self.vm()
        boot = vm.wait_console(guest.UP, BOOT_TIMEOUT)
        t = time.monotonic()
        vm.qmp.command("system_powerdown")
        vm.qmp.wait_event("SHUTDOWN", EXIT_TIMEOUT)
        shutdown = time.monotonic() - t
        self.assert_shutdown(vm, "guest-shutdown")
        exited = time.monotonic() - t
        self.assertIn(guest.POWEROFF, vm.console_text())
        note(f"boot {boot:.2f} s to {guest.UP}; system_powerdown -> SHUTDOWN event "
             f"{shutdown:.3f} s, QEMU exit {exited:.3f} s")

    def test_guest_reboot(self):
        vm = self.vm()
        vm.wait_console(guest.UP, BOOT_TIMEOUT)
        t = time.monotonic()
        vm.send_console("reboot")
        ev = vm.qmp.wait_event("RESET", EXIT_TIMEOUT)
        self.assertEqual(ev["data"], {"guest": True, "reason": "guest-reset"})
        reset = time.monotonic() - t
        vm.wait_console(guest.UP, BOOT_TIMEOUT, count=2)
        again = time.monotonic() - t
        self.assertIn(guest.REBOOT, vm.console_text())
        # The rebooted guest still answers the power button.
        since = len(vm.qmp.events)
        vm.qmp.command("system_powerdown")
        self.assert_shutdown(vm, "guest-shutdown", since)
        self.assertEqual(vm.console_text().count(guest.POWEROFF), 1)
        note(f"console 'reboot' -> RESET event {reset:.3f} s, up again {again:.2f} s")

    def test_cmdline_reboot_after(self):
        vm = self.vm(append="virtbus.reboot_after=0", no_reboot=True)
        vm.wait_console(guest.UP, BOOT_TIMEOUT)         # the boot is not what EXIT_TIMEOUT bounds
        self.assert_shutdown(vm, "guest-reset")
        text = vm.console_text()
        self.assertIn(guest.UP, text)
        self.assertIn(guest.REBOOT, text)

    def test_cmdline_poweroff_after(self):
        vm = self.vm(append="virtbus.poweroff_after=0")
        vm.wait_console(guest.UP, BOOT_TIMEOUT)
        self.assert_shutdown(vm, "guest-shutdown")
        text = vm.console_text()
        self.assertIn(guest.UP, text)
        self.assertIn(guest.POWEROFF, text)

    def test_crash_pvpanic(self):
        vm = self.vm(qemu_args=["-device", "pvpanic"], no_reboot=True)
        vm.wait_console(guest.UP, BOOT_TIMEOUT)
        t = time.monotonic()
        vm.send_console("crash")
        vm.qmp.wait_event("GUEST_PANICKED", EXIT_TIMEOUT)
        self.assertIn(guest.CRASH, vm.console_text())
        note(f"console 'crash' -> GUEST_PANICKED {time.monotonic() - t:.3f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
    import testmain  # noqa: E402  (skips say so: exit 77, or a failure with CI=true)
    testmain.main(verbosity=1)
