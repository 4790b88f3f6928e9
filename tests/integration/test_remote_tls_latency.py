"""test_remote_tls_latency.py: what a TLS client's round trips must not wait for.

* An accepted TLS connection has TCP_NODELAY: without it a small reply written after another
  small write waits for the client's delayed ACK (40 ms on Linux). Read on the daemon's own
  socket, taken with pidfd_getfd(2).
* Calls the client sent together in one TLS record are all answered without the client sending
  another byte: gnutls decrypts the whole record at once and keeps what a read did not take, where
  the socket's readiness never shows it. Python's ssl client sends each write as one record.
  (Reading that stops at max_client_requests with input held in a layer is
  tests/unit/server/test-server-layers.c's, with a layer double.)

One daemon (listen_tls on 127.0.0.1 and a free port, a private PKI made by certtool) serves the
class; the client is Python's ssl module with the client certificate.
"""

import ctypes
import os
import socket
import ssl
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from pki import Pki  # noqa: E402
from remote_harness import OK, PROC_CONNECT_GET_TYPE, REPLY, Unpacker  # noqa: E402
from test_remote_tls import TlsDaemon  # noqa: E402
from testmain import main  # noqa: E402

SYS_PIDFD_GETFD = 438   # x86_64 and aarch64 alike (asm-generic numbering since 5.6)
PIPELINED = 120         # calls in one record: 120 × 28 bytes, more than the daemon reads at once


def daemon_socket(pid, local, peer):
    """A duplicate of the daemon's socket whose address is `local` and peer `peer`."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            try:
                if not os.readlink("/proc/%d/fd/%s" % (pid, name)).startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "pidfd_getfd of the daemon's descriptor %s" % name)
            s = socket.socket(fileno=fd)
            try:
                if s.family == socket.AF_INET and s.getsockname() == local and s.getpeername() == peer:
                    return s
            except OSError:
                pass
            s.close()
    finally:
        os.close(pidfd)
    raise AssertionError("the daemon holds no socket %s -> %s" % (peer, local))


class TlsRawClient(rh.RawClient):
    """RawClient over Python's ssl, after the daemon's confirmation byte."""

    def __init__(self, port, ca, cert, timeout=30):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(str(ca))
        ctx.check_hostname = False
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw)
        self.timeout = timeout
        self.serial = 0
        self.buf = b""
        self.auto_pong = True
        self.pings = []
        self.messages = []
        confirm = self.sock.recv(1)
        if confirm != b"\1":
            raise AssertionError("the daemon sent %r instead of its confirmation byte" % confirm)


class TlsLatencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = TlsDaemon("")
        p = Pki(cls.d.tmp / "pki")
        cls.ca = p.ca("ca")
        server = p.server("server", cls.ca)
        cls.cert = p.client("client1", cls.ca)
        cls.d.conf_extra = ('ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\n' % (cls.ca[0], server[0], server[1])
                            + cls.d.conf_extra)
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def client(self):
        return TlsRawClient(self.d.tls_port, self.ca[0], self.cert)

    def test_accepted_tls_socket_has_nodelay(self):
        with self.client() as c:
            c.handshake()
            theirs = daemon_socket(self.d.proc.pid, c.sock.getpeername(), c.sock.getsockname())
            with theirs:
                self.assertEqual(theirs.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1,
                                 "the daemon's TLS connection waits for ACKs before small writes (Nagle)")
            self.assertEqual(Unpacker(c.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")

    def test_calls_in_one_record_are_all_answered(self):
        with self.client() as c:
            c.handshake()
            first = c.serial
            data = b"".join(rh.pack_packet(PROC_CONNECT_GET_TYPE, serial=first + i) for i in range(PIPELINED))
            c.serial += PIPELINED
            self.assertLess(len(data), 16384, "must fit one TLS record")
            c.sock.sendall(data)    # one SSL_write: one record
            serials = []
            for _ in range(PIPELINED):
                p = c.recv_reply()      # 30 s each: a stall fails here, nothing is timed
                self.assertEqual((p.status, p.type, p.proc), (OK, REPLY, PROC_CONNECT_GET_TYPE), p.raw)
                self.assertEqual(Unpacker(p.payload).string(), "TEST")
                serials.append(p.serial)
            self.assertEqual(sorted(serials), list(range(first, first + PIPELINED)))


if __name__ == "__main__":
    main()
