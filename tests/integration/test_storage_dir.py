#!/usr/bin/python3
"""test_storage_dir.py: dir pools and their volumes on the QEMU connection, for real.

Everything happens on files in a tmpfs of a private mount namespace (the script re-runs itself
under `unshare -m`): real virsh and python3-libvirt over qemu+unix:///session (the remote door),
gdbus/python3-dbus on /org/libvirt/QEMU (the D-Bus door), real qemu-img, one virtbusd.

    /usr/bin/python3 tests/integration/test_storage_dir.py -v
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
        testmain.skip_program("needs root for a private mount namespace (unshare -m)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-storage-scratch")


def mount_tmpfs(path, size):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", str(path)], check=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pool_xml(name, path, mode=None):
    perms = "<permissions><mode>%s</mode></permissions>" % mode if mode else ""
    return ("<pool type='dir'><name>%s</name><target><path>%s</path>%s</target></pool>"
            % (name, path, perms))


class StorageDir(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The whole scratch tree is a tmpfs of this namespace: nothing reaches a real disk.
        mount_tmpfs(SCRATCH, "256m")
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.keep = True      # restarted in the persistence test; removed at the end
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        cls.daemon.keep = False
        code = cls.daemon.stop()
        subprocess.run(["umount", "-l", str(SCRATCH)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def virsh(self, cmd, ok=True):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def fresh(self, prefix):
        StorageDir.n += 1
        name = "%s%d" % (prefix, StorageDir.n)
        return name, SCRATCH / name

    def new_pool(self, prefix="p", mode=None):
        name, path = self.fresh(prefix)
        f = SCRATCH / (name + ".xml")
        f.write_text(pool_xml(name, path, mode))
        self.virsh("pool-define %s" % f)
        self.virsh("pool-build %s" % name)
        self.virsh("pool-start %s" % name)
        return name, path

    @property
    def config_dir(self):
        return self.daemon.tmp / "xdg_config_home" / "virtbus" / "storage"

    # --- pools --------------------------------------------------------------------------------

    def test_pool_lifecycle_on_disk(self):
        name, path = self.fresh("life")
        f = SCRATCH / (name + ".xml")
        f.write_text(pool_xml(name, path, "0750"))
        self.virsh("pool-define %s" % f)
        saved = self.config_dir / (name + ".xml")
        self.assertEqual(stat.S_IMODE(saved.stat().st_mode), 0o600)
        self.assertFalse(path.exists())
        self.virsh("pool-build %s" % name)
        self.assertTrue(path.is_dir())
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o750)
        self.virsh("pool-start %s" % name)
        info = self.virsh("pool-info --bytes %s" % name).stdout
        self.assertRegex(info, r"State:\s+running")
        sv = os.statvfs(path)
        cap = int(next(l for l in info.splitlines() if l.startswith("Capacity:")).split()[1])
        avail = int(next(l for l in info.splitlines() if l.startswith("Available:")).split()[1])
        self.assertEqual(cap, sv.f_blocks * sv.f_frsize)
        self.assertAlmostEqual(avail, sv.f_bavail * sv.f_frsize, delta=1 << 20)
        # a file made behind the pool's back appears at refresh, and goes when removed
        (path / "outside-made.img").write_bytes(b"x" * 4096)
        self.virsh("pool-refresh %s" % name)
        self.assertIn("outside-made.img", self.virsh("vol-list %s" % name).stdout)
        (path / "outside-made.img").unlink()
        self.virsh("pool-refresh %s" % name)
        self.assertNotIn("outside-made.img", self.virsh("vol-list %s" % name).stdout)
        self.virsh("pool-destroy %s" % name)
        self.assertTrue(path.is_dir())      # stopping a pool deletes nothing
        self.virsh("pool-delete %s" % name)
        self.assertFalse(path.exists())
        self.virsh("pool-undefine %s" % name)
        self.assertFalse(saved.exists())

    def test_pool_events_remote(self):
        import libvirt
        events = []
        libvirt.virEventRegisterDefaultImpl()
        conn = libvirt.open(self.uri)
        try:
            cb = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                  lambda c, p, ev, det, o: events.append((p.name(), ev)), None)
            rcb = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                                   lambda c, p, o: events.append((p.name(), "refresh")), None)
            name, path = self.fresh("ev")
            pool = conn.storagePoolDefineXML(pool_xml(name, path))
            pool.build(0)
            pool.create(0)
            pool.refresh(0)
            pool.destroy()
            pool.delete(0)
            pool.undefine()
            want = [(name, libvirt.VIR_STORAGE_POOL_EVENT_DEFINED), (name, libvirt.VIR_STORAGE_POOL_EVENT_CREATED),
                    (name, libvirt.VIR_STORAGE_POOL_EVENT_STARTED), (name, "refresh"),
                    (name, libvirt.VIR_STORAGE_POOL_EVENT_STOPPED), (name, libvirt.VIR_STORAGE_POOL_EVENT_DELETED),
                    (name, libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED)]
            deadline = time.monotonic() + 10
            while len(events) < len(want) and time.monotonic() < deadline:
                libvirt.virEventRunDefaultImpl()
            self.assertEqual(events, want)
            conn.storagePoolEventDeregisterAny(cb)
            conn.storagePoolEventDeregisterAny(rcb)
        finally:
            conn.close()

    def test_pool_events_dbus(self):
        import dbus
        from dbus.mainloop.glib import DBusGMainLoop
        bus = dbus.bus.BusConnection(self.daemon.bus_address, mainloop=DBusGMainLoop())
        got = []
        bus.add_signal_receiver(lambda *a, **kw: got.append((kw["member"], int(a[1]))),
                                dbus_interface="org.libvirt.Connect", signal_name="StoragePoolEvent",
                                path="/org/libvirt/QEMU", member_keyword="member")
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        name, path = self.fresh("dbus")
        pool_path = qemu.StoragePoolDefineXML(pool_xml(name, path), dbus.UInt32(0),
                                              dbus_interface="org.libvirt.Connect")
        pool = bus.get_object("org.libvirt", pool_path)
        pool.Build(dbus.UInt32(0), dbus_interface="org.libvirt.StoragePool")
        pool.Create(dbus.UInt32(0), dbus_interface="org.libvirt.StoragePool")
        self.assertTrue(path.is_dir())
        pool.Destroy(dbus_interface="org.libvirt.StoragePool")
        pool.Undefine(dbus_interface="org.libvirt.StoragePool")
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + 10
        while len(got) < 5 and time.monotonic() < deadline:
            ctx.iteration(False)
            time.sleep(0.01)
        self.assertEqual([e for _, e in got], [0, 4, 2, 3, 1])   # defined, created, started, stopped, undefined

    def test_pool_survives_restart_and_missing_dir_stays_inactive(self):
        name, path = self.new_pool("keep")
        self.virsh("pool-autostart %s" % name)
        lost, lost_path = self.new_pool("lost")
        self.virsh("pool-autostart %s" % lost)
        self.virsh("vol-create-as %s disk.img 1M" % name)
        self.virsh("pool-destroy %s" % lost)
        lost_path.rmdir()
        self.daemon.stop()
        self.daemon.start()
        listing = self.virsh("pool-list --all").stdout
        self.assertRegex(listing, r"\n %s +active +yes\n" % name)
        self.assertRegex(listing, r"\n %s +inactive +yes\n" % lost)
        self.assertFalse(lost_path.exists())        # nothing created on its behalf
        self.assertIn("pool %s: autostart failed: cannot open directory '%s': No such file or directory"
                      % (lost, lost_path), self.daemon.log())
        self.assertIn("disk.img", self.virsh("vol-list %s" % name).stdout)

    def test_bad_definitions_change_nothing(self):
        before = sorted(os.listdir(self.config_dir)) if self.config_dir.exists() else []
        bad = SCRATCH / "bad.xml"
        bad.write_text("<pool type='dir'><name>bad</name><target><path>")
        p = self.virsh("pool-define %s" % bad, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Premature end of data in tag path", p.stderr)
        bad.write_text("<pool type='gluster'><name>vg</name><target><path>/dev/vg</path></target></pool>")
        p = self.virsh("pool-define %s" % bad, ok=False)
        self.assertIn("this function is not supported by the connection driver: storage pool type 'gluster'",
                      p.stderr)
        bad.write_text("<pool type='dir'><name>rel</name><target><path>relative/dir</path></target></pool>")
        p = self.virsh("pool-define %s" % bad, ok=False)
        self.assertIn("needs an absolute <target><path>", p.stderr)
        after = sorted(os.listdir(self.config_dir)) if self.config_dir.exists() else []
        self.assertEqual(before, after)

    # --- volumes --------------------------------------------------------------------------

    def test_raw_and_qcow2_volumes(self):
        name, path = self.new_pool("vols")
        self.virsh("vol-create-as %s raw.img 10M --format raw" % name)
        raw = path / "raw.img"
        self.assertEqual(raw.stat().st_size, 10 << 20)
        self.assertEqual(stat.S_IMODE(raw.stat().st_mode), 0o600)
        self.virsh("vol-create-as %s base.qcow2 20M --format qcow2" % name)
        info = subprocess.run(["qemu-img", "info", "--output=json", "-U", str(path / "base.qcow2")],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn('"virtual-size": %d' % (20 << 20), info)
        self.assertIn('"format": "qcow2"', info)
        vi = self.virsh("vol-info --bytes --pool %s base.qcow2" % name).stdout
        self.assertRegex(vi, r"Capacity:\s+%d bytes" % (20 << 20))
        # a backing store
        self.virsh("vol-create-as %s top.qcow2 0 --format qcow2 --backing-vol base.qcow2 "
                   "--backing-vol-format qcow2" % name)
        info = subprocess.run(["qemu-img", "info", "--output=json", "-U", str(path / "top.qcow2")],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn('"backing-filename": "%s"' % (path / "base.qcow2"), info)
        self.assertIn('"virtual-size": %d' % (20 << 20), info)
        xml = self.virsh("vol-dumpxml --pool %s top.qcow2" % name).stdout
        self.assertIn("<path>%s</path>" % (path / "base.qcow2"), xml)
        # lookups by path and key
        p = self.virsh("vol-name %s" % (path / "raw.img")).stdout.strip()
        self.assertEqual(p, "raw.img")
        self.assertEqual(self.virsh("vol-key --pool %s raw.img" % name).stdout.strip(), str(path / "raw.img"))
        # permissions from the XML
        vx = SCRATCH / "perm-vol.xml"
        vx.write_text("<volume><name>shared.img</name><capacity>1048576</capacity><allocation>0</allocation>"
                      "<target><permissions><mode>0644</mode></permissions></target></volume>")
        self.virsh("vol-create %s %s" % (name, vx))
        self.assertEqual(stat.S_IMODE((path / "shared.img").stat().st_mode), 0o644)

    def test_clone_resize_wipe_delete(self):
        name, path = self.new_pool("ops")
        self.virsh("vol-create-as %s src.img 8M --format raw" % name)
        src = path / "src.img"
        with open(src, "r+b") as f:     # data at 1 MiB and at 6 MiB, holes elsewhere
            f.seek(1 << 20)
            f.write(os.urandom(65536))
            f.seek(6 << 20)
            f.write(os.urandom(65536))
        self.virsh("pool-refresh %s" % name)
        self.virsh("vol-clone --pool %s src.img copy.img" % name)
        copy = path / "copy.img"
        self.assertEqual(sha256(src), sha256(copy))
        self.assertEqual(copy.stat().st_size, 8 << 20)
        self.assertLess(copy.stat().st_blocks * 512, 1 << 20, "the clone's holes were filled")
        self.assertEqual(stat.S_IMODE(copy.stat().st_mode), 0o600)
        # resize: grow; shrink only with the flag
        self.virsh("vol-resize --pool %s copy.img 16M" % name)
        self.assertEqual(copy.stat().st_size, 16 << 20)
        p = self.virsh("vol-resize --pool %s copy.img 4M" % name, ok=False)
        self.assertIn("Can't shrink capacity below current capacity unless shrink flag explicitly specified",
                      p.stderr)
        self.assertEqual(copy.stat().st_size, 16 << 20)
        self.virsh("vol-resize --pool %s copy.img 4M --shrink" % name)
        self.assertEqual(copy.stat().st_size, 4 << 20)
        # qcow2 grows through qemu-img resize
        self.virsh("vol-create-as %s q.qcow2 10M --format qcow2" % name)
        self.virsh("vol-resize --pool %s q.qcow2 30M" % name)
        self.assertRegex(self.virsh("vol-info --bytes --pool %s q.qcow2" % name).stdout,
                         r"Capacity:\s+%d bytes" % (30 << 20))
        # wipe: zeros over the whole file
        self.virsh("vol-wipe --pool %s src.img" % name)
        with open(src, "rb") as f:
            data = f.read()
        self.assertEqual(len(data), 8 << 20)
        self.assertEqual(data.count(0), len(data))
        # delete
        self.virsh("vol-delete --pool %s copy.img" % name)
        self.assertFalse(copy.exists())
        self.assertNotIn("copy.img", self.virsh("vol-list %s" % name).stdout)

    def make_sparse_source(self, size):
        """Random data with holes: 1 MiB of data, 2 MiB hole, 512 KiB data, the rest a hole."""
        src = SCRATCH / ("src-%d.bin" % StorageDir.n)
        with open(src, "wb") as f:
            f.write(os.urandom(1 << 20))
            f.seek(3 << 20)
            f.write(os.urandom(512 << 10))
            f.truncate(size)
        return src

    def test_upload_download_virsh(self):
        name, path = self.new_pool("xfer")
        size = 8 << 20
        src = self.make_sparse_source(size)
        for sparse in ("", "--sparse"):
            vol = "up%s.img" % sparse.strip("-")
            self.virsh("vol-create-as %s %s %d --format raw" % (name, vol, size))
            self.virsh("vol-upload --pool %s %s %s %s" % (name, vol, src, sparse))
            self.assertEqual(sha256(path / vol), sha256(src), sparse)
            out = SCRATCH / ("down-%s" % vol)
            self.virsh("vol-download --pool %s %s %s %s" % (name, vol, out, sparse))
            self.assertEqual(sha256(out), sha256(src), sparse)
            if sparse:      # holes stayed holes on both ends
                self.assertLess((path / vol).stat().st_blocks * 512, 3 << 20)
                self.assertLess(out.stat().st_blocks * 512, 3 << 20)
        # a partial download: offset and length
        out = SCRATCH / "part.bin"
        self.virsh("vol-download --pool %s up.img %s --offset %d --length %d" % (name, out, 1 << 20, 3 << 20))
        with open(src, "rb") as f:
            f.seek(1 << 20)
            self.assertEqual(out.read_bytes(), f.read(3 << 20))
        # a range outside the volume is refused, and changes nothing
        p = self.virsh("vol-upload --pool %s up.img %s --offset %d" % (name, src, 64 << 20), ok=False)
        self.assertIn("is outside volume 'up.img'", p.stderr)
        self.assertEqual(sha256(path / "up.img"), sha256(src))

    def test_upload_download_dbus_fd(self):
        """StorageVol.Upload / Download (virtbus extensions) with unix fds: a file and a pipe."""
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        name, path = self.new_pool("dbusx")
        size = 8 << 20
        src = self.make_sparse_source(size)
        self.virsh("vol-create-as %s d.img %d --format raw" % (name, size))
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        vol_path = qemu.StorageVolLookupByPath(str(path / "d.img"), dbus_interface="org.libvirt.Connect")
        vol = dbus.Interface(bus.get_object("org.libvirt", vol_path), "org.libvirt.StorageVol")
        with open(src, "rb") as f:
            vol.Upload(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(1), dbus.types.UnixFd(f), timeout=60)
        self.assertEqual(sha256(path / "d.img"), sha256(src))
        # into a regular file, sparse: the holes stay holes
        out = SCRATCH / "dbus-down.bin"
        with open(out, "wb") as f:
            vol.Download(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(1), dbus.types.UnixFd(f), timeout=60)
        self.assertEqual(sha256(out), sha256(src))
        self.assertLess(out.stat().st_blocks * 512, 3 << 20)
        # into a pipe: zeros for the holes, the end of file ends the data
        r, w = os.pipe()
        h = hashlib.sha256()
        import threading
        got = []
        def reader():
            with os.fdopen(r, "rb") as rf:
                for chunk in iter(lambda: rf.read(1 << 16), b""):
                    h.update(chunk)
                    got.append(len(chunk))
        t = threading.Thread(target=reader)
        t.start()
        vol.Download(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(0), dbus.types.UnixFd(w), timeout=60)
        os.close(w)
        t.join(30)
        self.assertEqual(sum(got), size)
        self.assertEqual(h.hexdigest(), sha256(src))
        # a range outside the volume: the D-Bus error names it
        with open(src, "rb") as f:
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                vol.Upload(dbus.UInt64(64 << 20), dbus.UInt64(0), dbus.UInt32(0), dbus.types.UnixFd(f))
        self.assertIn("is outside volume 'd.img'", str(cm.exception))

    def test_hostile_names_and_symlinks(self):
        name, path = self.new_pool("safe")
        outside = SCRATCH / ("victim-%s" % name)
        outside.write_bytes(b"precious")
        for bad in ("../escape.img", ".hidden", "a/b", ".."):
            vx = SCRATCH / "hostile.xml"
            vx.write_text("<volume><name>%s</name><capacity>1048576</capacity></volume>" % bad)
            p = self.virsh("vol-create %s %s" % (name, vx), ok=False)
            self.assertEqual(p.returncode, 1, bad)
            self.assertIn("must be one file name", p.stderr, bad)
        self.assertFalse((SCRATCH / "escape.img").exists())
        self.assertEqual(sorted(os.listdir(path)), [])
        # a symlink in the pool pointing outside: not a volume, never followed
        os.symlink(outside, path / "link.img")
        self.virsh("pool-refresh %s" % name)
        self.assertNotIn("link.img", self.virsh("vol-list %s" % name).stdout)
        p = self.virsh("vol-create-as %s link.img 1M" % name, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(outside.read_bytes(), b"precious")
        self.assertTrue((path / "link.img").is_symlink())

    def test_listing_past_the_protocol_limit(self):
        # The remote protocol carries at most 16384 volumes in a listing: one more is refused
        # with libvirt's text, which names how many there are (not the first one past the limit).
        import libvirt
        name, path = self.new_pool("many")
        for i in range(16390):
            (path / ("v%05d" % i)).touch()
        self.virsh("pool-refresh %s" % name)
        conn = libvirt.open(self.uri)
        try:
            pool = conn.storagePoolLookupByName(name)
            self.assertEqual(pool.numOfVolumes(), 16390)
            with self.assertRaises(libvirt.libvirtError) as cm:
                pool.listAllVolumes()
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_RPC)
            self.assertIn("Too many storage volumes '16390' for limit '16384'",
                          cm.exception.get_error_message())
            for i in range(16384, 16390):
                (path / ("v%05d" % i)).unlink()
            pool.refresh()
            self.assertEqual(len(pool.listAllVolumes()), 16384)
        finally:
            conn.close()
        self.virsh("pool-destroy %s" % name)
        self.virsh("pool-undefine %s" % name)

    def test_full_disk_leaves_nothing(self):
        name, path = self.fresh("full")
        mount_tmpfs(path, "4m")
        f = SCRATCH / (name + ".xml")
        f.write_text(pool_xml(name, path))
        self.virsh("pool-define %s" % f)
        self.virsh("pool-start %s" % name)
        p = self.virsh("vol-create-as %s big.img 64M --allocation 64M" % name, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("No space left on device", p.stderr)
        self.assertEqual(os.listdir(path), [])
        self.assertNotIn("big.img", self.virsh("vol-list %s" % name).stdout)
        self.virsh("pool-destroy %s" % name)
        self.virsh("pool-undefine %s" % name)
        subprocess.run(["umount", str(path)], check=True)


if __name__ == "__main__":
    remote_harness.main()
