#!/usr/bin/python3
"""test_checkpoints.py: checkpoints on the Test connection, metadata only (as libvirt's test driver).

    /usr/bin/python3 tests/integration/test_checkpoints.py -v

virsh's checkpoint commands against virtbusd are compared byte for byte with libvirt's own
test driver (creation times masked): the tree, its listings, dumpxml, the refusals' texts.
The QEMU side (bitmaps, backups) is tests/integration/test_qemu_checkpoint.py.
"""

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402
import testmain  # noqa: E402

_TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")
_CTIME_RE = re.compile(r"<creationTime>\d+</creationTime>")


def mask(text):
    text = _TIME_RE.sub("<time>", remote_harness.mask_volatile(text))
    return _CTIME_RE.sub("<creationTime/>", text)


class TestCheckpointsLikeLibvirt(remote_harness.RemoteTestCase):
    def test_tree_list_delete(self):
        self.compare_with_oracle([
            "checkpoint-list test",
            "checkpoint-create-as test c1 --description 'first <one>'",
            "checkpoint-create-as test c2",
            "checkpoint-create-as test c3",
            "checkpoint-list test",
            "checkpoint-list test --tree",
            "checkpoint-list test --parent",
            "checkpoint-list test --roots --name",
            "checkpoint-list test --leaves --name",
            "checkpoint-list test --no-leaves --name",
            "checkpoint-list test --from c1 --name",
            "checkpoint-list test --from c1 --descendants --name",
            "checkpoint-list test --topological --name",
            "checkpoint-dumpxml test c1",
            "checkpoint-dumpxml test c2 --no-domain",
            "checkpoint-info test c1",
            "checkpoint-info test c2",
            "checkpoint-parent test c2",
            "checkpoint-parent test c1",
            "checkpoint-delete test c2",
            "checkpoint-list test --parent",
            "checkpoint-create-as test c4",
            "checkpoint-list test --tree",
            "checkpoint-delete test c1 --children-only",
            "checkpoint-list test --name",
            "checkpoint-delete test c1 --children --metadata",
            "checkpoint-list test --name",
        ], mask=mask)

    def test_refusals(self):
        self.compare_with_oracle([
            "checkpoint-create-as test c1",
            "checkpoint-create-as test c1",
            "checkpoint-dumpxml test nosuch",
            "checkpoint-delete test nosuch",
            "checkpoint-create-as test c2 --diskspec vdz",
            "checkpoint-create-as test c3 --diskspec vda --diskspec vda",
            "checkpoint-delete test c1 --children --children-only",
            "checkpoint-list test --name",
        ], mask=mask)

    def test_redefine(self):
        xml = "<domaincheckpoint><name>r1</name><creationTime>12</creationTime></domaincheckpoint>"
        orphan = ("<domaincheckpoint><name>r2</name><creationTime>13</creationTime>"
                  "<parent><name>nope</name></parent></domaincheckpoint>")
        notime = "<domaincheckpoint><name>r3</name></domaincheckpoint>"
        with tempfile.TemporaryDirectory(prefix="virtbus-ck-") as tmp:
            files = []
            for i, text in enumerate((xml, orphan, notime)):
                files.append(Path(tmp) / ("c%d.xml" % i))
                files[-1].write_text(text)
            self.compare_with_oracle([
                "checkpoint-create test %s --redefine" % files[0],
                "checkpoint-create test %s --redefine" % files[1],
                "checkpoint-create test %s --redefine" % files[2],
                "checkpoint-dumpxml test r1",
                "checkpoint-create-as test c1",
                "checkpoint-list test --parent",
            ], mask=lambda t: mask(t).replace(tmp, "<tmp>"))


if __name__ == "__main__":
    testmain.main()
