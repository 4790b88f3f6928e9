"""test_qemu_virtinst.py: virt-install with its defaults against virtbusd's qemu:///session, and the guest sees every device.

    /usr/bin/python3 tests/integration/test_qemu_virtinst.py -v

virt-install (Debian's virtinst) creates two guests the way a new user would (--osinfo
linux2022 on q35, --osinfo generic on pc), with the tiny test guest of tests/guest as a
direct kernel boot and its serial console in a file. The guest's init prints the PCI devices
it sees (virtbus.lspci): each device virt-install wrote must be there, at libvirt's address.
The definition keeps the versioned machine type the alias resolved to at define time.
"""

import os
import re
import shutil
import struct
import zlib
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

BOOT_TIMEOUT = 240     # three TCG guests (one on OVMF) boot at once; alone each is up in seconds

# What the guest lists (address → vendor:device), libvirt's places for virt-install's XML.
Q35_LINUX2022 = {
    "0000:00:01.0": "0x1af4:0x1050",   # virtio-vga: virt-install picks virtio video from the domain capabilities
    "0000:00:1b.0": "0x8086:0x293e",   # ich9-intel-hda (--sound ich9)
    "0000:01:00.0": "0x1af4:0x1041",   # virtio-net (modern, behind root port 1)
    "0000:02:00.0": "0x1b36:0x000d",   # qemu-xhci
    "0000:03:00.0": "0x1af4:0x1043",   # virtio-serial (the qemu-ga and spice channels)
    "0000:04:00.0": "0x1af4:0x1045",   # virtio-balloon
    "0000:05:00.0": "0x1af4:0x1044",   # virtio-rng
}
Q35_ROOT_PORTS = ["0000:00:02.%d" % f for f in range(8)] + ["0000:00:03.%d" % f for f in range(6)]

PC_GENERIC = {
    "0000:00:02.0": "0x1b36:0x0100",   # qxl-vga
    "0000:00:03.0": "0x8086:0x100e",   # e1000
    "0000:00:04.0": "0x8086:0x2668",   # intel-hda (ich6)
    "0000:00:05.0": "0x8086:0x2934",   # ich9 UHCI1 (companion)
    "0000:00:05.1": "0x8086:0x2935",   # ich9 UHCI2
    "0000:00:05.2": "0x8086:0x2936",   # ich9 UHCI3
    "0000:00:05.7": "0x8086:0x293a",   # ich9 EHCI1
    "0000:00:06.0": "0x1af4:0x1003",   # virtio-serial (transitional on conventional PCI)
    "0000:00:07.0": "0x1af4:0x1002",   # virtio-balloon
}


def note(msg):
    print("qemu-virtinst: %s" % msg, file=sys.stderr, flush=True)


class VirtInstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("qemu-system-x86_64", "virt-install"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.image = guest.build()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        # tearDownClass does not run when setUpClass fails: the daemon must not outlive the test.
        cls.addClassCleanup(lambda: cls.daemon.proc and cls.daemon.proc.poll() is None and cls.daemon.stop())
        # The machine aliases resolve once the daemon has probed QEMU (right after it starts).
        wait_for("QEMU's capabilities", lambda: cls.daemon.virsh("unix", "capabilities").returncode == 0, 150)
        cls.guests = {}
        for name, osinfo, machine, uefi in (("vi-q35", "linux2022", "q35", False), ("vi-pc", "generic", "pc", False),
                                            ("vi-uefi", "linux2022", "pc", True)):
            cls.guests[name] = cls.virt_install(name, osinfo, machine, uefi)

    @classmethod
    def tearDownClass(cls):
        for name in getattr(cls, "guests", {}):
            cls.daemon.virsh("unix", "destroy %s" % name)
        if cls.daemon.keep:
            note("kept %s" % cls.daemon.tmp)
        cls.daemon.stop()

    @classmethod
    def virt_install(cls, name, osinfo, machine, uefi=False, start=True):
        console = cls.daemon.tmp / ("%s.console" % name)
        args = ["virt-install", "--connect", cls.daemon.uri(), "--name", name, "--osinfo", osinfo,
                "--machine", machine, "--memory", "256", "--disk", "none", "--import", "--noautoconsole",
                "--boot", "%skernel=%s,initrd=%s,kernel_args=%s virtbus.lspci" % (
                    "uefi," if uefi else "", cls.image.kernel, cls.image.initrd, cls.image.append),
                "--serial", "file,path=%s" % console]
        p = remote_harness.subprocess.run(args, capture_output=True, text=True, timeout=120,
                                          env=cls.daemon.client_env())
        if p.returncode != 0:
            raise AssertionError("virt-install %s failed (%d): %s\n%s" % (
                name, p.returncode, p.stderr, cls.daemon.log()[-3000:]))
        return console

    def pci_seen(self, name):
        console = self.guests[name]

        def up():
            try:
                return guest.UP in console.read_text(errors="replace")
            except FileNotFoundError:
                return False
        wait_for("%s on %s's console" % (guest.UP, name), up, BOOT_TIMEOUT)
        seen = {}
        for m in re.finditer(r"VIRTBUS-GUEST-PCI (\S+) (\S+) (\S+)", console.read_text(errors="replace")):
            seen[m.group(1)] = m.group(2)
        return seen

    def dumpxml(self, name, inactive=False):
        p = self.daemon.virsh("unix", "dumpxml %s%s" % ("--inactive " if inactive else "", name))
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_q35_linux2022_devices_reach_the_guest(self):
        seen = self.pci_seen("vi-q35")
        for addr, ids in Q35_LINUX2022.items():
            self.assertEqual(seen.get(addr), ids, "%s in the guest: %r" % (addr, seen))
        for addr in Q35_ROOT_PORTS:
            self.assertEqual(seen.get(addr), "0x1b36:0x000c", "root port %s: %r" % (addr, seen))

    def test_pc_generic_devices_reach_the_guest(self):
        seen = self.pci_seen("vi-pc")
        for addr, ids in PC_GENERIC.items():
            self.assertEqual(seen.get(addr), ids, "%s in the guest: %r" % (addr, seen))

    def test_machine_alias_resolved_at_define(self):
        self.assertIn("machine='pc-q35-7.2'", self.dumpxml("vi-q35", inactive=True))
        self.assertIn("machine='pc-i440fx-7.2'", self.dumpxml("vi-pc", inactive=True))

    def test_devices_kept_in_the_definition(self):
        xml = self.dumpxml("vi-q35", inactive=True)
        # with the address libvirt writes at define time (test_qemu_pci_define.py checks them all)
        self.assertIn("<sound model='ich9'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x1b'"
                      " function='0x0'/>", xml)
        self.assertEqual(xml.count("model='pcie-root-port'"), 14)
        self.assertEqual(xml.count("<redirdev bus='usb' type='spicevmc'>"), 2)
        # USB ports as libvirt gives them (the tablet takes 1): cockpit-machines reads them
        self.assertRegex(xml, r"<redirdev bus='usb' type='spicevmc'>\s*<address type='usb' bus='0' port='2'/>")
        self.assertRegex(xml, r"<redirdev bus='usb' type='spicevmc'>\s*<address type='usb' bus='0' port='3'/>")
        xml = self.dumpxml("vi-pc", inactive=True)
        self.assertIn("<sound model='ich6'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x04'"
                      " function='0x0'/>", xml)
        self.assertIn("model='ich9-ehci1'", xml)

    def nvram_dir(self):
        return self.daemon.tmp / "xdg_state_home" / "virtbus" / "qemu" / "nvram"

    def test_uefi_guest_boots_with_its_own_nvram(self):
        """--boot uefi: the domain capabilities offer OVMF, the definition names the firmware the
        descriptors chose and the guest's own NVRAM, copied from the template, and the guest
        boots through OVMF."""
        p = self.daemon.virsh("unix", "domcapabilities --machine pc")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<value>efi</value>", p.stdout)
        self.assertIn("/usr/share/OVMF/OVMF_CODE_4M.fd", p.stdout)
        xml = self.dumpxml("vi-uefi", inactive=True)
        self.assertIn("<os firmware='efi'>", xml)
        self.assertIn("<loader readonly='yes' secure='no' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>", xml)
        nvram = self.nvram_dir() / "vi-uefi_VARS.fd"
        self.assertIn("<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>%s</nvram>" % nvram, xml)
        self.assertEqual(nvram.stat().st_mode & 0o777, 0o600)
        self.assertEqual(nvram.stat().st_size, Path("/usr/share/OVMF/OVMF_VARS_4M.fd").stat().st_size)
        # virt-install gives a UEFI linux2022 guest virtio video: it reaches the guest as virtio-vga
        self.assertIn("<model type='virtio'", xml)
        seen = self.pci_seen("vi-uefi")
        self.assertEqual(seen.get("0000:00:02.0"), "0x1af4:0x1050")

    def test_uefi_q35_gets_secure_boot(self):
        """On q35 Debian's first descriptor is OVMF with Secure Boot and Microsoft's keys: SMM on."""
        p = remote_harness.subprocess.run(
            ["virt-install", "--connect", self.daemon.uri(), "--name", "vi-sb", "--osinfo", "linux2022",
             "--machine", "q35", "--boot", "uefi", "--memory", "256", "--disk", "none", "--import", "--print-xml"],
            capture_output=True, text=True, timeout=60, env=self.daemon.client_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        path = self.daemon.tmp / "vi-sb.xml"
        path.write_text(p.stdout)
        self.assertEqual(self.daemon.virsh("unix", "define %s" % path).returncode, 0)
        try:
            xml = self.dumpxml("vi-sb", inactive=True)
            self.assertIn("<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>",
                          xml)
            self.assertIn("<smm state='on'/>", xml)
            p = self.daemon.virsh("unix", "start vi-sb")
            self.assertEqual(p.returncode, 0, p.stderr + self.daemon.log()[-2000:])
            nvram = self.nvram_dir() / "vi-sb_VARS.fd"
            self.assertTrue(nvram.exists())
            self.daemon.virsh("unix", "destroy vi-sb")
            # libvirt's rule: the NVRAM goes with --nvram, stays with --keep-nvram, and
            # without either the undefine is refused
            p = self.daemon.virsh("unix", "undefine vi-sb")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("Requested operation is not valid: cannot undefine domain with nvram", p.stderr)
            p = self.daemon.virsh("unix", "undefine vi-sb --nvram")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertFalse(nvram.exists())
        finally:
            self.daemon.virsh("unix", "destroy vi-sb")
            self.daemon.virsh("unix", "undefine vi-sb --nvram")

    def assert_png_not_blank(self, data):
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", data[16:24])
        self.assertGreater(width * height, 0)
        idat, pos = b"", 8
        while pos < len(data):
            n, kind = struct.unpack(">I4s", data[pos:pos + 8])
            if kind == b"IDAT":
                idat += data[pos + 8:pos + 8 + n]
            pos += 12 + n
        pixels = zlib.decompress(idat)
        self.assertGreater(len(set(pixels)), 2, "a blank screen")

    def test_screenshot_through_qmp_on_both_doors(self):
        """virsh screenshot and the D-Bus Screenshot extension: QEMU's screendump as PNG."""
        self.pci_seen("vi-pc")              # booted: the screen shows the boot text
        out = self.daemon.tmp / "shot.png"
        p = self.daemon.virsh("unix", "screenshot vi-pc %s" % out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("with type of image/png", p.stdout)
        self.assert_png_not_blank(out.read_bytes())
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            uuid = self.daemon.virsh("unix", "domuuid vi-pc").stdout.strip()
            path = "/org/libvirt/QEMU/domain/_%s" % uuid.replace("-", "_")
            mime, fd = bus.get_object("org.libvirt", path).Screenshot(
                dbus.UInt32(0), dbus.UInt32(0), dbus_interface="org.libvirt.Domain")
            self.assertEqual(mime, "image/png")
            with os.fdopen(fd.take(), "rb") as f:
                self.assert_png_not_blank(f.read())
        finally:
            bus.close()

    def test_unsupported_device_refused_by_name(self):
        xml = self.daemon.tmp / "fs.xml"
        xml.write_text("""<domain type='qemu'><name>vi-fs</name><memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><filesystem type='mount'><source dir='/srv'/><target dir='srv'/></filesystem></devices>
</domain>""")
        p = self.daemon.virsh("unix", "define %s" % xml)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<filesystem", self.dumpxml("vi-fs"))
        p = self.daemon.virsh("unix", "start vi-fs")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unsupported configuration: device <filesystem> is not supported by the QEMU driver", p.stderr)
        self.daemon.virsh("unix", "undefine vi-fs")


if __name__ == "__main__":
    from testmain import main
    main()
