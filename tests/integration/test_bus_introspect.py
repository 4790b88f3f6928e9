#!/usr/bin/python3
"""test_bus_introspect.py: live introspection equals interfaces/*.xml, which libvirt-dbus 1.4.1's files contain; the object tree."""

import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (CONNECT, DOMAIN, INTERFACES_DIR, NETWORK, POOL, REFERENCE_DIR, ROOT, TEST,  # noqa: E402
                     TEST_DOMAIN_PATH, TEST_NETWORK_PATH, TEST_POOL_PATH, VOL, VOL_XML, VirtbusTestCase, main)

EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal"
EXTENSION = "org.libvirt.virtbus.Extension"     # a member libvirt-dbus 1.4.1 does not have
SNAPSHOT = "org.libvirt.DomainSnapshot"
HOST_KINDS = {"interface": "org.libvirt.Interface", "nodedev": "org.libvirt.NodeDevice", "secret": "org.libvirt.Secret",
              "nwfilter": "org.libvirt.NWFilter", "domainsnapshot": SNAPSHOT}
KINDS = [CONNECT, DOMAIN, NETWORK, POOL, VOL] + list(HOST_KINDS.values())


def members(iface):
    """{(kind, name): description} of an <interface> element, normalized for comparison."""
    out = {}
    for el in iface:
        name = el.get("name")
        if el.tag == "method":
            args = tuple((a.get("type"), a.get("direction", "in")) for a in el if a.tag == "arg")
            out[("method", name)] = args
        elif el.tag == "signal":
            out[("signal", name)] = tuple(a.get("type") for a in el if a.tag == "arg")
        elif el.tag == "property":
            out[("property", name)] = (el.get("type"), el.get("access"))
    return out


def extensions(iface):
    """Names of the members marked as virtbus extensions."""
    return {el.get("name") for el in iface
            if any(a.tag == "annotation" and a.get("name") == EXTENSION and a.get("value") == "true" for a in el)}


def emits(iface):
    """{property: EmitsChangedSignal} with the interface default ("true") filled in."""
    default = "true"
    for a in iface.findall("annotation"):
        if a.get("name") == EMITS:
            default = a.get("value")
    out = {}
    for p in iface.findall("property"):
        value = default
        for a in p.findall("annotation"):
            if a.get("name") == EMITS:
                value = a.get("value")
        out[p.get("name")] = value
    return out


def arg_names(iface):
    return {(el.tag, el.get("name")): tuple(a.get("name") for a in el if a.tag == "arg")
            for el in iface if el.tag in ("method", "signal")}


def file_interface(directory, name):
    root = ET.parse(Path(directory) / (name + ".xml")).getroot()
    for iface in root.iter("interface"):
        if iface.get("name") == name:
            return iface
    raise AssertionError("%s not in %s" % (name, directory))


class TestInterfaceFiles(unittest.TestCase):
    """(b) every member of our files exists in libvirt-dbus 1.4.1's with an identical signature."""

    def test_subset_of_libvirt_dbus(self):
        if not REFERENCE_DIR.joinpath(CONNECT + ".xml").exists():
            self.skipTest("libvirt-dbus interface files are not installed")
        for name in KINDS:
            with self.subTest(interface=name):
                mine = file_interface(INTERFACES_DIR, name)
                ours = members(mine)
                ref = members(file_interface(REFERENCE_DIR, name))
                extra = extensions(mine)
                for key, sig in ours.items():
                    if key[1] in extra:
                        # marked as ours: it must really be beyond libvirt-dbus
                        self.assertNotIn(key, ref, "%s.%s is marked as an extension but libvirt-dbus has it"
                                         % (name, key[1]))
                        continue
                    self.assertIn(key, ref, "%s.%s is not in libvirt-dbus 1.4.1" % (name, key[1]))
                    self.assertEqual(sig, ref[key], "%s.%s differs from libvirt-dbus 1.4.1" % (name, key[1]))
                # every method, property and signal of libvirt-dbus 1.4.1 is served
                self.assertEqual(set(ref) - set(ours), set(), "%s lacks members of libvirt-dbus 1.4.1" % name)
                # and no property beyond them but ours, marked as extensions
                ref_props = {k for k in ref if k[0] == "property"}
                self.assertEqual({k for k in ours if k[0] == "property" and k[1] not in extra}, ref_props)

    def test_argument_names_match_libvirt_dbus(self):
        if not REFERENCE_DIR.joinpath(CONNECT + ".xml").exists():
            self.skipTest("libvirt-dbus interface files are not installed")
        for name in KINDS:
            mine = file_interface(INTERFACES_DIR, name)
            ours = arg_names(mine)
            ref = arg_names(file_interface(REFERENCE_DIR, name))
            extra = extensions(mine)
            for key, names in ours.items():
                if key[1] in extra:
                    continue
                self.assertEqual(names, ref[key], "%s.%s argument names" % (name, key[1]))


class TestLiveIntrospection(VirtbusTestCase):
    """(a) what the daemon introspects is exactly what interfaces/*.xml says."""

    def check_object(self, path, name):
        node = self.introspect(path)
        live = [i for i in node.findall("interface") if i.get("name") == name]
        self.assertEqual(len(live), 1, "%s does not introspect %s" % (path, name))
        ours = file_interface(INTERFACES_DIR, name)
        self.assertEqual(members(live[0]), members(ours), "%s: live members differ from interfaces/%s.xml"
                         % (path, name))
        self.assertEqual(emits(live[0]), emits(ours), "%s: EmitsChangedSignal differs" % path)
        self.assertEqual(arg_names(live[0]), arg_names(ours), "%s: argument names differ" % path)
        standard = {i.get("name") for i in node.findall("interface")}
        for std in ("org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable",
                    "org.freedesktop.DBus.Peer"):
            self.assertIn(std, standard)

    def test_connect(self):
        self.check_object(TEST, CONNECT)

    def test_domain(self):
        self.check_object(TEST_DOMAIN_PATH, DOMAIN)

    def test_network(self):
        self.check_object(TEST_NETWORK_PATH, NETWORK)

    def test_pool(self):
        self.check_object(TEST_POOL_PATH, POOL)

    def test_volume(self):
        vol = self.iface(TEST_POOL_PATH, POOL).StorageVolCreateXML(VOL_XML.format(name="a.img", capacity=1024), 0)
        self.check_object(str(vol), VOL)

    def test_host_object_kinds(self):
        # the kinds the core keeps no objects of yet: served at any leaf below their node
        for node, name in HOST_KINDS.items():
            with self.subTest(kind=node):
                self.check_object(TEST + "/" + node + "/_11111111_2222_3333_4444_555555555555", name)

    def test_counts(self):
        # libvirt-dbus 1.4.1: 194 methods, 37 properties, 27 signals over its ten interfaces
        counts = {"method": 0, "property": 0, "signal": 0}
        for name in KINDS:
            for kind, _ in members(file_interface(INTERFACES_DIR, name)):
                counts[kind] += 1
        ext = {"method": 0, "property": 0, "signal": 0}
        for name in KINDS:
            iface = file_interface(INTERFACES_DIR, name)
            marked = extensions(iface)
            for kind, member in members(iface):
                ext[kind] += member in marked
        self.assertEqual(counts["method"] - ext["method"], 194)
        self.assertEqual(counts["property"] - ext["property"], 37)
        self.assertEqual(counts["signal"], 27)

    def test_admin(self):
        # virtbus's own interface (no libvirt-dbus counterpart): live equals interfaces/ too
        self.check_object(ROOT + "/admin", "org.libvirt.virtbus.Admin")

    def test_stale_path_still_has_the_interface(self):
        # libvirt-dbus dispatches to unlisted nodes too; calls there fail with "not found"
        self.check_object(TEST + "/domain/_11111111_2222_3333_4444_555555555555", DOMAIN)

    def test_tree(self):
        root = self.introspect(ROOT)
        self.assertIn("Test", [n.get("name") for n in root.findall("node")])
        self.assertIn("org.freedesktop.DBus.ObjectManager", [i.get("name") for i in root.findall("interface")])
        children = sorted(n.get("name") for n in self.introspect(TEST).findall("node"))
        self.assertEqual(children, sorted(["domain", "network", "storagepool", "storagevol", "nodedev",
                                           "interface", "nwfilter", "secret", "domainsnapshot"]))
        leaves = [n.get("name") for n in self.introspect(TEST + "/domain").findall("node")]
        self.assertEqual(leaves, [TEST_DOMAIN_PATH.rsplit("/", 1)[1]])

    def test_busctl_tree(self):
        out = self.daemon.busctl("tree", "--list", "org.libvirt").stdout.split()
        out = [p for p in out if not p.startswith(ROOT + "/QEMU")]     # the QEMU connection's own tree
        expected = ["/", "/org", ROOT, TEST] + [TEST + "/" + k for k in ("domain", "domainsnapshot", "interface", "network",
                                                              "nodedev", "nwfilter", "secret", "storagepool",
                                                              "storagevol")]
        expected += [TEST_DOMAIN_PATH, TEST_NETWORK_PATH, TEST_POOL_PATH,
                     TEST + "/interface/aa_3abb_3acc_3add_3aee_3aff"]      # eth1, by EncodeStr(MAC)
        expected += [ROOT + "/admin"]   # org.libvirt.virtbus.Admin, virtbus's own
        expected += [TEST + "/nodedev/" + n for n in ("computer", "scsi_5fhost1", "scsi_5fhost2", "scsi_5fhost11")]
        self.assertEqual(sorted(out), sorted(expected))

    def test_busctl_introspect(self):
        out = self.daemon.busctl("introspect", "org.libvirt", TEST_DOMAIN_PATH).stdout
        # busctl shows no values: it expects GetAll single-wrapped, libvirt-dbus double-wraps them
        self.assertRegex(out, r"\.Autostart\s+property\s+b\s+\S+\s+emits-change writable")
        self.assertRegex(out, r"\.UUID\s+property\s+s\s+\S+\s+const")
        self.assertRegex(out, r"\.GetState\s+method\s+u\s+\(ii\)")


if __name__ == "__main__":
    main()
