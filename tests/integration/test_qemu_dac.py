"""test_qemu_dac.py: the DAC security driver with real QEMU guests: QEMU as an unprivileged user.

    /usr/bin/python3 tests/integration/test_qemu_dac.py -v

A throwaway user (vbtest-qemu, a free uid) exists only in virtbusd's private mount namespace:
the daemon runs under `unshare -m` with copies of /etc/passwd and /etc/group bind-mounted over
the host's, so nothing of the host's accounts changes. qemu.conf says user = "vbtest-qemu".
Checked: QEMU's real, effective, saved and file-system uid and gid, its groups and its
capabilities (/proc/PID/status), its seccomp mode (seccomp_sandbox's default), the ownership
of its image, kernel, initrd and console file while it runs and after it stops (also with two
guests sharing a read-only image, and across a kill -9 of the daemon and a restart), and the
error a guest gets whose image the user cannot reach. Guests never boot far: QEMU running is
enough (it has opened its files by then). Needs root (chown, trusted.* attributes, unshare).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import testmain  # noqa: E402

USER = "vbtest-qemu"
OWNER = (4321, 4322)            # the files' owner before any guest: not the guest's user
XATTR_REFS = "trusted.virtbus.dac.refs"

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  {cputune}
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
      {readonly}
    </disk>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def free_id():
    used = set()
    for f in ("/etc/passwd", "/etc/group"):
        for line in Path(f).read_text().splitlines():
            parts = line.split(":")
            if len(parts) > 2 and parts[2].isdigit():
                used.add(int(parts[2]))
    return next(i for i in range(61000, 65000) if i not in used)


def status_fields(pid):
    out = {}
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        k, _, v = line.partition(":")
        out[k] = v.split()
    return out


def owner(path):
    st = os.stat(path)
    return (st.st_uid, st.st_gid)


def refs(path):
    try:
        return int(os.getxattr(path, XATTR_REFS))
    except OSError:
        return None


class DacWorld:
    """The fixtures: a daemon whose QEMU runs as the throwaway user (test_qemu_dac_channel.py too)."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (chown, trusted.* extended attributes, unshare -m)")
        for prog in ("qemu-system-x86_64", "unshare", "qemu-img"):
            if not shutil.which(prog):
                raise unittest.SkipTest("%s is not installed" % prog)
        image = guest.build()
        cls.uid = free_id()
        cls.work = Path(tempfile.mkdtemp(prefix="virtbus-dac-"))
        os.chmod(cls.work, 0o755)       # the guest's user must be able to reach its files
        # The throwaway user, seen by virtbusd only.
        etc = cls.work / "etc"
        etc.mkdir()
        (etc / "passwd").write_text(Path("/etc/passwd").read_text()
                                    + "%s:x:%d:%d:virtbus test:/nonexistent:/usr/sbin/nologin\n"
                                    % (USER, cls.uid, cls.uid))
        (etc / "group").write_text(Path("/etc/group").read_text() + "%s:x:%d:\n" % (USER, cls.uid))
        wrapper = cls.work / "virtbusd-ns"
        wrapper.write_text("#!/bin/sh\n"
                           "exec unshare -m -- /bin/sh -c 'mount --bind \"$1\" /etc/passwd && "
                           "mount --bind \"$2\" /etc/group && shift 2 && exec \"$@\"' sh %s %s %s \"$@\"\n"
                           % (etc / "passwd", etc / "group", remote_harness.VIRTBUSD))
        wrapper.chmod(0o755)
        cls.real_virtbusd = remote_harness.VIRTBUSD
        remote_harness.VIRTBUSD = wrapper
        # Private copies of the guest's files: the shared ones must not change owner under
        # another suite.
        cls.kernel, cls.initrd = cls.work / "kernel", cls.work / "initrd"
        shutil.copy(image.kernel, cls.kernel)
        shutil.copy(image.initrd, cls.initrd)
        cls.append = image.append
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('# written by test_qemu_dac.py\nuser = "%s"\ngroup = "%s"\n'
                                            'cgroup_controllers = [ "cpu", "cpuacct", "memory" ]\n'
                                            'namespaces = [ "mount" ]\n'
                                            % (USER, USER))
        try:
            cls.daemon.start()
        except Exception:
            cls.daemon.stop()
            remote_harness.VIRTBUSD = cls.real_virtbusd
            raise
        cls.guests = []

    @classmethod
    def tearDownClass(cls):
        for name in cls.guests:
            cls.daemon.virsh("unix", "destroy %s" % name)
        if cls.daemon.keep:
            print("kept %s and %s" % (cls.daemon.tmp, cls.work), file=sys.stderr)
        cls.daemon.stop()
        remote_harness.VIRTBUSD = cls.real_virtbusd
        if not cls.daemon.keep:
            shutil.rmtree(cls.work, ignore_errors=True)

    # --- helpers ---

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def make_image(self, name, directory=None, mode=0o640):
        path = (directory or self.work) / (name + ".img")
        subprocess.run(["qemu-img", "create", "-q", "-f", "raw", str(path), "1M"], check=True)
        os.chown(path, *OWNER)
        os.chmod(path, mode)
        return path

    def define(self, name, image, readonly=False, cputune=""):
        console = self.work / ("%s.console" % name)
        xml = self.work / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.kernel, initrd=self.initrd, append=self.append,
                                         image=image, console=console,
                                         readonly="<readonly/>" if readonly else "", cputune=cputune))
        self.virsh("define %s" % xml)
        return console

    def start(self, name):
        self.virsh("start %s" % name)
        self.guests.append(name)
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "running")
        return self.qemu_pid(name)

    def destroy(self, name):
        pid = self.qemu_pid(name)
        self.virsh("destroy %s" % name)
        self.guests.remove(name)
        lc.wait_for("QEMU %d gone" % pid, lambda: lc.process_gone(pid), 10)

    def qemu_pid(self, name):
        import json
        f = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" / ("%s.runtime.json" % name)
        return json.loads(f.read_text())["pid"]


class DacTest(DacWorld, unittest.TestCase):
    # --- in order ---

    def test_01_qemu_runs_as_the_user_without_capabilities(self):
        image = self.make_image("solo")
        console = self.define("solo", image)
        pid = self.start("solo")
        st = status_fields(pid)
        u = str(self.uid)
        self.assertEqual(st["Uid"], [u, u, u, u], "real, effective, saved, fs uid")
        self.assertEqual(st["Gid"], [u, u, u, u])
        self.assertEqual(st["Groups"], [u])
        for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            self.assertEqual(int(st[caps][0], 16), 0, "%s of QEMU: %s" % (caps, st[caps]))
        # seccomp_sandbox's default: QEMU's -sandbox, a filter (mode 2).
        self.assertEqual(st["Seccomp"], ["2"])
        # Its files are the user's while it runs (the console file created for it).
        for path in (image, self.kernel, self.initrd, console):
            self.assertEqual(owner(path), (self.uid, self.uid), path)
        self.assertEqual(refs(image), 1)
        # QEMU listens on the monitor socket the daemon bound for it: a client's SO_PEERCRED
        # names QEMU (what finds a QEMU again after a restart without its record).
        import socket
        import struct
        mon = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu"
        mons = [m for m in mon.iterdir() if m.is_socket() and "solo" in m.name]
        self.assertEqual(len(mons), 1, list(mon.iterdir()))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(mons[0]))
            cred = s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            self.assertEqual(struct.unpack("3i", cred), (pid, self.uid, self.uid))
        # The running definition says so, as libvirt's does; the inactive one does not.
        import xml.etree.ElementTree as ET
        live = ET.fromstring(self.virsh("dumpxml solo").stdout)
        labels = [(l.get("type"), l.get("model"), l.get("relabel"), l.findtext("label"), l.findtext("imagelabel"))
                  for l in live.findall("seclabel")]
        want = "+%d:+%d" % (self.uid, self.uid)
        self.assertEqual(labels, [("dynamic", "dac", "yes", want, want)])
        self.assertEqual(ET.fromstring(self.virsh("dumpxml --inactive solo").stdout).findall("seclabel/label"), [])
        # The daemon itself stays root.
        self.assertEqual(status_fields(self.daemon.proc.pid)["Uid"][0], "0")
        self.destroy("solo")
        self.assertEqual(owner(image), OWNER)
        self.assertEqual(owner(self.kernel), (0, 0))
        self.assertEqual(owner(console), (0, 0))
        self.assertIsNone(refs(image), "the owner record goes with the last guest")

    def test_02_two_guests_share_a_read_only_image(self):
        image = self.make_image("shared")
        self.define("share-a", image, readonly=True)
        self.define("share-b", image, readonly=True)
        self.start("share-a")
        self.start("share-b")
        self.assertEqual(owner(image), (self.uid, self.uid))
        self.assertEqual(refs(image), 2)
        self.destroy("share-a")
        self.assertEqual(owner(image), (self.uid, self.uid), "still used by share-b")
        self.assertEqual(refs(image), 1)
        self.destroy("share-b")
        self.assertEqual(owner(image), OWNER)
        self.assertIsNone(refs(image))

    def test_03_a_daemon_killed_mid_run_still_gives_the_image_back(self):
        image = self.make_image("survivor")
        self.define("survivor", image)
        pid = self.start("survivor")
        self.assertEqual(owner(image), (self.uid, self.uid))
        self.daemon.proc.send_signal(signal.SIGKILL)
        self.daemon.proc.wait(timeout=10)
        self.daemon.restart()
        self.assertEqual(self.qemu_pid("survivor"), pid)
        lc.wait_for("survivor running again", lambda: self.virsh("domstate survivor").stdout.strip() == "running", 15)
        self.assertEqual(owner(image), (self.uid, self.uid), "the restart leaves a running guest's files alone")
        self.assertEqual(refs(image), 1)
        self.destroy("survivor")
        self.assertEqual(owner(image), OWNER)
        self.assertIsNone(refs(image))

    def test_04_an_image_the_user_cannot_reach_fails_with_a_clear_error(self):
        closed = self.work / "closed"
        closed.mkdir(mode=0o700)
        image = self.make_image("locked", directory=closed)
        self.define("locked", image)
        p = self.virsh("start locked", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Cannot access storage file '%s' (as uid:%d, gid:%d): Permission denied: '%s'"
                      % (image, self.uid, self.uid, closed), p.stderr)
        self.assertEqual(self.virsh("domstate locked").stdout.strip(), "shut off")
        # Nothing left changed: the image and the boot files are back with their owners.
        self.assertEqual(owner(image), OWNER)
        self.assertIsNone(refs(image))
        self.assertEqual(owner(self.kernel), (0, 0))

    def test_05_cgroup_with_cputune(self):
        """qemu.conf cgroup_controllers: QEMU in its own cgroup under machine.slice with <cputune> and <memtune>."""
        name = "vbdac-cg-%d" % os.getpid()     # unique on a host shared by several test runs
        image = self.make_image(name)
        self.define(name, image, cputune="<cputune><shares>512</shares><period>100000</period>"
                                         "<quota>50000</quota></cputune>"
                                         "<memtune><hard_limit unit='MiB'>512</hard_limit>"
                                         "<soft_limit unit='MiB'>256</soft_limit>"
                                         "<swap_hard_limit unit='GiB'>1</swap_hard_limit></memtune>")
        pid = self.start(name)
        group = "machine.slice/virtbus-qemu-%s.scope" % name
        cg = Path("/sys/fs/cgroup")
        v2 = (cg / "cgroup.controllers").exists()
        lines = Path("/proc/%d/cgroup" % pid).read_text().splitlines()
        if v2:
            self.assertIn("0::/%s/emulator" % group, lines)
            self.assertEqual((cg / group / "cpu.weight").read_text().split(), ["20"])
            self.assertEqual((cg / group / "vcpu0" / "cpu.max").read_text().split(), ["50000", "100000"])
            self.assertEqual((cg / group / "memory.max").read_text().strip(), str(512 << 20))
            self.assertEqual((cg / group / "memory.high").read_text().strip(), str(256 << 20))
            self.assertEqual((cg / group / "memory.swap.max").read_text().strip(), str(512 << 20))
        else:
            # QEMU's main thread is in the guest's emulator child for cpu and cpuacct (vcpuN and
            # emulator, qemu-pin.c), in the guest's own group for memory.
            for ctrl, where in (("cpu", "/emulator"), ("cpuacct", "/emulator"), ("memory", "")):
                self.assertTrue(any(l.split(":")[1] == ctrl and l.split(":")[2] == "/" + group + where for l in lines),
                                "%s not in %s's %s cgroup: %s" % (pid, group + where, ctrl, lines))
            self.assertEqual((cg / "cpu" / group / "cpu.shares").read_text().strip(), "512")
            # period and quota are per vCPU (its own child group), as libvirt's vcpu_period/quota
            self.assertEqual((cg / "cpu" / group / "vcpu0" / "cpu.cfs_period_us").read_text().strip(), "100000")
            self.assertEqual((cg / "cpu" / group / "vcpu0" / "cpu.cfs_quota_us").read_text().strip(), "50000")
            self.assertEqual((cg / "cpu" / group / "cpu.cfs_quota_us").read_text().strip(), "-1")
            # GetStats' cpu group reads the guest's cpuacct group (it only grows: read around it)
            usage = cg / "cpuacct" / group / "cpuacct.usage"
            before = int(usage.read_text())
            stats = dict(l.strip().split("=", 1) for l in self.virsh("domstats --cpu-total %s" % name).stdout.splitlines()
                         if "=" in l)
            after = int(usage.read_text())
            self.assertTrue(before <= int(stats["cpu.time"]) <= after, (before, stats, after))
            mem = cg / "memory" / group
            self.assertEqual((mem / "memory.limit_in_bytes").read_text().strip(), str(512 << 20))
            self.assertEqual((mem / "memory.soft_limit_in_bytes").read_text().strip(), str(256 << 20))
            self.assertEqual((mem / "memory.memsw.limit_in_bytes").read_text().strip(), str(1 << 30))
            hard, swap = mem / "memory.limit_in_bytes", mem / "memory.memsw.limit_in_bytes"
        if v2:
            hard, swap = cg / group / "memory.max", cg / group / "memory.swap.max"
        # CPU time (dominfo) is the cgroup's: between two readings of its counter.
        usage = ((lambda: int((cg / "cpuacct" / group / "cpuacct.usage").read_text())) if not v2 else
                 (lambda: 1000 * int(dict(l.split() for l in (cg / group / "cpu.stat").read_text().splitlines())
                                     ["usage_usec"])))
        before = usage()
        info = self.virsh("dominfo %s" % name).stdout
        after = usage()
        secs = float(re.search(r"CPU time:\s+([0-9.]+)s", info).group(1))
        self.assertGreater(secs, 0, info)
        self.assertLessEqual(round(before / 1e9, 1) - 0.1, secs)
        self.assertLessEqual(secs, round(after / 1e9, 1) + 0.1)
        # virsh schedinfo: <cputune> read back, cpu_shares changed live in the cgroup.
        out = self.virsh("schedinfo %s" % name).stdout
        self.assertRegex(out, r"Scheduler\s*: posix\n")
        self.assertRegex(out, r"cpu_shares\s*: 512\n")
        self.assertRegex(out, r"vcpu_period\s*: 100000\n")
        self.assertRegex(out, r"vcpu_quota\s*: 50000\n")
        self.virsh("schedinfo %s --live --set cpu_shares=2048" % name)
        self.virsh("schedinfo %s --live --set vcpu_quota=-1" % name)
        if v2:
            self.assertEqual((cg / group / "cpu.weight").read_text().split(), ["79"])
            self.assertEqual((cg / group / "vcpu0" / "cpu.max").read_text().split(), ["max", "100000"])
        else:
            self.assertEqual((cg / "cpu" / group / "cpu.shares").read_text().strip(), "2048")
            self.assertEqual((cg / "cpu" / group / "vcpu0" / "cpu.cfs_quota_us").read_text().strip(), "-1")
        self.assertRegex(self.virsh("schedinfo %s" % name).stdout, r"cpu_shares\s*: 2048\n")
        self.assertRegex(self.virsh("schedinfo %s --config" % name).stdout, r"cpu_shares\s*: 512\n")
        r = self.virsh("schedinfo %s --live --set vcpu_period=10" % name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("value of 'vcpu_period' is out of range [1000, 1000000]", r.stderr)
        # virsh memtune: live changes reach the cgroup and read back; a bad one changes nothing.
        self.virsh("memtune %s --hard-limit 409600 --swap-hard-limit 2097152 --live" % name)
        self.assertEqual(hard.read_text().strip(), str(400 << 20))
        self.assertEqual(swap.read_text().strip(), str((2 << 30) if not v2 else (2 << 30) - (400 << 20)))
        out = self.virsh("memtune %s" % name).stdout
        self.assertRegex(out, r"hard_limit\s*: 409600\n")
        self.assertRegex(out, r"soft_limit\s*: 262144\n")
        self.assertRegex(out, r"swap_hard_limit: 2097152\n")
        r = self.virsh("memtune %s --hard-limit 4194304 --live" % name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("memory hard_limit tunable value must be lower than or equal to swap_hard_limit", r.stderr)
        self.assertEqual(hard.read_text().strip(), str(400 << 20))
        self.virsh("memtune %s --soft-limit -1 --live" % name)
        self.assertRegex(self.virsh("memtune %s" % name).stdout, r"soft_limit\s*: unlimited\n")
        # The persistent definition is untouched by live changes.
        self.assertIn("<hard_limit unit='KiB'>524288</hard_limit>", self.virsh("dumpxml --inactive %s" % name).stdout)
        self.assertIn("<hard_limit unit='KiB'>409600</hard_limit>", self.virsh("dumpxml %s" % name).stdout)
        dirs = [cg / group] if v2 else [cg / c / group for c in ("cpu", "cpuacct", "memory", "cpuset")]
        self.destroy(name)
        for d in dirs:
            self.assertFalse(d.exists(), "%s left after stop" % d)

    def test_06_memtune_swap_below_hard_refused(self):
        """A <memtune> whose swap_hard_limit is below its hard_limit is defined (as libvirt does) but not started."""
        name = "vbdac-mt-%d" % os.getpid()
        image = self.make_image(name)
        self.define(name, image, cputune="<memtune><hard_limit unit='MiB'>512</hard_limit>"
                                         "<swap_hard_limit unit='MiB'>256</swap_hard_limit></memtune>")
        r = self.virsh("start %s" % name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("memory hard_limit tunable value must be lower than or equal to swap_hard_limit", r.stderr)
        self.assertEqual(self.virsh("domstate %s" % name).stdout.strip(), "shut off")
        self.assertFalse((Path("/sys/fs/cgroup/memory/machine.slice") / ("virtbus-qemu-%s.scope" % name)).exists())
        self.assertEqual(owner(image), OWNER)

    def test_07_capabilities_secmodels(self):
        """virsh capabilities: the primary model none, then DAC with the user QEMU runs as (libvirt's layout)."""
        caps = self.virsh("capabilities").stdout
        self.assertRegex(caps, r"<secmodel>\s*<model>none</model>\s*<doi>0</doi>\s*</secmodel>\s*"
                               r"<secmodel>\s*<model>dac</model>\s*<doi>0</doi>\s*"
                               r"<baselabel type='kvm'>\+%d:\+%d</baselabel>\s*"
                               r"<baselabel type='qemu'>\+%d:\+%d</baselabel>\s*</secmodel>"
                               % (self.uid, self.uid, self.uid, self.uid))
        self.assertEqual(caps.count("<secmodel>"), 2)

    def test_08_security_label_list(self):
        """GetSecurityLabelList: none for a guest that is off; running, the stack's none then DAC's user, as libvirt."""
        import dbus
        import libvirt
        name = "vbdac-sl-%d" % os.getpid()
        self.define(name, self.make_image(name))
        conn = libvirt.open(self.daemon.uri())
        try:
            # no SELinux here: the stack's primary driver is none, as libvirt's on such a host
            self.assertEqual(conn.getSecurityModel(), ["none", "0"])
            dom = conn.lookupByName(name)
            self.assertEqual(dom.securityLabelList(), [])
            self.assertEqual(dom.securityLabel(), ["", 0])
            self.start(name)
            self.assertEqual(dom.securityLabelList(), [["", 0], ["+%d:+%d" % (self.uid, self.uid), 0]])
            self.assertEqual(dom.securityLabel(), ["", 0])
        finally:
            conn.close()
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        c = dbus.Interface(bus.get_object("org.libvirt", lc.QEMU_PATH), "org.libvirt.Connect")
        self.assertEqual([str(v) for v in c.NodeGetSecurityModel()], ["none", "0"])
        d = dbus.Interface(bus.get_object("org.libvirt", c.DomainLookupByName(name)), "org.libvirt.Domain")
        self.assertEqual([(str(l), bool(e)) for l, e in d.GetSecurityLabelList()],
                         [("", False), ("+%d:+%d" % (self.uid, self.uid), False)])
        self.destroy(name)

    def test_09_tpm_emulator_runs_as_the_user(self):
        """An emulated TPM: swtpm_setup and swtpm as QEMU's user, its state directory the user's (0700)."""
        name = "vbdac-tpm-%d" % os.getpid()
        image = self.make_image(name)
        console = self.work / ("%s.console" % name)
        xml = self.work / ("%s.xml" % name)
        xml.write_text(DOMAIN_XML.format(name=name, kernel=self.kernel, initrd=self.initrd, append=self.append,
                                         image=image, console=console, readonly="", cputune="").replace(
            "<memballoon model='none'/>",
            "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm><memballoon model='none'/>"))
        self.virsh("define %s" % xml)
        uuid = self.virsh("domuuid %s" % name).stdout.strip()
        # The harness's private directories stand for /var/lib and /run (0755 on a host): the
        # user passes them; the daemon lets it pass its own state and run directories.
        for d in (self.daemon.tmp, self.daemon.tmp / "xdg_state_home", self.daemon.tmp / "xdg_runtime_dir"):
            os.chmod(d, 0o711)
        self.start(name)
        state = self.daemon.tmp / "xdg_state_home" / "virtbus" / "swtpm" / uuid / "tpm2"
        st = state.stat()
        self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o777), (self.uid, self.uid, 0o700))
        self.assertEqual(owner(state / "tpm2-00.permall")[0], self.uid)
        swtpm = [int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit()
                 and (d / "cmdline").exists() and b"dir=" + os.fsencode(state) in (d / "cmdline").read_bytes()]
        self.assertEqual(len(swtpm), 1, swtpm)
        self.assertEqual(status_fields(swtpm[0])["Uid"], [str(self.uid)] * 4)
        self.destroy(name)
        lc.wait_for("swtpm %d gone" % swtpm[0], lambda: lc.process_gone(swtpm[0]), 30)

    def test_10_disk_dac_label_by_name(self):
        """A disk's DAC <label> by user and group names, resolved by the daemon (only its /etc/passwd
        knows the user): the image is theirs while the guest runs and given back after; an unknown
        name fails the start with libvirt's error and changes nothing."""
        image = self.make_image("named", mode=0o660)

        def define(name, label):
            xml = self.work / ("%s.xml" % name)
            xml.write_text(DOMAIN_XML.format(name=name, kernel=self.kernel, initrd=self.initrd, append=self.append,
                                             image=image, console=self.work / ("%s.console" % name), readonly="",
                                             cputune="").replace(
                "<source file='%s'/>" % image,
                "<source file='%s'><seclabel model='dac' relabel='yes'><label>%s</label></seclabel></source>"
                % (image, label)))
            self.virsh("define %s" % xml)

        define("named-bad", "vbtest-no-such-user:%s" % USER)
        p = self.virsh("start named-bad", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("invalid argument: Failed to parse user 'vbtest-no-such-user'", p.stderr)
        self.assertEqual(self.virsh("domstate named-bad").stdout.strip(), "shut off")
        self.assertEqual(owner(image), OWNER)
        self.assertIsNone(refs(image))

        define("named", "root:%s" % USER)
        self.start("named")
        self.assertEqual(owner(image), (0, self.uid))
        self.destroy("named")
        self.assertEqual(owner(image), OWNER)
        self.assertIsNone(refs(image))


if __name__ == "__main__":
    testmain.main()
