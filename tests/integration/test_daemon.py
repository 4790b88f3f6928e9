#!/usr/bin/python3
"""test_daemon.py: virtbusd as a process: options, configuration errors, the bus name, SIGHUP, clean exit,
where the libvirt sockets go without XDG_RUNTIME_DIR."""

import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BUS_NAME, TEST, CONNECT, VIRTBUSD, Daemon, VirtbusTestCase  # noqa: E402


def run_virtbusd(args, env=None, timeout=10):
    return subprocess.run([str(VIRTBUSD)] + args, capture_output=True, text=True, timeout=timeout, env=env)


class Options(unittest.TestCase):
    def test_version(self):
        p = run_virtbusd(["--version"])
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^virtbusd \d+\.\d+\.\d+\n$")

    def test_help(self):
        p = run_virtbusd(["--help"])
        self.assertEqual(p.returncode, 0)
        for opt in ("--system", "--session", "--config", "--verbose", "--version"):
            self.assertIn(opt, p.stdout)

    def test_bad_option(self):
        p = run_virtbusd(["--bogus"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("Usage", p.stderr)

    def test_system_and_session_exclude(self):
        p = run_virtbusd(["--system", "--session"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("exclude each other", p.stderr)


class ConfiguredDaemon(Daemon):
    """A Daemon whose virtbusd.conf (under XDG_CONFIG_HOME/virtbus) is written before it starts."""

    def __init__(self, conf_text):
        super().__init__()
        conf_dir = self.tmp / "pre-config" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "virtbusd.conf").write_text(conf_text)
        self.conf_path = conf_dir / "virtbusd.conf"

    def spawn(self, extra_env=None, args=None, unset=()):
        """Start the bus, then virtbusd with --config, without waiting for the name; the variables
        in unset are removed from its environment."""
        import harness
        socket = self.tmp / "bus"
        config = self.tmp / "bus.conf"
        config.write_text(harness._DBUS_CONFIG.format(socket=socket))
        self.dbus_proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=%s" % config, "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.dbus_proc.stdout.readline().strip()
        env = dict(os.environ)
        for var in ("XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"):
            d = self.tmp / var.lower()
            d.mkdir(mode=0o700, exist_ok=True)
            env[var] = str(d)
        env["XDG_CONFIG_HOME"] = str(self.tmp / "pre-config")
        env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        env.update(extra_env or {})
        for var in unset:
            env.pop(var, None)
        self.env = env
        self.log_path = self.tmp / "virtbusd.log"
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen([str(VIRTBUSD), "--session"] + (args or []), env=env,
                                         stdout=out, stderr=subprocess.STDOUT)
        import dbus
        self.bus = dbus.bus.BusConnection(self.address)
        return self

    def wait_name(self, timeout=5):
        deadline = time.monotonic() + timeout
        while not self.bus.name_has_owner(BUS_NAME):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


class Configuration(unittest.TestCase):
    def tearDown(self):
        if getattr(self, "d", None):
            self.d.bus.close()
            self.d.stop()

    def test_malformed_config_refuses_to_start_naming_file_and_line(self):
        self.d = ConfiguredDaemon('# virtbusd.conf\nlog_filters = "1:core"\nlog_level = "debug"\n').spawn()
        code = self.d.proc.wait(timeout=10)
        self.assertNotEqual(code, 0)
        out = self.d.log()
        self.assertIn("%s:3" % self.d.conf_path, out)
        self.assertIn("log_level", out)
        self.assertFalse(self.d.bus.name_has_owner(BUS_NAME))

    def test_unterminated_string_names_line(self):
        self.d = ConfiguredDaemon('log_level = 3\n\nlog_outputs = "1:stderr\n').spawn()
        self.assertNotEqual(self.d.proc.wait(timeout=10), 0)
        self.assertIn("%s:3" % self.d.conf_path, self.d.log())

    def test_malformed_qemu_conf_refuses_to_start_naming_file_and_line(self):
        self.d = ConfiguredDaemon("log_level = 3\n")
        qemu_conf = self.d.conf_path.parent / "qemu.conf"
        qemu_conf.write_text('vnc_listen = "127.0.0.1"\nremote_display_port_min = "low"\n')
        self.d.spawn()
        self.assertNotEqual(self.d.proc.wait(timeout=10), 0)
        out = self.d.log()
        self.assertIn("%s:2" % qemu_conf, out)
        self.assertIn("remote_display_port_min", out)
        self.assertFalse(self.d.bus.name_has_owner(BUS_NAME))

    def test_qemu_conf_unknown_user_refuses_to_start(self):
        """A user QEMU could never run as is refused at load, naming file:line, not at the first start."""
        self.d = ConfiguredDaemon("log_level = 3\n")
        qemu_conf = self.d.conf_path.parent / "qemu.conf"
        qemu_conf.write_text('# unprivileged guests\nuser = "no-such-user-virbus"\n')
        self.d.spawn()
        self.assertNotEqual(self.d.proc.wait(timeout=10), 0)
        out = self.d.log()
        self.assertIn('%s:2: user: no user named "no-such-user-virbus" on this host' % qemu_conf, out)
        self.assertFalse(self.d.bus.name_has_owner(BUS_NAME))

    def test_unknown_key_warns_and_starts(self):
        self.d = ConfiguredDaemon('log_level = 3\nno_such_key = 1\n').spawn()
        self.assertTrue(self.d.wait_name(), self.d.log())
        self.assertIn("%s:2" % self.d.conf_path, self.d.log())
        self.assertIn("no_such_key", self.d.log())
        self.assertEqual(self.d.stop(), 0)
        self.d = None

    def test_sighup_reloads_and_a_broken_file_keeps_the_old_settings(self):
        logfile = None
        self.d = ConfiguredDaemon("log_level = 4\n")
        logfile = self.d.tmp / "virtbusd-file.log"
        self.d.conf_path.write_text('log_level = 4\nlog_outputs = "1:file:%s"\n' % logfile)
        self.d.spawn()
        self.assertTrue(self.d.wait_name(), self.d.log())
        conn = self.d.bus.get_object(BUS_NAME, TEST)
        conn.DomainDefineXML("<domain type='test'><name>before</name><memory>1024</memory>"
                             "<os><type>hvm</type></os></domain>", dbus_interface=CONNECT)
        self.assertNotIn("domain before defined", logfile.read_text())

        # Debug level now: what is logged at info level appears.
        self.d.conf_path.write_text('log_level = 1\nlog_outputs = "1:file:%s"\n' % logfile)
        self.d.proc.send_signal(signal.SIGHUP)
        self.d.bus.get_object(BUS_NAME, "/org/libvirt").Ping(dbus_interface="org.freedesktop.DBus.Peer")
        conn.DomainDefineXML("<domain type='test'><name>hup</name><memory>1024</memory>"
                             "<os><type>hvm</type></os></domain>", dbus_interface=CONNECT)
        text = logfile.read_text()
        self.assertIn("configuration reloaded", text)
        self.assertIn("domain hup defined", text)

        # A broken file: refused with file:line, the daemon serves on with the old settings.
        self.d.conf_path.write_text('log_level = [ 1\n')
        self.d.proc.send_signal(signal.SIGHUP)
        self.d.bus.get_object(BUS_NAME, "/org/libvirt").Ping(dbus_interface="org.freedesktop.DBus.Peer")
        self.assertEqual(len(conn.ListDomains(0, dbus_interface=CONNECT)), 3)
        text = logfile.read_text()
        self.assertIn("reload refused", text)
        self.assertIn("%s:1" % self.d.conf_path, text)
        self.assertIsNone(self.d.proc.poll())
        self.assertEqual(self.d.stop(), 0)
        self.d = None


class BusName(VirtbusTestCase):
    def test_second_daemon_refuses_with_clear_message(self):
        env = dict(os.environ)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.daemon.address
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
            env[var] = str(self.daemon.tmp / ("second-" + var.lower()))
        p = run_virtbusd(["--session"], env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("org.libvirt is already owned", p.stderr)
        # The first one is untouched and still answers.
        self.assertEqual(len(self.connect.ListDomains(0)), 1)

    def test_owns_the_name_promptly(self):
        # Time from exec to owning the name, reported (not a pass/fail timing).
        d = ConfiguredDaemon("")
        t0 = time.monotonic()
        d.spawn()
        try:
            self.assertTrue(d.wait_name(timeout=10), d.log())
            print("\nname owned after %.1f ms" % ((time.monotonic() - t0) * 1000), file=sys.stderr)
        finally:
            d.bus.close()
            self.assertEqual(d.stop(), 0)

    def test_sigint_exits_cleanly(self):
        self.daemon.proc.send_signal(signal.SIGINT)
        self.assertEqual(self.daemon.proc.wait(timeout=5), 0)


class NoRuntimeDir(unittest.TestCase):
    """As libvirt's session daemon: without XDG_RUNTIME_DIR the sockets go to $XDG_CACHE_HOME/libvirt,
    else ~/.cache/libvirt (a root shell on a fresh machine has neither XDG variable)."""

    def tearDown(self):
        if getattr(self, "d", None):
            self.d.bus.close()
            self.assertEqual(self.d.stop(), 0)

    def assertServes(self, sock_dir):
        # The bus name is taken before the remote door listens: give the sockets a moment.
        deadline = time.monotonic() + 10
        while not all((sock_dir / n).is_socket() for n in ("libvirt-sock", "libvirt-sock-ro")) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        for name in ("libvirt-sock", "libvirt-sock-ro"):
            self.assertTrue((sock_dir / name).is_socket(), "%s/%s: %s" % (sock_dir, name, self.d.log()))
        virsh = shutil.which("virsh")
        if not virsh:
            self.fail("virsh is not installed (libvirt-clients)")
        # A client in the same kind of shell: no XDG variables, its own HOME.
        home = self.d.tmp / "client-home"
        home.mkdir()
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        sock = sock_dir / "libvirt-sock"
        for uri, want in (("test+unix:///default?socket=%s" % sock, "test"),
                          ("qemu+unix:///session?socket=%s" % sock, None)):
            p = subprocess.run([virsh, "-c", uri, "list", "--all", "--name"], capture_output=True,
                               text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (uri, p.stderr, self.d.log()))
            if want:
                self.assertEqual(p.stdout.split(), [want])

    def test_sockets_in_home_cache(self):
        self.d = ConfiguredDaemon("").spawn(unset=("XDG_RUNTIME_DIR", "XDG_CACHE_HOME"))
        self.assertTrue(self.d.wait_name(), self.d.log())
        self.assertServes(Path(self.d.env["HOME"]) / ".cache" / "libvirt")
        self.assertFalse((self.d.tmp / "xdg_runtime_dir" / "libvirt").exists())

    def test_sockets_in_xdg_cache_home(self):
        self.d = ConfiguredDaemon("")
        cache = self.d.tmp / "cache-home"
        self.d.spawn(extra_env={"XDG_CACHE_HOME": str(cache)}, unset=("XDG_RUNTIME_DIR",))
        self.assertTrue(self.d.wait_name(), self.d.log())
        self.assertServes(cache / "libvirt")

    def test_no_place_for_the_sockets_is_a_clear_error(self):
        self.d = ConfiguredDaemon("").spawn(unset=("XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "HOME"))
        self.assertEqual(self.d.proc.wait(timeout=10), 1)
        out = self.d.log()
        self.assertIn("cannot place the libvirt sockets", out)
        self.assertIn("unix_sock_dir", out)
        self.d.bus.close()
        self.d.stop()
        self.d = None


class Unreachable(unittest.TestCase):
    def test_no_bus_is_a_clear_error(self):
        env = dict(os.environ)
        env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/virtbus-bus"
        env["XDG_RUNTIME_DIR"] = "/tmp"
        p = run_virtbusd(["--session"], env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("session bus", p.stderr)


if __name__ == "__main__":
    import testmain  # noqa: E402  (skips say so: exit 77, or a failure with CI=true)
    testmain.main()
