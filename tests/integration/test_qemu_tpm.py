"""test_qemu_tpm.py: a TCG guest with virt-install's TPM (<tpm model='tpm-crb'> on the swtpm emulator) on qemu:///session.

    /usr/bin/python3 tests/integration/test_qemu_tpm.py -v

The guest starts with its swtpm beside QEMU: QMP's query-tpm shows the emulator, the guest's
kernel finds a TPM 2.0 (read through the guest agent), the state directory is libvirt's
layout (<state root>/swtpm/<uuid>/tpm2, 0700) and holds swtpm's tpm2-00.permall. Destroy
leaves no swtpm; a second start reuses the state (the same file, never manufactured again);
a daemon restart finds the swtpm again through the runtime record and a destroy after it
still ends it; undefine removes the state unless --keep-tpm.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
from test_qemu_lifecycle import QemuDaemon, wait_for  # noqa: E402

BOOT_TIMEOUT = 300      # TCG boots on a loaded 2-core machine
AGENT_TIMEOUT = 120

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <tpm model='tpm-crb'>
      <backend type='emulator' version='2.0'/>
    </tpm>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def swtpm_pids():
    """The swtpm processes of the whole host that serve a socket of ours (by their command line)."""
    pids = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"/swtpm"):
            pids[int(d.name)] = [a.decode(errors="replace") for a in argv if a]
    return pids


class QemuTpmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("qemu-system-x86_64", "swtpm", "swtpm_setup"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.image = guest.build()
        cls.daemon = QemuDaemon()
        cls.daemon.conf_extra = "log_level = 2"     # info: the TPM's steps are checked in the log
        cls.daemon.start()
        cls.addClassCleanup(lambda: cls.daemon.proc and cls.daemon.proc.poll() is None and cls.daemon.stop())
        cls.name = "tpm-guest"
        cls.uuid = "0f5c7a52-2b1e-4c8e-9d3a-6e1f2a4b7c01"
        cls.console = cls.daemon.tmp / "console.log"
        cls.xml = cls.daemon.tmp / "guest.xml"
        cls.xml.write_text(DOMAIN_XML.format(name=cls.name, uuid=cls.uuid, kernel=cls.image.kernel,
                                             initrd=cls.image.initrd, append=cls.image.append, console=cls.console))
        cls.state = cls.daemon.tmp / "xdg_state_home" / "virtbus" / "swtpm" / cls.uuid / "tpm2"
        # Before the swtpm this test starts: what runs already belongs to someone else.
        cls.foreign = set(swtpm_pids())
        cls.define()

    @classmethod
    def define(cls):
        p = cls.daemon.virsh("unix", "define %s" % cls.xml)
        if p.returncode != 0:
            raise AssertionError("virsh define: %s" % p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        cls.daemon.stop()

    # --- helpers ---

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=AGENT_TIMEOUT + 60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def ours(self):
        """The swtpm processes serving this daemon's guest."""
        return {pid: argv for pid, argv in swtpm_pids().items() if pid not in self.foreign}

    def start_guest(self):
        self.console.unlink(missing_ok=True)
        self.virsh("start %s" % self.name)

        def up():
            try:
                return guest.UP in self.console.read_text(errors="replace")
            except FileNotFoundError:
                return False
        wait_for("%s on the guest's console" % guest.UP, up, BOOT_TIMEOUT)

    def agent(self, execute, **arguments):
        cmd = {"execute": execute}
        if arguments:
            cmd["arguments"] = arguments
        p = self.virsh("qemu-agent-command %s '%s' --timeout %d" % (self.name, json.dumps(cmd), AGENT_TIMEOUT))
        return json.loads(p.stdout)["return"]

    def guest_exec(self, path, *args):
        """A program's stdout in the guest (qemu-ga's guest-exec)."""
        wait_for("the guest agent", lambda: self.virsh("qemu-agent-command %s '{\"execute\":\"guest-ping\"}' "
                                                       "--timeout 5" % self.name, check=False).returncode == 0,
                 AGENT_TIMEOUT)
        pid = self.agent("guest-exec", path=path, arg=list(args), **{"capture-output": True})["pid"]
        status = wait_for("guest-exec %s to end" % path,
                          lambda: (lambda s: s if s["exited"] else None)(self.agent("guest-exec-status", pid=pid)),
                          AGENT_TIMEOUT)
        self.assertEqual(status.get("exitcode"), 0, status)
        return base64.b64decode(status.get("out-data", "")).decode()

    def destroy(self):
        self.virsh("destroy %s" % self.name)
        wait_for("no swtpm of the guest", lambda: not self.ours(), 60)

    # --- the tests, in order ---

    def test_0_domcaps_offer_the_emulator_and_virt_install_adds_it(self):
        caps = self.virsh("domcapabilities --machine q35").stdout
        block = caps[caps.index("<tpm supported='yes'>"):caps.index("</tpm>")]
        for value in ("tpm-tis", "tpm-crb", "emulator", "2.0"):
            self.assertIn("<value>%s</value>" % value, block)
        self.assertNotIn("passthrough", block)      # not run by the driver: not offered
        # virt-install gives a UEFI guest a TPM when the domain capabilities offer the emulator.
        p = subprocess.run(["virt-install", "--connect", self.daemon.uri(), "--name", "vi-tpm", "--osinfo",
                            "linux2022", "--machine", "q35", "--boot", "uefi", "--memory", "256", "--disk", "none",
                            "--import", "--print-xml"], capture_output=True, text=True, timeout=120,
                           env=self.daemon.client_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('<tpm model="tpm-crb">', p.stdout)
        self.assertIn('<backend type="emulator"', p.stdout)

    def test_1_guest_sees_its_tpm(self):
        self.start_guest()
        running = self.ours()
        self.assertEqual(len(running), 1, running)
        argv = list(running.values())[0]
        self.assertIn("--tpm2", argv)
        self.assertIn("dir=%s,mode=0600" % self.state, argv)
        self.assertIn("--terminate", argv)
        # QEMU's own view of it, through the monitor.
        p = self.virsh("qemu-monitor-command %s '{\"execute\":\"query-tpm\"}'" % self.name)
        tpms = json.loads(p.stdout)["return"]
        self.assertEqual(len(tpms), 1, tpms)
        self.assertEqual(tpms[0]["id"], "tpm-tpm0")     # the backend's id, libvirt's name
        self.assertEqual(tpms[0]["model"], "tpm-crb")
        self.assertEqual(tpms[0]["options"]["type"], "emulator")
        self.assertEqual(tpms[0]["options"]["data"]["chardev"], "chrtpm")
        # The live XML names it as libvirt does; the definition does not.
        live = self.virsh("dumpxml %s" % self.name).stdout
        self.assertIn("<alias name='tpm0'/>", live)
        self.assertIn("<backend type='emulator' version='2.0'/>", live)
        self.assertNotIn("<alias name='tpm0'/>", self.virsh("dumpxml --inactive %s" % self.name).stdout)
        # The guest's kernel found a TPM 2.0 and talked to it (the version is read from the chip).
        self.assertEqual(self.guest_exec("/bin/cat", "/sys/class/tpm/tpm0/tpm_version_major").strip(), "2")
        self.assertIn("/dev/tpm0", self.guest_exec("/bin/ls", "/dev/tpm0", "/dev/tpmrm0"))
        # The state: libvirt's layout, private, swtpm's permanent state written.
        mode = self.state.stat().st_mode & 0o777
        self.assertEqual(mode, 0o700, oct(mode))
        self.assertTrue((self.state / "tpm2-00.permall").is_file(), list(self.state.iterdir()))

    def test_2_destroy_ends_swtpm_and_restart_reuses_state(self):
        permall = self.state / "tpm2-00.permall"
        before = self.state.stat().st_ino
        self.destroy()
        self.assertFalse(list(self.daemon.tmp.rglob("%s.swtpm.sock" % self.name)), "socket left behind")
        self.assertTrue(permall.is_file())
        self.start_guest()
        # Never manufactured again: the same directory, swtpm_setup run once.
        self.assertEqual(self.state.stat().st_ino, before)
        self.assertTrue(permall.is_file())
        self.assertEqual(len(self.ours()), 1)
        self.assertEqual(self.guest_exec("/bin/cat", "/sys/class/tpm/tpm0/tpm_version_major").strip(), "2")
        self.assertIn("creating its TPM state", self.daemon.log())
        self.assertEqual(self.daemon.log().count("TPM state created"), 1)

    def test_2b_restore_hands_swtpm_the_saved_state(self):
        """save / restore: the image carries the TPM's state; restored into a fresh swtpm (the state
        directory removed meanwhile), the guest's PCRs read the same through it."""
        pcr = "/sys/class/tpm/tpm0/pcr-sha256/0"
        before = self.guest_exec("/bin/cat", pcr).strip()
        img = self.daemon.tmp / "tpm-guest.save"
        self.virsh("save %s %s" % (self.name, img))
        wait_for("no swtpm of the saved guest", lambda: not self.ours(), 60)
        shutil.rmtree(self.state)
        log_before = len(self.daemon.log())
        self.virsh("restore %s" % img)
        self.assertEqual(len(self.ours()), 1)
        self.assertNotIn("creating its TPM state", self.daemon.log()[log_before:])    # no manufacture
        self.assertEqual(self.guest_exec("/bin/cat", pcr).strip(), before)
        wait_for("swtpm to keep the restored state", lambda: (self.state / "tpm2-00.permall").is_file(), 60)
        img.unlink()

    def test_3_restart_finds_swtpm_again(self):
        pid = list(self.ours())[0]
        record = json.loads(next(self.daemon.tmp.rglob("%s.runtime.json" % self.name)).read_text())
        self.assertEqual(record.get("swtpm_pid"), pid, record)
        self.daemon.restart()
        wait_for("the guest found again", lambda: "running" in self.daemon.virsh(
            "unix", "domstate %s" % self.name).stdout, 60)
        self.assertIn("swtpm pid %d found again" % pid, self.daemon.log())
        self.assertEqual(list(self.ours()), [pid])
        # Watched again: its end is seen (here forced; the guest's TPM is then gone, QEMU runs on).
        os.kill(pid, 9)
        wait_for("the daemon to see swtpm end", lambda: "swtpm (pid %d) ended" % pid in self.daemon.log(), 60)
        self.destroy()

    def test_4_undefine_keep_tpm_then_remove(self):
        import libvirt
        conn = libvirt.open(self.daemon.uri())
        try:
            with self.assertRaises(libvirt.libvirtError) as e:     # VIR_DOMAIN_UNDEFINE_TPM | _KEEP_TPM
                conn.lookupByName(self.name).undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_TPM |
                                                           libvirt.VIR_DOMAIN_UNDEFINE_KEEP_TPM)
            self.assertEqual(e.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
            self.assertIn("cannot both keep and delete TPM", str(e.exception))
        finally:
            conn.close()
        self.assertTrue((self.state / "tpm2-00.permall").is_file())
        self.virsh("undefine --keep-tpm %s" % self.name)
        self.assertTrue((self.state / "tpm2-00.permall").is_file())
        self.define()
        self.virsh("undefine %s" % self.name)
        self.assertFalse(self.state.exists())
        self.assertFalse(self.state.parent.exists())
        self.define()

    def test_5_transient_guest_state_goes_when_it_stops(self):
        """libvirt's rule: a transient guest's TPM state lives as long as the guest; a guest undefined
        while running becomes transient (its state goes at the stop), unless --keep-tpm said otherwise."""
        uuid = "0f5c7a52-2b1e-4c8e-9d3a-6e1f2a4b7c02"
        state = self.state.parents[1] / uuid / "tpm2"
        xml = self.daemon.tmp / "transient.xml"
        xml.write_text(DOMAIN_XML.format(name="tpm-transient", uuid=uuid, kernel=self.image.kernel,
                                         initrd=self.image.initrd, append=self.image.append,
                                         console=self.daemon.tmp / "transient.console"))
        self.virsh("create %s" % xml)
        self.assertTrue((state / "tpm2-00.permall").is_file())
        self.virsh("destroy tpm-transient")
        wait_for("the transient guest's TPM state removed", lambda: not state.parent.exists(), 60)
        for keep in (False, True):
            self.virsh("define %s" % xml)
            self.virsh("start tpm-transient")
            self.virsh("undefine %stpm-transient" % ("--keep-tpm " if keep else ""))
            self.assertTrue((state / "tpm2-00.permall").is_file())     # its swtpm still runs on it
            self.virsh("destroy tpm-transient")
            wait_for("no swtpm of the guest", lambda: not self.ours(), 60)
            if keep:
                self.assertTrue((state / "tpm2-00.permall").is_file())
            else:
                wait_for("the undefined guest's TPM state removed", lambda: not state.parent.exists(), 60)
        # <backend persistent_state='yes'>: the transient guest's state is kept.
        xml.write_text(xml.read_text().replace("version='2.0'/>", "version='2.0' persistent_state='yes'/>"))
        self.virsh("create %s" % xml)
        self.assertIn("persistent_state='yes'", self.virsh("dumpxml tpm-transient").stdout)
        self.virsh("destroy tpm-transient")
        wait_for("no swtpm of the guest", lambda: not self.ours(), 60)
        self.assertTrue((state / "tpm2-00.permall").is_file())


if __name__ == "__main__":
    from testmain import main
    main()
