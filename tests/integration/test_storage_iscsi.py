#!/usr/bin/python3
"""test_storage_iscsi.py: iscsi-direct pools against a real iSCSI target.

The script re-runs itself under `unshare -n -m`: a private network namespace with only lo up,
and a private mount namespace with tmpfs over the scratch tree and over /run/tgtd (tgtd's
control socket). A real tgtd serves a target with two file-backed disk LUNs on 127.0.0.1:3260;
one virtbusd logs in to it through libiscsi; real virsh drives it over the remote door.

    /usr/bin/python3 tests/integration/test_storage_iscsi.py -v
"""

import base64
import hashlib
import os
import re
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402

NS_MARK = "VIRTBUS_ISCSI_NS"
if os.environ.get(NS_MARK) != "1":
    if os.geteuid() != 0:
        testmain.skip_program("needs root for private network and mount namespaces (unshare -n -m)")
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "-n", "-m", "--propagation", "private", sys.executable] + sys.argv)

import remote_harness  # noqa: E402

SCRATCH = Path("/tmp/virtbus-iscsi-scratch")
TARGET = "iqn.2026-12.org.virtbus.test:disks"
INITIATOR = "iqn.2026-12.org.virtbus.test:initiator"
LUN1_SIZE = 8 << 20
LUN2_SIZE = 4 << 20
CHAP_TARGET = "iqn.2026-12.org.virtbus.test:chap"
CHAP_USER = "alice"
CHAP_PASSWORD = "chap-pass-0123456789"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def tgtadm(*args):
    p = subprocess.run(["tgtadm", "--lld", "iscsi"] + list(args), capture_output=True, text=True, timeout=20)
    if p.returncode != 0:
        raise AssertionError("tgtadm %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def pool_xml(name, port=3260, initiator=INITIATOR, target=TARGET, auth=""):
    ini = "<initiator><iqn name='%s'/></initiator>" % initiator if initiator else ""
    return ("<pool type='iscsi-direct'><name>%s</name><source><host name='127.0.0.1' port='%d'/>"
            "<device path='%s'/>%s%s</source></pool>" % (name, port, target, auth, ini))


class IscsiDirect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        for d in (SCRATCH, Path("/run/tgtd")):
            d.mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", str(d)], check=True)
        cls.lun1 = SCRATCH / "lun1.img"
        cls.lun2 = SCRATCH / "lun2.img"
        for f, size in ((cls.lun1, LUN1_SIZE), (cls.lun2, LUN2_SIZE)):
            with open(f, "wb") as fh:
                fh.truncate(size)
        cls.tgtd_log = open(SCRATCH / "tgtd.log", "w")
        cls.tgtd = subprocess.Popen(["tgtd", "-f", "--iscsi", "portal=127.0.0.1:3260"],
                                    stdout=cls.tgtd_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while subprocess.run(["tgtadm", "--lld", "iscsi", "--mode", "sys", "--op", "show"],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline or cls.tgtd.poll() is not None:
                raise AssertionError("tgtd did not come up")
            time.sleep(0.05)
        tgtadm("--op", "new", "--mode", "target", "--tid", "1", "-T", TARGET)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", str(cls.lun1))
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "2", "-b", str(cls.lun2))
        tgtadm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL")
        # a second target that lets in only the CHAP user alice
        cls.lun3 = SCRATCH / "lun3.img"
        with open(cls.lun3, "wb") as fh:
            fh.truncate(LUN2_SIZE)
        tgtadm("--op", "new", "--mode", "target", "--tid", "2", "-T", CHAP_TARGET)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "2", "--lun", "1", "-b", str(cls.lun3))
        tgtadm("--op", "bind", "--mode", "target", "--tid", "2", "-I", "ALL")
        tgtadm("--mode", "account", "--op", "new", "--user", CHAP_USER, "--password", CHAP_PASSWORD)
        tgtadm("--mode", "account", "--op", "bind", "--tid", "2", "--user", CHAP_USER)
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        cls.tgtd.terminate()
        try:
            cls.tgtd.wait(3)
        except subprocess.TimeoutExpired:     # tgtd ignores SIGTERM while it has targets
            cls.tgtd.kill()
            cls.tgtd.wait(10)
        cls.tgtd_log.close()
        for d in (Path("/run/tgtd"), SCRATCH):
            subprocess.run(["umount", "-l", str(d)])
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def virsh(self, cmd, ok=True):
        p = remote_harness.run_virsh(self.uri, cmd, env=self.daemon.client_env(), timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p

    def define(self, **kw):
        IscsiDirect.n += 1
        name = "iscsi%d" % IscsiDirect.n
        f = SCRATCH / (name + ".xml")
        f.write_text(pool_xml(name, **kw))
        return name, f

    def sessions(self):
        """The initiators tgtd has a session (I_T nexus) with."""
        out = tgtadm("--op", "show", "--mode", "target")
        return re.findall(r"Initiator: (\S+)", out)

    def wait_sessions(self, n):
        deadline = time.monotonic() + 5
        while len(self.sessions()) != n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sessions()

    def vol_path(self, lun):
        return "ip-127.0.0.1:3260-iscsi-%s-lun-%d" % (TARGET, lun)

    def test_lifecycle_and_round_trip(self):
        name, f = self.define()
        self.virsh("pool-define %s" % f)
        xml = self.virsh("pool-dumpxml %s" % name).stdout
        self.assertIn("<iqn name='%s'/>" % INITIATOR, xml)
        self.assertIn("<device path='%s'/>" % TARGET, xml)
        self.assertEqual(self.sessions(), [])
        self.virsh("pool-start %s" % name)
        # start logs in: the target sees our initiator's session, and it stays while the pool runs
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        vols = self.virsh("vol-list %s --details" % name).stdout
        self.assertRegex(vols, r"unit:0:0:1\s+%s\s+network\s+8\.00 MiB" % re.escape(self.vol_path(1)))
        self.assertRegex(vols, r"unit:0:0:2\s+%s\s+network\s+4\.00 MiB" % re.escape(self.vol_path(2)))
        self.assertNotIn("unit:0:0:0", vols)        # tgt's LUN 0 is a controller, not a disk
        info = self.virsh("pool-info --bytes %s" % name).stdout
        self.assertRegex(info, r"Capacity:\s+%d" % (LUN1_SIZE + LUN2_SIZE))
        self.assertEqual(self.virsh("vol-key --pool %s unit:0:0:1" % name).stdout.strip(), self.vol_path(1))
        self.assertEqual(self.virsh("vol-name %s" % self.vol_path(2)).stdout.strip(), "unit:0:0:2")
        vinfo = self.virsh("vol-info --bytes --pool %s unit:0:0:1" % name).stdout
        self.assertRegex(vinfo, r"Capacity:\s+%d" % LUN1_SIZE)

        # upload random data with a zero run in the middle, at an offset that is not a block
        # multiple: it reaches the LUN's backing file byte for byte
        payload = os.urandom(1 << 20) + bytes(1 << 20) + os.urandom((1 << 20) + 100)
        src = SCRATCH / "up.bin"
        src.write_bytes(payload)
        self.virsh("vol-upload --pool %s unit:0:0:1 %s --offset 1000" % (name, src))
        on_disk = self.lun1.read_bytes()
        self.assertEqual(on_disk[1000:1000 + len(payload)], payload)
        self.assertEqual(on_disk[:1000], bytes(1000))
        # download gives the same sha256, with and without --sparse
        for sparse in ("", "--sparse"):
            dst = SCRATCH / ("down%s.bin" % sparse)
            self.virsh("vol-download --pool %s unit:0:0:1 %s --offset 1000 --length %d %s"
                       % (name, dst, len(payload), sparse))
            self.assertEqual(sha256(dst.read_bytes()), sha256(payload), sparse)
        # the whole LUN down: its size, its bytes
        whole = SCRATCH / "whole.bin"
        self.virsh("vol-download --pool %s unit:0:0:1 %s" % (name, whole))
        self.assertEqual(sha256(whole.read_bytes()), sha256(on_disk))
        # a sparse upload punches zeros over what was there
        self.lun2.write_bytes(b"\xff" * LUN2_SIZE)
        sparse_src = SCRATCH / "sparse.bin"
        with open(sparse_src, "wb") as fh:
            fh.write(b"head")
            fh.truncate(LUN2_SIZE - 8192)
            fh.seek(LUN2_SIZE - 4096)
            fh.write(b"tail")
        self.virsh("vol-upload --sparse --pool %s unit:0:0:2 %s" % (name, sparse_src))
        self.assertEqual(sha256(self.lun2.read_bytes()[:LUN2_SIZE - 8192]), sha256(sparse_src.read_bytes()[:LUN2_SIZE - 8192]))

        # a range past the end is refused before anything moves
        p = self.virsh("vol-upload --pool %s unit:0:0:2 %s --offset %d" % (name, src, LUN2_SIZE + 512), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("outside volume 'unit:0:0:2'", p.stderr)
        # what an iscsi-direct pool cannot do is refused, not faked
        p = self.virsh("vol-create-as %s new 1M" % name, ok=False)
        self.assertIn("this function is not supported by the connection driver: storage pool does not support volume creation", p.stderr)
        p = self.virsh("vol-delete --pool %s unit:0:0:1" % name, ok=False)
        self.assertIn("does not support volume deletion", p.stderr)
        self.assertEqual(self.lun1.stat().st_size, LUN1_SIZE)

        # a LUN added on the target appears at refresh, one removed goes
        tgtadm("--op", "delete", "--mode", "logicalunit", "--tid", "1", "--lun", "2")
        self.virsh("pool-refresh %s" % name)
        vols = self.virsh("vol-list %s" % name).stdout
        self.assertNotIn("unit:0:0:2", vols)
        self.assertIn("unit:0:0:1", vols)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "2", "-b", str(self.lun2))
        self.virsh("pool-refresh %s" % name)
        self.assertIn("unit:0:0:2", self.virsh("vol-list %s" % name).stdout)

        # stop logs out
        self.virsh("pool-destroy %s" % name)
        self.assertEqual(self.wait_sessions(0), [])
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+inactive")
        # and starts again
        self.virsh("pool-start %s" % name)
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        self.virsh("pool-destroy %s" % name)
        self.assertEqual(self.wait_sessions(0), [])
        self.virsh("pool-undefine %s" % name)

    def chap_secret(self, usage, value):
        f = SCRATCH / ("secret-%s.xml" % usage)
        f.write_text("<secret ephemeral='no' private='yes'><usage type='iscsi'><target>%s</target></usage>"
                     "</secret>" % usage)
        out = self.virsh("secret-define %s" % f).stdout
        uuid = re.search(r"[0-9a-f-]{36}", out).group(0)
        self.virsh("secret-set-value %s --base64 %s" % (uuid, base64.b64encode(value.encode()).decode()))
        return uuid

    def test_chap(self):
        right = "<auth type='chap' username='%s'><secret usage='chap-right'/></auth>" % CHAP_USER
        wrong = "<auth type='chap' username='%s'><secret usage='chap-wrong'/></auth>" % CHAP_USER
        self.chap_secret("chap-right", CHAP_PASSWORD)
        self.chap_secret("chap-wrong", "not-the-password")
        # without CHAP the target refuses us
        name, f = self.define(target=CHAP_TARGET)
        self.virsh("pool-define %s" % f)
        p = self.virsh("pool-start %s" % name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot log in to iSCSI target '%s' at 127.0.0.1:3260" % CHAP_TARGET, p.stderr)
        self.virsh("pool-undefine %s" % name)
        # the wrong password: a clear error naming the pool and the target; the pool stays inactive
        name, f = self.define(target=CHAP_TARGET, auth=wrong)
        self.virsh("pool-define %s" % f)
        self.assertIn("<auth type='chap' username='%s'>" % CHAP_USER, self.virsh("pool-dumpxml %s" % name).stdout)
        p = self.virsh("pool-start %s" % name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("iSCSI target of pool '%s': cannot log in to iSCSI target '%s' at 127.0.0.1:3260 with CHAP"
                      % (name, CHAP_TARGET), p.stderr)
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+inactive")
        self.assertEqual(self.wait_sessions(0), [])
        self.virsh("pool-undefine %s" % name)
        # a secret that does not exist: named in the error, nothing tried
        name, f = self.define(target=CHAP_TARGET, auth=right.replace("chap-right", "chap-none"))
        self.virsh("pool-define %s" % f)
        p = self.virsh("pool-start %s" % name, ok=False)
        self.assertIn("pool '%s': CHAP secret for user '%s' of iSCSI target '%s': Secret not found: no secret with matching usage "
                      "'chap-none'" % (name, CHAP_USER, CHAP_TARGET), p.stderr)
        self.virsh("pool-undefine %s" % name)
        # the right one logs in and lists the LUN; a volume's bytes come through its own session
        name, f = self.define(target=CHAP_TARGET, auth=right)
        self.virsh("pool-define %s" % f)
        self.virsh("pool-start %s" % name)
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        vols = self.virsh("vol-list %s" % name).stdout
        self.assertIn("unit:0:0:1", vols)
        self.lun3.write_bytes(b"chap!" + bytes(LUN2_SIZE - 5))
        down = SCRATCH / "chap-down.bin"
        self.virsh("vol-download --pool %s unit:0:0:1 %s --length 5" % (name, down))
        self.assertEqual(down.read_bytes(), b"chap!")
        self.virsh("pool-destroy %s" % name)
        self.virsh("pool-undefine %s" % name)
        self.assertEqual(self.wait_sessions(0), [])
        # the password is never logged
        self.assertNotIn(CHAP_PASSWORD, self.daemon.log())

    def test_unreachable_target(self):
        # nothing listens on 3261: the start fails with the reason, the pool stays inactive
        name, f = self.define(port=3261)
        self.virsh("pool-define %s" % f)
        p = self.virsh("pool-start %s" % name, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("iSCSI target of pool '%s'" % name, p.stderr)
        self.assertRegex(self.virsh("pool-info %s" % name).stdout, r"State:\s+inactive")
        # a target name the portal does not serve: the login is refused
        name2, f2 = self.define(target="iqn.2026-12.org.virtbus.test:nothing")
        self.virsh("pool-define %s" % f2)
        p = self.virsh("pool-start %s" % name2, ok=False)
        self.assertIn("cannot log in to iSCSI target 'iqn.2026-12.org.virtbus.test:nothing' at 127.0.0.1:3260", p.stderr)
        self.assertEqual(self.wait_sessions(0), [])
        self.assertTrue(self.daemon.alive())
        self.virsh("pool-undefine %s" % name)
        self.virsh("pool-undefine %s" % name2)

    def test_bad_definitions(self):
        name, f = self.define(initiator=None)
        p = self.virsh("pool-define %s" % f, ok=False)
        self.assertIn("needs <source><initiator><iqn name='…'/></initiator>", p.stderr)
        f.write_text("<pool type='iscsi-direct'><name>x</name><source><device path='%s'/>"
                     "<initiator><iqn name='%s'/></initiator></source></pool>" % (TARGET, INITIATOR))
        p = self.virsh("pool-define %s" % f, ok=False)
        self.assertIn("needs exactly one <source><host name='…'/>", p.stderr)
        self.assertNotIn(name, self.virsh("pool-list --all").stdout)

    def qemu_cmdline(self, name):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                argv = Path("/proc/%s/cmdline" % pid).read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"qemu-system-x86_64") and ("guest=%s," % name).encode() in b" ".join(argv):
                return [a.decode() for a in argv]
        return None

    def test_guest_disk_on_a_lun(self):
        """<disk type='volume'> on an iscsi-direct LUN: QEMU's own iSCSI client logs in."""
        name, f = self.define()
        self.virsh("pool-create %s" % f)
        self.addCleanup(self.virsh, "pool-destroy %s" % name, False)
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        dom = "onlun%d" % IscsiDirect.n
        xml = SCRATCH / (dom + ".xml")
        xml.write_text("""<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='volume' device='disk'><source pool='%s' volume='unit:0:0:2'/><target dev='vda' bus='virtio'/></disk>
    <memballoon model='none'/>
  </devices></domain>""" % (dom, name))
        self.virsh("define %s" % xml)
        self.virsh("start %s" % dom)
        self.addCleanup(self.virsh, "undefine %s" % dom, False)
        self.addCleanup(self.virsh, "destroy %s" % dom, False)
        argv = self.qemu_cmdline(dom)
        self.assertIsNotNone(argv)
        blockdev = [a for a in argv if a.startswith("driver=iscsi")]
        self.assertEqual(len(blockdev), 1, argv)
        self.assertTrue(blockdev[0].startswith("driver=iscsi,transport=tcp,portal=127.0.0.1:3260,target=%s,lun=2,"
                                               "initiator-name=%s," % (TARGET, INITIATOR)), blockdev[0])
        # QEMU logged in beside the pool's session, and the guest is running
        self.assertEqual(self.wait_sessions(2), [INITIATOR, INITIATOR])
        self.assertRegex(self.virsh("domstate %s" % dom).stdout, "running")
        # the live XML keeps type='volume' (as libvirt's does)
        live = self.virsh("dumpxml %s" % dom).stdout
        self.assertIn("<source pool='%s' volume='unit:0:0:2'/>" % name, live)
        # a LUN a running guest uses is not wiped
        self.lun2.write_bytes(b"\x5a" * LUN2_SIZE)
        p = self.virsh("vol-wipe --pool %s unit:0:0:2" % name, ok=False)
        self.assertIn("cannot wipe volume 'unit:0:0:2': it is in use by running domain '%s'" % dom, p.stderr)
        self.assertEqual(self.lun2.read_bytes(), b"\x5a" * LUN2_SIZE)
        self.virsh("destroy %s" % dom)
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        # an algorithm other than zero is refused by name, and nothing is written
        p = self.virsh("vol-wipe --pool %s unit:0:0:2 --algorithm dod" % name, ok=False)
        self.assertIn("this function is not supported by the connection driver: wiping algorithm 'dod' on an "
                      "iscsi-direct pool (only 'zero' is)", p.stderr)
        self.assertEqual(self.lun2.read_bytes(), b"\x5a" * LUN2_SIZE)
        # once the guest is gone, wipe writes zeros over the whole LUN
        self.virsh("vol-wipe --pool %s unit:0:0:2" % name)
        self.assertEqual(self.lun2.read_bytes(), bytes(LUN2_SIZE))
        self.assertEqual(self.wait_sessions(1), [INITIATOR])     # the wipe's own session is gone

    def test_dbus_fd_round_trip(self):
        """StorageVol.Upload / Download with unix fds on a LUN (D-Bus door): same sha256."""
        import dbus
        name, f = self.define()
        self.virsh("pool-create %s" % f)
        self.addCleanup(self.virsh, "pool-destroy %s" % name, False)
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        qemu = bus.get_object("org.libvirt", "/org/libvirt/QEMU")
        vol_path = qemu.StorageVolLookupByPath(self.vol_path(2), dbus_interface="org.libvirt.Connect")
        vol = dbus.Interface(bus.get_object("org.libvirt", vol_path), "org.libvirt.StorageVol")
        self.assertEqual(vol.Get("org.libvirt.StorageVol", "Name", dbus_interface="org.freedesktop.DBus.Properties"),
                         "unit:0:0:2")
        data = os.urandom(LUN2_SIZE // 2) + bytes(LUN2_SIZE // 2)
        src, dst = SCRATCH / "dbus-up.bin", SCRATCH / "dbus-down.bin"
        src.write_bytes(data)
        with open(src, "rb") as fh:
            vol.Upload(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(1), dbus.types.UnixFd(fh), timeout=60)
        self.assertEqual(sha256(self.lun2.read_bytes()), sha256(data))
        with open(dst, "wb") as fh:
            vol.Download(dbus.UInt64(0), dbus.UInt64(0), dbus.UInt32(1), dbus.types.UnixFd(fh), timeout=60)
        self.assertEqual(sha256(dst.read_bytes()), sha256(data))
        bus.close()

    def test_autostart_after_restart(self):
        """A persistent, autostarted pool logs in again when the daemon comes back; one whose
        target is unreachable stays inactive with the reason in the log."""
        daemon = remote_harness.RemoteDaemon(tcp=False)
        daemon.keep = True
        daemon.start()
        uri = "qemu+unix:///session?socket=%s" % daemon.sock
        env = daemon.client_env()

        def virsh(cmd):
            p = remote_harness.run_virsh(uri, cmd, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, daemon.log()[-3000:]))
            return p.stdout

        try:
            name, f = self.define()
            lost, lf = self.define(port=3261)
            for n, x in ((name, f), (lost, lf)):
                virsh("pool-define %s" % x)
                virsh("pool-autostart %s" % n)
            virsh("pool-start %s" % name)
            self.assertEqual(self.wait_sessions(1), [INITIATOR])
            self.assertEqual(daemon.stop(), 0)
            self.assertEqual(self.wait_sessions(0), [])
            daemon.start()
            self.assertEqual(self.wait_sessions(1), [INITIATOR])
            deadline = time.monotonic() + 10
            # the login was seen; the LUN scan that follows answers the start
            while time.monotonic() < deadline:
                p = remote_harness.run_virsh(uri, "vol-list %s" % name, env=env, timeout=60)
                if p.returncode == 0 and "unit:0:0:1" in p.stdout:
                    break
                time.sleep(0.1)
            self.assertIn("unit:0:0:2", virsh("vol-list %s" % name))
            listing = virsh("pool-list --all")
            self.assertRegex(listing, r"\n %s +active +yes\n" % name)
            self.assertRegex(listing, r"\n %s +inactive +yes\n" % lost)
            self.assertIn("pool %s: operation failed: iSCSI target of pool '%s': cannot log in" % (lost, lost),
                          daemon.log())
            virsh("pool-destroy %s" % name)
            self.assertEqual(self.wait_sessions(0), [])
        finally:
            daemon.keep = False
            daemon.stop()

    def test_shutdown_with_uploads_in_flight(self):
        """SIGTERM while an upload to a LUN and one to a dir volume are half way: the daemon
        exits cleanly, joins the workers, logs out of the target and says what was cut."""
        daemon = remote_harness.RemoteDaemon(tcp=False)
        daemon.keep = True
        daemon.start()
        uri = "qemu+unix:///session?socket=%s" % daemon.sock
        env = daemon.client_env()

        def virsh(cmd):
            p = remote_harness.run_virsh(uri, cmd, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (cmd, p.stderr, daemon.log()[-3000:]))

        name, f = self.define()
        virsh("pool-create %s" % f)
        self.assertEqual(self.wait_sessions(1), [INITIATOR])
        dirpool = SCRATCH / "shutdown-dir"
        virsh("pool-create-as sd dir --target %s --build" % dirpool)
        virsh("vol-create-as sd half.img 4M")
        writers, clients = [], []
        try:
            for pool, vol in ((name, "unit:0:0:1"), ("sd", "half.img")):
                fifo = SCRATCH / ("fifo-%s" % pool)
                os.mkfifo(fifo)
                clients.append(subprocess.Popen(["virsh", "-c", uri, "vol-upload", "--pool", pool, vol, str(fifo)],
                                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
                w = open(fifo, "wb")
                w.write(b"\xab" * (3 << 20))        # three MiB, then the writer stalls
                w.flush()
                writers.append(w)
            # both uploads have written their first MiB
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if (self.lun1.read_bytes()[:1 << 20] == b"\xab" * (1 << 20)
                        and (dirpool / "half.img").read_bytes()[:1 << 20] == b"\xab" * (1 << 20)):
                    break
                time.sleep(0.1)
            else:
                for c in clients:
                    c.kill()
                self.fail("uploads did not start: %s\n%s" % ([c.communicate()[1] for c in clients],
                                                              daemon.log()[-3000:]))
            self.assertTrue(daemon.alive())
            code = daemon.stop()
            log = daemon.log()
        finally:
            for w in writers:
                try:
                    w.close()
                except BrokenPipeError:
                    pass
            for c in clients:
                c.communicate(timeout=20)
            daemon.keep = False
            daemon.stop()
        self.assertEqual(code, 0, log[-3000:])
        self.assertRegex(log, r"volume %s: upload cut by the daemon's shutdown after \d+ of %d bytes: "
                              r"the LUN is half written" % (re.escape(self.vol_path(1)), LUN1_SIZE))
        self.assertRegex(log, r"volume %s/half.img: upload cut by the daemon's shutdown after \d+ of 4194304 bytes"
                         % re.escape(str(dirpool)))
        self.assertEqual(self.wait_sessions(0), [])
        # what reached the volumes stays there
        self.assertEqual((dirpool / "half.img").read_bytes()[:1 << 20], b"\xab" * (1 << 20))


if __name__ == "__main__":
    testmain.main()
