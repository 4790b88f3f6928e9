"""test_remote_gssapi.py: SASL GSSAPI (Kerberos) with a real MIT KDC, virsh over qemu+tcp-style URIs.

The test runs in a private network and mount namespace (it re-executes itself under
`unshare -n -m -u`, loopback up, host name host1.virtbus.test, an /etc/hosts of its own that
says so). It makes a realm VIRTBUS.TEST with kdb5_util and kadmin.local
(krb5-kdc, krb5-admin-server) in a temporary directory, starts krb5kdc on 127.0.0.1 in that
namespace, adds the service principal libvirt/host1.virtbus.test (libvirt's client asks for
service "libvirt" at the URI's host; cyrus-sasl's server accepts for its own host name) with a keytab for the daemon, and users fred and bob with
passwords. The daemon's private $SASL_CONF_PATH/libvirt.conf says `mech_list: gssapi` and
`keytab: <that keytab>` (cyrus-sasl's GSSAPI plugin, libsasl2-modules-gssapi-mit). KRB5_CONFIG
points daemon and clients at the realm's krb5.conf; nothing under /etc is read or changed.

fred (kinit) lists domains over plain TCP: GSSAPI negotiates a security layer, so
auth_tcp = "sasl" accepts it; bob has a ticket too but is outside sasl_allowed_username_list;
a client without a ticket is refused.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

NS_ENV = "VIRTBUS_GSSAPI_NS"
REALM = "VIRTBUS.TEST"
KDC_PORT = 8888
HOST = "host1.virtbus.test"     # the daemon's host name in the test's UTS namespace


def enter_namespace():
    """A private network, mount and UTS namespace: loopback up, the host name HOST, and an
    /etc/hosts (bind-mounted over the real one, in this namespace only) where HOST is 127.0.0.1."""
    if os.environ.get(NS_ENV) == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(["hostname", HOST], check=True)
        hosts = Path(tempfile.mkdtemp(prefix="virtbus-gssapi-hosts-")) / "hosts"
        hosts.write_text("127.0.0.1 localhost %s\n" % HOST)
        subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
        return
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-n", "-m", "-u", "--propagation", "private", sys.executable] + sys.argv, env)


if __name__ == "__main__":
    enter_namespace()

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

NEEDED = {"/usr/sbin/krb5kdc": "krb5-kdc", "/usr/sbin/kdb5_util": "krb5-kdc",
          "/usr/sbin/kadmin.local": "krb5-admin-server", "/usr/bin/kinit": "krb5-user",
          "/usr/lib/x86_64-linux-gnu/sasl2/libgssapiv2.so": "libsasl2-modules-gssapi-mit"}


class Realm:
    """A KDC for REALM in dir, and the environment that points Kerberos at it."""

    def __init__(self, d):
        self.dir = d
        self.krb5_conf = d / "krb5.conf"
        self.kdc_conf = d / "kdc.conf"
        self.krb5_conf.write_text(
            "[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n dns_lookup_realm = false\n"
            " rdns = false\n dns_canonicalize_hostname = false\n udp_preference_limit = 1\n"
            "[realms]\n %s = {\n  kdc = 127.0.0.1:%d\n }\n" % (REALM, REALM, KDC_PORT))
        self.kdc_conf.write_text(
            "[kdcdefaults]\n kdc_ports = %d\n kdc_tcp_ports = %d\n"
            "[realms]\n %s = {\n  database_name = %s/principal\n  key_stash_file = %s/stash\n"
            "  acl_file = %s/kadm5.acl\n }\n[logging]\n kdc = FILE:%s/kdc.log\n"
            % (KDC_PORT, KDC_PORT, REALM, d, d, d, d))
        (d / "kadm5.acl").write_text("")
        self.env = dict(os.environ, KRB5_CONFIG=str(self.krb5_conf), KRB5_KDC_PROFILE=str(self.kdc_conf))
        self.env.pop("KRB5CCNAME", None)
        self.env.pop("KRB5_KTNAME", None)
        self.run(["/usr/sbin/kdb5_util", "create", "-s", "-r", REALM, "-P", "masterpw"])
        self.kdc = subprocess.Popen(["/usr/sbin/krb5kdc", "-n", "-r", REALM], env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not (d / "kdc.log").exists() or "commencing operation" not in (d / "kdc.log").read_text():
            if self.kdc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("krb5kdc did not start: %s" % ((d / "kdc.log").read_text()
                                                                  if (d / "kdc.log").exists() else "no log"))
            time.sleep(0.05)

    def run(self, argv, **kw):
        r = subprocess.run(argv, env=self.env, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            raise RuntimeError("%s: %s%s" % (argv[0], r.stdout, r.stderr))
        return r

    def kadmin(self, query):
        return self.run(["/usr/sbin/kadmin.local", "-r", REALM, "-q", query])

    def kinit(self, user, password, ccache):
        subprocess.run(["/usr/bin/kinit", "%s@%s" % (user, REALM)], input=password + "\n", text=True,
                       capture_output=True, check=True, env=dict(self.env, KRB5CCNAME="FILE:%s" % ccache))

    def stop(self):
        self.kdc.terminate()
        self.kdc.wait(10)


class GssapiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for path, pkg in NEEDED.items():
            if not os.path.exists(path):
                raise unittest.SkipTest("%s missing (package %s)" % (path, pkg))
        cls.tmp = Path(tempfile.mkdtemp(prefix="virtbus-gssapi-"))
        cls.realm = Realm(cls.tmp)
        keytab = cls.tmp / "libvirt.keytab"
        # cyrus-sasl's server side accepts for service@<its host name>, as libvirtd's does
        cls.realm.kadmin("addprinc -randkey libvirt/%s" % HOST)
        cls.realm.kadmin("ktadd -k %s libvirt/%s" % (keytab, HOST))
        os.chmod(keytab, 0o600)
        for user in ("fred", "bob"):
            cls.realm.kadmin("addprinc -pw %spw %s" % (user, user))
            cls.realm.kinit(user, user + "pw", cls.tmp / ("ccache-" + user))
        sasl_dir = cls.tmp / "sasl2"
        sasl_dir.mkdir()
        (sasl_dir / "libvirt.conf").write_text("mech_list: gssapi\nkeytab: %s\n" % keytab)
        cls.d = rh.RemoteDaemon(conf='log_level = 2\nauth_tcp = "sasl"\nsasl_allowed_username_list = [ "fred" ]\n',
                                tcp=True)
        saved = {k: os.environ.get(k) for k in ("SASL_CONF_PATH", "KRB5_CONFIG")}
        os.environ.update(SASL_CONF_PATH=str(sasl_dir), KRB5_CONFIG=str(cls.realm.krb5_conf))
        try:
            cls.d.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.realm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def virsh(self, user, cmd):
        env = self.d.client_env()
        env["KRB5_CONFIG"] = str(self.realm.krb5_conf)
        env["KRB5CCNAME"] = "FILE:%s" % (self.tmp / ("ccache-" + user))
        # libvirt's client asks for a ticket to libvirt/<the URI's host>
        return rh.run_virsh("test+tcp://%s:%d/default" % (HOST, self.d.port), cmd, env=env)

    def test_kerberos_user_lists_domains_over_tcp(self):
        r = self.virsh("fred", "list --all")
        self.assertEqual(r.returncode, 0, r.stderr + self.d.log()[-2000:])
        self.assertIn("test", r.stdout)
        log = self.d.log()
        # cyrus-sasl names a principal of the server's default realm without the realm, as for libvirtd
        self.assertIn("authenticated by SASL as fred (SSF ", log)
        # GSSAPI's security layer (plain TCP needs SSF >= 56)
        ssf = int(log.split("authenticated by SASL as fred (SSF ")[1].split(")")[0])
        self.assertGreaterEqual(ssf, 56)

    def test_principal_outside_allow_list_refused(self):
        r = self.virsh("bob", "list --all")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("authentication failed", r.stderr)
        self.assertIn("user bob is not in sasl_allowed_username_list", self.d.log())

    def test_no_ticket_refused(self):
        r = self.virsh("nobody", "list --all")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        # the client finds no credentials and gives up before any step reaches the daemon
        self.assertIn("authentication failed", r.stderr)
        self.assertIn("No Kerberos credentials available", r.stderr)


if __name__ == "__main__":
    main()
