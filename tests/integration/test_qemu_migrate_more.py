"""test_qemu_migrate_more.py: the rest of live migration between two virtbusd daemons on this
host (qemu:///session, the tiny test guest under TCG).

    /usr/bin/python3 tests/integration/test_qemu_migrate_more.py -v

The v3 procedures without typed parameters (213 Begin3, 214 Prepare3, 216 Perform3, 217
Finish3, 218 Confirm3): real virsh and python3-libvirt take them when a side does not answer
MIGRATION_PARAMS; a relay in front of each daemon (migrate_proxy.py) says so, as a daemon older
than libvirt 1.1.0 would, and records which procedures the clients called.

Peer-to-peer migration: `virsh migrate --live --p2p` hands the whole migration to the source
daemon, which connects to the destination daemon itself (unix socket, or TCP); D-Bus
Domain.MigrateToURI3 (libvirt-dbus's virDomainMigrateToURI3) does the same from the bus; a
destination that refuses leaves the source's guest running.
"""

import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import migrate_proxy  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
import harness  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon  # noqa: E402
import test_qemu_migrate  # noqa: E402  (its module, not its classes: they run in their own suite)
from test_qemu_migrate import prepare_class  # noqa: E402

PARAMS_PROCS = {302, 303, 304, 305, 306, 307}


class TcpQemuDaemon(QemuDaemon):
    """A QEMU daemon that also listens on TCP (127.0.0.1, auth none)."""

    def __init__(self):
        remote_harness.RemoteDaemon.__init__(self, tcp=True)


class MigrateTwoDaemons(unittest.TestCase):
    """Two daemons, each with its own directories, bus and socket; python3-libvirt connections."""

    @classmethod
    def setUpClass(cls):
        prepare_class(cls)
        cls.src, cls.dst = TcpQemuDaemon(), QemuDaemon()
        cls.src.start()
        cls.dst.start()
        cls.conns = {"src": cls.libvirt.open(cls.src.uri()), "dst": cls.libvirt.open(cls.dst.uri())}
        cls.names = []

    @classmethod
    def tearDownClass(cls):
        for c in cls.conns.values():
            try:
                c.close()
            except Exception:
                pass
        for daemon in (cls.src, cls.dst):
            for name in cls.names:
                daemon.virsh("unix", "destroy %s" % name)
            daemon.stop()

    def daemon_of(self, side):
        return self.src if side == "src" else self.dst

    def virsh(self, daemon, cmd, check=True, timeout=180, uri=None):
        p = remote_harness.run_virsh(uri or daemon.uri(), cmd, timeout=timeout, env=daemon.client_env())
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\nsource:\n%s\ndestination:\n%s" % (
                cmd, p.returncode, p.stderr, self.src.log()[-3000:], self.dst.log()[-3000:]))
        return p

    def state(self, daemon, name):
        return self.virsh(daemon, "domstate %s" % name).stdout.strip()

    def define_start(self, daemon, name):
        self.names.append(name)
        test_qemu_migrate.QemuMigrateTest.define_start(self, daemon, name)

    ask = test_qemu_migrate.QemuMigrateTest.ask     # the guest's shell answers on its console


class MigrateWithoutParamsTest(MigrateTwoDaemons):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proxies = {"src": migrate_proxy.FeatureHidingProxy(cls.src.sock, cls.src.tmp / "old-src.sock"),
                       "dst": migrate_proxy.FeatureHidingProxy(cls.dst.sock, cls.dst.tmp / "old-dst.sock")}

    @classmethod
    def tearDownClass(cls):
        for p in cls.proxies.values():
            p.close()
        super().tearDownClass()

    def test_virsh_and_python_take_the_procedures_without_params(self):
        name = "mig-plain"
        self.define_start(self.src, name)
        self.assertIsNotNone(self.ask("src", name), "the guest did not answer on the source")
        self.virsh(self.src, "migrate --live %s %s" % (name, self.proxies["dst"].uri()), uri=self.proxies["src"].uri())
        self.assertEqual(self.state(self.dst, name), "running")
        self.assertIsNotNone(self.ask("dst", name), "the guest does not answer on the destination")
        self.assertEqual(self.virsh(self.src, "domstate --reason %s" % name).stdout.strip(), "shut off (migrated)")
        src_procs, dst_procs = set(self.proxies["src"].procs), set(self.proxies["dst"].procs)
        self.assertTrue({213, 216, 218} <= src_procs, sorted(src_procs))
        self.assertTrue({214, 217} <= dst_procs, sorted(dst_procs))
        self.assertFalse(PARAMS_PROCS & (src_procs | dst_procs))

        # python3-libvirt's dom.migrate (virDomainMigrate) brings it back the same way.
        old_dst = self.libvirt.open(self.proxies["dst"].uri())
        old_src = self.libvirt.open(self.proxies["src"].uri())
        try:
            back = old_dst.lookupByName(name).migrate(old_src, self.libvirt.VIR_MIGRATE_LIVE, None, None, 0)
            self.assertEqual(back.name(), name)
        finally:
            old_dst.close()
            old_src.close()
        self.assertEqual(self.state(self.src, name), "running")
        self.assertIsNotNone(self.ask("src", name), "the guest does not answer back on the source")
        self.assertNotIn(name, self.virsh(self.dst, "list --all --name").stdout.split())
        self.assertFalse(PARAMS_PROCS & (set(self.proxies["src"].procs) | set(self.proxies["dst"].procs)))



class MigratePeerToPeerTest(MigrateTwoDaemons):
    def bus_domain(self, daemon, side, name):
        import dbus
        bus = dbus.bus.BusConnection(daemon.bus_address)
        uuid = self.conns[side].lookupByName(name).UUIDString()
        path = "%s/domain/_%s" % (QEMU_PATH, uuid.replace("-", "_"))
        return dbus.Interface(bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)

    def test_virsh_p2p_then_dbus_migrate_to_uri3_back(self):
        name = "mig-p2p"
        self.define_start(self.src, name)
        self.assertIsNotNone(self.ask("src", name), "the guest did not answer on the source")
        self.virsh(self.src, "migrate --live --p2p %s %s" % (name, self.dst.uri()))
        self.assertEqual(self.state(self.dst, name), "running")
        self.assertIsNotNone(self.ask("dst", name), "the guest does not answer on the destination")
        self.assertEqual(self.virsh(self.src, "domstate --reason %s" % name).stdout.strip(), "shut off (migrated)")

        # Back over D-Bus, the destination daemon driving the source's over TCP this time.
        import dbus
        bus_dom = self.bus_domain(self.dst, "dst", name)
        back_uri = "qemu+tcp://127.0.0.1:%d/session" % self.src.port
        # Without PEER2PEER it would be direct migration, which QEMU's driver has not.
        with self.assertRaises(dbus.exceptions.DBusException) as e:
            bus_dom.MigrateToURI3(back_uri, dbus.Dictionary({}, signature="sv"), dbus.UInt32(1))
        self.assertIn("this function is not supported by the connection driver: virDomainMigrateToURI3",
                      str(e.exception))
        with self.assertRaises(dbus.exceptions.DBusException) as e:
            bus_dom.MigrateToURI3(back_uri, dbus.Dictionary({"compression": "xbzrle"}, signature="sv"), dbus.UInt32(3))
        self.assertIn("parameter 'compression' not supported", str(e.exception))
        self.assertEqual(self.state(self.dst, name), "running")
        bus_dom.MigrateToURI3(back_uri, dbus.Dictionary({}, signature="sv"), dbus.UInt32(3), timeout=300)
        self.assertEqual(self.state(self.src, name), "running")
        self.assertIsNotNone(self.ask("src", name), "the guest does not answer back on the source")
        self.assertNotIn(name, self.virsh(self.dst, "list --all --name").stdout.split())

    def test_refused_p2p_leaves_the_source_running(self):
        """The destination already runs a guest of that name: its refusal is what the user
        reads, and the source's guest runs on."""
        name = "mig-p2p-busy"
        self.define_start(self.src, name)
        self.define_start(self.dst, name)
        p = self.virsh(self.src, "migrate --live --p2p %s %s" % (name, self.dst.uri()), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("domain 'mig-p2p-busy' already exists with uuid", p.stderr)
        self.assertEqual(self.state(self.src, name), "running")
        self.assertIsNotNone(self.ask("src", name), "the guest stopped answering on the source")
        # A destination nobody listens on: the source says so and keeps its guest.
        gone = self.src.tmp / "nobody.sock"
        p = self.virsh(self.src, "migrate --live --p2p %s qemu+unix:///session?socket=%s" % (name, gone), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Failed to connect socket to '%s'" % gone, p.stderr)
        self.assertEqual(self.state(self.src, name), "running")


if __name__ == "__main__":
    testmain.main()
