"""hotplug_harness.py: a running TCG test guest on qemu:///session, for the hotplug, console and
channel suites.

SessionGuestTest.start_guest(DOMAIN_XML, name) (from setUpClass) defines and starts the test
guest of tests/guest from a template with {name}, {kernel}, {initrd}, {append} and opens a
python3-libvirt connection to it; tearDownClass destroys the guest and stops the daemon.
HotplugGuestTest adds D-Bus and python3-libvirt recorders of device-added / device-removed
events and a console reader. StreamReader reads a python3-libvirt stream (a console, a channel)
in the background, and send_until() types into one until the guest answers.
"""

import contextlib
import shutil
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon, wait_for  # noqa: E402


class StreamReader(threading.Thread):
    """A blocking python3-libvirt stream read in the background; open_stream(stream) opens it
    (dom.openConsole, dom.openChannel)."""

    def __init__(self, libvirt, conn, open_stream):
        super().__init__(daemon=True)
        self.libvirt = libvirt
        self.stream = conn.newStream(0)
        open_stream(self.stream)
        self.data = b""
        self.error = None
        self.eof = False
        self.start()

    def run(self):
        try:
            while True:
                d = self.stream.recv(4096)
                if not d:
                    self.eof = True
                    return
                self.data += d
        except self.libvirt.libvirtError as e:
            self.error = e


class SessionGuestTest(unittest.TestCase):
    @classmethod
    def start_guest(cls, template, name, conf_extra=None):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        if conf_extra:
            cls.daemon.conf_extra = conf_extra
        cls.daemon.start()
        cls.name = name
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(template.format(name=name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                       append=cls.image.append))
        for cmd in ("define %s" % xml, "start %s" % name):
            p = cls.daemon.virsh("unix", cmd)
            if p.returncode != 0:
                raise AssertionError("virsh %s: %s\n%s" % (cmd, p.stderr, cls.daemon.log()[-3000:]))
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.dom = cls.conn.lookupByName(name)

    @classmethod
    def tearDownClass(cls):
        with contextlib.suppress(Exception):
            cls.conn.close()
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        cls.daemon.stop()

    def send_until(self, reader, word, want, timeout, what):
        """Send the line word into reader's stream until want (bytes) comes back: the guest may
        still be booting. Fails, naming what did not come, after timeout seconds."""
        deadline = time.monotonic() + timeout
        while want not in reader.data:
            self.assertIsNone(reader.error)
            if time.monotonic() > deadline:
                self.fail("no %s to %r: %r\n%s" % (what, word, reader.data[-500:], self.daemon.log()[-2000:]))
            reader.stream.send(word.encode() + b"\n")
            t = time.monotonic()
            while want not in reader.data and reader.error is None and time.monotonic() - t < 2:
                time.sleep(0.05)


class HotplugGuestTest(SessionGuestTest):
    @classmethod
    def start_guest(cls, template, name):
        from test_qemu_console import ConsoleReader     # it reads with this module's StreamReader
        super().start_guest(template, name)
        cls.events = []
        for ev, kind in ((cls.libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, "added"),
                         (cls.libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, "removed")):
            cls.conn.domainEventRegisterAny(cls.dom, ev, lambda c, d, alias, o, k=kind: cls.events.append((k, alias)),
                                            None)
        import dbus
        import dbus.mainloop.glib
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        cls.bus_signals = harness.BusSignals(cls.daemon.bus_address)
        cls.bus_events = []
        for sig, kind in (("DeviceAdded", "added"), ("DeviceRemoved", "removed")):
            cls.bus_signals.add_signal_receiver(lambda alias, k=kind: cls.bus_events.append((k, str(alias))),
                                        signal_name=sig, dbus_interface=harness.DOMAIN)
        cls.dom_path = "%s/domain/_%s" % (QEMU_PATH, cls.dom.UUIDString().replace("-", "_"))
        cls.console = ConsoleReader(cls.libvirt, cls.conn, cls.dom)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.console.stream.abort()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        super().tearDownClass()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def bus_sync(self):
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        for _ in range(50):
            if not ctx.iteration(False):
                time.sleep(0.002)

    def wait_events(self, want, timeout=30):
        """want (("added"|"removed"), alias) seen by python3-libvirt and by D-Bus clients."""
        wait_for("libvirt event %r (seen %r)" % (want, self.events), lambda: want in self.events, timeout)

        def on_bus():
            self.bus_sync()
            return want in self.bus_events
        wait_for("D-Bus signal %r (seen %r)" % (want, self.bus_events), on_bus, timeout)
