#!/usr/bin/python3
"""The security model of a user's session daemon, side by side with Debian's libvirtd 9.0.

Both daemons run as uid nobody (qemu:///session of an unprivileged user). libvirt stacks its DAC
driver only in a daemon that runs as root, so there the connection has the primary "none" alone:
NodeGetSecurityModel answers none/0 and `virsh capabilities` lists one <secmodel> without base
labels. virtbusd must answer the same (root's daemon adds DAC: test_qemu_dac.py)."""

import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402

NOBODY = 65534
AS_NOBODY = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]

# Run as nobody (a root client could not speak for the user's session): the model, and the
# <secmodel>s of the capabilities once QEMU is probed.
CLIENT = r"""
import json, re, sys, time
import libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
deadline = time.monotonic() + 150
while True:
    try:
        caps = c.getCapabilities()
        break
    except libvirt.libvirtError as e:
        if "not probed yet" not in str(e) or time.monotonic() > deadline:
            raise
        time.sleep(0.2)
print(json.dumps({"model": c.getSecurityModel(),
                  "secmodels": re.findall(r"<secmodel>.*?</secmodel>", caps, re.S)}))
"""


class UserVirtbusd(remote_harness.RemoteDaemon):
    """virtbusd --session as nobody, with its own session bus (as nobody too), in a directory of
    nobody's; the same listeners as RemoteDaemon."""

    @property
    def runtime_dir(self):
        return self.tmp / "user" / "xdg_runtime_dir"

    def start(self, timeout=30):
        os.chmod(self.tmp, 0o755)
        home = self.tmp / "user"
        home.mkdir(mode=0o700)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "HOME"):
            d = home / var.lower()
            d.mkdir(mode=0o700)
            os.chown(d, NOBODY, NOBODY)
            env[var] = str(d)
        os.chown(home, NOBODY, NOBODY)
        bus_conf = self.tmp / "bus.conf"
        bus_conf.write_text(harness._DBUS_CONFIG.format(socket=home / "bus"))
        with open(self.tmp / "dbus-daemon.log", "w") as err:
            self.dbus_proc = subprocess.Popen(
                AS_NOBODY + ["dbus-daemon", "--config-file=%s" % bus_conf, "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=err, text=True, cwd=str(self.tmp))
        address = self.dbus_proc.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start: %s" % (self.tmp / "dbus-daemon.log").read_text())
        self.bus_address = address
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.conf_path = self.tmp / "virtbusd.conf"
        self.conf_path.write_text(self.conf_text())
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(AS_NOBODY + [str(remote_harness.VIRTBUSD), "--session", "--config",
                                                      str(self.conf_path)],
                                         env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=str(self.tmp))
        self._wait_listening(timeout)
        return self


def ask(sock):
    uri = "qemu+unix:///session?socket=%s" % sock
    p = subprocess.run(AS_NOBODY + ["/usr/bin/python3", "-c", CLIENT, uri], capture_output=True, text=True,
                       timeout=300, cwd="/", env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/nonexistent"})
    if p.returncode != 0:
        raise AssertionError("client for %s failed (%d): %s" % (uri, p.returncode, p.stderr))
    return json.loads(p.stdout)


class SessionSecurityModel(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.virtbusd = UserVirtbusd(tcp=False)
        cls.libvirtd = remote_harness.LibvirtdDaemon(tcp=False, holder=False)
        try:
            cls.virtbusd.start()
            cls.libvirtd.start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for d in (cls.virtbusd, cls.libvirtd):
            d.stop()

    def test_security_model_as_libvirtd(self):
        """NodeGetSecurityModel and the capabilities' <secmodel>s of nobody's session: libvirtd's."""
        want = ask(self.libvirtd.sock)
        got = ask(self.virtbusd.sock)
        self.assertEqual(want["model"], ["none", "0"])          # what this test is about
        self.assertEqual(len(want["secmodels"]), 1)
        self.assertEqual(got["model"], want["model"])
        self.assertEqual(got["secmodels"], want["secmodels"], self.virtbusd.log()[-3000:])


if __name__ == "__main__":
    testmain.main()
