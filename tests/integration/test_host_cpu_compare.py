#!/usr/bin/python3
"""test_host_cpu_compare.py: virsh cpu-compare / cpu-baseline, python3-libvirt compareCPU /
baselineCPU and D-Bus Connect.CompareCPU / BaselineCPU on the QEMU connection. The oracle for the
CPU models' features is QEMU itself (query-cpu-model-expansion, asked here over its own QMP), the
host's is /proc/cpuinfo; texts and errors are libvirt's (libvirt's test driver for the shared ones)."""

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import dbus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness  # noqa: E402

WAIT = 240      # the first request waits for QEMU's capabilities probe (up to 90 s under load)
LINUX_TO_QEMU = {"sse4_1": "sse4.1", "sse4_2": "sse4.2", "tsc_deadline_timer": "tsc-deadline",
                 "cr8_legacy": "cr8legacy", "avx512_vbmi2": "avx512vbmi2", "avx512_vnni": "avx512vnni",
                 "avx512_bitalg": "avx512bitalg"}
QEMU_TO_LIBVIRT = {"lahf-lm": "lahf_lm", "pclmulqdq": "pclmuldq", "cmp-legacy": "cmp_legacy",
                   "fxsr-opt": "fxsr_opt", "ds-cpl": "ds_cpl", "tsc-adjust": "tsc_adjust",
                   "perfctr-core": "perfctr_core", "perfctr-nb": "perfctr_nb", "nodeid-msr": "nodeid_msr"}


def qemu_expansions(models):
    """{model: set of features on} and the set of every feature name, from QEMU's own QMP."""
    cmds = ['{"execute":"qmp_capabilities"}']
    cmds += [json.dumps({"execute": "query-cpu-model-expansion", "id": m,
                         "arguments": {"type": "static", "model": {"name": m}}}) for m in models]
    p = subprocess.run(["qemu-system-x86_64", "-S", "-no-user-config", "-nodefaults", "-nographic",
                        "-machine", "none,accel=tcg", "-qmp", "stdio"],
                       input="\n".join(cmds + ['{"execute":"quit"}']) + "\n",
                       capture_output=True, text=True, timeout=WAIT)
    out, names = {}, set()
    for line in p.stdout.splitlines():
        msg = json.loads(line)
        if "return" in msg and msg.get("id") in models:
            props = msg["return"]["model"]["props"]
            out[msg["id"]] = {k for k, v in props.items() if v is True}
            names |= {k for k, v in props.items() if isinstance(v, bool)}
    return out, names


def host_features(names):
    flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    mapped = {LINUX_TO_QEMU.get(f, f.replace("_", "-")) for f in flags.split(":", 1)[1].split()}
    return mapped & names


def cpu_xml(model, require=(), forbid=(), vendor=None, host=False, disable=()):
    lines = ["<cpu>", "  <arch>x86_64</arch>", "  <model>%s</model>" % model]
    if vendor:
        lines.append("  <vendor>%s</vendor>" % vendor)
    for f in require:
        lines.append(("  <feature name='%s'/>" if host else "  <feature policy='require' name='%s'/>") % f)
    for f in forbid:
        lines.append("  <feature policy='forbid' name='%s'/>" % f)
    for f in disable:
        lines.append("  <feature policy='disable' name='%s'/>" % f)
    return "\n".join(lines + ["</cpu>"]) + "\n"


class CpuCompareBaseline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        cls.test_uri = cls.daemon.uri("unix")
        cls.tmp = Path(tempfile.mkdtemp(prefix="virtbus-cpu-"))
        models = [m for m in remote_harness.run_virsh("test:///default", "cpu-models x86_64").stdout.split()
                  if m in ("qemu64", "kvm64", "Westmere", "Nehalem", "Penryn", "Conroe", "Haswell",
                           "SandyBridge", "EPYC", "Opteron_G1", "Opteron_G2")]
        cls.exp, cls.names = qemu_expansions(models)
        cls.host = host_features(cls.names)
        # The model closest to the host (what it lacks is turned off below: this VM's CPU, for
        # one, has no mtrr), and a feature QEMU knows that the host lacks.
        cls.fit = min(cls.exp, key=lambda m: (len(cls.exp[m] - cls.host), -len(cls.exp[m])))
        cls.off = sorted(QEMU_TO_LIBVIRT.get(f, f) for f in cls.exp[cls.fit] - cls.host)
        cls.missing = next(f for f in ("vmx", "svm", "avx512-fp16", "amx-tile") if f in cls.names and f not in cls.host)

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

    def virsh(self, cmd, uri=None):
        return remote_harness.run_virsh(uri or self.uri, cmd, timeout=WAIT, env=self.daemon.client_env())

    def test_compare(self):
        extra = sorted(self.host - self.exp[self.fit])
        on = sorted(self.exp[self.fit] & self.host)
        cases = [("superset", cpu_xml(self.fit, disable=self.off)),
                 ("incompatible", cpu_xml(self.fit, require=[self.missing], disable=self.off)),
                 ("incompatible", cpu_xml(self.fit, forbid=[QEMU_TO_LIBVIRT.get(on[0], on[0])], disable=self.off))]
        if self.off:    # the model as it is asks for what the host lacks
            cases.append(("incompatible", cpu_xml(self.fit)))
        if extra:       # the whole host: the model plus every feature it lacks
            cases.append(("identical", cpu_xml(self.fit, require=[QEMU_TO_LIBVIRT.get(f, f) for f in extra],
                                               disable=self.off)))
        for i, (word, xml) in enumerate(cases):
            path = self.file("cmp%d.xml" % i, xml)
            p = self.virsh("cpu-compare " + path)
            want = {"superset": "Host CPU is a superset of CPU described in %s\n\n",
                    "identical": "CPU described in %s is identical to host CPU\n\n",
                    "incompatible": "CPU described in %s is incompatible with host CPU\n\n"}[word]
            self.assertEqual(p.stdout, want % path, p.stderr + xml)
        p = self.virsh("cpu-compare --error " + self.file("cmp1.xml", cases[1][1]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: the CPU is incompatible with host CPU", p.stderr)
        # python3-libvirt and D-Bus get the same numbers (libvirt's virCPUCompareResult)
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.uri)
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        try:
            self.assertEqual(conn.compareCPU(cases[0][1], 0), libvirt.VIR_CPU_COMPARE_SUPERSET)
            self.assertEqual(conn.compareCPU(cases[1][1], 0), libvirt.VIR_CPU_COMPARE_INCOMPATIBLE)
            self.assertEqual(int(connect.CompareCPU(cases[0][1], 0, timeout=WAIT)), 2)
            self.assertEqual(int(connect.CompareCPU(cases[1][1], 0, timeout=WAIT)), 0)
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.compareCPU(cpu_xml("NoSuchModel"), 0)
            self.assertEqual(cm.exception.get_error_message(), "internal error: Unknown CPU model NoSuchModel")
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                connect.CompareCPU(cases[0][1], 0x10, timeout=WAIT)
            self.assertIn("unsupported flags (0x10) in function virConnectCompareCPU", cm.exception.get_dbus_message())
        finally:
            conn.close()
        # libvirt's test driver has no CompareCPU; neither has the Test connection
        theirs = remote_harness.run_virsh("test:///default", "cpu-compare " + self.file("c0.xml", cases[0][1]))
        ours = self.virsh("cpu-compare " + self.file("c0.xml", cases[0][1]), uri=self.test_uri)
        self.assertEqual((ours.returncode, ours.stdout, ours.stderr), (theirs.returncode, theirs.stdout, theirs.stderr))

    def test_baseline_of_one_cpu_is_itself(self):
        # as libvirt's test driver answers, byte for byte (its model names are QEMU's)
        for xml in (cpu_xml("Haswell", require=["vmx"], vendor="Intel"), cpu_xml("Westmere", require=["bogus"]),
                    cpu_xml("Bogus"), "<cpu mode='custom' match='exact'><model>Westmere</model></cpu>\n"):
            path = self.file("one.xml", xml)
            theirs = remote_harness.run_virsh("test:///default", "cpu-baseline " + path)
            ours = self.virsh("cpu-baseline " + path)
            self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                             (theirs.returncode, theirs.stdout, theirs.stderr), xml)

    def test_baseline_of_two_cpus(self):
        a = cpu_xml("Haswell", vendor="Intel", require=["vmx"], host=True)
        b = cpu_xml("Westmere", vendor="Intel", require=["pdpe1gb"], host=True)
        common = (self.exp["Haswell"] | {"vmx"}) & (self.exp["Westmere"] | {"pdpe1gb"})
        # the largest of QEMU's models all of the common features include
        best = max((m for m in self.exp if self.exp[m] <= common), key=lambda m: len(self.exp[m]))
        want_extra = sorted(QEMU_TO_LIBVIRT.get(f, f) for f in common - self.exp[best])
        want = ("<cpu mode='custom' match='exact'>\n  <model fallback='allow'>%s</model>\n  <vendor>Intel</vendor>\n"
                % best + "".join("  <feature policy='require' name='%s'/>\n" % f for f in want_extra) + "</cpu>\n")
        path = self.file("two.xml", "<capabilities><host>\n%s%s</host></capabilities>\n" % (a, b))
        p = self.virsh("cpu-baseline " + path)
        self.assertEqual((p.returncode, p.stdout), (0, want + "\n"), p.stderr)
        p = self.virsh("cpu-baseline --features " + path)
        feats = [line.split("name='")[1].split("'")[0] for line in p.stdout.splitlines() if "<feature" in line]
        self.assertEqual(feats, sorted(QEMU_TO_LIBVIRT.get(f, f) for f in common))
        p = self.virsh("cpu-baseline --migratable " + path)
        self.assertIn("unsupported flags (0x2) in function virConnectBaselineCPU", p.stderr)
        libvirt = remote_harness.libvirt_module()
        conn = libvirt.open(self.uri)
        try:
            self.assertEqual(conn.baselineCPU([a, b], 0), want)
        finally:
            conn.close()
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        connect = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        self.assertEqual(str(connect.BaselineCPU([a, b], 0, timeout=WAIT)), want)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            connect.BaselineCPU(dbus.Array([], signature="s"), 0, timeout=WAIT)
        self.assertIn("nothing to baseline", cm.exception.get_dbus_message())


if __name__ == "__main__":
    remote_harness.main()
