"""test_qemu_events.py: the guest's own events on a real TCG guest (issue 13: every libvirt-dbus signal;
the remote door's domain events), each made by what really makes it and received by python3-libvirt
(callbacks on the remote door) and by a D-Bus client (libvirt-dbus 1.4.1's Domain signals):

- RTC change: `virsh domtime --time` (qemu-ga's guest-set-time writes the guest's RTC: QEMU's RTC_CHANGE);
- tray change: `virsh change-media --eject`, then `--insert` (DEVICE_TRAY_MOVED);
- balloon change: the guest loads virtio_balloon and `virsh setmem --live` shrinks it (BALLOON_CHANGE);
- tunable: `virsh vcpupin --live`, `virsh emulatorpin --live`;
- graphics: a VNC client connects, completes the RFB handshake and leaves (VNC_CONNECTED,
  VNC_INITIALIZED, VNC_DISCONNECTED);
- watchdog: the guest arms the i6300esb and stops feeding it (WATCHDOG);
- I/O error: the guest writes past what a 1 MiB tmpfs holds (the daemon runs in a mount namespace of
  its own with that tmpfs): BLOCK_IO_ERROR with nospace, the guest paused with reason "I/O error", as
  libvirt reports it (IO_ERROR and IO_ERROR_REASON "enospc", then SUSPENDED_IOERROR);
- job completed: a push backup's end;
- disk change: a CD-ROM and a disk whose sources are missing, with startupPolicy='optional'.

    /usr/bin/python3 tests/integration/test_qemu_events.py -v

qemu:///session of a private daemon.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402
import testmain  # noqa: E402

BOOT_TIMEOUT = 300      # TCG boots on a loaded 2-core machine
AGENT_TIMEOUT = 120
EVENT_TIMEOUT = 120
DOMAIN_IFACE = "org.libvirt.Domain"
# the modules of /lib/modules/load-order-GROUP, in their order (tests/guest/build-guest.sh)
LOAD = "for m in $(cat /lib/modules/load-order-%s); do insmod /lib/modules/$m.ko || exit 1; done"

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <currentMemory unit='MiB'>256</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <clock offset='utc'/>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{small}'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='{iso}'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='{missing}.iso' startupPolicy='optional'/>
      <target dev='hdd' bus='ide'/>
      <readonly/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{missing}.img' startupPolicy='optional'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>
    <watchdog model='i6300esb' action='none'/>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""


class GuestEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        if not shutil.which("unshare"):
            raise AssertionError("unshare (util-linux) is missing")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        # The daemon (and so QEMU) sees a 1 MiB tmpfs at tmp/small holding an 8 MiB sparse disk:
        # the guest's writes to it run out of room. Its own mount namespace: the host's mount
        # table never sees it.
        cls.small_dir = cls.daemon.tmp / "small"
        cls.small_dir.mkdir()
        wrapper = cls.daemon.tmp / "virtbusd-small-tmpfs"
        wrapper.write_text("#!/bin/sh\n"
                           "exec unshare -m --propagation private sh -c "
                           "'mount -t tmpfs -o size=1m,mode=0700 virtbus-small %s && truncate -s 8M %s/small.img "
                           "&& exec \"$0\" \"$@\"' %s \"$@\"\n" % (cls.small_dir, cls.small_dir, remote_harness.VIRTBUSD))
        wrapper.chmod(0o755)
        real = remote_harness.VIRTBUSD
        remote_harness.VIRTBUSD = wrapper
        try:
            cls.daemon.start()
        finally:
            remote_harness.VIRTBUSD = real
        cls.name = "events-guest"
        cls.disk = cls.daemon.tmp / "data.img"
        with open(cls.disk, "wb") as f:
            f.truncate(16 << 20)
        cls.iso = cls.daemon.tmp / "media.iso"
        cls.iso.write_bytes(b"virtbus" * 4096)
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, disk=cls.disk, small=cls.small_dir / "small.img",
                                         iso=cls.iso, missing=cls.daemon.tmp / "missing"))
        cls.events = []         # (event id name, args…) from python3-libvirt
        cls.signals = []        # (member, args…) from the D-Bus door
        cls.cond = threading.Condition()
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.register()
        import dbus
        import dbus.mainloop.glib
        cls.dbus = dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        cls.bus_signals = harness.BusSignals(cls.daemon.bus_address)

        def on_signal(*args, **kw):
            with cls.cond:
                cls.signals.append((kw["member"],) + tuple(args))
                cls.cond.notify_all()
        cls.bus_signals.add_signal_receiver(on_signal, dbus_interface=DOMAIN_IFACE, member_keyword="member")
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            raise AssertionError("virsh define: %s" % p.stderr)
        p = cls.daemon.virsh("unix", "start %s" % cls.name, timeout=BOOT_TIMEOUT)
        if p.returncode != 0:
            raise AssertionError("virsh start: %s\n%s" % (p.stderr, cls.daemon.log()[-3000:]))
        wait_for("the guest agent", lambda: cls.daemon.virsh(
            "unix", "qemu-agent-command %s '{\"execute\":\"guest-ping\"}' --timeout 5" % cls.name,
            timeout=60).returncode == 0, BOOT_TIMEOUT)

    @classmethod
    def register(cls):
        lv = cls.libvirt

        def add(name, *args):
            with cls.cond:
                cls.events.append((name,) + args)
                cls.cond.notify_all()
        reg = cls.conn.domainEventRegisterAny
        reg(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, ev, det, o: add("lifecycle", ev, det), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_RTC_CHANGE, lambda c, d, off, o: add("rtc", off), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_WATCHDOG, lambda c, d, action, o: add("watchdog", action), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_IO_ERROR, lambda c, d, src, dev, action, o: add("io", src, dev, action), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
            lambda c, d, src, dev, action, reason, o: add("io-reason", src, dev, action, reason), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_GRAPHICS,
            lambda c, d, phase, local, remote, scheme, subject, o: add("graphics", phase, local, remote, scheme, subject),
            None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_DISK_CHANGE,
            lambda c, d, old, new, dev, reason, o: add("disk-change", old, new, dev, reason), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, lambda c, d, dev, reason, o: add("tray", dev, reason), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, lambda c, d, actual, o: add("balloon", actual), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_TUNABLE, lambda c, d, params, o: add("tunable", params), None)
        reg(None, lv.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, lambda c, d, params, o: add("job", params), None)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        cls.daemon.stop()

    # --- helpers ---

    def virsh(self, cmd, check=True, timeout=AGENT_TIMEOUT + 60):
        p = self.daemon.virsh("unix", cmd, timeout=timeout)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def agent(self, execute, **arguments):
        cmd = {"execute": execute, "arguments": arguments} if arguments else {"execute": execute}
        p = self.virsh("qemu-agent-command %s '%s' --timeout %d" % (self.name, json.dumps(cmd), AGENT_TIMEOUT))
        return json.loads(p.stdout)["return"]

    def guest_sh(self, script, wait=True):
        """script run by the guest's busybox sh through qemu-ga's guest-exec; its status when waited for."""
        pid = self.agent("guest-exec", path="/bin/sh", arg=["-c", script], **{"capture-output": True})["pid"]
        if not wait:
            return None
        return wait_for("the guest's %r to end" % script,
                        lambda: (lambda s: s if s["exited"] else None)(self.agent("guest-exec-status", pid=pid)),
                        AGENT_TIMEOUT)

    def mark(self):
        with self.cond:
            return len(self.events), len(self.signals)

    def wait_event(self, since, name, pred=lambda e: True):
        """The first python3-libvirt event called name after since that pred accepts."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self.cond:
            while True:
                for e in self.events[since[0]:]:
                    if e[0] == name and pred(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("no %s event; events since: %r\n%s" % (name, self.events[since[0]:], self.daemon.log()[-3000:]))
                self.cond.wait(min(left, 1))

    def wait_signal(self, since, member, pred=lambda s: True):
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self.cond:
            while True:
                for s in self.signals[since[1]:]:
                    if s[0] == member and pred(s):
                        return s
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("no %s signal; signals since: %r" % (member, self.signals[since[1]:]))
                self.cond.wait(min(left, 1))

    def live(self):
        return ET.fromstring(self.virsh("dumpxml %s" % self.name).stdout)

    # --- the events ---

    def test_0_startup_policy_drops_missing_sources(self):
        """startupPolicy='optional' on missing sources: the CD-ROM runs empty, the disk is left out
        (DiskChange MISSING_ON_START, DROP_MISSING_ON_START); the definition keeps both; mandatory fails."""
        missing = self.daemon.tmp / "missing"
        lv = self.libvirt
        changes = sorted(e[1:] for e in self.events if e[0] == "disk-change")
        self.assertEqual(changes, [("%s.img" % missing, None, "virtio-disk2", lv.VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START),
                                   ("%s.iso" % missing, None, "ide0-1-1", lv.VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START)])
        signals = sorted(tuple(str(x) if isinstance(x, str) else int(x) for x in sig[1:])
                         for sig in self.signals if sig[0] == "DiskChange")
        self.assertEqual(signals, [("%s.img" % missing, "", "virtio-disk2", 1), ("%s.iso" % missing, "", "ide0-1-1", 0)])
        live = self.live()
        self.assertEqual([d.find("target").get("dev") for d in live.findall("devices/disk")], ["vda", "vdb", "hdc", "hdd"])
        # empty, the policy kept (libvirt's live XML: <source startupPolicy='optional'/>)
        self.assertEqual(live.find("devices/disk/target[@dev='hdd']/../source").attrib, {"startupPolicy": "optional"})
        inactive = ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
        src = inactive.find("devices/disk/target[@dev='vdc']/../source")
        self.assertEqual((src.get("file"), src.get("startupPolicy")), ("%s.img" % missing, "optional"))
        # mandatory (and requisite on a cold boot): the start fails and changes nothing
        strict = self.daemon.tmp / "strict.xml"
        root = ET.fromstring(self.virsh("dumpxml --inactive %s" % self.name).stdout)
        root.find("name").text = "strict-guest"
        root.remove(root.find("uuid"))
        root.find("devices/disk/target[@dev='vdc']/../source").set("startupPolicy", "mandatory")
        strict.write_text(ET.tostring(root, encoding="unicode"))
        self.virsh("define %s" % strict)
        p = self.virsh("start strict-guest", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Cannot access storage file '%s.img': No such file or directory" % missing, p.stderr)
        self.assertEqual(self.virsh("domstate strict-guest").stdout.strip(), "shut off")
        root.find("devices/disk/target[@dev='vdc']/../source").set("startupPolicy", "requisite")
        strict.write_text(ET.tostring(root, encoding="unicode"))
        self.virsh("undefine strict-guest")
        self.virsh("define %s" % strict)
        p = self.virsh("start strict-guest", check=False)
        self.assertIn("Setting disk 'requisite' is allowed only for cdrom or floppy", p.stderr)
        self.virsh("undefine strict-guest")

    def test_1_rtc_change(self):
        """The guest agent sets the guest's clock an hour ahead and writes its RTC: RTCChange with the offset."""
        m = self.mark()
        ahead = int(time.time()) + 3600
        self.virsh("domtime %s --time %d" % (self.name, ahead))
        off = self.wait_event(m, "rtc")[1]
        self.assertTrue(3300 <= off <= 3900, off)       # an hour, give or take the agent's own delay
        sig = self.wait_signal(m, "RTCChange")
        self.assertEqual(int(sig[1]), off)
        self.virsh("domtime %s --sync" % self.name, check=False)

    def test_2_tray_change(self):
        """change-media --eject opens the CD-ROM's tray, --insert closes it: TrayChange open (0), close (1)."""
        alias = "ide0-1-0"      # libvirt's alias of the IDE disk hdc (bus 1, unit 0)
        m = self.mark()
        self.virsh("change-media %s hdc --eject --live" % self.name)
        self.assertEqual(self.wait_event(m, "tray")[1:], (alias, self.libvirt.VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN))
        self.assertEqual(tuple(self.wait_signal(m, "TrayChange")[1:]), (alias, 0))
        m = self.mark()
        self.virsh("change-media %s hdc %s --insert --live" % (self.name, self.iso))
        self.assertEqual(self.wait_event(m, "tray")[1:], (alias, self.libvirt.VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE))
        self.assertEqual(tuple(self.wait_signal(m, "TrayChange")[1:]), (alias, 1))

    def test_3_balloon_change(self):
        """The guest's balloon driver gives 56 MiB back after setmem --live: BalloonChange with the new size."""
        st = self.guest_sh(LOAD % "balloon")
        self.assertEqual(st.get("exitcode"), 0, st)
        m = self.mark()
        self.virsh("setmem %s 200M --live" % self.name)
        self.wait_event(m, "balloon", lambda e: e[1] == 200 * 1024)
        self.wait_signal(m, "BalloonChange", lambda s: int(s[1]) == 200 * 1024)
        self.assertEqual(self.conn.lookupByName(self.name).info()[2], 200 * 1024)

    def test_4_tunable(self):
        """vcpupin and emulatorpin of the running guest: Tunable with libvirt's keys."""
        m = self.mark()
        self.virsh("vcpupin %s 0 0 --live" % self.name)
        self.assertEqual(self.wait_event(m, "tunable")[1], {"cputune.vcpupin0": "0"})
        sig = self.wait_signal(m, "Tunable")
        self.assertEqual({str(k): str(v) for k, v in sig[1].items()}, {"cputune.vcpupin0": "0"})
        m = self.mark()
        self.virsh("emulatorpin %s 0 --live" % self.name)
        self.assertEqual(self.wait_event(m, "tunable")[1], {"cputune.emulatorpin": "0"})

    def test_5_graphics(self):
        """A VNC client's connect, RFB handshake and leave: Graphics connect, initialize, disconnect."""
        port = int(self.live().find("devices/graphics").get("port"))
        m = self.mark()
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            version = s.recv(12)
            self.assertTrue(version.startswith(b"RFB 003."), version)
            s.sendall(b"RFB 003.008\n")
            n = s.recv(1)[0]
            types = s.recv(n)
            self.assertIn(1, types)                     # None: the <graphics> has no password
            s.sendall(b"\x01")
            self.assertEqual(struct.unpack(">I", s.recv(4))[0], 0)
            s.sendall(b"\x01")                          # ClientInit, shared
            self.assertGreater(len(s.recv(24)), 0)      # ServerInit
            local = s.getsockname()
            self.wait_event(m, "graphics", lambda e: e[1] == 1)
        self.wait_event(m, "graphics", lambda e: e[1] == 2)
        phases = [e for e in self.events[m[0]:] if e[0] == "graphics"]
        self.assertEqual([e[1] for e in phases], [0, 1, 2])
        for e in phases:
            # local: the server's end; remote: the client's
            self.assertEqual(e[2], {"family": 0, "node": "127.0.0.1", "service": str(port)})
            self.assertEqual(e[3], {"family": 0, "node": local[0], "service": str(local[1])})
            self.assertEqual(e[4], "none")
            self.assertEqual(e[5], [])
        sig = self.wait_signal(m, "Graphics", lambda s: int(s[1]) == 2)
        self.assertEqual((str(sig[2][1]), str(sig[2][2]), str(sig[4])), ("127.0.0.1", str(port), "none"))

    def test_6_watchdog(self):
        """The guest arms its i6300esb with a 1 s timeout and never feeds it again: Watchdog (action none)."""
        m = self.mark()
        st = self.guest_sh(LOAD % "watchdog" + " && watchdog -T 1 -t 3600 /dev/watchdog")
        self.assertEqual(st.get("exitcode"), 0, st)
        self.assertEqual(self.wait_event(m, "watchdog")[1], self.libvirt.VIR_DOMAIN_EVENT_WATCHDOG_NONE)
        self.assertEqual(int(self.wait_signal(m, "Watchdog")[1]), 0)

    def test_7_job_completed(self):
        """A push backup's end: JobCompleted with the backup's figures."""
        target = self.daemon.tmp / "backup.qcow2"
        bxml = self.daemon.tmp / "backup.xml"
        bxml.write_text("<domainbackup mode='push'><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<driver type='qcow2'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>" % target)
        m = self.mark()
        self.virsh("backup-begin %s %s" % (self.name, bxml))
        params = self.wait_event(m, "job")[1]
        self.assertEqual(params["operation"], self.libvirt.VIR_DOMAIN_JOB_OPERATION_BACKUP)
        self.assertIn("time_elapsed", params)
        self.assertGreater(params["data_total"], 0)
        sig = self.wait_signal(m, "JobCompleted")
        self.assertEqual(int(sig[1]["operation"]), self.libvirt.VIR_DOMAIN_JOB_OPERATION_BACKUP)
        self.assertTrue(target.exists())

    def test_9_io_error_pauses_the_guest(self):
        """The guest fills vdb past its 1 MiB tmpfs: IOError(+reason enospc), then paused for an I/O error."""
        alias = "virtio-disk1"  # libvirt's alias of the second virtio disk
        src = str(self.small_dir / "small.img")
        m = self.mark()
        self.guest_sh("dd if=/dev/zero of=/dev/vdb bs=65536 count=64 conv=fsync", wait=False)
        lv = self.libvirt
        self.assertEqual(self.wait_event(m, "io")[1:], (src, alias, lv.VIR_DOMAIN_EVENT_IO_ERROR_PAUSE))
        self.assertEqual(self.wait_event(m, "io-reason")[1:], (src, alias, lv.VIR_DOMAIN_EVENT_IO_ERROR_PAUSE, "enospc"))
        self.wait_event(m, "lifecycle", lambda e: e[1:] == (lv.VIR_DOMAIN_EVENT_SUSPENDED,
                                                            lv.VIR_DOMAIN_EVENT_SUSPENDED_IOERROR))
        self.assertEqual(self.virsh("domstate --reason %s" % self.name).stdout.strip(), "paused (I/O error)")
        self.assertEqual(self.conn.lookupByName(self.name).state(), [lv.VIR_DOMAIN_PAUSED, lv.VIR_DOMAIN_PAUSED_IOERROR])
        sig = self.wait_signal(m, "IOError")
        self.assertEqual(tuple(str(x) if not isinstance(x, int) else int(x) for x in sig[1:]),
                         (src, alias, 1, "enospc"))


if __name__ == "__main__":
    testmain.main()
