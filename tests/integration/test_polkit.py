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


IFACES = {"CONNECT": "Connect", "DOMAIN": "Domain", "NETWORK": "Network", "POOL": "StoragePool", "VOL": "StorageVol",
          "SNAPSHOT": "DomainSnapshot", "INTERFACE": "Interface", "NODEDEV": "NodeDevice", "SECRET": "Secret",
          "NWFILTER": "NWFilter"}


def row_mutates():
    """{(interface, member): mutates} of the API rows with a D-Bus member."""
    out = {}
    for f in sorted((ROOT / "service" / "core").glob("api-*.c")):
        for iface, member, mut in re.findall(r'DBUS\((\w+), "(\w+)"\), (MUT|RO)', f.read_text()):
            out[("org.libvirt." + IFACES[iface], member)] = mut == "MUT"
    return out


def bus_action(interface, member):
    """The action service/bus/bus-authz.c asks: the same rule (the API row, else the member's name)."""
    if interface == "org.freedesktop.DBus.Properties":
        return "monitor" if member in ("Get", "GetAll") else "manage"
    if interface == "org.libvirt.virtbus.Admin":
        return "admin"          # org.libvirt.virtbus.admin for every member, reading too
    mutates = row_mutates().get((interface, member))
    if mutates is not None:
        return "manage" if mutates else "monitor"
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


ROW_RE = re.compile(r'ROW\((\w+), (\d+), "\w+", (?:DBUS\(\w+, "\w+"\)|NODBUS), (MUT|RO), \w+,\s*'
                    r'(NOACL|ACL(?:_SECURE|_COND)?\((\w+), (\w+), (?:\w+, )?((?:"\w+"(?:, )?)*)[^)]*\))\)')


def api_rows():
    """(id, proc, mutates, arg, object, perms) of every row of the API table, service/core/api-*.c."""
    out = []
    for f in sorted((ROOT / "service" / "core").glob("api-*.c")):
        for ident, proc, mut, _, arg, obj, perms in ROW_RE.findall(f.read_text()):
            out.append((ident, int(proc), mut == "MUT", arg, obj, re.findall(r'"(\w+)"', perms)))
    return out


def remote_procs():
    """(number, gates) of every procedure in service/remote/proto/proc-table.c, its number and
    read-only gate ("MUT") from its row in the API table."""
    rows = {r[0]: r for r in api_rows()}
    text = (ROOT / "service" / "remote" / "proto" / "proc-table.c").read_text()
    out = []
    for ident, gates in re.findall(r"P\(([A-Z0-9_]+),\s*\w+,\s*([^)]*)\)", text):
        row = rows[ident]
        out.append((row[1], gates.strip() + (" | MUT" if row[2] else "")))
    return out


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
_harness_copy = None


def readable_harness_dir():
    """The raw-socket harness where the unprivileged callers can import it: the checkout itself
    may sit in a directory only root can enter (a mktemp -d clone, as CI may use)."""
    global _harness_copy
    if _harness_copy is None:
        import atexit
        import shutil
        import tempfile
        d = tempfile.mkdtemp(prefix="virtbus-harness-")
        os.chmod(d, 0o755)
        here = Path(__file__).resolve().parent
        for name in ("harness.py", "remote_harness.py", "cleanup.py"):
            shutil.copy(here / name, d)
            os.chmod(os.path.join(d, name), 0o644)
        atexit.register(shutil.rmtree, d, True)
        _harness_copy = d
    return _harness_copy


RAW_CALLER = r"""
import json, sys
sys.path.insert(0, %r)
import remote_harness as rh
sock, do_auth, procs, do_open = json.load(sys.stdin)
out = {"auth": None, "procs": []}
with rh.RawClient(sock, timeout=60) as c:      # polkitd answers late on a loaded machine
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


# A raw remote client as a given user: auth_polkit, connect_open, then each procedure with the
# domain (name, uuid) as its leading argument and zeros after it; prints (proc, error or "ok").
ACL_CALLER = r"""
import json, sys
sys.path.insert(0, %r)
import remote_harness as rh
sock, name, uuidstr, procs = json.load(sys.stdin)
out = []
with rh.RawClient(sock, timeout=60) as c:      # polkitd answers late on a loaded machine
    assert c.call(70).status == rh.OK
    c.call_ok(1, rh.p_opt_string("test:///default") + rh.p_uint(0))
    for p in procs:
        r = c.call(p, rh.p_domain(name, uuidstr, -1) + bytes(64))
        out.append([p, "ok" if r.status == rh.OK else rh.parse_remote_error(r.payload).message])
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
        p = subprocess.run(prefix + ["/usr/bin/python3", "-c", RAW_CALLER % readable_harness_dir()],
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

    # ---- the Admin interface: its own action ----

    def test_admin_interface_needs_its_action(self):
        admin = "org.libvirt.virtbus.Admin"
        methods = [(m, sigs) for iface, m, sigs in interface_methods() if iface == admin]
        self.assertGreaterEqual(len(methods), 11)
        before = self.root_call("/org/libvirt/admin", admin, "GetLogFilters")
        # nobody (no rule: auth_admin without an agent) and bin (allowed org.libvirt.unix.manage,
        # not administration) are refused every method before any argument is read
        for user in ("nobody", "bin"):
            out = self.dbus_calls(user, [["/org/libvirt/admin", admin, m, sigs] for m, sigs in methods])
            for (m, _), (name, msg) in zip(methods, out):
                self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied", "%s %s: %s" % (user, m, msg))
                self.assertIn("org.libvirt.virtbus.admin", msg)
        self.assertEqual(self.root_call("/org/libvirt/admin", admin, "GetLogFilters"), before)
        # daemon is allowed by the test's rule
        p = self.world.busctl("daemon", "/org/libvirt/admin", admin, "ListServers")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), 'as 2 "libvirtd" "admin"')
        p = self.world.busctl("daemon", "/org/libvirt/admin", admin, "ListClients", "s", "libvirtd")
        self.assertEqual(p.returncode, 0, p.stderr)

    # ---- a slow polkitd, callers that leave ----

    def test_slow_polkit_other_callers_served(self):
        import subprocess
        import libvirt
        uri = "test+unix:///default?socket=%s/libvirt-sock" % self.world.sock_dir
        root = libvirt.open(uri)                              # root: no polkit needed
        prefix, env = self.world.as_user("bin")
        slow = subprocess.Popen(prefix + ["virsh", "-q", "-c", uri, "list", "--all"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # bin's call waits a second for polkitd's rule; root's call meanwhile is answered (no
        # wall-clock bound: bin's call is still waiting when root's returns)
        self.world._wait(lambda: "(pid %d, uid 2) connected" % slow.pid in self.world.log(), "bin's virsh", 30)
        self.assertIn("test", [d.name() for d in root.listAllDomains()])
        self.assertIsNone(slow.poll(), "bin's call ended before root's was answered")
        root.close()
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
        # both refusals logged once polkitd gets to them (late on a loaded machine); the
        # daemon still runs and serves others
        import re
        for pattern in (r"org.libvirt.unix.manage refused for pid \d+ \(uid 2\)",
                        r"org.libvirt.unix.monitor refused for bus name :"):
            self.world._wait(lambda: re.search(pattern, self.world.log()), "the log line %r" % pattern, 60)
        self.assertIsNone(self.world.procs["virtbusd"].poll())
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


# access_drivers = [ "polkit" ]: user "daemon" may connect (manage/monitor, the harness's rule)
# and, of the domains, only get at and read "demo"; every other domain action is refused.
API_RULES = ph.TEST_RULES + """
polkit.addRule(function(action, subject) {
    if (subject.user == "daemon" && action.id.indexOf("org.libvirt.api.domain.") == 0) {
        if (action.lookup("domain_name") == "demo" && action.lookup("connect_driver") == "TEST" &&
            (action.id == "org.libvirt.api.domain.getattr" || action.id == "org.libvirt.api.domain.read"))
            return polkit.Result.YES;
        return polkit.Result.NO;
    }
    if (subject.user == "daemon" && action.id == "org.libvirt.api.connect.search-domains")
        return polkit.Result.YES;
});
"""

DEMO_XML = """<domain type='test'>
  <name>demo</name>
  <memory>8192</memory>
  <os><type>hvm</type></os>
</domain>
"""


class FineGrainedTest(unittest.TestCase):
    """The org.libvirt.api.* checks on both doors, with a rule that looks at domain_name."""
    world = None

    @classmethod
    def setUpClass(cls):
        cls.world = ph.PolkitWorld(conf='auth_unix_rw = "polkit"\naccess_drivers = [ "polkit" ]\n', rules=API_RULES)
        try:
            cls.world.start()
            xml = cls.world.tmp / "demo.xml"
            xml.write_text(DEMO_XML)
            p = cls.world.virsh(None, ["define", str(xml)])
            assert p.returncode == 0, p.stderr
        except Exception:
            print(cls.world.log("polkitd"), cls.world.log(), file=sys.stderr)
            cls.world.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.world:
            cls.world.stop()

    def domain_path(self, name):
        p = self.world.busctl(None, CONNECT, IFACE + "Connect", "DomainLookupByName", "s", name)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split('"')[1]

    def domain_state(self, name):
        p = self.world.busctl(None, self.domain_path(name), IFACE + "Domain", "GetState", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.strip()

    def test_policy_file_lists_libvirt_actions(self):
        root = ET.parse(ROOT / "policy" / "org.libvirt.api.policy").getroot()
        ids = {a.get("id"): a for a in root.iter("action")}
        for aid in ("org.libvirt.api.domain.start", "org.libvirt.api.domain.read-secure",
                    "org.libvirt.api.storage-pool.search-storage-vols", "org.libvirt.api.storage-vol.data-write",
                    "org.libvirt.api.connect.search-domains", "org.libvirt.api.network.stop"):
            self.assertIn(aid, ids)
        self.assertEqual(ids["org.libvirt.api.domain.read"].find("defaults/allow_active").text, "yes")
        self.assertEqual(ids["org.libvirt.api.domain.start"].find("defaults/allow_active").text, "auth_admin_keep")

    def test_tables_cover_procedures_and_policy(self):
        """Every procedure of proc-table.c has a fine-grained rule in its API row or is knowingly
        left at the connection-level check; every permission the table asks exists in the policy."""
        rows = api_rows()
        acl = {proc for _, proc, _, _, _, perms in rows if perms}
        unchecked = {1, 2, 60, 66, 67, 68, 69, 70, 110, 122, 149, 360, 361,   # open, auth, local facts
                     86,                                                      # pool_lookup_by_volume (not yet)
                     106, 168, 314, 317, 369, 375, 381}                       # event deregistration
        for n, _ in remote_procs():
            self.assertTrue(n in acl or n in unchecked, "procedure %d has no rule in the API table" % n)
        objects = {"CONNECT": "connect", "DOMAIN": "domain", "NETWORK": "network", "POOL": "storage-pool",
                   "VOL": "storage-vol", "INTERFACE": "interface", "NODEDEV": "node-device", "SECRET": "secret",
                   "NWFILTER": "nwfilter", "NWFILTER_BINDING": "nwfilter-binding"}
        ids = {a.get("id") for a in ET.parse(ROOT / "policy" / "org.libvirt.api.policy").getroot().iter("action")}
        api_text = (ROOT / "service" / "core" / "api.c").read_text()
        used = [(obj, perms) for _, _, _, _, obj, perms in rows if perms]
        used += [(obj, re.findall(r'"(\w+)"', perms)) for obj, perms in re.findall(r"ACL\(\w+, (\w+), ([^)]*)\)", api_text)]
        self.assertGreater(len(used), 80)
        for obj, perms in used:
            for perm in perms:
                aid = "org.libvirt.api.%s.%s" % (objects[obj], perm.replace("_", "-"))
                self.assertIn(aid, ids)

    def test_dbus_read_demo_only(self):
        demo, test = self.domain_path("demo"), self.domain_path("test")
        p = self.world.busctl("daemon", demo, IFACE + "Domain", "GetXMLDesc", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<name>demo</name>", p.stdout)
        p = self.world.busctl("daemon", test, IFACE + "Domain", "GetXMLDesc", "u", 0)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Access denied", p.stderr)
        [(name, msg)] = self.dbus_calls([[test, IFACE + "Domain", "GetXMLDesc", ["u"]]])
        self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied")
        self.assertIn("org.libvirt.api.domain.read", msg)
        # looking "test" up needs domain.getattr on it; "demo" is allowed
        p = self.world.busctl("daemon", CONNECT, IFACE + "Connect", "DomainLookupByName", "s", "test")
        self.assertNotEqual(p.returncode, 0)
        p = self.world.busctl("daemon", CONNECT, IFACE + "Connect", "DomainLookupByName", "s", "demo")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.world.busctl("daemon", CONNECT, IFACE + "Connect", "DomainLookupByUUID", "s",
                              "6695eb01-f6a4-8304-79aa-97f2502e193f")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Access denied", p.stderr)
        # a property read is a read too
        p = self.world.busctl("daemon", demo, "org.freedesktop.DBus.Properties", "Get", "ss", IFACE + "Domain", "Name")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.world.busctl("daemon", test, "org.freedesktop.DBus.Properties", "Get", "ss", IFACE + "Domain", "Name")
        self.assertNotEqual(p.returncode, 0)

    def test_dbus_cannot_start_demo(self):
        demo = self.domain_path("demo")
        before = self.domain_state("demo")
        [(name, msg)] = self.dbus_calls([[demo, IFACE + "Domain", "Create", ["u"]]])
        self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied")
        self.assertEqual(msg, "Create is not allowed: access denied: access denied by policy "
                              "(polkit action org.libvirt.api.domain.start)")
        self.assertEqual(self.domain_state("demo"), before)
        # connect-level: defining a domain needs domain.write (the rule says no), before the XML is read
        [(name, msg)] = self.dbus_calls([[CONNECT, IFACE + "Connect", "DomainDefineXML", ["s", "u"]]])
        self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied")
        self.assertIn("org.libvirt.api.domain.write", msg)

    def test_dbus_root_allowed(self):
        p = self.world.busctl(None, self.domain_path("test"), IFACE + "Domain", "GetXMLDesc", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_virsh_read_demo_only(self):
        p = self.world.virsh("daemon", ["dumpxml", "demo"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<name>demo</name>", p.stdout)
        p = self.world.virsh("daemon", ["dominfo", "demo"])
        self.assertEqual(p.returncode, 0, p.stderr)
        # the lookup of "test" already needs domain.getattr on it
        p = self.world.virsh("daemon", ["dumpxml", "test"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("failed to get domain 'test'", p.stderr)    # virsh's words for any lookup error
        self.assertIn("org.libvirt.api.domain.getattr refused for pid", self.world.log())
        p = self.world.virsh("daemon", ["domstate", "6695eb01-f6a4-8304-79aa-97f2502e193f"])   # by UUID
        self.assertNotEqual(p.returncode, 0)

    def test_virsh_cannot_start_demo(self):
        before = self.domain_state("demo")
        p = self.world.virsh("daemon", ["start", "demo"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("error: access denied: access denied by policy (polkit action org.libvirt.api.domain.start)",
                      p.stderr)
        self.assertEqual(self.domain_state("demo"), before)

    def test_virsh_list_allowed(self):
        p = self.world.virsh("daemon", ["list", "--all"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("demo", p.stdout)

    def test_virsh_root_allowed(self):
        p = self.world.virsh(None, ["dumpxml", "test"])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_remote_matrix(self):
        """Every procedure of the API table (service/core/api-*.c) that takes a domain: refused on "test" with
        its action named, and on "demo" unless the permission is read; nothing changes."""
        table = [(proc, perms[0]) for _, proc, _, arg, obj, perms in api_rows()
                 if proc and arg == "DOMAIN" and obj == "DOMAIN"]
        self.assertGreater(len(table), 30)
        uuids = {}
        for name in ("test", "demo"):
            p = self.world.virsh(None, ["domuuid", name])
            self.assertEqual(p.returncode, 0, p.stderr)
            uuids[name] = p.stdout.strip()
        before = [self.domain_state("test"), self.domain_state("demo")]
        prefix, env = self.world.as_user("daemon")
        import subprocess
        for name in ("test", "demo"):
            p = subprocess.run(prefix + ["/usr/bin/python3", "-c", ACL_CALLER % readable_harness_dir()],
                               input=json.dumps([str(self.world.sock_dir / "libvirt-sock"), name, uuids[name],
                                                 [n for n, _ in table]]),
                               env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            for (proc, msg), (_, perm) in zip(json.loads(p.stdout), table):
                action = "org.libvirt.api.domain." + perm.replace("_", "-")
                if name == "demo" and perm == "read":
                    self.assertNotIn("access denied", msg, "proc %d" % proc)
                else:
                    self.assertEqual(msg, "access denied: access denied by policy (polkit action %s)" % action,
                                     "proc %d on %s" % (proc, name))
        self.assertEqual([self.domain_state("test"), self.domain_state("demo")], before)

    def test_dbus_matrix(self):
        """Every org.libvirt.Domain method of interfaces/*.xml on "test": refused by a fine-grained
        action; nothing changes."""
        test = self.domain_path("test")
        calls = [[test, iface, member, sigs] for iface, member, sigs in interface_methods() if iface == IFACE + "Domain"]
        self.assertGreater(len(calls), 10)
        before = self.domain_state("test")
        for (name, msg), call in zip(self.dbus_calls(calls), calls):
            self.assertEqual(name, "org.freedesktop.DBus.Error.AccessDenied", call[2])
            self.assertIn("(polkit action org.libvirt.api.domain.", msg, call[2])
        self.assertEqual(self.domain_state("test"), before)

    def dbus_calls(self, calls):
        prefix, env = self.world.as_user("daemon")
        import subprocess
        p = subprocess.run(prefix + ["/usr/bin/python3", "-c", DBUS_CALLER], input=json.dumps(calls), env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)


if __name__ == "__main__":
    import testmain  # noqa: E402  (skips say so: exit 77, or a failure with CI=true)
    testmain.main()
