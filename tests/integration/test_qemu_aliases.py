"""test_qemu_aliases.py: a running guest's live XML names every device (<alias name='…'/>) by the id QEMU knows it by, as libvirt 9.0's QEMU driver does.

    /usr/bin/python3 tests/integration/test_qemu_aliases.py -v

Two TCG guests with virt-install's default devices (tests/data/qemu/virtinst-linux2022-q35.xml
and virtinst-generic-pc.xml, as `virt-install --print-xml` wrote them) plus disks on each bus
(virtio, SATA or IDE, SCSI on a virtio-scsi controller), a watchdog and a user's ua- alias on the pc's sound card, defined
and started through virsh on virtbusd's qemu:///session. They need not boot: QEMU has made
every device once it runs. Checked against what QEMU reports through the monitor
(`qom-list /machine/peripheral`, `query-block`'s qdev ids; D-Bus GetXMLDesc shows the same) and against Debian's libvirt 9.0
itself: its embedded QEMU driver (`virsh -c qemu:///embed?root=DIR`, in process, no daemon)
starts the same XML in this test's temporary directory. The aliases stay after kill -9 of the
daemon and its restart (the status file keeps the live definition); a SCSI disk attached while
the guest runs is named, found by domblklist, and detached by its alias. A channel of a guest an
older virtbusd started (its status file shows the user's ua- alias, its QEMU knows channel<i>) is
named by QEMU's id once the daemon has found the guest again, and a detach reaches it.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon, wait_for  # noqa: E402

DATA = HERE.parent / "data" / "qemu"

# Disks on each bus and a watchdog, added to virt-install's devices. The SCSI controller is
# written: libvirt's implicit one is an lsilogic (its disks' aliases then have three numbers,
# scsi0-0-1), virtbusd's a virtio-scsi.
Q35_EXTRA = """
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/q35-a.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/q35-b.img'/><target dev='sda' bus='sata'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/q35-c.img'/><target dev='sdb' bus='scsi'/></disk>
    <controller type='scsi' model='virtio-scsi'/>
    <watchdog model='i6300esb' action='reset'/>
"""
PC_EXTRA = """
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/pc-a.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/pc-b.img'/><target dev='hda' bus='ide'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{d}/pc-c.img'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{d}/pc-d.img'/><target dev='sdb' bus='scsi'/></disk>
    <controller type='scsi' model='virtio-scsi'/>
    <watchdog model='ib700' action='reset'/>
"""
GUESTS = {
    "alias-q35": ("virtinst-linux2022-q35.xml", Q35_EXTRA),
    "alias-pc": ("virtinst-generic-pc.xml", PC_EXTRA),
}
# What libvirt's define adds that virtbusd's does not (the PS/2 mouse and keyboard, the PIIX's
# IDE and floppy controllers): named by libvirt, absent from virtbusd's definition.
LIBVIRT_ADDS = {("input", "input1"), ("input", "input2"), ("controller", "ide"), ("controller", "fdc0")}
# Devices QEMU has no -device of that id for: the root bus and q35's own AHCI ("ide").
MACHINE_OWN = {"pci.0", "pcie.0", "ide"}

# A guest with two virtio channels, no pty (the channels are named all the same) and nothing to
# boot (QEMU makes its devices all the same).
OLD_CHAN = "alias-oldchan"
OLD_CHAN_XML = """<domain type='qemu'>
  <name>alias-oldchan</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <channel type='unix'><target type='virtio' name='org.example.a'/></channel>
    <channel type='unix'><target type='virtio' name='org.example.b'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>
"""
CHAN_B = "<channel type='unix'><target type='virtio' name='org.example.b'/></channel>"

# libvirt's own embedded driver, the oracle (not virtbusd): its QEMU stays root because the
# guests' files lie in the daemon's temporary directory (0700, virtbusd's session QEMU runs as
# root too), and what is compared (the devices' aliases) does not depend on QEMU's user.
EMBED_QEMU_CONF = """stdio_handler = "file"
security_driver = "none"
user = "root"
group = "root"
cgroup_controllers = [ ]
namespaces = [ ]
spice_listen = "127.0.0.1"
"""


def note(msg):
    print("qemu-aliases: %s" % msg, file=sys.stderr, flush=True)


def aliases(xml):
    """[(element, alias)] of a domain XML's devices, in document order."""
    out = []
    for dev in ET.fromstring(xml).find("devices"):
        a = dev.find("alias")
        if a is not None:
            out.append((dev.tag, a.get("name")))
    return out


def guest_xml(name, tmp):
    src, extra = GUESTS[name]
    xml = (DATA / src).read_text()
    xml = re.sub(r"<name>[^<]*</name>", "<name>%s</name>" % name, xml)
    xml = re.sub(r"\s*<uuid>[^<]*</uuid>", "", xml)
    if name == "alias-pc":
        xml = xml.replace('<sound model="ich6"/>', "<sound model='ich6'><alias name='ua-snd'/></sound>")
        assert "ua-snd" in xml
    return xml.replace("</devices>", extra.format(d=tmp) + "  </devices>")


class QemuAliasesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.addClassCleanup(cls.cleanup)
        tmp = cls.daemon.tmp
        for img in ("q35-a", "q35-b", "q35-c", "q35-d", "pc-a", "pc-b", "pc-c", "pc-d"):
            with open(tmp / ("%s.img" % img), "wb") as f:
                f.truncate(1 << 20)
        # A define resolves the machine alias once QEMU is probed (in the background from the start).
        wait_for("QEMU's capabilities", lambda: cls.daemon.virsh("unix", "capabilities").returncode == 0, 150)
        cls.xml_paths = {}
        for name in GUESTS:
            path = tmp / ("%s.xml" % name)
            path.write_text(guest_xml(name, tmp))
            cls.xml_paths[name] = path
            for cmd in ("define %s" % path, "start %s" % name):
                p = cls.daemon.virsh("unix", cmd, timeout=120)
                if p.returncode != 0:
                    raise AssertionError("%s: %s\n%s" % (cmd, p.stderr, cls.daemon.log()[-3000:]))
        cls.libvirt = cls.libvirt_live()

    @classmethod
    def cleanup(cls):
        for name in list(GUESTS) + [OLD_CHAN]:
            cls.daemon.virsh("unix", "destroy %s" % name)
        if cls.daemon.keep:
            note("kept %s" % cls.daemon.tmp)
        cls.daemon.stop()

    @classmethod
    def libvirt_live(cls):
        """{name: live XML} of the same guests started by libvirt 9.0's embedded QEMU driver."""
        root = cls.daemon.tmp / "embed"
        (root / "etc").mkdir(parents=True)
        (root / "etc" / "qemu.conf").write_text(EMBED_QEMU_CONF)
        # its own copies of the images: QEMU locks an image one guest has open
        tmp = str(cls.daemon.tmp)
        for img in cls.daemon.tmp.glob("*.img"):
            shutil.copy(img, root / img.name)
        paths = {}
        for n in GUESTS:
            paths[n] = root / ("%s.xml" % n)
            paths[n].write_text(cls.xml_paths[n].read_text().replace(tmp + "/", str(root) + "/"))
        script = "; ".join("define %s; start %s; dumpxml %s; destroy %s" % (paths[n], n, n, n) for n in GUESTS)
        env = dict(os.environ, LC_ALL="C", HOME=str(root))
        p = subprocess.run(["virsh", "-q", "-c", "qemu:///embed?root=%s" % root, script],
                           capture_output=True, text=True, timeout=300, env=env)
        docs = re.findall(r"<domain .*?</domain>", p.stdout, re.S)
        if p.returncode != 0 or len(docs) != len(GUESTS):
            raise AssertionError("libvirt's embedded QEMU driver: %s\n%s" % (p.stderr, p.stdout[-2000:]))
        return dict(zip(GUESTS, docs))

    def virsh(self, cmd, check=True, timeout=60):
        p = self.daemon.virsh("unix", cmd, timeout=timeout)
        if check:
            self.assertEqual(p.returncode, 0, "%s: %s" % (cmd, p.stderr))
        return p

    def live(self, name):
        return self.virsh("dumpxml %s" % name).stdout

    def monitor(self, name, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        return json.loads(self.virsh("qemu-monitor-command %s '%s'" % (name, json.dumps(msg))).stdout)["return"]

    def qemu_ids(self, name):
        """The ids of the devices QEMU made (its /machine/peripheral children)."""
        return {c["name"] for c in self.monitor(name, "qom-list", path="/machine/peripheral")
                if c["type"].startswith("child<")}

    def live_with_ptys(self, name):
        """The live XML once QEMU has told its ptys (the serial and console get their alias then)."""
        return wait_for("%s's serial alias" % name,
                        lambda: (lambda x: x if ("serial", "serial0") in aliases(x) else None)(self.live(name)), 60)

    def test_1_every_alias_is_a_qemu_id(self):
        for name in GUESTS:
            with self.subTest(guest=name):
                named = aliases(self.live_with_ptys(name))
                ids = self.qemu_ids(name)
                for kind, alias in named:
                    if alias in MACHINE_OWN:
                        self.assertEqual(kind, "controller")
                        continue
                    self.assertIn(alias, ids, "<%s> alias %s is no device of QEMU's: %s" % (kind, alias, sorted(ids)))
                # and every device QEMU has is named (an HDA codec is its card's: sound0-codec0)
                unnamed = {i for i in ids if not i.endswith("-codec0")} - {a for _, a in named}
                self.assertEqual(unnamed, set(), "devices of QEMU's without an alias in the live XML")

    def test_1b_dbus_getxmldesc_names_them_too(self):
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            for name in GUESTS:
                with self.subTest(guest=name):
                    uuid = self.virsh("domuuid %s" % name).stdout.strip()
                    path = "%s/domain/_%s" % (QEMU_PATH, uuid.replace("-", "_"))
                    dom = dbus.Interface(bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)
                    self.assertEqual(aliases(str(dom.GetXMLDesc(dbus.UInt32(0)))), aliases(self.live_with_ptys(name)))
        finally:
            bus.close()

    def test_2_disks_as_query_block_names_them(self):
        for name in GUESTS:
            with self.subTest(guest=name):
                disks = {d.find("target").get("dev"): d.find("alias").get("name")
                         for d in ET.fromstring(self.live(name)).findall("./devices/disk")}
                qdevs = set()
                for b in self.monitor(name, "query-block"):
                    q = b.get("qdev", "")
                    qdevs.add(re.sub(r"/virtio-backend$", "", q.replace("/machine/peripheral/", "")))
                self.assertEqual(set(disks.values()), qdevs & set(disks.values()))
                self.assertTrue(set(disks.values()) <= qdevs, "%r not all in query-block's %r" % (disks, qdevs))

    def test_3_the_names_libvirt_gives(self):
        for name in GUESTS:
            with self.subTest(guest=name):
                ours = sorted(aliases(self.live_with_ptys(name)))
                theirs = sorted(aliases(self.libvirt[name]))
                self.assertEqual([a for a in ours if a not in theirs], [], "named by virtbusd only")
                self.assertEqual([a for a in theirs if a not in ours and a not in LIBVIRT_ADDS], [],
                                 "named by libvirt only")

    def test_4_inactive_xml_keeps_only_user_aliases(self):
        for name in GUESTS:
            with self.subTest(guest=name):
                kept = aliases(self.virsh("dumpxml --inactive %s" % name).stdout)
                self.assertEqual(kept, [("sound", "ua-snd")] if name == "alias-pc" else [])

    def test_5_attached_disk_named_and_detached_by_alias(self):
        name = "alias-q35"
        disk = self.daemon.tmp / "q35-scsi.xml"
        disk.write_text("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                        "<source file='%s/q35-d.img'/><target dev='sdc' bus='scsi'/></disk>" % self.daemon.tmp)
        self.virsh("attach-device %s %s --live" % (name, disk), timeout=120)
        self.assertIn(("disk", "scsi0-0-0-2"), aliases(self.live(name)))
        self.assertIn("scsi0-0-0-2", self.qemu_ids(name))
        blk = self.virsh("domblklist %s" % name).stdout
        self.assertIn("sdc", blk)
        self.assertRegex(self.virsh("domblkinfo %s sdc" % name).stdout, r"Capacity:\s+1048576\n")
        self.virsh("detach-device-alias %s scsi0-0-0-2 --live" % name, timeout=120)
        wait_for("sdc gone", lambda: ("disk", "scsi0-0-0-2") not in aliases(self.live(name)), 60)
        self.assertNotIn("scsi0-0-0-2", self.qemu_ids(name))
        self.assertNotIn("sdc", self.virsh("domblklist %s" % name).stdout)
        p = self.virsh("detach-device-alias %s scsi0-0-0-2 --live" % name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no device found with alias scsi0-0-0-2", p.stderr)

    def test_5b_user_alias_disk_detached_by_alias(self):
        """A disk attached with a user's ua- alias: the live XML shows it (as libvirt's), QEMU
        knows the disk by its fixed id, and detach-device-alias takes the ua- one."""
        name = "alias-q35"
        disk = self.daemon.tmp / "q35-ua.xml"
        disk.write_text("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                        "<source file='%s/q35-d.img'/><target dev='sdd' bus='scsi'/><alias name='ua-data'/></disk>"
                        % self.daemon.tmp)
        self.virsh("attach-device %s %s --live" % (name, disk), timeout=120)
        self.assertIn(("disk", "ua-data"), aliases(self.live(name)))
        self.assertIn("scsi0-0-0-3", self.qemu_ids(name))
        self.assertIn("sdd", self.virsh("domblklist %s" % name).stdout)
        self.virsh("detach-device-alias %s ua-data --live" % name, timeout=120)
        wait_for("ua-data gone", lambda: ("disk", "ua-data") not in aliases(self.live(name)), 60)
        self.assertNotIn("scsi0-0-0-3", self.qemu_ids(name))
        self.assertNotIn("sdd", self.virsh("domblklist %s" % name).stdout)
        p = self.virsh("detach-device-alias %s ua-data --live" % name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no device found with alias ua-data", p.stderr)

    def test_6_aliases_survive_kill9_and_restart(self):
        before = {n: aliases(self.live_with_ptys(n)) for n in GUESTS}
        self.daemon.proc.send_signal(signal.SIGKILL)
        self.daemon.proc.wait(timeout=10)
        self.assertEqual(self.daemon.restart(), -signal.SIGKILL)
        for name in GUESTS:
            with self.subTest(guest=name):
                wait_for("%s running again" % name,
                         lambda: "running" in self.virsh("domstate %s" % name, check=False).stdout, 60)
                self.assertEqual(aliases(self.live(name)), before[name])
                self.assertIn("vda", self.virsh("domblklist %s" % name).stdout)


    def channel_aliases(self, name):
        """The channels' aliases in the live XML: named as soon as the guest runs, pty or none."""
        live = ET.fromstring(self.live(name))
        return {c.find("target").get("name"): c.find("alias").get("name") for c in live.findall("./devices/channel")}

    def test_7_channel_of_an_older_daemon(self):
        """Before a channel's ua- alias was QEMU's id, a channel defined with one was QEMU's channel<i>
        while the status file kept the user's alias: after an upgrade the detach must name what QEMU
        has. The status file is written as such a daemon wrote it."""
        xml = self.daemon.tmp / "oldchan.xml"
        xml.write_text(OLD_CHAN_XML)
        self.virsh("define %s" % xml)
        self.virsh("start %s" % OLD_CHAN)
        self.assertEqual(self.channel_aliases(OLD_CHAN), {"org.example.a": "channel0", "org.example.b": "channel1"})
        self.assertLessEqual({"channel0", "channel1"}, self.qemu_ids(OLD_CHAN))
        self.daemon.proc.send_signal(signal.SIGKILL)
        self.daemon.proc.wait(timeout=10)
        status = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" / ("%s.xml" % OLD_CHAN)
        text = status.read_text()
        self.assertEqual(text.count("<alias name='channel1'/>"), 1, text)
        status.write_text(text.replace("<alias name='channel1'/>", "<alias name='ua-old'/>"))
        self.assertEqual(self.daemon.restart(), -signal.SIGKILL)
        wait_for("%s running again" % OLD_CHAN,
                 lambda: "running" in self.virsh("domstate %s" % OLD_CHAN, check=False).stdout, 60)
        # QEMU's id, as QEMU says, once the daemon has asked it; the other channel keeps its own
        wait_for("channel1 named by QEMU's id",
                 lambda: self.channel_aliases(OLD_CHAN).get("org.example.b") == "channel1", 30)
        self.assertEqual(self.channel_aliases(OLD_CHAN)["org.example.a"], "channel0")
        self.assertIn("<alias name='channel1'/>", status.read_text())
        chan = self.daemon.tmp / "chan-b.xml"
        chan.write_text(CHAN_B)
        self.virsh("detach-device %s %s --live" % (OLD_CHAN, chan))
        wait_for("QEMU's channel1 gone", lambda: "channel1" not in self.qemu_ids(OLD_CHAN), 30)
        wait_for("the live XML without it", lambda: "org.example.b" not in self.channel_aliases(OLD_CHAN), 30)
        self.assertIn("channel0", self.qemu_ids(OLD_CHAN))
        self.virsh("destroy %s" % OLD_CHAN)


if __name__ == "__main__":
    from testmain import main
    main()
