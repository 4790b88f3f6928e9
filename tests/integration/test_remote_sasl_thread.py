"""test_remote_sasl_thread.py: a client whose SASL step waits does not delay other clients.

SASL starts and steps run in threads (service/util/thread-call.c), so a mechanism that
waits (GSSAPI, an auxprop plugin asking another host) holds that client only. The wait is made
real here: the private libvirt.conf points sasldb_path at a FIFO, so cyrus-sasl's sasldb plugin
blocks in open() when DIGEST-MD5 looks the user up, until the test opens the other end. While
virsh's authentication hangs so, python3-libvirt calls on the unix socket must be answered at
once; after the FIFO is released the stuck client is refused and the daemon serves on.

When no thread can be had, a start or step is refused with a clear error and never run on the
loop (where a mechanism's PBKDF2 or wait would hold every client): the daemon is put in a pids
cgroup whose limit is the threads it has, so pthread_create fails with EAGAIN as on a host at
its task limit.
"""

import os
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pids_cap  # noqa: E402
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

import libvirt  # noqa: E402


def blocked_on_fifo(pid):
    """A thread of pid waiting in open() for the FIFO's writer (the kernel's wait_for_partner)."""
    for t in Path("/proc/%d/task" % pid).iterdir():
        try:
            if (t / "wchan").read_text() in ("wait_for_partner", "pipe_read", "pipe_wait_readable"):
                return True
        except OSError:
            pass
    return False


class SaslThreadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = rh.RemoteDaemon(conf="", tcp=True)
        sasl_dir = cls.d.tmp / "sasl2"
        sasl_dir.mkdir()
        cls.fifo = sasl_dir / "passwd.db"
        os.mkfifo(cls.fifo, 0o600)
        (sasl_dir / "libvirt.conf").write_text("mech_list: digest-md5\nsasldb_path: %s\n" % cls.fifo)
        cls.d.conf_extra = 'auth_tcp = "sasl"\n'
        saved = os.environ.get("SASL_CONF_PATH")
        os.environ["SASL_CONF_PATH"] = str(sasl_dir)
        try:
            cls.d.start()
        finally:
            if saved is None:
                os.environ.pop("SASL_CONF_PATH")
            else:
                os.environ["SASL_CONF_PATH"] = saved

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def release_fifo(self):
        """Open the FIFO's write end (the blocked open() returns) and close it: the plugin reads
        nothing, the user is not found."""
        try:
            fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass

    def start_stuck_client(self):
        """virsh over TCP with DIGEST-MD5, once its SASL step waits on the FIFO."""
        auth = self.d.tmp / "auth.conf"
        auth.write_text("[credentials-t]\nauthname=fred\npassword=fredpw\n\n[auth-libvirt-127.0.0.1]\ncredentials=t\n")
        env = self.d.client_env()
        env["LIBVIRT_AUTH_FILE"] = str(auth)
        stuck = subprocess.Popen([rh.VIRSH, "-c", "test+tcp://127.0.0.1:%d/default?auth=sasl.DIGEST-MD5" % self.d.port,
                                  "list", "--all"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        while not blocked_on_fifo(self.d.proc.pid):
            if stuck.poll() is not None:
                self.fail("virsh finished before its SASL step blocked: %s" % (stuck.communicate(),))
            if time.monotonic() > deadline:
                stuck.kill()
                self.fail("the SASL step never reached the sasldb lookup")
            time.sleep(0.05)
        return stuck

    def test_no_thread_refuses_the_step(self):
        pid = self.d.proc.pid
        log_before = len(self.d.log())
        with pids_cap.no_new_threads(self, pid, "sasl"):
            auth = self.d.tmp / "auth-nothread.conf"
            auth.write_text("[credentials-t]\nauthname=fred\npassword=fredpw\n\n[auth-libvirt-127.0.0.1]\ncredentials=t\n")
            env = self.d.client_env()
            env["LIBVIRT_AUTH_FILE"] = str(auth)
            p = subprocess.run([rh.VIRSH, "-c", "test+tcp://127.0.0.1:%d/default?auth=sasl.DIGEST-MD5" % self.d.port,
                                "list", "--all"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=30)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertIn("cannot run the SASL step: no thread for it: Resource temporarily unavailable", p.stderr)
            self.assertFalse(blocked_on_fifo(pid), "the refused step ran anyway")
            # the loop serves on, still without a thread to spare
            c = libvirt.open(self.d.uri("unix"))
            self.assertIn("test", [d.name() for d in c.listAllDomains(0)])
            c.close()
        log = self.d.log()[log_before:]
        self.assertIn("SASL step of client 127.0.0.1", log)
        self.assertIn("refused: no thread for it: Resource temporarily unavailable", log)
        self.assertNotIn("failed authentications so far", log)     # the client did nothing wrong
        # threads again: the next client's step runs in one (it waits on the FIFO, off the loop)
        stuck = self.start_stuck_client()
        self.release_fifo()
        out, err = stuck.communicate(timeout=30)
        self.assertIn("authentication failed", err)

    def test_client_leaving_during_its_step(self):
        stuck = self.start_stuck_client()
        stuck.kill()
        stuck.wait()
        self.release_fifo()
        deadline = time.monotonic() + 10
        while blocked_on_fifo(self.d.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(blocked_on_fifo(self.d.proc.pid))
        r = self.d.virsh("unix", "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test", r.stdout)
        self.assertTrue(self.d.alive())

    def test_stuck_sasl_step_does_not_delay_other_clients(self):
        stuck = self.start_stuck_client()
        try:

            # Another client, on the unix socket, while that step waits.
            result = {}

            def other_client():
                t0 = time.monotonic()
                c = libvirt.open(self.d.uri("unix"))
                names = [d.name() for d in c.listAllDomains(0)]
                for _ in range(20):
                    c.getLibVersion()
                c.close()
                result["names"] = names
                result["seconds"] = time.monotonic() - t0
            t = threading.Thread(target=other_client, daemon=True)
            t.start()
            t.join(10)
            self.assertFalse(t.is_alive(), "the other client's calls were not answered while a SASL step waited")
            self.assertIn("test", result["names"])
            self.assertLess(result["seconds"], 5.0)
            self.assertTrue(blocked_on_fifo(self.d.proc.pid), "the SASL step stopped waiting on its own")
            self.assertIsNone(stuck.poll(), "the stuck client was answered before its step could finish")
        finally:
            self.release_fifo()
        out, err = stuck.communicate(timeout=30)
        self.assertNotEqual(stuck.returncode, 0, out)
        self.assertIn("authentication failed", err)
        r = self.d.virsh("unix", "list --all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("test", r.stdout)
        self.assertIn("SASL authentication of client 127.0.0.1", self.d.log())


if __name__ == "__main__":
    main()
