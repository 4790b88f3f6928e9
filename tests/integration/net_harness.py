"""net_harness.py: `virtbusd --system` with its host networks, inside private mount and network
namespaces: the bridges, firewall tables and dnsmasq it starts never touch the host's.

The test re-executes itself under `unshare -m -n --propagation private` (root only). Inside,
polkit_harness's PolkitWorld provides the private system bus, polkitd and the redirected
/etc/virtbus, /var/lib/virtbus, /run/virtbus; the namespace's loopback is brought up. Stopping
the world ends the guests' QEMUs and the networks' dnsmasqs too. Guests' QEMU runs as the system
daemon's default unprivileged user (virtbus-qemu), as on a host: guest_image() gives the test
guest's files where that user reaches them. GuestNetTest is a test class of one such guest
(GUEST_XML with the class's NICs) on the world's default network."""

import grp
import os
import shutil
import signal
import stat
import subprocess
import re
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "guest"))
import guest  # noqa: E402
import polkit_harness  # noqa: E402
from polkit_harness import PolkitWorld  # noqa: E402

NS_ENV = "VIRTBUS_NET_NS"

# libvirt's default network, as Debian's libvirt-daemon-config-network installs it.
DEFAULT_XML = """<network>
  <name>default</name>
  <uuid>5c9b4b8e-1d2a-4b8e-9f3a-0e4b1c2d3e4f</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:4a:2b:1c'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
"""


def enter_namespace():
    """Re-run this script in private mount and network namespaces (once)."""
    if os.environ.get(NS_ENV) == "1":
        return
    reason = None
    if os.geteuid() != 0:
        reason = "needs root (mount and network namespaces)"
    elif not polkit_harness.POLKITD.exists():
        reason = "polkitd is not installed"
    elif not os.path.exists("/usr/sbin/dnsmasq"):
        reason = "dnsmasq (dnsmasq-base) is not installed"
    elif not shutil.which("nft"):
        reason = "nft (nftables) is not installed"
    if reason:
        import testmain
        testmain.skip_program(reason)
    env = dict(os.environ, **{NS_ENV: "1", polkit_harness.NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-m", "-n", "--propagation", "private", sys.executable] + sys.argv, env)


def enter_guest_namespace():
    """enter_namespace() for a test that boots the test guest: the guest is built first, before
    the namespace, as building may download the kernel and busybox."""
    if os.environ.get(NS_ENV) != "1":
        guest.build()
    enter_namespace()


def sh(*argv, check=True):
    return subprocess.run(list(argv), capture_output=True, text=True, check=check)


class NetWorld(PolkitWorld):
    """The system daemon of polkit_harness, in a network namespace of its own."""

    def start(self):
        sh("ip", "link", "set", "lo", "up")
        return super().start()

    def setup_mounts(self):
        super().setup_mounts()
        self.bind_kvm_for_group()

    def bind_kvm_for_group(self):
        """/dev/kvm as Debian's udev rule leaves it on a host, root:kvm 0660, for the QEMU user
        (a member of kvm): without udev this machine's is root's alone (0600), which only a QEMU
        running as root opens, and virt-install picks kvm. A node of the world's own goes over
        it in this private mount namespace; the host's is not touched."""
        try:
            st = os.stat("/dev/kvm")
            kvm = grp.getgrnam("kvm").gr_gid
        except (OSError, KeyError):
            return
        if st.st_gid == kvm and st.st_mode & 0o060 == 0o060:
            return
        node = self.tmp / "dev-kvm"
        os.mknod(node, stat.S_IFCHR | 0o660, st.st_rdev)
        os.chown(node, 0, kvm)
        os.chmod(node, 0o660)
        subprocess.run(["mount", "--bind", str(node), "/dev/kvm"], check=True)
        self.mounts.append("/dev/kvm")

    def guest_image(self):
        """The test guest (tests/guest) with its kernel and initrd copied into this world's
        directory: QEMU runs as the system daemon's default unprivileged user, who may not reach
        the build tree (a CI clone under a 0700 directory), and the daemon gives it the files it
        boots from for the guest's run (a private copy: the shared ones never change owner)."""
        image = guest.build()
        d = self._dir("guest")
        kernel, initrd = d / "kernel", d / "initrd"
        if not kernel.exists():
            shutil.copy(image.kernel, kernel)
            shutil.copy(image.initrd, initrd)
        return guest.GuestImage(str(kernel), str(initrd), image.append)

    @property
    def uri(self):
        return "qemu+unix:///system?socket=%s" % (self.sock_dir / "libvirt-sock")

    def virsh(self, *cmd, check=False):
        p = subprocess.run(["virsh", "-q", "-c", self.uri] + list(cmd), capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError("virsh %s failed: %s%s" % (" ".join(cmd), p.stderr, self.log()[-3000:]))
        return p

    def kill9_virtbusd(self):
        p = self.procs.pop("virtbusd")
        p.send_signal(signal.SIGKILL)
        p.wait()

    def restart_virtbusd(self):
        with open(self.tmp / "virtbusd.log", "a") as log:
            self.procs["virtbusd"] = subprocess.Popen(
                [str(polkit_harness.VIRTBUSD), "--system", "--config", str(self.conf_path), "--verbose"],
                stdout=log, stderr=subprocess.STDOUT)
        self._wait(lambda: self.has_name("org.libvirt") and (self.sock_dir / "libvirt-sock-ro").exists(), "virtbusd")

    def stop_processes(self):
        super().stop_processes()
        # What the daemon leaves running on purpose (the networks' dnsmasqs) dies with the
        # namespace's test, and so does whatever a client left there detached from the processes
        # stopped (cockpit's session starts a dbus-daemon and an ssh-agent of its own): only in a
        # network namespace of the test's own, never the host's.
        if os.environ.get(NS_ENV) != "1" or not own_network_namespace():
            return
        for pid in pids_of(None):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def own_network_namespace():
    """This process runs in a network namespace other than its parent's (enter_namespace()'s)."""
    try:
        return os.readlink("/proc/self/ns/net") != os.readlink("/proc/%d/ns/net" % os.getppid())
    except OSError:
        return False


def pids_of(comm):
    """Processes named comm (None: any) that run in this network namespace."""
    mine = os.readlink("/proc/self/ns/net")
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % d) as f:
                name = f.read().strip()
            if comm in (None, name) and os.readlink("/proc/%s/ns/net" % d) == mine:
                out.append(int(d))
        except OSError:
            pass
    return out


def dnsmasq_servers():
    """The dnsmasq servers of this namespace: not their --dhcp-script helper children (also
    named dnsmasq), which run the lease helper as root."""
    pids = pids_of("dnsmasq")
    def parent(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return 0
    return [p for p in pids if parent(p) not in pids]


def link_exists(name):
    return sh("ip", "link", "show", name, check=False).returncode == 0


def nft_tables():
    return sh("nft", "list", "tables").stdout


def wait_for(cond, what, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


LEASE_LINE = re.compile(r"VIRTBUS-GUEST-LEASE (\d+\.\d+\.\d+\.\d+)\r?\n")


def guest_lease(console_text, timeout):
    """The address the guest's console says it leased, once its whole line is written: a
    console file read mid-write may end in "VIRTBUS-GUEST-LEASE 192.168.122." """
    found = []

    def whole_line():
        m = LEASE_LINE.search(console_text())
        if m:
            found.append(m.group(1))
        return bool(m)
    wait_for(whole_line, "the guest's DHCP lease", timeout=timeout)
    return found[0]


def peer_dnsmasq(iface, first, last, leasefile):
    """A dnsmasq of the test's own (DHCP only, in the foreground) on iface, leasing first..last
    of a /24: what a guest on a macvtap or veth reaches; kill() and wait() it when done."""
    return subprocess.Popen(
        ["/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--port=0",
         "--bind-interfaces", "--interface=" + iface, "--except-interface=lo", "--pid-file=",
         "--dhcp-range=%s,%s,255.255.255.0" % (first, last), "--dhcp-leasefile=%s" % leasefile,
         "--conf-file=/dev/null"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# A TCG test guest (tests/guest) with a serial console in a file and the NICs given: {nics}, its
# <interface> elements, each line indented four spaces and ended.
GUEST_XML = ("<domain type='qemu'>\n"
             "  <name>{name}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>\n"
             "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>{kernel}</kernel><initrd>{initrd}</initrd>"
             "<cmdline>{append}</cmdline></os>\n"
             "  <features><acpi/></features>\n"
             "  <devices>\n{nics}"
             "    <serial type='file'><source path='{console}'/><target port='0'/></serial>\n"
             "    <memballoon model='none'/>\n"
             "  </devices>\n"
             "</domain>\n")


class GuestNetTest(unittest.TestCase):
    """A NetWorld for one test guest: GUEST its name, NICS its <interface> elements,
    NETWORK_XML the default network's definition (written to default.xml, not defined).
    tearDownClass destroys the guest and stops the world."""
    GUEST = None
    NICS = ""
    NETWORK_XML = DEFAULT_XML

    @classmethod
    def setUpClass(cls):
        cls.w = NetWorld().start()
        # QEMU runs as virtbus-qemu: the world's copy of the guest, which it may read
        cls.image = cls.w.guest_image()
        (cls.w.tmp / "default.xml").write_text(cls.NETWORK_XML)
        cls.console = cls.w.tmp / "console.log"

    @classmethod
    def tearDownClass(cls):
        cls.w.virsh("destroy", cls.GUEST)
        cls.w.stop()

    def guest_xml(self, name=None, nics=None):
        """The guest's definition (another name or other NICs: the same guest otherwise)."""
        return GUEST_XML.format(name=name or self.GUEST, nics=self.NICS if nics is None else nics,
                                kernel=self.image.kernel, initrd=self.image.initrd, append=self.image.append,
                                console=self.console)

    def virsh(self, *cmd):
        return self.w.virsh(*cmd, check=True).stdout

    def console_text(self):
        try:
            return self.console.read_text(errors="replace")
        except FileNotFoundError:
            return ""
