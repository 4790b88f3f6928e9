#!/usr/bin/python3
"""test_remote_ssh.py: qemu+ssh:// and test+ssh:// through a real sshd, with libvirt's own client path.

A private sshd (openssh-server) listens on a loopback port inside its own network namespace
(`unshare -n`, lo up), with a host key and authorized keys made here. virsh runs in that
namespace too (nsenter) and reaches virtbusd as libvirt 9.0's client does: ssh runs `nc -U
SOCKET` (proxy=netcat, the socket= parameter) or `virt-ssh-helper URI` (proxy=native, the
default socket path: the daemon's socket directory is bind-mounted on /run/libvirt in sshd's
mount namespace) on the far side. The daemon is `virtbusd --system` with auth_unix_rw =
"polkit" beside a real polkitd (polkit_harness.py): root over ssh is served at once; a non-root
ssh user is checked by polkit as on the unix socket: "daemon" (allowed by the test rule) lists
domains, "nobody" is refused with libvirt's polkit error. Those users get a login shell in a
private copy of /etc/passwd bind-mounted in sshd's namespace only.
"""

import os
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polkit_harness as ph  # noqa: E402

ph.enter_namespace()

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
SSH_PORT = 2222     # inside sshd's own network namespace: no other listener can be there

SSHD_RUN = """set -e
ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -m 0755 /run/sshd /run/libvirt
mount --bind "$SOCK_DIR" /run/libvirt
mount --bind "$PASSWD" /etc/passwd
exec {sshd} -D -e -f "$SSHD_CONFIG"
""".format(sshd=SSHD)

SSHD_CONFIG = """Port {port}
ListenAddress 127.0.0.1
HostKey {tmp}/ssh_host_ed25519_key
AuthorizedKeysFile {tmp}/authorized/%u
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
PidFile none
"""


class SshTest(unittest.TestCase):
    world = None
    sshd = None

    @classmethod
    def setUpClass(cls):
        for prog in (SSHD, SSH_KEYGEN, "/usr/bin/nc", "/usr/bin/virt-ssh-helper"):
            if not os.path.exists(prog):
                raise unittest.SkipTest("%s missing (scripts/setup.sh installs it)" % prog)
        cls.world = ph.PolkitWorld(conf='auth_unix_rw = "polkit"\nauth_unix_ro = "polkit"\n')
        try:
            cls.world.start()
            cls.start_sshd()
        except Exception:
            print(cls.world.log(), cls.world.log("sshd"), file=sys.stderr)
            cls.tearDownClass()
            raise

    @classmethod
    def start_sshd(cls):
        tmp = cls.world.tmp / "ssh"
        tmp.mkdir(mode=0o755)
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "ssh_host_ed25519_key")],
                       check=True)
        cls.keyfile = tmp / "client_key"
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(cls.keyfile)], check=True)
        (tmp / "authorized").mkdir(mode=0o755)
        pub = (tmp / "client_key.pub").read_text()
        for user in ("root", "daemon", "nobody"):
            (tmp / "authorized" / user).write_text(pub)
            os.chmod(tmp / "authorized" / user, 0o644)
        # Login shells and homes for the two non-root users, in sshd's namespace only.
        lines = []
        for line in Path("/etc/passwd").read_text().splitlines():
            f = line.split(":")
            if f[0] in ("daemon", "nobody"):
                f[5] = str(cls.world.tmp / ("home-" + f[0]))
                f[6] = "/bin/sh"
            lines.append(":".join(f))
        (tmp / "passwd").write_text("\n".join(lines) + "\n")
        os.chmod(tmp / "passwd", 0o644)
        (tmp / "sshd_config").write_text(SSHD_CONFIG.format(port=SSH_PORT, tmp=tmp))
        cls.client_home = tmp / "client-home"
        cls.client_home.mkdir(mode=0o700)
        env = dict(os.environ, SOCK_DIR=str(cls.world.sock_dir), PASSWD=str(tmp / "passwd"),
                   SSHD_CONFIG=str(tmp / "sshd_config"))
        env.pop(ph.NS_ENV, None)
        with open(cls.world.tmp / "sshd.log", "w") as log:
            cls.sshd = subprocess.Popen(["unshare", "-n", "-m", "--propagation", "private", "sh", "-c", SSHD_RUN],
                                        env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while "Server listening" not in cls.world.log("sshd"):
            if cls.sshd.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sshd did not start: %s" % cls.world.log("sshd"))
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        if cls.sshd:
            cls.sshd.terminate()
            cls.sshd.wait(10)
            cls.sshd = None
        if cls.world:
            cls.world.stop()
            cls.world = None

    def sshd_pid(self):
        """sshd itself (the unshare'd shell exec'd it): its network namespace is the one to enter."""
        return self.sshd.pid

    def uri(self, scheme, user, path, **params):
        q = dict(keyfile=str(self.keyfile), no_verify="1")
        q.update(params)
        return "%s+ssh://%s@127.0.0.1:%d%s?%s" % (scheme, user, SSH_PORT, path,
                                                   "&".join("%s=%s" % kv for kv in q.items()))

    def virsh(self, uri, *cmd):
        env = dict(os.environ, HOME=str(self.client_home), LC_ALL="C")
        for var in (ph.NS_ENV, "LIBVIRT_DEFAULT_URI", "SSH_AUTH_SOCK"):
            env.pop(var, None)
        return subprocess.run(["nsenter", "-t", str(self.sshd_pid()), "-n", "virsh", "-q", "-c", uri] + list(cmd),
                              env=env, capture_output=True, text=True, timeout=60)

    def assertLists(self, p):
        self.assertEqual(p.returncode, 0, p.stderr + self.world.log("sshd")[-2000:])
        self.assertEqual(p.stdout.split(), ["1", "test", "running"])

    def test_root_netcat_socket_parameter(self):
        sock = self.world.sock_dir / "libvirt-sock"
        self.assertLists(self.virsh(self.uri("test", "root", "/default", socket=sock, proxy="netcat"),
                                    "list", "--all"))

    def test_root_auto_proxy(self):
        # libvirt's default (proxy=auto): virt-ssh-helper when the far side has it, else nc.
        sock = self.world.sock_dir / "libvirt-sock"
        self.assertLists(self.virsh(self.uri("test", "root", "/default", socket=sock), "list", "--all"))

    def test_root_virt_ssh_helper_default_socket(self):
        # proxy=native: virt-ssh-helper on the far side finds /run/libvirt/libvirt-sock by itself.
        self.assertLists(self.virsh(self.uri("test", "root", "/default", proxy="native"), "list", "--all"))

    def test_qemu_system(self):
        # The QEMU connection of the system daemon, through virt-ssh-helper's default socket.
        p = self.virsh(self.uri("qemu", "root", "/system", proxy="native"), "nodeinfo")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("CPU(s):", p.stdout)
        p = self.virsh(self.uri("qemu", "root", "/system", proxy="netcat",
                                socket=self.world.sock_dir / "libvirt-sock"), "list", "--all")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_non_root_user_allowed_by_polkit(self):
        sock = self.world.sock_dir / "libvirt-sock"
        self.assertLists(self.virsh(self.uri("test", "daemon", "/default", socket=sock, proxy="netcat"),
                                    "list", "--all"))

    def test_non_root_user_refused_by_polkit(self):
        sock = self.world.sock_dir / "libvirt-sock"
        p = self.virsh(self.uri("test", "nobody", "/default", socket=sock, proxy="netcat"), "list", "--all")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no polkit agent available to authenticate action 'org.libvirt.unix.manage'", p.stderr)


if __name__ == "__main__":
    import testmain  # noqa: E402
    testmain.main()
