#!/usr/bin/python3
"""test_bus_signals.py: the exact signal sequences a monitor sees, and the ObjectManager beyond libvirt-dbus."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (CONNECT, DOMAIN, DOMAIN_XML, NETWORK, NETWORK_XML, OBJMGR, POOL, POOL_XML, ROOT,  # noqa: E402
                     TEST, TEST_DOMAIN_PATH, TEST_NETWORK_PATH, TEST_POOL_PATH, VOL, VOL_XML, VirtbusTestCase,
                     main)

import dbus  # noqa: E402


def added(path, iface):
    return ("InterfacesAdded", path, (iface,))


def removed(path, iface):
    return ("InterfacesRemoved", path, (iface,))


def changed(path, iface, *names):
    return ("PropertiesChanged", path, iface, tuple(sorted(names)))


def domain_event(path, event, detail):
    return ("DomainEvent", TEST, path, event, detail)


class TestDomainSignals(VirtbusTestCase):

    def test_define_create_destroy_undefine(self):
        mon = self.start_monitor()
        path = self.define_domain("sig")
        dom = self.iface(path, DOMAIN)
        dom.Create(0)
        dom.Destroy(0)
        dom.Undefine(0)
        self.assertEqual(mon.take(), [
            added(path, DOMAIN),
            domain_event(path, 0, 0),                       # DEFINED / ADDED
            domain_event(path, 2, 0),                       # STARTED / BOOTED
            changed(path, DOMAIN, "Active", "Id"),
            domain_event(path, 5, 1),                       # STOPPED / DESTROYED
            changed(path, DOMAIN, "Active", "Id"),
            domain_event(path, 1, 0),                       # UNDEFINED / REMOVED
            removed(path, DOMAIN),
        ])

    def test_suspend_resume_shutdown(self):
        mon = self.start_monitor()
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        dom.Suspend()
        dom.Resume()
        dom.Shutdown(0)
        self.assertEqual(mon.take(), [
            domain_event(TEST_DOMAIN_PATH, 3, 0),           # SUSPENDED / PAUSED
            domain_event(TEST_DOMAIN_PATH, 4, 0),           # RESUMED / UNPAUSED
            domain_event(TEST_DOMAIN_PATH, 5, 0),           # STOPPED / SHUTDOWN
            changed(TEST_DOMAIN_PATH, DOMAIN, "Active", "Id"),
        ])

    def test_transient_create_and_destroy(self):
        mon = self.start_monitor()
        path = str(self.connect.DomainCreateXML(DOMAIN_XML.format(name="tsig"), 0))
        self.iface(path, DOMAIN).Destroy(0)
        self.assertEqual(mon.take(), [
            added(path, DOMAIN),
            domain_event(path, 2, 0),
            changed(path, DOMAIN, "Active", "Id"),
            domain_event(path, 5, 1),
            changed(path, DOMAIN, "Active", "Id"),
            removed(path, DOMAIN),
        ])

    def test_reboot_and_reset_emit_nothing_on_test(self):
        # observed on libvirt-dbus over test:///default (dbus-api.md §1, Signals)
        mon = self.start_monitor()
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        dom.Reboot(0)
        dom.Reset(0)
        self.assertEqual(mon.take(), [])

    def test_autostart_change(self):
        mon = self.start_monitor()
        self.set(TEST_DOMAIN_PATH, DOMAIN, "Autostart", dbus.Boolean(True))
        sigs = mon.take()
        self.assertEqual(sigs, [changed(TEST_DOMAIN_PATH, DOMAIN, "Autostart")])

    def test_properties_changed_carries_new_values(self):
        mon = self.start_monitor()
        self.iface(TEST_DOMAIN_PATH, DOMAIN).Destroy(0)
        mon.sync()
        pc = [i for i, s in enumerate(mon.signals) if s[1] == "PropertiesChanged"]
        self.assertEqual(len(pc), 1)
        iface, values, invalidated = mon.signals[pc[0]][3]
        self.assertEqual(iface, DOMAIN)
        self.assertEqual(dict(values), {"Active": False, "Id": 0})
        self.assertEqual(list(invalidated), [])
        # PropertiesChanged values are single-wrapped (standard), unlike libvirt-dbus's GetAll:
        # the variant holds the boolean itself, not another variant
        raw = mon.raw[pc[0]]
        self.assertEqual(raw.get_type_string(), "(sa{sv}as)")
        self.assertEqual(raw.get_child_value(1).lookup_value("Active", None).get_type_string(), "b")

    def test_metadata_change(self):
        mon = self.start_monitor()
        self.iface(TEST_DOMAIN_PATH, DOMAIN).SetMetadata(0, "hello", "", "", 0)
        sigs = mon.take()
        self.assertIn(("MetadataChange", TEST_DOMAIN_PATH, 0, ""), sigs)

    def test_all_signals_are_broadcast(self):
        mon = self.start_monitor()
        self.iface(TEST_DOMAIN_PATH, DOMAIN).Suspend()
        mon.sync()
        self.assertTrue(mon.signals)


class TestNetworkAndPoolSignals(VirtbusTestCase):

    def test_network(self):
        mon = self.start_monitor()
        path = str(self.connect.NetworkDefineXML(NETWORK_XML.format(name="nsig", bridge="vbsig0")))
        net = self.iface(path, NETWORK)
        net.Create()
        net.Destroy()
        net.Undefine()
        self.assertEqual(mon.take(), [
            added(path, NETWORK),
            ("NetworkEvent", TEST, path, 0),
            ("NetworkEvent", TEST, path, 2),
            changed(path, NETWORK, "Active"),
            ("NetworkEvent", TEST, path, 3),
            changed(path, NETWORK, "Active"),
            ("NetworkEvent", TEST, path, 1),
            removed(path, NETWORK),
        ])

    def test_default_network_destroy_create(self):
        mon = self.start_monitor()
        net = self.iface(TEST_NETWORK_PATH, NETWORK)
        net.Destroy()
        net.Create()
        self.assertEqual(mon.take(), [
            ("NetworkEvent", TEST, TEST_NETWORK_PATH, 3),
            changed(TEST_NETWORK_PATH, NETWORK, "Active"),
            ("NetworkEvent", TEST, TEST_NETWORK_PATH, 2),
            changed(TEST_NETWORK_PATH, NETWORK, "Active"),
        ])

    def test_pool(self):
        mon = self.start_monitor()
        path = str(self.connect.StoragePoolDefineXML(POOL_XML.format(name="psig"), 0))
        pool = self.iface(path, POOL)
        pool.Build(0)
        pool.Create(0)
        pool.Refresh(0)
        pool.Destroy()
        pool.Delete(0)
        pool.Undefine()
        self.assertEqual(mon.take(), [
            added(path, POOL),
            ("StoragePoolEvent", TEST, path, 0, 0),         # DEFINED
            ("StoragePoolEvent", TEST, path, 4, 0),         # CREATED (built)
            ("StoragePoolEvent", TEST, path, 2, 0),         # STARTED
            changed(path, POOL, "Active"),
            ("Refresh", path),
            ("StoragePoolEvent", TEST, path, 3, 0),         # STOPPED
            changed(path, POOL, "Active"),
            ("StoragePoolEvent", TEST, path, 5, 0),         # DELETED
            ("StoragePoolEvent", TEST, path, 1, 0),         # UNDEFINED
            removed(path, POOL),
        ])

    def test_volume_added_removed(self):
        mon = self.start_monitor()
        pool = self.iface(TEST_POOL_PATH, POOL)
        path = str(pool.StorageVolCreateXML(VOL_XML.format(name="s.img", capacity=4096), 0))
        self.iface(path, VOL).Delete(0)
        self.assertEqual(mon.take(), [added(path, VOL), removed(path, VOL)])


class TestObjectManager(VirtbusTestCase):

    def test_get_managed_objects(self):
        objects = self.iface(ROOT, OBJMGR).GetManagedObjects()
        paths = {str(p): {str(i) for i in ifaces if str(i).startswith("org.libvirt")}
                 for p, ifaces in objects.items()}
        paths = {p: i for p, i in paths.items() if i}
        # host objects (interfaces, node devices): the Test connection's, and the QEMU ones the host has
        host = {p for p, i in paths.items() if i & {"org.libvirt.Interface", "org.libvirt.NodeDevice"}}
        self.assertIn(TEST + "/interface/aa_3abb_3acc_3add_3aee_3aff", host)
        self.assertIn(TEST + "/nodedev/scsi_5fhost11", host)
        self.assertIn(ROOT + "/QEMU/nodedev/computer", host)
        paths = {p: i for p, i in paths.items() if p not in host}
        self.assertEqual(paths, {
            ROOT + "/QEMU": {CONNECT},          # qemu:///session, no domains defined
            TEST: {CONNECT},
            TEST_DOMAIN_PATH: {DOMAIN},
            TEST_NETWORK_PATH: {NETWORK},
            TEST_POOL_PATH: {POOL},
            ROOT + "/admin": {"org.libvirt.virtbus.Admin"},     # virtbus's own, no properties
        })
        self.assertEqual(dict(objects[dbus.ObjectPath(ROOT + "/admin")]["org.libvirt.virtbus.Admin"]), {})
        dom = objects[dbus.ObjectPath(TEST_DOMAIN_PATH)][DOMAIN]
        self.assertEqual(dom["Name"], "test")
        self.assertEqual(dom["Id"], 1)
        self.assertEqual(tuple(dom["SchedulerType"]), ("fair", 1))
        self.assertEqual(objects[dbus.ObjectPath(TEST)][CONNECT]["LibVersion"], 9000000)

    def test_interfaces_added_matches_get_all(self):
        mon = self.start_monitor()
        path = self.define_domain("om")
        mon.sync()
        sig = [s for s in mon.signals if s[1] == "InterfacesAdded"]
        self.assertEqual(len(sig), 1)
        props = dict(sig[0][3][1][DOMAIN])
        self.assertEqual(props, dict(self.get_all(path, DOMAIN)))
        self.assertEqual(props["Name"], "om")
        self.assertEqual(sig[0][2], ROOT)   # emitted by the ObjectManager at /org/libvirt


if __name__ == "__main__":
    main()
