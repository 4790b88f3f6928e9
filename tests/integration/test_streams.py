#!/usr/bin/python3
"""test_streams.py: Domain screenshot, the first user of core Streams, through both doors: virsh and
python3-libvirt over the remote protocol (download stream packets), and the Screenshot method
over D-Bus (the image read from a passed file descriptor). Compared with libvirt's own test
driver: same kind of image (PNG, 1120x832, 8-bit grayscale), same virsh output and mime type."""

import os
import struct
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from remote_harness import RemoteTestCase, main, oracle_sequence  # noqa: E402

import dbus  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header(data):
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE, data[:16]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
    return w, h, depth, colour


def file_says(path):
    return subprocess.run(["file", "-b", str(path)], capture_output=True, text=True).stdout.strip()


class TestRemoteScreenshot(RemoteTestCase):

    def oracle_png(self):
        path = self.daemon.tmp / "oracle.png"
        out, err = oracle_sequence(["screenshot test %s" % path])[0]
        self.assertEqual(err, "")
        return path, out

    def test_virsh_screenshot_is_the_same_kind_of_image_as_libvirts(self):
        oracle, oracle_out = self.oracle_png()
        ours = self.daemon.tmp / "ours.png"
        out = self.assertVirshOk("screenshot test %s" % ours)
        self.assertEqual(out, oracle_out.replace(str(oracle), str(ours)))
        self.assertEqual(out, "Screenshot saved to %s, with type of image/png\n" % ours)
        self.assertEqual(file_says(ours), file_says(oracle))
        self.assertEqual(file_says(ours), "PNG image data, 1120 x 832, 8-bit grayscale, non-interlaced")
        data = ours.read_bytes()
        self.assertEqual(png_header(data), (1120, 832, 8, 0))
        self.assertTrue(data.endswith(b"IEND\xaeB`\x82"))      # whole: the last chunk arrived
        # any screen number gives the picture, as libvirt's test driver does
        again = self.daemon.tmp / "screen2.png"
        self.assertVirshOk("screenshot test %s --screen 2" % again)
        self.assertEqual(again.read_bytes(), data)

    def test_screenshot_refused_for_an_inactive_domain(self):
        self.assertVirshOk("destroy test")
        shot = self.daemon.tmp / "none.png"
        p = self.virsh("screenshot test %s" % shot)
        self.assertEqual(p.returncode, 1)
        # libvirt's hypervisor drivers' text (libvirt's test driver itself does not check)
        self.assertEqual(p.stderr, "error: could not take a screenshot of test\n"
                                   "error: Requested operation is not valid: domain is not running\n")
        self.assertFalse(shot.exists() and shot.stat().st_size > 0)

    def test_python_stream_and_flags(self):
        try:
            import libvirt
        except ImportError:
            self.skipTest("python3-libvirt is not installed")
        libvirt.registerErrorHandler(lambda *a: None, None)
        conn = libvirt.open(self.uri)
        try:
            dom = conn.lookupByName("test")
            st = conn.newStream(0)
            self.assertEqual(dom.screenshot(st, 0, 0), "image/png")
            chunks = []
            st.recvAll(lambda s, data, acc: acc.append(data) or len(data), chunks)
            st.finish()
            data = b"".join(chunks)
            self.assertEqual(png_header(data), (1120, 832, 8, 0))
            # bad flags: libvirt's check, nothing is streamed
            st2 = conn.newStream(0)
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.screenshot(st2, 0, 1)
            self.assertEqual(cm.exception.get_error_message(),
                             "unsupported flags (0x1) in function virDomainScreenshot")
            # the connection still works after all that
            self.assertEqual(dom.name(), "test")
        finally:
            conn.close()


class TestBusScreenshot(harness.VirtbusTestCase):

    def test_screenshot_through_a_passed_fd(self):
        dom = self.iface(harness.TEST_DOMAIN_PATH, harness.DOMAIN)
        mime, fd = dom.Screenshot(dbus.UInt32(0), dbus.UInt32(0))
        self.assertEqual(mime, "image/png")
        with os.fdopen(fd.take(), "rb") as f:
            data = f.read()                 # until the daemon closes its end
        self.assertEqual(png_header(data), (1120, 832, 8, 0))
        self.assertTrue(data.endswith(b"IEND\xaeB`\x82"))
        path = self.daemon.tmp / "bus.png" if hasattr(self.daemon, "tmp") else Path("/tmp/virtbus-bus-shot.png")
        path.write_bytes(data)
        self.assertEqual(file_says(path), "PNG image data, 1120 x 832, 8-bit grayscale, non-interlaced")

    def test_screenshot_errors(self):
        dom = self.iface(harness.TEST_DOMAIN_PATH, harness.DOMAIN)
        self.assertDBusError(harness.LIBVIRT_ERROR, dom.Screenshot, dbus.UInt32(0), dbus.UInt32(4),
                             message="unsupported flags (0x4) in function virDomainScreenshot")
        dom.Destroy(0)
        self.assertDBusError(harness.LIBVIRT_ERROR, dom.Screenshot, dbus.UInt32(0), dbus.UInt32(0),
                             message="Requested operation is not valid: domain is not running")

    def test_introspection_shows_the_fd_method(self):
        xml = self.introspect(harness.TEST_DOMAIN_PATH)
        for iface in xml.iter("interface"):
            if iface.get("name") == harness.DOMAIN:
                m = [el for el in iface if el.tag == "method" and el.get("name") == "Screenshot"]
                self.assertEqual(len(m), 1)
                self.assertEqual([(a.get("type"), a.get("direction")) for a in m[0] if a.tag == "arg"],
                                 [("u", "in"), ("u", "in"), ("s", "out"), ("h", "out")])
                return
        self.fail("no org.libvirt.Domain")


if __name__ == "__main__":
    main()
