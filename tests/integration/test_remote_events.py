#!/usr/bin/python3
"""test_remote_events.py: lifecycle events over the remote protocol.

* python3-libvirt with libvirt's default event loop (a thread running virEventRunDefaultImpl)
  registers for domain and network lifecycle events on virtbusd, while virsh (another
  connection, another process) makes the changes. The events and their detail codes must be
  those that libvirt's own test driver emits for the same calls (the oracle: test:///default
  opened inside this process, on the same event loop).
* `virsh event --all --loop` and `virsh net-event --event lifecycle --loop` print what they
  receive, in the format of captures 15 and 72. virsh's output is read through a pseudo-terminal
  as it comes; a probe change (suspend/resume of "test", or a restart of the network "default")
  is repeated until virsh reports it, so the changes under test start only once virsh has
  registered, however loaded the machine.
"""

import os
import pty
import re
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_harness import (DOMAIN_XML, NETWORK_XML, ORACLE_URI, VIRSH, main,  # noqa: E402
                            start_event_loop, transports)


def setUpModule():
    start_event_loop()


class Recorder:
    def __init__(self):
        self.events = []
        self.cond = threading.Condition()

    def domain_cb(self, conn, dom, event, detail, opaque):
        with self.cond:
            self.events.append((dom.name(), event, detail))
            self.cond.notify_all()

    def network_cb(self, conn, net, event, detail, opaque):
        with self.cond:
            self.events.append((net.name(), event, detail))
            self.cond.notify_all()

    def wait_for(self, n, timeout=5.0, settle=0.3):
        """Wait until n events arrived, then a little longer for any surplus; all of them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.events) < n and time.monotonic() < deadline:
                self.cond.wait(timeout=max(0.01, deadline - time.monotonic()))
        time.sleep(settle)
        with self.cond:
            return list(self.events)


class _PythonEvents:
    def setUp(self):
        super().setUp()
        self.libvirt = start_event_loop()
        self.conn = self.libvirt.open(self.uri)
        self.xml = self.daemon.tmp / "demo.xml"
        self.xml.write_text(DOMAIN_XML.format(name="demo"))
        self.netxml = self.daemon.tmp / "net-demo.xml"
        self.netxml.write_text(NETWORK_XML.format(name="netdemo", bridge="vbr-demo"))

    def tearDown(self):
        try:
            self.conn.close()
        except self.libvirt.libvirtError:
            pass
        super().tearDown()

    def oracle_domain_events(self, ops):
        """The lifecycle events libvirt's test driver emits for ops (python calls on 'demo')."""
        lv = self.libvirt
        o = lv.open(ORACLE_URI)
        rec = Recorder()
        cb = o.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE, rec.domain_cb, None)
        try:
            for op in ops:
                if op == "define":
                    o.defineXML(self.xml.read_text())
                else:
                    getattr(o.lookupByName("demo"), op)()
            # the oracle has no way to say "that's all": give its loop a moment
            return rec.wait_for(10 ** 6, timeout=0.5, settle=0)
        finally:
            o.domainEventDeregisterAny(cb)
            o.close()

    def test_domain_lifecycle_events_from_another_client(self):
        lv = self.libvirt
        rec = Recorder()
        cb = self.conn.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE, rec.domain_cb, None)
        steps = [("define %s" % self.xml, "define"), ("start demo", "create"), ("suspend demo", "suspend"),
                 ("resume demo", "resume"), ("shutdown demo", "shutdown"), ("start demo", "create"),
                 ("reboot demo", "reboot"), ("destroy demo", "destroy"), ("undefine demo", "undefine")]
        for cmd, _ in steps:
            p = self.virsh(cmd)
            self.assertEqual(p.returncode, 0, p.stderr)
        expected = self.oracle_domain_events([op for _, op in steps])
        # what libvirt's test driver emits (and the spec lists): DEFINED/ADDED, STARTED/BOOTED,
        # SUSPENDED/PAUSED, RESUMED/UNPAUSED, STOPPED/SHUTDOWN, STARTED/BOOTED, (reboot: none),
        # STOPPED/DESTROYED, UNDEFINED/REMOVED
        E = lv
        self.assertEqual(expected, [
            ("demo", E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED),
            ("demo", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
            ("demo", E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
            ("demo", E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
            ("demo", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN),
            ("demo", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
            ("demo", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
            ("demo", E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
        ])
        self.assertEqual(rec.wait_for(len(expected)), expected)
        self.conn.domainEventDeregisterAny(cb)

    def test_filtered_registration_and_deregistration(self):
        lv = self.libvirt
        only_test, everything = Recorder(), Recorder()
        cb1 = self.conn.domainEventRegisterAny(self.conn.lookupByName("test"), lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               only_test.domain_cb, None)
        cb2 = self.conn.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE, everything.domain_cb, None)
        self.assertNotEqual(cb1, cb2)
        for cmd in ("define %s" % self.xml, "suspend test", "resume test"):
            self.assertEqual(self.virsh(cmd).returncode, 0)
        self.assertEqual(everything.wait_for(3), [("demo", 0, 0), ("test", 3, 0), ("test", 4, 0)])
        self.assertEqual(only_test.wait_for(2, settle=0), [("test", 3, 0), ("test", 4, 0)])
        self.conn.domainEventDeregisterAny(cb2)
        self.assertEqual(self.virsh("undefine demo").returncode, 0)
        self.assertEqual(self.virsh("suspend test").returncode, 0)
        self.assertEqual(only_test.wait_for(3), [("test", 3, 0), ("test", 4, 0), ("test", 3, 0)])
        self.assertEqual(everything.wait_for(3, timeout=0), [("demo", 0, 0), ("test", 3, 0), ("test", 4, 0)])
        self.conn.domainEventDeregisterAny(cb1)
        self.assertEqual(self.virsh("resume test").returncode, 0)
        self.assertEqual(len(only_test.wait_for(4, timeout=0.5)), 3)

    def test_events_reach_every_registered_connection(self):
        lv = self.libvirt
        other = lv.open(self.uri)
        try:
            recs = [Recorder(), Recorder()]
            for c, r in zip((self.conn, other), recs):
                c.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE, r.domain_cb, None)
            # the change is made by one of the registered connections itself
            self.conn.lookupByName("test").suspend()
            for r in recs:
                self.assertEqual(r.wait_for(1), [("test", lv.VIR_DOMAIN_EVENT_SUSPENDED,
                                                  lv.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED)])
        finally:
            other.close()

    def test_network_lifecycle_events(self):
        lv = self.libvirt
        rec = Recorder()
        cb = self.conn.networkEventRegisterAny(None, lv.VIR_NETWORK_EVENT_ID_LIFECYCLE, rec.network_cb, None)
        for cmd in ("net-define %s" % self.netxml, "net-start netdemo", "net-destroy netdemo",
                    "net-undefine netdemo"):
            p = self.virsh(cmd)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(rec.wait_for(4), [
            ("netdemo", lv.VIR_NETWORK_EVENT_DEFINED, 0), ("netdemo", lv.VIR_NETWORK_EVENT_STARTED, 0),
            ("netdemo", lv.VIR_NETWORK_EVENT_STOPPED, 0), ("netdemo", lv.VIR_NETWORK_EVENT_UNDEFINED, 0)])
        self.conn.networkEventDeregisterAny(cb)


class VirshEventWatcher:
    """`virsh EVENT_CMD --loop --timeout T` with its stdout on a pseudo-terminal, so that each
    event line can be read as virsh prints it (stdio buffers a pipe until exit)."""

    def __init__(self, argv, env):
        master, slave = pty.openpty()
        tty.setraw(slave)                   # no "\r\n" translation
        self.proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env, text=False)
        os.close(slave)
        self.master = master
        self.data = b""
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:                 # EIO once virsh has exited
                chunk = b""
            with self.cond:
                if not chunk:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.data += chunk
                self.cond.notify_all()

    eof = False

    def text(self):
        with self.cond:
            return self.data.decode(errors="replace")

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while needle not in self.data.decode(errors="replace") and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return needle in self.data.decode(errors="replace")

    def finish(self, timeout):
        try:
            err = self.proc.communicate(timeout=timeout)[1].decode(errors="replace")
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate()
        self.reader.join(5)
        os.close(self.master)
        return self.proc.returncode, self.text(), err


class _VirshEventBase:
    def run_event_loop_while(self, event_cmd, probe, probe_lines, triggers, timeout=4):
        """Start `virsh EVENT_CMD --loop --timeout T`; run the probe commands (each a virsh
        process over the unix socket) until virsh prints one of probe_lines, which shows that it
        has registered; then run the triggers. Returns virsh's exit status, its output without
        the leading probe lines (and the event count they added), and its error output."""
        argv = [VIRSH, "-c", self.uri] + event_cmd.split() + ["--loop", "--timeout", str(timeout)]
        w = VirshEventWatcher(argv, self.daemon.client_env())
        try:
            deadline = time.monotonic() + 15
            while not any(line in w.text() for line in probe_lines):
                self.assertIsNone(w.proc.poll(), "virsh %s exited early: %s" % (event_cmd, w.text()))
                self.assertLess(time.monotonic(), deadline, "virsh %s never saw a probe event" % event_cmd)
                for cmd in probe:
                    p = self.daemon.virsh("unix", cmd)
                    self.assertEqual(p.returncode, 0, "%s: %s" % (cmd, p.stderr))
                w.wait_for(probe_lines[0], 0.2)
            for cmd in triggers:
                p = self.daemon.virsh("unix", cmd)
                self.assertEqual(p.returncode, 0, "%s: %s" % (cmd, p.stderr))
            rc, out, err = w.finish(timeout + 15)
        finally:
            if w.proc.poll() is None:
                w.proc.kill()
        lines = out.split("\n")
        probes = 0
        while lines and lines[0] in probe_lines:
            lines.pop(0)
            probes += 1
        out = "\n".join(lines)
        m = re.search(r"^events received: (\d+)$", out, re.M)
        if m:
            out = out[:m.start(1)] + str(int(m.group(1)) - probes) + out[m.end(1):]
        return rc, out, err

    TEST_PROBE = ["suspend test", "resume test"]
    TEST_PROBE_LINES = ["event 'lifecycle' for domain 'test': Suspended Paused",
                        "event 'lifecycle' for domain 'test': Resumed Unpaused"]


class _VirshEvents(_VirshEventBase):
    def test_virsh_event_all_loop(self):
        # capture 15
        xml = self.daemon.tmp / "demo.xml"
        xml.write_text(DOMAIN_XML.format(name="demo"))
        rc, out, err = self.run_event_loop_while(
            "event --all", self.TEST_PROBE, self.TEST_PROBE_LINES,
            ["define %s" % xml, "start demo", "suspend demo", "resume demo", "destroy demo", "undefine demo"])
        self.assertEqual(err, "")
        self.assertEqual(out, "event 'lifecycle' for domain 'demo': Defined Added\n"
                              "event 'lifecycle' for domain 'demo': Started Booted\n"
                              "event 'lifecycle' for domain 'demo': Suspended Paused\n"
                              "event 'lifecycle' for domain 'demo': Resumed Unpaused\n"
                              "event 'lifecycle' for domain 'demo': Stopped Destroyed\n"
                              "event 'lifecycle' for domain 'demo': Undefined Removed\n"
                              "event loop timed out\n"
                              "events received: 6\n\n")
        self.assertEqual(rc, 0)


class _VirshEventsMore(_VirshEventBase):
    """(over one transport only: the same code path as above)"""

    def test_virsh_event_lifecycle_for_one_domain(self):
        xml = self.daemon.tmp / "demo.xml"
        xml.write_text(DOMAIN_XML.format(name="demo"))
        rc, out, err = self.run_event_loop_while(
            "event --event lifecycle --domain test", self.TEST_PROBE, self.TEST_PROBE_LINES,
            ["define %s" % xml, "shutdown test", "start demo", "start test", "suspend test"])
        self.assertEqual(err, "")
        self.assertEqual(out, "event 'lifecycle' for domain 'test': Stopped Shutdown\n"
                              "event 'lifecycle' for domain 'test': Started Booted\n"
                              "event 'lifecycle' for domain 'test': Suspended Paused\n"
                              "event loop timed out\n"
                              "events received: 3\n\n")
        self.assertEqual(rc, 0)

    def test_virsh_net_event_loop(self):
        # capture 72 (virsh 9.0 prints the network name without quotes)
        xml = self.daemon.tmp / "net-demo.xml"
        xml.write_text(NETWORK_XML.format(name="netdemo", bridge="vbr-demo"))
        rc, out, err = self.run_event_loop_while(
            "net-event --event lifecycle", ["net-destroy default", "net-start default"],
            ["event 'lifecycle' for network default: Stopped", "event 'lifecycle' for network default: Started"],
            ["net-define %s" % xml, "net-start netdemo", "net-destroy netdemo", "net-undefine netdemo"])
        self.assertEqual(err, "")
        self.assertEqual(out, "event 'lifecycle' for network netdemo: Defined\n"
                              "event 'lifecycle' for network netdemo: Started\n"
                              "event 'lifecycle' for network netdemo: Stopped\n"
                              "event 'lifecycle' for network netdemo: Undefined\n"
                              "event loop timed out\n"
                              "events received: 4\n\n")
        self.assertEqual(rc, 0)


globals().update(transports("unix", "tcp")(_PythonEvents))
globals().update(transports("unix", "tcp")(_VirshEvents))
globals().update(transports("unix")(_VirshEventsMore))

if __name__ == "__main__":
    main()
