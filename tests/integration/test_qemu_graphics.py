"""test_qemu_graphics.py: VNC and SPICE displays, their ports and passwords, and send-key on qemu:///session, with the tiny test guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_graphics.py -v

qemu.conf gives the driver a private port range (remote_display_port_min/max and the
websocket range), so the ports each guest gets are known: the lowest free, reserved while the
guest runs, given back when it stops, and still reserved after the daemon restarts. Each
display is reached as a VNC client would: the RFB banner, the security types offered, and a
real VNC password authentication (DES, as RFB 3.8 has it) with the <graphics passwd>.
"""

import random
import shutil
import socket
import struct
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
from test_qemu_console import ConsoleReader  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>128</memory>
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
    {graphics}
    <video><model type='vga'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
"""

VNC = "<graphics type='vnc' autoport='yes' websocket='-1' passwd='{passwd}'/>"
SPICE = "<graphics type='spice' autoport='yes'/>"


def free_range(n):
    """A base port with n free ports after it (nothing of this host listens there)."""
    for _ in range(200):
        base = random.randrange(20000, 50000, 100)
        ok = True
        for p in range(base, base + n):
            s = socket.socket()
            try:
                s.bind(("0.0.0.0", p))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            return base
    raise AssertionError("no free port range")


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise AssertionError("the VNC server closed the connection after %r" % data)
        data += chunk
    return data


def vnc_des(password, challenge):
    """RFB's VNC authentication: DES of the challenge, the key's bits reversed per byte."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key = bytes(int("{:08b}".format(b)[::-1], 2) for b in password.encode()[:8].ljust(8, b"\0"))
    enc = Cipher(algorithms.TripleDES(key * 3), modes.ECB()).encryptor()
    return enc.update(challenge) + enc.finalize()


def vnc_handshake(sock, password=None):
    """RFB 3.8 up to the security result: (security types offered, result or None)."""
    sock.settimeout(10)
    banner = recv_exact(sock, 12)
    if banner != b"RFB 003.008\n":
        raise AssertionError("not an RFB 3.8 server: %r" % banner)
    sock.sendall(b"RFB 003.008\n")
    n = recv_exact(sock, 1)[0]
    types = list(recv_exact(sock, n))
    if password is None:
        return types, None
    sock.sendall(bytes([2]))
    challenge = recv_exact(sock, 16)
    sock.sendall(vnc_des(password, challenge))
    return types, struct.unpack(">I", recv_exact(sock, 4))[0]


class QemuGraphicsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.base = free_range(8)
        cls.ws_base = free_range(8)
        cls.daemon = QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text(
            "remote_display_port_min = %d\nremote_display_port_max = %d\n"
            "remote_websocket_port_min = %d\nremote_websocket_port_max = %d\n"
            % (cls.base, cls.base + 7, cls.ws_base, cls.ws_base + 7))
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            raise
        cls.conn = cls.libvirt.open(cls.daemon.uri())

    @classmethod
    def tearDownClass(cls):
        for d in ("g-a", "g-b", "g-c", "g-d", "g-spice"):
            cls.daemon.virsh("unix", "destroy %s" % d)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.daemon.stop()

    def define(self, name, graphics):
        xml = self.daemon.tmp / ("%s.xml" % name)
        import uuid
        xml.write_text(DOMAIN_XML.format(name=name, uuid=uuid.uuid5(uuid.NAMESPACE_DNS, name), kernel=self.image.kernel, initrd=self.image.initrd,
                                         append=self.image.append, graphics=graphics))
        p = self.daemon.virsh("unix", "define %s" % xml)
        self.assertEqual(p.returncode, 0, p.stderr)

    def virsh_ok(self, cmd):
        p = self.daemon.virsh("unix", cmd)
        self.assertEqual(p.returncode, 0, "virsh %s: %s\n%s" % (cmd, p.stderr, self.daemon.log()[-3000:]))
        return p.stdout.strip()

    def live_ports(self, name):
        import xml.etree.ElementTree as ET
        g = ET.fromstring(self.conn.lookupByName(name).XMLDesc(0)).find("devices/graphics")
        return int(g.get("port")), g.get("websocket"), g.get("autoport")

    def test_1_ports_reserved_released_and_kept_across_restart(self):
        for n in ("g-a", "g-b", "g-c", "g-d"):
            self.define(n, VNC.format(passwd="pw-" + n[-1]))
        # two starts at once: each gets its own port (the allocator reserves before QEMU binds)
        results = {}
        threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, self.daemon.virsh("unix", "start " + n)))
                   for n in ("g-a", "g-b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for n in ("g-a", "g-b"):
            self.assertEqual(results[n].returncode, 0, results[n].stderr)
        a, b = self.live_ports("g-a"), self.live_ports("g-b")
        self.assertEqual({a[0], b[0]}, {self.base, self.base + 1})
        self.assertEqual({int(a[1]), int(b[1])}, {self.ws_base, self.ws_base + 1})
        self.assertEqual(a[2], "yes")
        # vncdisplay and domdisplay name the display QEMU listens on
        self.assertEqual(self.virsh_ok("vncdisplay g-a"), "127.0.0.1:%d" % (a[0] - 5900))
        self.assertEqual(self.virsh_ok("domdisplay g-a"), "vnc://127.0.0.1:%d" % (a[0] - 5900))
        # the inactive XML keeps asking for automatic ports
        inactive = self.conn.lookupByName("g-a").XMLDesc(self.libvirt.VIR_DOMAIN_XML_INACTIVE)
        self.assertIn("websocket='-1'", inactive)
        self.assertIn("port='-1'", inactive)
        # the websocket listens (an HTTP upgrade is QEMU's to answer)
        socket.create_connection(("127.0.0.1", int(a[1])), timeout=5).close()
        # a's port comes back to the pool when a stops: c gets it
        self.virsh_ok("destroy g-a")
        self.virsh_ok("start g-c")
        self.assertEqual(self.live_ports("g-c")[0], a[0])
        # after a restart of the daemon the running guests' ports stay theirs
        self.daemon.restart()
        type(self).conn = self.libvirt.open(self.daemon.uri())
        self.virsh_ok("start g-d")
        d = self.live_ports("g-d")
        self.assertNotIn(d[0], (a[0], b[0]))
        self.assertEqual(d[0], self.base + 2)
        self.assertNotIn(int(d[1]), (int(b[1]), int(self.live_ports("g-c")[1])))
        for n in ("g-b", "g-c", "g-d"):
            self.virsh_ok("destroy " + n)

    def test_2_vnc_password(self):
        self.define("g-a", VNC.format(passwd="s3cret"))
        self.virsh_ok("start g-a")
        port = self.live_ports("g-a")[0]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            types, result = vnc_handshake(s, "s3cret")
        self.assertEqual(types, [2])          # VNC authentication only
        self.assertEqual(result, 0)           # the password set through QMP at start
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            self.assertEqual(vnc_handshake(s, "wrong")[1], 1)
        # the password is in the XML only with --security-info
        self.assertNotIn("passwd=", self.virsh_ok("dumpxml g-a"))
        self.assertIn("passwd='s3cret'", self.virsh_ok("dumpxml --security-info g-a"))
        self.virsh_ok("destroy g-a")

    def test_3_spice_and_vnc_without_password(self):
        self.define("g-spice", SPICE + "<graphics type='vnc'/>")
        self.virsh_ok("start g-spice")
        import xml.etree.ElementTree as ET
        gs = ET.fromstring(self.conn.lookupByName("g-spice").XMLDesc(0)).findall("devices/graphics")
        ports = {g.get("type"): int(g.get("port")) for g in gs}
        self.assertEqual(sorted(ports.values()), [self.base, self.base + 1])
        self.assertEqual(self.virsh_ok("domdisplay --type spice g-spice"), "spice://127.0.0.1:%d" % ports["spice"])
        with socket.create_connection(("127.0.0.1", ports["vnc"]), timeout=10) as s:
            self.assertEqual(vnc_handshake(s)[0], [1])       # no password: security type None
        # SPICE answers its link message: "REDQ" magic back
        with socket.create_connection(("127.0.0.1", ports["spice"]), timeout=10) as s:
            s.sendall(b"REDQ" + struct.pack("<III", 2, 2, 18) + struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18))
            self.assertEqual(recv_exact(s, 4), b"REDQ")
        self.virsh_ok("destroy g-spice")

    def test_4_send_key(self):
        self.define("g-a", VNC.format(passwd="k"))
        self.virsh_ok("start g-a")
        dom = self.conn.lookupByName("g-a")
        r = ConsoleReader(self.libvirt, self.conn, dom)

        def irqs(timeout=30):
            before = r.data.count(b"VIRTBUS-GUEST-I8042 ")
            r.stream.send(b"i8042\n")
            wait_for("the guest's keyboard interrupt count", lambda: r.data.count(b"VIRTBUS-GUEST-I8042 ") > before, timeout)
            tail = r.data[r.data.rindex(b"VIRTBUS-GUEST-I8042 "):]
            return int(tail.split()[1])

        deadline = time.monotonic() + 90
        n0 = None
        while n0 is None:
            try:
                n0 = irqs(3)      # the guest may still be booting
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        # virsh: names of the linux set, xt numbers, qnum numbers
        self.virsh_ok("send-key g-a KEY_A")
        self.virsh_ok("send-key g-a --codeset xt 0x1e")
        self.virsh_ok("send-key g-a --codeset qnum --holdtime 50 0x1d 0x1e")
        # D-Bus: libvirt-dbus's SendKey(codeset, holdtime, keycodes, flags)
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % dom.UUIDString().replace("-", "_")
            bus.get_object("org.libvirt", path).SendKey(dbus.UInt32(0), dbus.UInt32(0),
                                                        dbus.Array([dbus.UInt32(30)], signature="u"),
                                                        dbus.UInt32(0), dbus_interface="org.libvirt.Domain")
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                bus.get_object("org.libvirt", path).SendKey(dbus.UInt32(0), dbus.UInt32(0),
                                                            dbus.Array([dbus.UInt32(999)], signature="u"),
                                                            dbus.UInt32(0), dbus_interface="org.libvirt.Domain")
            self.assertIn("cannot translate keycode 999 of linux codeset to qnum keycode", str(cm.exception))
        finally:
            bus.close()
        # each key is a press and a release (two interrupts each, or more)
        wait_for("the keys' interrupts in the guest", lambda: irqs() >= n0 + 8, 30)
        # python3-libvirt: a keycode with no qnum is refused, naming it
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.sendKey(self.libvirt.VIR_KEYCODE_SET_XT, 0, [0x1e0], 1, 0)
        self.assertIn("cannot translate keycode 480 of xt codeset to qnum keycode", str(cm.exception))
        r.stream.finish()
        self.virsh_ok("destroy g-a")
        # not running: libvirt's text
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.sendKey(0, 0, [30], 1, 0)
        self.assertEqual(str(cm.exception), "Requested operation is not valid: domain is not running")

    def test_5_open_graphics_fd(self):
        """virt-manager's local console: a socket QEMU took through QMP getfd + add_client,
        passed over the unix socket (REPLY_WITH_FDS) or D-Bus."""
        self.define("g-a", VNC.format(passwd="fdpass") + SPICE)
        self.virsh_ok("start g-a")
        dom = self.conn.lookupByName("g-a")
        fd = dom.openGraphicsFD(0, 0)
        with socket.socket(fileno=fd) as s:
            types, result = vnc_handshake(s, "fdpass")
        self.assertEqual((types, result), ([2], 0))
        # SKIPAUTH: no password asked
        fd = dom.openGraphicsFD(0, self.libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH)
        with socket.socket(fileno=fd) as s:
            self.assertEqual(vnc_handshake(s)[0], [1])
        # the second display is SPICE
        fd = dom.openGraphicsFD(1, 0)
        with socket.socket(fileno=fd) as s:
            s.settimeout(10)
            s.sendall(b"REDQ" + struct.pack("<III", 2, 2, 18) + struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18))
            self.assertEqual(recv_exact(s, 4), b"REDQ")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openGraphicsFD(2, 0)
        self.assertIn("No graphics backend with index 2", str(cm.exception))
        # the connection goes on serving after descriptors went over it
        self.assertEqual(dom.name(), "g-a")
        import dbus
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        try:
            path = "/org/libvirt/QEMU/domain/_%s" % dom.UUIDString().replace("-", "_")
            ufd = bus.get_object("org.libvirt", path).OpenGraphicsFD(
                dbus.UInt32(0), dbus.UInt32(self.libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH),
                dbus_interface="org.libvirt.Domain")
            with socket.socket(fileno=ufd.take()) as s:
                self.assertEqual(vnc_handshake(s)[0], [1])
        finally:
            bus.close()
        self.virsh_ok("destroy g-a")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openGraphicsFD(0, 0)
        self.assertEqual(str(cm.exception), "Requested operation is not valid: domain is not running")


if __name__ == "__main__":
    from testmain import main
    main()
