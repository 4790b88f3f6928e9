"""test_qemu_peek.py: raw reads of a domain's disks and memory (virDomainBlockPeek, virDomainMemoryPeek) and guest power management (virDomainPMWakeup, virDomainPMSuspendForDuration) through virtbusd, with python3-libvirt, virsh and D-Bus.

    /usr/bin/python3 tests/integration/test_qemu_peek.py -v

The Test connection answers as libvirt's test driver does (compared with it in-process). On
qemu:///session two domains: "peek-bare" (no kernel: QEMU runs SeaBIOS only; a raw disk of
known bytes and a qcow2 one; no agent) shows the disk bytes against the file, the memory against
QEMU's own pmemsave/memsave asked through qemu-monitor-command, and libvirt's refusals (texts
from Debian's libvirtd 9.0); "peek-guest" (the tiny test guest with its qemu-ga) suspends to RAM
through its agent and is woken up, with the lifecycle events on both doors.
"""

import json
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_lifecycle import QEMU_PATH, QemuDaemon, wait_for  # noqa: E402

BOOT_TIMEOUT = 300      # TCG boots on a loaded 2-core machine
AGENT_TIMEOUT = 120
MAX = 4194304           # REMOTE_DOMAIN_{BLOCK,MEMORY}_PEEK_BUFFER_MAX of libvirt 9.0

# virDomainState / reasons, virDomainEventType / details
RUNNING, PMSUSPENDED = 1, 7
RUNNING_WAKEUP = 8
EV_STARTED, EV_PMSUSPENDED = 2, 7
STARTED_WAKEUP, PMSUSPENDED_MEMORY = 4, 0
AGENT_CONNECTED = 1

BARE_XML = """<domain type='qemu'>
  <name>peek-bare</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{raw}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{qcow2}'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
"""

GUEST_XML = """<domain type='qemu'>
  <name>peek-guest</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>
"""


def pattern(n):
    """n bytes that say where they are (no boot signature at 510)."""
    data = bytearray((i * 7 + i // 256) & 0xff for i in range(n))
    data[510:512] = b"\0\0"
    return bytes(data)


class QemuPeekTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        tmp = cls.daemon.tmp
        cls.raw = tmp / "disk.raw"
        cls.raw_bytes = pattern(1 << 20)
        cls.raw.write_bytes(cls.raw_bytes)
        cls.qcow2 = tmp / "disk.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(cls.qcow2), "1M"], check=True)
        cls.console = tmp / "console.log"
        (tmp / "bare.xml").write_text(BARE_XML.format(raw=cls.raw, qcow2=cls.qcow2))
        (tmp / "guest.xml").write_text(GUEST_XML.format(kernel=cls.image.kernel, initrd=cls.image.initrd,
                                                        append=cls.image.append, console=cls.console))
        cls.events, cls.agent_events, cls.bus_events = [], [], []
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        lambda c, d, ev, det, o: cls.events.append((d.name(), ev, det)), None)
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                        lambda c, d, st, rs, o: cls.agent_events.append((d.name(), st)), None)
        cls.pm_events = []
        for ev, kind in ((cls.libvirt.VIR_DOMAIN_EVENT_ID_PMSUSPEND, "suspend"),
                         (cls.libvirt.VIR_DOMAIN_EVENT_ID_PMWAKEUP, "wakeup")):
            cls.conn.domainEventRegisterAny(None, ev, lambda c, d, reason, o, kind=kind:
                                            cls.pm_events.append((d.name(), kind, reason)), None)
        import dbus
        import dbus.mainloop.glib
        cls.dbus = dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        cls.bus_signals = harness.BusSignals(cls.daemon.bus_address)
        cls.bus_signals.add_signal_receiver(lambda path, ev, det: cls.bus_events.append((str(path), int(ev), int(det))),
                                    signal_name="DomainEvent", dbus_interface=harness.CONNECT)
        for member in ("PMSuspend", "PMWakeup"):
            cls.bus_signals.add_signal_receiver(lambda reason, path=None, member=member:
                                        cls.bus_events.append((str(path), member, int(reason))),
                                        signal_name=member, dbus_interface=harness.DOMAIN, path_keyword="path")
        for name in ("bare", "guest"):
            p = cls.daemon.virsh("unix", "define %s" % (tmp / (name + ".xml")))
            if p.returncode != 0:
                raise AssertionError("virsh define: %s" % p.stderr)
        cls.bare = cls.conn.lookupByName("peek-bare")
        cls.guest = cls.conn.lookupByName("peek-guest")

    @classmethod
    def tearDownClass(cls):
        for name in ("peek-bare", "peek-guest"):
            cls.daemon.virsh("unix", "destroy %s" % name)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        cls.daemon.stop()

    # --- helpers ---

    def error_of(self, fn, *args):
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            fn(*args)
        return cm.exception

    def assertLibvirtError(self, text, fn, *args):
        e = self.error_of(fn, *args)
        self.assertEqual(str(e), text)
        return e

    def bus_domain(self, dom, root=QEMU_PATH):
        path = "%s/domain/_%s" % (root, dom.UUIDString().replace("-", "_"))
        return self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)

    def assertBusError(self, text, fn, *args):
        with self.assertRaises(self.dbus.exceptions.DBusException) as cm:
            fn(*args, timeout=AGENT_TIMEOUT)
        self.assertEqual(cm.exception.get_dbus_name(), harness.LIBVIRT_ERROR)
        self.assertEqual(cm.exception.get_dbus_message(), text)

    def bus_pump(self):
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass

    def monitor(self, dom, execute, **arguments):
        cmd = json.dumps({"execute": execute, "arguments": arguments})
        p = self.daemon.virsh("unix", "qemu-monitor-command %s '%s'" % (dom.name(), cmd), timeout=AGENT_TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def qemu_save(self, dom, execute, start, size):
        """QEMU's own memsave/pmemsave of the range, into a file the test reads."""
        out = self.daemon.tmp / ("%s-%x-%d.bin" % (execute, start, size))
        reply = self.monitor(dom, execute, val=start, size=size, filename=str(out))
        self.assertIn("return", reply, reply)
        return out.read_bytes()

    def settled(self, dom, execute, flags, start, size):
        """The range once our peek and QEMU's own dump of it (taken right after) agree."""
        def same():
            mine = dom.memoryPeek(start, size, flags)
            self.assertEqual(len(mine), size)
            return mine if mine == self.qemu_save(dom, execute, start, size) else None
        return wait_for("%s of 0x%x to agree with the peek" % (execute, start), same, BOOT_TIMEOUT)

    def dom_bytes(self, value):
        return bytes(bytearray(int(b) for b in value))

    # --- the Test connection: libvirt's test driver, byte for byte ---

    def test_1_test_driver(self):
        conn = self.libvirt.open("test+unix:///default?socket=%s" % self.daemon.sock)
        oracle = self.libvirt.open("test:///default")
        try:
            dom, odom = conn.lookupByName("test"), oracle.lookupByName("test")
            for start, size, flags in ((0, 64, 1), (100, 300, 2), (0xfffffffffffffff0, 40, 1), (5, 0, 2)):
                self.assertEqual(dom.memoryPeek(start, size, flags), odom.memoryPeek(start, size, flags))
            self.assertEqual(len(dom.memoryPeek(0, MAX, 2)), MAX)
            for call in (lambda d: d.memoryPeek(0, 8, 0), lambda d: d.memoryPeek(0, 8, 4),
                         lambda d: d.memoryPeek(0, 8, 3), lambda d: d.blockPeek("vda", 0, 512, 0),
                         lambda d: d.pMWakeup(0), lambda d: d.pMSuspendForDuration(0, 0, 0)):
                mine, theirs = self.error_of(call, dom), self.error_of(call, odom)
                self.assertEqual((str(mine), mine.get_error_code(), mine.get_error_domain()),
                                 (str(theirs), theirs.get_error_code(), theirs.get_error_domain()))
            bus = self.bus_domain(dom, harness.TEST)
            self.assertEqual(self.dom_bytes(bus.MemoryPeek(self.dbus.UInt64(250), self.dbus.UInt64(10),
                                                           self.dbus.UInt32(2))),
                             odom.memoryPeek(250, 10, 2))
            self.assertBusError("this function is not supported by the connection driver: virDomainBlockPeek",
                                bus.BlockPeek, "vda", self.dbus.UInt64(0), self.dbus.UInt64(512), self.dbus.UInt32(0))
            self.assertBusError("this function is not supported by the connection driver: virDomainPMWakeup",
                                bus.PMWakeup, self.dbus.UInt32(0))
            # shut off: as libvirt's, "domain is not running"
            dom.destroy()
            odom.destroy()
            mine, theirs = self.error_of(dom.memoryPeek, 0, 8, 1), self.error_of(odom.memoryPeek, 0, 8, 1)
            self.assertEqual(str(mine), str(theirs))
            self.assertEqual(str(mine), "Requested operation is not valid: domain is not running")
            dom.create()
        finally:
            conn.close()
            oracle.close()

    # --- a shut-off QEMU domain: its disk files are read, its memory is not there ---

    def test_2_inactive(self):
        dom = self.bare
        self.assertEqual(dom.state()[0], 5)
        self.assertEqual(dom.blockPeek("vda", 0, 512, 0), self.raw_bytes[:512])
        self.assertEqual(dom.blockPeek(str(self.raw), 4096, 1000, 0), self.raw_bytes[4096:5096])
        self.assertEqual(dom.blockPeek("vda", 0, 1 << 20, 0), self.raw_bytes)
        # libvirt 9.0's words (Debian's libvirtd answered these)
        self.assertLibvirtError("unsupported flags (0x1) in function qemuDomainBlockPeek", dom.blockPeek, "vda", 0, 8, 1)
        self.assertLibvirtError("invalid argument: disk 'vdz' not found in domain", dom.blockPeek, "vdz", 0, 8, 0)
        self.assertLibvirtError("invalid argument: 'vda' starting from 1048570 has only 6 bytes available",
                                dom.blockPeek, "vda", 1048570, 8, 0)
        self.assertLibvirtError("Operation not supported: peeking is only supported for disk with 'raw' format "
                                "not 'qcow2'", dom.blockPeek, "vdb", 0, 8, 0)
        self.assertLibvirtError("cannot seek into '%s': Invalid argument" % self.raw, dom.blockPeek, "vda", 1 << 63, 8, 0)
        self.assertLibvirtError("cannot read header '%s': Invalid argument" % self.raw, dom.blockPeek, "vda", 0, 0, 0)
        # python3-libvirt's client refuses more than the protocol carries before sending
        self.assertLibvirtError("block peek request too large for remote protocol, %d > %d" % (MAX + 1, MAX),
                                dom.blockPeek, "vda", 0, MAX + 1, 0)
        not_running = "Requested operation is not valid: domain is not running"
        e = self.assertLibvirtError(not_running, dom.memoryPeek, 0, 8, 2)
        self.assertEqual((e.get_error_code(), e.get_error_domain()), (55, 20))
        self.assertLibvirtError("invalid argument: flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
                                dom.memoryPeek, 0, 8, 0)
        self.assertLibvirtError("unsupported flags (0x4) in function qemuDomainMemoryPeek", dom.memoryPeek, 0, 8, 4)
        self.assertLibvirtError(not_running, dom.pMWakeup, 0)
        self.assertLibvirtError("unsupported flags (0x1) in function qemuDomainPMWakeup", dom.pMWakeup, 1)
        e = self.assertLibvirtError(not_running, dom.pMSuspendForDuration, 0, 0, 0)
        self.assertEqual((e.get_error_code(), e.get_error_domain()), (55, 10))
        self.assertLibvirtError("argument unsupported: Duration not supported. Use 0 for now",
                                dom.pMSuspendForDuration, 0, 5, 0)
        self.assertLibvirtError("invalid argument: Unknown suspend target: 7", dom.pMSuspendForDuration, 7, 0, 0)
        self.assertLibvirtError("unsupported flags (0x1) in function qemuDomainPMSuspendForDuration",
                                dom.pMSuspendForDuration, 0, 0, 1)
        # D-Bus: the same verbs, libvirt-dbus 1.4.1's signatures
        bus = self.bus_domain(dom)
        U32, U64 = self.dbus.UInt32, self.dbus.UInt64
        self.assertEqual(self.dom_bytes(bus.BlockPeek("vda", U64(512), U64(512), U32(0))), self.raw_bytes[512:1024])
        self.assertBusError("block peek request too large for remote protocol, %d > %d" % (MAX + 1, MAX),
                            bus.BlockPeek, "vda", U64(0), U64(MAX + 1), U32(0))
        self.assertBusError("invalid argument: disk 'vdz' not found in domain", bus.BlockPeek, "vdz", U64(0),
                            U64(8), U32(0))
        self.assertBusError("Flags 'VIR_MEMORY_VIRTUAL' and 'VIR_MEMORY_PHYSICAL' are mutually exclusive",
                            bus.MemoryPeek, U64(0), U64(8), U32(3))
        self.assertBusError(not_running, bus.MemoryPeek, U64(0), U64(8), U32(1))
        self.assertBusError(not_running, bus.PMWakeup, U32(0))

    # --- a running QEMU without an OS: its memory against QEMU's own dump of it ---

    def test_3_running_memory(self):
        dom = self.bare
        dom.create()
        wait_for("peek-bare running", lambda: dom.state()[0] == RUNNING, BOOT_TIMEOUT)
        # SeaBIOS's area settles once its POST is over: then it reads the same as QEMU's own dump
        phys = self.settled(dom, "pmemsave", self.libvirt.VIR_MEMORY_PHYSICAL, 0xf0000, 65536)
        # the firmware may still write its own area now and then: the views below are compared
        # on a still guest (CI once saw 0xfffff change between two reads)
        dom.suspend()
        phys = self.settled(dom, "pmemsave", self.libvirt.VIR_MEMORY_PHYSICAL, 0xf0000, 65536)
        self.assertNotEqual(phys, bytes(65536))
        self.assertEqual(phys[-16:-11], b"\xea\x5b\xe0\x00\xf0")      # the reset vector: jmp f000:e05b
        # more than a pipe holds at once: 3 MiB read as QEMU writes it
        big = dom.memoryPeek(0xd0000, 3 << 20, self.libvirt.VIR_MEMORY_PHYSICAL)
        self.assertEqual(len(big), 3 << 20)
        self.assertEqual(big[0x2fff0:0x30000], phys[-16:])
        # SeaBIOS runs without paging: CPU 0's virtual view is the physical one
        virt = self.settled(dom, "memsave", self.libvirt.VIR_MEMORY_VIRTUAL, 0xff000, 4096)
        self.assertEqual(virt[-16:], phys[-16:])
        self.assertLibvirtError("memory peek request too large for remote protocol, %d > %d" % (MAX + 1, MAX),
                                dom.memoryPeek, 0, MAX + 1, 2)
        # the disk file is read the same while QEMU has it open
        self.assertEqual(dom.blockPeek("vda", 0, 512, 0), self.raw_bytes[:512])
        bus = self.bus_domain(dom)
        U32, U64 = self.dbus.UInt32, self.dbus.UInt64
        self.assertEqual(self.dom_bytes(bus.MemoryPeek(U64(0xf0000), U64(65536), U32(2), timeout=AGENT_TIMEOUT)),
                         phys)
        dom.resume()
        # QEMU's refusals, as libvirt words them
        e = self.error_of(dom.pMWakeup, 0)
        self.assertEqual(e.get_error_code(), 1)
        self.assertTrue(str(e).startswith("internal error: unable to execute QEMU command 'system_wakeup': "), str(e))
        self.assertEqual(dom.state()[0], RUNNING)
        self.assertLibvirtError("argument unsupported: QEMU guest agent is not configured",
                                dom.pMSuspendForDuration, 0, 0, 0)
        with self.assertRaises(self.dbus.exceptions.DBusException) as cm:
            bus.PMWakeup(U32(0), timeout=AGENT_TIMEOUT)
        self.assertIn("unable to execute QEMU command 'system_wakeup'", cm.exception.get_dbus_message())
        dom.destroy()

    # --- the test guest suspends to RAM through its agent and is woken up ---

    def test_4_suspend_wakeup(self):
        dom = self.guest
        dom.create()
        wait_for("the agent-lifecycle connected event",
                 lambda: ("peek-guest", AGENT_CONNECTED) in self.agent_events, BOOT_TIMEOUT)
        self.assertIn(guest.UP, self.console.read_text(errors="replace"))
        # under load the guest takes its time to go to sleep (libvirt's default wait is 5 s)
        p = self.daemon.virsh("unix", "guest-agent-timeout peek-guest --timeout %d" % AGENT_TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        # the guest kernel's page tables map nothing at 0: QEMU's memsave says so
        e = self.error_of(dom.memoryPeek, 0, 8, self.libvirt.VIR_MEMORY_VIRTUAL)
        self.assertTrue(str(e).startswith("internal error: unable to execute QEMU command 'memsave': "), str(e))
        del self.events[:]
        dom.pMSuspendForDuration(self.libvirt.VIR_NODE_SUSPEND_TARGET_MEM, 0, 0)
        wait_for("pmsuspended", lambda: dom.state() == [PMSUSPENDED, 0], BOOT_TIMEOUT)
        wait_for("the PMSUSPENDED event", lambda: ("peek-guest", EV_PMSUSPENDED, PMSUSPENDED_MEMORY) in self.events, 30)
        wait_for("the PMSUSPEND event", lambda: ("peek-guest", "suspend", 0) in self.pm_events, 30)
        self.assertEqual(self.monitor(dom, "query-status")["return"]["status"], "suspended")
        p = self.daemon.virsh("unix", "domstate --reason peek-guest")
        self.assertEqual(p.stdout.strip(), "pmsuspended (unknown)")
        # the memory is still there to read while it sleeps
        self.assertEqual(len(dom.memoryPeek(0xf0000, 4096, self.libvirt.VIR_MEMORY_PHYSICAL)), 4096)
        # woken through D-Bus; the state follows QEMU's WAKEUP event
        self.bus_domain(dom).PMWakeup(self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        wait_for("running again", lambda: dom.state() == [RUNNING, RUNNING_WAKEUP], BOOT_TIMEOUT)
        wait_for("the STARTED/WAKEUP event", lambda: ("peek-guest", EV_STARTED, STARTED_WAKEUP) in self.events, 30)
        wait_for("the PMWAKEUP event", lambda: ("peek-guest", "wakeup", 0) in self.pm_events, 30)
        self.assertEqual([e for e in self.pm_events if e[0] == "peek-guest"],
                         [("peek-guest", "suspend", 0), ("peek-guest", "wakeup", 0)])
        uuid_path = "%s/domain/_%s" % (QEMU_PATH, dom.UUIDString().replace("-", "_"))
        wait_for("D-Bus DomainEvent for both", lambda: self.bus_pump() or (
            (uuid_path, EV_PMSUSPENDED, PMSUSPENDED_MEMORY) in self.bus_events and
            (uuid_path, EV_STARTED, STARTED_WAKEUP) in self.bus_events and
            (uuid_path, "PMSuspend", 0) in self.bus_events and (uuid_path, "PMWakeup", 0) in self.bus_events), 30)
        # the guest really runs again: its agent opens its port again and answers
        ping = "qemu-agent-command peek-guest '{\"execute\":\"guest-ping\"}' --timeout %d" % AGENT_TIMEOUT
        wait_for("the agent to answer after the wake-up",
                 lambda: self.daemon.virsh("unix", ping, timeout=AGENT_TIMEOUT + 30).returncode == 0, BOOT_TIMEOUT)

    def test_5_restart_while_asleep(self):
        """virsh dompmsuspend / dompmwakeup, and a daemon restarted while the guest sleeps finds
        it asleep (its status file and QEMU's query-status agree)."""
        def virsh(cmd):
            p = self.daemon.virsh("unix", cmd, timeout=AGENT_TIMEOUT + 30)
            self.assertEqual(p.returncode, 0, "virsh %s: %s" % (cmd, p.stderr))
            return p.stdout.strip()
        self.assertEqual(virsh("domstate peek-guest"), "running")
        virsh("dompmsuspend peek-guest --target mem")
        wait_for("pmsuspended", lambda: virsh("domstate --reason peek-guest") == "pmsuspended (unknown)", BOOT_TIMEOUT)
        self.daemon.restart()
        self.assertEqual(virsh("domstate --reason peek-guest"), "pmsuspended (unknown)")
        wait_for("the monitor back", lambda: self.daemon.virsh(
            "unix", "qemu-monitor-command peek-guest '{\"execute\":\"query-status\"}'").returncode == 0, 60)
        self.assertEqual(virsh("domstate --reason peek-guest"), "pmsuspended (unknown)")
        virsh("dompmwakeup peek-guest")
        wait_for("running (event wakeup)", lambda: virsh("domstate --reason peek-guest") == "running (event wakeup)",
                 BOOT_TIMEOUT)
        virsh("destroy peek-guest")


if __name__ == "__main__":
    from testmain import main
    main()
