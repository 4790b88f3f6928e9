"""test_qemu_migrate.py: live migration and its settings on qemu:///session, with the tiny test
guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_migrate.py -v

virsh migrate-setmaxdowntime / migrate-getmaxdowntime (ms), migrate-setspeed / migrate-getspeed
(MiB/s, --postcopy), migrate-compcache (bytes) and migrate-postcopy; python3-libvirt's
migrateSetMaxDowntime / migrateGetMaxDowntime; the D-Bus door's MigrateSetMaxDowntime,
MigrateSetMaxSpeed, MigrateGetMaxSpeed, MigrateSetCompressionCache, MigrateGetCompressionCache,
MigrateStartPostCopy. What QEMU was told is read back from QEMU itself
(qemu-monitor-command query-migrate-parameters), and what cannot be done is refused with
libvirt's words and changes nothing.

Then virsh migrate --live (managed v3 with parameters) between two virtbusd daemons on this
host: the guest answers on its console at the destination, the source lists it shut off; a
destination that refuses leaves the source's guest running; tunnelled migration is refused.
"""

import json
import shutil
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon  # noqa: E402

NAME = "mig-guest"
OFF = "mig-off"
MIB = 1024 * 1024
UNLIMITED = (2 ** 63 - 1) // MIB        # libvirt's "no cap", MiB/s
DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  {uuid}
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def prepare_class(cls):
    """The test guest and python3-libvirt's event loop (skipped without QEMU)."""
    if not shutil.which("qemu-system-x86_64"):
        raise unittest.SkipTest("qemu-system-x86_64 is not installed")
    cls.image = guest.build()
    cls.libvirt = remote_harness.start_event_loop()


class QemuMigrateSettingsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prepare_class(cls)
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        for name in (NAME, OFF):
            xml = cls.daemon.tmp / ("%s.xml" % name)
            xml.write_text(DOMAIN_XML.format(name=name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                             append=cls.image.append, uuid=""))
            p = cls.daemon.virsh("unix", "define %s" % xml)
            if p.returncode != 0:
                raise AssertionError("virsh define: %s\n%s" % (p.stderr, cls.daemon.log()[-3000:]))
        p = cls.daemon.virsh("unix", "start %s" % NAME, timeout=60)
        if p.returncode != 0:
            raise AssertionError("virsh start: %s\n%s" % (p.stderr, cls.daemon.log()[-3000:]))
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.dom = cls.conn.lookupByName(NAME)
        import dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        path = "%s/domain/_%s" % (QEMU_PATH, cls.dom.UUIDString().replace("-", "_"))
        cls.bus_dom = dbus.Interface(cls.bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)
        off = cls.conn.lookupByName(OFF)
        path = "%s/domain/_%s" % (QEMU_PATH, off.UUIDString().replace("-", "_"))
        cls.bus_off = dbus.Interface(cls.bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.virsh("unix", "destroy %s" % NAME)
        cls.daemon.stop()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def virsh_fails(self, cmd, text):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, "virsh %s succeeded: %s" % (cmd, p.stdout))
        self.assertIn(text, p.stderr)

    def qemu_params(self):
        """What QEMU itself has, from its monitor."""
        p = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-migrate-parameters\"}'" % NAME)
        return json.loads(p.stdout)["return"]

    def test_downtime(self):
        self.virsh("migrate-setmaxdowntime %s --downtime 450" % NAME)
        self.assertEqual(self.virsh("migrate-getmaxdowntime %s" % NAME).stdout.strip(), "450")
        self.assertEqual(self.qemu_params()["downtime-limit"], 450)
        self.dom.migrateSetMaxDowntime(700, 0)
        self.assertEqual(self.dom.migrateGetMaxDowntime(0), 700)
        self.bus_dom.MigrateSetMaxDowntime(dbus_u64(1200), 0)
        self.assertEqual(self.qemu_params()["downtime-limit"], 1200)
        # QEMU's own limit (2000 s) is refused with its reason, nothing changed.
        self.virsh_fails("migrate-setmaxdowntime %s --downtime 3000000" % NAME, "downtime")
        self.assertEqual(self.qemu_params()["downtime-limit"], 1200)
        with self.assertRaises(self.libvirt.libvirtError) as e:
            self.dom.migrateSetMaxDowntime(100, 1)
        self.assertIn("unsupported flags (0x1)", e.exception.get_error_message())

    def test_speed(self):
        self.virsh("migrate-setspeed %s --bandwidth 100" % NAME)
        self.assertEqual(self.virsh("migrate-getspeed %s" % NAME).stdout.strip(), "100")
        self.assertEqual(self.qemu_params()["max-bandwidth"], 100 * MIB)
        self.virsh("migrate-setspeed %s --bandwidth 40 --postcopy" % NAME)
        self.assertEqual(self.virsh("migrate-getspeed %s --postcopy" % NAME).stdout.strip(), "40")
        self.assertEqual(self.qemu_params()["max-postcopy-bandwidth"], 40 * MIB)
        self.assertEqual(self.virsh("migrate-getspeed %s" % NAME).stdout.strip(), "100")
        self.bus_dom.MigrateSetMaxSpeed(dbus_u64(64), 0)
        self.assertEqual(int(self.bus_dom.MigrateGetMaxSpeed(0)), 64)
        self.assertEqual(self.dom.migrateGetMaxSpeed(0), 64)
        self.assertEqual(self.qemu_params()["max-bandwidth"], 64 * MIB)
        self.virsh_fails("migrate-setspeed %s --bandwidth %d" % (NAME, UNLIMITED + 1),
                         "numerical overflow: bandwidth must be less than %d" % (UNLIMITED + 1))
        self.assertEqual(self.qemu_params()["max-bandwidth"], 64 * MIB)

    def test_speed_of_a_guest_not_running(self):
        """libvirt keeps the precopy cap of a guest that is off for its next migration; the
        postcopy one needs QEMU."""
        self.assertEqual(self.virsh("migrate-getspeed %s" % OFF).stdout.strip(), str(UNLIMITED))
        self.virsh("migrate-setspeed %s --bandwidth 12" % OFF)
        self.assertEqual(int(self.bus_off.MigrateGetMaxSpeed(0)), 12)
        self.virsh_fails("migrate-getspeed %s --postcopy" % OFF, "domain is not running")

    def test_compression_cache(self):
        p = self.virsh("migrate-compcache %s --size %d" % (NAME, 32 * MIB))
        self.assertIn("Compression cache: 32.000 MiB", p.stdout)
        self.assertEqual(self.qemu_params()["xbzrle-cache-size"], 32 * MIB)
        self.bus_dom.MigrateSetCompressionCache(dbus_u64(16 * MIB), 0)
        self.assertEqual(int(self.bus_dom.MigrateGetCompressionCache(0)), 16 * MIB)
        self.assertIn("Compression cache: 16.000 MiB", self.virsh("migrate-compcache %s" % NAME).stdout)
        # QEMU wants a power of two: its reason, nothing changed.
        self.virsh_fails("migrate-compcache %s --size 1000" % NAME, "unable to execute QEMU command 'migrate-set-parameters'")
        self.assertEqual(self.qemu_params()["xbzrle-cache-size"], 16 * MIB)

    def test_postcopy_needs_a_migration(self):
        self.virsh_fails("migrate-postcopy %s" % NAME,
                         "Requested operation is not valid: post-copy can only be started while outgoing migration is in progress")
        import dbus
        with self.assertRaises(dbus.exceptions.DBusException) as e:
            self.bus_dom.MigrateStartPostCopy(0)
        self.assertIn("post-copy can only be started", str(e.exception))

    def test_not_running(self):
        for cmd in ("migrate-setmaxdowntime %s --downtime 100", "migrate-getmaxdowntime %s",
                    "migrate-compcache %s", "migrate-postcopy %s"):
            self.virsh_fails(cmd % OFF, "domain is not running")
        import dbus
        with self.assertRaises(dbus.exceptions.DBusException) as e:
            self.bus_off.MigrateSetMaxDowntime(dbus_u64(100), 0)
        self.assertIn("domain is not running", str(e.exception))


class QemuMigrateTest(unittest.TestCase):
    """virsh migrate --live between two virtbusd daemons (each its own directories, bus and
    socket) on this host: the guest's kernel and initrd are files both can read."""

    @classmethod
    def setUpClass(cls):
        prepare_class(cls)
        cls.src, cls.dst = QemuDaemon(), QemuDaemon()
        cls.src.start()
        cls.dst.start()
        cls.events = {"src": [], "dst": []}
        cls.conns = {}
        for side, daemon in (("src", cls.src), ("dst", cls.dst)):
            c = cls.libvirt.open(daemon.uri())
            c.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     lambda c, d, ev, det, o: cls.events[o].append((d.name(), ev, det)), side)
            c.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                     lambda c, d, params, o: cls.events[o].append((d.name(), "job", params)), side)
            c.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                     lambda c, d, n, o: cls.events[o].append((d.name(), "pass", n)), side)
            cls.conns[side] = c

    @classmethod
    def tearDownClass(cls):
        for c in cls.conns.values():
            try:
                c.close()
            except Exception:
                pass
        for daemon in (cls.src, cls.dst):
            for name in ("mig-live", "mig-busy", "mig-off"):
                daemon.virsh("unix", "destroy %s" % name)
            daemon.stop()

    def virsh(self, daemon, cmd, check=True, timeout=120):
        p = daemon.virsh("unix", cmd, timeout=timeout)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\nsource:\n%s\ndestination:\n%s" % (
                cmd, p.returncode, p.stderr, self.src.log()[-3000:], self.dst.log()[-3000:]))
        return p

    def define_start(self, daemon, name, uuid=""):
        xml = daemon.tmp / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, uuid=uuid and "<uuid>%s</uuid>" % uuid))
        self.virsh(daemon, "define %s" % xml)
        self.virsh(daemon, "start %s" % name)

    def ask(self, side, name):
        """The guest's shell answers on its console (its `cpus` command)."""
        conn = self.conns[side]
        console = ConsoleReader(self.libvirt, conn, conn.lookupByName(name))
        try:
            return console.ask("cpus", "VIRTBUS-GUEST-CPUS", 120)
        finally:
            try:
                console.stream.abort()
            except Exception:
                pass

    def test_live_migration(self):
        name = "mig-live"
        self.define_start(self.src, name)
        self.assertIsNotNone(self.ask("src", name), "the guest did not answer on the source")
        self.virsh(self.src, "migrate --live %s %s" % (name, self.dst.uri()))
        # The destination runs it, and the guest there is the one that booted: it answers.
        self.assertEqual(self.virsh(self.dst, "domstate %s" % name).stdout.strip(), "running")
        self.assertIsNotNone(self.ask("dst", name), "the guest does not answer on the destination")
        # The source keeps the definition shut off (no --undefinesource).
        self.assertEqual(self.virsh(self.src, "domstate %s" % name).stdout.strip(), "shut off")
        self.assertIn((name, 5, 3), self.events["src"])     # stopped, migrated
        # the source's JOB_COMPLETED (operation migration out) with QEMU's figures, and its passes
        jobs = [e[2] for e in self.events["src"] if e[0] == name and e[1] == "job"]
        self.assertEqual(len(jobs), 1, self.events["src"])
        self.assertEqual(jobs[0]["operation"], self.libvirt.VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT)
        self.assertGreater(jobs[0]["memory_total"], 0)
        self.assertIn("time_elapsed", jobs[0])
        self.assertGreaterEqual(len([e for e in self.events["src"] if e[0] == name and e[1] == "pass"]), 1)
        self.assertEqual(self.virsh(self.src, "domstate --reason %s" % name).stdout.strip(), "shut off (migrated)")
        # started (migrated), paused while the stream came, resumed
        self.assertEqual([e for e in self.events["dst"] if e[0] == name and isinstance(e[1], int)],
                         [(name, 2, 1), (name, 3, 0), (name, 4, 0)])
        # python3-libvirt's migrate3 brings it back: the source's shut off definition runs it,
        # and the destination's transient copy is gone.
        back = self.conns["dst"].lookupByName(name).migrate3(self.conns["src"], {}, self.libvirt.VIR_MIGRATE_LIVE)
        self.assertEqual(back.name(), name)
        self.assertEqual(self.virsh(self.src, "domstate %s" % name).stdout.strip(), "running")
        self.assertIsNotNone(self.ask("src", name), "the guest does not answer back on the source")
        self.assertNotIn(name, self.virsh(self.dst, "list --all --name").stdout.split())

    def test_refused_migration_leaves_the_source_running(self):
        """The destination already runs a guest of that name: it refuses, nothing moves."""
        name = "mig-busy"
        self.define_start(self.src, name)
        self.define_start(self.dst, name)
        p = self.virsh(self.src, "migrate --live %s %s" % (name, self.dst.uri()), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("domain 'mig-busy' already exists with uuid", p.stderr)
        self.assertEqual(self.virsh(self.src, "domstate %s" % name).stdout.strip(), "running")
        self.assertIsNotNone(self.ask("src", name), "the guest stopped answering on the source")

    def test_tunnelled_is_refused(self):
        """Not served: refused before anything starts, by the source (peer-to-peer migration
        itself is tested in test_qemu_migrate_more.py)."""
        name = "mig-off"
        xml = self.src.tmp / "mig-off.xml"
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, uuid=""))
        self.virsh(self.src, "define %s" % xml)
        self.virsh(self.src, "start %s" % name)
        p = self.virsh(self.src, "migrate --live --p2p --tunnelled %s %s" % (name, self.dst.uri()), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("tunnelled migration is not supported", p.stderr)
        self.assertEqual(self.virsh(self.src, "domstate %s" % name).stdout.strip(), "running")
        self.assertNotIn(name, self.virsh(self.dst, "list --all --name").stdout.split())


def dbus_u64(v):
    import dbus
    return dbus.UInt64(v)


if __name__ == "__main__":
    testmain.main()
