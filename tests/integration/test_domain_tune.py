#!/usr/bin/python3
"""test_domain_tune.py: virDomainGet/SetMemoryParameters on the Test connection through both doors:
`virsh memtune` output and errors as libvirt's own test driver prints them, python3-libvirt's typed
parameters, and libvirt-dbus's Domain.GetMemoryParameters / SetMemoryParameters (a{sv}).
(QEMU guests, whose limits land in their cgroup, are tested in test_qemu_dac.py.)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402
from harness import DOMAIN, LIBVIRT_ERROR, TEST_DOMAIN_PATH, VirtbusTestCase  # noqa: E402
import testmain  # noqa: E402

import dbus  # noqa: E402
import libvirt  # noqa: E402

UNLIMITED = 9007199254740991    # VIR_DOMAIN_MEMORY_PARAM_UNLIMITED


class RemoteMemtune(remote_harness.RemoteTestCase):

    def test_virsh_memtune_as_libvirt(self):
        self.compare_with_oracle([
            "memtune test",
            "memtune test --hard-limit 1024 --swap-hard-limit 2048",
            "memtune test",
            "memtune test --config",
            "memtune test --hard-limit 4096",
            "memtune test",
            "memtune test --soft-limit -1",
            "memtune test --config --soft-limit 512",
            "memtune test --config",
            "memtune test --live",
        ])

    def test_virsh_schedinfo_as_libvirt(self):
        self.compare_with_oracle([
            "schedinfo test",
            "schedinfo test --set weight=100",
            "schedinfo test",
            "schedinfo test --set bogus=1",
            "schedinfo test --set weight=abc",
        ])

    def test_python_typed_parameters(self):
        libvirt.registerErrorHandler(lambda *a: None, None)
        conn = libvirt.open(self.uri)
        try:
            dom = conn.lookupByName("test")
            self.assertEqual(dom.memoryParameters(0),
                             {"hard_limit": UNLIMITED, "soft_limit": UNLIMITED, "swap_hard_limit": UNLIMITED})
            dom.setMemoryParameters({"soft_limit": 65536}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
            self.assertEqual(dom.memoryParameters(libvirt.VIR_DOMAIN_AFFECT_CONFIG)["soft_limit"], 65536)
            self.assertEqual(dom.memoryParameters(libvirt.VIR_DOMAIN_AFFECT_LIVE)["soft_limit"], UNLIMITED)
            self.assertIn("<soft_limit unit='KiB'>65536</soft_limit>",
                          dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            dom.destroy()
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.memoryParameters(libvirt.VIR_DOMAIN_AFFECT_LIVE)
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
            self.assertIn("domain is not running", str(cm.exception))
        finally:
            conn.close()


class BusMemtune(VirtbusTestCase):

    def test_get_and_set(self):
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        params = dom.GetMemoryParameters(0)
        self.assertEqual({str(k): int(v) for k, v in params.items()},
                         {"hard_limit": UNLIMITED, "soft_limit": UNLIMITED, "swap_hard_limit": UNLIMITED})
        dom.SetMemoryParameters({"hard_limit": dbus.UInt64(1024, variant_level=1),
                                 "swap_hard_limit": dbus.UInt64(4096, variant_level=1)}, 0)
        params = dom.GetMemoryParameters(0)
        self.assertEqual(int(params["hard_limit"]), 1024)
        self.assertEqual(int(params["swap_hard_limit"]), 4096)
        # checked whole: nothing changes
        self.assertDBusError(LIBVIRT_ERROR, dom.SetMemoryParameters,
                             {"hard_limit": dbus.UInt64(8192, variant_level=1)}, 0,
                             message="invalid argument: memory hard_limit tunable value must be lower than or equal "
                                     "to swap_hard_limit")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetMemoryParameters,
                             {"bogus": dbus.UInt64(1, variant_level=1)}, 0,
                             message="argument unsupported: parameter 'bogus' not supported")
        self.assertDBusError(LIBVIRT_ERROR, dom.SetMemoryParameters,
                             {"soft_limit": dbus.String("x", variant_level=1)}, 0,
                             message="invalid argument: invalid type for parameter 'soft_limit', expected 'ullong'")
        self.assertEqual(int(dom.GetMemoryParameters(0)["hard_limit"]), 1024)


class BusSchedinfo(VirtbusTestCase):
    """Domain.Get/SetSchedulerParameters reach the same core verbs as virsh schedinfo."""

    def test_get_and_set_as_libvirt(self):
        import libvirt
        theirs = libvirt.open("test:///default").lookupByName("test")
        dom = self.iface(TEST_DOMAIN_PATH, DOMAIN)
        params = dom.GetSchedulerParameters(0)
        self.assertEqual({str(k): int(v) for k, v in params.items()}, theirs.schedulerParameters())
        # libvirt's test driver checks a change and keeps nothing
        dom.SetSchedulerParameters({"weight": dbus.UInt32(10, variant_level=1)}, 0)
        theirs.setSchedulerParameters({"weight": 10})
        self.assertEqual({str(k): int(v) for k, v in dom.GetSchedulerParameters(0).items()},
                         theirs.schedulerParameters())
        # (python3-libvirt refuses an unknown name itself; libvirt's drivers say this)
        self.assertDBusError(LIBVIRT_ERROR, dom.SetSchedulerParameters,
                             {"bogus": dbus.UInt32(10, variant_level=1)}, 0,
                             message="argument unsupported: parameter 'bogus' not supported")


if __name__ == "__main__":
    testmain.main()
