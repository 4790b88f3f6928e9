#!/usr/bin/python3
"""test_secrets.py: secrets on the QEMU connection through both doors, as users drive them.

virsh (secret-define, secret-set-value, secret-get-value, secret-list, secret-dumpxml,
secret-undefine) and python3-libvirt over the remote door, busctl and python3-dbus on
/org/libvirt/QEMU; the files the daemon writes (0600, values never in any XML, nothing for
ephemeral secrets), a restart, the read-only socket, private secrets, and both doors' events.
The Test connection has no secrets, as libvirt's test driver (checked against it).

    /usr/bin/python3 tests/integration/test_secrets.py -v
"""

import base64
import os
import stat
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

import dbus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import remote_harness  # noqa: E402

UUID = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"
VOLUME_SECRET = """<secret ephemeral='no' private='no'>
  <uuid>%s</uuid>
  <description>LUKS passphrase of guest.img</description>
  <usage type='volume'>
    <volume>/var/lib/libvirt/images/guest.img</volume>
  </usage>
</secret>
""" % UUID
PRIVATE_SECRET = """<secret ephemeral='no' private='yes'>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <usage type='ceph'>
    <name>client.admin secret</name>
  </usage>
</secret>
"""
EPHEMERAL_SECRET = """<secret ephemeral='yes' private='no'>
  <uuid>22222222-3333-4444-5555-666666666666</uuid>
  <usage type='iscsi'>
    <target>libvirtiscsi</target>
  </usage>
</secret>
"""
NO_SUPPORT = "this function is not supported by the connection driver: "
QEMU_PATH = "/org/libvirt/QEMU"
SECRET_IFACE = "org.libvirt.Secret"
VALUE = b"s3cr\x00t passphrase\xff"


def secret_path(uuid):
    return QEMU_PATH + "/secret/_" + uuid.replace("-", "_")


class Secrets(unittest.TestCase):
    def setUp(self):
        self.daemon = remote_harness.RemoteDaemon(tcp=False)
        self.daemon.start()
        self.files = Path(tempfile.mkdtemp(prefix="virtbus-secret-"))
        self.qemu_uri = "qemu+unix:///session?socket=%s" % self.daemon.sock
        self.config_dir = self.daemon.tmp / "xdg_config_home" / "virtbus" / "secrets"
        self.value_dir = self.daemon.tmp / "xdg_state_home" / "virtbus" / "secrets"

    def tearDown(self):
        alive = self.daemon.alive()
        log = self.daemon.log()
        code = self.daemon.stop()
        self.assertTrue(alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log)

    def restart(self):
        self.daemon.keep = True
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log())
        self.daemon.keep = False
        self.daemon.start()

    def virsh(self, cmd, uri=None, readonly=False):
        return remote_harness.run_virsh(uri or self.qemu_uri, cmd, readonly=readonly, env=self.daemon.client_env())

    def ok(self, cmd, **kw):
        p = self.virsh(cmd, **kw)
        self.assertEqual((p.returncode, p.stderr), (0, ""), cmd)
        return p.stdout

    def set_value(self, uuid, value):
        f = self.files / "value.b64"
        f.write_text(base64.b64encode(value).decode())
        return self.ok("secret-set-value %s --file %s" % (uuid, f))

    def define(self, xml, name):
        f = self.files / name
        f.write_text(xml)
        return self.ok("secret-define %s" % f)

    def bus(self):
        return dbus.bus.BusConnection(self.daemon.bus_address)

    # --- virsh --------------------------------------------------------------------------------

    def test_virsh_lifecycle_files_and_restart(self):
        self.assertEqual(self.define(VOLUME_SECRET, "vol.xml"), "Secret %s created\n\n" % UUID)
        self.assertEqual(self.ok("secret-dumpxml %s" % UUID), VOLUME_SECRET + "\n")
        p = self.virsh("secret-get-value %s" % UUID)
        self.assertEqual((p.returncode, p.stderr), (1, "error: Secret not found: secret '%s' does not have a value\n" % UUID))
        b64 = base64.b64encode(VALUE).decode()
        self.assertEqual(self.set_value(UUID, VALUE), "Secret value set\n\n")
        self.assertEqual(self.ok("secret-get-value %s" % UUID), b64 + "\n")
        lines = self.ok("secret-list").splitlines()
        self.assertEqual(lines[0].split(), ["UUID", "Usage"])
        self.assertEqual(lines[2].split(), [UUID, "volume", "/var/lib/libvirt/images/guest.img"])

        # on disk: the definition without the value, the value alone, both 0600
        xml_file, value_file = self.config_dir / (UUID + ".xml"), self.value_dir / (UUID + ".value")
        self.assertEqual(xml_file.read_text(), VOLUME_SECRET)
        self.assertEqual(value_file.read_bytes(), VALUE)
        for f in (xml_file, value_file):
            self.assertEqual(stat.S_IMODE(f.stat().st_mode), 0o600, f)
        for f in self.config_dir.iterdir():
            self.assertNotIn(b64.encode(), f.read_bytes())

        self.restart()
        self.assertEqual(self.ok("secret-dumpxml %s" % UUID), VOLUME_SECRET + "\n")
        self.assertEqual(self.ok("secret-get-value %s" % UUID), b64 + "\n")

        self.assertEqual(self.ok("secret-undefine %s" % UUID), "Secret %s deleted\n\n" % UUID)
        self.assertFalse(xml_file.exists())
        self.assertFalse(value_file.exists())
        p = self.virsh("secret-dumpxml %s" % UUID)
        self.assertEqual((p.returncode, p.stderr),
                         (1, "error: failed to get secret '%s'\n"
                             "error: Secret not found: no secret with matching uuid '%s'\n" % (UUID, UUID)))

    def test_private_ephemeral_and_usage_conflicts(self):
        self.define(PRIVATE_SECRET, "priv.xml")
        priv = "11111111-2222-3333-4444-555555555555"
        self.set_value(priv, b"hidden")
        p = self.virsh("secret-get-value %s" % priv)
        self.assertEqual((p.returncode, p.stderr), (1, "error: Invalid secret: secret is private\n"))
        # the value is kept (for the daemon's own use) but never shown
        self.assertEqual((self.value_dir / (priv + ".value")).read_bytes(), b"hidden")

        self.define(EPHEMERAL_SECRET, "eph.xml")
        eph = "22222222-3333-4444-5555-666666666666"
        self.set_value(eph, b"memory only")
        self.assertEqual(self.ok("secret-get-value %s" % eph), base64.b64encode(b"memory only").decode() + "\n")
        self.assertEqual(sorted(f.name for f in self.config_dir.iterdir()), [priv + ".xml"])
        self.assertEqual(sorted(f.name for f in self.value_dir.iterdir()), [priv + ".value"])
        out = self.ok("secret-list --ephemeral")
        self.assertIn(eph, out)
        self.assertNotIn(priv, out)
        out = self.ok("secret-list --private")
        self.assertIn(priv, out)
        self.assertNotIn(eph, out)

        # another UUID for the same usage, and flipping private: refused, nothing changed
        other = PRIVATE_SECRET.replace(priv, UUID)
        f = self.files / "other.xml"
        f.write_text(other)
        p = self.virsh("secret-define %s" % f)
        self.assertEqual(p.returncode, 1)
        self.assertIn("a secret with UUID %s already defined for use with client.admin secret" % priv, p.stderr)
        f.write_text(PRIVATE_SECRET.replace("private='yes'", "private='no'"))
        p = self.virsh("secret-define %s" % f)
        self.assertIn("Invalid secret: cannot change private flag on existing secret", p.stderr)
        f.write_text("<secret><usage type='volume'/></secret>")
        p = self.virsh("secret-define %s" % f)
        self.assertIn("volume usage specified, but volume path is missing", p.stderr)
        self.assertEqual(len(self.ok("secret-list").strip().splitlines()), 4)

        self.restart()      # the ephemeral secret is gone, the private one stays private
        out = self.ok("secret-list")
        self.assertIn(priv, out)
        self.assertNotIn(eph, out)
        p = self.virsh("secret-get-value %s" % priv)
        self.assertEqual(p.stderr, "error: Invalid secret: secret is private\n")

    def test_read_only_connection_refused(self):
        self.define(VOLUME_SECRET, "vol.xml")
        self.set_value(UUID, VALUE)
        ro = "qemu+unix:///session?socket=%s" % self.daemon.sock_ro
        p = self.virsh("secret-get-value %s" % UUID, uri=ro, readonly=True)
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (1, "\n", "error: operation forbidden: read only access prevents virSecretGetValue\n"))
        # listing and the XML are fine read-only
        self.assertIn(UUID, self.virsh("secret-list", uri=ro, readonly=True).stdout)

    def test_test_connection_has_none_as_libvirt(self):
        ours = self.virsh("secret-list", uri=self.daemon.uri("unix"))
        theirs = remote_harness.run_virsh("test:///default", "secret-list")
        self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                         (theirs.returncode, theirs.stdout, theirs.stderr))
        self.assertIn(NO_SUPPORT + "virConnectNumOfSecrets", ours.stderr)

    # --- python3-libvirt: events on the remote door -----------------------------------------

    def test_python_events(self):
        libvirt = remote_harness.start_event_loop()
        conn = libvirt.open(self.qemu_uri)
        got, cond = [], threading.Condition()

        def lifecycle(c, secret, event, detail, opaque):
            with cond:
                got.append(("lifecycle", secret.UUIDString(), event, detail))
                cond.notify_all()

        def value_changed(c, secret, opaque):
            with cond:
                got.append(("value", secret.UUIDString()))
                cond.notify_all()

        ids = [conn.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE, lifecycle, None),
               conn.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED, value_changed, None)]
        s = conn.secretDefineXML(VOLUME_SECRET)
        self.assertEqual((s.usageType(), s.usageID()), (libvirt.VIR_SECRET_USAGE_TYPE_VOLUME,
                                                        "/var/lib/libvirt/images/guest.img"))
        s.setValue(VALUE)
        self.assertEqual(s.value(), VALUE)
        self.assertEqual(conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VOLUME,
                                                  "/var/lib/libvirt/images/guest.img").UUIDString(), UUID)
        self.assertEqual([x.UUIDString() for x in conn.listAllSecrets(0)], [UUID])
        self.assertEqual(conn.numOfSecrets(), 1)
        self.assertEqual(conn.listSecrets(), [UUID])
        s.undefine()
        want = [("lifecycle", UUID, 0, 0), ("value", UUID), ("lifecycle", UUID, 1, 0)]
        with cond:
            cond.wait_for(lambda: len(got) >= 3, timeout=10)
        self.assertEqual(got, want)
        for i in ids:
            conn.secretEventDeregisterAny(i)
        with self.assertRaises(libvirt.libvirtError) as cm:
            conn.secretLookupByUUIDString(UUID)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_SECRET)
        conn.close()

    # --- the D-Bus door -------------------------------------------------------------------------

    def test_dbus_busctl_and_signals(self):
        bus = self.bus()
        monitor = harness.SignalMonitor(self.daemon.bus_address)
        argv = ["busctl", "--address=" + self.daemon.bus_address, "call", "org.libvirt", QEMU_PATH,
                "org.libvirt.Connect", "SecretDefineXML", "su", VOLUME_SECRET, "0"]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        path = secret_path(UUID)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, 'o "%s"\n' % path, ""))
        connect = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        secret = dbus.Interface(bus.get_object("org.libvirt", path), SECRET_IFACE)
        self.assertEqual([str(x) for x in connect.ListSecrets(0)], [path])
        self.assertEqual(str(connect.SecretLookupByUUID(UUID)), path)
        self.assertEqual(str(connect.SecretLookupByUsage(1, "/var/lib/libvirt/images/guest.img")), path)
        props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
        self.assertEqual(str(props.Get(SECRET_IFACE, "UsageID")), "/var/lib/libvirt/images/guest.img")
        self.assertEqual(int(props.Get(SECRET_IFACE, "UsageType")), 1)
        self.assertEqual(str(props.Get(SECRET_IFACE, "UUID")), UUID)
        self.assertEqual(str(secret.GetXMLDesc(0)), VOLUME_SECRET)
        secret.SetValue(dbus.ByteArray(VALUE), 0)
        self.assertEqual(bytes(secret.GetValue(0)), VALUE)
        # the remote door sees the same store
        self.assertEqual(self.ok("secret-get-value %s" % UUID), base64.b64encode(VALUE).decode() + "\n")
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            secret.GetXMLDesc(1)
        self.assertEqual(cm.exception.get_dbus_message(), "unsupported flags (0x1) in function secretGetXMLDesc")
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            connect.SecretLookupByUUID("nope")
        self.assertEqual(cm.exception.get_dbus_message(),
                         "uuidstr in virSecretLookupByUUIDString must be a valid UUID")
        secret.Undefine()
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            secret.GetXMLDesc(0)
        self.assertEqual(cm.exception.get_dbus_message(),
                         "Secret not found: no secret with matching uuid '%s'" % UUID)
        events = [s for s in monitor.take() if s[0] == "SecretEvent"]
        self.assertEqual(events, [("SecretEvent", QEMU_PATH, path, 0, 0), ("SecretEvent", QEMU_PATH, path, 1, 0)])
        monitor.close()
        # the Test connection answers as libvirt's test driver
        test = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/Test"), "org.libvirt.Connect")
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            test.ListSecrets(0)
        self.assertEqual(cm.exception.get_dbus_message(), NO_SUPPORT + "virConnectListAllSecrets")


if __name__ == "__main__":
    harness.main()
