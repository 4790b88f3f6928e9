#!/usr/bin/python3
"""test_qemu_snapshot_revert.py: reverts between a running and a shut-off snapshot on qemu:///session with the tiny guest under TCG.

    /usr/bin/python3 tests/integration/test_qemu_snapshot_revert.py -v

A shut-off guest reverted to a running snapshot starts from its state (-loadvm) and knows the
word it knew then; a running guest reverted to a shut-off snapshot is stopped and its disk gets
the snapshot's tag; the lifecycle events say FROM_SNAPSHOT; the snapshot's definition comes back.
(Its own file: test_qemu_snapshot.py's guests take most of a suite's time already.)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import testmain  # noqa: E402
from test_qemu_snapshot import SnapshotFixture, qemu_img_tags  # noqa: E402


class QemuSnapshotRevertTest(SnapshotFixture):
    def test_revert_between_running_and_shut_off(self):
        lv = self.libvirt
        disk = self.define("snap-x")
        self.virsh_ok("start snap-x", timeout=180)
        dom = self.conn.lookupByName("snap-x")
        self.mark(dom, "inrun1")
        self.virsh_ok("snapshot-create-as snap-x run1", timeout=180)
        self.virsh_ok("destroy snap-x")
        self.virsh_ok("snapshot-create-as snap-x off1")
        self.assertEqual(qemu_img_tags(disk), ["run1", "off1"])
        # the definition changes after the snapshots; a revert brings back the snapshot's
        xml = self.virsh_ok("dumpxml snap-x --inactive")
        changed = self.daemon.tmp / "snap-x-changed.xml"
        changed.write_text(xml.replace("</name>", "</name>\n  <description>changed later</description>", 1))
        self.virsh_ok("define %s" % changed)
        self.assertIn("changed later", self.virsh_ok("dumpxml snap-x --inactive"))
        # a shut-off guest to a running snapshot: QEMU starts from its state (-loadvm)
        del self.lifecycle[:]
        self.virsh_ok("snapshot-revert snap-x run1", timeout=240)
        self.assertEqual(self.virsh_ok("domstate snap-x --reason").strip(), "running (from snapshot)")
        self.wait_events([("snap-x", lv.VIR_DOMAIN_EVENT_STARTED, lv.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)])
        self.assertEqual(self.state(dom), "inrun1")          # the memory of that time
        self.assertNotIn("changed later", self.virsh_ok("dumpxml snap-x --inactive"))
        self.assertEqual(self.virsh_ok("snapshot-current snap-x --name").strip(), "run1")
        # a running guest to a shut-off snapshot: QEMU goes, the disk gets the snapshot's tag
        self.mark(dom, "gone")
        del self.lifecycle[:]
        self.virsh_ok("snapshot-revert snap-x off1", timeout=240)
        self.assertEqual(self.virsh_ok("domstate snap-x --reason").strip(), "shut off (from snapshot)")
        self.wait_events([("snap-x", lv.VIR_DOMAIN_EVENT_STOPPED, lv.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)])
        # --paused: started from run1's state and kept paused
        del self.lifecycle[:]
        self.virsh_ok("snapshot-revert snap-x run1 --paused", timeout=240)
        self.assertEqual(self.virsh_ok("domstate snap-x --reason").strip(), "paused (from snapshot)")
        self.wait_events([("snap-x", lv.VIR_DOMAIN_EVENT_STARTED, lv.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT),
                          ("snap-x", lv.VIR_DOMAIN_EVENT_SUSPENDED, lv.VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT)])
        self.virsh_ok("resume snap-x")
        self.assertEqual(self.state(dom), "inrun1")
        # a shut-off snapshot with --running: stopped, the disk reverted, booted afresh
        del self.lifecycle[:]
        self.virsh_ok("snapshot-revert snap-x off1 --running", timeout=240)
        self.assertEqual(self.virsh_ok("domstate snap-x --reason").strip(), "running (from snapshot)")
        self.wait_events([("snap-x", lv.VIR_DOMAIN_EVENT_STOPPED, lv.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT),
                          ("snap-x", lv.VIR_DOMAIN_EVENT_STARTED, lv.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)])
        self.assertEqual(self.state(dom), "none")            # a fresh boot knows no word
        self.virsh_ok("destroy snap-x")
        self.virsh_ok("snapshot-delete snap-x run1")
        self.virsh_ok("snapshot-delete snap-x off1")
        self.assertEqual(qemu_img_tags(disk), [])
        self.virsh_ok("undefine snap-x")



if __name__ == "__main__":
    testmain.main()
