"""ui_harness.py: the graphical clients' world. `virtbusd --system` with its private system bus and
polkitd (tests/integration/net_harness.py: private mount and network namespaces), the tiny TCG
guest defined on qemu:///system, and the client side: cockpit-ws without systemd and without a
PAM login (`--local-session=cockpit-bridge`: the bridge runs as root and talks to virtbusd
through the private system bus, as it talks to libvirt-dbus), headless Chromium driven by
selenium and Debian's chromedriver, Xvfb for virt-manager.

Everything listens on the namespace's loopback only."""

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
sys.path.insert(0, str(HERE.parent / "guest"))
import cleanup  # noqa: E402
import guest  # noqa: E402
import net_harness as nh  # noqa: E402

COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws"
CHROMEDRIVER = "/usr/bin/chromedriver"

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
    <disk type='file' device='disk'>
      <driver name='qemu' type='{fmt}'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:55:00:01'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    {extra}
    <memballoon model='virtio'/>
  </devices>
</domain>
"""


def enter_namespace(needs=()):
    """Build the guest (may download), check the programs, then re-run in the namespaces."""
    if os.environ.get(nh.NS_ENV) != "1":
        missing = [p for p in needs if not (os.path.exists(p) or shutil.which(p))]
        if missing:
            import testmain
            testmain.skip_program("not installed: " + ", ".join(missing) + " (scripts/setup.sh)")
        guest.build()
    nh.enter_namespace()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(cond, what, timeout=30, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out (%ss) waiting for %s" % (timeout, what))
        time.sleep(interval)


class UiWorld(nh.NetWorld):
    """NetWorld plus one defined test guest, and the clients' processes."""

    def setup_mounts(self):
        super().setup_mounts()
        # cockpit-machines and virt-manager run `virsh -c qemu:///system ...` (serial console,
        # pool capabilities): libvirt's default socket path must reach virtbusd.
        self._bind(self._dir("run-libvirt"), "/run/libvirt")
        self.sock_dir = Path("/run/libvirt")
        # virt-manager builds libvirt's "default" pool there on first connection.
        self._bind(self._dir("images"), "/var/lib/libvirt/images")

    def define_guest(self, name, extra="", fmt="raw"):
        """The test guest with a 16 MiB disk NAME.img (fmt qcow2: internal snapshots work)."""
        image = self.guest_image()
        disk = self.tmp / (name + ".img")
        if fmt == "raw":
            with open(disk, "wb") as f:
                f.truncate(16 << 20)
        else:
            subprocess.run(["qemu-img", "create", "-q", "-f", fmt, str(disk), "16M"], check=True)
        xml = self.tmp / (name + ".xml")
        xml.write_text(DOMAIN_XML.format(name=name, kernel=image.kernel, initrd=image.initrd,
                                         append=image.append, disk=disk, extra=extra, fmt=fmt))
        self.virsh("define", str(xml), check=True)

    def dir_pool(self, name, volumes):
        """A started dir pool NAME in a new folder of the test's, with volumes {name: size}
        (qcow2 when the name ends so, else raw); returns the folder."""
        folder = self._dir(name)
        self.virsh("pool-define-as", name, "dir", "--target", str(folder), check=True)
        self.virsh("pool-start", name, check=True)
        for vol, size in volumes.items():
            fmt = "qcow2" if vol.endswith("qcow2") else "raw"
            self.virsh("vol-create-as", name, vol, size, "--format", fmt, check=True)
        return folder

    def start_cockpit(self):
        """cockpit-ws on 127.0.0.1 with a root session through cockpit-bridge."""
        self.cockpit_port = free_port()
        env = dict(os.environ)
        env.pop(nh.NS_ENV, None)
        env.pop(nh.polkit_harness.NS_ENV, None)
        # The bridge spawns python3 (cockpit-machines' OS list needs Debian's, with gi) and virsh.
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        env["XDG_RUNTIME_DIR"] = str(self._dir("cockpit-run", 0o700))
        env["XDG_CONFIG_DIRS"] = str(self._dir("cockpit-etc"))    # no /etc/cockpit/cockpit.conf
        # cockpit-ws and its bridge see a sysfs of this network namespace (in a mount namespace of
        # their own): cockpit-machines lists /sys/class/net and looks up there each bridge `ip link`
        # shows, and the host's sysfs has no virbr0 (its "Add network interface" button then
        # stayed disabled).
        ws = [COCKPIT_WS, "--no-tls", "--address", "127.0.0.1", "--port", str(self.cockpit_port),
              "--local-session=cockpit-bridge"]
        own_sysfs = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                     'mount -t sysfs sysfs /sys && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"', "sh"]
        with open(self.tmp / "cockpit-ws.log", "w") as log:
            self.procs["cockpit-ws"] = subprocess.Popen(
                own_sysfs + ws,
                stdout=log, stderr=subprocess.STDOUT, env=env)
        self._wait(lambda: _connectable(self.cockpit_port), "cockpit-ws")
        return "http://127.0.0.1:%d" % self.cockpit_port

    def start_xvfb(self):
        """Xvfb on a display it picks itself (-displayfd); returns ":N"."""
        r, wfd = os.pipe()
        with open(self.tmp / "xvfb.log", "w") as log:
            self.procs["xvfb"] = subprocess.Popen(
                ["Xvfb", "-displayfd", str(wfd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                stdout=log, stderr=subprocess.STDOUT, pass_fds=(wfd,))
        os.close(wfd)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start; see %s" % (self.tmp / "xvfb.log"))
        return ":" + number

    def start_session_bus(self):
        """A session dbus-daemon for a desktop client (the accessibility bus is activated through
        it); returns its address."""
        r, wfd = os.pipe()
        self.procs["session-bus"] = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=%d" % wfd], pass_fds=(wfd,),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        with os.fdopen(r) as f:
            address = f.readline().strip()
        if not address:
            raise RuntimeError("the session dbus-daemon did not start")
        return address

    def virt_manager_env(self, display, session_bus=None):
        """virt-manager's environment: the X display, no GNOME settings, a private HOME; with a
        session bus, GTK's accessibility bridge on (AT-SPI drives it), else off."""
        env = dict(os.environ, DISPLAY=display, GSETTINGS_BACKEND="memory",
                   PATH="/usr/sbin:/usr/bin:/sbin:/bin", HOME=str(self.tmp))
        env.pop(nh.NS_ENV, None)
        env.pop(nh.polkit_harness.NS_ENV, None)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        if session_bus:
            env["DBUS_SESSION_BUS_ADDRESS"] = session_bus
        else:
            env["NO_AT_BRIDGE"] = "1"
        return env


def serial_console_answers(name, word, timeout):
    """`virsh console --force NAME` on a pty: types `word` until the test guest's shell loop
    answers "unknown command 'WORD'" (it boots meanwhile); raises AssertionError with what the
    console printed when it does not within `timeout` seconds."""
    serial_console_says(name, word, re.escape("unknown command '%s'" % word), timeout)


def serial_console_line(name, command, marker, timeout):
    """Types `command` on the guest's serial console until a whole line starting with `marker`
    comes back; returns that line's rest (the test guest's `disks` answers
    "VIRTBUS-GUEST-DISKS vda:32768 ...", `nics` "VIRTBUS-GUEST-NICS ...")."""
    m = _serial_console_match(name, command, re.escape(marker) + r"([^\r\n]*)\r?\n", timeout)
    return m.group(1).decode(errors="replace").strip()


def serial_console_says(name, command, pattern, timeout):
    """`virsh console --force NAME` on a pty: types `command` until the console prints a match of
    the regular expression `pattern` (the test guest boots meanwhile); returns the match's text.
    Raises AssertionError with what the console printed when it does not within `timeout` s."""
    return _serial_console_match(name, command, pattern, timeout).group(0).decode(errors="replace")


def _serial_console_match(name, command, pattern, timeout):
    master, slave = os.openpty()
    p = subprocess.Popen(["virsh", "-c", "qemu:///system", "console", "--force", name],
                         stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    seen = bytearray()
    want = re.compile(pattern.encode())
    found = []

    def answered():
        start = len(seen)       # an answer to this try, not an earlier one's
        os.write(master, command.encode() + b"\r")
        end = time.monotonic() + 3
        while time.monotonic() < end:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    seen.extend(os.read(master, 65536))
                except OSError:      # EIO: virsh exited
                    raise AssertionError("virsh console exited (%s)" % p.wait())
            m = want.search(bytes(seen), start)
            if m:
                found.append(m)
                return True
        return False
    try:
        wait_for(answered, "the guest's answer to %r on its serial console" % command, timeout, 0)
    except AssertionError as e:
        raise AssertionError("%s; it printed:\n%s" % (e, seen[-2000:].decode(errors="replace")))
    finally:
        p.kill()
        p.wait()
        os.close(master)
    return found[0]


def _connectable(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def cockpit_machines_page(world, timeout=60):
    """cockpit-ws started and a headless Chromium on cockpit-machines' page. One page load for a
    whole test: with --local-session, cockpit-ws's session ends with the page's websocket, so
    later moves change the location hash only."""
    url = world.start_cockpit()
    b = chromium(world.tmp)
    b.set_page_load_timeout(timeout)
    b.get(url + "/cockpit/@localhost/machines/index.html")
    return b


def close_page(world, browser, *domains):
    """A test class's end: the browser quit, the domains destroyed, the world stopped."""
    _quit(browser)
    for name in domains:
        world.virsh("destroy", name)
    world.stop()


def chromium(tmp):
    """A headless Chromium through selenium and Debian's chromedriver (no download ever)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1000", "--user-data-dir=%s" % (Path(tmp) / "chromium"),
              "--no-first-run", "--disable-extensions"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(Path(tmp) / "chromedriver.log")) \
        if "log_output" in Service.__init__.__code__.co_varnames else \
        Service(executable_path=CHROMEDRIVER, log_path=str(Path(tmp) / "chromedriver.log"))
    browser = webdriver.Chrome(service=service, options=opts)
    cleanup.owned(lambda: _quit(browser))     # chromedriver and Chromium, if setUpClass fails
    return browser


def _quit(browser):
    try:
        browser.quit()
    except Exception:
        pass
