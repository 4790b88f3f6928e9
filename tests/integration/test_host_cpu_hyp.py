#!/usr/bin/python3
"""test_host_cpu_hyp.py: virsh hypervisor-cpu-compare / hypervisor-cpu-baseline and python3-libvirt compareHypervisorCPU / baselineHypervisorCPU on the QEMU connection. The hypervisor's CPU under TCG is QEMU's "max" model; the oracle for its features (and every model's) is QEMU itself, asked here over its own QMP (query-cpu-model-expansion); the argument checks are libvirt's texts."""

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402
from test_host_cpu_compare import QEMU_TO_LIBVIRT, WAIT, cpu_xml, qemu_expansions  # noqa: E402


def libvirt_name(f):
    return QEMU_TO_LIBVIRT.get(f, f)


class HypervisorCpu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.tmp = Path(tempfile.mkdtemp(prefix="virtbus-hypcpu-"))
        cls.exp, cls.names = qemu_expansions(["max", "qemu64"])
        cls.max = cls.exp["max"]
        # a feature QEMU knows that its TCG "max" CPU does not give
        cls.missing = sorted(cls.names - cls.max)[0]

    @classmethod
    def tearDownClass(cls):
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def file(self, name, text):
        p = self.tmp / name
        p.write_text(text)
        return str(p)

    def virsh(self, cmd):
        return remote_harness.run_virsh(self.uri, cmd, timeout=WAIT, env=self.daemon.client_env())

    def test_compare(self):
        self.assertTrue(self.exp["qemu64"] <= self.max)
        extra = [libvirt_name(f) for f in sorted(self.max - self.exp["qemu64"])]
        cases = [("superset", cpu_xml("qemu64")),
                 ("incompatible", cpu_xml("qemu64", require=[libvirt_name(self.missing)])),
                 ("incompatible", cpu_xml("qemu64", forbid=["sse2"])),
                 ("identical", cpu_xml("qemu64", require=extra))]
        want = {"superset": "The CPU provided by hypervisor on the host is a superset of CPU described in %s\n\n",
                "identical": "CPU described in %s is identical to the CPU provided by hypervisor on the host\n\n",
                "incompatible": "CPU described in %s is incompatible with the CPU provided by hypervisor on the "
                                "host\n\n"}
        for i, (word, xml) in enumerate(cases):
            path = self.file("cmp%d.xml" % i, xml)
            p = self.virsh("hypervisor-cpu-compare %s --virttype qemu --arch x86_64 --machine pc" % path)
            self.assertEqual(p.stdout, want[word] % path, p.stderr + xml)
        p = self.virsh("hypervisor-cpu-compare --error " + self.file("cmp1.xml", cases[1][1]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: the CPU is incompatible with host CPU", p.stderr)
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.uri)
        try:
            self.assertEqual(conn.compareHypervisorCPU(None, None, None, None, cases[0][1], 0),
                             libvirt.VIR_CPU_COMPARE_SUPERSET)
            self.assertEqual(conn.compareHypervisorCPU("/usr/bin/qemu-system-x86_64", "x86_64", None, "qemu",
                                                       cases[3][1], 0), libvirt.VIR_CPU_COMPARE_IDENTICAL)
        finally:
            conn.close()

    def test_arguments_refused(self):
        path = self.file("plain.xml", cpu_xml("qemu64"))
        for args, text in (("--arch aarch64", "Emulator '/usr/bin/qemu-system-x86_64' does not support arch 'aarch64'"),
                           ("--machine nosuch", "the machine 'nosuch' is not supported by emulator"),
                           ("--virttype xen", "unknown virttype: xen"),
                           ("--emulator /usr/bin/qemu-system-aarch64", "are not known (only the configured emulator is probed)")):
            p = self.virsh("hypervisor-cpu-compare %s %s" % (path, args))
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(text, p.stderr, args)
        p = self.virsh("hypervisor-cpu-compare %s --virttype kvm" % path)
        self.assertEqual(p.returncode, 1)
        self.assertTrue("the accel 'kvm' is not supported" in p.stderr or
                        "does not support reporting CPU model for virttype 'kvm'" in p.stderr, p.stderr)
        p = self.virsh("hypervisor-cpu-compare " + self.file("bad.xml", cpu_xml("NoSuchModel")))
        self.assertIn("Unknown CPU model NoSuchModel", p.stderr)

    def test_baseline(self):
        # two CPUs: what both have and the hypervisor gives, on a usable model QEMU has
        a = cpu_xml("qemu64", require=["sse4.1" if "sse4.1" in self.max else "pni"]).replace("<cpu>", "<cpu>", 1)
        b = cpu_xml("qemu64")
        both = self.file("two.xml", a.replace("<arch>x86_64</arch>", "") + b.replace("<arch>x86_64</arch>", ""))
        p = self.virsh("hypervisor-cpu-baseline %s --virttype qemu --features" % both)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<model fallback='allow'>qemu64</model>", p.stdout)
        got = {line.split("name='")[1].split("'")[0] for line in p.stdout.splitlines() if "<feature" in line}
        self.assertEqual(got, {libvirt_name(f) for f in self.exp["qemu64"]})
        # a feature the hypervisor lacks never comes back, even when every CPU has it
        odd = cpu_xml("qemu64", require=[libvirt_name(self.missing)]).replace("<arch>x86_64</arch>", "")
        p = self.virsh("hypervisor-cpu-baseline %s --features" % self.file("odd.xml", odd + odd))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("name='%s'" % libvirt_name(self.missing), p.stdout)
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.uri)
        try:
            out = conn.baselineHypervisorCPU(None, "x86_64", None, "qemu", [b], 0)
            self.assertIn("qemu64</model>", out)
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.baselineHypervisorCPU(None, None, None, None, [b], 0x10)
            self.assertIn("unsupported flags (0x10) in function virConnectBaselineHypervisorCPU",
                          cm.exception.get_error_message())
        finally:
            conn.close()

    def test_test_connection_not_supported(self):
        # libvirt's test driver has neither call; the Test connection neither
        path = self.file("t.xml", cpu_xml("qemu64"))
        ours = remote_harness.run_virsh(self.daemon.uri("unix"), "hypervisor-cpu-compare " + path,
                                        env=self.daemon.client_env())
        theirs = remote_harness.run_virsh("test:///default", "hypervisor-cpu-compare " + path)
        self.assertEqual((ours.returncode, ours.stderr), (theirs.returncode, theirs.stderr))


if __name__ == "__main__":
    from testmain import main
    main()
