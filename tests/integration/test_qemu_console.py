"""test_qemu_console.py: `virsh console` and virDomainOpenConsole on qemu:///session, with the tiny test guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_console.py -v

The guest's serial console is a pty; virsh (under script(1), which gives it the terminal it
insists on) and python3-libvirt reach it through the remote door's duplex stream: what the
guest prints comes out, what the client types reaches the guest's shell loop (which answers
"unknown command 'WORD'"). One client at a time: a second is refused with libvirt's text,
--force takes over and the first client's stream ends with an error.
"""

import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hotplug_harness import SessionGuestTest, StreamReader  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
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
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='virtio'><stats period='5'/></memballoon>
  </devices>
</domain>
"""


class ConsoleReader(StreamReader):
    """A blocking python3-libvirt console stream read in the background."""

    def __init__(self, libvirt, conn, dom, flags=0):
        super().__init__(libvirt, conn, lambda stream: dom.openConsole(None, stream, flags))

    def ask(self, cmd, marker, timeout):
        """Type cmd on the test guest's console shell until it answers a line marker …: the
        words after marker (None when the guest does not answer within timeout)."""
        deadline = time.monotonic() + timeout
        while self.error is None:
            start = len(self.data)
            self.stream.send(cmd.encode() + b"\n")
            t = time.monotonic()
            while time.monotonic() - t < 2:
                tail = self.data[start:].decode(errors="replace")
                if marker in tail and "\n" in tail.split(marker, 1)[1]:
                    return tail.split(marker, 1)[1].split("\n", 1)[0].split()
                time.sleep(0.05)
            if time.monotonic() > deadline:
                return None
        return None


class QemuConsoleTest(SessionGuestTest):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("script"):
            raise unittest.SkipTest("script (util-linux) is not installed")
        # info: the balloon test reads the log. A console sees only what the guest prints after
        # it opened: the tests type a word until the guest (perhaps still booting) answers it.
        cls.start_guest(DOMAIN_XML, "console-guest", conf_extra="log_level = 2")

    def ask(self, reader, word, timeout=60):
        """Type word until the guest's shell loop answers it (it may still be booting)."""
        self.send_until(reader, word, ("unknown command '%s'" % word).encode(), timeout, "answer on the console")

    def test_1_python_console_both_ways(self):
        r = ConsoleReader(self.libvirt, self.conn, self.dom)
        self.ask(r, "hello")
        r.stream.finish()

    def test_2_one_client_at_a_time_and_force(self):
        a = ConsoleReader(self.libvirt, self.conn, self.dom)
        self.ask(a, "first")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.openConsole(None, self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "operation failed: Active console session exists for this domain")
        b = ConsoleReader(self.libvirt, self.conn, self.dom, self.libvirt.VIR_DOMAIN_CONSOLE_FORCE)
        wait_for("the first client's stream to end", lambda: a.error is not None or a.eof, 10)
        self.assertIsNotNone(a.error)
        self.assertIn("console has been taken over by another client", str(a.error))
        self.ask(b, "second")
        b.stream.finish()

    def test_3_virsh_console(self):
        # script(1) gives virsh its terminal; input: a line for the guest, later ^] (escape).
        feed = subprocess.Popen(["sh", "-c", "sleep 2; printf 'virshword\\n'; sleep 3; printf '\\035'"],
                                stdout=subprocess.PIPE)
        p = subprocess.run(["script", "-qec", "virsh -c '%s' console %s" % (self.daemon.uri(), self.name), "/dev/null"],
                           stdin=feed.stdout, capture_output=True, timeout=30, env=self.daemon.client_env())
        feed.wait()
        feed.stdout.close()
        out = p.stdout.decode(errors="replace")
        self.assertIn("Connected to domain '%s'" % self.name, out)
        self.assertIn("unknown command 'virshword'", out)

    def test_4_dbus_console_fd(self):
        """org.libvirt.Domain.OpenConsole (a virtbus extension): the console as a socket."""
        import dbus
        import socket
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % self.dom.UUIDString().replace("-", "_")
            fd = bus.get_object("org.libvirt", path).OpenConsole("", dbus.UInt32(0),
                                                                 dbus_interface="org.libvirt.Domain")
            sock = socket.socket(fileno=fd.take())
        finally:
            bus.close()
        sock.settimeout(0.2)
        got, deadline = b"", time.monotonic() + 60
        while b"unknown command 'dbusword'" not in got:
            self.assertLess(time.monotonic(), deadline, "no answer on the D-Bus console: %r" % got[-300:])
            sock.sendall(b"dbusword\n")
            t = time.monotonic()
            while time.monotonic() - t < 2 and b"unknown command 'dbusword'" not in got:
                try:
                    got += sock.recv(4096)
                except socket.timeout:
                    pass
        # one client at a time here too: python3-libvirt is refused while the socket is open
        with self.assertRaises(self.libvirt.libvirtError):
            self.dom.openConsole(None, self.conn.newStream(0), 0)
        sock.close()
        # closing the socket ends the session: a new client gets the console
        def reopen():
            try:
                st = self.conn.newStream(0)
                self.dom.openConsole(None, st, 0)
                st.abort()
                return True
            except self.libvirt.libvirtError:
                return False
        wait_for("the console to be free after the socket closed", reopen, 10)

    def test_6_balloon_stats_period_set(self):
        """<stats period='5'/> reaches QEMU (qom-set before the guest ran), which accepted it."""
        self.assertIn("domain %s: balloon statistics period set" % self.name, self.daemon.log())

    def test_5_not_running(self):
        self.daemon.virsh("unix", "define %s" % (self.daemon.tmp / "guest.xml"))
        other = self.daemon.tmp / "off.xml"
        other.write_text((self.daemon.tmp / "guest.xml").read_text().replace(self.name, "console-off"))
        self.assertEqual(self.daemon.virsh("unix", "define %s" % other).returncode, 0)
        dom = self.conn.lookupByName("console-off")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openConsole(None, self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "Requested operation is not valid: domain is not running")


if __name__ == "__main__":
    from testmain import main
    main()
