#!/usr/bin/python3
"""test_storage_fs.py: fs pools for real: a loop device over a file in a private tmpfs, mkfs.ext4
at build, mount(2) at start, umount at stop, volumes as files on the mounted file system.

The script re-runs itself under `unshare -m`: every mount it or the daemon makes stays in that
namespace. Each test makes its own loop device and detaches it at the end, even on failure.

    /usr/bin/python3 tests/integration/test_storage_fs.py -v
"""

import hashlib
import os
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_STORAGE_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for a private mount namespace (unshare -m) and loop devices")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-storage-fs")


def mounted_from(path):
    """The source mounted on path, or None (the last mount of that point wins)."""
    src = None
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[4] == str(path):
            src = fields[fields.index("-") + 2]
    return src


def blkid_type(dev):
    p = subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", dev], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def fs_pool_xml(name, dev, target, fmt="ext4"):
    f = "<format type='%s'/>" % fmt if fmt else ""
    return ("<pool type='fs'><name>%s</name><source><device path='%s'/>%s</source>"
            "<target><path>%s</path></target></pool>" % (name, dev, f, target))


class StorageFs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m,mode=0755", "tmpfs", str(SCRATCH)], check=True)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.keep = True
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        cls.daemon.keep = False
        code = cls.daemon.stop()
        subprocess.run(["umount", "-R", "-l", str(SCRATCH)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def setUp(self):
        StorageFs.n += 1
        self.name = "fs%d" % StorageFs.n
        self.image = SCRATCH / (self.name + ".img")
        with open(self.image, "wb") as f:
            f.truncate(64 << 20)
        self.dev = subprocess.run(["losetup", "-f", "--show", str(self.image)], check=True,
                                  capture_output=True, text=True).stdout.strip()
        self.target = SCRATCH / self.name
        self.addCleanup(self.cleanup)

    def cleanup(self):
        # Whatever the test left: unmount the target, detach the loop device.
        while mounted_from(self.target):
            if subprocess.run(["umount", "-l", str(self.target)]).returncode != 0:
                break
        subprocess.run(["losetup", "-d", self.dev])

    def virsh(self, cmd, ok=True):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def define(self, fmt="ext4", dev=None):
        f = SCRATCH / (self.name + ".xml")
        f.write_text(fs_pool_xml(self.name, dev or self.dev, self.target, fmt))
        return self.virsh("pool-define %s" % f)

    def test_lifecycle_mkfs_mount_volumes_umount(self):
        import libvirt
        events = []
        libvirt.virEventRegisterDefaultImpl()
        conn = libvirt.open(self.uri)
        self.addCleanup(conn.close)
        cb = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                              lambda c, p, ev, det, o: events.append(ev), None)
        self.define()
        self.assertIsNone(blkid_type(self.dev))
        self.virsh("pool-build %s" % self.name)
        self.assertEqual(blkid_type(self.dev), "ext4")          # mkfs ran: the device was empty
        self.assertTrue(self.target.is_dir())
        self.virsh("pool-start %s" % self.name)
        self.assertEqual(mounted_from(self.target), self.dev)    # in this (the daemon's) namespace
        info = self.virsh("pool-info --bytes %s" % self.name).stdout
        self.assertRegex(info, r"State:\s+running")
        sv = os.statvfs(self.target)
        cap = int(next(l for l in info.splitlines() if l.startswith("Capacity:")).split()[1])
        self.assertEqual(cap, sv.f_blocks * sv.f_frsize)
        self.assertLess(cap, 64 << 20)                           # the ext4's size, not the tmpfs's
        self.assertIn("<format type='ext4'/>", self.virsh("pool-dumpxml %s" % self.name).stdout)

        # volumes are files on the mounted file system, as in a dir pool
        self.virsh("vol-create-as %s a.img 4M" % self.name)
        self.virsh("vol-create-as %s b.qcow2 8M --format qcow2" % self.name)
        vol = self.target / "a.img"
        self.assertEqual(vol.stat().st_size, 4 << 20)
        self.assertEqual(stat.S_IMODE(vol.stat().st_mode), 0o600)
        data = os.urandom(1 << 20)
        src = SCRATCH / (self.name + "-up.bin")
        src.write_bytes(data)
        self.virsh("vol-upload --pool %s a.img %s" % (self.name, src))
        back = SCRATCH / (self.name + "-down.bin")
        self.virsh("vol-download --pool %s a.img %s --length %d" % (self.name, back, len(data)))
        self.assertEqual(hashlib.sha256(back.read_bytes()).hexdigest(), hashlib.sha256(data).hexdigest())
        self.virsh("vol-clone --pool %s a.img a2.img" % self.name)
        self.assertEqual(hashlib.sha256((self.target / "a2.img").read_bytes()).hexdigest(),
                         hashlib.sha256(vol.read_bytes()).hexdigest())
        self.virsh("vol-delete --pool %s a2.img" % self.name)
        listing = self.virsh("vol-list %s" % self.name).stdout
        self.assertIn("a.img", listing)
        self.assertIn("b.qcow2", listing)
        self.assertNotIn("lost+found", listing)                 # a directory is not a volume

        # stop unmounts: the files are on the device, no longer under the target
        self.virsh("pool-destroy %s" % self.name)
        self.assertIsNone(mounted_from(self.target))
        self.assertFalse(vol.exists())
        self.virsh("pool-start %s" % self.name)
        self.assertRegex(self.virsh("vol-info --pool %s a.img --bytes" % self.name).stdout, r"Capacity:\s+4194304 bytes")
        self.virsh("vol-delete --pool %s b.qcow2" % self.name)
        self.assertFalse((self.target / "b.qcow2").exists())
        self.virsh("pool-destroy %s" % self.name)
        self.virsh("pool-delete %s" % self.name)
        self.assertFalse(self.target.exists())
        self.assertEqual(blkid_type(self.dev), "ext4")          # delete removes the target, not the fs
        self.virsh("pool-undefine %s" % self.name)

        want = [libvirt.VIR_STORAGE_POOL_EVENT_DEFINED, libvirt.VIR_STORAGE_POOL_EVENT_CREATED,
                libvirt.VIR_STORAGE_POOL_EVENT_STARTED, libvirt.VIR_STORAGE_POOL_EVENT_STOPPED,
                libvirt.VIR_STORAGE_POOL_EVENT_STARTED, libvirt.VIR_STORAGE_POOL_EVENT_STOPPED,
                libvirt.VIR_STORAGE_POOL_EVENT_DELETED, libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED]
        deadline = time.monotonic() + 10
        while len(events) < len(want) and time.monotonic() < deadline:
            libvirt.virEventRunDefaultImpl()
        self.assertEqual(events, want)
        conn.storagePoolEventDeregisterAny(cb)

    def test_existing_filesystem_is_not_overwritten_without_the_flag(self):
        subprocess.run(["mkfs.ext4", "-q", self.dev], check=True)
        mnt = SCRATCH / (self.name + "-by-hand")
        mnt.mkdir()
        subprocess.run(["mount", self.dev, str(mnt)], check=True)
        (mnt / "precious").write_text("keep me")
        subprocess.run(["umount", str(mnt)], check=True)
        self.define()
        p = self.virsh("pool-build %s --no-overwrite" % self.name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Storage pool already built: Device '%s' already formatted using 'ext4'" % self.dev, p.stderr)
        self.assertFalse(self.target.exists())                   # a refused build makes nothing
        self.virsh("pool-build %s" % self.name)                  # no flag: the file system is kept
        self.virsh("pool-start %s" % self.name)
        self.assertEqual((self.target / "precious").read_text(), "keep me")
        self.virsh("pool-destroy %s" % self.name)
        p = self.virsh("pool-build %s --overwrite --no-overwrite" % self.name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.virsh("pool-build %s --overwrite" % self.name)
        self.virsh("pool-start %s" % self.name)
        self.assertFalse((self.target / "precious").exists())
        self.virsh("pool-destroy %s" % self.name)
        self.virsh("pool-undefine %s" % self.name)

    def test_start_and_create_with_build_flag(self):
        """pool-start --build and pool-create --build: mkfs (in a child), then mount, one call."""
        self.define()
        self.virsh("pool-start %s --build" % self.name)
        self.assertEqual(blkid_type(self.dev), "ext4")
        self.assertEqual(mounted_from(self.target), self.dev)
        self.virsh("pool-destroy %s" % self.name)
        self.virsh("pool-undefine %s" % self.name)
        # a transient pool; --no-overwrite now meets the ext4 made above: refused, nothing left
        f = SCRATCH / (self.name + "-t.xml")
        f.write_text(fs_pool_xml(self.name + "t", self.dev, self.target))
        p = self.virsh("pool-create %s --build --no-overwrite" % f, ok=False)
        self.assertIn("already formatted using 'ext4'", p.stderr)
        self.assertNotIn(self.name + "t", self.virsh("pool-list --all").stdout)
        self.virsh("pool-create %s --build --overwrite" % f)
        self.assertEqual(mounted_from(self.target), self.dev)
        self.assertRegex(self.virsh("pool-info %st" % self.name).stdout, r"Persistent:\s+no")
        self.virsh("pool-destroy %st" % self.name)
        self.assertIsNone(mounted_from(self.target))
        self.assertNotIn(self.name + "t", self.virsh("pool-list --all").stdout)

    def test_format_auto_mounts_what_is_there(self):
        subprocess.run(["mkfs.ext2", "-q", self.dev], check=True)
        self.define(fmt=None)
        self.assertIn("<format type='auto'/>", self.virsh("pool-dumpxml %s" % self.name).stdout)
        self.target.mkdir()
        self.virsh("pool-start %s" % self.name)
        self.assertEqual(mounted_from(self.target), self.dev)
        self.virsh("pool-destroy %s" % self.name)
        self.virsh("pool-undefine %s" % self.name)

    def test_bad_sources_get_clear_errors_and_change_nothing(self):
        f = SCRATCH / (self.name + ".xml")
        f.write_text("<pool type='fs'><name>%s</name><target><path>%s</path></target></pool>"
                     % (self.name, self.target))
        p = self.virsh("pool-define %s" % f, ok=False)
        self.assertIn("needs one <source><device path='…'/>", p.stderr)
        f.write_text(fs_pool_xml(self.name, self.dev, self.target, "ext4;rm"))
        p = self.virsh("pool-define %s" % f, ok=False)
        self.assertIn("unknown fs pool format type 'ext4;rm'", p.stderr)
        # a regular file is not a block device: refused before anything is made
        self.define(dev=str(self.image))
        p = self.virsh("pool-build %s" % self.name, ok=False)
        self.assertIn("source device '%s' is not a block device" % self.image, p.stderr)
        self.assertFalse(self.target.exists())
        self.virsh("pool-undefine %s" % self.name)
        self.define(dev="/dev/virtbus-no-such-disk")
        self.target.mkdir()
        p = self.virsh("pool-start %s" % self.name, ok=False)
        self.assertIn("cannot access '/dev/virtbus-no-such-disk': No such file or directory", p.stderr)
        self.assertRegex(self.virsh("pool-info %s" % self.name).stdout, r"State:\s+inactive")
        self.virsh("pool-undefine %s" % self.name)
        # nothing to mount (no file system): mount's error, the pool stays inactive
        self.define(fmt="ext4")
        p = self.virsh("pool-start %s" % self.name, ok=False)
        self.assertIn("cannot mount '%s' on '%s'" % (self.dev, self.target), p.stderr)
        self.assertIsNone(mounted_from(self.target))
        self.virsh("pool-undefine %s" % self.name)

    def test_autostart_pool_mounted_again_after_restart(self):
        self.define()
        self.virsh("pool-build %s" % self.name)
        self.virsh("pool-start %s" % self.name)
        self.virsh("pool-autostart %s" % self.name)
        self.virsh("vol-create-as %s kept.img 1M" % self.name)
        self.virsh("pool-destroy %s" % self.name)
        self.daemon.stop()
        self.daemon.start()
        deadline = time.monotonic() + 10
        while mounted_from(self.target) != self.dev and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(mounted_from(self.target), self.dev)
        self.assertRegex(self.virsh("pool-info %s" % self.name).stdout, r"State:\s+running")
        self.assertIn("kept.img", self.virsh("vol-list %s" % self.name).stdout)
        self.virsh("pool-destroy %s" % self.name)
        self.virsh("pool-autostart --disable %s" % self.name)
        self.virsh("pool-undefine %s" % self.name)

    def test_wipe_algorithms_on_disk(self):
        """vol-wipe --algorithm: zero, trim (holes), scrub's random and dod; refused without scrub."""
        self.define()
        self.virsh("pool-build %s" % self.name)
        self.virsh("pool-start %s" % self.name)
        self.addCleanup(self.virsh, "pool-destroy %s" % self.name, False)
        size = (1 << 20) + 1000           # not a whole number of blocks: the size must stay
        self.virsh("vol-create-as %s w.img %d --allocation %d" % (self.name, size, size))
        vol = self.target / "w.img"

        def fill():
            vol.write_bytes(b"\x5a" * size)

        fill()
        self.virsh("vol-wipe --pool %s w.img --algorithm random" % self.name)
        data = vol.read_bytes()
        self.assertEqual(len(data), size)
        self.assertLess(data.count(b"\x5a"), size // 100)           # overwritten with random bytes
        self.assertLess(data.count(b"\0"), size // 100)

        fill()
        self.virsh("vol-wipe --pool %s w.img --algorithm dod" % self.name)
        self.assertEqual(vol.read_bytes(), b"\xff" * size)          # DoD 5220.22-M: random, 0x00, 0xff

        # the D-Bus door: StorageVol.Wipe(pattern, flags), pattern 8 = random
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        vol_path = qemu.StorageVolLookupByPath(str(vol), dbus_interface="org.libvirt.Connect")
        fill()
        bus.get_object("org.libvirt", vol_path).Wipe(dbus.UInt32(8), dbus.UInt32(0),
                                                     dbus_interface="org.libvirt.StorageVol")
        data = vol.read_bytes()
        self.assertEqual(len(data), size)
        self.assertLess(data.count(b"\x5a"), size // 100)

        fill()
        self.virsh("vol-wipe --pool %s w.img --algorithm zero" % self.name)
        self.assertEqual(vol.read_bytes(), b"\0" * size)

        fill()
        os.sync()
        self.assertGreater(vol.stat().st_blocks, 0)
        self.virsh("vol-wipe --pool %s w.img --algorithm trim" % self.name)
        self.assertEqual(vol.read_bytes(), b"\0" * size)
        self.assertLessEqual(vol.stat().st_blocks * 512, 8192)       # given back (but a partial last block)
        self.assertEqual(vol.stat().st_size, size)

        # without scrub (hidden in this namespace): refused, the volume untouched
        fill()
        subprocess.run(["mount", "--bind", "/dev/null", "/usr/bin/scrub"], check=True)
        try:
            p = self.virsh("vol-wipe --pool %s w.img --algorithm gutmann" % self.name, ok=False)
        finally:
            subprocess.run(["umount", "/usr/bin/scrub"], check=True)
        self.assertIn("wiping algorithm 'gutmann' is not supported: it needs /usr/bin/scrub "
                      "(Debian package scrub), which is not installed", p.stderr)
        self.assertEqual(vol.read_bytes(), b"\x5a" * size)
        import libvirt
        conn = libvirt.open(self.uri)
        self.addCleanup(conn.close)
        with self.assertRaises(libvirt.libvirtError) as cm:
            conn.storagePoolLookupByName(self.name).storageVolLookupByName("w.img").wipePattern(42, 0)
        self.assertIn("wiping algorithm 42 not supported", str(cm.exception))


if __name__ == "__main__":
    testmain.main()
