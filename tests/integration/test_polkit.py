#!/usr/bin/python3
"""test_polkit.py: authorization with a real polkitd on both doors: root, a user a rule allows, a
user with no rule; every mutating call refused for the unauthorized caller with state unchanged,
allowed for the authorized one; polkitd stopped means refused; socket modes and group."""

import json
import os
import re
import stat
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polkit_harness as ph  # noqa: E402

ph.enter_namespace()

ROOT = ph.ROOT
CONNECT = "/org/libvirt/Test"
IFACE = "org.libvirt."


def bus_action(interface, member):
    """The action service/bus-authz.c asks: the same rule, to generate the matrix."""
    if interface == "org.freedesktop.DBus.Properties":
        return "monitor" if member in ("Get", "GetAll") else "manage"
    if member.startswith(("Get", "List", "NodeGet")) or "LookupBy" in member:
        return "monitor"
    return "manage"


def interface_methods():
    """(interface, method, [arg signatures in]) from interfaces/*.xml."""
    out = []
    for f in sorted((ROOT / "interfaces").glob("org.libvirt.*.xml")):
        for iface in ET.parse(f).getroot().iter("interface"):
            for m in iface.iter("method"):
                sigs = [a.get("type") for a in m.iter("arg") if a.get("direction", "in") == "in"]
                out.append((iface.get("name"), m.get("name"), sigs))
    return out


def remote_procs():
    """(number, flags) of every procedure in service/remote/proc-table.c."""
    text = (ROOT / "service" / "remote" / "proc-table.c").read_text()
    return [(int(n), fl.strip()) for n, fl in re.findall(r"P\((\d+),\s*\w+,\s*([^)]*)\)", text)]


# A python3-dbus client run as a given user: calls each (path, iface, method, sig) with dummy
# arguments of the right types and prints the D-Bus error name or "ok" for each.
DBUS_CALLER = r"""
import dbus, json, sys
bus = dbus.SystemBus()
calls = json.load(sys.stdin)
dummy = {"s": "", "u": 0, "i": 0, "t": 0, "x": 0, "b": False, "o": "/org/libvirt/Test", "d": 0.0, "y": 0,
         "q": 0, "n": 0, "as": [], "a{sv}": {}, "ay": b""}
out = []
for path, iface, member, sigs in calls:
    try:
        obj = bus.get_object("org.libvirt", path, introspect=False)
        args = [dummy.get(s, "") for s in sigs]
        obj.get_dbus_method(member, iface)(*args, signature="".join(sigs), timeout=20)
        out.append(["ok", ""])
    except dbus.exceptions.DBusException as e:
        out.append([e.get_dbus_name(), e.get_dbus_message()])
print(json.dumps(out))
"""

# A raw remote-protocol client run as a given user: optional auth_polkit, then each procedure
# with an empty payload; prints (proc, error message or "ok").
RAW_CALLER = r"""
import json, sys
sys.path.insert(0, %r)
import remote_harness as rh
sock, do_auth, procs, do_open = json.load(sys.stdin)
out = {"auth": None, "procs": []}
with rh.RawClient(sock) as c:
    if do_auth:
        r = c.call(70)
        out["auth"] = "ok" if r.status == rh.OK else rh.parse_remote_error(r.payload).message
    if do_open:
        c.call_ok(1, rh.p_opt_string("test:///default") + rh.p_uint(0))
    for p in procs:
        r = c.call(p)
        out["procs"].append([p, "ok" if r.status == rh.OK else rh.parse_remote_error(r.payload).message])
print(json.dumps(out))
"""


# Send one auth_polkit (remote) or one D-Bus call (bus) and exit without waiting for the answer.
FIRE_AND_EXIT = r"""
import socket, struct, sys
if sys.argv[1] == "remote":
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[2])
    s.sendall(struct.pack(">IIIiIII", 28, 0x20008086, 1, 70, 0, 1, 0))
else:
    import dbus
    bus = dbus.SystemBus()
    m = dbus.lowlevel.MethodCallMessage("org.libvirt", "/org/libvirt/Test", "org.libvirt.Connect", "ListDomains")
    m.append(dbus.UInt32(0))
    bus.send_message(m)
    bus.flush()
"""


class PolkitTest(unittest.TestCase):
    world = None

    @classmethod
    def setUpClass(cls):
        cls.world = ph.PolkitWorld(conf='auth_unix_rw = "polkit"\nauth_unix_ro = "polkit"\nunix_sock_group = "daemon"\n')
        try:
            cls.world.start()
        except Exception:
            print(cls.world.log("dbus-daemon"), cls.world.log("polkitd"), cls.world.log(), file=sys.stderr)
            cls.world.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.world:
            cls.world.stop()

    def setUp(self):
        if "polkitd" not in self.world.procs:
            self.world.start_polkitd()

    # ---- helpers ----

    def root_call(self, path, iface, method, sig="", *args):
        p = self.world.busctl(None, path, iface, method, sig, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.strip()

    def object_paths(self):
        dom = self.root_call(CONNECT, IFACE + "Connect", "DomainLookupByName", "s", "test").split('"')[1]
        net = self.root_call(CONNECT, IFACE + "Connect", "NetworkLookupByName", "s", "default").split('"')[1]
        pool = self.root_call(CONNECT, IFACE + "Connect", "StoragePoolLookupByName", "s", "default-pool").split('"')[1]
        vols = self.root_call(pool, IFACE + "StoragePool", "ListStorageVolumes", "u", 0)
        vol = re.findall(r'"(/[^"]+)"', vols)
        return {"Connect": CONNECT, "Domain": dom, "Network": net, "StoragePool": pool,
                "StorageVol": vol[0] if vol else None}

    def state(self):
        """Everything a refused call could have changed, as root sees it."""
        s = [self.root_call(CONNECT, IFACE + "Connect", "ListDomains", "u", 0),
             self.root_call(CONNECT, IFACE + "Connect", "ListNetworks", "u", 0),
             self.root_call(CONNECT, IFACE + "Connect", "ListStoragePools", "u", 0)]
        p = self.object_paths()
        s.append(self.root_call(p["Domain"], IFACE + "Domain", "GetState", "u", 0))
        s.append(self.root_call(p["Domain"], IFACE + "Domain", "GetXMLDesc", "u", 0))
        s.append(self.root_call(p["StoragePool"], IFACE + "StoragePool", "ListStorageVolumes", "u", 0))
        return s

    def dbus_calls(self, user, calls):
        prefix, env = self.world.as_user(user)
        import subprocess
        p = subprocess.run(prefix + ["/usr/bin/python3", "-c", DBUS_CALLER], input=json.dumps(calls), env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def raw_calls(self, user, sock, do_auth, procs, do_open=False):
        prefix, env = self.world.as_user(user)
        import subprocess
        p = subprocess.run(prefix + ["/usr/bin/python3", "-c", RAW_CALLER % str(Path(__file__).resolve().parent)],
                           input=json.dumps([str(sock), do_auth, procs, do_open]), env=env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    # ---- sockets ----

    def test_socket_modes_and_group(self):
        for name in ("libvirt-sock", "libvirt-sock-ro"):
            st = os.stat(self.world.sock_dir / name)
            self.assertTrue(stat.S_ISSOCK(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o777, name)   # polkit decides: libvirt's default
            self.assertEqual(st.st_gid, 1, name)                       # unix_sock_group = "daemon"

    # ---- the remote door with virsh ----

    def test_virsh_root_bypasses_polkit(self):
        p = self.world.virsh(None, ["list", "--all"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("test", p.stdout)

    def test_virsh_allowed_user(self):
        p = self.world.virsh("daemon", ["list", "--all"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("test", p.stdout)

    def test_virsh_denied_user(self):
        p = self.world.virsh("nobody", ["list", "--all"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no polkit agent available to authenticate action 'org.libvirt.unix.manage'", p.stderr)

    def test_virsh_read_only_socket_monitor_default_yes(self):
        p = self.world.virsh("nobody", ["list", "--all"], ro=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("test", p.stdout)
        p = self.world.virsh("nobody", ["destroy", "test"], ro=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("read only access prevents", p.stderr)

    # ---- the remote door: every procedure is gated until auth_polkit succeeds ----

    def test_remote_matrix(self):
        # connect_close last: it ends the connection
        procs = sorted((n for n, fl in remote_procs() if "PRE" not in fl), key=lambda n: (n == 2, n))
        self.assertGreater(len(procs), 50)
        sock = self.world.sock_dir / "libvirt-sock"
        before = self.state()
        out = self.raw_calls("nobody", sock, True, procs)
        self.assertIn("no polkit agent available", out["auth"])
        for proc, msg in out["procs"]:
            self.assertEqual(msg, "authentication required", "proc %d" % proc)
        out = self.raw_calls("nobody", sock, False, procs)
        for proc, msg in out["procs"]:
            self.assertEqual(msg, "authentication required", "proc %d" % proc)
        self.assertEqual(self.state(), before)
        out = self.raw_calls("daemon", sock, True, procs)
        self.assertEqual(out["auth"], "ok")
        for proc, msg in out["procs"]:
            self.assertNotEqual(msg, "authentication required", "proc %d" % proc)

    def test_remote_read_only_matrix(self):
        """monitor is enough for the read-only socket, which refuses every mutating procedure."""
        procs = [n for n, fl in remote_procs() if "MUT" in fl]
        self.assertGreater(len(procs), 20)
        before = self.state()
        out = self.raw_calls("nobody", self.world.sock_dir / "libvirt-sock-ro", True, procs, do_open=True)
        self.assertEqual(out["auth"], "ok")
        for proc, msg in out["procs"]:
            self.assertIn("read only access prevents", msg, "proc %d" % proc)
        self.assertEqual(self.state(), before)

    # ---- the D-Bus door ----

    def test_dbus_read_allowed_for_everyone(self):
        for user in (None, "daemon", "nobody"):
            p = self.world.busctl(user, CONNECT, IFACE + "Connect", "ListDomains", "u", 0)
            self.assertEqual(p.returncode, 0, "%s: %s" % (user, p.stderr))
        paths = self.object_paths()
        props = "org.freedesktop.DBus.Properties"
        out = self.dbus_calls("nobody", [
            [paths["Domain"], props, "Get", ["s", "s"]],
            [paths["Domain"], props, "GetAll", ["s"]],
            [paths["Domain"], "org.freedesktop.DBus.Introspectable", "Introspect", []],
            ["/org/libvirt", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", []],
            [paths["Domain"], IFACE + "Domain", "GetXMLDesc", ["u"]],
        ])
        for name, msg in out:
            self.assertNotEqual(name, "org.freedesktop.DBus.Error.AccessDenied", msg)
        # but secure XML (VIR_DOMAIN_XML_SECURE) is for managers, as on a read-only connection
        import subprocess
        prefix, env = self.world.as_user("nobody")
        p = subprocess.run(prefix + ["busctl", "--system", "call", "org.libvirt", paths["Domain"], IFACE + "Domain",
                                     "GetXMLDesc", "u", "1"], env=env, capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Access denied", p.stderr)
        p = self.world.busctl("daemon", paths["Domain"], IFACE + "Domain", "GetXMLDesc", "u", 1)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_bus_policy_only_root_owns(self):
        import subprocess
        prefix, env = self.world.as_user("nobody")
        p = subprocess.run(prefix + ["/usr/bin/python3", "-c",
                                     "import dbus; dbus.SystemBus().request_name('org.libvirt', 4)"],
                           env=env, capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("AccessDenied", p.stderr)

    def test_dbus_matrix(self):
        paths = self.object_paths()
        calls = []
        for iface, member, sigs in interface_methods():
            if bus_action(iface, member) != "manage":
                continue
            path = paths.get(iface.split(".")[-1])
            if path:
                calls.append([path, iface, member, sigs])
        calls.append([paths["Domain"], "org.freedesktop.DBus.Properties", "Set", ["s", "s", "v"]])
        self.assertGreater(len(calls), 25)
        before = self.state()
        out = self.dbus_calls("nobody", calls)
        self.assertEqual(len(out), len(calls))
        for call, (name, msg) in zip(calls, out):
            self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied", "%s.%s: %s" % (call[1], call[2], msg))
            self.assertIn("org.libvirt.unix.manage", msg)
        self.assertEqual(self.state(), before)

    def test_dbus_allowed_user_mutates(self):
        paths = self.object_paths()
        # an allowed caller passes the gate: Suspend then Resume the running domain
        for method in ("Suspend", "Resume"):
            p = self.world.busctl("daemon", paths["Domain"], IFACE + "Domain", method)
            self.assertEqual(p.returncode, 0, p.stderr)
        # and every mutating method passes the gate (whatever the dummy arguments then cause)
        calls = []
        for iface, member, sigs in interface_methods():
            if bus_action(iface, member) == "manage" and iface.endswith(("Connect",)):
                calls.append([paths["Connect"], iface, member, sigs])
        for (name, msg) in self.dbus_calls("daemon", calls):
            self.assertNotEqual(name, "org.freedesktop.DBus.Error.AccessDenied", msg)

    def test_dbus_denied_user_cannot_destroy(self):
        paths = self.object_paths()
        before = self.state()
        p = self.world.busctl("nobody", paths["Domain"], IFACE + "Domain", "Destroy", "u", 0)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Access denied", p.stderr)      # busctl's words for AccessDenied
        [(name, msg)] = self.dbus_calls("nobody", [[paths["Domain"], IFACE + "Domain", "Destroy", ["u"]]])
        self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied")
        self.assertEqual(msg, "Destroy is not allowed: authentication unavailable: no polkit agent available to "
                              "authenticate action 'org.libvirt.unix.manage' (polkit action org.libvirt.unix.manage)")
        self.assertEqual(self.state(), before)

    # ---- a slow polkitd, callers that leave ----

    def test_slow_polkit_other_callers_served(self):
        import subprocess
        import time
        prefix, env = self.world.as_user("bin")
        slow = subprocess.Popen(prefix + ["virsh", "-q", "-c", "test+unix:///default?socket=%s/libvirt-sock" %
                                          self.world.sock_dir, "list", "--all"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        t0 = time.monotonic()
        p = self.world.virsh(None, ["list", "--all"])         # root: no polkit needed
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(time.monotonic() - t0, 0.9)
        out, err = slow.communicate(timeout=30)
        self.assertEqual(slow.returncode, 0, err)
        self.assertIn("test", out)

    def test_caller_exits_before_answer(self):
        import subprocess
        import time
        # keep polkitd busy for a second (its rules run one at a time), so that it looks at the
        # callers below only after they are gone
        prefix, env = self.world.as_user("bin")
        busy = subprocess.Popen(prefix + ["virsh", "-q", "-c", "test+unix:///default?socket=%s/libvirt-sock" %
                                          self.world.sock_dir, "list", "--all"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        for door in ("remote", "bus"):
            prefix, env = self.world.as_user("bin" if door == "remote" else "nobody")
            p = subprocess.run(prefix + ["/usr/bin/python3", "-c", FIRE_AND_EXIT, door,
                                         str(self.world.sock_dir / "libvirt-sock")],
                               env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
        busy.communicate(timeout=30)
        time.sleep(1.5)
        self.assertIsNone(self.world.procs["virtbusd"].poll())
        log = self.world.log()
        self.assertRegex(log, r"org.libvirt.unix.manage refused for pid \d+ \(uid 2\)")
        self.assertRegex(log, r"org.libvirt.unix.monitor refused for bus name :")
        p = self.world.virsh("bin", ["list", "--all"])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.world.busctl("daemon", CONNECT, IFACE + "Connect", "ListDomains", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)

    # ---- polkitd gone: deny ----

    def test_zz_polkitd_stopped_denies(self):
        self.world.stop_polkitd()
        try:
            for user in (None, "daemon"):    # on the D-Bus door polkit decides for root too
                [(name, msg)] = self.dbus_calls(user, [[CONNECT, IFACE + "Connect", "ListDomains", ["u"]]])
                self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied")
                self.assertIn("polkit", msg)
            p = self.world.virsh("daemon", ["list", "--all"])
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("polkit", p.stderr)
            # root on the remote door does not need polkit
            p = self.world.virsh(None, ["list", "--all"])
            self.assertEqual(p.returncode, 0, p.stderr)
            # the daemon is still alive and serving
            self.assertIsNone(self.world.procs["virtbusd"].poll())
        finally:
            self.world.start_polkitd()
        # polkitd is back: the same callers are allowed again, on both doors
        p = self.world.busctl("daemon", CONNECT, IFACE + "Connect", "ListDomains", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.world.virsh("daemon", ["list", "--all"])
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
