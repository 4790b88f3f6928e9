#!/usr/bin/python3
"""test_nodedev_events.py: node device lifecycle events on qemu:///session from the kernel's uevents: in private network and mount namespaces (sysfs mounted again there, so /sys/class/net is the namespace's), creating, renaming and deleting veth interfaces (this kernel has no dummy module) makes `virsh nodedev-event --loop --event lifecycle`, python3-libvirt's callbacks and D-Bus Connect.NodeDeviceEvent say created/deleted for net_<name>_<mac>, and nodedev-list follows.

    /usr/bin/python3 tests/integration/test_nodedev_events.py -v   (root: unshare -n -m)
"""

import os
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import remote_harness  # noqa: E402
import test_qemu_lifecycle as lifecycle  # noqa: E402

NS_ENV = "VIRTBUS_NODEDEV_NS"
QEMU_PATH = "/org/libvirt/QEMU"
EVENT_TIMEOUT = 60      # generous: a loaded 2-core machine
CREATED, DELETED = 0, 1


def enter_namespace():
    if os.environ.get(NS_ENV) == "1":
        return
    if os.geteuid() != 0:
        import testmain
        testmain.skip_program("needs root (network and mount namespaces)")
    env = dict(os.environ, **{NS_ENV: "1"})
    os.execvpe("unshare", ["unshare", "-m", "-n", "--propagation", "private", sys.executable] + sys.argv, env)


def sh(*argv):
    return subprocess.run(list(argv), capture_output=True, text=True, check=True)


def own_sysfs():
    """A /sys of this network namespace; the cgroup mounts under it are moved back."""
    keep = Path("/run/nodedev-events-cgroup")
    keep.mkdir(exist_ok=True)
    sh("mount", "--rbind", "/sys/fs/cgroup", str(keep))
    sh("mount", "-t", "sysfs", "sysfs", "/sys")
    sh("mount", "--move", str(keep), "/sys/fs/cgroup")


def devname(ifname):
    mac = Path("/sys/class/net/%s/address" % ifname).read_text().strip()
    return "net_%s_%s" % (ifname, mac.replace(":", "_"))


def wait_for(what, fn, timeout=EVENT_TIMEOUT):
    return lifecycle.wait_for(what, fn, timeout)


class NodedevEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        own_sysfs()
        sh("ip", "link", "set", "lo", "up")
        cls.daemon = remote_harness.RemoteDaemon(tcp=False)
        cls.daemon.start()
        cls.uri = "qemu+unix:///session?socket=%s" % cls.daemon.sock
        # virsh's own event loop, printing each event as it comes
        cls.virsh_out = []
        cls.virsh = subprocess.Popen([remote_harness.VIRSH, "-c", cls.uri, "nodedev-event", "--loop", "--event",
                                      "lifecycle"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=cls.daemon.client_env())
        threading.Thread(target=lambda: [cls.virsh_out.append(line) for line in cls.virsh.stdout],
                         daemon=True).start()
        # python3-libvirt
        cls.libvirt = remote_harness.start_event_loop()
        cls.conn = cls.libvirt.open(cls.uri)
        cls.py_events = []
        cls.conn.nodeDeviceEventRegisterAny(
            None, cls.libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
            lambda c, dev, event, detail, o: cls.py_events.append((dev.name(), event)), None)
        # D-Bus, with a GLib loop pumped by the test
        import dbus
        import dbus.mainloop.glib
        cls.dbus = dbus
        cls.bus = dbus.bus.BusConnection(cls.daemon.bus_address)
        cls.bus_signals = harness.BusSignals(cls.daemon.bus_address)
        cls.bus_events = []
        cls.bus_signals.add_signal_receiver(lambda path, event, detail: cls.bus_events.append((str(path), int(event))),
                                    signal_name="NodeDeviceEvent", dbus_interface=harness.CONNECT)
        # virsh registers asynchronously: a veth pair that comes and goes until it has seen one
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not any("warmup0" in line for line in cls.virsh_out):
            if time.monotonic() > deadline:
                raise AssertionError("virsh nodedev-event printed nothing: %s" % cls.virsh_out)
            sh("ip", "link", "add", "warmup0", "type", "veth", "peer", "name", "warmup1")
            time.sleep(0.5)
            sh("ip", "link", "del", "warmup0")
            time.sleep(0.5)

    @classmethod
    def tearDownClass(cls):
        cls.virsh.terminate()
        cls.virsh.wait()
        try:
            cls.conn.close()
        except Exception:
            pass
        cls.bus.close()
        cls.bus_signals.close()
        alive = cls.daemon.alive()
        log = cls.daemon.log()
        code = cls.daemon.stop()
        assert alive and code == 0, "virtbusd died or did not exit cleanly:\n" + log

    def bus_pump(self):
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass

    def virsh_saw(self, name, word):
        return any("for node device %s: %s" % (name, word) in line for line in self.virsh_out)

    def bus_saw(self, path, event):
        self.bus_pump()
        return (path, event) in self.bus_events

    def nodedev_list(self):
        p = remote_harness.run_virsh(self.uri, "nodedev-list --cap net", env=self.daemon.client_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split()

    def bus_path(self, name):
        connect = self.bus.get_object(harness.BUS_NAME, QEMU_PATH)
        return str(self.dbus.Interface(connect, harness.CONNECT).NodeDeviceLookupByName(name))

    def test_created_deleted_all_doors(self):
        sh("ip", "link", "add", "vbone0", "type", "veth", "peer", "name", "vbone1")
        name = devname("vbone0")
        wait_for("virsh: %s created" % name, lambda: self.virsh_saw(name, "Created"))
        wait_for("python: %s created" % name, lambda: (name, CREATED) in self.py_events)
        self.assertIn(name, self.nodedev_list())
        path = self.bus_path(name)
        wait_for("D-Bus NodeDeviceEvent created", lambda: self.bus_saw(path, CREATED))
        sh("ip", "link", "del", "vbone0")
        wait_for("virsh: %s deleted" % name, lambda: self.virsh_saw(name, "Deleted"))
        wait_for("python: %s deleted" % name, lambda: (name, DELETED) in self.py_events)
        wait_for("D-Bus NodeDeviceEvent deleted", lambda: self.bus_saw(path, DELETED))
        self.assertNotIn(name, self.nodedev_list())
        # one event each: nothing twice
        self.assertEqual([e for e in self.py_events if e[0] == name], [(name, CREATED), (name, DELETED)])

    def test_veth_pair_and_filter(self):
        sh("ip", "link", "add", "vbveth0", "type", "veth", "peer", "name", "vbveth1")
        a, b = devname("vbveth0"), devname("vbveth1")
        for n in (a, b):
            wait_for("virsh: %s created" % n, lambda: self.virsh_saw(n, "Created"))
        self.assertTrue({a, b} <= set(self.nodedev_list()))
        # a callback for one device hears about that one only
        only = []
        dev = self.conn.nodeDeviceLookupByName(a)
        cb = self.conn.nodeDeviceEventRegisterAny(dev, self.libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                                  lambda c, d, event, detail, o: only.append((d.name(), event)),
                                                  None)
        sh("ip", "link", "del", "vbveth0")      # takes its peer along
        for n in (a, b):
            wait_for("virsh: %s deleted" % n, lambda: self.virsh_saw(n, "Deleted"))
        wait_for("the filtered callback", lambda: only)
        self.conn.nodeDeviceEventDeregisterAny(cb)
        self.assertEqual(only, [(a, DELETED)])
        listed = self.nodedev_list()
        self.assertNotIn(a, listed)
        self.assertNotIn(b, listed)

    def test_rename_is_deleted_then_created(self):
        sh("ip", "link", "add", "vbold0", "type", "veth", "peer", "name", "vbpeer0")
        old = devname("vbold0")
        wait_for("virsh: %s created" % old, lambda: self.virsh_saw(old, "Created"))
        sh("ip", "link", "set", "vbold0", "name", "vbnew0")
        new = devname("vbnew0")
        wait_for("virsh: %s deleted" % old, lambda: self.virsh_saw(old, "Deleted"))
        wait_for("virsh: %s created" % new, lambda: self.virsh_saw(new, "Created"))
        sh("ip", "link", "del", "vbnew0")
        wait_for("virsh: %s deleted" % new, lambda: self.virsh_saw(new, "Deleted"))


if __name__ == "__main__":
    enter_namespace()
    from testmain import main
    main()
