#!/usr/bin/python3
"""test_admin_nss.py: virt-admin's client-info looks the client's user name up off the event loop.

    /usr/bin/python3 tests/integration/test_admin_nss.py -v

The daemon is remote_harness's (session mode) run with an LD_PRELOAD shim
(tests/integration/slow-nss.c) whose getpwuid_r of the test's own uid, once armed, behaves like
an NSS module waiting on a directory server: it says which thread asked and waits until the
test lets it go. While virt-admin's client-info waits on that lookup, another client's calls
are answered at once; once the lookup is let go, client-info prints the same user and group
names as before.
"""

import grp
import os
import pwd
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import pids_cap  # noqa: E402
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

VIRT_ADMIN = "/usr/bin/virt-admin"


def wait_for(what, cond, timeout):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class AdminNssTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        so = os.environ.get("VBTEST_SLOW_NSS_SO")
        if not so or not Path(so).exists():
            raise unittest.SkipTest("VBTEST_SLOW_NSS_SO (the shim meson builds) is not set")
        if not os.path.exists(VIRT_ADMIN):
            raise unittest.SkipTest("virt-admin missing (package libvirt-clients)")
        cls.gate = Path(tempfile.mkdtemp(prefix="virtbus-admin-nss-"))
        shim = cls.gate / "virtbusd-slow-nss"
        shim.write_text("#!/bin/sh\nLD_PRELOAD=%s VBTEST_SLOW_NSS_UID=%d VBTEST_SLOW_NSS_DIR=%s exec %s \"$@\"\n"
                        % (so, os.getuid(), cls.gate, rh.VIRTBUSD))
        shim.chmod(0o755)
        cls.outer_virtbusd = rh.VIRTBUSD
        rh.VIRTBUSD = shim
        try:
            cls.d = rh.RemoteDaemon(tcp=False).start()
        finally:
            rh.VIRTBUSD = cls.outer_virtbusd
        cls.admin_sock = str(Path(cls.d.sock).parent / "libvirt-admin-sock")

    @classmethod
    def tearDownClass(cls):
        (cls.gate / "release").touch()      # never leave a lookup waiting
        cls.d.stop()
        for f in cls.gate.iterdir():
            f.unlink()
        cls.gate.rmdir()

    def admin(self, *cmd):
        uri = "libvirtd:///session?socket=%s" % self.admin_sock
        return subprocess.Popen([VIRT_ADMIN, "-c", uri] + list(cmd), env=self.d.client_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def hold(self):
        """A virsh shell connected over the unix socket, kept open until the test ends."""
        p = subprocess.Popen([rh.VIRSH, "-c", self.d.uri("unix")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.d.client_env(), text=True)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close(), p.stdin.close()))
        p.stdin.write("list --all\n")
        p.stdin.flush()
        p.stdout.readline()     # the table's header: the connection is open
        return p

    def held_client_and_armed_gate(self):
        """A unix client held open and its admin id; the next getpwuid_r of the daemon waits on the gate."""
        unix = self.hold()
        out, err = self.admin("srv-clients-list", "libvirtd").communicate(timeout=20)
        ids = [int(line.split()[0]) for line in out.splitlines()[2:] if line.strip()]
        self.assertEqual(len(ids), 1, out + err)
        for f in ("entered", "release"):
            (self.gate / f).unlink(missing_ok=True)
        (self.gate / "arm").touch()
        self.addCleanup(lambda: (self.gate / "arm").unlink(missing_ok=True))
        return unix, ids[0]

    def test_client_info_waits_on_nss_off_the_loop(self):
        unix, client_id = self.held_client_and_armed_gate()
        info = self.admin("client-info", "libvirtd", str(client_id))
        self.addCleanup(lambda: (info.kill(), info.wait(), info.stdout.close(), info.stderr.close()))
        entered = self.gate / "entered"
        wait_for("the daemon's getpwuid_r(%d)" % os.getuid(),
                 lambda: (entered.exists() and entered.read_text().strip()) or info.poll() is not None, 30)
        if info.poll() is not None:
            self.fail("client-info ended before the lookup: %s" % (info.communicate(),))
        self.assertEqual(entered.read_text().strip(), "thread")
        # another client is answered while getpwuid_r still waits (a blocked loop answers nothing)
        t0 = time.monotonic()
        p = rh.run_virsh(self.d.uri("unix"), "list --all --name", timeout=10, env=self.d.client_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertIsNone(info.poll(), "client-info answered while its lookup still waited")
        (self.gate / "release").touch()
        out, err = info.communicate(timeout=20)
        self.assertEqual(info.returncode, 0, err + self.d.log()[-3000:])
        fields = dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line))
        self.assertEqual(fields["unix_user_id"], str(os.getuid()))
        self.assertEqual(fields["unix_user_name"], pwd.getpwuid(os.getuid()).pw_name)
        self.assertEqual(fields["unix_group_name"], grp.getgrgid(os.getgid()).gr_name)
        self.assertEqual(fields["unix_process_id"], str(unix.pid))

    def test_client_info_without_a_thread_skips_the_names(self):
        # No thread to be had: the answer comes without the names rather than a lookup on the loop.
        unix, client_id = self.held_client_and_armed_gate()     # a lookup would wait on the gate
        log_before = len(self.d.log())
        with pids_cap.no_new_threads(self, self.d.proc.pid, "admin"):
            info = self.admin("client-info", "libvirtd", str(client_id))
            out, err = info.communicate(timeout=20)
        self.assertEqual(info.returncode, 0, err + self.d.log()[-3000:])
        self.assertFalse((self.gate / "entered").exists(), "a name was looked up")
        fields = dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line))
        self.assertEqual(fields["unix_user_id"], str(os.getuid()))
        self.assertEqual(fields["unix_process_id"], str(unix.pid))
        self.assertNotIn("unix_user_name", fields)
        self.assertNotIn("unix_group_name", fields)
        self.assertIn("client description without user and group names: no thread for their lookup",
                      self.d.log()[log_before:])


if __name__ == "__main__":
    main()
