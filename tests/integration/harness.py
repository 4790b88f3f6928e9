"""harness.py: a private dbus-daemon and a real virtbusd --session on it, for the integration tests.

Run the tests with the Debian interpreter (it has python3-dbus and gi):
    /usr/bin/python3 -m unittest discover -s tests/integration -p 'test_bus*.py'
or one file alone:
    /usr/bin/python3 tests/integration/test_bus_lifecycle.py

The daemon binary is $VIRTBUSD, or build/service/virtbusd below the repository root.
Set VIRTBUS_TEST_KEEP=1 to keep the temporary directory (logs, bus config) for inspection.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import dbus
import dbus.lowlevel
import dbus.mainloop.glib
from gi.repository import Gio, GLib

import cleanup

REPO_ROOT = Path(__file__).resolve().parents[2]
VIRTBUSD = Path(os.environ.get("VIRTBUSD", REPO_ROOT / "build" / "service" / "virtbusd"))
INTERFACES_DIR = REPO_ROOT / "interfaces"
REFERENCE_DIR = Path("/usr/share/dbus-1/interfaces")

BUS_NAME = "org.libvirt"
ROOT = "/org/libvirt"
TEST = "/org/libvirt/Test"
CONNECT = "org.libvirt.Connect"
DOMAIN = "org.libvirt.Domain"
NETWORK = "org.libvirt.Network"
POOL = "org.libvirt.StoragePool"
VOL = "org.libvirt.StorageVol"
PROPS = "org.freedesktop.DBus.Properties"
OBJMGR = "org.freedesktop.DBus.ObjectManager"
LIBVIRT_ERROR = "org.libvirt.Error"

# libvirt's test:///default content (dbus-api.md §2)
TEST_DOMAIN_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
TEST_NETWORK_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"
TEST_POOL_UUID = "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"
TEST_DOMAIN_PATH = TEST + "/domain/_" + TEST_DOMAIN_UUID.replace("-", "_")
TEST_NETWORK_PATH = TEST + "/network/_" + TEST_NETWORK_UUID.replace("-", "_")
TEST_POOL_PATH = TEST + "/storagepool/_" + TEST_POOL_UUID.replace("-", "_")

DOMAIN_XML = """<domain type='test'>
  <name>{name}</name>
  <memory unit='KiB'>1048576</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>"""
NETWORK_XML = """<network>
  <name>{name}</name>
  <bridge name='{bridge}'/>
  <ip address='10.9.8.1' netmask='255.255.255.0'/>
</network>"""
POOL_XML = """<pool type='dir'>
  <name>{name}</name>
  <target><path>/{name}</path></target>
</pool>"""
VOL_XML = """<volume>
  <name>{name}</name>
  <capacity unit='bytes'>{capacity}</capacity>
</volume>"""

_DBUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A private session bus: no service directories, so nothing is ever auto-activated. -->
  <type>session</type>
  <keep_umask/>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def encode_str(s):
    """libvirt-dbus's EncodeStr, for volume paths."""
    out = []
    for b in s.encode():
        c = chr(b)
        out.append(c if c.isascii() and c.isalnum() else "_%02x" % b)
    return "".join(out)


def uuid_path(kind, uuid):
    return "%s/%s/_%s" % (TEST, kind, uuid.replace("-", "_"))


def stop_private_daemon(d):
    """Stop what Daemon.start and RemoteDaemon.start started: the QEMUs the daemon recorded (they
    outlive it), the daemon (SIGTERM), its bus; the temporary directory goes unless kept. The
    daemon's exit code (None if it had to be killed). Again: nothing more to stop."""
    qemu_run = d.tmp / "xdg_runtime_dir" / "virtbus" / "qemu"
    code = None
    if d.proc:
        cleanup.kill_recorded_qemus(qemu_run, d.proc.poll() is None)
        code = cleanup.stop_process(d.proc, 5)
        d.proc = None
    cleanup.kill_recorded_qemus(qemu_run, False)    # those of a daemon that had died
    if d.dbus_proc:
        cleanup.stop_process(d.dbus_proc, 5)
        d.dbus_proc.stdout.close()
        d.dbus_proc = None
    if not d.keep:
        shutil.rmtree(d.tmp, ignore_errors=True)
    return code


class Daemon:
    """A dbus-daemon and a virtbusd --session, each in a fresh temporary directory."""

    def __init__(self):
        keep = os.environ.get("VIRTBUS_TEST_KEEP")
        self.tmp = Path(tempfile.mkdtemp(prefix="virtbus-it-"))
        self.keep = bool(keep)
        self.dbus_proc = None
        self.proc = None
        self.address = None

    def start(self):
        if not VIRTBUSD.exists():
            raise unittest.SkipTest("virtbusd not built: %s" % VIRTBUSD)
        cleanup.owned(self.stop)
        socket = self.tmp / "bus"
        config = self.tmp / "bus.conf"
        config.write_text(_DBUS_CONFIG.format(socket=socket))
        with open(self.tmp / "dbus-daemon.log", "w") as err:
            self.dbus_proc = subprocess.Popen(
                ["dbus-daemon", "--config-file=%s" % config, "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=err, text=True)
        self.address = self.dbus_proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start: %s" % (self.tmp / "dbus-daemon.log").read_text())

        env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"):
            d = self.tmp / var.lower()
            d.mkdir(mode=0o700)
            env[var] = str(d)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        self.log_path = self.tmp / "virtbusd.log"
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen([str(VIRTBUSD), "--session"], env=env,
                                         stdout=out, stderr=subprocess.STDOUT)
        self.bus = dbus.bus.BusConnection(self.address)
        deadline = time.monotonic() + 5
        while not self.bus.name_has_owner(BUS_NAME):
            if self.proc.poll() is not None:
                raise RuntimeError("virtbusd exited with %d before owning %s:\n%s"
                                   % (self.proc.returncode, BUS_NAME, self.log()))
            if time.monotonic() > deadline:
                raise RuntimeError("virtbusd did not own %s within 5 s:\n%s" % (BUS_NAME, self.log()))
            time.sleep(0.02)
        return self

    def log(self):
        try:
            return self.log_path.read_text()
        except OSError:
            return ""

    def stop(self):
        """SIGTERM virtbusd; returns its exit code (None if it had to be killed)."""
        return stop_private_daemon(self)

    # --- command-line clients ---

    def busctl(self, *args, check=True):
        p = subprocess.run(["busctl", "--address=%s" % self.address, "--no-pager"] + list(args),
                           capture_output=True, text=True, timeout=10)
        if check and p.returncode != 0:
            raise AssertionError("busctl %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def gdbus(self, *args, check=True):
        p = subprocess.run(["gdbus"] + list(args[:1]) + ["--address", self.address] + list(args[1:]),
                           capture_output=True, text=True, timeout=10)
        if check and p.returncode != 0:
            raise AssertionError("gdbus %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p


class BusSignals:
    """Signals on a bus, received through a GDBus connection of their own and handed to
    handlers in a thread of their own. Method calls stay on dbus-python connections without a
    main loop: libdbus aborts the process ("dbus_watch_handle(): watch != NULL") when one thread
    blocks in a call on a connection whose watches another thread dispatches, and libvirt's
    event-loop thread (remote_harness.start_event_loop) iterates GLib's default context, where
    a DBusGMainLoop connection's watches live. GDBus does its I/O in its own worker thread."""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self.ctx = GLib.MainContext.new()
        self.ids = []
        self.running = True
        self.thread = threading.Thread(target=self._run, name="bus-signals", daemon=True)
        self.thread.start()

    def _run(self):
        # GDBus hands a subscription's signals to the context that was the subscribing thread's
        # default: subscriptions are made in this thread (_in_thread), whose default is ctx
        self.ctx.push_thread_default()
        while self.running:
            self.ctx.iteration(True)
        self.ctx.pop_thread_default()

    def _in_thread(self, fn):
        done, out = threading.Event(), []

        def call(*_):
            out.append(fn())
            done.set()
            return False
        src = GLib.idle_source_new()
        src.set_callback(call)
        src.attach(self.ctx)
        if not done.wait(30):
            raise AssertionError("the signal thread did not run a subscription")
        return out[0]

    def add_signal_receiver(self, handler, signal_name=None, dbus_interface=None, path=None,
                            member_keyword=None, path_keyword=None):
        """dbus-python's add_signal_receiver, its arguments as plain Python values."""
        def deliver(conn, sender, obj_path, iface, member, params):
            kw = {}
            if member_keyword:
                kw[member_keyword] = member
            if path_keyword:
                kw[path_keyword] = obj_path
            handler(*params.unpack(), **kw)
        self.ids.append(self._in_thread(lambda: self.conn.signal_subscribe(
            None, dbus_interface, signal_name, path, None, Gio.DBusSignalFlags.NONE, deliver)))
        # GDBus sends the match rule without waiting: a round trip after it on the same
        # connection puts it in force before this returns, as dbus-python's AddMatch does
        self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                            None, None, Gio.DBusCallFlags.NONE, -1, None)

    def close(self):
        for i in self.ids:
            self.conn.signal_unsubscribe(i)
        self.ids = []
        self.running = False
        self.ctx.wakeup()
        self.thread.join(10)
        self.conn.close_sync(None)


class SignalMonitor:
    """Every signal org.libvirt sends, in the order this connection receives them. A GDBus
    connection (see BusSignals) whose signals wait in a context of the monitor's own until
    sync() dispatches them in the calling thread."""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self.owner = self._call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                "GetNameOwner", GLib.Variant("(s)", (BUS_NAME,)))[0]
        self.signals, self.raw = [], []
        self.ctx = GLib.MainContext.new()
        self.ctx.push_thread_default()
        try:
            self.sub = self.conn.signal_subscribe(self.owner, None, None, None, None, Gio.DBusSignalFlags.NONE,
                                                  self._on_signal)
        finally:
            self.ctx.pop_thread_default()
        # the match rule is sent without waiting: a round trip puts it in force
        self._call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId", None)

    def _call(self, dest, path, iface, member, args):
        r = self.conn.call_sync(dest, path, iface, member, args, None, Gio.DBusCallFlags.NONE, -1, None)
        return r.unpack() if r is not None else ()

    def _on_signal(self, conn, sender, path, iface, member, params):
        self.signals.append((iface, member, path, list(params.unpack())))
        self.raw.append(params)         # the same signal's arguments as sent (GLib.Variant)

    def sync(self):
        """Everything virtbusd sent before it answers a Ping has reached us once this returns."""
        # GDBus's worker queues each signal to ctx as it reads it, so those read before the
        # Ping's reply are queued by the time call_sync returns; dispatch them all
        self._call(BUS_NAME, ROOT, "org.freedesktop.DBus.Peer", "Ping", None)
        while self.ctx.iteration(False):
            pass
        return self

    def take(self):
        """The signals so far, simplified, and forget them."""
        self.sync()
        out = [simplify(s) for s in self.signals]
        self.signals, self.raw = [], []
        return out

    def close(self):
        self.conn.signal_unsubscribe(self.sub)
        self.conn.close_sync(None)


def simplify(sig):
    """A signal as a comparable tuple: (member, path, args…), PropertiesChanged with sorted names."""
    iface, member, path, args = sig
    if member == "PropertiesChanged":
        return (member, path, str(args[0]), tuple(sorted(str(k) for k in args[1])))
    if member == "InterfacesAdded":
        return (member, str(args[0]), tuple(sorted(str(k) for k in args[1] if str(k).startswith("org.libvirt"))))
    if member == "InterfacesRemoved":
        return (member, str(args[0]), tuple(sorted(str(k) for k in args[1] if str(k).startswith("org.libvirt"))))
    return (member, path) + tuple(str(a) if isinstance(a, dbus.ObjectPath) else int(a)
                                  if isinstance(a, (dbus.Int32, dbus.UInt32)) else a for a in args)


class VirtbusTestCase(unittest.TestCase):
    """A fresh daemon for every test, stopped (and its exit code checked) afterwards."""

    def setUp(self):
        self.daemon = Daemon()
        try:
            self.daemon.start()
        except Exception:
            self.daemon.stop()
            raise
        self.bus = self.daemon.bus
        self.monitor = None

    def tearDown(self):
        if self.monitor:
            self.monitor.close()
        self.bus.close()
        log = self.daemon.log()
        code = self.daemon.stop()
        self.assertEqual(code, 0, "virtbusd did not exit cleanly on SIGTERM:\n" + log)

    # --- helpers ---

    def start_monitor(self):
        self.monitor = SignalMonitor(self.daemon.address)
        self.monitor.sync()
        return self.monitor

    def iface(self, path, interface):
        return dbus.Interface(self.bus.get_object(BUS_NAME, path), interface)

    @property
    def connect(self):
        return self.iface(TEST, CONNECT)

    def get_all(self, path, interface):
        return self.iface(path, PROPS).GetAll(interface)

    def get(self, path, interface, name):
        return self.iface(path, PROPS).Get(interface, name)

    def set(self, path, interface, name, value):
        return self.iface(path, PROPS).Set(interface, name, value)

    def assertDBusError(self, name, call, *args, message=None, prefix=None):
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            call(*args)
        self.assertEqual(cm.exception.get_dbus_name(), name, cm.exception.get_dbus_message())
        if message is not None:
            self.assertEqual(cm.exception.get_dbus_message(), message)
        if prefix is not None:
            self.assertTrue(cm.exception.get_dbus_message().startswith(prefix), cm.exception.get_dbus_message())
        return cm.exception.get_dbus_message()

    def introspect(self, path):
        xml = self.iface(path, "org.freedesktop.DBus.Introspectable").Introspect()
        return ET.fromstring(str(xml))

    def define_domain(self, name="dbus-test"):
        return str(self.connect.DomainDefineXML(DOMAIN_XML.format(name=name)))


class OracleMixin:
    """libvirt's own test:///default driver (python3-libvirt), for exact error texts."""

    @classmethod
    def oracle(cls):
        try:
            import libvirt
        except ImportError:
            raise unittest.SkipTest("python3-libvirt is not installed")
        libvirt.registerErrorHandler(lambda *a: None, None)
        return libvirt, libvirt.open("test:///default")

    def oracle_error(self, fn):
        libvirt, _ = self.oracle()
        try:
            fn()
        except libvirt.libvirtError as e:
            return e.get_error_message()
        self.fail("the oracle did not fail")


def main():
    if sys.executable != "/usr/bin/python3":
        print("note: run with /usr/bin/python3 (python3-dbus, gi)", file=sys.stderr)
    import testmain  # here, not at the top: unprivileged callers import a copy of this file alone
    testmain.main()
