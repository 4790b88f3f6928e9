"""test_qemu_iothreads.py: a real TCG guest's IOThreads (issue 13): <iothreads>/<iothreadids>, a virtio disk served by
one, <cputune><iothreadpin>; virsh iothreadinfo, iothreadadd, iothreaddel, iothreadpin and iothreadset, python3-libvirt
and the D-Bus door's AddIOThread, DelIOThread, PinIOThread and GetIOThreadInfo.

    /usr/bin/python3 tests/integration/test_qemu_iothreads.py -v

qemu:///session with qemu.conf's cgroup_controllers, as test_qemu_pin.py. Checked from the host's side too: QEMU's
threads named "IO iothreadN" (debug-threads=on) exist or are gone, their Cpus_allowed_list in
/proc/PID/task/TID/status and the IOThread's cgroup (GROUP/iothreadN). Needs root and 2 host CPUs.
"""

import json
import os
import shutil
import sys
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "guest"))
import guest  # noqa: E402
import harness  # noqa: E402
import test_qemu_lifecycle as lc  # noqa: E402
import test_qemu_pin as pin  # noqa: E402
import testmain  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <iothreads>2</iothreads>
  <cputune>
    <iothreadpin iothread='2' cpuset='1'/>
  </cputune>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' iothread='2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class IothreadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (cgroups)")
        if not shutil.which("qemu-system-x86_64"):
            raise unittest.SkipTest("qemu-system-x86_64 is not installed")
        if os.cpu_count() < 2:
            raise unittest.SkipTest("needs 2 host CPUs")
        cls.image = guest.build()
        cls.daemon = lc.QemuDaemon()
        conf_dir = cls.daemon.tmp / "xdg_config_home" / "virtbus"
        conf_dir.mkdir(parents=True)
        (conf_dir / "qemu.conf").write_text('# written by test_qemu_iothreads.py\n'
                                            'cgroup_controllers = [ "cpu", "cpuacct", "memory", "cpuset" ]\n')
        cls.daemon.start()
        cls.name = "vbiot-%d" % os.getpid()
        cls.group = "machine.slice/virtbus-qemu-%s.scope" % cls.name
        disk = cls.daemon.tmp / "disk.img"
        with open(disk, "wb") as f:
            f.truncate(8 << 20)
        xml = cls.daemon.tmp / "iot.xml"
        xml.write_text(DOMAIN_XML.format(name=cls.name, kernel=cls.image.kernel, initrd=cls.image.initrd,
                                         append=cls.image.append, disk=disk))
        p = cls.daemon.virsh("unix", "define %s" % xml)
        if p.returncode != 0:
            cls.daemon.stop()
            raise RuntimeError("define failed: %s" % p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.virsh("unix", "destroy %s" % cls.name)
        if cls.daemon.keep:
            print("kept %s" % cls.daemon.tmp, file=sys.stderr)
        cls.daemon.stop()

    def virsh(self, cmd, check=True):
        p = self.daemon.virsh("unix", cmd, timeout=60)
        if check and p.returncode != 0:
            self.fail("virsh %s failed (%d): %s\n%s" % (cmd, p.returncode, p.stderr, self.daemon.log()[-4000:]))
        return p

    def virsh_fails(self, cmd, message):
        p = self.virsh(cmd, check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(message, p.stderr)

    def qemu_pid(self):
        f = self.daemon.tmp / "xdg_runtime_dir" / "virtbus" / "qemu" / ("%s.runtime.json" % self.name)
        return json.loads(f.read_text())["pid"]

    def iothread_tids(self):
        """QEMU's IOThreads by id, from their thread names."""
        pid, out = self.qemu_pid(), {}
        for t in os.listdir("/proc/%d/task" % pid):
            name = pin.comm(pid, int(t))
            if name.startswith("IO iothread"):
                out[int(name[len("IO iothread"):])] = int(t)
        return out

    def info(self, args=""):
        """virsh iothreadinfo as {id: cpu list}."""
        out = {}
        for line in self.virsh("iothreadinfo %s %s" % (self.name, args)).stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit():
                out[int(parts[0])] = parts[1]
        return out

    def xml_iothreads(self, inactive):
        root = ET.fromstring(self.virsh("dumpxml %s%s" % ("--inactive " if inactive else "", self.name)).stdout)
        ids = [int(e.get("id")) for e in root.findall("iothreadids/iothread")]
        pins = {int(e.get("iothread")): e.get("cpuset") for e in root.findall("cputune/iothreadpin")}
        return int(root.findtext("iothreads", "0")), ids, pins

    def test_01_start_with_iothreads(self):
        """<iothreads>2: QEMU runs IOThreads 1 and 2, the disk on 2, which is pinned to CPU 1 in its cgroup."""
        self.assertEqual(self.info("--config"), {1: "0-1", 2: "1"})
        self.virsh("start %s" % self.name)
        tids = self.iothread_tids()
        self.assertEqual(sorted(tids), [1, 2])
        pid = self.qemu_pid()
        self.assertEqual(pin.allowed(pid, tids[2]), "1")
        self.assertEqual(pin.tasks("cpu", self.group + "/iothread2"), [tids[2]])
        self.assertEqual(pin.tasks("cpu", self.group + "/iothread1"), [tids[1]])
        # IOThreads are not emulator threads
        self.assertNotIn(tids[2], pin.tasks("cpu", self.group + "/emulator"))
        self.assertEqual(pin.cgfile("cpuset", self.group + "/iothread2", "cpuset.cpus").read_text().strip(), "1")
        self.assertEqual(self.info(), {1: "0-1", 2: "1"})

    def test_02_add_and_delete(self):
        self.virsh("iothreadadd %s 5" % self.name)
        for _ in range(100):        # the thread starts as object-add returns; give it a moment to be named
            if 5 in self.iothread_tids():
                break
            time.sleep(0.1)
        self.assertEqual(sorted(self.iothread_tids()), [1, 2, 5])
        self.assertEqual(sorted(self.info()), [1, 2, 5])
        self.assertEqual(self.xml_iothreads(False)[:2], (3, [1, 2, 5]))
        # the persistent definition did not change
        self.assertEqual(self.xml_iothreads(True), (2, [], {2: "1"}))
        self.virsh_fails("iothreadadd %s 5" % self.name, "an IOThread is already using iothread_id '5'")
        self.virsh_fails("iothreaddel %s 2" % self.name, "cannot remove IOThread 2 since it is being used by disk 'vda'")
        self.virsh_fails("iothreaddel %s 9" % self.name, "cannot find IOThread '9' in iothreadids list")
        self.virsh("iothreaddel %s 1" % self.name)
        self.assertEqual(sorted(self.iothread_tids()), [2, 5])
        self.assertEqual(self.xml_iothreads(False)[:2], (2, [2, 5]))
        # --config: the persistent definition alone
        self.virsh("iothreadadd %s 7 --config" % self.name)
        self.assertEqual(self.xml_iothreads(True)[:2], (3, [1, 2, 7]))
        self.assertEqual(sorted(self.iothread_tids()), [2, 5])
        self.virsh("iothreaddel %s 7 --config" % self.name)
        self.assertEqual(self.xml_iothreads(True)[:2], (2, [1, 2]))

    def test_03_pin(self):
        tids, pid = self.iothread_tids(), self.qemu_pid()
        self.virsh("iothreadpin %s 5 0" % self.name)
        self.assertEqual(pin.allowed(pid, tids[5]), "0")
        self.assertEqual(pin.cgfile("cpuset", self.group + "/iothread5", "cpuset.cpus").read_text().strip(), "0")
        self.assertEqual(self.info()[5], "0")
        self.assertEqual(self.xml_iothreads(False)[2], {2: "1", 5: "0"})
        self.virsh("iothreadpin %s 2 0-1" % self.name)
        self.assertEqual(pin.allowed(pid, tids[2]), "0-1")
        self.virsh("iothreadpin %s 1 0 --config" % self.name)
        self.assertEqual(self.xml_iothreads(True)[2], {1: "0", 2: "1"})
        self.assertEqual(self.info("--config"), {1: "0", 2: "1"})
        self.virsh_fails("iothreadpin %s 9 0" % self.name, "iothread 9 not found")
        self.virsh_fails("iothreadpin %s 5 0 --config" % self.name, "iothreadid 5 not found")

    def test_04_set_polling(self):
        """iothreadset: qom-set on QEMU's iothread object, read back with qom-get through the monitor."""
        self.virsh("iothreadset %s 5 --poll-max-ns 12345 --poll-grow 3 --poll-shrink 2" % self.name)
        got = {}
        for prop in ("poll-max-ns", "poll-grow", "poll-shrink"):
            out = self.virsh("qemu-monitor-command %s '{\"execute\":\"qom-get\",\"arguments\":"
                             "{\"path\":\"/objects/iothread5\",\"property\":\"%s\"}}'" % (self.name, prop)).stdout
            got[prop] = json.loads(out)["return"]
        self.assertEqual(got, {"poll-max-ns": 12345, "poll-grow": 3, "poll-shrink": 2})
        self.virsh_fails("iothreadset %s 5 --poll-max-ns 1 --config" % self.name,
                         "configuring persistent polling values is not supported")
        self.virsh_fails("iothreadset %s 9 --poll-max-ns 1" % self.name, "cannot find IOThread '9' in iothreadids")

    def test_05_python_and_dbus(self):
        import dbus
        import libvirt
        conn = libvirt.open(self.daemon.uri())
        try:
            dom = conn.lookupByName(self.name)
            info = {i: tuple(m[:2]) for i, m in dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)}
            self.assertEqual(info, {2: (True, True), 5: (True, False)})
            dom.addIOThread(6, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            dom.pinIOThread(6, (False, True), libvirt.VIR_DOMAIN_AFFECT_LIVE)
            dom.setIOThreadParams(6, {"poll_max_ns": 777}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        finally:
            conn.close()
        deadline = time.monotonic() + 10
        while 6 not in self.iothread_tids() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(pin.allowed(self.qemu_pid(), self.iothread_tids()[6]), "1")
        bus = dbus.bus.BusConnection(self.daemon.bus_address)
        bconn = dbus.Interface(bus.get_object(harness.BUS_NAME, lc.QEMU_PATH), harness.CONNECT)
        bdom = dbus.Interface(bus.get_object(harness.BUS_NAME, bconn.DomainLookupByName(self.name)), harness.DOMAIN)
        live = dbus.UInt32(1)
        got = {int(i): [bool(b) for b in m][:2] for i, m in bdom.GetIOThreadInfo(live)}
        self.assertEqual(got, {2: [True, True], 5: [True, False], 6: [False, True]})
        bdom.PinIOThread(dbus.UInt32(6), dbus.Array([True, False], signature="b"), live)
        self.assertEqual(pin.allowed(self.qemu_pid(), self.iothread_tids()[6]), "0")
        bdom.DelIOThread(dbus.UInt32(6), live)
        self.assertNotIn(6, self.iothread_tids())
        bdom.AddIOThread(dbus.UInt32(8), live)
        self.assertEqual(sorted(int(i) for i, _ in bdom.GetIOThreadInfo(live)), [2, 5, 8])
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            bdom.AddIOThread(dbus.UInt32(0), live)      # (virsh refuses 0 itself)
        self.assertIn("invalid value of 0 for iothread_id", str(cm.exception))
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            bdom.DelIOThread(dbus.UInt32(2), live)
        self.assertIn("cannot remove IOThread 2 since it is being used by disk 'vda'", str(cm.exception))
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            bdom.PinIOThread(dbus.UInt32(8), dbus.Array([False, False], signature="b"), live)
        self.assertIn("Empty iothread cpumap list for pinning", str(cm.exception))
        bus.close()

    def test_06_refused_definitions(self):
        """The XML's checks, with libvirt's texts; a disk on an IOThread the guest lacks does not start."""
        bad = self.daemon.tmp / "bad.xml"
        base = DOMAIN_XML.format(name="vbiot-bad", kernel=self.image.kernel, initrd=self.image.initrd,
                                 append=self.image.append, disk=self.daemon.tmp / "disk.img")
        cases = [
            (base.replace("<iothreads>2</iothreads>", "<iothreads>x</iothreads>"), "invalid iothreads count 'x'"),
            (base.replace("<iothreads>2</iothreads>",
                          "<iothreads>2</iothreads><iothreadids><iothread id='3'/><iothread id='3'/></iothreadids>"),
             "duplicate iothread id '3' found"),
            (base.replace("iothread='2' cpuset='1'", "iothread='4' cpuset='1'"), "Cannot find 'iothread' : 4"),
            (base.replace("iothread='2' cpuset='1'", "iothread='2'"), "missing cpuset for iothreadpin"),
        ]
        for text, message in cases:
            bad.write_text(text)
            self.virsh_fails("define %s" % bad, message)
        bad.write_text(base.replace("<driver name='qemu' type='raw' iothread='2'/>",
                                    "<driver name='qemu' type='raw' iothread='3'/>"))
        self.virsh("define %s" % bad)
        try:
            self.virsh_fails("start vbiot-bad", "Disk iothread '3' not defined in iothreadid")
        finally:
            self.virsh("undefine vbiot-bad")


if __name__ == "__main__":
    testmain.main()
