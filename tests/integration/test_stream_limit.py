#!/usr/bin/python3
"""test_stream_limit.py: virtbusd.conf's max_client_streams, as clients see it.

    /usr/bin/python3 tests/integration/test_stream_limit.py -v

The daemon is remote_harness's (session mode) with max_client_streams = 2. python3-libvirt opens
volume downloads (virStorageVolDownload) on one connection until the daemon refuses one with an
error naming the limit; the streams already open still deliver the volume, another connection
has room of its own, and once one stream is finished a new one opens. On D-Bus the same for one
caller's StorageVol.Download transfers into pipes the test does not read.
"""

import os
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

LIMIT = 2
MIB = 1 << 20
REFUSED = "too many streams open by %s: 2, the limit max_client_streams is 2; finish or abort one first"


def read_all(st):
    data = b""
    while True:
        got = st.recv(64 * 1024)
        if not got:
            return data
        data += got


class StreamLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            import libvirt  # noqa: F401
        except ImportError:
            raise unittest.SkipTest("python3-libvirt missing")
        cls.d = rh.RemoteDaemon(conf="max_client_streams = %d" % LIMIT, tcp=False).start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.d.sock
        cls.pooldir = cls.d.tmp / "pool"
        cls.pooldir.mkdir()
        cls.virsh_ok("pool-create-as lim dir --target %s" % cls.pooldir)
        # one volume per stream: a volume has one transfer at a time (its job)
        cls.small = [cls.volume("small%d.img" % i, os.urandom(17)) for i in range(LIMIT + 1)]
        # bigger than a pipe and a transfer's buffer: a D-Bus download into an unread pipe waits
        cls.big = [cls.volume("big%d.img" % i, os.urandom(4 * MIB)) for i in range(LIMIT + 1)]

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    @classmethod
    def virsh_ok(cls, cmd):
        p = rh.run_virsh(cls.uri, cmd, env=cls.d.client_env(), timeout=60)
        assert p.returncode == 0, "%s: %s\n%s" % (cmd, p.stderr, cls.d.log()[-3000:])
        return p

    @classmethod
    def volume(cls, name, data):
        cls.virsh_ok("vol-create-as lim %s %d --format raw" % (name, len(data)))
        path = cls.pooldir / name
        path.write_bytes(data)
        return path

    def test_remote_downloads_past_the_limit(self):
        import libvirt
        conn = libvirt.open(self.uri)
        self.addCleanup(conn.close)
        vols = [conn.storageVolLookupByPath(str(p)) for p in self.small]
        want = [p.read_bytes() for p in self.small]
        open_streams = []
        for i in range(LIMIT):
            st = conn.newStream(0)
            vols[i].download(st, 0, 0, 0)
            open_streams.append(st)
        st = conn.newStream(0)
        with self.assertRaises(libvirt.libvirtError) as cm:
            vols[LIMIT].download(st, 0, 0, 0)
        self.assertIn(REFUSED % "this connection", str(cm.exception))
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_RESOURCE_BUSY)
        # the refusal changed nothing: the open streams still deliver the whole volume
        self.assertEqual(read_all(open_streams[0]), want[0])
        open_streams[0].finish()
        # a stream finished makes room for a new one
        st = conn.newStream(0)
        vols[LIMIT].download(st, 0, 0, 0)
        self.assertEqual(read_all(st), want[LIMIT])
        st.finish()
        self.assertEqual(read_all(open_streams[1]), want[1])
        open_streams[1].finish()
        # and the limit is per connection: another one has room while this one is full
        held = []
        for i in range(LIMIT):
            s = conn.newStream(0)
            vols[i].download(s, 0, 0, 0)
            held.append(s)
        other = libvirt.open(self.uri)
        self.addCleanup(other.close)
        s = other.newStream(0)
        other.storageVolLookupByPath(str(self.small[LIMIT])).download(s, 0, 0, 0)
        self.assertEqual(read_all(s), want[LIMIT])
        s.finish()
        for s in held:
            s.abort()

    def test_dbus_downloads_past_the_limit(self):
        import gi
        gi.require_version("Gio", "2.0")
        from gi.repository import Gio, GLib
        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        bus = Gio.DBusConnection.new_for_address_sync(self.d.bus_address, flags, None, None)
        self.addCleanup(bus.close_sync, None)
        vol_paths = [bus.call_sync("org.libvirt", "/org/libvirt/QEMU", "org.libvirt.Connect",
                                   "StorageVolLookupByPath", GLib.Variant("(s)", (str(p),)),
                                   GLib.VariantType("(o)"), Gio.DBusCallFlags.NONE, 10000, None).unpack()[0]
                     for p in self.big]
        answers = {}

        def download(key, vol_path, fd):
            fds = Gio.UnixFDList.new()
            idx = fds.append(fd)

            def done(conn, res):
                try:
                    conn.call_with_unix_fd_list_finish(res)
                    answers[key] = None
                except GLib.Error as e:
                    answers[key] = e.message
            bus.call_with_unix_fd_list("org.libvirt", vol_path, "org.libvirt.StorageVol", "Download",
                                       GLib.Variant("(ttuh)", (0, 0, 0, idx)), None, Gio.DBusCallFlags.NONE,
                                       60000, fds, None, done)

        def wait(key, timeout=30):
            end = time.monotonic() + timeout
            while key not in answers:
                if time.monotonic() > end:
                    self.fail("no answer to %s (%s)" % (key, answers))
                GLib.MainContext.default().iteration(False)
                time.sleep(0.01)
            return answers[key]

        pipes = []
        for i in range(LIMIT):
            r, w = os.pipe()
            pipes.append(r)
            download("held%d" % i, vol_paths[i], w)
            os.close(w)                 # the daemon has its own copy
        # the transfers are running: the daemon waits on the pipes we do not read
        time.sleep(0.5)
        GLib.MainContext.default().iteration(False)
        self.assertEqual(answers, {})
        r, w = os.pipe()
        download("refused", vol_paths[LIMIT], w)
        os.close(w)
        self.assertIn(REFUSED % "this D-Bus caller", wait("refused"))
        self.assertEqual(os.read(r, 1), b"")    # the refused transfer never wrote: EOF at once
        os.close(r)
        # the refusal changed nothing: a held transfer still delivers the whole volume
        got = b""
        while True:
            chunk = os.read(pipes[0], MIB)
            if not chunk:
                break
            got += chunk
        os.close(pipes[0])
        self.assertIsNone(wait("held0"))
        self.assertEqual(got, self.big[0].read_bytes())
        # which made room for a new one (into a regular file: it runs to its end)
        out = self.d.tmp / "dbus-down.img"
        with open(out, "wb") as f:
            download("again", vol_paths[LIMIT], f.fileno())
            self.assertIsNone(wait("again"))
        self.assertEqual(out.read_bytes(), self.big[LIMIT].read_bytes())
        os.close(pipes[1])                      # the last held transfer ends with the reader gone
        self.assertIsNotNone(wait("held1"))


if __name__ == "__main__":
    main()
