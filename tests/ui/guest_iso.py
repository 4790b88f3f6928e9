"""guest_iso.py: the tiny test guest of tests/guest as a bootable disk image, for the clients'
"import an existing disk image" flows (cockpit-machines' create-VM dialog, virt-manager's wizard).

The guest is a kernel and an initramfs, booted by QEMU's -kernel in the other tests; an imported
disk must boot through the firmware instead. ISOLINUX (Debian's isolinux and syslinux-common) on
an ISO 9660 image that xorriso makes hybrid (an MBR from isohdpfx.bin): SeaBIOS boots it as a
hard disk as well as a CD-ROM. The kernel prints to the screen too (console=tty0), so a graphical
console shows the guest; the last console= (ttyS0) stays /dev/console, where init prints."""

import shutil
import subprocess
from pathlib import Path

ISOLINUX_BIN = "/usr/lib/ISOLINUX/isolinux.bin"
ISOHYBRID_MBR = "/usr/lib/ISOLINUX/isohdpfx.bin"
LDLINUX = "/usr/lib/syslinux/modules/bios/ldlinux.c32"
NEEDS = (ISOLINUX_BIN, ISOHYBRID_MBR, LDLINUX, "/usr/bin/xorriso")


def build(image, out):
    """Write the bootable image of guest.GuestImage `image` to `out` (a path); returns it."""
    out = Path(out)
    root = out.parent / (out.name + ".tree")
    shutil.rmtree(root, ignore_errors=True)
    (root / "isolinux").mkdir(parents=True)
    shutil.copy(ISOLINUX_BIN, root / "isolinux")
    shutil.copy(LDLINUX, root / "isolinux")
    shutil.copy(image.kernel, root / "vmlinuz")
    shutil.copy(image.initrd, root / "initrd.img")
    append = " ".join(a for a in image.append.split() if a != "quiet")
    (root / "isolinux" / "isolinux.cfg").write_text(
        "DEFAULT guest\nPROMPT 0\nTIMEOUT 0\nLABEL guest\n  KERNEL /vmlinuz\n"
        "  APPEND initrd=/initrd.img console=tty0 %s\n" % append)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", str(out), "-V", "VIRTBUSGUEST",
                    "-isohybrid-mbr", ISOHYBRID_MBR, "-b", "isolinux/isolinux.bin",
                    "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4",
                    "-boot-info-table", str(root)],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    shutil.rmtree(root)
    return out
