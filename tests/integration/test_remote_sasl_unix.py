"""test_remote_sasl_unix.py: SASL on the unix sockets (auth_unix_rw / auth_unix_ro = "sasl"), real virsh, python3-libvirt and virt-admin.

The daemon listens on its unix sockets only, with a private $SASL_CONF_PATH/libvirt.conf
(mech_list: scram-sha-256 digest-md5 plain anonymous) and a sasldb made with saslpasswd2 -a
libvirt (sasl_fixture.py). As libvirtd 9.0 does: a unix socket counts as secure, so no security
layer is asked for (SCRAM-SHA-256 works, which plain TCP refuses) and mech_list alone decides
what is offered (PLAIN, ANONYMOUS: the user "anonymous"), auth_list answers SASL on both
sockets, root is not let in without SASL (polkit's root shortcut is polkit's only), the SASL user
name is what sasl_allowed_username_list checks, and the read-only socket stays read-only.
"""

import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
import sasl_fixture as sf  # noqa: E402
from testmain import main  # noqa: E402

REMOTE_AUTH_NONE = 0
REMOTE_AUTH_SASL = 1
PROC_AUTH_SASL_INIT = 67


class SaslUnixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = rh.RemoteDaemon(conf="", tcp=False)
        sasl_dir = sf.sasl_dir(cls.d.tmp, "scram-sha-256 digest-md5 plain anonymous",
                               {"fred": "fredpw", "bob": "bobpw"})
        cls.d.conf_extra = ('log_level = 2\nauth_unix_rw = "sasl"\nauth_unix_ro = "sasl"\n'
                            'sasl_allowed_username_list = [ "fred", "fred@*" ]\n')
        sf.start_daemon(cls.d, sasl_dir)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def uri(self, transport="unix", mech="SCRAM-SHA-256"):
        return self.d.uri(transport) + "&auth=sasl.%s" % mech

    def virsh(self, cmd, user="fred", password="fredpw", transport="unix", mech="SCRAM-SHA-256"):
        return rh.run_virsh(self.uri(transport, mech), cmd, env=sf.auth_env(self.d, user, password))

    def open_auth(self, user, password, transport="unix", flags=0):
        libvirt = rh.libvirt_module()
        asked = []

        def creds(cred, _):
            for c in cred:
                asked.append(c[0])
                c[4] = {libvirt.VIR_CRED_AUTHNAME: user, libvirt.VIR_CRED_PASSPHRASE: password}.get(c[0], c[3])
            return 0

        auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], creds, None]
        conn = libvirt.openAuth(self.uri(transport), auth, flags)
        self.addCleanup(conn.close)
        self.assertIn(libvirt.VIR_CRED_PASSPHRASE, asked)
        return conn

    def test_auth_list_answers_sasl_on_both_sockets(self):
        for transport in ("unix", "ro"):
            with rh.RawClient(self.d.addr(transport)) as c:
                p = c.call(rh.PROC_AUTH_LIST)
                self.assertEqual(p.status, rh.OK)
                u = rh.Unpacker(p.payload)
                self.assertEqual([u.int() for _ in range(u.uint())], [REMOTE_AUTH_SASL], transport)
                # root included: nothing but the auth procedures before SASL succeeds
                p = c.call(rh.PROC_CONNECT_OPEN, rh.p_opt_string("test:///default") + rh.p_uint(0))
                self.assertNotEqual(p.status, rh.OK)
                self.assertEqual(rh.parse_remote_error(p.payload).message, "authentication required")

    def test_mechanisms_on_offer(self):
        # as libvirtd 9.0 on a unix socket: no SSF floor, and plaintext or anonymous ones when
        # mech_list names them (libvirtd answers "SCRAM-SHA-256,PLAIN,ANONYMOUS" to that list)
        with rh.RawClient(self.d.addr("unix")) as c:
            p = c.call(PROC_AUTH_SASL_INIT)
            self.assertEqual(p.status, rh.OK)
            mechs = rh.Unpacker(p.payload).string().split(",")
        self.assertEqual(sorted(mechs), ["ANONYMOUS", "DIGEST-MD5", "PLAIN", "SCRAM-SHA-256"])

    def test_anonymous_meets_the_allow_list(self):
        r = self.virsh("list --all", mech="ANONYMOUS")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("error: authentication failed: authentication failed", r.stderr)
        self.assertIn("user anonymous is not in sasl_allowed_username_list", self.d.log())

    def test_virsh_with_an_auth_file(self):
        # SCRAM-SHA-256 and PLAIN have no security layer, and DIGEST-MD5 needs none here
        for mech in ("SCRAM-SHA-256", "DIGEST-MD5", "PLAIN"):
            with self.subTest(mech=mech):
                r = self.virsh("list --all", mech=mech)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"1\s+test\s+running")
        self.assertIn("authenticated by SASL as fred", self.d.log())
        self.assertIn("(SSF 0, on a unix socket)", self.d.log())

    def test_python_open_auth(self):
        conn = self.open_auth("fred", "fredpw")
        self.assertEqual([d.name() for d in conn.listAllDomains()], ["test"])
        self.assertEqual(conn.isSecure(), 1)
        conn.lookupByName("test").suspend()
        conn.lookupByName("test").resume()

    def assert_refused(self, user, password):
        """virsh and python3-libvirt both get libvirt's "authentication failed"."""
        r = self.virsh("list --all", user=user, password=password)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("error: authentication failed: authentication failed", r.stderr)
        libvirt = rh.libvirt_module()
        with self.assertRaises(libvirt.libvirtError) as e:
            self.open_auth(user, password)
        self.assertEqual(e.exception.get_error_code(), libvirt.VIR_ERR_AUTH_FAILED)
        self.assertIn("authentication failed", str(e.exception))

    def test_wrong_password_refused(self):
        self.assert_refused("fred", "wrong")
        self.assertIn("SASL authentication of client pid ", self.d.log())

    def test_user_outside_allow_list_refused(self):
        self.assert_refused("bob", "bobpw")
        self.assertIn("user bob", self.d.log())
        self.assertIn("is not in sasl_allowed_username_list", self.d.log())

    def test_read_only_socket_stays_read_only(self):
        r = self.virsh("list --all", transport="ro")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test", r.stdout)
        r = self.virsh("destroy test", transport="ro")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("operation forbidden: read only access prevents virDomainDestroy", r.stderr)
        conn = self.open_auth("fred", "fredpw", transport="ro")
        libvirt = rh.libvirt_module()
        with self.assertRaises(libvirt.libvirtError) as e:
            conn.lookupByName("test").suspend()
        self.assertEqual(e.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED)

    def test_admin_client_info_has_the_sasl_user_name(self):
        p = subprocess.Popen([rh.VIRSH, "-c", self.uri()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=sf.auth_env(self.d, "fred", "fredpw"), text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()         # connected and authenticated once virsh answers
        info = sf.admin_client_info(self, self.d, "unix")
        self.assertRegex(info, r"sasl_user_name\s*: fred(@\S+)?\n")
        self.assertRegex(info, r"readonly\s*: no\n")
        self.assertRegex(info, r"unix_user_id\s*: 0\n")
        self.assertRegex(info, r"unix_process_id\s*: %d\n" % p.pid)



class PerSocketTest(unittest.TestCase):
    """polkit and sasl are alternatives per socket: auth_unix_rw = "sasl" asks root for SASL even
    with access_drivers = [ "polkit" ] (whose root shortcut is polkit's), auth_unix_ro =
    "polkit" lets root in at once (auth_list answers none)."""

    @classmethod
    def setUpClass(cls):
        cls.d = rh.RemoteDaemon(conf="", tcp=False)
        sasl_dir = sf.sasl_dir(cls.d.tmp, "scram-sha-256", {"fred": "fredpw"})
        cls.d.conf_extra = 'auth_unix_rw = "sasl"\nauth_unix_ro = "polkit"\naccess_drivers = [ "polkit" ]\n'
        sf.start_daemon(cls.d, sasl_dir)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def auth_list(self, transport):
        with rh.RawClient(self.d.addr(transport)) as c:
            p = c.call(rh.PROC_AUTH_LIST)
            self.assertEqual(p.status, rh.OK)
            u = rh.Unpacker(p.payload)
            return [u.int() for _ in range(u.uint())]

    def test_each_socket_its_own_auth(self):
        self.assertEqual(self.auth_list("unix"), [REMOTE_AUTH_SASL])
        self.assertEqual(self.auth_list("ro"), [REMOTE_AUTH_NONE])
        r = rh.run_virsh(self.d.uri("unix") + "&auth=sasl.SCRAM-SHA-256", "uri",
                         env=sf.auth_env(self.d, "fred", "wrong"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("error: authentication failed: authentication failed", r.stderr)

if __name__ == "__main__":
    main()
