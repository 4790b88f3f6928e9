#!/usr/bin/python3
"""test_snapshots.py: snapshots on the Test connection, which keeps them in metadata only (as libvirt's test driver).

    /usr/bin/python3 tests/integration/test_snapshots.py -v

virsh's snapshot commands against virtbusd are compared byte for byte with libvirt's own test
driver (the creation times masked); the same tree through D-Bus (org.libvirt.DomainSnapshot
objects, Domain's snapshot methods) with python3-dbus.
"""

import re
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import remote_harness  # noqa: E402
import testmain  # noqa: E402

_TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")
_CTIME_RE = re.compile(r"<creationTime>\d+</creationTime>")


def mask(text):
    text = _TIME_RE.sub("<time>", remote_harness.mask_volatile(text))
    return _CTIME_RE.sub("<creationTime/>", text)


class TestSnapshotsLikeLibvirt(remote_harness.RemoteTestCase):
    def test_tree_current_revert_delete(self):
        self.compare_with_oracle([
            "snapshot-list test",
            "snapshot-current test",
            "snapshot-create-as test s1 --description 'first <one>'",
            "snapshot-create-as test s2",
            "snapshot-list test",
            "snapshot-list test --tree",
            "snapshot-list test --parent",
            "snapshot-list test --roots --name",
            "snapshot-list test --leaves --name",
            "snapshot-list test --from s1 --name",
            "snapshot-current test --name",
            "snapshot-dumpxml test s1",
            "snapshot-dumpxml test s2",
            "snapshot-info test s1",
            "snapshot-parent test s2",
            "snapshot-revert test s1",
            "snapshot-current test --name",
            "snapshot-create-as test s3",
            "snapshot-list test --tree",
            "snapshot-delete test s1",
            "snapshot-list test --parent",
            "snapshot-info test s3",
            "snapshot-delete test s2 --children",
            "snapshot-list test --name",
        ], mask=mask)

    def test_refusals(self):
        self.compare_with_oracle([
            "snapshot-create-as test s1",
            "snapshot-create-as test s1",
            "snapshot-dumpxml test nosuch",
            "snapshot-revert test nosuch",
            "snapshot-create-as test s2 --disk-only",
            "snapshot-create-as test a/b",
            "snapshot-list test --name",
        ], mask=mask)

    def test_halt_stops_the_guest_as_libvirt(self):
        # --halt: the snapshot records the guest running, then it is shut off "from snapshot"
        self.compare_with_oracle([
            "snapshot-create-as test h1 --halt",
            "domstate test --reason",
            "snapshot-info test h1",
            "snapshot-create-as test h2 --halt",
            "domstate test --reason",
        ], mask=mask)

    # Reverts between running and shut-off snapshots stop and start the guest. (--running on a
    # shut-off snapshot is left out: libvirt 9.0's test driver reports STARTED but leaves the
    # domain shut off; virtbus starts it, as libvirt's QEMU driver does. So are reverts within
    # running and paused, where its test driver stops and starts the guest or not.)
    REVERTS = [("run1", 0), ("off1", 0), ("run1", "PAUSED"), ("off1", 0), ("pau1", 0), ("off1", 0)]

    def test_revert_between_running_and_shut_off(self):
        cmds = ["snapshot-create-as test run1", "suspend test", "snapshot-create-as test pau1", "destroy test",
                "snapshot-create-as test off1"]
        for name, flag in self.REVERTS:
            cmds += ["snapshot-revert test %s%s" % (name, " --paused" if flag else ""), "domstate test --reason"]
        self.compare_with_oracle(cmds, mask=mask)

    def revert_events(self, uri):
        """The lifecycle events of each revert of REVERTS on uri, and the states after each."""
        libvirt = remote_harness.start_event_loop()
        conn = libvirt.open(uri)
        seen, cond = [], threading.Condition()

        def on_lifecycle(c, dom, event, detail, opaque):
            with cond:
                seen.append((event, detail))
                cond.notify_all()
        cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
        try:
            dom = conn.lookupByName("test")
            dom.snapshotCreateXML("<domainsnapshot><name>run1</name></domainsnapshot>")
            dom.suspend()
            dom.snapshotCreateXML("<domainsnapshot><name>pau1</name></domainsnapshot>")
            dom.destroy()
            dom.snapshotCreateXML("<domainsnapshot><name>off1</name></domainsnapshot>")
            # the suspend's and the destroy's events come before any revert is counted
            deadline = time.monotonic() + 30
            with cond:
                while seen[-1:] != [(libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)] \
                        and time.monotonic() < deadline:
                    cond.wait(1)
                self.assertEqual(seen, [(libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                                        (libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)])
            out = []
            for name, flag in self.REVERTS:
                with cond:
                    base = len(seen)
                fl = getattr(libvirt, "VIR_DOMAIN_SNAPSHOT_REVERT_" + flag) if flag else 0
                dom.revertToSnapshot(dom.snapshotLookupByName(name), fl)
                want = 1 if name == "off1" or (name == "run1" and not flag) else 2
                deadline = time.monotonic() + 30
                with cond:
                    while len(seen) < base + want and time.monotonic() < deadline:
                        cond.wait(1)
                time.sleep(0.2)     # nothing more comes (a late extra event would show below)
                with cond:
                    out.append((name, flag, seen[base:], dom.state()))
            return out
        finally:
            conn.domainEventDeregisterAny(cb)
            conn.close()

    def test_revert_events_as_libvirt(self):
        ours = self.revert_events(self.uri)
        theirs = self.revert_events(remote_harness.ORACLE_URI)
        self.assertEqual(ours, theirs)
        # running, reason from snapshot; paused from snapshot; shut off from snapshot
        self.assertEqual(ours[0][3], [1, 4])
        self.assertEqual(ours[2][3], [3, 7])
        self.assertEqual(ours[1][3], [5, 7])


SNAP = "org.libvirt.DomainSnapshot"
SNAP_PREFIX = harness.TEST + "/domainsnapshot/_" + harness.TEST_DOMAIN_UUID.replace("-", "_") + "_"


class TestSnapshotsOnDBus(harness.VirtbusTestCase):
    def test_objects_of_the_tree(self):
        dom = self.iface(harness.TEST_DOMAIN_PATH, "org.libvirt.Domain")
        self.assertEqual(list(dom.ListDomainSnapshots(0)), [])
        self.assertDBusError("org.libvirt.Error", dom.SnapshotCurrent, 0,
                             message="Domain snapshot not found: the domain does not have a current snapshot")
        p1 = dom.SnapshotCreateXML("<domainsnapshot><name>my snap.1</name><description>d</description>"
                                   "</domainsnapshot>", 0)
        # libvirt-dbus's path: the domain's UUID, then EncodeStr(name)
        self.assertEqual(p1, SNAP_PREFIX + "my_20snap_2e1")
        p2 = dom.SnapshotCreateXML("<domainsnapshot><name>two</name></domainsnapshot>", 0)
        self.assertEqual(list(dom.ListDomainSnapshots(0)), [p1, p2])
        self.assertEqual(dom.SnapshotCurrent(0), p2)
        self.assertEqual(dom.SnapshotLookupByName("my snap.1", 0), p1)
        s1, s2 = self.iface(p1, SNAP), self.iface(p2, SNAP)
        self.assertEqual(s2.GetParent(0), p1)
        self.assertEqual(list(s1.ListChildren(0)), [p2])
        self.assertFalse(s1.IsCurrent(0))
        self.assertTrue(s2.IsCurrent(0))
        xml = s1.GetXMLDesc(0)
        self.assertIn("<name>my snap.1</name>", xml)
        self.assertIn("<description>d</description>", xml)
        self.assertIn("<domain type='test'>", xml)
        s1.Revert(0)
        self.assertTrue(s1.IsCurrent(0))
        self.assertDBusError("org.libvirt.Error", s1.GetParent, 0,
                             message="Domain snapshot not found: snapshot 'my snap.1' does not have a parent")
        # the objects are on the bus (busctl tree / introspection lists them)
        nodes = [n.get("name") for n in self.introspect(harness.TEST + "/domainsnapshot").findall("node")]
        self.assertEqual(sorted(nodes), sorted([p1.rsplit("/", 1)[1], p2.rsplit("/", 1)[1]]))
        s1.Delete(1)                # CHILDREN
        self.assertEqual(list(dom.ListDomainSnapshots(0)), [])
        self.assertDBusError("org.libvirt.Error", s2.GetXMLDesc, 0,
                             message="Domain snapshot not found: no domain snapshot with matching name 'two'")

    def test_refusals_change_nothing(self):
        dom = self.iface(harness.TEST_DOMAIN_PATH, "org.libvirt.Domain")
        self.assertDBusError("org.libvirt.Error", dom.SnapshotCreateXML,
                             "<domainsnapshot><memory snapshot='sideways'/></domainsnapshot>", 0,
                             message="XML error: unknown memory snapshot setting 'sideways'")
        self.assertDBusError("org.libvirt.Error", dom.SnapshotCreateXML, "<domainsnapshot/>", 16,
                             message="unsupported flags (0x10) in function testDomainSnapshotCreateXML")
        self.assertDBusError("org.libvirt.Error", dom.SnapshotCreateXML, "<notasnapshot/>", 0,
                             prefix="XML error")
        self.assertEqual(list(dom.ListDomainSnapshots(0)), [])


if __name__ == "__main__":
    testmain.main()
