#!/usr/bin/python3
"""fake-machined.py BUS_ADDRESS RECORD_FILE: a stand-in for org.freedesktop.machine1 on a private bus
that records each call's member and arguments (one JSON line each) and answers as machined does
(an object path, or nothing). It checks call shapes only: no scope, no cgroup, no machinectl."""
import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.freedesktop.machine1.Manager"


class Manager(dbus.service.Object):
    def __init__(self, bus, record):
        super().__init__(bus, "/org/freedesktop/machine1")
        self.record = record

    def log(self, member, args):
        with open(self.record, "a") as f:
            f.write(json.dumps([member] + args) + "\n")

    @dbus.service.method(IFACE, in_signature="sayssusai", out_signature="o")
    def RegisterMachineWithNetwork(self, name, uuid, service, cls, leader, root, ifindices):
        self.log("RegisterMachineWithNetwork",
                 [str(name), bytes(uuid).hex(), str(service), str(cls), int(leader), str(root), [int(i) for i in ifindices]])
        return dbus.ObjectPath("/org/freedesktop/machine1/machine/" + "".join(c for c in name if c.isalnum()))

    @dbus.service.method(IFACE, in_signature="s", out_signature="")
    def TerminateMachine(self, name):
        self.log("TerminateMachine", [str(name)])


DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
m = Manager(bus, sys.argv[2])
busname = dbus.service.BusName("org.freedesktop.machine1", bus)  # kept: the name goes with it
with open(sys.argv[2] + ".ready", "w"):
    pass
GLib.MainLoop().run()
