#!/usr/bin/python3
"""test_bus_props.py: org.freedesktop.DBus.Properties as libvirt-dbus puts it on the wire (GetAll double-wrapped, Get single)."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (CONNECT, DOMAIN, LIBVIRT_ERROR, NETWORK, POOL, PROPS, TEST, TEST_DOMAIN_PATH,  # noqa: E402
                     TEST_NETWORK_PATH, TEST_POOL_PATH, VirtbusTestCase, main)

import dbus  # noqa: E402

INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
STALE_DOMAIN = TEST + "/domain/_11111111_2222_3333_4444_555555555555"


class TestProperties(VirtbusTestCase):

    def test_get_all_values_are_double_wrapped(self):
        for path, iface in ((TEST, CONNECT), (TEST_DOMAIN_PATH, DOMAIN), (TEST_NETWORK_PATH, NETWORK),
                            (TEST_POOL_PATH, POOL)):
            props = self.get_all(path, iface)
            self.assertTrue(props, iface)
            for name, value in props.items():
                self.assertEqual(value.variant_level, 2, "%s.%s is not a variant in a variant" % (iface, name))

    def test_get_is_single_wrapped(self):
        value = self.get(TEST_DOMAIN_PATH, DOMAIN, "Name")
        self.assertEqual(value, "test")
        self.assertEqual(value.variant_level, 1)
        self.assertEqual(self.get(TEST, CONNECT, "LibVersion").variant_level, 1)

    def test_busctl_verbose_shows_the_inner_variant(self):
        out = self.daemon.busctl("--verbose", "call", "org.libvirt", TEST_DOMAIN_PATH, PROPS, "GetAll", "s",
                                 DOMAIN).stdout
        self.assertRegex(out, r'STRING "Name";\s*VARIANT "v" \{\s*VARIANT "s" \{\s*STRING "test";')
        out = self.daemon.busctl("--verbose", "call", "org.libvirt", TEST_DOMAIN_PATH, PROPS, "Get", "ss",
                                 DOMAIN, "Name").stdout
        self.assertRegex(out, r'VARIANT "s" \{\s*STRING "test";')

    def test_gdbus_get_all(self):
        out = self.daemon.gdbus("call", "--dest", "org.libvirt", "--object-path", TEST,
                                "--method", PROPS + ".GetAll", CONNECT).stdout
        self.assertIn("'LibVersion': <<uint64 9000000>>", out)
        self.assertIn("'Encrypted': <<false>>", out)

    def test_initial_values(self):
        dom = self.get_all(TEST_DOMAIN_PATH, DOMAIN)
        self.assertEqual(dict(dom), {
            "Active": True, "Autostart": False, "Id": 1, "Name": "test", "OSType": "linux",
            "Persistent": True, "SchedulerType": ("fair", 1), "Updated": False,
            "UUID": "6695eb01-f6a4-8304-79aa-97f2502e193f",
        })
        conn = self.get_all(TEST, CONNECT)
        self.assertEqual(conn["LibVersion"], 9000000)
        self.assertEqual(conn["Version"], 2)
        self.assertEqual((conn["Encrypted"], conn["Secure"]), (False, False))
        import socket
        self.assertEqual(conn["Hostname"], socket.gethostname())

    def test_stale_path_get_all_is_empty(self):
        props = self.get_all(STALE_DOMAIN, DOMAIN)
        self.assertEqual(dict(props), {})
        self.assertEqual(props.signature, "sv")

    def test_stale_path_get_fails_like_libvirt(self):
        self.assertDBusError(LIBVIRT_ERROR, self.get, STALE_DOMAIN, DOMAIN, "Name", prefix="Domain not found")

    def test_unknown_interface(self):
        self.assertDBusError("org.freedesktop.DBus.Error.UnknownInterface", self.get_all, TEST_DOMAIN_PATH,
                             "org.libvirt.Bogus", message='No such interface "org.libvirt.Bogus"')
        self.assertDBusError("org.freedesktop.DBus.Error.UnknownInterface", self.get, TEST_DOMAIN_PATH,
                             NETWORK, "Name")

    def test_unknown_property(self):
        self.assertDBusError("org.freedesktop.DBus.Error.UnknownProperty", self.get, TEST_DOMAIN_PATH, DOMAIN,
                             "Bogus")

    def test_set_read_only(self):
        self.assertDBusError(INVALID_ARGS, self.set, TEST_DOMAIN_PATH, DOMAIN, "Name", "other",
                             message='Property "Name" is not writable')
        self.assertEqual(self.get(TEST_DOMAIN_PATH, DOMAIN, "Name"), "test")

    def test_set_wrong_type(self):
        self.assertDBusError(INVALID_ARGS, self.set, TEST_DOMAIN_PATH, DOMAIN, "Autostart", "yes")
        self.assertEqual(self.get(TEST_DOMAIN_PATH, DOMAIN, "Autostart"), False)

    def test_set_on_stale_path(self):
        self.assertDBusError(LIBVIRT_ERROR, self.set, STALE_DOMAIN, DOMAIN, "Autostart", dbus.Boolean(True),
                             prefix="Domain not found")

    def test_properties_wrong_signature(self):
        props = self.iface(TEST_DOMAIN_PATH, PROPS)
        self.assertDBusError(INVALID_ARGS, lambda: self.bus.call_blocking(
            "org.libvirt", TEST_DOMAIN_PATH, PROPS, "GetAll", "u", (1,)))
        self.assertDBusError(INVALID_ARGS, lambda: self.bus.call_blocking(
            "org.libvirt", TEST_DOMAIN_PATH, PROPS, "Get", "s", (DOMAIN,)))
        del props


if __name__ == "__main__":
    main()
