#!/usr/bin/python3
"""test_storage_logical.py: logical pools for real: LVM volume groups on two loop devices over files
in a private tmpfs, made and read by Debian's lvm2 tools that virtbusd runs.

The script re-runs itself under `unshare -m`. LVM sees only this test's loop devices: an lvm.conf
in a private LVM_SYSTEM_DIR (given to virtbusd, whose lvm children get it) accepts those two and
rejects everything else, with no devices file and no udev. Cleanup (vgremove, pvremove,
losetup -d) runs even when a test or the set-up fails.

Logical volumes need the kernel's device-mapper; on a kernel without it (/dev/mapper/control
not in /proc/misc) lvcreate fails, and the test checks that this failure reaches the caller with lvm's own
words and changes nothing; with it, the volumes go through create, upload, download, wipe, delete.

    /usr/bin/python3 tests/integration/test_storage_logical.py -v
"""

import hashlib
import json
import os
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_STORAGE_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for a private mount namespace (unshare -m) and loop devices")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)

import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-storage-lvm")
VG = "virtbustestvg"
# The kernel's device-mapper (not the node /dev/mapper/control, which lvm makes even without it).
HAVE_DM = "device-mapper" in Path("/proc/misc").read_text()


def lvm(*args, check=True):
    p = subprocess.run(["lvm"] + list(args), capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("lvm %s: %s" % (" ".join(args), p.stderr))
    return p


def report(kind, *args):
    out = lvm(kind, "--reportformat", "json", "--units", "b", "--nosuffix", *args).stdout
    return json.loads(out)["report"][0][kind[:-1] if kind != "pvs" else "pv"]


def blkid_type(dev):
    p = subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", dev], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


class StorageLogical(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m,mode=0755", "tmpfs", str(SCRATCH)], check=True)
        cls.addClassCleanup(subprocess.run, ["umount", "-l", str(SCRATCH)])
        cls.devs = []
        for i in range(2):
            img = SCRATCH / ("pv%d.img" % i)
            with open(img, "wb") as f:
                f.truncate(64 << 20)
            dev = subprocess.run(["losetup", "-f", "--show", str(img)], check=True,
                                 capture_output=True, text=True).stdout.strip()
            cls.devs.append(dev)
            cls.addClassCleanup(subprocess.run, ["losetup", "-d", dev])
        # LVM's view: these two devices only (cleanups run last-in first-out: LVM first).
        sysdir = SCRATCH / "lvm"
        sysdir.mkdir()
        accept = ", ".join('"a|^%s$|"' % d for d in cls.devs)
        (sysdir / "lvm.conf").write_text(
            "devices { filter = [ %s, \"r|.*|\" ] global_filter = [ %s, \"r|.*|\" ]\n"
            "          use_devicesfile = 0 obtain_device_list_from_udev = 0 }\n"
            "activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }\n"
            "global { event_activation = 0 }\n"
            "backup { backup = 0 archive = 0 }\n" % (accept, accept))
        os.environ["LVM_SYSTEM_DIR"] = str(sysdir)
        cls.addClassCleanup(cls.lvm_cleanup)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.keep = True
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock

    @classmethod
    def lvm_cleanup(cls):
        # every group LVM sees is on this test's devices (the filter): remove them all
        p = lvm("vgs", "--noheadings", "-o", "vg_name", check=False)
        for vg in set(p.stdout.split()) | {VG}:
            lvm("vgremove", "-f", vg, check=False)
        for d in cls.devs:
            lvm("pvremove", "-ff", "-y", d, check=False)
            subprocess.run(["wipefs", "-a", "-q", d])

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        cls.daemon.keep = False
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def setUp(self):
        self.addCleanup(self.lvm_cleanup)

    def virsh(self, cmd, ok=True):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def define(self, name="lv", extra=""):
        devices = "".join("<device path='%s'/>" % d for d in self.devs)
        f = SCRATCH / (name + ".xml")
        f.write_text("<pool type='logical'><name>%s</name><source>%s<name>%s</name></source>%s</pool>"
                     % (name, devices, VG, extra))
        self.virsh("pool-define %s" % f)
        self.addCleanup(self.virsh, "pool-undefine %s" % name, False)
        self.addCleanup(self.virsh, "pool-destroy %s" % name, False)
        return name

    def test_lifecycle_build_start_volumes_delete(self):
        import dbus
        from dbus.mainloop.glib import DBusGMainLoop
        bus = dbus.bus.BusConnection(self.daemon.bus_address, mainloop=DBusGMainLoop())
        got = []
        bus.add_signal_receiver(lambda *a: got.append(int(a[1])), dbus_interface="org.libvirt.Connect",
                                signal_name="StoragePoolEvent", path="/org/libvirt/QEMU")
        name = self.define()
        xml = self.virsh("pool-dumpxml %s" % name).stdout
        self.assertIn("<format type='lvm2'/>", xml)
        self.assertIn("<path>/dev/%s</path>" % VG, xml)
        self.virsh("pool-build %s" % name)
        vgs = report("vgs", VG)
        self.assertEqual(len(vgs), 1)
        self.assertEqual(sorted(p["pv_name"] for p in report("pvs", "-o", "pv_name,vg_name") if p["vg_name"] == VG),
                         sorted(self.devs))
        self.virsh("pool-start %s" % name)
        info = self.virsh("pool-info --bytes %s" % name).stdout
        self.assertRegex(info, r"State:\s+running")
        cap = int(next(l for l in info.splitlines() if l.startswith("Capacity:")).split()[1])
        avail = int(next(l for l in info.splitlines() if l.startswith("Available:")).split()[1])
        vg = report("vgs", "-o", "vg_size,vg_free", VG)[0]
        self.assertEqual(cap, int(vg["vg_size"]))
        self.assertEqual(avail, int(vg["vg_free"]))
        self.assertEqual(self.virsh("vol-list %s" % name).stdout.count("/dev/"), 0)

        if HAVE_DM:
            self.volumes_on_device_mapper(name)
        else:
            # No device-mapper in this kernel: lvcreate cannot make the LV; its words come back
            # and nothing changed.
            p = self.virsh("vol-create-as %s v1 8M" % name, ok=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("lvm lvcreate failed:", p.stderr)
            self.assertIn("device-mapper", p.stderr)
            self.assertEqual(report("lvs", VG), [])
            self.assertEqual(self.virsh("vol-list %s" % name).stdout.count("/dev/"), 0)
        self.virsh("pool-refresh %s" % name)
        self.virsh("pool-destroy %s" % name)
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+inactive")
        self.virsh("pool-delete %s" % name)
        self.assertEqual(lvm("vgs", VG, check=False).returncode != 0, True)
        for d in self.devs:
            self.assertIsNone(blkid_type(d))                         # no PV label left

        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + 10
        while len(got) < 5 and time.monotonic() < deadline:
            ctx.iteration(False)
            time.sleep(0.01)
        self.assertEqual(got, [0, 4, 2, 3, 5])      # defined, created (built), started, stopped, deleted

    def volumes_on_device_mapper(self, name):
        self.virsh("vol-create-as %s v1 8M" % name)
        dev = "/dev/%s/v1" % VG
        self.assertEqual(self.virsh("vol-path --pool %s v1" % name).stdout.strip(), dev)
        lv = report("lvs", "-o", "lv_name,lv_uuid,lv_size", VG)
        self.assertEqual([(l["lv_name"], int(l["lv_size"])) for l in lv], [("v1", 8 << 20)])
        self.assertEqual(self.virsh("vol-key --pool %s v1" % name).stdout.strip(), lv[0]["lv_uuid"])
        data = os.urandom(1 << 20)
        src = SCRATCH / "up.bin"
        src.write_bytes(data)
        self.virsh("vol-upload --pool %s v1 %s" % (name, src))
        with open(dev, "rb") as f:
            self.assertEqual(f.read(len(data)), data)
        back = SCRATCH / "down.bin"
        self.virsh("vol-download --pool %s v1 %s --length %d" % (name, back, len(data)))
        self.assertEqual(hashlib.sha256(back.read_bytes()).hexdigest(), hashlib.sha256(data).hexdigest())
        self.virsh("vol-wipe --pool %s v1" % name)
        with open(dev, "rb") as f:
            self.assertEqual(f.read(8 << 20), b"\0" * (8 << 20))
        self.virsh("vol-delete --pool %s v1" % name)
        self.assertEqual(report("lvs", VG), [])

    def test_find_storage_pool_sources_both_doors(self):
        want = "<sources>\n</sources>\n"
        self.assertEqual(self.virsh("find-storage-pool-sources logical").stdout.rstrip("\n") + "\n", want)
        name = self.define("found")
        self.virsh("pool-build %s" % name)
        devices = "".join("    <device path='%s'/>\n" % d for d in sorted(self.devs))
        want = ("<sources>\n  <source>\n%s    <name>%s</name>\n    <format type='lvm2'/>\n  </source>\n"
                "</sources>\n" % (devices, VG))
        self.assertEqual(self.virsh("find-storage-pool-sources logical").stdout.rstrip("\n") + "\n", want)
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        got = qemu.FindStoragePoolSources("logical", "", dbus.UInt32(0), dbus_interface="org.libvirt.Connect")
        self.assertEqual(str(got), want)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            qemu.FindStoragePoolSources("dir", "", dbus.UInt32(0), dbus_interface="org.libvirt.Connect")
        self.assertIn("this function is not supported by the connection driver: finding sources of 'dir' pools",
                      str(cm.exception))
        p = self.virsh("find-storage-pool-sources logical --srcSpec /dev/null", ok=False)
        self.assertEqual(p.returncode, 0, p.stderr)     # the spec is read and ignored, as libvirt's logical backend

    def test_find_sources_one_source_per_group(self):
        for vg, dev in (("vbtestb", self.devs[1]), ("vbtesta", self.devs[0])):
            lvm("pvcreate", "-q", dev)
            lvm("vgcreate", "-q", vg, dev)
        # one <source> per group, in the order pvs lists their first PV
        pvs = report("pvs", "-o", "pv_name,vg_name")
        want = "<sources>\n" + "".join(
            "  <source>\n    <device path='%s'/>\n    <name>%s</name>\n    <format type='lvm2'/>\n  </source>\n"
            % (p["pv_name"], p["vg_name"]) for p in pvs) + "</sources>\n"
        self.assertEqual(sorted(p["vg_name"] for p in pvs), ["vbtesta", "vbtestb"])
        self.assertEqual(self.virsh("find-storage-pool-sources logical").stdout.rstrip("\n") + "\n", want)

    def test_build_refuses_a_used_device_without_overwrite(self):
        subprocess.run(["mkfs.ext4", "-q", "-F", self.devs[1]], check=True)
        name = self.define("used")
        p = self.virsh("pool-build %s" % name, ok=False)
        self.assertIn("Storage pool already built: Device '%s' already formatted using 'ext4'" % self.devs[1],
                      p.stderr)
        # nothing was touched: no PV on either device, the file system still there
        self.assertEqual(report("pvs", "-o", "pv_name"), [])
        self.assertEqual(blkid_type(self.devs[1]), "ext4")
        self.virsh("pool-build %s --overwrite" % name)
        self.assertEqual(len(report("vgs", VG)), 1)
        self.assertEqual(blkid_type(self.devs[1]), "LVM2_member")

    def test_bad_definitions_and_missing_lvm2(self):
        bad = SCRATCH / "bad.xml"
        bad.write_text("<pool type='logical'><name>b</name><source><name>-vg</name></source></pool>")
        p = self.virsh("pool-define %s" % bad, ok=False)
        self.assertIn("volume group name '-vg' of pool 'b' is not one lvm accepts", p.stderr)
        bad.write_text("<pool type='logical'><name>b</name><source><name>vg</name></source>"
                       "<target><path>/srv/elsewhere</path></target></pool>")
        self.virsh("pool-define %s" % bad)       # libvirt's rule: the target is /dev/<group>
        self.assertIn("<path>/dev/vg</path>", self.virsh("pool-dumpxml b").stdout)
        self.virsh("pool-undefine b")

        name = self.define("nolvm")
        self.virsh("pool-build %s" % name)
        subprocess.run(["mount", "--bind", "/dev/null", "/usr/sbin/lvm"], check=True)
        try:
            p = self.virsh("pool-start %s" % name, ok=False)
        finally:
            subprocess.run(["umount", "/usr/sbin/lvm"], check=True)
        self.assertIn("logical pools need /usr/sbin/lvm (Debian package lvm2), which is not installed", p.stderr)
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+inactive")
        self.assertEqual(len(report("vgs", VG)), 1)                   # the group is untouched

    def test_autostart_pool_active_after_restart(self):
        name = self.define("keep")
        self.virsh("pool-build %s" % name)
        self.virsh("pool-start %s" % name)
        self.virsh("pool-autostart %s" % name)
        self.addCleanup(self.virsh, "pool-autostart --disable %s" % name, False)
        self.daemon.stop()
        self.daemon.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "running" in self.virsh("pool-info %s" % name).stdout:
                break
            time.sleep(0.1)
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+running")


if __name__ == "__main__":
    testmain.main()
