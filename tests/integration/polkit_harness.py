"""polkit_harness.py: a private system bus, a real polkitd and `virtbusd --system`, in a private
mount namespace so that the host's polkit configuration and /run/dbus are never touched.

The test re-executes itself under `unshare -m --propagation private` (root only; otherwise it
is skipped with exit code 77, a failure under CI=true). Inside, temporary directories are bind-mounted over
/usr/share/polkit-1/actions (the project's action file only), /etc/polkit-1/rules.d and
/usr/share/polkit-1/rules.d (the test's rules only), /run/dbus (the private bus's socket is
/run/dbus/system_bus_socket, where polkitd, busctl and virsh look), and /etc/virtbus,
/var/lib/virtbus, /run/virtbus (what --system writes)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cleanup

ROOT = Path(__file__).resolve().parents[2]
VIRTBUSD = Path(os.environ.get("VIRTBUSD", ROOT / "build" / "service" / "virtbusd"))
POLKITD = Path("/usr/lib/polkit-1/polkitd")
NS_ENV = "VIRTBUS_POLKIT_NS"

ALLOWED_USER = ("daemon", 1, 1)         # allowed by the test's rules.d rule
SLOW_USER = ("bin", 2, 2)               # allowed, after polkitd has waited a second
DENIED_USER = ("nobody", 65534, 65534)  # no rule: libvirt's defaults apply

TEST_RULES = """// virtbus tests: user "daemon" may manage, monitor and administer.
polkit.addRule(function(action, subject) {
    if ((action.id == "org.libvirt.unix.manage" || action.id == "org.libvirt.unix.monitor") &&
        subject.user == "daemon")
        return polkit.Result.YES;
    if (action.id == "org.libvirt.virtbus.admin" && subject.user == "daemon")
        return polkit.Result.YES;
    if (action.id == "org.libvirt.unix.manage" && subject.user == "bin") {
        polkit.spawn(["/bin/sleep", "1"]);
        return polkit.Result.YES;
    }
});
"""

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- A system bus with the stock default policy (nothing may be called unless a service's file
     allows it), polkit's file and the project's org.libvirt.conf: the bus policy is tested too. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include ignore_missing="yes">/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
  <policy user="polkitd">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.PolicyKit1"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


def enter_namespace():
    """Re-run this script in a private mount namespace (once); exit 77 (skip) when impossible."""
    if os.environ.get(NS_ENV) == "1":
        return
    reason = None
    if os.geteuid() != 0:
        reason = "needs root (mount namespace, polkitd)"
    elif not POLKITD.exists():
        reason = "polkitd is not installed"
    elif not shutil.which("unshare") or not shutil.which("dbus-daemon"):
        reason = "unshare or dbus-daemon missing"
    if reason:
        import testmain
        testmain.skip_program(reason)   # exit 77, or 1 under CI=true
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv, env)


def build_paths():
    """SYSCONFDIR and LOCALSTATEDIR virtbusd was built with (its --system paths)."""
    text = (VIRTBUSD.parent.parent / "build-config.h").read_text()
    get = lambda k: re.search(r'#define %s "([^"]*)"' % k, text).group(1)
    return get("SYSCONFDIR"), get("LOCALSTATEDIR")


class PolkitWorld:
    """The bus, polkitd and virtbusd. conf: extra virtbusd.conf lines; rules: the rules.d file."""

    create_default_network = 0

    def __init__(self, conf="", rules=TEST_RULES):
        self.rules = rules
        self.tmp = Path(tempfile.mkdtemp(prefix="virtbus-polkit-"))
        os.chmod(self.tmp, 0o755)
        self.conf_extra = conf
        self.procs = {}
        self.sock_dir = self.tmp / "sock"
        self.mounts = []
        self.created = []
        self.stopped = False

    def _bind(self, src, dst, pin=False):
        """Bind src over dst; a missing dst is created (and left: see stop()). pin: put a file in
        the host's dst under the mount, so that a test of an older harness cannot remove the
        directory (which would detach this mount) while this one runs."""
        missing = []
        d = Path(dst)
        while not d.exists():
            missing.append(d)
            d = d.parent
        Path(dst).mkdir(parents=True, exist_ok=True)
        self.created += reversed(missing)
        if pin:
            (Path(dst) / ".virtbus-test-mount-point").touch()
        subprocess.run(["mount", "--bind", str(src), str(dst)], check=True)
        self.mounts.append(str(dst))

    def _dir(self, name, mode=0o755):
        d = self.tmp / name
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, mode)
        return d

    def setup_mounts(self):
        actions = self._dir("actions")
        shutil.copy(ROOT / "policy" / "org.libvirt.unix.policy", actions)
        shutil.copy(ROOT / "policy" / "org.libvirt.api.policy", actions)
        shutil.copy(ROOT / "policy" / "org.libvirt.virtbus.policy", actions)
        rules = self._dir("rules.d")
        (rules / "10-virtbus-test.rules").write_text(self.rules)
        share_rules = self._dir("share-rules.d")
        self._bind(actions, "/usr/share/polkit-1/actions")
        self._bind(rules, "/etc/polkit-1/rules.d")
        self._bind(share_rules, "/usr/share/polkit-1/rules.d")
        self._bind(self._dir("run-dbus"), "/run/dbus")
        sysconfdir, localstatedir = build_paths()
        for name, target in (("etc-virtbus", sysconfdir + "/virtbus"),
                             ("var-lib-virtbus", localstatedir + "/lib/virtbus"),
                             ("var-log-virtbus", localstatedir + "/log/virtbus"),
                             ("run-virtbus", "/run/virtbus")):
            self._bind(self._dir(name, 0o755), target, pin=True)
        for user, uid, gid in (ALLOWED_USER, DENIED_USER, SLOW_USER):
            h = self._dir("home-" + user, 0o700)
            os.chown(h, uid, gid)

    def start_bus(self):
        conf = self.tmp / "bus.conf"
        conf.write_text(BUS_CONFIG.format(policy=ROOT / "policy" / "org.libvirt.conf"))
        with open(self.tmp / "dbus-daemon.log", "w") as log:
            self.procs["bus"] = subprocess.Popen(["dbus-daemon", "--config-file=%s" % conf, "--nofork"],
                                                 stdout=log, stderr=subprocess.STDOUT)
        self._wait(lambda: os.path.exists("/run/dbus/system_bus_socket"), "dbus-daemon")

    def has_name(self, name):
        p = subprocess.run(["busctl", "--system", "status", name], capture_output=True, text=True)
        return p.returncode == 0

    def start_polkitd(self):
        with open(self.tmp / "polkitd.log", "a") as log:
            self.procs["polkitd"] = subprocess.Popen([str(POLKITD)], stdout=log, stderr=subprocess.STDOUT)
        self._wait(lambda: self.has_name("org.freedesktop.PolicyKit1"), "polkitd")

    def stop_polkitd(self):
        p = self.procs.pop("polkitd", None)
        if p:
            p.terminate()
            p.wait(10)
        self._wait(lambda: not self.has_name("org.freedesktop.PolicyKit1"), "polkitd to go")

    def start_virtbusd(self):
        self.conf_path = self.tmp / "virtbusd.conf"
        # No default network: these tests share the host's network namespace (NetWorld does not).
        self.conf_path.write_text('unix_sock_dir = "%s"\ncreate_default_network = %d\n%s\n'
                                  % (self.sock_dir, self.create_default_network, self.conf_extra))
        with open(self.tmp / "virtbusd.log", "w") as log:
            self.procs["virtbusd"] = subprocess.Popen(
                [str(VIRTBUSD), "--system", "--config", str(self.conf_path), "--verbose"],
                stdout=log, stderr=subprocess.STDOUT)
        self._wait(lambda: self.has_name("org.libvirt") and (self.sock_dir / "libvirt-sock-ro").exists(), "virtbusd")

    def start(self):
        cleanup.owned(self.stop)
        self.stopped = False
        self.setup_mounts()
        self.start_bus()
        self.start_polkitd()
        self.start_virtbusd()
        return self

    def _wait(self, cond, what, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError("%s exited (%s) while waiting for %s; logs in %s" % (name, p.returncode, what, self.tmp))
            time.sleep(0.05)
        raise RuntimeError("timed out waiting for %s; logs in %s" % (what, self.tmp))

    def stop_processes(self):
        """The guests' QEMUs (they outlive the daemon), whatever a test or a subclass started,
        newest first, then virtbusd, polkitd and the bus."""
        daemon = self.procs.get("virtbusd")
        qemu_run = self.tmp / "run-virtbus" / "qemu"
        cleanup.kill_recorded_qemus(qemu_run, daemon is not None and daemon.poll() is None)
        last = ("virtbusd", "polkitd", "bus")
        for name in [n for n in reversed(self.procs) if n not in last] + list(last):
            p = self.procs.pop(name, None)
            if p:
                cleanup.stop_process(p)
        cleanup.kill_recorded_qemus(qemu_run, False)    # those of a daemon that had died

    def stop(self):
        """Everything start() started, and the mounts; again: nothing more to do."""
        if self.stopped:
            return
        self.stopped = True
        self.stop_processes()
        for m in reversed(self.mounts):
            subprocess.run(["umount", "-l", m])
        self.mounts = []
        # Mount points this test had to create on the host stay (empty): another test running at
        # the same time may have its own mount on the same path, and removing the directory
        # would detach that mount in its namespace (the kernel does so for a deleted mount
        # point), taking its daemon's files away mid-test.
        if not os.environ.get("VIRTBUS_TEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self, name="virtbusd"):
        try:
            return (self.tmp / ("%s.log" % name)).read_text()
        except OSError:
            return ""

    # ---- running clients as a user ----

    def as_user(self, user):
        """The argv prefix and env that run a command as user (None: root)."""
        env = dict(os.environ)
        env.pop(NS_ENV, None)
        if user is None:
            return [], env
        name, uid, gid = {"daemon": ALLOWED_USER, "nobody": DENIED_USER, "bin": SLOW_USER}[user]
        home = str(self.tmp / ("home-" + name))
        env.update(HOME=home, XDG_RUNTIME_DIR=home, XDG_CACHE_HOME=home, XDG_CONFIG_HOME=home)
        return ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"], env

    def run(self, user, argv, timeout=30, input=None):
        prefix, env = self.as_user(user)
        return subprocess.run(prefix + argv, env=env, capture_output=True, text=True, timeout=timeout, input=input)

    def virsh(self, user, cmd, ro=False):
        sock = self.sock_dir / ("libvirt-sock-ro" if ro else "libvirt-sock")
        uri = "test+unix:///default?socket=%s" % sock
        return self.run(user, ["virsh", "-q", "-c", uri] + (["-r"] if ro else []) + cmd)

    def busctl(self, user, path, interface, method, sig="", *args):
        argv = ["busctl", "--system", "--timeout=20", "call", "org.libvirt", path, interface, method]
        if sig:
            argv += [sig] + [str(a) for a in args]
        return self.run(user, argv)
