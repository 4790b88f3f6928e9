"""test_qemu_agent2.py: the guest agent's vCPUs and a guest user's authorized SSH keys on qemu:///session: the tiny test guest (two vCPUs) runs Debian's qemu-ga, and virsh, python3-libvirt and D-Bus talk to it through virtbusd.

    /usr/bin/python3 tests/integration/test_qemu_agent2.py -v

What each call did is read back from the guest itself: its kernel's online CPU list
(/sys/devices/system/cpu/online) and root's ~/.ssh/authorized_keys, through guest-exec.
"""

import shutil
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_agent as first  # noqa: E402  (the module, not its class: its tests are not run here)
from test_qemu_agent import AGENT_TIMEOUT, BOOT_TIMEOUT  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
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

KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsUVEdQTPAVpHJ5XUWxr1zKDCWOqm7rVSZyJdNGvI2O one@virtbus"
KEY2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFc1kbe6b4GcD3Sg8EXmS9VQm3N8ExlKz0Q9bDdFGLe4 two@virtbus"
KEY3 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7x0Yk8jHn3mQvCWqKb4Ut three@virtbus"


class QemuAgentVcpusKeysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        cls.image = guest.build()
        cls.libvirt = remote_harness.start_event_loop()
        cls.daemon = QemuDaemon()
        cls.daemon.start()
        cls.name = "agent2-guest"
        cls.console = cls.daemon.tmp / "console.log"
        xml = cls.daemon.tmp / "guest.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, console=cls.console))
        cls.connected = []
        cls.conn = cls.libvirt.open(cls.daemon.uri())
        cls.conn.domainEventRegisterAny(None, cls.libvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                        lambda c, d, state, reason, o: cls.connected.append(state == 1), None)
        import dbus
        cls.dbus = dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            raise AssertionError("virsh define: %s" % p.stderr)
        p = cls.daemon.virsh("unix", "start %s" % cls.name)
        if p.returncode != 0:
            raise AssertionError("virsh start: %s" % p.stderr)
        cls.dom = cls.conn.lookupByName(cls.name)
        wait_for("the agent-lifecycle connected event", lambda: any(cls.connected), BOOT_TIMEOUT)
        cls.daemon.virsh("unix", "guest-agent-timeout %s --timeout %d" % (cls.name, AGENT_TIMEOUT))

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.daemon.stop()

    # test_qemu_agent.py's helpers: virsh, the agent's own commands, guest-exec, the D-Bus object
    virsh = first.QemuAgentTest.virsh
    agent = first.QemuAgentTest.agent
    guest_exec = first.QemuAgentTest.guest_exec
    bus_domain = first.QemuAgentTest.bus_domain

    def refused(self, cmd, text):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(text, p.stderr)

    def guest_online(self):
        return self.guest_exec("/bin/cat", "/sys/devices/system/cpu/online").strip()

    def guestvcpus(self):
        out = self.virsh("guestvcpus %s" % self.name).stdout
        return dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in out.splitlines()) if _)

    def authorized_keys(self):
        out = self.guest_exec("/bin/sh", "-c", "cat /root/.ssh/authorized_keys 2>/dev/null || echo NO-FILE")
        return None if out.strip() == "NO-FILE" else [line for line in out.splitlines() if line]

    # --- vCPUs ---

    def test_1_guest_vcpus(self):
        self.assertEqual(self.guest_online(), "0-1")
        self.assertEqual(self.guestvcpus(), {"vcpus": "0-1", "online": "0-1", "offlinable": "1"})
        self.virsh("guestvcpus %s --cpulist 1 --disable" % self.name)
        self.assertEqual(self.guest_online(), "0")           # the guest's kernel took vCPU 1 offline
        self.assertEqual(self.guestvcpus()["online"], "0")
        self.assertEqual(self.dom.guestVcpus(), {"vcpus": "0-1", "online": "0", "offlinable": "1"})
        # already offline: nothing to change, no error
        self.virsh("guestvcpus %s --cpulist 1 --disable" % self.name)
        # D-Bus: GetGuestVcpus, then SetGuestVcpus with libvirt-dbus's boolean map (vCPU 1: on)
        got = self.bus_domain().GetGuestVcpus(self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        self.assertEqual({str(k): str(v) for k, v in got.items()}, {"vcpus": "0-1", "online": "0", "offlinable": "1"})
        self.bus_domain().SetGuestVcpus(self.dbus.Array([False, True], signature="b"), self.dbus.Int32(1),
                                        self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        self.assertEqual(self.guest_online(), "0-1")
        # python3-libvirt, off and on again with a range
        self.dom.setGuestVcpus("1", 0)
        self.assertEqual(self.guest_online(), "0")
        self.virsh("guestvcpus %s --cpulist 0-1 --enable" % self.name)
        self.assertEqual(self.guest_online(), "0-1")

    def test_2_guest_vcpus_refused(self):
        """libvirt's refusals, the guest left as it was."""
        self.refused("guestvcpus %s --cpulist 0 --disable" % self.name, "vCPU '0' is not offlinable")
        self.refused("guestvcpus %s --cpulist 1,5-6 --disable" % self.name, "guest is missing vCPUs '5-6'")
        self.refused("guestvcpus %s --cpulist 1x --enable" % self.name, "Failed to parse bitmap '1x'")
        self.assertEqual(self.guest_online(), "0-1")
        with self.assertRaises(self.dbus.exceptions.DBusException) as cm:
            self.bus_domain().SetGuestVcpus(self.dbus.Array([True], signature="b"), self.dbus.Int32(0),
                                            self.dbus.UInt32(0), timeout=AGENT_TIMEOUT)
        self.assertIn("vCPU '0' is not offlinable", str(cm.exception))

    # --- authorized SSH keys ---

    def keys_file(self, *keys):
        path = self.daemon.tmp / "keys"
        path.write_text("".join(k + "\n" for k in keys))
        return path

    def test_3_ssh_keys(self):
        self.assertIsNone(self.authorized_keys())
        # virsh appends by default; the agent makes ~/.ssh
        self.virsh("set-user-sshkeys %s root --file %s" % (self.name, self.keys_file(KEY1, KEY2)))
        self.assertEqual(self.authorized_keys(), [KEY1, KEY2])
        # qemu-ga lists the file's keys last first; virsh 9.0 prints them with no separator
        out = self.virsh("get-user-sshkeys %s root" % self.name).stdout
        self.assertEqual(out.strip(), KEY2 + KEY1)
        self.assertEqual(self.dom.authorizedSSHKeysGet("root", 0), [KEY2, KEY1])
        self.virsh("set-user-sshkeys %s root --remove --file %s" % (self.name, self.keys_file(KEY1)))
        self.assertEqual(self.authorized_keys(), [KEY2])
        self.virsh("set-user-sshkeys %s root --reset --file %s" % (self.name, self.keys_file(KEY3)))
        self.assertEqual(self.authorized_keys(), [KEY3])
        # python3-libvirt: get, append
        self.assertEqual(self.dom.authorizedSSHKeysGet("root", 0), [KEY3])
        self.dom.authorizedSSHKeysSet("root", [KEY1], self.libvirt.VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND)
        self.assertEqual(self.authorized_keys(), [KEY3, KEY1])
        # --reset with no file empties it
        self.virsh("set-user-sshkeys %s root --reset" % self.name)
        self.assertEqual(self.authorized_keys(), [])
        self.assertEqual(self.dom.authorizedSSHKeysGet("root", 0), [])

    def test_4_ssh_keys_refused(self):
        self.refused("get-user-sshkeys %s nobody-here" % self.name,
                     "unable to execute QEMU agent command 'guest-ssh-get-authorized-keys'")
        self.refused("set-user-sshkeys %s nobody-here --file %s" % (self.name, self.keys_file(KEY1)),
                     "unable to execute QEMU agent command 'guest-ssh-add-authorized-keys'")
        # a key with a line break is qemu-ga's refusal, and the file stays
        before = self.authorized_keys()
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.dom.authorizedSSHKeysSet("root", [KEY1 + "\n" + KEY2], 0)
        self.assertIn("invalid OpenSSH public key", str(cm.exception))
        self.assertEqual(self.authorized_keys(), before)

    def test_9_not_running(self):
        self.virsh("destroy %s" % self.name)
        self.refused("guestvcpus %s" % self.name, "domain is not running")
        self.refused("get-user-sshkeys %s root" % self.name, "domain is not running")


if __name__ == "__main__":
    from testmain import main
    main()
