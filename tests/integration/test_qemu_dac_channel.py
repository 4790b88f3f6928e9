"""test_qemu_dac_channel.py: virt-install's guest agent channel (a unix <channel> without
<source path>) on a guest whose QEMU runs as an unprivileged user (test_qemu_dac.py's world).

    /usr/bin/python3 tests/integration/test_qemu_dac_channel.py -v

Such a QEMU cannot create a socket in the daemon's state directory: the daemon binds the
channel's socket (root's, 0600) and QEMU inherits it; a channel attached live reaches QEMU
through QMP getfd. Checked with the tiny test guest under TCG: the guest starts, its QEMU runs
as the user, qemu-ga answers guest-ping through the channel, a hotplugged channel carries bytes
the guest writes (through qemu-ga's guest-exec) to a client of its socket, whose peer is QEMU,
and the sockets are gone after destroy (after a daemon restart too). A bind-mode channel whose <source path> is in a
directory the user cannot write fails to start with QEMU's own error.
"""

import base64
import json
import os
import signal
import socket
import struct
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import test_qemu_dac as dac  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

BOOT_TIMEOUT = 300      # TCG boots on a loaded 2-core machine
AGENT = "org.qemu.guest_agent.0"
HOT = "org.virtbus.hot.0"

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
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{image}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    {channel}
    <memballoon model='none'/>
  </devices>
</domain>
"""

DEFAULT_AGENT = "<channel type='unix'><target type='virtio' name='%s'/></channel>" % AGENT


class DacChannelTest(dac.DacWorld, unittest.TestCase):
    def state_dir(self):
        return self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu"

    def define_with(self, name, channel):
        console = self.work / ("%s.console" % name)
        xml = self.work / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.kernel, initrd=self.initrd, append=self.append,
                                         image=self.make_image(name), console=console, channel=channel))
        self.virsh("define %s" % xml)
        return console

    def agent(self, name, cmd, check=True):
        return self.virsh("qemu-agent-command %s '%s' --timeout 120" % (name, json.dumps(cmd)), check=check)

    def assert_daemons_socket(self, path):
        st = os.stat(path)
        self.assertTrue(Path(path).is_socket(), path)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600), path)

    def test_1_default_agent_channel_on_a_confined_guest(self):
        name = "agentdac"
        console = self.define_with(name, DEFAULT_AGENT)
        pid = self.start(name)
        u = str(self.uid)
        self.assertEqual(dac.status_fields(pid)["Uid"], [u, u, u, u], "QEMU runs as the user")
        agent_sock = self.state_dir() / ("%s.channel.%s" % (name, AGENT))
        self.assert_daemons_socket(agent_sock)

        # qemu-ga in the guest answers through that channel.
        lc.wait_for("the guest's agent", lambda: "VIRTBUS-GUEST-AGENT" in console.read_text(errors="replace"),
                    BOOT_TIMEOUT)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while True:
            p = self.agent(name, {"execute": "guest-ping"}, check=False)
            if p.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"return": {}})

        # A second channel attached live: the daemon's socket again, passed with getfd.
        chan = self.work / "hot.xml"
        chan.write_text("<channel type='unix'><target type='virtio' name='%s'/></channel>" % HOT)
        self.virsh("attach-device %s %s --live" % (name, chan))
        hot_sock = self.state_dir() / ("%s.channel.%s" % (name, HOT))
        self.assert_daemons_socket(hot_sock)
        self.assertIn("name='%s'" % HOT, self.virsh("dumpxml %s" % name).stdout.replace('"', "'"))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(hot_sock))
            cred = s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            self.assertEqual(struct.unpack("3i", cred), (pid, self.uid, self.uid), "QEMU listens on it")
            # The guest writes a line to its new port (found by name); it comes out here.
            script = ('for d in /sys/class/virtio-ports/*; do [ "$(cat $d/name)" = %s ] && '
                      'echo VIRTBUS-HOT-WORD >/dev/${d##*/} && exit 0; done; exit 1' % HOT)
            ret = json.loads(self.agent(name, {"execute": "guest-exec", "arguments": {
                "path": "/bin/sh", "arg": ["-c", script], "capture-output": True}}).stdout)["return"]
            got = b""
            s.settimeout(1)
            deadline = time.monotonic() + 120
            while b"VIRTBUS-HOT-WORD" not in got and time.monotonic() < deadline:
                try:
                    data = s.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    break
                got += data
            status = json.loads(self.agent(name, {"execute": "guest-exec-status",
                                                  "arguments": {"pid": ret["pid"]}}).stdout)["return"]
            self.assertIn(b"VIRTBUS-HOT-WORD", got, "guest-exec: %s %s" % (
                status, base64.b64decode(status.get("err-data", "")).decode(errors="replace")))

        self.destroy(name)
        self.assertFalse(agent_sock.exists(), "the agent channel's socket goes with QEMU")
        self.assertFalse(hot_sock.exists(), "the hotplugged channel's socket goes with QEMU")

    def test_2_bind_path_the_user_cannot_write(self):
        """libvirt labels a bind socket's file, not its directory: QEMU's own error, nothing runs."""
        private = self.work / "private"
        private.mkdir(mode=0o700)
        name = "bindpriv"
        self.define_with(name, "<channel type='unix'><source mode='bind' path='%s/x.sock'/>"
                               "<target type='virtio' name='org.virtbus.priv.0'/></channel>" % private)
        p = self.virsh("start %s" % name, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("%s/x.sock" % private, p.stderr)
        self.assertIn("Permission denied", p.stderr)
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "shut off")
        self.assertFalse((private / "x.sock").exists())

    def test_3_daemon_killed_mid_run(self):
        """The socket QEMU inherited stays its own across a daemon restart and goes at stop."""
        name = "agentsurvivor"
        self.define_with(name, DEFAULT_AGENT)
        pid = self.start(name)
        sock = self.state_dir() / ("%s.channel.%s" % (name, AGENT))
        self.assert_daemons_socket(sock)
        self.daemon.proc.send_signal(signal.SIGKILL)
        self.daemon.proc.wait(timeout=10)
        self.daemon.restart()
        self.assertEqual(self.qemu_pid(name), pid)
        lc.wait_for("%s running again" % name, lambda: self.virsh("domstate %s" % name).stdout.strip() == "running",
                    60)
        self.assert_daemons_socket(sock)
        self.destroy(name)
        self.assertFalse(sock.exists(), "the channel's socket goes with QEMU after a restart too")


if __name__ == "__main__":
    testmain.main()
