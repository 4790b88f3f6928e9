"""test_remote_sasl.py: SASL authentication (cyrus-sasl) with a private libvirt.conf and sasldb, real virsh and python3-libvirt.

The daemon reads $SASL_CONF_PATH/libvirt.conf (mech_list: digest-md5 scram-sha-256, a private
sasldb made with saslpasswd2 -a libvirt) and serves TCP with auth_tcp = "sasl" and TLS with
auth_tls = "sasl". Clients take their credentials from LIBVIRT_AUTH_FILE. DIGEST-MD5 over plain
TCP must negotiate a security layer, and the bytes on the wire (seen through a recording proxy)
carry no domain data in clear; SCRAM-SHA-256 has none, so it works over TLS only.
"""

import socket
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
import sasl_fixture as sf  # noqa: E402
from pki import Pki  # noqa: E402
from testmain import main  # noqa: E402

TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"


class RecordingProxy:
    """127.0.0.1:port → target, one connection at a time, keeping every byte both ways."""

    def __init__(self, target):
        self.target = target
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.data = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _pump(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                with self.lock:
                    self.data += d
                b.sendall(d)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            u = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(c, u), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c), daemon=True).start()

    def close(self):
        self.sock.close()


class SaslTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tls_port = rh.free_tcp_port()
        cls.d = rh.RemoteDaemon(conf="", tcp=True)
        tmp = cls.d.tmp
        sasl_dir = sf.sasl_dir(tmp, "digest-md5 scram-sha-256", {"fred": "fredpw", "bob": "bobpw"})
        p = Pki(tmp / "pki")
        ca = p.ca("ca")
        server = p.server("server", ca)
        cls.pkipath = p.pkipath("client", [ca], p.client("client1", ca))
        cls.d.conf_extra = (
            'log_level = 2\nauth_tcp = "sasl"\nlisten_tls = 1\ntls_port = "%d"\nauth_tls = "sasl"\n'
            'ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\n'
            'sasl_allowed_username_list = [ "fred", "fred@*" ]\n' % (cls.tls_port, ca[0], server[0], server[1]))
        sf.start_daemon(cls.d, sasl_dir)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def auth_env(self, user, password):
        return sf.auth_env(self.d, user, password)

    def tcp_uri(self, port=None, mech=None):
        # libvirt's client looks for the mechanism in the server's list as written: upper case
        return "test+tcp://127.0.0.1:%d/default%s" % (port or self.d.port, "?auth=sasl.%s" % mech if mech else "")

    def tls_uri(self, mech):
        return "test+tls://127.0.0.1:%d/default?pkipath=%s&auth=sasl.%s" % (self.tls_port, self.pkipath, mech)

    def virsh(self, uri, cmd, user="fred", password="fredpw"):
        return rh.run_virsh(uri, cmd, env=self.auth_env(user, password))

    def wait_log(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        while text not in self.d.log():
            if time.monotonic() > deadline:
                self.fail("%r not in the daemon's log:\n%s" % (text, self.d.log()[-3000:]))
            time.sleep(0.05)

    def test_digest_md5_over_tcp_encrypts(self):
        proxy = RecordingProxy(("127.0.0.1", self.d.port))
        try:
            r = self.virsh(self.tcp_uri(proxy.port, "DIGEST-MD5"), "dominfo test")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(TEST_UUID, r.stdout)
        finally:
            proxy.close()
        wire = bytes(proxy.data)
        self.assertIn(b"DIGEST-MD5", wire)              # the negotiation is in clear
        self.assertNotIn(TEST_UUID.encode(), wire)      # what follows is not
        self.assertNotIn(b"<domain", wire)
        self.wait_log("authenticated by SASL as fred")

    def test_python_over_tcp(self):
        libvirt = rh.libvirt_module()
        asked = []

        def creds(cred, _):
            for c in cred:
                asked.append(c[0])
                c[4] = {libvirt.VIR_CRED_AUTHNAME: "fred", libvirt.VIR_CRED_PASSPHRASE: "fredpw"}.get(c[0], c[3])
            return 0

        auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE, libvirt.VIR_CRED_REALM], creds, None]
        if True:
            c = libvirt.openAuth(self.tcp_uri(), auth, 0)
            self.assertIn(libvirt.VIR_CRED_PASSPHRASE, asked)
            try:
                self.assertEqual([d.name() for d in c.listAllDomains()], ["test"])
                self.assertTrue(c.isEncrypted())
                # many calls and a large reply through the security layer
                for _ in range(100):
                    c.lookupByName("test")
                self.assertIn("<capabilities>", c.getCapabilities())
            finally:
                c.close()

    def test_volume_upload_and_download_through_the_security_layer(self):
        # DIGEST-MD5 over TCP encrypts: stream packets cross the SASL layer in frames smaller
        # than a packet, and the daemon decodes them straight into the stream's buffer.
        libvirt = rh.libvirt_module()

        def creds(cred, _):
            for c in cred:
                c[4] = {libvirt.VIR_CRED_AUTHNAME: "fred", libvirt.VIR_CRED_PASSPHRASE: "fredpw"}.get(c[0], c[3])
            return 0
        auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE, libvirt.VIR_CRED_REALM], creds, None]
        c = libvirt.openAuth("qemu+tcp://127.0.0.1:%d/session?auth=sasl.DIGEST-MD5" % self.d.port, auth, 0)
        try:
            self.assertTrue(c.isEncrypted())
            sent, on_disk, back = rh.volume_round_trip(c, self.d.tmp / "sasl-pool", 2 * (1 << 20) + 1021)
        finally:
            c.close()
        self.assertTrue(on_disk == sent, "the volume differs from what was uploaded")
        self.assertTrue(back == sent, "the download differs from what was uploaded")

    def test_scram_over_tls(self):
        r = self.virsh(self.tls_uri("SCRAM-SHA-256"), "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("running", r.stdout)

    def test_scram_over_plain_tcp_refused(self):
        # SCRAM has no security layer: not on offer without TLS.
        r = self.virsh(self.tcp_uri(mech="SCRAM-SHA-256"), "list --all")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("SASL mechanism SCRAM-SHA-256 not supported by server", r.stderr)

    def test_wrong_password_refused(self):
        r = self.virsh(self.tcp_uri(mech="DIGEST-MD5"), "list --all", password="wrong")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("authentication failed", r.stderr)
        self.wait_log("SASL authentication of client 127.0.0.1:")
        self.wait_log("failed authentications so far")

    def test_admin_client_info_has_the_sasl_user_name(self):
        # SCRAM over TLS with a client certificate: virt-admin shows both identities
        p = subprocess.Popen([rh.VIRSH, "-c", self.tls_uri("SCRAM-SHA-256")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.auth_env("fred", "fredpw"),
                             text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()
        info = sf.admin_client_info(self, self.d, "tls")
        self.assertRegex(info, r"sasl_user_name\s*: fred(@\S+)?\n")
        self.assertRegex(info, r"tls_x509_dname\s*: \S*CN=client1\n")

    def test_failure_is_paced_without_blocking_others(self):
        # A wrong password is answered after a 1 s pause (libvirtd answers at once and lets the
        # client try again on the same connection); the loop serves others meanwhile.
        env = self.auth_env("fred", "wrong")
        t0 = time.monotonic()
        bad = subprocess.Popen([rh.VIRSH, "-c", self.tcp_uri(mech="DIGEST-MD5"), "list", "--all"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        good = self.virsh(self.tcp_uri(mech="DIGEST-MD5"), "list --all")
        t_good = time.monotonic()
        self.assertEqual(good.returncode, 0, good.stderr)
        out, err = bad.communicate(timeout=20)
        t_bad = time.monotonic()
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("authentication failed", err)
        self.assertGreaterEqual(t_bad - t0, 1.0)
        self.assertLess(t_good, t_bad, "the good client waited for the bad one's pause")

    def test_user_outside_allow_list_refused(self):
        r = self.virsh(self.tcp_uri(mech="DIGEST-MD5"), "list --all", user="bob", password="bobpw")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("authentication failed", r.stderr)
        self.wait_log("is not in sasl_allowed_username_list")


if __name__ == "__main__":
    main()
