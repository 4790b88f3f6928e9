"""test_qemu_pci_define.py: PCI addresses written into the definition at define time, as libvirt 9.0 writes them.

    /usr/bin/python3 tests/integration/test_qemu_pci_define.py -v

virt-install's q35 XML (--osinfo linux2022, --print-xml) is defined on virtbusd's
qemu:///session and on Debian's libvirt 9.0 (its embedded QEMU driver, `virsh -c
qemu:///embed?root=DIR`, in this process's temporary directory): `dumpxml --inactive` gives
every PCI device the same <address> on both; a disk added with `attach-device --config` gets the
same next free place on both and moves nothing; a definition whose addresses were lost (one
written by an older virtbusd) gets the same ones back when the daemon reads it; and the running
guest (the tiny guest of tests/guest, its init listing the PCI devices it sees) finds every
device at the address its definition names.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

BOOT_TIMEOUT = 240
NAME = "pci-q35"
EXTEND = "pci-extend"
# A q35 guest with one root port and more devices than it holds, two of them conventional PCI:
# libvirt adds root ports and a pcie-to-pci-bridge (tests/data/qemu/q35-pci-extend.xml).
EXTEND_XML = """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>256</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%(kernel)s</kernel><initrd>%(initrd)s</initrd><cmdline>%(append)s virtbus.lspci</cmdline></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%(disk)s'/>
      <target dev='vda' bus='virtio'/></disk>
    <controller type='pci' model='pcie-root'/>
    <controller type='pci' model='pcie-root-port'/>
    <interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/></interface>
    <interface type='user'><mac address='52:54:00:00:00:02'/><model type='virtio'/></interface>
    <interface type='user'><mac address='52:54:00:00:00:03'/><model type='rtl8139'/></interface>
    <serial type='file'><source path='%(console)s'/></serial>
    <video><model type='vga'/></video>
    <graphics type='vnc'/>
    <input type='tablet' bus='usb'/>
  </devices>
</domain>
"""
DISK_XML = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>")


def note(msg):
    print("qemu-pci-define: %s" % msg, file=sys.stderr, flush=True)


def pci_addresses(xml):
    """{device key: 'BB:SS.F[ mf]'} of every device with a PCI <address> in a domain XML."""
    out = {}
    for dev in ET.fromstring(xml).find("devices"):
        a = dev.find("address")
        if a is None or a.get("type") != "pci":
            continue
        key = " ".join([dev.tag] + ["%s=%s" % (k, dev.get(k)) for k in ("type", "model", "index") if dev.get(k)])
        if dev.tag == "interface":
            key += " " + dev.find("mac").get("address")
        if dev.tag == "disk":
            key += " " + dev.find("target").get("dev")
        assert key not in out, key
        addr = "%02x:%02x.%x" % (int(a.get("bus"), 16), int(a.get("slot"), 16), int(a.get("function"), 16))
        out[key] = addr + (" mf" if a.get("multifunction") == "on" else "")
    return out


class PciDefineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("qemu-system-x86_64", "virt-install", "virsh"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.image = guest.build()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.addClassCleanup(lambda: cls.daemon.proc and cls.daemon.proc.poll() is None and cls.daemon.stop())
        wait_for("QEMU's capabilities", lambda: cls.daemon.virsh("unix", "capabilities").returncode == 0, 150)
        cls.console = cls.daemon.tmp / "pci.console"
        p = subprocess.run(
            ["virt-install", "--connect", cls.daemon.uri(), "--name", NAME, "--osinfo", "linux2022",
             "--machine", "q35", "--memory", "256", "--disk", "none", "--import", "--print-xml",
             "--boot", "kernel=%s,initrd=%s,kernel_args=%s virtbus.lspci" % (
                 cls.image.kernel, cls.image.initrd, cls.image.append),
             "--serial", "file,path=%s" % cls.console],
            capture_output=True, text=True, timeout=120, env=cls.daemon.client_env())
        if p.returncode != 0:
            raise AssertionError("virt-install --print-xml failed: %s" % p.stderr)
        cls.xml_path = cls.daemon.tmp / "pci-q35.xml"
        cls.xml_path.write_text(p.stdout)
        cls.disk = cls.daemon.tmp / "extra.img"
        cls.disk.write_bytes(b"\0" * 1024 * 1024)
        cls.disk_xml = cls.daemon.tmp / "disk.xml"
        cls.disk_xml.write_text(DISK_XML % cls.disk)
        cls.extend_console = cls.daemon.tmp / "extend.console"
        cls.extend_disk = cls.daemon.tmp / "extend.img"
        cls.extend_disk.write_bytes(b"\0" * 1024 * 1024)
        cls.extend_path = cls.daemon.tmp / "pci-extend.xml"
        cls.extend_path.write_text(EXTEND_XML % {
            "name": EXTEND, "kernel": cls.image.kernel, "initrd": cls.image.initrd, "append": cls.image.append,
            "disk": cls.extend_disk, "console": cls.extend_console})
        cls.oracle = cls.libvirt_oracle()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % NAME)
        cls.daemon.virsh("unix", "destroy %s" % EXTEND)
        if cls.daemon.keep:
            note("kept %s" % cls.daemon.tmp)
        cls.daemon.stop()

    @classmethod
    def libvirt_oracle(cls):
        """libvirt 9.0's inactive XML of the same definition, before and after the disk is added."""
        root = tempfile.mkdtemp(prefix="pci-oracle-", dir=str(cls.daemon.tmp))
        uri = "qemu:///embed?root=%s" % root
        script = ("define %s; dumpxml --inactive %s; attach-device %s %s --config; dumpxml --inactive %s; "
                  "define %s; dumpxml --inactive %s") % (
            cls.xml_path, NAME, NAME, cls.disk_xml, NAME, cls.extend_path, EXTEND)
        p = subprocess.run(["virsh", "-q", "-c", uri, script], capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError("libvirt's embedded driver: %s" % p.stderr)
        docs = re.findall(r"<domain .*?</domain>", p.stdout, re.S)
        assert len(docs) == 3, p.stdout
        return [pci_addresses(d) for d in docs]

    def virsh(self, cmd):
        p = self.daemon.virsh("unix", cmd)
        self.assertEqual(p.returncode, 0, p.stderr + self.daemon.log()[-2000:])
        return p.stdout

    def inactive(self, name=NAME):
        return pci_addresses(self.virsh("dumpxml --inactive %s" % name))

    def guest_pci(self, console):
        def up():
            try:
                return guest.UP in console.read_text(errors="replace")
            except FileNotFoundError:
                return False
        wait_for("%s on %s" % (guest.UP, console.name), up, BOOT_TIMEOUT)
        return {m.group(1): m.group(2) for m in
                re.finditer(r"VIRTBUS-GUEST-PCI 0000:(\S+) (\S+) (\S+)", console.read_text(errors="replace"))}

    def test_1_define_writes_libvirts_addresses(self):
        self.virsh("define %s" % self.xml_path)
        got = self.inactive()
        # the 14 root ports, xHCI, SATA, virtio-serial, NIC, sound, video, balloon, RNG
        self.assertEqual(len(got), 22, got)
        self.assertEqual(got, self.oracle[0])
        xml = self.virsh("dumpxml --inactive %s" % NAME)
        self.assertIn("<model name='pcie-root-port'/>\n      <target chassis='1' port='0x10'/>\n"
                      "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'"
                      " multifunction='on'/>", xml)

    def test_2_definition_without_addresses_gets_them_back(self):
        """A definition an older virtbusd wrote (no addresses): the daemon reading it gives the
        same places, and they stay across defines."""
        before = self.inactive()
        files = list((self.daemon.tmp / "xdg_config_home").rglob("%s.xml" % NAME))
        self.assertEqual(len(files), 1, files)
        text = files[0].read_text()
        stripped = re.sub(r"\s*<address type='pci'[^>]*/>", "", text)
        self.assertNotIn("type='pci' domain", stripped)
        files[0].write_text(stripped)
        self.daemon.restart()
        self.assertEqual(self.inactive(), before)
        self.virsh("define %s" % self.xml_path)
        self.assertEqual(self.inactive(), before)

    def test_3_attach_config_takes_the_next_free_place(self):
        before = self.inactive()
        self.virsh("attach-device %s %s --config" % (NAME, self.disk_xml))
        got = self.inactive()
        self.assertEqual(got, self.oracle[1])
        self.assertEqual(got["disk type=file vdb"], "06:00.0")
        del got["disk type=file vdb"]
        self.assertEqual(got, before)

    def test_4_guest_sees_the_written_addresses(self):
        want = self.inactive()
        self.virsh("start %s" % NAME)
        seen = self.guest_pci(self.console)
        for key, addr in want.items():
            if key.startswith("controller type=sata"):
                self.assertEqual(seen.get("00:1f.2"), "0x8086:0x2922", "ICH9 AHCI: %r" % seen)
                continue
            self.assertIn(addr.split()[0], seen, "%s at %s: the guest sees %r" % (key, addr, seen))
        self.assertEqual(seen.get(want["disk type=file vdb"]), "0x1af4:0x1042")    # virtio-blk (modern)
        self.assertEqual(seen.get(want["rng model=virtio"]), "0x1af4:0x1044")
        self.assertEqual(seen.get(want["memballoon model=virtio"]), "0x1af4:0x1045")

    def test_5_q35_gets_libvirts_root_ports_and_bridge(self):
        """More PCIe devices than root ports and two conventional PCI NICs: the definition gets
        libvirt's added pcie-root-ports and pcie-to-pci-bridge, and the guest finds the NICs
        behind the bridge."""
        self.virsh("define %s" % self.extend_path)
        got = self.inactive(EXTEND)
        self.assertEqual(got, self.oracle[2])
        self.assertEqual(got["controller type=pci model=pcie-to-pci-bridge index=3"], "01:00.0")
        xml = self.virsh("dumpxml --inactive %s" % EXTEND)
        self.assertEqual(xml.count("model='pcie-root-port'"), 5)
        self.assertIn("<model name='pcie-pci-bridge'/>", xml)
        self.virsh("start %s" % EXTEND)
        seen = self.guest_pci(self.extend_console)
        # The guest numbers buses depth first: the bridge (controller 3) in root port 1 is its
        # bus 2, so root ports 2, 4, 5, 6 are its buses 3 to 6 (the XML's bus is the index).
        want = {
            "00:01.0": "0x1234:0x1111",        # VGA
            "01:00.0": "0x1b36:0x000e",        # pcie-pci-bridge in root port 1
            "02:01.0": "0x8086:0x100e",        # e1000 in the bridge's slot 1
            "02:02.0": "0x10ec:0x8139",        # rtl8139 in its slot 2
            "03:00.0": "0x1af4:0x1041",        # virtio-net in root port 2
            "04:00.0": "0x1b36:0x000d",        # qemu-xhci in root port 4
            "05:00.0": "0x1af4:0x1042",        # virtio-blk in root port 5
            "06:00.0": "0x1af4:0x1045",        # balloon in root port 6
        }
        for addr, ids in want.items():
            self.assertEqual(seen.get(addr), ids, "%s in the guest: %r" % (addr, seen))
        self.assertEqual(sorted(a for a, i in seen.items() if i == "0x1b36:0x000c"),
                         ["00:02.%d" % f for f in range(5)])


if __name__ == "__main__":
    from testmain import main
    main()
