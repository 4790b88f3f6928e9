#!/usr/bin/python3
"""test_storage_guest.py: guests whose disks are volumes, on the QEMU connection, for real.

The script re-runs itself under `unshare -m` and keeps its pool in a tmpfs of that private mount
namespace. One virtbusd --session; real virt-install, virsh and python3-dbus; real QEMU (the
tiny guest of tests/guest under TCG) and qemu-img.

    /usr/bin/python3 tests/integration/test_storage_guest.py -v

virt-install --disk pool=P,size=…,format=qcow2 creates the volume through the storage API and
boots the guest on it. A hand-written <disk type='volume'> is resolved by the QEMU driver through
the core at start: the live XML (both doors) shows the file, QEMU has that file open, and a
missing or inactive pool or volume refuses the start with libvirt's words.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_STORAGE_GUEST_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for a private mount namespace (unshare -m)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-storage-guest-scratch")
BOOT_TIMEOUT = 120      # 5-9 s on an idle host under TCG; much more on a loaded one
QEMU_PATH = "/org/libvirt/QEMU"

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
    <disk type='volume' device='disk'>
      <source pool='{pool}' volume='{volume}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def wait_for(what, fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(0.1)


def disks(xml):
    return ET.fromstring(xml).findall("./devices/disk")


class StorageGuest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        if not shutil.which("virt-install"):
            raise unittest.SkipTest("virt-install is not installed")
        cls.image = guest.build()
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "tmpfs", str(SCRATCH)], check=True)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.pool = "guests"
        cls.pool_dir = SCRATCH / "guests"
        f = SCRATCH / "pool.xml"
        f.write_text("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>"
                     % (cls.pool, cls.pool_dir))
        for cmd in ("pool-define %s" % f, "pool-build %s" % cls.pool, "pool-start %s" % cls.pool):
            p = remote_harness.run_virsh(cls.uri, cmd, env=cls.daemon.client_env(), timeout=60)
            assert p.returncode == 0, "%s: %s" % (cmd, p.stderr)

    @classmethod
    def tearDownClass(cls):
        # daemon.stop() also ends the guests still running: nothing is left behind.
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        subprocess.run(["umount", "-l", str(SCRATCH)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log[-4000:]

    def virsh(self, cmd, ok=True):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def qemu_pid(self, name):
        f = self.daemon.runtime_dir / "virtbus" / "qemu" / ("%s.runtime.json" % name)
        return json.loads(f.read_text())["pid"]

    def open_files(self, pid):
        out = set()
        for fd in Path("/proc/%d/fd" % pid).iterdir():
            try:
                out.add(os.readlink(fd))
            except OSError:
                pass
        return out

    def qemu_img_info(self, path):
        p = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_virt_install_creates_the_volume_and_boots(self):
        console = SCRATCH / "vi-console.log"
        img = self.image
        # virt-install's own default controllers (USB ich9-ehci1 and its companions) included.
        cmd = ["virt-install", "--connect", self.uri, "--name", "vi", "--memory", "256", "--vcpus", "1",
               "--virt-type", "qemu", "--machine", "pc", "--osinfo", "detect=off,require=off",
               "--disk", "pool=%s,size=0.05,format=qcow2" % self.pool, "--import",
               "--boot", "kernel=%s,initrd=%s,kernel_args=%s" % (img.kernel, img.initrd, img.append),
               "--graphics", "none", "--network", "none",
               "--serial", "file,path=%s" % console, "--noautoconsole"]
        p = subprocess.run(cmd, capture_output=True, text=True, env=self.daemon.client_env(), timeout=120)
        self.assertEqual(p.returncode, 0, "virt-install: %s\n%s\n%s" % (p.stdout, p.stderr, self.daemon.log()[-3000:]))
        # The volume is in the pool, on disk, as qcow2 of 0.05 GiB, mode 0600.
        self.assertIn("vi.qcow2", self.virsh("vol-list %s" % self.pool).stdout)
        path = self.pool_dir / "vi.qcow2"
        info = self.qemu_img_info(path)
        self.assertEqual(info["format"], "qcow2")
        self.assertEqual(info["virtual-size"], (int(0.05 * 1024 ** 3) + 511) // 512 * 512)   # qemu-img rounds up
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.virsh("domstate vi").stdout.strip(), "running")
        self.assertIn(str(path), self.open_files(self.qemu_pid("vi")))
        wait_for("%s on the console" % guest.UP,
                 lambda: console.exists() and guest.UP in console.read_text(errors="replace"), BOOT_TIMEOUT)
        # In use: the volume cannot go while the guest runs; with the guest gone it can.
        p = self.virsh("vol-delete vi.qcow2 --pool %s" % self.pool, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("it is in use by running domain 'vi'", p.stderr)
        self.assertTrue(path.exists())
        self.virsh("destroy vi")
        self.virsh("undefine vi --remove-all-storage")
        self.assertFalse(path.exists())

    def test_volume_disk_resolved_at_start(self):
        name, vol = "vold", "vold.qcow2"
        path = self.pool_dir / vol
        self.virsh("vol-create-as %s %s 16M --format qcow2" % (self.pool, vol))
        console = SCRATCH / "vold-console.log"
        f = SCRATCH / "vold.xml"
        f.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                       append=self.image.append, pool=self.pool, volume=vol, console=console))
        self.virsh("define %s" % f)
        d = disks(self.virsh("dumpxml %s" % name).stdout)[0]
        self.assertEqual(d.get("type"), "volume")
        self.assertEqual(d.find("source").attrib, {"pool": self.pool, "volume": vol})

        self.virsh("start %s" % name)
        try:
            # The live XML shows what the volume resolved to, with the volume's format.
            live = disks(self.virsh("dumpxml %s" % name).stdout)[0]
            self.assertEqual(live.get("type"), "file")
            self.assertEqual(live.find("source").attrib, {"file": str(path)})
            self.assertEqual(live.find("driver").get("type"), "qcow2")
            # ... on D-Bus too (the same definition through the other door).
            import dbus
            bus = dbus.bus.BusConnection(self.daemon.bus_address)
            uuid = self.virsh("domuuid %s" % name).stdout.strip()
            obj = bus.get_object(harness.BUS_NAME, "%s/domain/_%s" % (QEMU_PATH, uuid.replace("-", "_")))
            xml = dbus.Interface(obj, harness.DOMAIN).GetXMLDesc(dbus.UInt32(0))
            self.assertEqual(disks(str(xml))[0].find("source").attrib, {"file": str(path)})
            bus.close()
            # The persistent definition still names the volume.
            inactive = disks(self.virsh("dumpxml --inactive %s" % name).stdout)[0]
            self.assertEqual(inactive.get("type"), "volume")
            # QEMU opened that very file.
            self.assertIn(str(path), self.open_files(self.qemu_pid(name)))
            p = self.virsh("vol-wipe %s --pool %s" % (vol, self.pool), ok=False)
            self.assertIn("it is in use by running domain '%s'" % name, p.stderr)
            self.assertEqual(self.qemu_img_info(path)["format"], "qcow2")
        finally:
            self.virsh("destroy %s" % name, ok=False)

        # A volume that is not there, an inactive pool: no start, with libvirt's words.
        self.virsh("vol-delete %s --pool %s" % (vol, self.pool))
        p = self.virsh("start %s" % name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Storage volume not found: no storage vol with matching name '%s'" % vol, p.stderr)
        self.virsh("vol-create-as %s %s 16M --format qcow2" % (self.pool, vol))
        self.virsh("pool-destroy %s" % self.pool)
        try:
            p = self.virsh("start %s" % name, ok=False)
            self.assertIn("storage pool '%s' containing volume '%s' is not active" % (self.pool, vol), p.stderr)
            self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "shut off")
        finally:
            self.virsh("pool-start %s" % self.pool)
        self.virsh("undefine %s" % name)
        self.virsh("vol-delete %s --pool %s" % (vol, self.pool))

    def test_volume_disk_hotplug_and_stopped_snapshot(self):
        """A volume attached to a running guest (live and persistent, as cockpit-machines' Add disk
        does) is the volume's file for QEMU and the live XML; the persistent definition keeps the
        volume, and an internal snapshot of the stopped guest reaches the volume's file."""
        name, boot, extra = "volhp", "volhp.qcow2", "volhp-b.qcow2"
        for vol in (boot, extra):
            self.virsh("vol-create-as %s %s 16M --format qcow2" % (self.pool, vol))
        f = SCRATCH / "volhp.xml"
        f.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                       append=self.image.append, pool=self.pool, volume=boot,
                                       console=SCRATCH / "volhp-console.log")
                     .replace("<devices>", "<features><acpi/></features>\n  <devices>"))   # PCI hotplug
        self.virsh("define %s" % f)
        dev = SCRATCH / "volhp-disk.xml"
        dev.write_text("<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                       "<source pool='%s' volume='%s'/><target dev='vdb' bus='virtio'/></disk>" % (self.pool, extra))
        path = self.pool_dir / extra
        self.virsh("start %s" % name)
        try:
            self.virsh("attach-device %s %s --live --config" % (name, dev))
            live = {d.find("target").get("dev"): d for d in disks(self.virsh("dumpxml %s" % name).stdout)}
            self.assertEqual(live["vdb"].get("type"), "file")
            self.assertEqual(live["vdb"].find("source").attrib, {"file": str(path)})
            self.assertIn(str(path), self.open_files(self.qemu_pid(name)))
            config = {d.find("target").get("dev"): d for d in disks(self.virsh("dumpxml --inactive %s" % name).stdout)}
            self.assertEqual(config["vdb"].get("type"), "volume")
        finally:
            self.virsh("destroy %s" % name, ok=False)
        self.virsh("snapshot-create-as %s off1" % name)
        for vol in (boot, extra):
            tags = [s["name"] for s in self.qemu_img_info(self.pool_dir / vol).get("snapshots", [])]
            self.assertEqual(tags, ["off1"], vol)
        self.virsh("snapshot-delete %s off1" % name)
        self.assertNotIn("snapshots", self.qemu_img_info(path))
        self.virsh("undefine %s" % name)
        for vol in (boot, extra):
            self.virsh("vol-delete %s --pool %s" % (vol, self.pool))


if __name__ == "__main__":
    testmain.main()
