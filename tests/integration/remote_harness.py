"""remote_harness.py: the shared bits of the remote-protocol integration tests (test_remote_*.py).

A RemoteDaemon is a private dbus-daemon plus a real `virtbusd --session --config FILE` whose
configuration turns on the TCP listener on 127.0.0.1 and a free port (auth none); its unix
sockets are $XDG_RUNTIME_DIR/libvirt/libvirt-sock and libvirt-sock-ro, everything in a fresh
temporary directory. The tests drive it with unmodified clients: virsh (over the unix socket
and over TCP), python3-libvirt, and a raw socket client (RawClient) that speaks the wire format
of the libvirt RPC protocol (shared/specs/remote-protocol.md).

The oracle is libvirt's own test driver run inside the client (`virsh -c test:///default`,
`libvirt.open("test:///default")`): it starts from the same content as virtbusd's Test
connection, so outputs and error texts can be compared one to one.

Run the tests with Debian's interpreter (python3-libvirt, python3-dbus):
    /usr/bin/python3 tests/integration/test_remote_virsh.py
    /usr/bin/python3 -m unittest discover -s tests/integration -p 'test_remote_*.py'

Environment:
    VIRTBUSD=PATH                 the daemon (default build/service/virtbusd)
    VIRTBUS_TEST_KEEP=1           keep the temporary directory (logs, configuration)
    VIRTBUS_REMOTE_REFERENCE=libvirtd
                                  run the same tests against Debian's libvirtd 9.0 instead (a
                                  session daemon as uid nobody in temporary directories, with a
                                  holder connection that keeps test:///default's state alive,
                                  as the captures were made). Tests of what only virtbusd has
                                  (the read-only socket in session mode, SIGTERM exit code) skip.
                                  This checks the tests themselves against the real thing.
"""

import difflib
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from collections import namedtuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cleanup  # noqa: E402
import harness  # noqa: E402  (the D-Bus suites' harness: paths, the bus configuration)

REPO_ROOT = harness.REPO_ROOT
VIRTBUSD = harness.VIRTBUSD
LIBVIRTD = Path(os.environ.get("LIBVIRTD", "/usr/sbin/libvirtd"))
VIRSH = shutil.which("virsh") or "/usr/bin/virsh"
REFERENCE = os.environ.get("VIRTBUS_REMOTE_REFERENCE", "")
AGAINST_LIBVIRTD = REFERENCE == "libvirtd"

ORACLE_URI = "test:///default"
TEST_DOMAIN_UUID = harness.TEST_DOMAIN_UUID

# --- wire constants (remote-protocol.md §1) ---
REMOTE_PROGRAM = 0x20008086
KEEPALIVE_PROGRAM = 0x6B656570
CALL, REPLY, MESSAGE, STREAM = 0, 1, 2, 3
OK, ERROR, CONTINUE = 0, 1, 2
PING, PONG = 1, 2

# procedures used by the raw tests
PROC_CONNECT_OPEN = 1
PROC_CONNECT_CLOSE = 2
PROC_CONNECT_GET_TYPE = 3
PROC_CONNECT_GET_CAPABILITIES = 7
PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_DOMAIN_SUSPEND = 34
PROC_DOMAIN_DEFINE_XML = 11
PROC_SUPPORTS_FEATURE = 60
PROC_AUTH_LIST = 66
PROC_LIST_ALL_DOMAINS = 273
FEATURE_KEEPALIVE = 10

DOMAIN_XML = """<domain type='test'>
  <name>{name}</name>
  <memory unit='KiB'>1048576</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""
NETWORK_XML = """<network>
  <name>{name}</name>
  <bridge name='{bridge}'/>
  <ip address='10.9.8.1' netmask='255.255.255.0'/>
</network>
"""


def free_tcp_port():
    """A port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _can_connect(addr):
    fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        try:
            s.connect(addr)
            return True
        except OSError:
            return False


# ---------------------------------------------------------------------------------------------
# The daemons

class RemoteDaemon:
    """A private dbus-daemon and `virtbusd --session --config FILE`, TCP on 127.0.0.1:free port.

    conf: extra lines for virtbusd.conf (libvirtd.conf syntax), e.g. keepalive settings."""

    def __init__(self, conf="", tcp=True):
        self.tmp = Path(tempfile.mkdtemp(prefix="virtbus-rt-"))
        self.keep = bool(os.environ.get("VIRTBUS_TEST_KEEP"))
        self.conf_extra = conf
        self.tcp = tcp
        self.port = free_tcp_port() if tcp else None
        self.proc = None
        self.dbus_proc = None
        self.log_path = self.tmp / "virtbusd.log"
        self.client_home = self.tmp / "client-home"
        self.client_home.mkdir()
        self.has_ro_socket = True

    # paths and URIs
    @property
    def runtime_dir(self):
        return self.tmp / "xdg_runtime_dir"

    @property
    def sock(self):
        return str(self.runtime_dir / "libvirt" / "libvirt-sock")

    @property
    def sock_ro(self):
        return str(self.runtime_dir / "libvirt" / "libvirt-sock-ro")

    def uri(self, transport="unix"):
        if transport == "unix":
            return "test+unix:///default?socket=%s" % self.sock
        if transport == "ro":
            return "test+unix:///default?socket=%s" % self.sock_ro
        if transport == "tcp":
            return "test+tcp://127.0.0.1:%d/default" % self.port
        raise ValueError(transport)

    def addr(self, transport="unix"):
        """What RawClient connects to."""
        return {"unix": self.sock, "ro": self.sock_ro, "tcp": ("127.0.0.1", self.port)}[transport]

    def conf_text(self):
        lines = ["# written by tests/integration/remote_harness.py"]
        if self.tcp:
            lines += ["listen_tcp = 1", 'listen_addr = "127.0.0.1"', 'tcp_port = "%d"' % self.port,
                      'auth_tcp = "none"']
        lines.append(self.conf_extra)
        return "\n".join(lines) + "\n"

    def start(self, timeout=10):
        if not VIRTBUSD.exists():
            raise unittest.SkipTest("virtbusd not built: %s" % VIRTBUSD)
        cleanup.owned(self.stop)
        bus_sock = self.tmp / "bus"
        bus_conf = self.tmp / "bus.conf"
        bus_conf.write_text(harness._DBUS_CONFIG.format(socket=bus_sock))
        with open(self.tmp / "dbus-daemon.log", "w") as err:
            self.dbus_proc = subprocess.Popen(
                ["dbus-daemon", "--config-file=%s" % bus_conf, "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=err, text=True)
        address = self.dbus_proc.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start: %s" % (self.tmp / "dbus-daemon.log").read_text())
        self.bus_address = address
        env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"):
            d = self.tmp / var.lower()
            d.mkdir(mode=0o700, exist_ok=True)
            env[var] = str(d)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        self.conf_path = self.tmp / "virtbusd.conf"
        self.conf_path.write_text(self.conf_text())
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen([str(VIRTBUSD), "--session", "--config", str(self.conf_path)],
                                         env=env, stdout=out, stderr=subprocess.STDOUT)
        self._wait_listening(timeout)
        return self

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        wanted = ([self.sock] + ([self.sock_ro] if self.has_ro_socket else [])
                  + ([("127.0.0.1", self.port)] if self.tcp else []))
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %d before listening:\n%s"
                                   % (self.name, self.proc.returncode, self.log()))
            if all(_can_connect(a) for a in wanted):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("%s does not listen on %s within %d s:\n%s"
                                   % (self.name, wanted, timeout, self.log()))
            time.sleep(0.02)

    name = "virtbusd"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def stop(self):
        """SIGTERM the daemon; its exit code (None if it had to be killed)."""
        return harness.stop_private_daemon(self)

    # --- clients ---

    def client_env(self):
        env = dict(os.environ)
        env.update(LC_ALL="C", LANG="C", HOME=str(self.client_home),
                   XDG_CONFIG_HOME=str(self.client_home / "config"),
                   XDG_CACHE_HOME=str(self.client_home / "cache"))
        for var in ("LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI", "LIBVIRT_LOG_OUTPUTS",
                    "LIBVIRT_DEBUG", "LIBVIRT_LOG_FILTERS"):
            env.pop(var, None)
        return env

    def virsh(self, transport, cmd, readonly=False, timeout=30):
        """Run one virsh command (a string, split like a shell would) against the daemon."""
        return run_virsh(self.uri(transport), cmd, readonly=readonly, timeout=timeout, env=self.client_env())


class LibvirtdDaemon(RemoteDaemon):
    """Debian's libvirtd 9.0 as a session daemon (uid nobody when run as root) in temporary
    directories, with the same listeners. test:///default's state lives in libvirtd only while a
    connection to it is open, so a holder connection stays open from start to stop (the
    captures were made the same way)."""

    name = "libvirtd"

    def __init__(self, conf="", tcp=True, holder=True):
        super().__init__(conf=conf, tcp=tcp)
        self.has_ro_socket = False          # session libvirtd has no -ro socket
        self.log_path = self.tmp / "libvirtd.log"
        self.holder = None
        self.want_holder = holder

    def conf_text(self):
        text = super().conf_text()
        return text + 'listen_tls = 0\nlog_outputs = "3:stderr"\n'

    def start(self, timeout=15):
        if not LIBVIRTD.exists():
            raise unittest.SkipTest("libvirtd not installed: %s" % LIBVIRTD)
        cleanup.owned(self.stop)
        os.chmod(self.tmp, 0o755)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        dirs = []
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "HOME"):
            d = self.tmp / var.lower()
            d.mkdir(mode=0o700, exist_ok=True)
            env[var] = str(d)
            dirs.append(d)
        self.conf_path = self.tmp / "libvirtd.conf"
        self.conf_path.write_text(self.conf_text())
        argv = [str(LIBVIRTD), "--config", str(self.conf_path)] + (["--listen"] if self.tcp else [])
        if os.geteuid() == 0:
            for d in dirs:
                os.chown(d, 65534, 65534)
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=str(self.tmp))
        self._wait_listening(timeout)
        if self.want_holder:
            import libvirt
            libvirt.registerErrorHandler(lambda *a: None, None)
            self.holder = libvirt.open(self.uri("unix"))
        return self

    def stop(self):
        if self.holder is not None:
            try:
                self.holder.close()
            except Exception:
                pass
            self.holder = None
        code = super().stop()
        return code


def make_daemon(conf="", tcp=True):
    """The daemon under test: virtbusd, or libvirtd with VIRTBUS_REMOTE_REFERENCE=libvirtd."""
    if AGAINST_LIBVIRTD:
        return LibvirtdDaemon(conf=conf, tcp=tcp)
    return RemoteDaemon(conf=conf, tcp=tcp)


# ---------------------------------------------------------------------------------------------
# virsh and the oracle

def _oracle_env():
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    for var in ("LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI"):
        env.pop(var, None)
    return env


def run_virsh(uri, cmd, readonly=False, timeout=30, env=None):
    argv = [VIRSH] + (["-r"] if readonly else []) + ["-c", uri] + (shlex.split(cmd) if isinstance(cmd, str) else list(cmd))
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          env=env or _oracle_env(), stdin=subprocess.DEVNULL)


_MARK = "@@virtbus-mark@@"


def oracle_sequence(cmds, readonly=False):
    """Run cmds in ONE virsh process against libvirt's in-process test:///default (so state
    carries from one command to the next); returns [(stdout, stderr)] per command, each as a
    separate `virsh -c URI cmd` would have printed it."""
    script = []
    for c in cmds:
        script.append(c)
        script.append("echo %s" % _MARK)
        script.append("echo --err %s" % _MARK)
    argv = [VIRSH] + (["-r"] if readonly else []) + ["-c", ORACLE_URI, " ; ".join(script)]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=_oracle_env(),
                       stdin=subprocess.DEVNULL)
    # each command's stdout ends with virsh's own "\n"; `echo MARK` prints "MARK\n\n".
    outs = p.stdout.split(_MARK + "\n\n")
    errs = p.stderr.split("error: " + _MARK + "\n")
    if len(outs) != len(cmds) + 1 or len(errs) != len(cmds) + 1:
        raise AssertionError("could not split the oracle's output for %r:\n%s\n%s" % (cmds, p.stdout, p.stderr))
    return list(zip(outs[:-1], errs[:-1]))


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The uuids of test:///default's content, and the ones the tests write themselves.
KNOWN_UUIDS = {harness.TEST_DOMAIN_UUID, harness.TEST_NETWORK_UUID, harness.TEST_POOL_UUID,
               "11111111-2222-3333-4444-555555555555"}


def mask_volatile(text):
    """Blank what differs from run to run: dominfo's CPU time (a clock) and uuids generated for
    objects defined without one."""
    text = _UUID_RE.sub(lambda m: m.group(0) if m.group(0) in KNOWN_UUIDS else "<generated-uuid>", text)
    out = []
    for line in text.split("\n"):
        if line.startswith("CPU time:"):
            line = "CPU time:       <masked>"
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Test cases

class RemoteTestCase(unittest.TestCase):
    """A fresh daemon for every test (so state never leaks between tests), stopped afterwards;
    a crash during the test fails it with the daemon's log."""

    daemon_conf = ""
    transport = "unix"

    def setUp(self):
        self.daemon = make_daemon(conf=self.daemon_conf)
        try:
            self.daemon.start()
        except Exception:
            self.daemon.stop()
            raise

    def tearDown(self):
        log = self.daemon.log()
        alive = self.daemon.alive()
        code = self.daemon.stop()
        self.assertTrue(alive, "the daemon died during the test:\n" + log)
        if not AGAINST_LIBVIRTD:
            self.assertEqual(code, 0, "virtbusd did not exit cleanly on SIGTERM:\n" + log)

    @property
    def uri(self):
        return self.daemon.uri(self.transport)

    def virsh(self, cmd, transport=None, readonly=False):
        return self.daemon.virsh(transport or self.transport, cmd, readonly=readonly)

    def assertVirshOk(self, cmd, transport=None):
        p = self.virsh(cmd, transport)
        self.assertEqual(p.returncode, 0, "virsh %s: %s%s" % (cmd, p.stdout, p.stderr))
        return p.stdout

    def compare_with_oracle(self, cmds, transport=None, readonly=False, mask=mask_volatile):
        """Each command against the daemon (one virsh process each), and the whole sequence
        against the oracle; stdout, stderr and the exit status must agree command by command.
        Every difference of the sequence is reported (as a diff), not only the first."""
        expected = oracle_sequence(cmds, readonly=readonly)
        problems = []
        for cmd, (o_out, o_err) in zip(cmds, expected):
            p = self.virsh(cmd, transport, readonly=readonly)
            got_out, want_out = p.stdout, o_out
            if mask:
                got_out, want_out = mask(got_out), mask(want_out)
            for what, got, want in (("stdout", got_out, want_out), ("stderr", p.stderr, o_err),
                                    ("exit status", "%d\n" % p.returncode, "%d\n" % (1 if o_err else 0))):
                if got != want:
                    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                        "libvirt test driver", self.daemon.name))
                    problems.append("%s of `virsh %s%s` differs:\n%s" % (what, "-r " if readonly else "", cmd, diff))
        self.assertTrue(self.daemon.alive(), "the daemon died:\n" + self.daemon.log())
        if problems:
            self.fail("%d difference(s) from libvirt's test driver over %s:\n\n%s"
                      % (len(problems), transport or self.transport, "\n".join(problems)))


def transports(*names):
    """Class decorator helper: make one TestCase per transport from a mixin.

        class _Lifecycle: def test_x(self): ...
        globals().update(transports("unix", "tcp")(_Lifecycle))
    """
    def make(mixin):
        out = {}
        base = mixin.__name__.lstrip("_")
        for t in names:
            name = "%s_%s" % (base, t)
            out[name] = type(name, (mixin, RemoteTestCase), {"transport": t, "__module__": mixin.__module__})
        return out
    return make


# ---------------------------------------------------------------------------------------------
# python3-libvirt

def libvirt_module():
    try:
        import libvirt
    except ImportError:
        raise unittest.SkipTest("python3-libvirt is not installed (run with /usr/bin/python3)")
    libvirt.registerErrorHandler(lambda *a: None, None)
    return libvirt


_event_loop_lock = threading.Lock()
_event_loop_started = False


def volume_round_trip(conn, pooldir, size, download=True):
    """Upload size random bytes into a new volume of a dir pool in pooldir through conn (one packet
    per send, some longer than the daemon's 1 KiB inline buffer, some shorter), download them
    again (unless not download: None); returns (sent, what the file holds, what came back). The
    pool is gone afterwards."""
    libvirt = libvirt_module()
    os.makedirs(pooldir, exist_ok=True)
    pool = conn.storagePoolCreateXML("<pool type='dir'><name>rt</name><target><path>%s</path></target></pool>"
                                     % pooldir, 0)
    try:
        vol = pool.createXML("<volume><name>rt.img</name><capacity>%d</capacity><allocation>0</allocation>"
                             "<target><format type='raw'/></target></volume>" % size, 0)
        data = os.urandom(size)
        st = conn.newStream(0)
        vol.upload(st, 0, size, 0)
        off, pieces = 0, [1, 1000, 1025, 262120, 65539]
        while off < size:
            n = pieces[off % len(pieces)]
            off += st.send(data[off:off + n])
        st.finish()
        on_disk = Path(vol.path()).read_bytes()
        if not download:
            vol.delete(0)
            return data, on_disk, None
        st = conn.newStream(0)
        vol.download(st, 0, 0, 0)
        back = bytearray()
        while True:
            b = st.recv(1 << 20)
            if not b:
                break
            back += b
        st.finish()
        vol.delete(0)
        return data, on_disk, bytes(back)
    finally:
        try:
            pool.destroy()
        except libvirt.libvirtError:
            pass


def start_event_loop():
    """libvirt's default event implementation, run by a daemon thread (once per process). Every
    connection opened afterwards asks for keepalive and can receive events."""
    global _event_loop_started
    libvirt = libvirt_module()
    with _event_loop_lock:
        if not _event_loop_started:
            libvirt.virEventRegisterDefaultImpl()

            def run():
                while True:
                    libvirt.virEventRunDefaultImpl()
            threading.Thread(target=run, name="libvirt-event-loop", daemon=True).start()
            _event_loop_started = True
    return libvirt


def error_fields(e):
    """A libvirtError as the comparable tuple a remote client reconstructs from remote_error."""
    return (e.get_error_code(), e.get_error_domain(), e.get_error_message(), e.get_error_level())


# ---------------------------------------------------------------------------------------------
# XDR and the raw client

def p_int(v):
    return struct.pack(">i", v)


def p_uint(v):
    return struct.pack(">I", v)


def p_hyper(v):
    return struct.pack(">q", v)


def p_opaque(b):
    return p_uint(len(b)) + b + b"\0" * (-len(b) % 4)


def p_string(s):
    return p_opaque(s.encode() if isinstance(s, str) else s)


def p_opt_string(s):
    return p_uint(0) if s is None else p_uint(1) + p_string(s)


def p_domain(name, uuid, id_):
    import uuid as uuidmod
    return p_string(name) + uuidmod.UUID(uuid).bytes + p_int(id_)


class Unpacker:
    def __init__(self, b):
        self.b, self.o = b, 0

    def int(self):
        v = struct.unpack_from(">i", self.b, self.o)[0]
        self.o += 4
        return v

    def uint(self):
        v = struct.unpack_from(">I", self.b, self.o)[0]
        self.o += 4
        return v

    def hyper(self):
        v = struct.unpack_from(">q", self.b, self.o)[0]
        self.o += 8
        return v

    def opaque(self, n):
        v = self.b[self.o:self.o + n]
        self.o += (n + 3) & ~3
        return v

    def string(self):
        return self.opaque(self.uint()).decode()

    def opt_string(self):
        return self.string() if self.uint() else None

    def uuid(self):
        import uuid as uuidmod
        return str(uuidmod.UUID(bytes=self.opaque(16)))

    def domain(self):
        return (self.string(), self.uuid(), self.int())

    def done(self):
        return self.o == len(self.b)


RemoteError = namedtuple("RemoteError", "code domain message level dom str1 str2 str3 int1 int2 net")


def parse_remote_error(payload):
    u = Unpacker(payload)
    code, dom_, msg, level = u.int(), u.int(), u.opt_string(), u.int()
    d = u.domain() if u.uint() else None
    s1, s2, s3 = u.opt_string(), u.opt_string(), u.opt_string()
    i1, i2 = u.int(), u.int()
    net = (u.string(), u.uuid()) if u.uint() else None
    if not u.done():
        raise AssertionError("trailing bytes after remote_error: %r" % payload[u.o:])
    return RemoteError(code, dom_, msg, level, d, s1, s2, s3, i1, i2, net)


Packet = namedtuple("Packet", "prog vers proc type serial status payload raw")


def pack_packet(proc, payload=b"", prog=REMOTE_PROGRAM, vers=1, type=CALL, serial=0, status=OK):
    body = struct.pack(">IIiIII", prog, vers, proc, type, serial, status) + payload
    return struct.pack(">I", len(body) + 4) + body


class ConnectionClosed(Exception):
    pass


class RawClient:
    """A hand-made libvirt RPC client: packets as bytes, nothing hidden."""

    def __init__(self, addr, timeout=5):
        fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(addr)
        self.timeout = timeout
        self.serial = 0
        self.buf = b""
        self.auto_pong = True
        self.pings = []          # monotonic times of PINGs received
        self.messages = []       # MESSAGE packets (events) seen while waiting for replies

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, proc, payload=b"", prog=REMOTE_PROGRAM, vers=1, type=CALL, serial=None, status=OK):
        if serial is None:
            serial = self.serial
            self.serial += 1
        self.send_raw(pack_packet(proc, payload, prog, vers, type, serial, status))
        return serial

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no complete packet within the timeout")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise ConnectionClosed("the server closed the connection")
            self.buf += chunk

    def recv(self, timeout=None):
        """The next packet, whatever it is."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._fill(4, deadline)
        (n,) = struct.unpack(">I", self.buf[:4])
        if n < 28 or n > 33554436:
            raise AssertionError("server sent a bad length word %d" % n)
        self._fill(n, deadline)
        raw, self.buf = self.buf[:n], self.buf[n:]
        prog, vers, proc, type_, serial, status = struct.unpack(">IIiIII", raw[4:28])
        return Packet(prog, vers, proc, type_, serial, status, raw[28:], raw)

    def recv_reply(self, serial=None, timeout=None):
        """The next REPLY (answering PINGs and keeping MESSAGEs on the way)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            p = self.recv(timeout=max(0.0, deadline - time.monotonic()))
            if p.prog == KEEPALIVE_PROGRAM:
                if p.proc == PING:
                    self.pings.append(time.monotonic())
                    if self.auto_pong:
                        self.send(PONG, prog=KEEPALIVE_PROGRAM, type=MESSAGE, serial=0)
                continue
            if p.type == MESSAGE:
                self.messages.append(p)
                continue
            if serial is not None and p.serial != serial:
                raise AssertionError("reply with serial %d, expected %d: %r" % (p.serial, serial, p))
            return p

    def call(self, proc, payload=b"", **kw):
        s = self.send(proc, payload, **kw)
        return self.recv_reply(s)

    def call_ok(self, proc, payload=b""):
        p = self.call(proc, payload)
        if p.status != OK:
            raise AssertionError("proc %d failed: %r" % (proc, parse_remote_error(p.payload)))
        return p

    def handshake(self, name="test:///default", flags=0, keepalive=True):
        """What virsh sends first: auth_list, supports_feature(10), connect_open."""
        p = self.call_ok(PROC_AUTH_LIST)
        assert p.payload == p_uint(1) + p_int(0), p.payload
        if keepalive:
            self.call_ok(PROC_SUPPORTS_FEATURE, p_int(FEATURE_KEEPALIVE))
        self.call_ok(PROC_CONNECT_OPEN, p_opt_string(name) + p_uint(flags))
        return self

    def wait_closed(self, timeout):
        """Seconds until the server closed the connection (reading and discarding, answering
        nothing), or None if it is still open after timeout."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return time.monotonic() - t0
            self.buf += chunk
            while len(self.buf) >= 28:
                (n,) = struct.unpack(">I", self.buf[:4])
                if len(self.buf) < n:
                    break
                raw, self.buf = self.buf[:n], self.buf[n:]
                prog, _, proc = struct.unpack(">IIi", raw[4:16])
                if prog == KEEPALIVE_PROGRAM and proc == PING:
                    self.pings.append(time.monotonic())


def daemon_serves(addr):
    """A fresh raw client gets through the handshake and connect_get_type answers."""
    with RawClient(addr) as c:
        c.handshake(keepalive=False)
        p = c.call_ok(PROC_CONNECT_GET_TYPE)
        return Unpacker(p.payload).string()


def main():
    if sys.executable != "/usr/bin/python3":
        print("note: run with /usr/bin/python3 (python3-libvirt)", file=sys.stderr)
    import testmain  # here, not at the top: unprivileged callers import a copy of this file alone
    testmain.main()
