"""test_qemu_channel.py: virDomainOpenChannel on qemu:///session, with the tiny test guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_channel.py -v

The guest has two virtio-serial <channel>s: a unix one (QEMU's server socket under the
daemon's state directory, which the daemon connects to) and a pty one named by a user's alias
(ua-pty: QEMU's id and the live XML's, as libvirt's; its pty is found under it). The guest answers each
line L written to a port with "VIRTBUS-CHAN <port name> L" (tests/guest/build-guest.sh), so
bytes really go both ways through python3-libvirt's dom.openChannel stream and through
`virsh console --devname`. One client per channel: a second is refused with libvirt's text,
VIR_DOMAIN_CHANNEL_FORCE takes over and the first client's stream ends with an error.
"""

import json
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hotplug_harness import SessionGuestTest, StreamReader  # noqa: E402
from test_qemu_lifecycle import wait_for  # noqa: E402

UNIX_NAME = "org.virtbus.test.0"
PTY_NAME = "org.virtbus.pty.0"

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
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='%s'/></channel>
    <channel type='pty'><target type='virtio' name='%s'/><alias name='ua-pty'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>
""" % (UNIX_NAME, PTY_NAME)


class ChannelReader(StreamReader):
    """A blocking python3-libvirt channel stream read in the background."""

    def __init__(self, libvirt, conn, dom, name, flags=0):
        super().__init__(libvirt, conn, lambda stream: dom.openChannel(name, stream, flags))


class QemuChannelTest(SessionGuestTest):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("script"):
            raise unittest.SkipTest("script (util-linux) is not installed")
        cls.start_guest(DOMAIN_XML, "channel-guest")

    def ask(self, reader, port, word, timeout=90):
        """Write word until the guest's echo of it comes back (the guest may still be booting)."""
        self.send_until(reader, word, ("VIRTBUS-CHAN %s %s" % (port, word)).encode(), timeout,
                        "echo on channel %s" % port)

    def test_1_unix_channel_both_ways(self):
        r = ChannelReader(self.libvirt, self.conn, self.dom, UNIX_NAME)
        self.ask(r, UNIX_NAME, "hello")
        r.stream.finish()

    def test_2_one_client_at_a_time_and_force(self):
        a = ChannelReader(self.libvirt, self.conn, self.dom, "channel0")    # by alias
        self.ask(a, UNIX_NAME, "first")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.openChannel(UNIX_NAME, self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "operation failed: Active channel stream exists for this domain")
        b = ChannelReader(self.libvirt, self.conn, self.dom, UNIX_NAME, self.libvirt.VIR_DOMAIN_CHANNEL_FORCE)
        wait_for("the first client's stream to end", lambda: a.error is not None or a.eof, 30)
        self.assertIsNotNone(a.error)
        self.assertIn("taken over by another client", str(a.error))
        self.ask(b, UNIX_NAME, "second")
        b.stream.finish()

    def test_3_pty_channel_both_ways(self):
        r = ChannelReader(self.libvirt, self.conn, self.dom, PTY_NAME)
        self.ask(r, PTY_NAME, "ptyword")
        r.stream.finish()

    def test_4_virsh_console_devname(self):
        """`virsh console --devname ua-pty`: virDomainOpenConsole on the pty channel's (user's) alias."""
        live = ET.fromstring(self.daemon.virsh("unix", "dumpxml %s" % self.name).stdout)
        chan = live.find("./devices/channel/target[@name='%s']/.." % PTY_NAME)
        self.assertEqual(chan.find("alias").get("name"), "ua-pty")
        self.assertTrue(chan.find("source").get("path").startswith("/dev/pts/"))
        # QEMU knows it by that alias, as from libvirt: its chardev is "char" + it
        out = self.daemon.virsh("unix", "qemu-monitor-command %s '{\"execute\":\"query-chardev\"}'" % self.name)
        labels = {c["label"]: c["filename"] for c in json.loads(out.stdout)["return"]}
        self.assertEqual(labels.get("charua-pty"), "pty:" + chan.find("source").get("path"))
        # script(1) gives virsh its terminal; input: lines for the guest, later ^] (escape).
        feed = subprocess.Popen(["sh", "-c", "for i in 1 2 3 4 5 6; do sleep 1; printf 'virshword\\n'; done; "
                                 "sleep 2; printf '\\035'"], stdout=subprocess.PIPE)
        p = subprocess.run(["script", "-qec", "virsh -c '%s' console %s --devname ua-pty"
                            % (self.daemon.uri(), self.name), "/dev/null"],
                           stdin=feed.stdout, capture_output=True, timeout=60, env=self.daemon.client_env())
        feed.wait()
        feed.stdout.close()
        out = p.stdout.decode(errors="replace")
        self.assertIn("Connected to domain '%s'" % self.name, out)
        self.assertIn("VIRTBUS-CHAN %s virshword" % PTY_NAME, out)
        # as libvirt: a console is a pty; the unix channel is OpenChannel's alone
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.openConsole("channel0", self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "internal error: character device channel0 is not using a PTY")

    def test_5_bad_names_and_flags(self):
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.openChannel("nosuch", self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "internal error: cannot find channel nosuch")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.openChannel(UNIX_NAME, self.conn.newStream(0), 0x8)
        self.assertIn("unsupported flags (0x8) in function virDomainOpenChannel", str(cm.exception))

    def test_6_not_running(self):
        other = self.daemon.tmp / "off.xml"
        other.write_text((self.daemon.tmp / "guest.xml").read_text().replace(self.name, "channel-off"))
        self.assertEqual(self.daemon.virsh("unix", "define %s" % other).returncode, 0)
        dom = self.conn.lookupByName("channel-off")
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            dom.openChannel(UNIX_NAME, self.conn.newStream(0), 0)
        self.assertEqual(str(cm.exception), "Requested operation is not valid: domain is not running")


if __name__ == "__main__":
    from testmain import main
    main()
