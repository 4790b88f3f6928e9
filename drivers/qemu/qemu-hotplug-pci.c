/* qemu-hotplug-pci.c: where a hotplugged PCI device goes, read from QEMU's query-pci answer, and the <address> the live XML then shows, as libvirt writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "qemu-priv.h"

#define PCI_SLOTS 32
#define VIDEO_SLOT_PC 2                /* i440fx's primary video place, kept for a video card */

/* i440fx: the lowest slot of bus 0 QEMU has nothing in (slot 0 is the host bridge, 1 PIIX3). */
static bool free_slot_bus0(json_object *ret, unsigned *slot) {
        bool used[PCI_SLOTS] = { true, true };
        used[VIDEO_SLOT_PC] = true;
        size_t nb = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        for (size_t b = 0; b < nb; b++) {
                json_object *bus = json_object_array_get_idx(ret, b), *num, *devs;
                if (!json_object_object_get_ex(bus, "bus", &num) || json_object_get_int(num) != 0 ||
                    !json_object_object_get_ex(bus, "devices", &devs) || !json_object_is_type(devs, json_type_array))
                        continue;
                for (size_t i = 0; i < json_object_array_length(devs); i++) {
                        json_object *s;
                        if (json_object_object_get_ex(json_object_array_get_idx(devs, i), "slot", &s) &&
                            json_object_get_int(s) >= 0 && json_object_get_int(s) < PCI_SLOTS)
                                used[json_object_get_int(s)] = true;
                }
        }
        for (unsigned s = 0; s < PCI_SLOTS; s++)
                if (!used[s]) {
                        *slot = s;
                        return true;
                }
        return false;
}

bool qemu_hotplug_pci_place(json_object *ret, bool q35, QemuHotplugPci *p) {
        *p = (QemuHotplugPci) { 0 };
        if (q35) {
                /* q35's root complex takes no hotplug: slot 0 of an empty pcie-root-port "pci.N",
                 * whose index N is the bus the XML names. */
                if (!qemu_hotplug_free_root_port(ret, p->bus, sizeof p->bus))
                        return false;
                p->index = (unsigned) strtoul(p->bus + 4, NULL, 10);
                snprintf(p->addr, sizeof p->addr, "0x0");
        } else {
                if (!free_slot_bus0(ret, &p->slot))
                        return false;
                snprintf(p->bus, sizeof p->bus, "pci.0");
                snprintf(p->addr, sizeof p->addr, "0x%x", p->slot);
        }
        p->set = true;
        return true;
}

static int set(char **field, const char *fmt, unsigned v) {
        char buf[16];
        snprintf(buf, sizeof buf, fmt, v);
        free(*field);
        return (*field = strdup(buf)) ? 0 : -1;
}

int qemu_hotplug_pci_write(DomainAddress *a, const QemuHotplugPci *p) {
        if (!p->set)
                return 0;
        if (set(&a->type, "pci", 0) < 0 || set(&a->domain, "0x0000", 0) < 0 || set(&a->bus, "0x%02x", p->index) < 0 ||
            set(&a->slot, "0x%02x", p->slot) < 0 || set(&a->function, "0x0", 0) < 0)
                return -1;
        return 0;
}

int qemu_hotplug_pci_none(VbError *err, bool q35, const char *what) {
        if (q35)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "cannot attach %s: no free pcie-root-port (add <controller type='pci' "
                                    "model='pcie-root-port'/> to the definition)", what);
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach %s: no free PCI slot", what);
}

bool qemu_hotplug_free_root_port(json_object *ret, char *out, size_t len) {
        size_t nb = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        for (size_t b = 0; b < nb; b++) {
                json_object *devs, *bus = json_object_array_get_idx(ret, b);
                if (!json_object_object_get_ex(bus, "devices", &devs) || !json_object_is_type(devs, json_type_array))
                        continue;
                for (size_t i = 0; i < json_object_array_length(devs); i++) {
                        json_object *dev = json_object_array_get_idx(devs, i), *id, *br, *under;
                        if (!json_object_object_get_ex(dev, "qdev_id", &id) ||
                            strncmp(json_object_get_string(id), "pci.", 4) != 0 ||
                            !json_object_object_get_ex(dev, "pci_bridge", &br) ||
                            !json_object_object_get_ex(br, "devices", &under) ||
                            json_object_array_length(under) != 0)
                                continue;
                        snprintf(out, len, "%s", json_object_get_string(id));
                        return true;
                }
        }
        return false;
}

