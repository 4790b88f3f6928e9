"""test_qemu_agent.py: the QEMU guest agent on qemu:///session: the tiny test guest runs Debian's qemu-ga on its org.qemu.guest_agent.0 channel, and virsh, python3-libvirt and D-Bus talk to it through virtbusd.

    /usr/bin/python3 tests/integration/test_qemu_agent.py -v

One guest boots (started paused first, to see the errors of an agent that is not there), then
every call is checked against what the guest really has: its clock, its hostname, its
/etc/shadow (read back with guest-exec), its QEMU status; libvirt's QEMU program serves
qemu-agent-command and qemu-monitor-command; reboot and shutdown --mode agent make the guest
do it itself, with the agent's lifecycle events on both doors.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
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
AGENT_TIMEOUT = 120     # the agent's answers under the same load (virsh guest-agent-timeout)

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append} virtbus.mount=vda:/mnt/data</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <interface type='user'><mac address='52:54:00:a9:e7:01'/><model type='virtio'/></interface>
  </devices>
</domain>
"""

# virDomainEventAgentLifecycleState / Reason
CONNECTED, DISCONNECTED = 1, 2
REASON_CHANNEL = 2


class QemuAgentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.name = "agent-guest"
        cls.console = cls.daemon.tmp / "console.log"
        # an ext2 filesystem the guest mounts on /mnt/data: something to list, freeze and thaw
        disk = cls.daemon.tmp / "data.img"
        with open(disk, "wb") as f:
            f.truncate(8 << 20)
        subprocess.run(["mkfs.ext2", "-q", "-F", "-L", "agentdata", str(disk)], check=True)
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, console=cls.console, disk=disk))
        cls.events = []
        cls.bus_events = []
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                        lambda c, d, state, reason, o: cls.events.append((d.name(), state, reason)),
                                        None)
        import dbus
        import dbus.mainloop.glib
        cls.dbus = dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        cls.bus_signals = harness.BusSignals(cls.daemon.bus_address)
        cls.bus_signals.add_signal_receiver(lambda state, reason, path=None: cls.bus_events.append((str(path), int(state),
                                                                                            int(reason))),
                                    signal_name="AgentEvent", dbus_interface=harness.DOMAIN, path_keyword="path")
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            raise AssertionError("virsh define: %s" % p.stderr)
        cls.dom = cls.conn.lookupByName(cls.name)

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

    def bus_pump(self):
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass

    def bus_saw(self, state):
        self.bus_pump()
        return [e for e in self.bus_events if e[1] == state]

    def connected_events(self):
        return [e for e in self.events if e[1] == CONNECTED]

    def console_text(self):
        try:
            return self.console.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def agent(self, execute, **arguments):
        cmd = {"execute": execute}
        if arguments:
            cmd["arguments"] = arguments
        p = self.virsh("qemu-agent-command %s '%s' --timeout %d" % (self.name, json.dumps(cmd), AGENT_TIMEOUT))
        return json.loads(p.stdout)["return"]

    def bus_domain(self):
        path = "%s/domain/_%s" % (QEMU_PATH, self.dom.UUIDString().replace("-", "_"))
        return self.dbus.Interface(self.bus.get_object(harness.BUS_NAME, path), harness.DOMAIN)

    def guest_exec(self, path, *args):
        """Run a program in the guest through qemu-ga's guest-exec; its stdout."""
        pid = self.agent("guest-exec", path=path, arg=list(args), **{"capture-output": True})["pid"]
        status = wait_for("guest-exec %s to end" % path,
                          lambda: (lambda s: s if s["exited"] else None)(self.agent("guest-exec-status", pid=pid)),
                          AGENT_TIMEOUT)
        self.assertEqual(status.get("exitcode"), 0, status)
        import base64
        return base64.b64decode(status.get("out-data", "")).decode()

    # --- the tests, in order: one boot, a reboot, then the shutdown ---

    def test_1_not_there(self):
        """A paused guest and a booting one: libvirt's errors, nothing sent."""
        self.virsh("start --paused %s" % self.name)
        p = self.virsh("domtime %s" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("domain is not running", p.stderr)
        self.virsh("resume %s" % self.name)
        # Just resumed: the guest's kernel has not even reached its init yet.
        if not self.connected_events():
            p = self.virsh("domhostname %s" % self.name, check=False)
            if not self.connected_events():
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("Guest agent is not responding: QEMU guest agent is not connected", p.stderr)
        wait_for("the agent-lifecycle connected event", self.connected_events, BOOT_TIMEOUT)
        self.assertEqual(self.connected_events()[0], (self.name, CONNECTED, REASON_CHANNEL))
        wait_for("D-Bus AgentEvent connected", lambda: self.bus_saw(CONNECTED), 30)
        self.assertIn((QEMU_PATH + "/domain/", CONNECTED, REASON_CHANNEL),
                      [(p[:len(QEMU_PATH) + 8], s, r) for p, s, r in self.bus_saw(CONNECTED)])
        self.assertIn(guest.UP, self.console_text())
        self.virsh("guest-agent-timeout %s --timeout %d" % (self.name, AGENT_TIMEOUT))

    def test_2_hostname(self):
        self.assertEqual(self.virsh("domhostname %s" % self.name).stdout.strip(), "virtbus-guest")
        self.assertEqual(self.virsh("domhostname %s --source agent" % self.name).stdout.strip(), "virtbus-guest")
        self.assertEqual(self.dom.hostname(), "virtbus-guest")
        self.assertEqual(str(self.bus_domain().GetHostname(self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)), "virtbus-guest")
        self.assertEqual(self.guest_exec("/bin/hostname").strip(), "virtbus-guest")

    def test_3_time(self):
        out = self.virsh("domtime %s" % self.name).stdout
        seconds = int(out.split(":")[1])
        self.assertLess(abs(seconds - time.time()), 120, out)      # the RTC is the host's clock
        # Set far back: the guest's own `date` says so (qemu-ga writes its RTC too).
        self.virsh("domtime %s --time 1000000000" % self.name)
        guest_now = int(self.guest_exec("/bin/date", "+%s"))
        self.assertLess(abs(guest_now - 1000000000), 600)
        t = self.dom.getTime()
        self.assertLess(abs(t["seconds"] - 1000000000), 600, t)
        secs, nsecs = self.bus_domain().GetTime(self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        self.assertLess(abs(int(secs) - 1000000000), 600)
        # The guest's clock moved behind the agent's back: --sync takes it from the RTC again.
        self.guest_exec("/bin/date", "-s", "@2000000000")
        self.assertGreater(int(self.guest_exec("/bin/date", "+%s")), 1999999999)
        self.virsh("domtime %s --sync" % self.name)
        self.assertLess(abs(int(self.guest_exec("/bin/date", "+%s")) - 1000000000), 600)
        # and back to now, through python3-libvirt, then D-Bus
        now = int(time.time())
        self.dom.setTime({"seconds": now - 3600, "nseconds": 0})
        self.assertLess(abs(int(self.guest_exec("/bin/date", "+%s")) - (now - 3600)), 120)
        self.bus_domain().SetTime(self.dbus.UInt64(int(time.time())), self.dbus.UInt32(0), self.dbus.UInt32(0),
                                  timeout=AGENT_TIMEOUT)
        self.assertLess(abs(int(self.guest_exec("/bin/date", "+%s")) - time.time()), 120)

    def test_4_agent_command(self):
        p = self.virsh("qemu-agent-command %s '{\"execute\":\"guest-info\"}'" % self.name)
        info = json.loads(p.stdout)["return"]
        self.assertTrue(info["version"].startswith("7."), info)
        names = [c["name"] for c in info["supported_commands"]]
        self.assertIn("guest-get-time", names)
        import libvirt_qemu
        r = json.loads(libvirt_qemu.qemuAgentCommand(self.dom, '{"execute":"guest-get-host-name"}', AGENT_TIMEOUT, 0))
        self.assertEqual(r["return"]["host-name"], "virtbus-guest")
        # the agent's own refusal comes back as libvirt's error
        p = self.virsh("qemu-agent-command %s '{\"execute\":\"guest-no-such\"}'" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unable to execute QEMU agent command 'guest-no-such'", p.stderr)
        p = self.virsh("qemu-agent-command %s 'not json'" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot parse json", p.stderr)

    def test_5_monitor_command(self):
        p = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-status\"}'" % self.name)
        self.assertEqual(json.loads(p.stdout)["return"]["status"], "running")
        p = self.virsh("qemu-monitor-command %s --hmp 'info status'" % self.name)
        self.assertIn("VM status: running", p.stdout)
        # QEMU's refusal is the answer, as libvirt passes it through
        p = self.virsh("qemu-monitor-command %s '{\"execute\":\"no-such-command\"}'" % self.name)
        self.assertEqual(json.loads(p.stdout)["error"]["class"], "CommandNotFound")

    def test_6_user_password(self):
        before = self.guest_exec("/bin/cat", "/etc/shadow")
        self.assertTrue(before.startswith("root:*:"), before)
        self.virsh("set-user-password %s root 'n3w-Secret'" % self.name)
        after = self.guest_exec("/bin/cat", "/etc/shadow")
        self.assertTrue(after.startswith("root:$"), after)       # a crypt(3) hash now
        # an encrypted one, over D-Bus, lands as given
        hashed = "$6$virtbus$WvPb6Ij1vV0rTiUOuyBTwFLuFdNiNZhN4iZyYNsJUcCOeypOShLb7AcQBb8hczQyyI9Yes9zMdL6lRCDWVa8f."
        self.bus_domain().SetUserPassword("root", hashed, self.dbus.UInt32(1), timeout=AGENT_TIMEOUT)
        self.assertTrue(self.guest_exec("/bin/cat", "/etc/shadow").startswith("root:%s:" % hashed))
        p = self.virsh("set-user-password %s nobody-here x" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unable to execute QEMU agent command 'guest-set-user-password'", p.stderr)

    def test_7_fs_freeze_thaw(self):
        wait_for("the guest's /mnt/data", lambda: "VIRTBUS-GUEST-MOUNTED /mnt/data" in self.console_text(),
                 BOOT_TIMEOUT)
        # domfsinfo: Mountpoint Name Type Target
        rows = [line.split() for line in self.virsh("domfsinfo %s" % self.name).stdout.splitlines()[2:]
                if line.strip()]
        self.assertEqual(rows, [["/mnt/data", "vda", "ext4", "vda"]])
        self.assertEqual(self.dom.fsInfo(), [("/mnt/data", "vda", "ext4", ["vda"])])
        fs = self.bus_domain().GetFSInfo(self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        self.assertEqual([(str(a), str(b), str(c), [str(x) for x in d]) for a, b, c, d in fs],
                         [("/mnt/data", "vda", "ext4", ["vda"])])
        self.assertEqual(self.agent("guest-fsfreeze-status"), "thawed")
        p = self.virsh("domfsfreeze %s" % self.name)
        self.assertEqual(p.stdout.split()[:3], ["Froze", "1", "filesystem(s)"], p.stdout)
        self.assertEqual(self.agent("guest-fsfreeze-status"), "frozen")
        p = self.virsh("domfsthaw %s" % self.name)
        self.assertEqual(p.stdout.split()[:3], ["Thawed", "1", "filesystem(s)"], p.stdout)
        self.assertEqual(self.agent("guest-fsfreeze-status"), "thawed")
        none = self.dbus.Array([], signature="s")
        self.assertEqual(int(self.bus_domain().FSFreeze(none, self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)), 1)
        self.assertEqual(int(self.bus_domain().FSThaw(none, self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)), 1)
        # frozen by mount point, then the guest writes there again once thawed
        p = self.virsh("domfsfreeze %s --mountpoint /mnt/data" % self.name)
        self.assertEqual(p.stdout.split()[:2], ["Froze", "1"], p.stdout)
        self.virsh("domfsthaw %s" % self.name)
        self.guest_exec("/bin/touch", "/mnt/data/written-after-thaw")
        self.assertIn("written-after-thaw", self.guest_exec("/bin/ls", "/mnt/data"))
        self.virsh("domfstrim %s" % self.name)
        p = self.virsh("domfstrim %s --mountpoint /" % self.name, check=False)
        self.assertIn("Specifying mount point is not supported for now", p.stderr)

    def test_7b_interface_addresses(self):
        # QEMU's user-mode network hands the guest 10.0.2.15 (udhcpc says so on the console)
        wait_for("the guest's DHCP lease", lambda: "VIRTBUS-GUEST-LEASE 10.0.2.15" in self.console_text(),
                 BOOT_TIMEOUT)
        rows = [line.split() for line in self.virsh("domifaddr %s --source agent" % self.name).stdout.splitlines()]
        self.assertIn(["eth0", "52:54:00:a9:e7:01", "ipv4", "10.0.2.15/24"], rows)
        self.assertIn(["lo", "00:00:00:00:00:00", "ipv4", "127.0.0.1/8"], rows)
        got = self.dom.interfaceAddresses(self.libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
        self.assertEqual(got["eth0"]["hwaddr"], "52:54:00:a9:e7:01")
        self.assertIn({"type": self.libvirt.VIR_IP_ADDR_TYPE_IPV4, "addr": "10.0.2.15", "prefix": 24},
                      got["eth0"]["addrs"])
        # D-Bus InterfaceAddresses reaches the agent too (source 1: agent)
        rows = self.bus_domain().InterfaceAddresses(self.dbus.UInt32(1), self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        eth0 = [r for r in rows if str(r[0]) == "eth0"]
        self.assertEqual(str(eth0[0][1]), "52:54:00:a9:e7:01")
        self.assertIn((0, "10.0.2.15", 24), [(int(t), str(a), int(p)) for t, a, p in eth0[0][2]])

    def test_7d_second_guest_own_socket(self):
        """Two guests whose agent channel has no <source path> each get a socket of their own: the
        second one's QEMU does not take over the first one's."""
        def channel_file(name):
            p = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-chardev\"}'" % name)
            return next(c["filename"] for c in json.loads(p.stdout)["return"] if c["label"] == "charchannel0")
        other = "agent-two"
        disk = self.daemon.tmp / "two.img"
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        xml = self.daemon.tmp / "two.xml"
        xml.write_text(DOMAIN_XML.format(name=other, kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, console=self.daemon.tmp / "two.log", disk=disk)
                       .replace("52:54:00:a9:e7:01", "52:54:00:a9:e7:02"))
        self.virsh("define %s" % xml)
        try:
            self.virsh("start --paused %s" % other)
            mine, theirs = channel_file(self.name), channel_file(other)
            self.assertNotEqual(mine, theirs)
            self.assertIn(other, theirs)
            self.assertEqual(self.agent("guest-ping"), {})      # the first guest's agent still answers
            # a QEMU that dies leaves its socket behind: the daemon removes it
            sock = theirs.split(":", 1)[1].split(",")[0]
            self.assertTrue(os.path.exists(sock), sock)
            pid = int(subprocess.run(["pgrep", "-f", "guest=%s," % other], capture_output=True, text=True,
                                     check=True).stdout.split()[0])
            os.kill(pid, signal.SIGKILL)
            wait_for("%s shut off" % other, lambda: self.virsh("domstate %s" % other).stdout.strip() == "shut off", 60)
            self.assertFalse(os.path.exists(sock), sock)
        finally:
            self.virsh("destroy %s" % other, check=False)
            self.virsh("undefine %s" % other, check=False)

    def test_7c_guest_info(self):
        wait_for("the guest's DHCP lease", lambda: "VIRTBUS-GUEST-LEASE 10.0.2.15" in self.console_text(),
                 BOOT_TIMEOUT)
        out = self.virsh("guestinfo %s" % self.name).stdout
        info = dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in out.splitlines()) if v)
        self.assertEqual(info["hostname"], "virtbus-guest")
        self.assertEqual(info["os.id"], "virtbus-guest")                  # the guest's /etc/os-release
        self.assertEqual(info["os.pretty-name"], "virtbus test guest")
        self.assertEqual(info["os.kernel-release"], self.guest_exec("/bin/uname", "-r").strip())
        self.assertEqual(info["user.count"], "0")                          # nobody logged in
        self.assertEqual(info["fs.count"], "1")
        self.assertEqual((info["fs.0.mountpoint"], info["fs.0.fstype"]), ("/mnt/data", "ext4"))
        names = [info["if.%d.name" % i] for i in range(int(info["if.count"]))]
        self.assertIn("eth0", names)
        eth0 = names.index("eth0")
        self.assertEqual(info["if.%d.hwaddr" % eth0], "52:54:00:a9:e7:01")
        self.assertEqual(info["if.%d.addr.0.addr" % eth0], "10.0.2.15")
        self.assertIn("timezone.offset", info)
        # one type alone, through python3-libvirt
        only = self.dom.guestInfo(self.libvirt.VIR_DOMAIN_GUEST_INFO_HOSTNAME, 0)
        self.assertEqual(only, {"hostname": "virtbus-guest"})
        p = self.virsh("guestinfo %s --disk" % self.name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("'disks' is not supported", p.stderr)

    def test_8_reboot_agent(self):
        ups = self.console_text().count(guest.UP)
        n = len(self.connected_events())
        self.virsh("reboot --mode agent %s" % self.name)
        wait_for("the guest's reboot", lambda: guest.REBOOT in self.console_text(), BOOT_TIMEOUT)
        wait_for("the guest up again", lambda: self.console_text().count(guest.UP) > ups, BOOT_TIMEOUT)
        wait_for("the agent connected again", lambda: len(self.connected_events()) > n, BOOT_TIMEOUT)
        self.assertIn((self.name, DISCONNECTED, REASON_CHANNEL), self.events)
        self.assertEqual(self.virsh("domstate %s" % self.name).stdout.strip(), "running")

    def test_9_shutdown_agent(self):
        self.virsh("shutdown --mode agent %s" % self.name)
        wait_for("shut off", lambda: self.virsh("domstate %s" % self.name).stdout.strip() == "shut off",
                 BOOT_TIMEOUT)
        self.assertIn(guest.POWEROFF, self.console_text())
        p = self.virsh("domtime %s" % self.name, check=False)
        self.assertIn("domain is not running", p.stderr)


if __name__ == "__main__":
    from testmain import main
    main()
