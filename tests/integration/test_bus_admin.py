#!/usr/bin/python3
"""test_bus_admin.py: org.libvirt.virtbus.Admin at /org/libvirt/admin with busctl and gdbus.

The daemon is remote_harness's (session bus of its own, TCP on loopback). Virsh sessions held
open over TCP and the unix socket are the clients looked at; virt-admin on libvirt-admin-sock
is asked the same things, and must see what D-Bus changed (the two doors share one
administration). The polkit side (org.libvirt.virtbus.admin on the system bus) is in
test_polkit.py.
"""

import json
import os
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

VIRT_ADMIN = "/usr/bin/virt-admin"
PATH = "/org/libvirt/admin"
IFACE = "org.libvirt.virtbus.Admin"


class BusAdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = rh.RemoteDaemon(tcp=True).start()
        cls.admin_sock = str(Path(cls.d.sock).parent / "libvirt-admin-sock")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def busctl(self, method, *args, ok=True):
        p = subprocess.run(["busctl", "--address=" + self.d.bus_address, "--json=short", "call", "org.libvirt",
                            PATH, IFACE, method] + [str(a) for a in args], capture_output=True, text=True, timeout=20)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr)
            return json.loads(p.stdout)["data"] if p.stdout.strip() else None
        self.assertNotEqual(p.returncode, 0, p.stdout)
        return p.stderr

    def virt_admin(self, *cmd):
        uri = "libvirtd:///session?socket=%s" % self.admin_sock
        p = subprocess.run([VIRT_ADMIN, "-c", uri] + list(cmd), env=self.d.client_env(), capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def hold(self, transport):
        p = subprocess.Popen([rh.VIRSH, "-c", self.d.uri(transport)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.d.client_env(), text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()
        return p

    def clients(self):
        """{id: (transport, {field: value})} of libvirtd's clients over D-Bus."""
        (rows,) = self.busctl("ListClients", "s", "libvirtd")
        return {r[0]: (r[2], {k: v["data"] for k, v in r[3].items()}) for r in rows}

    def test_servers(self):
        self.assertEqual(self.busctl("ListServers"), [["libvirtd", "admin"]])
        p = subprocess.run(["gdbus", "call", "--address", self.d.bus_address, "--dest", "org.libvirt",
                            "--object-path", PATH, "--method", IFACE + ".ListServers"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(p.stdout.strip(), "(['libvirtd', 'admin'],)", p.stderr)

    def test_clients_with_identity(self):
        before = set(self.clients())
        unix = self.hold("unix")
        self.hold("tcp")
        new = {i: c for i, c in self.clients().items() if i not in before}
        by_transport = {c[0]: (i, c[1]) for i, c in new.items()}
        self.assertEqual(sorted(by_transport), [0, 1])        # unix, tcp
        uid, info = by_transport[0]
        self.assertEqual(info["unix_user_id"], os.getuid())
        self.assertEqual(info["unix_process_id"], unix.pid)
        self.assertIs(info["readonly"], False)
        tid, tinfo = by_transport[1]
        self.assertRegex(tinfo["sock_addr"], r"^127\.0\.0\.1:\d+$")
        self.assertNotIn("unix_user_id", tinfo)
        # ClientInfo says the same, and so does virt-admin: one administration behind both doors
        (one,) = self.busctl("ClientInfo", "st", "libvirtd", uid)
        self.assertEqual({k: v["data"] for k, v in one.items()}, info)
        self.assertRegex(self.virt_admin("client-info", "libvirtd", str(uid)), r"unix_process_id\s*: %d\n" % unix.pid)
        listed = self.virt_admin("srv-clients-list", "libvirtd")
        for i in new:
            self.assertRegex(listed, r"(?m)^\s*%d\s" % i)
        err = self.busctl("ClientInfo", "st", "libvirtd", 999999, ok=False)
        self.assertIn("no client with matching id '999999'", err)
        err = self.busctl("ListClients", "s", "nosuch", ok=False)
        self.assertIn("no server with matching name 'nosuch'", err)

    def test_disconnect(self):
        before = set(self.clients())
        p = self.hold("tcp")
        (cid,) = [i for i in self.clients() if i not in before]
        self.busctl("DisconnectClient", "st", "libvirtd", cid)
        self.assertNotIn(cid, self.clients())
        p.stdin.write("list --all\n")
        p.stdin.flush()
        deadline = time.monotonic() + 10
        err = ""
        while "I/O error" not in err and time.monotonic() < deadline:
            err += p.stderr.readline()
        self.assertIn("I/O error", err)
        self.assertIn("no client with matching id", self.busctl("DisconnectClient", "st", "libvirtd", cid, ok=False))

    def test_client_limits(self):
        (lim,) = self.busctl("GetClientLimits", "s", "libvirtd")
        self.assertEqual(lim["nclients_max"], {"type": "u", "data": 5000})
        self.assertEqual(set(lim), {"nclients_max", "nclients", "nclients_unauth_max", "nclients_unauth"})
        self.busctl("SetClientLimits", "sa{sv}", "libvirtd", 1, "nclients_max", "u", 42)
        self.addCleanup(self.busctl, "SetClientLimits", "sa{sv}", "libvirtd", 1, "nclients_max", "u", 5000)
        self.assertRegex(self.virt_admin("srv-clients-info", "libvirtd"), r"nclients_max\s*: 42")
        # refused, and nothing changes: a bad value, a wrong type, a read-only limit
        self.assertIn("nclients_max must be at least 1",
                      self.busctl("SetClientLimits", "sa{sv}", "libvirtd", 2, "nclients_max", "u", 7,
                                  "nclients_unauth_max", "u", 8, ok=False))
        self.assertIn("must be an unsigned 32-bit integer",
                      self.busctl("SetClientLimits", "sa{sv}", "libvirtd", 1, "nclients_max", "s", "9", ok=False))
        self.assertIn("unknown or read-only client limit 'nclients'",
                      self.busctl("SetClientLimits", "sa{sv}", "libvirtd", 1, "nclients", "u", 9, ok=False))
        (lim,) = self.busctl("GetClientLimits", "s", "libvirtd")
        self.assertEqual(lim["nclients_max"]["data"], 42)
        self.assertEqual(lim["nclients_unauth_max"]["data"], 20)

    def test_log_filters_and_outputs(self):
        self.assertEqual(self.busctl("GetLogFilters"), [""])
        self.busctl("SetLogFilters", "s", "1:remote")
        self.addCleanup(self.busctl, "SetLogFilters", "s", "")
        self.assertEqual(self.busctl("GetLogFilters"), ["1:remote"])
        self.assertEqual(self.virt_admin("daemon-log-filters").strip(), "Logging filters: 1:remote")
        self.d.virsh("tcp", "list --all")
        self.assertIn("debug : remote:", self.d.log())
        self.assertIn("9:remote", self.busctl("SetLogFilters", "s", "9:remote", ok=False))
        self.assertEqual(self.busctl("GetLogFilters"), ["1:remote"])
        # virt-admin's change is D-Bus's view too
        self.virt_admin("daemon-log-filters", "2:qemu")
        self.assertEqual(self.busctl("GetLogFilters"), ["2:qemu"])
        self.assertEqual(self.busctl("GetLogOutputs"), ["3:stderr"])
        self.busctl("SetLogOutputs", "s", "3:stderr")
        self.assertIn("invalid argument", self.busctl("SetLogOutputs", "s", "3:nowhere", ok=False))
        self.assertEqual(self.busctl("GetLogOutputs"), ["3:stderr"])

    def test_update_tls_without_tls(self):
        self.assertIn("server 'libvirtd' has no TLS listener", self.busctl("UpdateTLS", "s", "libvirtd", ok=False))


if __name__ == "__main__":
    main()
