"""pci_check.py: where QEMU really put a device (query-pci through virsh qemu-monitor-command) against the <address> the live XML gives it."""

import json
import xml.etree.ElementTree as ET


def qemu_place(query_pci, qdev_id):
    """(XML bus index, slot) of the device qdev_id in query-pci's answer: bus 0 for the root
    bus, N behind the bridge "pci.N" (a pcie-root-port or pcie-to-pci-bridge)."""
    def walk(devices, index):
        for dev in devices:
            if dev.get("qdev_id") == qdev_id:
                return index, dev["slot"]
            bridge = dev.get("pci_bridge")
            if bridge and dev.get("qdev_id", "").startswith("pci."):
                found = walk(bridge.get("devices", []), int(dev["qdev_id"][4:]))
                if found:
                    return found
        return None
    for bus in query_pci:
        found = walk(bus.get("devices", []), 0)
        if found:
            return found
    return None


def xml_place(domain_xml, tag, match):
    """(bus, slot) of the <address type='pci'> of the first <tag> for which match(element)."""
    for dev in ET.fromstring(domain_xml).find("devices").findall(tag):
        if match(dev):
            a = dev.find("address")
            if a is None or a.get("type") != "pci":
                return None
            assert a.get("domain") == "0x0000" and a.get("function") == "0x0", ET.tostring(a)
            return int(a.get("bus"), 16), int(a.get("slot"), 16)
    return None


def assert_live_address(test, virsh, name, tag, match, qdev_id):
    """The live XML names the place QEMU has the device at."""
    live = xml_place(virsh("dumpxml %s" % name), tag, match)
    out = virsh("qemu-monitor-command %s '{\"execute\":\"query-pci\"}'" % name)
    test.assertIsNotNone(live, "no PCI <address> for %s in the live XML" % qdev_id)
    test.assertEqual(live, qemu_place(json.loads(out)["return"], qdev_id))
    return live
