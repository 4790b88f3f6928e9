"""pki.py: a private PKI made with certtool (gnutls-bin) for the TLS tests.

Pki(dir).ca("ca") makes a self-signed CA; .server(...) and .client(...) certificates it issues,
with the key usages libvirt's sanity checks want; .crl(...) revokes some. pkipath(...) lays out
a directory in the shape libvirt's clients read with ?pkipath= (cacert.pem, clientcert.pem,
clientkey.pem).
"""

import shutil
import subprocess
from pathlib import Path

CERTTOOL = shutil.which("certtool") or "/usr/bin/certtool"


class Pki:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)

    def _run(self, *args):
        subprocess.run([CERTTOOL, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def key(self, name):
        path = self.dir / (name + "-key.pem")
        # RSA, as libvirt's checks want key encipherment (certtool gives ECDSA keys no such usage);
        # 2048 bits to keep the test fast.
        self._run("--generate-privkey", "--key-type", "rsa", "--bits", "2048", "--outfile", str(path))
        path.chmod(0o600)
        return path

    def _template(self, name, lines):
        path = self.dir / (name + ".info")
        path.write_text("\n".join(lines) + "\n")
        return path

    def ca(self, name, cn=None):
        key = self.key(name)
        tpl = self._template(name, ['cn = "%s"' % (cn or name), "ca", "cert_signing_key", "crl_signing_key",
                                    "expiration_days = 30"])
        cert = self.dir / (name + "-cert.pem")
        self._run("--generate-self-signed", "--load-privkey", str(key), "--template", str(tpl),
                  "--outfile", str(cert))
        return cert, key

    def _issue(self, name, ca, lines):
        key = self.key(name)
        tpl = self._template(name, lines)
        cert = self.dir / (name + "-cert.pem")
        self._run("--generate-certificate", "--load-privkey", str(key), "--load-ca-certificate", str(ca[0]),
                  "--load-ca-privkey", str(ca[1]), "--template", str(tpl), "--outfile", str(cert))
        return cert, key

    @staticmethod
    def _validity(expired):
        if expired:
            return ['activation_date = "2020-01-01 00:00:00"', 'expiration_date = "2020-02-01 00:00:00"']
        return ["expiration_days = 30"]

    def server(self, name, ca, host="127.0.0.1", expired=False):
        return self._issue(name, ca, ["organization = virtbus", 'cn = "%s"' % host, "ip_address = %s" % host,
                                      "dns_name = localhost", "tls_www_server", "encryption_key", "signing_key"]
                           + self._validity(expired))

    def client(self, name, ca, cn=None, expired=False, serial=None):
        lines = ["country = GB", "state = London", "locality = London", "organization = virtbus",
                 'cn = "%s"' % (cn or name), "tls_www_client", "encryption_key", "signing_key"]
        if serial is not None:
            lines.append("serial = %d" % serial)
        return self._issue(name, ca, lines + self._validity(expired))

    def crl(self, name, ca, revoked):
        """A CRL of ca revoking the certificates in revoked (paths)."""
        bundle = self.dir / (name + "-revoked.pem")
        bundle.write_text("".join(Path(p).read_text() for p in revoked))
        tpl = self._template(name, ["crl_next_update = 30", "crl_number = 1"])
        out = self.dir / (name + ".pem")
        self._run("--generate-crl", "--load-ca-privkey", str(ca[1]), "--load-ca-certificate", str(ca[0]),
                  "--load-certificate", str(bundle), "--template", str(tpl), "--outfile", str(out))
        return out

    def pkipath(self, name, cas, cert):
        """A client's ?pkipath= directory: cacert.pem (every CA in cas), clientcert.pem, clientkey.pem."""
        d = self.dir / name
        d.mkdir(exist_ok=True)
        (d / "cacert.pem").write_text("".join(Path(c[0]).read_text() for c in cas))
        shutil.copy(cert[0], d / "clientcert.pem")
        shutil.copy(cert[1], d / "clientkey.pem")
        (d / "clientkey.pem").chmod(0o600)
        return d
