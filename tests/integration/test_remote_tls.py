"""test_remote_tls.py: the TLS listener with a private PKI made by certtool, real virsh and python3-libvirt.

One daemon serves the whole class: listen_tls on 127.0.0.1 and a free port, the server's
certificate from CA "ca", a CRL revoking one client, tls_allowed_dn_list letting in the clients
whose CN starts with "client". virsh and python3-libvirt connect with
test+tls://127.0.0.1:PORT/default?pkipath=DIR; refusals are seen as libvirt's clients see them
("server verification (of our certificate or IP address) failed") and, where libvirt's client
would refuse its own certificate before connecting (none, expired), with Python's ssl client.
"""

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from pki import Pki  # noqa: E402
from testmain import main  # noqa: E402

REFUSED = "server verification (of our certificate or IP address) failed"


class TlsDaemon(rh.RemoteDaemon):
    """virtbusd with listen_tls on 127.0.0.1 (and no plain TCP)."""

    def __init__(self, pki_conf):
        super().__init__(conf=pki_conf, tcp=False)
        self.tls_port = rh.free_tcp_port()
        self.conf_extra = pki_conf + '\nlog_level = 2\nlisten_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n' % self.tls_port

    def tls_uri(self, pkipath, driver="test", path="/default"):
        return "%s+tls://127.0.0.1:%d%s?pkipath=%s" % (driver, self.tls_port, path, pkipath)


def make_pki(directory):
    p = Pki(directory)
    ca = p.ca("ca")
    other_ca = p.ca("other-ca")
    server = p.server("server", ca)
    good = p.client("client1", ca, serial=101)
    revoked = p.client("client-revoked", ca, serial=102)
    outsider = p.client("outsider", ca, serial=103)
    foreign = p.client("client-foreign", other_ca, serial=104)
    expired = p.client("client-expired", ca, expired=True, serial=105)
    crl = p.crl("cacrl", ca, [revoked[0]])
    return dict(pki=p, ca=ca, other_ca=other_ca, server=server, good=good, revoked=revoked, outsider=outsider,
                foreign=foreign, expired=expired, crl=crl)


def conf_for(k, extra=""):
    return ('ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\ncrl_file = "%s"\n'
            'tls_allowed_dn_list = [ "C=GB,ST=London,L=London,O=virtbus,CN=client*" ]\n%s'
            % (k["ca"][0], k["server"][0], k["server"][1], k["crl"], extra))


def ssl_confirmation(port, ca, cert=None, timeout=5):
    """Python's ssl client: the byte the server sends after accepting the client's certificate,
    b"" when it closes instead."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(str(ca))
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw) as s:
            try:
                return s.recv(1)
            except (ConnectionResetError, ssl.SSLError):
                return b""


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = TlsDaemon("")
        cls.k = make_pki(cls.d.tmp / "pki")
        cls.d.conf_extra = conf_for(cls.k) + cls.d.conf_extra
        cls.d.start()
        p = cls.k["pki"]
        cls.good = p.pkipath("good", [cls.k["ca"]], cls.k["good"])

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def virsh(self, pkipath, cmd, timeout=30):
        return rh.run_virsh(self.d.tls_uri(pkipath), cmd, timeout=timeout, env=self.d.client_env())

    def assertRefused(self, pkipath, why_in_log):
        r = self.virsh(pkipath, "list --all")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(REFUSED, r.stderr)
        self.wait_log(why_in_log)

    def wait_log(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        while text not in self.d.log():
            if time.monotonic() > deadline:
                self.fail("%r not in the daemon's log:\n%s" % (text, self.d.log()[-3000:]))
            time.sleep(0.05)

    def test_virsh_lists_domains(self):
        r = self.virsh(self.good, "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test", r.stdout)
        self.assertIn("running", r.stdout)

    def test_python_libvirt(self):
        libvirt = rh.libvirt_module()
        c = libvirt.open(self.d.tls_uri(self.good))
        try:
            self.assertEqual([d.name() for d in c.listAllDomains()], ["test"])
            self.assertTrue(c.isEncrypted())
            self.assertTrue(c.isSecure())
            self.assertEqual(c.getHostname(), libvirt.open("test:///default").getHostname())
        finally:
            c.close()

    def test_many_calls_and_large_reply(self):
        libvirt = rh.libvirt_module()
        c = libvirt.open(self.d.tls_uri(self.good))
        try:
            dom = c.lookupByName("test")
            for _ in range(200):
                self.assertEqual(dom.name(), "test")
            caps = c.getCapabilities()     # several TLS records
            self.assertIn("<capabilities>", caps)
        finally:
            c.close()

    def test_volume_upload_and_download(self):
        # Stream packets of up to 256 KiB in 16 KiB TLS records: the daemon reads a payload
        # straight into the stream's buffer through the TLS layer, record after record. The
        # download ends with a short data packet and the empty end: in one record (the daemon
        # gathered them), libvirt's client read the first, left the end inside gnutls and waited
        # on the socket for ever (seen with MALLOC_PERTURB_, as meson sets it).
        libvirt = rh.libvirt_module()
        c = libvirt.open(self.d.tls_uri(self.good, "qemu", "/session"))
        try:
            for i, size in enumerate((3 * (1 << 20) + 4099, 6 * (1 << 20) + 17)):
                sent, on_disk, back = rh.volume_round_trip(c, self.d.tmp / ("tls-pool%d" % i), size)
                self.assertTrue(on_disk == sent, "the volume differs from what was uploaded")
                self.assertTrue(back == sent, "the download differs from what was uploaded")
        finally:
            c.close()

    def test_foreign_ca_refused(self):
        # The client trusts both CAs (so libvirt's own checks pass); the server only "ca". gnutls
        # in virsh sends no certificate the server's CA list does not name.
        d = self.k["pki"].pkipath("foreign", [self.k["ca"], self.k["other_ca"]], self.k["foreign"])
        self.assertRefused(d, "it sent no client certificate")
        # A client that sends it anyway (Python's ssl) is refused on the certificate itself.
        self.assertEqual(ssl_confirmation(self.d.tls_port, self.k["ca"][0], self.k["foreign"]), b"")
        self.wait_log("its certificate was not issued by a CA of ca_file")

    def test_dn_outside_allow_list_refused(self):
        d = self.k["pki"].pkipath("outsider", [self.k["ca"]], self.k["outsider"])
        self.assertRefused(d, "CN=outsider is not in tls_allowed_dn_list")

    def test_revoked_refused(self):
        d = self.k["pki"].pkipath("revoked", [self.k["ca"]], self.k["revoked"])
        self.assertRefused(d, "revoked (crl_file)")

    def test_no_client_certificate_refused(self):
        self.assertEqual(ssl_confirmation(self.d.tls_port, self.k["ca"][0]), b"")
        self.wait_log("it sent no client certificate")

    def test_expired_refused(self):
        self.assertEqual(ssl_confirmation(self.d.tls_port, self.k["ca"][0], self.k["expired"]), b"")
        self.wait_log("its certificate has expired")
        # the same client with a good certificate gets libvirt's confirmation byte
        self.assertEqual(ssl_confirmation(self.d.tls_port, self.k["ca"][0], self.k["good"]), b"\x01")

    def test_stuck_and_garbage_clients_do_not_delay_others(self):
        stuck = socket.create_connection(("127.0.0.1", self.d.tls_port))
        garbage = socket.create_connection(("127.0.0.1", self.d.tls_port))
        try:
            garbage.sendall(b"GET / HTTP/1.0\r\n\r\n" * 10)
            t0 = time.monotonic()
            r = self.virsh(self.good, "list --all")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertLess(time.monotonic() - t0, 3)
            garbage.settimeout(3)
            try:
                self.assertIn(garbage.recv(4096)[:1], (b"", b"\x15"))    # closed (perhaps after an alert)
            except ConnectionResetError:
                pass
            # The silent one is dropped after the handshake timeout (5 s).
            stuck.settimeout(10)
            t0 = time.monotonic()
            try:
                self.assertEqual(stuck.recv(1), b"")
            except ConnectionResetError:
                pass
            self.assertLess(time.monotonic() - t0, 8)
            self.wait_log("did not finish its TLS handshake within 5 s")
        finally:
            stuck.close()
            garbage.close()

    def server_serial(self):
        """The serial of the certificate the server presents now (Python's ssl client)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(str(self.k["ca"][0]))
        ctx.check_hostname = False
        ctx.load_cert_chain(str(self.k["good"][0]), str(self.k["good"][1]))
        with socket.create_connection(("127.0.0.1", self.d.tls_port), timeout=5) as raw:
            with ctx.wrap_socket(raw) as s:
                return int(s.getpeercert()["serialNumber"], 16)

    def virt_admin(self, *cmd):
        uri = "libvirtd:///session?socket=%s" % (Path(self.d.sock).parent / "libvirt-admin-sock")
        return subprocess.run(["/usr/bin/virt-admin", "-c", uri] + list(cmd), env=self.d.client_env(),
                              capture_output=True, text=True, timeout=20)

    def test_admin_client_info_has_the_x509_dname(self):
        p = subprocess.Popen([rh.VIRSH, "-c", self.d.tls_uri(self.good)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.d.client_env(), text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()
        a = self.virt_admin("srv-clients-list", "libvirtd")
        self.assertEqual(a.returncode, 0, a.stderr)
        ids = [int(line.split()[0]) for line in a.stdout.splitlines()[2:] if line.split()[1:2] == ["tls"]]
        self.assertEqual(len(ids), 1, a.stdout)
        info = self.virt_admin("client-info", "libvirtd", str(ids[0]))
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertRegex(info.stdout, r"transport\s*: tls\n")
        self.assertRegex(info.stdout, r"tls_x509_dname\s*: C=GB,ST=London,L=London,O=virtbus,CN=client1\n")
        self.assertRegex(info.stdout, r"sock_addr\s*: 127\.0\.0\.1:\d+\n")
        # the D-Bus face of the same administration says the same
        b = subprocess.run(["busctl", "--address=" + self.d.bus_address, "call", "org.libvirt", "/org/libvirt/admin",
                            "org.libvirt.virtbus.Admin", "ClientInfo", "st", "libvirtd", str(ids[0])],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertIn('"tls_x509_dname" s "C=GB,ST=London,L=London,O=virtbus,CN=client1"', b.stdout)

    def test_zy_admin_update_tls_serves_the_new_certificate(self):
        # A renewed server certificate (new key, new serial) in place of the old files:
        # srv-update-tls succeeds and new connections get it; clients keep working.
        cert, key = Path(self.k["server"][0]), Path(self.k["server"][1])
        saved = cert.read_bytes(), key.read_bytes()
        self.addCleanup(lambda: (cert.write_bytes(saved[0]), key.write_bytes(saved[1]),
                                 self.virt_admin("srv-update-tls", "libvirtd")))
        before = self.server_serial()
        pki = self.k["pki"]
        new_cert, new_key = pki._issue("server-renewed", self.k["ca"],
                                       ["organization = virtbus", 'cn = "127.0.0.1"', "ip_address = 127.0.0.1",
                                        "serial = 777", "tls_www_server", "encryption_key", "signing_key",
                                        "expiration_days = 30"])
        cert.write_bytes(new_cert.read_bytes())
        key.write_bytes(new_key.read_bytes())
        self.assertEqual(self.server_serial(), before)          # nothing reread yet
        a = self.virt_admin("srv-update-tls", "libvirtd")
        self.assertEqual(a.returncode, 0, a.stderr)
        self.assertEqual(self.server_serial(), 777)
        r = self.virsh(self.good, "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test", r.stdout)

    def test_zz_sighup_keeps_old_credentials_on_a_bad_file(self):
        # cert_file swapped for garbage: the reload is refused, the old credentials serve on.
        cert = Path(self.k["server"][0])
        saved = cert.read_bytes()
        try:
            cert.write_text("not a certificate\n")
            self.d.proc.send_signal(signal.SIGHUP)
            self.wait_log("TLS credentials not reloaded, the previous ones stay in service")
            self.wait_log("not a PEM certificate")
            r = self.virsh(self.good, "list --all")
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            cert.write_bytes(saved)
        self.d.proc.send_signal(signal.SIGHUP)
        self.wait_log("TLS credentials reloaded")
        r = self.virsh(self.good, "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)


class TlsStartChecksTest(unittest.TestCase):
    """Bad credentials stop the daemon at start, with the file and what is wrong."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(rh.tempfile.mkdtemp(prefix="virtbus-pki-"))
        cls.k = make_pki(cls.tmp)
        p = cls.k["pki"]
        cls.expired_server = p.server("server-expired", cls.k["ca"], expired=True)
        cls.foreign_server = p.server("server-foreign", cls.k["other_ca"])

    @classmethod
    def tearDownClass(cls):
        rh.shutil.rmtree(cls.tmp, ignore_errors=True)

    def start_fails(self, conf, *expected):
        d = TlsDaemon(conf)
        try:
            with self.assertRaises(RuntimeError) as cm:
                d.start()
            for e in expected:
                self.assertIn(e, str(cm.exception))
        finally:
            d.stop()

    def conf(self, ca=None, cert=None, key=None, extra=""):
        return ('ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\n%s'
                % (ca or self.k["ca"][0], cert or self.k["server"][0], key or self.k["server"][1], extra))

    def test_missing_file(self):
        self.start_fails(self.conf(cert=self.tmp / "nope.pem"), "cert_file %s: missing" % (self.tmp / "nope.pem"))

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            # root reads any file: check the one thing root cannot read, a directory
            self.start_fails(self.conf(key=self.tmp), "key_file %s: not a regular file" % self.tmp)
        else:
            bad = self.tmp / "unreadable.pem"
            bad.write_text("x")
            bad.chmod(0)
            self.start_fails(self.conf(key=bad), "unreadable")

    def test_expired_server_certificate(self):
        self.start_fails(self.conf(cert=self.expired_server[0], key=self.expired_server[1]),
                         "cert_file %s: the certificate expired on 2020-02-01" % self.expired_server[0])

    def test_key_does_not_match(self):
        self.start_fails(self.conf(key=self.k["good"][1]),
                         "cert_file %s does not match key_file %s" % (self.k["server"][0], self.k["good"][1]))

    def test_wrong_key_usage(self):
        # a client certificate as the server's: its purpose is TLS client only
        self.start_fails(self.conf(cert=self.k["good"][0], key=self.k["good"][1]),
                         "wrong key usage: its purposes do not include TLS server")

    def test_not_issued_by_ca(self):
        self.start_fails(self.conf(cert=self.foreign_server[0], key=self.foreign_server[1]),
                         "not issued by a CA of ca_file")

    def test_no_sanity_skips_the_checks(self):
        d = TlsDaemon(self.conf(cert=self.foreign_server[0], key=self.foreign_server[1],
                                extra="tls_no_sanity_certificate = 1\n"))
        try:
            d.start()
        finally:
            d.stop()

    def test_bad_priority(self):
        self.start_fails(self.conf(extra='tls_priority = "NOPE"\n'), 'tls_priority "NOPE"')

    def test_session_default_paths(self):
        # Nothing configured: ~/.pki/libvirt of the daemon's HOME, named in the error.
        self.start_fails("", "ca_file ", "/home/.pki/libvirt/cacert.pem: missing")


if __name__ == "__main__":
    main()
