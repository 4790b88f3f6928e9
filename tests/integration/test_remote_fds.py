"""test_remote_fds.py: descriptors a client passes on the remote door (CALL_WITH_FDS) and the calls that take them.

    /usr/bin/python3 tests/integration/test_remote_fds.py -v

python3-libvirt sends each descriptor after its call with one byte of its own (SCM_RIGHTS on
the unix socket). The daemon reads them, hands them to the handler, and closes every one no
handler keeps: each test counts the daemon's /proc/PID/fd before and after. On the test
driver (test:///default in process is the oracle for the texts): virDomainOpenGraphics answers
"not supported" and the *WithFiles calls start the domain as libvirt's test driver does; raw clients check
the framing's limits (too many descriptors, TCP, a call without its descriptor). On
qemu:///session with the tiny test guest under TCG: virDomainOpenGraphics gives the caller's
own socket to QEMU's VNC and SPICE servers (QMP getfd + add_client), and the *WithFiles calls
answer "not supported" as libvirt 9.0's QEMU driver does.
"""

import os
import shutil
import socket
import struct
import sys
import time
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import remote_harness  # noqa: E402
from remote_harness import RawClient, p_domain, p_uint  # noqa: E402

CALL_WITH_FDS = 4
PROC_DOMAIN_OPEN_GRAPHICS = 249


def daemon_fds(daemon):
    return len(os.listdir("/proc/%d/fd" % daemon.proc.pid))


def wait_fds(daemon, want, timeout=30):
    """The daemon's descriptor count once it is back to want or below (closing is asynchronous
    to the client: a connection's socket goes when the daemon sees the hang-up; and a count
    taken earlier may have held something passing, such as a connection closing)."""
    deadline = time.monotonic() + timeout
    while True:
        n = daemon_fds(daemon)
        if n <= want or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def settled_fds(daemon, timeout=30):
    """The daemon's descriptor count once it stays the same for half a second (a guest that
    just stopped takes its monitor, pidfd and log pipe away a little later)."""
    deadline = time.monotonic() + timeout
    n = daemon_fds(daemon)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        m = daemon_fds(daemon)
        if m == n:
            break
        n = m
    return n


def oracle_error(fn):
    """The error libvirt's own test driver gives for fn(conn) (test:///default in process)."""
    libvirt = remote_harness.libvirt_module()
    conn = libvirt.open("test:///default")
    try:
        fn(conn)
    except libvirt.libvirtError as e:
        return e.get_error_message()
    finally:
        conn.close()
    raise AssertionError("libvirt's test driver did not fail")


class RemoteFdsTest(unittest.TestCase):
    """The transport and the test driver: python3-libvirt and raw clients."""

    @classmethod
    def setUpClass(cls):
        cls.libvirt = remote_harness.libvirt_module()
        cls.daemon = remote_harness.RemoteDaemon()
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def setUp(self):
        # the connections of the test before are gone once the daemon is back to its count
        # at rest (which also shows it kept nothing of that test)
        if not hasattr(RemoteFdsTest, "idle"):
            time.sleep(0.5)
            RemoteFdsTest.idle = daemon_fds(self.daemon)
        self.assertLessEqual(wait_fds(self.daemon, RemoteFdsTest.idle), RemoteFdsTest.idle)

    def open(self):
        return self.libvirt.open(self.daemon.uri("unix"))

    def domain_ref(self, conn):
        d = conn.lookupByName("test")
        return p_domain("test", d.UUIDString(), d.ID())

    def test_1_open_graphics_on_the_test_driver(self):
        """The descriptor reaches the daemon and is closed there: libvirt's test driver has no
        displays to give it to, and says so."""
        a, b = socket.socketpair()
        with a, b:
            want = oracle_error(lambda c: c.lookupByName("test").openGraphics(0, b.fileno(), 0))
        conn = self.open()
        dom = conn.lookupByName("test")
        base = daemon_fds(self.daemon)
        for _ in range(20):
            a, b = socket.socketpair()
            with a, b:
                with self.assertRaises(self.libvirt.libvirtError) as cm:
                    dom.openGraphics(0, b.fileno(), 0)
                self.assertEqual(cm.exception.get_error_message(), want)
        self.assertLessEqual(wait_fds(self.daemon, base), base)
        self.assertEqual(dom.name(), "test")     # the connection goes on
        conn.close()

    def test_2_create_with_files(self):
        """libvirt's test driver takes the files of CreateXMLWithFiles/CreateWithFiles and
        starts the domain (it runs nothing that could use them); the daemon keeps none of
        them. (The QEMU driver's "not supported" is QemuOpenGraphicsTest's.)"""
        xml = ("<domain type='test'><name>wf</name><memory>65536</memory>"
               "<os><type>hvm</type></os></domain>")
        r, w = os.pipe()
        try:
            conn = self.open()
            base = daemon_fds(self.daemon)
            dom = conn.createXMLWithFiles(xml, [r, w], 0)
            self.assertEqual((dom.name(), dom.isActive(), dom.isPersistent()), ("wf", 1, 0))
            dom.destroy()
            test = conn.lookupByName("test")
            test.destroy()
            self.assertEqual(test.isActive(), 0)
            test.createWithFiles([r], 0)
            self.assertEqual(test.state(), [self.libvirt.VIR_DOMAIN_RUNNING, self.libvirt.VIR_DOMAIN_RUNNING_BOOTED])
            # what libvirt's test driver says to a running domain
            want = oracle_error(lambda c: c.lookupByName("test").createWithFiles([r], 0))
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                test.createWithFiles([r], 0)
            self.assertEqual(cm.exception.get_error_message(), want)
            # bad XML: refused, nothing defined
            with self.assertRaises(self.libvirt.libvirtError):
                conn.createXMLWithFiles("<domain", [r], 0)
            self.assertEqual(sorted(conn.listDefinedDomains()), [])
            self.assertLessEqual(wait_fds(self.daemon, base), base)
            conn.close()
        finally:
            os.close(r)
            os.close(w)

    def test_3_call_without_its_descriptor(self):
        """A plain CALL of a procedure that takes a descriptor: libvirt's "No FD available at
        slot 0", and the connection goes on."""
        with RawClient(self.daemon.sock) as c:
            c.handshake()
            conn = self.open()
            ref = self.domain_ref(conn)
            conn.close()
            p = c.call(PROC_DOMAIN_OPEN_GRAPHICS, ref + p_uint(0) + p_uint(0))
            self.assertEqual(p.status, remote_harness.ERROR)
            err = remote_harness.parse_remote_error(p.payload)
            self.assertEqual(err.message, "internal error: No FD available at slot 0")
            self.assertEqual(c.call(remote_harness.PROC_CONNECT_GET_TYPE).status, remote_harness.OK)

    def test_4_too_many_descriptors(self):
        """A count above 32 closes the connection (libvirt's limit), before any is read."""
        base = daemon_fds(self.daemon)
        with RawClient(self.daemon.sock) as c:
            c.handshake()
            conn = self.open()
            ref = self.domain_ref(conn)
            conn.close()
            c.send(PROC_DOMAIN_OPEN_GRAPHICS, p_uint(33) + ref + p_uint(0) + p_uint(0), type=CALL_WITH_FDS)
            self.assertIsNotNone(c.wait_closed(10), "the connection stayed open")
        self.assertIn("Received too many FDs 33, expected 32 maximum", self.daemon.log())
        self.assertLessEqual(wait_fds(self.daemon, base), base)

    def test_5_descriptors_sent_raw(self):
        """What python3-libvirt does, by hand: the call, then each descriptor with one byte;
        the answer comes once they are all read; a byte without one ends the connection."""
        conn = self.open()
        ref = self.domain_ref(conn)
        conn.close()
        base = daemon_fds(self.daemon)
        with RawClient(self.daemon.sock) as c:
            c.handshake()
            a, b = socket.socketpair()
            with a, b:
                s = c.send(PROC_DOMAIN_OPEN_GRAPHICS, p_uint(2) + ref + p_uint(0) + p_uint(0), type=CALL_WITH_FDS)
                socket.send_fds(c.sock, [b"\0"], [a.fileno()])
                with self.assertRaises(socket.timeout):
                    c.recv(timeout=0.5)     # the second descriptor has not come yet
                socket.send_fds(c.sock, [b"\0"], [b.fileno()])
                p = c.recv_reply(s)
            self.assertEqual(p.status, remote_harness.ERROR)
            self.assertIn("not supported", remote_harness.parse_remote_error(p.payload).message)
            c.send(PROC_DOMAIN_OPEN_GRAPHICS, p_uint(1) + ref + p_uint(0) + p_uint(0), type=CALL_WITH_FDS)
            c.send_raw(b"\0")
            self.assertIsNotNone(c.wait_closed(10), "the connection stayed open")
        self.assertIn("descriptor 1 of 1 of a call did not come with its byte", self.daemon.log())
        self.assertLessEqual(wait_fds(self.daemon, base), base)

    def test_6_tcp_cannot_carry_descriptors(self):
        """libvirt's client refuses to send descriptors over TCP; a client that does anyway is
        closed as libvirtd closes it."""
        with RawClient(("127.0.0.1", self.daemon.port)) as c:
            c.handshake()
            c.send(PROC_DOMAIN_OPEN_GRAPHICS, p_uint(1), type=CALL_WITH_FDS)
            self.assertIsNotNone(c.wait_closed(10), "the connection stayed open")
        self.assertIn("Receiving file descriptors is not supported on this socket", self.daemon.log())
        conn = self.libvirt.open(self.daemon.uri("tcp"))
        a, b = socket.socketpair()
        with a, b, self.assertRaises(self.libvirt.libvirtError):
            conn.lookupByName("test").openGraphics(0, b.fileno(), 0)
        conn.close()


    def test_7_dbus_create_with_files(self):
        """libvirt-dbus's DomainCreateXMLWithFiles(s, ah, u) and CreateWithFiles(ah, u) start
        the domain the same way on the test driver."""
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        r, w = os.pipe()
        try:
            test = bus.get_object("org.libvirt", "/org/libvirt/Test")
            xml = ("<domain type='test'><name>wfbus</name><memory>65536</memory>"
                   "<os><type>hvm</type></os></domain>")
            path = test.DomainCreateXMLWithFiles(xml, [dbus.types.UnixFd(r), dbus.types.UnixFd(w)], dbus.UInt32(0),
                                                 dbus_interface="org.libvirt.Connect")
            dom = bus.get_object("org.libvirt", path)
            self.assertEqual(dom.Get("org.libvirt.Domain", "Name", dbus_interface="org.freedesktop.DBus.Properties"),
                             "wfbus")
            self.assertTrue(dom.Get("org.libvirt.Domain", "Active", dbus_interface="org.freedesktop.DBus.Properties"))
            dom.Destroy(dbus.UInt32(0), dbus_interface="org.libvirt.Domain")
            conn = self.open()
            t = conn.lookupByName("test")
            t.destroy()
            tpath = "/org/libvirt/Test/domain/_%s" % t.UUIDString().replace("-", "_")
            bus.get_object("org.libvirt", tpath).CreateWithFiles([dbus.types.UnixFd(r)], dbus.UInt32(0),
                                                                 dbus_interface="org.libvirt.Domain")
            self.assertEqual(t.isActive(), 1)
            conn.close()
        finally:
            os.close(r)
            os.close(w)
            bus.close()


    def test_8_read_only_connection(self):
        """The read-only socket refuses OpenGraphics and the WithFiles calls before anything
        else, as libvirt does, and keeps none of their descriptors."""
        # open(), not openReadOnly(): libvirt's client would refuse by itself before sending
        conn = self.libvirt.open(self.daemon.uri("ro"))
        dom = conn.lookupByName("test")
        base = daemon_fds(self.daemon)
        a, b = socket.socketpair()
        with a, b:
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                dom.openGraphics(0, b.fileno(), 0)
            self.assertEqual(cm.exception.get_error_message(),
                             "operation forbidden: read only access prevents virDomainOpenGraphics")
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                dom.createWithFiles([b.fileno()], 0)
            self.assertEqual(cm.exception.get_error_message(),
                             "operation forbidden: read only access prevents virDomainCreateWithFiles")
        self.assertLessEqual(wait_fds(self.daemon, base), base)
        conn.close()


class QemuOpenGraphicsTest(unittest.TestCase):
    """virDomainOpenGraphics on a running TCG guest: the caller's socket becomes a VNC or
    SPICE client of QEMU's."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        import guest
        from test_qemu_graphics import free_range
        from test_qemu_lifecycle import QemuDaemon
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        base = free_range(4)
        cls.daemon = QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text("remote_display_port_min = %d\nremote_display_port_max = %d\n"
                                            % (base, base + 3))
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise
        cls.conn = cls.libvirt.open(cls.daemon.uri())

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy g-fds")
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def test_open_graphics(self):
        from test_qemu_graphics import DOMAIN_XML, SPICE, VNC, recv_exact, vnc_handshake
        xml = self.daemon.tmp / "g-fds.xml"
        xml.write_text(DOMAIN_XML.format(name="g-fds", uuid=uuid.uuid5(uuid.NAMESPACE_DNS, "g-fds"),
                                         kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append,
                                         graphics=VNC.format(passwd="fdpass") + SPICE))
        for cmd in ("define %s" % xml, "start g-fds"):
            p = self.daemon.virsh("unix", cmd, timeout=180)
            self.assertEqual(p.returncode, 0, "virsh %s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        dom = self.conn.lookupByName("g-fds")
        base = settled_fds(self.daemon)     # virsh's connection may still be closing

        # VNC with its password
        a, b = socket.socketpair()
        with a:
            with b:
                dom.openGraphics(0, b.fileno(), 0)
            self.assertEqual(vnc_handshake(a, "fdpass"), ([2], 0))
        # SKIPAUTH: no password asked
        a, b = socket.socketpair()
        with a:
            with b:
                dom.openGraphics(0, b.fileno(), self.libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH)
            self.assertEqual(vnc_handshake(a)[0], [1])
        # the second display is SPICE: its link reply
        a, b = socket.socketpair()
        with a:
            with b:
                dom.openGraphics(1, b.fileno(), 0)
            a.settimeout(10)
            a.sendall(b"REDQ" + struct.pack("<III", 2, 2, 18) + struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18))
            self.assertEqual(recv_exact(a, 4), b"REDQ")
        # no third display: refused, and the descriptor does not stay in the daemon
        a, b = socket.socketpair()
        with a, b, self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openGraphics(2, b.fileno(), 0)
        self.assertIn("No graphics backend with index 2", str(cm.exception))
        self.assertLessEqual(wait_fds(self.daemon, base), base)

        p = self.daemon.virsh("unix", "destroy g-fds")
        self.assertEqual(p.returncode, 0, p.stderr)
        a, b = socket.socketpair()
        with a, b, self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openGraphics(0, b.fileno(), 0)
        self.assertEqual(str(cm.exception), "Requested operation is not valid: domain is not running")

        # libvirt 9.0's QEMU driver has no CreateWithFiles/CreateXMLWithFiles (Debian's libvirtd
        # answers this): nothing starts
        base = settled_fds(self.daemon)
        r, w = os.pipe()
        try:
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                dom.createWithFiles([r], 0)
            self.assertEqual(str(cm.exception),
                             "this function is not supported by the connection driver: virDomainCreateWithFiles")
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                self.conn.createXMLWithFiles(xml.read_text().replace("g-fds", "g-fds2"), [r, w], 0)
            self.assertEqual(str(cm.exception),
                             "this function is not supported by the connection driver: virDomainCreateXMLWithFiles")
        finally:
            os.close(r)
            os.close(w)
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % dom.UUIDString().replace("-", "_")
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                bus.get_object("org.libvirt", path).CreateWithFiles([dbus.types.UnixFd(0)], dbus.UInt32(0),
                                                                    dbus_interface="org.libvirt.Domain")
            self.assertEqual(cm.exception.get_dbus_message(),
                             "this function is not supported by the connection driver: virDomainCreateWithFiles")
        finally:
            bus.close()
        self.assertEqual(dom.isActive(), 0)
        self.assertNotIn("g-fds2", [d.name() for d in self.conn.listAllDomains()])
        self.assertLessEqual(wait_fds(self.daemon, base), base)


if __name__ == "__main__":
    from testmain import main
    main()
