"""hotplug_harness.py: a running TCG test guest on qemu:///session for the hotplug suites.

HotplugGuestTest.start_guest(DOMAIN_XML, name) (from setUpClass) defines and starts the test
guest of tests/guest from a template with {name}, {kernel}, {initrd}, {append}, opens
python3-libvirt and D-Bus connections that record device-added / device-removed events, and
a console reader; tearDownClass destroys the guest and stops the daemon.
"""

import shutil
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon, wait_for  # noqa: E402


class HotplugGuestTest(unittest.TestCase):
    @classmethod
    def start_guest(cls, template, name):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
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
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        cls.daemon.stop()

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
