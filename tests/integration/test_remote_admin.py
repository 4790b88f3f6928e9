#!/usr/bin/python3
"""test_remote_admin.py: libvirt's admin interface with the real virt-admin on libvirt-admin-sock.

The daemon is remote_harness's (session mode, TCP on loopback); a virsh session held open over
TCP and one over the unix socket are the clients virt-admin looks at: server list, client list,
client info with the peer's identity, client limits read and changed, client disconnect, and
the log filters changed at run time (the daemon's log then shows what the new filter lets
through).
"""

import os
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

VIRT_ADMIN = "/usr/bin/virt-admin"


class AdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(VIRT_ADMIN):
            raise unittest.SkipTest("virt-admin missing (package libvirt-clients)")
        cls.d = rh.RemoteDaemon(tcp=True).start()
        cls.admin_sock = str(Path(cls.d.sock).parent / "libvirt-admin-sock")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def admin(self, *cmd):
        uri = "libvirtd:///session?socket=%s" % self.admin_sock
        return subprocess.run([VIRT_ADMIN, "-c", uri] + list(cmd), env=self.d.client_env(),
                              capture_output=True, text=True, timeout=20)

    def ok(self, *cmd):
        p = self.admin(*cmd)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def hold(self, transport):
        """A virsh shell connected over transport, kept open until the test ends."""
        p = subprocess.Popen([rh.VIRSH, "-c", self.d.uri(transport)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.d.client_env(), text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()     # the table's header: the connection is open
        return p

    def client_ids(self, server="libvirtd"):
        """{id: transport} of the server's clients as srv-clients-list prints them."""
        rows = [line.split() for line in self.ok("srv-clients-list", server).splitlines()[2:] if line.strip()]
        return {int(r[0]): r[1] for r in rows}

    def test_socket_is_root_only(self):
        st = os.stat(self.admin_sock)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)

    def test_server_list(self):
        rows = [line.split() for line in self.ok("srv-list").splitlines()[2:] if line.strip()]
        self.assertEqual([r[1] for r in rows], ["libvirtd", "admin"])

    def test_clients_with_identity(self):
        before = set(self.client_ids())
        tcp = self.hold("tcp")
        unix = self.hold("unix")
        new = {i: t for i, t in self.client_ids().items() if i not in before}
        self.assertEqual(sorted(new.values()), ["tcp", "unix"])
        by_transport = {t: i for i, t in new.items()}
        info = dict(line.split(":", 1) for line in self.ok("client-info", "libvirtd",
                                                           str(by_transport["unix"])).splitlines() if ":" in line)
        info = {k.strip(): v.strip() for k, v in info.items()}
        self.assertEqual(info["transport"], "unix")
        self.assertEqual(info["unix_user_id"], str(os.getuid()))
        self.assertEqual(info["unix_process_id"], str(unix.pid))
        self.assertEqual(info["readonly"], "no")
        info = self.ok("client-info", "libvirtd", str(by_transport["tcp"]))
        self.assertRegex(info, r"sock_addr\s*: 127\.0\.0\.1:\d+")
        self.assertNotIn("unix_user_id", info)
        # The admin client itself is on the "admin" server, not among libvirtd's.
        self.assertEqual(set(self.client_ids("admin").values()), {"unix"})
        del tcp

    def test_client_disconnect(self):
        before = set(self.client_ids())
        p = self.hold("tcp")
        (cid,) = [i for i in self.client_ids() if i not in before]
        self.assertIn("disconnected", self.ok("client-disconnect", "libvirtd", str(cid)))
        self.assertNotIn(cid, self.client_ids())
        p.stdin.write("list --all\n")
        p.stdin.flush()
        deadline = time.monotonic() + 10
        err = ""
        while "I/O error" not in err and time.monotonic() < deadline:
            err += p.stderr.readline()
        self.assertIn("I/O error", err)
        q = self.admin("client-info", "libvirtd", str(cid))
        self.assertNotEqual(q.returncode, 0)
        self.assertIn("no client with matching id '%d'" % cid, q.stderr)

    def test_client_limits(self):
        out = self.ok("srv-clients-info", "libvirtd")
        self.assertRegex(out, r"nclients_max\s*: 5000")
        self.ok("srv-clients-set", "libvirtd", "--max-clients", "42")
        self.addCleanup(self.ok, "srv-clients-set", "libvirtd", "--max-clients", "5000")
        self.assertRegex(self.ok("srv-clients-info", "libvirtd"), r"nclients_max\s*: 42")
        p = self.admin("srv-clients-set", "libvirtd", "--max-clients", "0")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nclients_max must be at least 1", p.stderr)
        self.assertRegex(self.ok("srv-clients-info", "libvirtd"), r"nclients_max\s*: 42")

    def test_log_filters_at_run_time(self):
        self.assertEqual(self.ok("daemon-log-filters").strip(), "Logging filters:")
        self.ok("daemon-log-filters", "1:remote")
        self.addCleanup(self.ok, "daemon-log-filters", "")
        self.assertEqual(self.ok("daemon-log-filters").strip(), "Logging filters: 1:remote")
        # The filter works at once: the remote module's debug messages reach the log.
        self.d.virsh("tcp", "list --all")
        self.assertIn("debug : remote:", self.d.log())
        p = self.admin("daemon-log-filters", "9:remote")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(self.ok("daemon-log-filters").strip(), "Logging filters: 1:remote")
        self.assertEqual(self.ok("daemon-log-outputs").strip(), "Logging outputs: 3:stderr")

    def test_update_tls_without_tls(self):
        p = self.admin("srv-update-tls", "libvirtd")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("has no TLS listener", p.stderr)


if __name__ == "__main__":
    main()
