#!/usr/bin/python3
"""test_storage_stream.py: volume downloads in the daemon's 1 MiB stream packets, as real clients
see them: sizes that are not a multiple of a packet, holes in the middle, a tiny volume, virsh with
and without --sparse, python3-libvirt reading in small pieces, the D-Bus fd Download; and a client
that stops reading half way: the daemon holds no more than its window of the volume. Uploads whose
packets are read straight into the stream's buffers (those longer than the daemon's 1 KiB inline
buffer): sizes around that edge from python3-libvirt, and a virsh killed in the middle of a packet.

Files live in a tmpfs of a private mount namespace (the script re-runs itself under `unshare -m`).

    /usr/bin/python3 tests/integration/test_storage_stream.py -v
"""

import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_STORAGE_STREAM_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for a private mount namespace (unshare -m)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import remote_harness  # noqa: E402
from remote_harness import (CONTINUE, OK, STREAM, RawClient, p_hyper, p_string, p_uint,  # noqa: E402
                            parse_remote_error, Unpacker)

SCRATCH = Path("/tmp/virtbus-storage-stream")
MIB = 1 << 20
PROC_STORAGE_VOL_LOOKUP_BY_PATH = 97
PROC_STORAGE_VOL_DOWNLOAD = 209
STREAM_HOLE = 6
# What one download may hold in the daemon (docs/storage.md): the stream's window (4 MiB), the
# output queue (4 MiB, and the packet that crosses it) and the packet being filled (1 MiB). The
# kernel's socket buffers hold more of the volume, outside the daemon's memory.
DAEMON_BOUND = 10 * MIB


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MIB), b""):
            h.update(chunk)
    return h.hexdigest()


def write_layout(path, size, runs):
    """A file of size bytes: random data at each (offset, length) of runs, holes elsewhere."""
    with open(path, "wb") as f:
        f.truncate(size)
        for off, n in runs:
            f.seek(off)
            f.write(os.urandom(n))


class StorageStream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m,mode=0755", "tmpfs", str(SCRATCH)], check=True)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.pooldir = SCRATCH / "pool"
        cls.pooldir.mkdir()
        cls.virsh_ok("pool-create-as dl dir --target %s" % cls.pooldir)

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        subprocess.run(["umount", "-l", str(SCRATCH)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    @classmethod
    def virsh_ok(cls, cmd):
        p = remote_harness.run_virsh(cls.uri, cmd, env=cls.daemon.client_env(), timeout=120)
        assert p.returncode == 0, "%s: %s\n%s" % (cmd, p.stderr, cls.daemon.log()[-3000:])
        return p

    def volume(self, name, size, runs):
        """A volume of the pool laid out as write_layout says; its path."""
        self.virsh_ok("vol-create-as dl %s %d --format raw" % (name, size))
        path = self.pooldir / name
        write_layout(path, size, runs)
        return path

    def test_odd_sizes_and_holes_through_virsh(self):
        cases = {
            # 3 MiB + 17 bytes: data, a hole in the middle, data crossing the last packet's edge
            "odd.img": (3 * MIB + 17, [(0, MIB + 5), (2 * MIB + 3, MIB + 14)]),
            # 5 MiB + 17: several full packets, then a short one, no holes
            "multi.img": (5 * MIB + 17, [(0, 5 * MIB + 17)]),
            # smaller than a page, all data; and one that is all hole
            "tiny.img": (17, [(0, 17)]),
            "hole.img": (2 * MIB + 1, []),
        }
        for name, (size, runs) in cases.items():
            path = self.volume(name, size, runs)
            want = sha256(path)
            for sparse in ("", " --sparse"):
                out = SCRATCH / ("down-" + name)
                self.virsh_ok("vol-download --pool dl %s %s%s" % (name, out, sparse))
                self.assertEqual(out.stat().st_size, size, (name, sparse))
                self.assertEqual(sha256(out), want, (name, sparse))
                if sparse and size > MIB:
                    # the holes stayed holes in the client's file: less allocated than the data
                    data = sum(n for _, n in runs)
                    self.assertLessEqual(out.stat().st_blocks * 512, data + 64 * 1024, name)
                out.unlink()
        # a range that starts and ends inside packets
        out = SCRATCH / "part.bin"
        self.virsh_ok("vol-download --pool dl odd.img %s --offset %d --length %d" % (out, MIB - 3, MIB + 9))
        with open(self.pooldir / "odd.img", "rb") as f:
            f.seek(MIB - 3)
            self.assertEqual(out.read_bytes(), f.read(MIB + 9))

    def test_python_reads_a_big_packet_in_small_pieces(self):
        import libvirt
        size = 3 * MIB + 17
        path = self.volume("py.img", size, [(0, MIB + 5), (2 * MIB + 3, MIB + 14)])
        want = path.read_bytes()
        conn = libvirt.open(self.uri)
        try:
            vol = conn.storageVolLookupByPath(str(path))
            for piece in (4096, 65536 + 3, 3 * MIB):
                st = conn.newStream(0)
                vol.download(st, 0, 0, 0)
                got = bytearray()
                while True:
                    b = st.recv(piece)
                    if not b:
                        break
                    self.assertLessEqual(len(b), piece)
                    got += b
                st.finish()
                self.assertEqual(bytes(got), want, piece)
            # sparseRecvAll: the holes come as holes, the data as data
            st = conn.newStream(0)
            vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
            parts = []
            st.sparseRecvAll(lambda s, b, o: parts.append(("data", bytes(b))) or 0,
                             lambda s, n, o: parts.append(("hole", n)) or 0, None)
            st.finish()
            flat = b"".join(b if k == "data" else b"\0" * b for k, b in parts)
            self.assertEqual(flat, want)
            # the middle hole came as one hole: the pages between the two data runs (the file
            # system keeps holes by the page, 4 KiB)
            holes = [n for k, n in parts if k == "hole"]
            self.assertEqual(holes, [MIB - 4096], "holes received: %r" % holes)
        finally:
            conn.close()

    def test_dbus_fd_download_of_an_odd_size(self):
        import dbus
        size = 3 * MIB + 17
        path = self.volume("bus.img", size, [(0, MIB + 5), (2 * MIB + 3, MIB + 14)])
        want = sha256(path)
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        vol_path = qemu.StorageVolLookupByPath(str(path), dbus_interface="org.libvirt.Connect")
        vol = dbus.Interface(bus.get_object("org.libvirt", vol_path), "org.libvirt.StorageVol")
        for flags in (0, 1):
            out = SCRATCH / ("bus-down-%d" % flags)
            with open(out, "wb") as f:
                vol.Download(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(flags), dbus.types.UnixFd(f), timeout=60)
            self.assertEqual(out.stat().st_size, size)
            self.assertEqual(sha256(out), want, flags)
        # into a pipe: zeros for the hole
        r, w = os.pipe()
        h = hashlib.sha256()
        n = [0]

        def reader():
            with os.fdopen(r, "rb") as rf:
                for chunk in iter(lambda: rf.read(65536), b""):
                    h.update(chunk)
                    n[0] += len(chunk)
        t = threading.Thread(target=reader)
        t.start()
        vol.Download(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(0), dbus.types.UnixFd(w), timeout=60)
        os.close(w)
        t.join(60)
        self.assertEqual((n[0], h.hexdigest()), (size, want))

    def progress(self, bus, vol_path):
        import dbus
        obj = bus.get_object("org.libvirt", vol_path)
        op, done, total = obj.Get("org.libvirt.StorageVol", "Progress", dbus_interface=dbus.PROPERTIES_IFACE)
        return str(op), int(done), int(total)

    def test_a_client_that_stops_reading_holds_the_daemon_to_its_window(self):
        import dbus
        size = 48 * MIB
        path = self.volume("big.img", size, [(0, size)])
        want = sha256(path)
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        vol_path = bus.get_object("org.libvirt", "/org/libvirt/QEMU").StorageVolLookupByPath(
            str(path), dbus_interface="org.libvirt.Connect")
        c = RawClient(str(self.daemon.sock), timeout=60)
        # a small receive buffer: what the kernel holds for us stays small as well
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        try:
            # no keepalive: a client that reads nothing for a while must not be pinged away
            c.handshake("qemu:///session", keepalive=False)
            p = c.call_ok(PROC_STORAGE_VOL_LOOKUP_BY_PATH, p_string(str(path)))
            u = Unpacker(p.payload)
            pool, name, key = u.string(), u.string(), u.string()
            args = p_string(pool) + p_string(name) + p_string(key) + p_hyper(0) + p_hyper(0) + p_uint(0)
            rss0 = self.daemon.rss_kib()
            serial = c.send(PROC_STORAGE_VOL_DOWNLOAD, args)
            reply = c.recv_reply(serial)
            self.assertEqual(reply.status, OK, parse_remote_error(reply.payload) if reply.status else "")
            first = c.recv()
            self.assertEqual((first.type, first.status), (STREAM, CONTINUE))
            self.assertLessEqual(len(first.payload), MIB)       # one packet: at most 1 MiB of data
            # We read no more: the transfer stalls once the daemon's window is full. Wait for it
            # to stand still (generously: the machine may be loaded), then look at the daemon.
            last, still_since = None, time.monotonic()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                now = self.progress(bus, vol_path)
                if now != last:
                    last, still_since = now, time.monotonic()
                elif time.monotonic() - still_since > 2:
                    break
                time.sleep(0.2)
            op, done, total = last
            self.assertEqual((op, total), ("download", size))
            growth = (self.daemon.rss_kib() - rss0) * 1024
            print("stalled: %d of %d bytes read from the volume, daemon RSS +%d KiB" % (done, size, growth // 1024),
                  file=sys.stderr)
            self.assertLess(growth, DAEMON_BOUND + 2 * MIB, "the daemon's memory grew by %d bytes" % growth)
            # what left the file: the daemon's bound plus what the kernel's socket buffers took
            self.assertLess(done, DAEMON_BOUND + 8 * MIB, "read %d bytes of %d for a client that reads nothing"
                            % (done, size))
            # reading again: the rest arrives, whole and in order
            h = hashlib.sha256(first.payload)
            got = len(first.payload)
            while True:
                pk = c.recv()
                if pk.type != STREAM:
                    continue
                self.assertEqual(pk.status, CONTINUE, parse_remote_error(pk.payload) if pk.status == 1 else "")
                if not pk.payload:
                    break               # the end; the client answers with finish
                self.assertLessEqual(len(pk.payload), MIB)
                h.update(pk.payload)
                got += len(pk.payload)
            self.assertEqual((got, h.hexdigest()), (size, want))
            c.send(PROC_STORAGE_VOL_DOWNLOAD, b"", type=STREAM, serial=serial, status=OK)
            fin = c.recv()
            self.assertEqual((fin.type, fin.status, fin.payload), (STREAM, OK, b""))
        finally:
            c.close()

    def test_upload_packets_of_every_size_around_the_inline_buffer(self):
        import libvirt
        # One packet per send: the header and payload of those up to 1024 bytes fit the daemon's
        # inline buffer; longer ones are read into a buffer the stream adopts, the first bytes
        # coming from the inline buffer. Then python's sendAll and virsh's vol-upload (256 KiB).
        sizes = [1, 995, 996, 997, 1023, 1024, 1025, 4096, 65539, 262120, 17, 200000, 3]
        data = os.urandom(sum(sizes))
        size = len(data) + 4096
        path = self.volume("up.img", size, [])
        conn = libvirt.open(self.uri)
        try:
            vol = conn.storageVolLookupByPath(str(path))
            st = conn.newStream(0)
            vol.upload(st, 0, len(data), 0)
            off = 0
            for n in sizes:
                self.assertEqual(st.send(data[off:off + n]), n)
                off += n
            st.finish()
            got = path.read_bytes()
            self.assertEqual(got[:len(data)], data)
            self.assertEqual(got[len(data):], bytes(4096))      # past the range: untouched
            # at an offset, from sendAll's own pieces
            more = os.urandom(3 * MIB + 5)
            self.virsh_ok("vol-resize --pool dl up.img %d" % (4 * MIB))
            st = conn.newStream(0)
            vol.upload(st, 777, len(more), 0)
            pos = [0]

            def source(stream, nbytes, _):
                chunk = more[pos[0]:pos[0] + nbytes]
                pos[0] += len(chunk)
                return chunk
            st.sendAll(source, None)
            st.finish()
            got = path.read_bytes()
            self.assertEqual(got[:777], data[:777])
            self.assertEqual(got[777:777 + len(more)], more)
        finally:
            conn.close()
        src = SCRATCH / "up-src.bin"
        src.write_bytes(os.urandom(5 * MIB + 1021))
        self.virsh_ok("vol-create-as dl up2.img %d --format raw" % (6 * MIB))
        self.virsh_ok("vol-upload --pool dl up2.img %s" % src)
        self.assertEqual((self.pooldir / "up2.img").read_bytes()[:src.stat().st_size], src.read_bytes())
        src.unlink()

    def test_a_virsh_killed_in_the_middle_of_an_upload(self):
        # The daemon stops reading while the volume's writer is behind, so virsh is caught in
        # the middle of a 256 KiB packet (more than the socket holds) when it is killed: the
        # daemon lets go of the half-read buffer and of the volume's job, and lives on.
        size = 96 * MIB
        src = SCRATCH / "kill-src.bin"
        with open(src, "wb") as f:
            for _ in range(size // MIB):
                f.write(os.urandom(MIB))
        self.virsh_ok("vol-create-as dl killed.img %d --format raw" % size)
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        vol_path = bus.get_object("org.libvirt", "/org/libvirt/QEMU").StorageVolLookupByPath(
            str(self.pooldir / "killed.img"), dbus_interface="org.libvirt.Connect")
        bus_env = self.daemon.client_env()
        for after in (1, 8 * MIB, 40 * MIB):
            p = subprocess.Popen([remote_harness.VIRSH, "-c", self.uri, "vol-upload", "--pool", "dl", "killed.img",
                                  str(src)], env=bus_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while p.poll() is None and time.monotonic() < deadline:
                op, done, _ = self.progress(bus, vol_path)
                if op == "upload" and done >= after:
                    break           # the transfer runs: virsh is in the middle of its packets
                time.sleep(0.01)
            self.assertIsNone(p.poll(), "the upload ended before it could be killed")
            p.kill()
            p.wait()
            self.assertTrue(self.daemon.alive(), self.daemon.log()[-3000:])
        # the volume is free again (its job ended with the client) and takes a whole upload
        deadline = time.monotonic() + 30
        while True:
            p = remote_harness.run_virsh(self.uri, "vol-upload --pool dl killed.img %s" % src,
                                         env=bus_env, timeout=120)
            if p.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)         # the killed transfer's last write may still be ending
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sha256(self.pooldir / "killed.img"), sha256(src))
        src.unlink()


if __name__ == "__main__":
    testmain.main()
