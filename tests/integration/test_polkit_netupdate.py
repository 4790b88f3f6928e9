#!/usr/bin/python3
"""test_polkit_netupdate.py: virNetworkUpdate's fine-grained check (access_drivers = [ "polkit" ]),
as libvirt's annotation of REMOTE_PROC_NETWORK_UPDATE asks it: network "write" always, "save"
with VIR_NETWORK_UPDATE_AFFECT_CONFIG or with neither AFFECT flag. A caller with write but not
save (user "daemon", a rules.d rule) changes the running network with --live, on both doors, and
is refused a --config (or flagless) one with the save action named; nothing changes then."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polkit_harness as ph  # noqa: E402

ph.enter_namespace()

import testmain  # noqa: E402

CONNECT = "/org/libvirt/Test"
NETIFACE = "org.libvirt.Network"

# user "daemon": may connect (the harness's rule), and on networks anything but save
RULES = ph.TEST_RULES + """
polkit.addRule(function(action, subject) {
    if (subject.user == "daemon" && action.id.indexOf("org.libvirt.api.network.") == 0)
        return action.id == "org.libvirt.api.network.save" ? polkit.Result.NO : polkit.Result.YES;
});
"""

BUS_CALLER = r"""
import dbus, sys
path, xml, flags = sys.argv[1], sys.argv[2], int(sys.argv[3])
net = dbus.Interface(dbus.SystemBus().get_object("org.libvirt", path), "org.libvirt.Network")
try:
    net.Update(dbus.UInt32(3), dbus.UInt32(9), dbus.Int32(-1), xml, dbus.UInt32(flags))
    print("ok")
except dbus.DBusException as e:
    print(e.get_dbus_name(), e.get_dbus_message())
"""

SAVE_DENIED = "access denied: access denied by policy (polkit action org.libvirt.api.network.save)"


class NetworkUpdateAclTest(unittest.TestCase):
    world = None

    @classmethod
    def setUpClass(cls):
        cls.world = ph.PolkitWorld(conf='auth_unix_rw = "polkit"\naccess_drivers = [ "polkit" ]\n', rules=RULES)
        try:
            cls.world.start()
        except Exception:
            print(cls.world.log("polkitd"), cls.world.log(), file=sys.stderr)
            cls.world.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.world:
            cls.world.stop()

    def virsh(self, user, *cmds):
        """One virsh session (the same connection) running cmds in turn."""
        return self.world.virsh(user, ["; ".join(cmds)])

    def network_path(self):
        p = self.world.busctl(None, CONNECT, "org.libvirt.Connect", "NetworkLookupByName", "s", "default")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split('"')[1]

    def bus_xml(self, path, flags=0):
        p = self.world.busctl(None, path, NETIFACE, "GetXMLDesc", "u", flags)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def bus_update(self, user, path, xml, flags):
        """Network.Update(add-last, portgroup, -1, xml, flags) through python3-dbus as user: "ok" or the
        D-Bus error's name and message (busctl shows no message for AccessDenied)."""
        return self.world.run(user, ["/usr/bin/python3", "-c", BUS_CALLER, path, xml, str(flags)]).stdout.strip()

    def test_virsh_live_allowed_config_refused(self):
        p = self.virsh("daemon",
                       "net-update default add portgroup \"<portgroup name='live1'/>\" --live",
                       "net-dumpxml default")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<portgroup name='live1'>", p.stdout)
        for flags in ("--config", "--live --config", ""):
            p = self.virsh("daemon",
                           "net-update default add portgroup \"<portgroup name='cfg'/>\" " + flags)
            self.assertNotEqual(p.returncode, 0, flags)
            self.assertIn(SAVE_DENIED, p.stderr, flags)
        # root (no polkit on the remote door) sees no 'cfg' anywhere
        p = self.virsh(None, "net-dumpxml default", "net-dumpxml default --inactive")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("name='cfg'", p.stdout)
        self.assertIn("org.libvirt.api.network.save refused for pid", self.world.log())

    def test_dbus_live_allowed_config_refused(self):
        path = self.network_path()
        self.assertEqual(self.bus_update("daemon", path, "<portgroup name='buslive'/>", 1), "ok")
        self.assertIn("buslive", self.bus_xml(path))
        for flags in (2, 3, 0):
            self.assertEqual(self.bus_update("daemon", path, "<portgroup name='buscfg'/>", flags),
                             "org.freedesktop.DBus.Error.AccessDenied Update is not allowed: " + SAVE_DENIED)
        self.assertNotIn("buscfg", self.bus_xml(path))
        self.assertNotIn("buscfg", self.bus_xml(path, 1))      # VIR_NETWORK_XML_INACTIVE
        # root on the bus may save
        self.assertEqual(self.bus_update(None, path, "<portgroup name='rootcfg'/>", 2), "ok")
        self.assertIn("rootcfg", self.bus_xml(path, 1))


if __name__ == "__main__":
    testmain.main()
