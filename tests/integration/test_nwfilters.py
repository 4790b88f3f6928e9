#!/usr/bin/python3
"""test_nwfilters.py: network filters and their bindings on `virtbusd --system` (net_harness's private
namespaces) through real virsh, python3-libvirt and busctl: define, list, dumpxml (the golden
files libvirt 9.0 formatted), lookups, undefine (refused while a binding uses the filter),
bindings recorded under /run and kept over a restart, filters under /etc; and the session
daemon's refusal, libvirt's own ("Can't define NWFilters in session mode")."""

import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_harness as nh  # noqa: E402

nh.enter_namespace()

import remote_harness  # noqa: E402
import testmain  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data" / "xml"
NO_MAC = "11111111-2222-3333-4444-555555555555"
CLEAN = "22222222-3333-4444-5555-666666666666"
QEMU = "/org/libvirt/QEMU"


class NWFilters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = nh.NetWorld().start()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def virsh(self, *cmd):
        return self.w.virsh(*cmd)

    def ok(self, *cmd):
        p = self.virsh(*cmd)
        self.assertEqual((p.returncode, p.stderr), (0, ""), "virsh %s\n%s" % (" ".join(cmd), self.w.log()[-2000:]))
        return p.stdout

    def test_filters_and_bindings(self):
        etc = self.w.tmp / "etc-virtbus" / "nwfilter"
        # a new host has libvirt's standard filters; these two are replaced by the golden ones
        standard = sorted(line.split()[1] for line in self.ok("nwfilter-list").strip().splitlines())
        for name in ("no-mac-spoofing", "clean-traffic", "no-ip-spoofing", "no-arp-spoofing", "allow-dhcp"):
            self.assertIn(name, standard)
        self.assertEqual(sorted(x.name for x in etc.iterdir()), sorted(n + ".xml" for n in standard))
        self.ok("nwfilter-undefine", "clean-traffic")
        self.ok("nwfilter-undefine", "no-mac-spoofing")
        others = [n for n in standard if n not in ("clean-traffic", "no-mac-spoofing")]
        for name in ("no-mac-spoofing", "clean-traffic"):
            self.ok("nwfilter-define", str(DATA / ("nwfilter-%s.in.xml" % name)))     # -q: no message
            # what libvirt 9.0's formatter writes for the same input
            self.assertEqual(self.ok("nwfilter-dumpxml", name),
                             (DATA / ("nwfilter-%s.out.xml" % name)).read_text())
            self.assertEqual((etc / (name + ".xml")).read_text(), (DATA / ("nwfilter-%s.out.xml" % name)).read_text())
        rows = [line.split() for line in self.ok("nwfilter-list").strip().splitlines()]
        self.assertIn([NO_MAC, "no-mac-spoofing"], rows)
        self.assertIn([CLEAN, "clean-traffic"], rows)
        self.assertEqual(len(rows), len(standard))
        self.assertEqual(self.ok("nwfilter-dumpxml", CLEAN), self.ok("nwfilter-dumpxml", "clean-traffic"))

        # a loop and a name taken by another UUID are refused, nothing changes
        loop = self.w.tmp / "loop.xml"
        loop.write_text("<filter name='no-mac-spoofing' chain='mac'><uuid>%s</uuid>"
                        "<filterref filter='clean-traffic'/></filter>" % NO_MAC)
        p = self.virsh("nwfilter-define", str(loop))
        self.assertEqual(p.returncode, 1)
        self.assertIn("filter would introduce a loop", p.stderr)
        loop.write_text("<filter name='clean-traffic'><uuid>%s</uuid></filter>" % NO_MAC)
        p = self.virsh("nwfilter-define", str(loop))
        self.assertIn("filter with same UUID but different name ('no-mac-spoofing') already exists", p.stderr)
        self.assertEqual(self.ok("nwfilter-dumpxml", "no-mac-spoofing"),
                         (DATA / "nwfilter-no-mac-spoofing.out.xml").read_text())

        # a binding is recorded and applied, and keeps its filter from being undefined
        binding = DATA / "nwfilter-binding.in.xml"
        self.ok("nwfilter-binding-create", str(binding))
        self.assertEqual(self.ok("nwfilter-binding-dumpxml", "vnet0"),
                         (DATA / "nwfilter-binding.out.xml").read_text())
        self.assertEqual([line.split() for line in self.ok("nwfilter-binding-list").strip().splitlines()],
                         [["vnet0", "clean-traffic"]])
        for name in ("clean-traffic", "no-mac-spoofing"):      # directly, and through clean-traffic
            p = self.virsh("nwfilter-undefine", name)
            self.assertEqual((p.returncode, p.stderr.strip().splitlines()[-1]),
                             (1, "error: Requested operation is not valid: nwfilter is in use"))
        p = self.virsh("nwfilter-binding-create", str(binding))
        self.assertIn("filter binding for port dev 'vnet0' already exists", p.stderr)

        # both survive a restart: filters from /etc, bindings from /run
        self.w.kill9_virtbusd()
        self.w.restart_virtbusd()
        self.assertEqual(len(self.ok("nwfilter-list").strip().splitlines()), len(standard))
        self.assertIn("vnet0", self.ok("nwfilter-binding-list"))

        # python3-libvirt reaches the same procedures
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.w.uri)
        try:
            self.assertEqual(sorted(f.name() for f in conn.listAllNWFilters(0)), standard)
            self.assertEqual(conn.numOfNWFilters(), len(standard))
            self.assertEqual(sorted(conn.listNWFilters()), standard)
            self.assertEqual(conn.nwfilterLookupByUUIDString(NO_MAC).name(), "no-mac-spoofing")
            b = conn.nwfilterBindingLookupByPortDev("vnet0")
            self.assertEqual((b.portDev(), b.filterName()), ("vnet0", "clean-traffic"))
            self.assertEqual([x.portDev() for x in conn.listAllNWFilterBindings(0)], ["vnet0"])
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.nwfilterBindingLookupByPortDev("vnet9")
            self.assertEqual((cm.exception.get_error_code(), cm.exception.get_error_message()),
                             (libvirt.VIR_ERR_NO_NWFILTER_BINDING,
                              "Network filter binding not found: no nwfilter binding for port dev 'vnet9'"))
            f = conn.nwfilterDefineXMLFlags((DATA / "nwfilter-rules.in.xml").read_text(), 0)
            self.assertEqual(f.XMLDesc(0), (DATA / "nwfilter-rules.out.xml").read_text())
            f.undefine()
        finally:
            conn.close()

        # the D-Bus door: the same filters as org.libvirt.NWFilter objects
        p = self.w.busctl(None, QEMU, "org.libvirt.Connect", "NWFilterLookupByName", "s", "clean-traffic")
        path = QEMU + "/nwfilter/_" + CLEAN.replace("-", "_")
        self.assertEqual((p.returncode, p.stdout), (0, 'o "%s"\n' % path), p.stderr)
        p = self.w.busctl(None, path, "org.libvirt.NWFilter", "GetXMLDesc", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<filterref filter=\\\'no-mac-spoofing\\\'/>", p.stdout)   # busctl escapes quotes
        p = self.w.busctl(None, QEMU, "org.libvirt.Connect", "ListNWFilters", "u", 0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("ao %d " % len(standard)), p.stdout)

        # delete the binding; the filters can go then
        self.ok("nwfilter-binding-delete", "vnet0")
        self.assertFalse(list((self.w.tmp).glob("**/nwfilter-binding/vnet0.xml")))
        p = self.w.busctl(None, path, "org.libvirt.NWFilter", "Undefine")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.ok("nwfilter-undefine", "no-mac-spoofing")
        self.assertEqual(sorted(line.split()[1] for line in self.ok("nwfilter-list").strip().splitlines()), others)
        self.assertEqual(sorted(x.name for x in etc.iterdir()), sorted(n + ".xml" for n in others))


class SessionRefuses(unittest.TestCase):
    """libvirt's session daemon defines no filters and no bindings; virtbus --session says the same."""

    def test_session_mode(self):
        d = remote_harness.RemoteDaemon(tcp=False)
        d.start()
        try:
            uri = "qemu+unix:///session?socket=%s" % d.sock
            p = remote_harness.run_virsh(uri, "nwfilter-define %s" % (DATA / "nwfilter-clean-traffic.in.xml"),
                                         env=d.client_env())
            self.assertEqual(p.returncode, 1)
            self.assertIn("error: Operation not supported: Can't define NWFilters in session mode\n", p.stderr)
            p = remote_harness.run_virsh(uri, "nwfilter-binding-create %s" % (DATA / "nwfilter-binding.in.xml"),
                                         env=d.client_env())
            self.assertIn("Can't define NWFilter bindings in session mode", p.stderr)
            p = remote_harness.run_virsh(uri, "nwfilter-list", env=d.client_env())
            self.assertEqual(p.returncode, 0, p.stderr)
            # the Test connection: libvirt's test driver has no filters
            ours = remote_harness.run_virsh(d.uri("unix"), "nwfilter-list", env=d.client_env())
            theirs = remote_harness.run_virsh("test:///default", "nwfilter-list")
            self.assertEqual((ours.returncode, ours.stdout, ours.stderr), (theirs.returncode, theirs.stdout, theirs.stderr))
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    testmain.main()
