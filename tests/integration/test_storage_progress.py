#!/usr/bin/python3
"""test_storage_progress.py: StorageVol.Progress (a virtbus extension) during upload, download, wipe and clone.

Re-runs itself under `unshare -m`; its pool is a tmpfs of that namespace. One virtbusd
--session, python3-dbus with a GLib main loop (so that PropertiesChanged arrive while a call
runs), virsh for what needs no signals.

    /usr/bin/python3 tests/integration/test_storage_progress.py -v
"""

import os
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_STORAGE_PROGRESS_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for a private mount namespace (unshare -m)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import dbus  # noqa: E402
from dbus.mainloop.glib import DBusGMainLoop  # noqa: E402
from gi.repository import GLib  # noqa: E402

import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-storage-progress-scratch")
VOL = "org.libvirt.StorageVol"
MIB = 1 << 20


class StorageProgress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "tmpfs", str(SCRATCH)], check=True)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.pool_dir = SCRATCH / "pool"
        for cmd in ("pool-define-as prog dir --target %s" % cls.pool_dir, "pool-build prog", "pool-start prog"):
            p = remote_harness.run_virsh(cls.uri, cmd, env=cls.daemon.client_env(), timeout=60)
            assert p.returncode == 0, "%s: %s" % (cmd, p.stderr)
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address, mainloop=DBusGMainLoop())

    @classmethod
    def tearDownClass(cls):
        cls.bus.close()
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        subprocess.run(["umount", "-l", str(SCRATCH)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log[-4000:]

    def virsh(self, cmd):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def volume(self, name, size_mib):
        self.virsh("vol-create-as prog %s %dM --format raw" % (name, size_mib))
        qemu = self.bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        path = qemu.StorageVolLookupByPath(str(self.pool_dir / name), dbus_interface="org.libvirt.Connect")
        return path, dbus.Interface(self.bus.get_object("org.libvirt", path), VOL)

    def watch(self, obj_path):
        """Every Progress value announced for obj_path, in order."""
        seen = []

        def changed(iface, props, invalidated):
            if iface == VOL and "Progress" in props:
                op, done, total = props["Progress"]
                seen.append((str(op), int(done), int(total)))
        self.bus.add_signal_receiver(changed, signal_name="PropertiesChanged",
                                     dbus_interface="org.freedesktop.DBus.Properties", path=obj_path)
        return seen

    def call_async(self, method, *args):
        """Run a D-Bus call while the main loop delivers signals; its error (or None)."""
        loop = GLib.MainLoop()
        outcome = {}

        def ok(*a):
            outcome["ok"] = True
            loop.quit()

        def fail(e):
            outcome["error"] = e
            loop.quit()
        method(*args, reply_handler=ok, error_handler=fail, timeout=60)
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        # let the signals sent before the reply's handler ran arrive too
        ctx = GLib.MainContext.default()
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            ctx.iteration(False)
            time.sleep(0.01)
        return outcome.get("error")

    def assert_progress(self, seen, op, total, want_middle=False):
        self.assertGreaterEqual(len(seen), 3, seen)
        self.assertEqual(seen[0], (op, 0, total))
        self.assertEqual(seen[-2], (op, total, total))
        self.assertEqual(seen[-1], ("", 0, 0))
        dones = [d for (o, d, t) in seen[:-1]]
        self.assertEqual(dones, sorted(dones), "progress went backwards: %s" % seen)
        self.assertTrue(all(o == op and t == total for (o, d, t) in seen[:-1]), seen)
        if want_middle:
            self.assertTrue(any(0 < d < total for d in dones), "no progress between start and end: %s" % seen)

    def test_upload_from_a_slow_pipe_then_download(self):
        path, vol = self.volume("up.img", 16)
        self.assertEqual(tuple(vol.Get(VOL, "Progress", dbus_interface="org.freedesktop.DBus.Properties")),
                         ("", 0, 0))
        seen = self.watch(path)
        r, w = os.pipe()

        def feed():
            # half, a pause longer than the 200 ms between notices, then the rest
            os.write(w, os.urandom(8 * MIB))
            time.sleep(0.8)
            os.write(w, os.urandom(8 * MIB))
            os.close(w)
        t = threading.Thread(target=feed)
        t.start()
        err = self.call_async(vol.Upload, dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(0), dbus.types.UnixFd(r))
        os.close(r)
        t.join()
        self.assertIsNone(err)
        self.assert_progress(seen, "upload", 16 * MIB, want_middle=True)
        self.assertIn(8 * MIB, [d for (o, d, t) in seen], "the pause at 8 MiB was not seen: %s" % seen)

        del seen[:]
        out = SCRATCH / "down.bin"
        with open(out, "wb") as f:
            err = self.call_async(vol.Download, dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(0),
                                  dbus.types.UnixFd(f))
        self.assertIsNone(err)
        self.assert_progress(seen, "download", 16 * MIB)
        self.assertEqual(out.read_bytes(), (self.pool_dir / "up.img").read_bytes())

    def test_wipe_and_clone(self):
        path, vol = self.volume("w.img", 32)
        with open(self.pool_dir / "w.img", "r+b") as f:
            f.write(os.urandom(32 * MIB))
        seen = self.watch(path)
        self.assertIsNone(self.call_async(vol.Wipe, dbus.UInt32(0), dbus.UInt32(0)))
        self.assert_progress(seen, "wipe", 32 * MIB)
        self.assertEqual((self.pool_dir / "w.img").read_bytes(), bytes(32 * MIB))

        # a clone tells its progress on the volume it copies from
        with open(self.pool_dir / "w.img", "r+b") as f:
            f.write(os.urandom(32 * MIB))
        del seen[:]
        pool = dbus.Interface(self.bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        pool_path = pool.StoragePoolLookupByName("prog")
        pool = dbus.Interface(self.bus.get_object("org.libvirt", pool_path), "org.libvirt.StoragePool")
        key = str(self.pool_dir / "w.img")
        xml = ("<volume><name>c.img</name><capacity>%d</capacity><target><format type='raw'/></target></volume>"
               % (32 * MIB))
        self.assertIsNone(self.call_async(pool.StorageVolCreateXMLFrom, xml, key, dbus.UInt32(0)))
        self.assert_progress(seen, "clone", 32 * MIB)
        self.assertEqual((self.pool_dir / "c.img").read_bytes(), (self.pool_dir / "w.img").read_bytes())


if __name__ == "__main__":
    testmain.main()
