/* domain-devices.c: <devices>: one table per device kind, listed in libvirt's output order. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-priv.h"
#include "uuid.h"

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define YESNO xml_values_yes_no
#define ONOFF xml_values_on_off
/* Guest addresses and aliases are accepted and dropped: placement is the driver's business. */
#define DEVICE_INFO { "alias", NULL, XF_KNOWN, 0, NULL }, { "address", NULL, XF_KNOWN, 0, NULL }
/* Devices whose alias and address are kept: <alias name>, libvirt's <address> attributes in
 * its order (domain-alias.c drops a driver's alias from a definition). */
#define DEVICE_ADDRESS(T) \
        { "alias", "name", XF_STR, offsetof(T, alias), NULL }, \
        DEVICE_ADDRESS_FIELDS(T)
#define DEVICE_ADDRESS_FIELDS(T) \
        { "address", "type", XF_STR, offsetof(T, address.type), NULL }, \
        { "address", "controller", XF_STR, offsetof(T, address.controller), NULL }, \
        { "address", "domain", XF_STR, offsetof(T, address.domain), NULL }, \
        { "address", "bus", XF_STR, offsetof(T, address.bus), NULL }, \
        { "address", "slot", XF_STR, offsetof(T, address.slot), NULL }, \
        { "address", "target", XF_STR, offsetof(T, address.target), NULL }, \
        { "address", "unit", XF_STR, offsetof(T, address.unit), NULL }, \
        { "address", "port", XF_STR, offsetof(T, address.port), NULL }, \
        { "address", "function", XF_STR, offsetof(T, address.function), NULL }, \
        { "address", "multifunction", XF_STR, offsetof(T, address.multifunction), NULL }

static const XmlField disk_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainDisk, type),
          ENUM("file", "block", "dir", "network", "volume", "nvme", "vhostuser") },
        { NULL, "device", XF_ENUM, offsetof(DomainDisk, device), ENUM("disk", "cdrom", "floppy", "lun") },
        { "driver", "name", XF_STR, offsetof(DomainDisk, driver_name), NULL },
        { "driver", "type", XF_STR, offsetof(DomainDisk, driver_type), NULL },
        { "driver", "cache", XF_ENUM, offsetof(DomainDisk, driver_cache),
          ENUM("default", "none", "writethrough", "writeback", "directsync", "unsafe") },
        { "driver", "discard", XF_ENUM, offsetof(DomainDisk, driver_discard), ENUM("unmap", "ignore") },
        { "driver", "iothread", XF_UINT, offsetof(DomainDisk, driver_iothread), NULL },
        { "source", "file", XF_STR, offsetof(DomainDisk, source_file), NULL },
        { "source", "fdgroup", XF_STR, offsetof(DomainDisk, source_fdgroup), NULL },
        { "source", "dev", XF_STR, offsetof(DomainDisk, source_dev), NULL },
        { "source", "pool", XF_STR, offsetof(DomainDisk, source_pool), NULL },
        { "source", "volume", XF_STR, offsetof(DomainDisk, source_volume), NULL },
        { "source", "startupPolicy", XF_ENUM, offsetof(DomainDisk, source_startup_policy),
          ENUM("mandatory", "requisite", "optional") },
        { "backingStore", NULL, XF_KNOWN, 0, NULL },
        { "target", "dev", XF_STR, offsetof(DomainDisk, target_dev), NULL },
        { "target", "bus", XF_ENUM, offsetof(DomainDisk, target_bus),
          ENUM("ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd") },
        { "iotune", NULL, XF_KNOWN, 0, NULL },
        { "readonly", NULL, XF_FLAG, offsetof(DomainDisk, readonly), NULL },
        { "shareable", NULL, XF_FLAG, offsetof(DomainDisk, shareable), NULL },
        { "serial", NULL, XF_STR, offsetof(DomainDisk, serial), NULL },
        { "boot", "order", XF_UINT, offsetof(DomainDisk, boot_order), NULL },
        DEVICE_ADDRESS(DomainDisk),
};

static const XmlField controller_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainController, type),
          ENUM("ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa") },
        { NULL, "index", XF_UINT, offsetof(DomainController, index), NULL },
        { NULL, "model", XF_STR, offsetof(DomainController, model), NULL },
        { NULL, "ports", XF_UINT, offsetof(DomainController, ports), NULL },
        { "model", "name", XF_STR, offsetof(DomainController, model_name), NULL },
        { "target", "chassis", XF_STR, offsetof(DomainController, target_chassis), NULL },
        { "target", "port", XF_STR, offsetof(DomainController, target_port), NULL },
        { "driver", NULL, XF_KNOWN, 0, NULL },
        { "alias", "name", XF_STR, offsetof(DomainController, alias), NULL },    /* libvirt's: before <master> */
        { "master", "startport", XF_STR, offsetof(DomainController, master_startport), NULL },
        DEVICE_ADDRESS_FIELDS(DomainController),
};

static const XmlField interface_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainInterface, type),
          ENUM("network", "bridge", "user", "direct", "ethernet", "hostdev", "vhostuser",
               "server", "client", "mcast", "udp", "vdpa", "null", "vds") },
        { "mac", NULL, XF_KNOWN, 0, NULL },
        { "source", "network", XF_STR, offsetof(DomainInterface, source_network), NULL },
        { "source", "portgroup", XF_STR, offsetof(DomainInterface, source_portgroup), NULL },
        { "source", "portid", XF_STR, offsetof(DomainInterface, source_portid), NULL },
        { "source", "bridge", XF_STR, offsetof(DomainInterface, source_bridge), NULL },
        { "source", "dev", XF_STR, offsetof(DomainInterface, source_dev), NULL },
        { "source", "mode", XF_STR, offsetof(DomainInterface, source_mode), NULL },
        { "bandwidth", NULL, XF_KNOWN, 0, NULL },
        { "target", "dev", XF_STR, offsetof(DomainInterface, target_dev), NULL },
        { "target", "managed", XF_ENUM, offsetof(DomainInterface, target_managed), YESNO },
        { "model", "type", XF_STR, offsetof(DomainInterface, model_type), NULL },
        { "driver", "name", XF_ENUM, offsetof(DomainInterface, driver_name), ENUM("qemu", "vhost") },
        { "driver", "queues", XF_UINT, offsetof(DomainInterface, driver_queues), NULL },
        { "filterref", NULL, XF_KNOWN, 0, NULL },
        { "link", "state", XF_ENUM, offsetof(DomainInterface, link_state), ENUM("up", "down") },
        { "mtu", NULL, XF_KNOWN, 0, NULL },
        { "boot", "order", XF_UINT, offsetof(DomainInterface, boot_order), NULL },
        { "alias", "name", XF_STR, offsetof(DomainInterface, alias), NULL },
        DEVICE_ADDRESS_FIELDS(DomainInterface),
};

static const XmlField chr_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainChr, type),
          ENUM("null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix",
               "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus") },
        { NULL, "tty", XF_STR, offsetof(DomainChr, tty), NULL },
        { "source", "mode", XF_ENUM, offsetof(DomainChr, source_mode), ENUM("bind", "connect") },
        { "source", "path", XF_STR, offsetof(DomainChr, source_path), NULL },
        { "target", "type", XF_STR, offsetof(DomainChr, target_type), NULL },
        { "target", "name", XF_STR, offsetof(DomainChr, target_name), NULL },
        { "target", "port", XF_UINT, offsetof(DomainChr, target_port), NULL },
        { "target", "state", XF_KNOWN, 0, NULL },
        { "protocol", NULL, XF_KNOWN, 0, NULL },
        { "log", NULL, XF_KNOWN, 0, NULL },
        { "alias", "name", XF_STR, offsetof(DomainChr, alias), NULL },
        { "address", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField input_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainInputDev, type),
          ENUM("mouse", "tablet", "keyboard", "passthrough", "evdev") },
        { NULL, "bus", XF_ENUM, offsetof(DomainInputDev, bus),
          ENUM("ps2", "usb", "xen", "parallels", "virtio", "none") },
        { "alias", "name", XF_STR, offsetof(DomainInputDev, alias), NULL },
        DEVICE_ADDRESS_FIELDS(DomainInputDev),
};

static const XmlField graphics_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainGraphics, type),
          ENUM("sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus") },
        { NULL, "port", XF_INT, offsetof(DomainGraphics, port), NULL },
        { NULL, "tlsPort", XF_INT, offsetof(DomainGraphics, tls_port), NULL },
        { NULL, "autoport", XF_ENUM, offsetof(DomainGraphics, autoport), YESNO },
        { NULL, "websocket", XF_INT, offsetof(DomainGraphics, websocket), NULL },
        { NULL, "listen", XF_STR, offsetof(DomainGraphics, listen), NULL },
        { NULL, "keymap", XF_STR, offsetof(DomainGraphics, keymap), NULL },
        { NULL, "passwd", XF_STR, offsetof(DomainGraphics, passwd), NULL },
        { NULL, "passwdValidTo", XF_STR, offsetof(DomainGraphics, passwd_valid_to), NULL },
        { "listen", NULL, XF_KNOWN, 0, NULL },
        { "image", "compression", XF_STR, offsetof(DomainGraphics, image_compression), NULL },
        { "gl", NULL, XF_KNOWN, 0, NULL },
        DEVICE_INFO,
};

static const XmlField video_fields[] = {
        { "model", "type", XF_ENUM, offsetof(DomainVideo, model_type),
          ENUM("vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio", "gop",
               "none", "bochs", "ramfb") },
        { "model", "ram", XF_UINT, offsetof(DomainVideo, ram), NULL },
        { "model", "vram", XF_UINT, offsetof(DomainVideo, vram), NULL },
        { "model", "vgamem", XF_UINT, offsetof(DomainVideo, vgamem), NULL },
        { "model", "heads", XF_UINT, offsetof(DomainVideo, heads), NULL },
        { "model", "primary", XF_ENUM, offsetof(DomainVideo, primary), YESNO },
        { "driver", NULL, XF_KNOWN, 0, NULL },
        DEVICE_ADDRESS(DomainVideo),
};

static const XmlField watchdog_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainWatchdog, model),
          ENUM("i6300esb", "ib700", "diag288", "itco") },
        { NULL, "action", XF_ENUM, offsetof(DomainWatchdog, action),
          ENUM("reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi") },
        DEVICE_ADDRESS(DomainWatchdog),
};

static const XmlField memballoon_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainMemballoon, model),
          ENUM("virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional") },
        { NULL, "autodeflate", XF_ENUM, offsetof(DomainMemballoon, autodeflate), ONOFF },
        { "stats", "period", XF_UINT, offsetof(DomainMemballoon, stats_period), NULL },
        DEVICE_ADDRESS(DomainMemballoon),
};

static const XmlField rng_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainRng, model),
          ENUM("virtio", "virtio-transitional", "virtio-non-transitional") },
        { "rate", NULL, XF_KNOWN, 0, NULL },
        { "backend", "model", XF_ENUM, offsetof(DomainRng, backend_model), ENUM("random", "egd", "builtin") },
        { "backend", NULL, XF_STR, offsetof(DomainRng, backend), NULL },
        DEVICE_ADDRESS(DomainRng),
};

static const XmlField sound_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainSound, model),
          ENUM("sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7") },
        { "codec", "type", XF_ENUM, offsetof(DomainSound, codec_type), ENUM("duplex", "micro", "output") },
        { "audio", NULL, XF_KNOWN, 0, NULL },
        DEVICE_ADDRESS(DomainSound),
};

static const XmlField redirdev_fields[] = {
        { NULL, "bus", XF_ENUM, offsetof(DomainRedirdev, bus), ENUM("usb") },
        { NULL, "type", XF_ENUM, offsetof(DomainRedirdev, type),
          ENUM("null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix",
               "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus") },
        DEVICE_ADDRESS(DomainRedirdev),
};

static const XmlField hub_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainHub, type), ENUM("usb") },
        { "alias", "name", XF_STR, offsetof(DomainHub, alias), NULL },
        DEVICE_ADDRESS_FIELDS(DomainHub),
};

static const XmlField tpm_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainTpm, model), ENUM("tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy") },
        { "backend", "type", XF_ENUM, offsetof(DomainTpm, backend_type), ENUM("passthrough", "emulator", "external") },
        { "backend", "version", XF_ENUM, offsetof(DomainTpm, backend_version), ENUM("1.2", "2.0") },
        { "backend", "persistent_state", XF_ENUM, offsetof(DomainTpm, persistent_state), ENUM("yes", "no") },
        { "alias", "name", XF_STR, offsetof(DomainTpm, alias), NULL },
        { "address", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField memory_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainMemoryDev, model),
          ENUM("dimm", "nvdimm", "virtio-pmem", "virtio-mem", "sgx-epc") },
        { "target", NULL, XF_KNOWN, 0, NULL },
        { "alias", "name", XF_STR, offsetof(DomainMemoryDev, alias), NULL },
        DEVICE_ADDRESS_FIELDS(DomainMemoryDev),
};

static const XmlField panic_fields[] = {
        { NULL, "model", XF_ENUM, offsetof(DomainPanic, model), ENUM("isa", "pseries", "hyperv", "s390", "pvpanic") },
        DEVICE_ADDRESS(DomainPanic),
};


static int interface_post_parse(xmlNodePtr node, void *dev, VbError *err);
static int graphics_post_parse(xmlNodePtr node, void *dev, VbError *err);
static int disk_post_parse(xmlNodePtr node, void *dev, VbError *err);
static int memory_post_parse(xmlNodePtr node, void *dev, VbError *err);
static int tpm_post_parse(xmlNodePtr node, void *dev, VbError *err);

#define KIND(n, t, arr, type, post) \
        { n, t, XML_N(t), offsetof(DomainDevices, arr), offsetof(DomainDevices, n_##arr), sizeof(type), post }

/* libvirt's order of device kinds in <devices>. */
static const DeviceKind device_kinds[] = {
        KIND("disk", disk_fields, disks, DomainDisk, disk_post_parse),
        KIND("controller", controller_fields, controllers, DomainController, NULL),
        KIND("interface", interface_fields, interfaces, DomainInterface, interface_post_parse),
        KIND("serial", chr_fields, serials, DomainChr, NULL),
        KIND("console", chr_fields, consoles, DomainChr, NULL),
        KIND("channel", chr_fields, channels, DomainChr, NULL),
        KIND("input", input_fields, inputs, DomainInputDev, NULL),
        KIND("tpm", tpm_fields, tpms, DomainTpm, tpm_post_parse),
        KIND("graphics", graphics_fields, graphics, DomainGraphics, graphics_post_parse),
        KIND("sound", sound_fields, sounds, DomainSound, NULL),
        KIND("video", video_fields, videos, DomainVideo, NULL),
        KIND("redirdev", redirdev_fields, redirdevs, DomainRedirdev, NULL),
        KIND("hub", hub_fields, hubs, DomainHub, NULL),
        KIND("watchdog", watchdog_fields, watchdogs, DomainWatchdog, NULL),
        { "memballoon", memballoon_fields, XML_N(memballoon_fields), 0, 0, 0, NULL },
        KIND("rng", rng_fields, rngs, DomainRng, NULL),
        KIND("panic", panic_fields, panics, DomainPanic, NULL),
        KIND("memory", memory_fields, memories, DomainMemoryDev, memory_post_parse),
};

static int devices_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

static int disk_post_parse(xmlNodePtr node, void *dev, VbError *err) {
        DomainDisk *disk = dev;
        if ((!disk->type && conf_strdup(&disk->type, "file") < 0) ||
            (!disk->device && conf_strdup(&disk->device, "disk") < 0))
                return devices_oom(err);
        if (domain_disk_seclabels_parse(node, disk, err) < 0)
                return -1;
        return domain_disk_iotune_parse(node, disk, err);
}

/* What <backend> may hold beyond its attributes (an encrypted state, PCR banks, a
 * passthrough's <device>) is not modelled: refused by name rather than dropped, so a guest
 * never runs with less than its definition asks. */
static int tpm_post_parse(xmlNodePtr node, void *dev, VbError *err) {
        xmlNodePtr backend = xml_node_child(node, "backend");
        for (xmlNodePtr c = backend ? backend->children : NULL; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_XML,
                                            "<tpm><backend> element <%s> is not supported", (const char *) c->name);
        (void) dev;
        return 0;
}

static int memory_post_parse(xmlNodePtr node, void *dev, VbError *err) {
        return domain_memory_dev_post_parse(node, dev, err);
}

/* A NIC without a MAC gets one now, so that it keeps it across restarts. */
static int interface_post_parse(xmlNodePtr node, void *dev, VbError *err) {
        DomainInterface *nic = dev;
        if (!nic->type)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Missing required attribute 'type' in element 'interface'");
        if (domain_filterref_parse(node, nic, err) < 0 || domain_bandwidth_parse(node, nic, err) < 0 ||
            domain_interface_mtu_parse(node, nic, err) < 0)
                return -1;
        /* The live XML of a NIC on a macvtap network (its status file too) shows it as libvirt does:
         * type='direct' with <source network=…>; it is still the network's NIC. */
        if (strcmp(nic->type, "direct") == 0 && nic->source_network && conf_strdup(&nic->type, "network") < 0)
                return devices_oom(err);
        char *mac = xml_node_prop(xml_node_child(node, "mac"), "address");
        if (!mac) {
                int r = mac_generate(nic->mac);
                return r < 0 ? vb_error_errno(err, r, "mac_generate") : 0;
        }
        int r = 0;
        if (mac_parse(mac, nic->mac) < 0) {
                char *end;
                unsigned long first = strtoul(mac, &end, 16);
                bool multicast = end != mac && (*end == ':' || *end == '-') && first < 256 && (first & 1);
                r = vb_error_set(err, VB_ERR_INVALID_MAC, VB_FROM_DOMAIN,
                                 multicast ? "expected unicast mac address, found multicast '%s'"
                                           : "unable to parse mac address '%s'", mac);
        }
        free(mac);
        return r;
}

/* Both listen forms name the same address; libvirt writes both, and a VNC display without a
 * fixed port is an automatic one. */
static int graphics_post_parse(xmlNodePtr node, void *dev, VbError *err) {
        DomainGraphics *g = dev;
        if (!g->type)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Missing required attribute 'type' in element 'graphics'");
        xmlNodePtr l = xml_node_child(node, "listen");
        if (l) {
                g->listen_type = xml_node_prop(l, "type");
                if (!g->listen && g->listen_type && strcmp(g->listen_type, "address") == 0)
                        g->listen = xml_node_prop(l, "address");
                g->listen_network = xml_node_prop(l, "network");
                g->listen_socket = xml_node_prop(l, "socket");
        }
        bool vnc = strcmp(g->type, "vnc") == 0, spice = strcmp(g->type, "spice") == 0;
        if (!g->listen_type && (g->listen || vnc || spice) && conf_strdup(&g->listen_type, "address") < 0)
                return devices_oom(err);
        if (vnc && (!g->port.set || g->port.v == -1)) {
                g->port.set = true;
                g->port.v = -1;
                free(g->autoport);
                if (conf_strdup(&g->autoport, "yes") < 0)
                        return devices_oom(err);
        }
        return 0;
}

/* libvirt gives a controller written without index the lowest one its type has free; the UHCI
 * companions of an EHCI controller share its index. */
static void controllers_assign_indexes(DomainDevices *d) {
        long long last_ehci = 0;
        for (size_t i = 0; i < d->n_controllers; i++) {
                DomainController *ctl = &d->controllers[i];
                bool companion = ctl->model && strncmp(ctl->model, "ich9-uhci", 9) == 0 && ctl->type &&
                                 strcmp(ctl->type, "usb") == 0;
                if (ctl->index.set) {
                        if (ctl->model && strcmp(ctl->model, "ich9-ehci1") == 0)
                                last_ehci = ctl->index.v;
                        continue;
                }
                if (companion) {
                        ctl->index = (ConfInt) { true, last_ehci };
                        continue;
                }
                long long idx = 0;
                for (bool used = true; used; ) {
                        used = false;
                        for (size_t j = 0; j < d->n_controllers && !used; j++) {
                                const DomainController *o = &d->controllers[j];
                                used = j != i && o->index.set && o->index.v == idx && o->type && ctl->type &&
                                       strcmp(o->type, ctl->type) == 0;
                        }
                        if (used)
                                idx++;
                }
                ctl->index = (ConfInt) { true, idx };
                ctl->index_auto = true;
                if (ctl->model && strcmp(ctl->model, "ich9-ehci1") == 0)
                        last_ehci = idx;
        }
}

static bool chr_console_on_serial(const DomainChr *con) {
        return !con->target_type || strcmp(con->target_type, "serial") == 0;
}

/* libvirt's rule for a console on a serial port: a definition with consoles and no serial
 * gets a serial that is the first console (the same source, port 0), and that console names
 * its target (type serial, the serial's port). dumpxml then shows both, as libvirt's does;
 * the guest gets one serial device either way. */
static int consoles_pair_serial(DomainDevices *d) {
        if (!d->n_consoles || !chr_console_on_serial(&d->consoles[0]))
                return 0;
        DomainChr *con = &d->consoles[0];
        if (!d->n_serials) {
                DomainChr *ser = conf_array_add(&d->serials, &d->n_serials, sizeof *ser);
                if (!ser)
                        return -1;
                con = &d->consoles[0];
                long long port = con->target_port.set ? con->target_port.v : 0;
                if (conf_strdup(&ser->type, con->type) < 0 || conf_strdup(&ser->tty, con->tty) < 0 ||
                    conf_strdup(&ser->source_mode, con->source_mode) < 0 ||
                    conf_strdup(&ser->source_path, con->source_path) < 0 ||
                    conf_strdup(&ser->alias, con->alias) < 0)
                        return -1;
                ser->target_port = (ConfInt) { true, port };
        }
        if (!con->target_type && conf_strdup(&con->target_type, "serial") < 0)
                return -1;
        if (!con->target_port.set)
                con->target_port = (ConfInt) { true, d->serials[0].target_port.set ? d->serials[0].target_port.v : 0 };
        return 0;
}

static bool memory_is_dimm(xmlNodePtr node) {
        char *model = xml_node_prop(node, "model");
        bool dimm = model && strcmp(model, "dimm") == 0;
        free(model);
        return dimm;
}

int domain_devices_parse(DomainDevices *d, xmlNodePtr devices, unsigned flags, VbError *err) {
        for (xmlNodePtr c = xml_node_child(devices, NULL); c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (xmlStrEqual(c->name, BAD_CAST "emulator")) {
                        free(d->emulator);
                        d->emulator = xml_node_text(c);
                        continue;
                }
                const DeviceKind *k = NULL;
                for (size_t i = 0; i < XML_N(device_kinds) && !k; i++)
                        if (xmlStrEqual(c->name, BAD_CAST device_kinds[i].name))
                                k = &device_kinds[i];
                if (k && k->fields == memory_fields && !memory_is_dimm(c))
                        k = NULL;          /* another memory model: kept as written */
                if (!k && domain_other_device_known((const char *) c->name)) {
                        if (domain_other_device_add(d, c) < 0)
                                return devices_oom(err);
                        continue;
                }
                if (!k) {
                        if (flags & XML_FIELDS_VALIDATE)
                                return vb_error_set(err, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
                                                    "Element devices has extra content: %s",
                                                    (const char *) c->name);
                        continue;
                }
                void *dev;
                if (!k->size) {
                        /* libvirt allows one balloon; a second one is ignored like unknown content */
                        if (d->memballoon.model)
                                continue;
                        dev = &d->memballoon;
                } else {
                        dev = conf_array_add((char *) d + k->array, (size_t *) ((char *) d + k->count), k->size);
                        if (!dev)
                                return devices_oom(err);
                }
                if (xml_fields_parse(c, k->fields, k->n_fields, dev, flags, err) < 0)
                        return -1;
                if (k->post_parse && k->post_parse(c, dev, err) < 0)
                        return -1;
                domain_device_alias_parsed(c, k, dev);
        }
        controllers_assign_indexes(d);
        if (consoles_pair_serial(d) < 0)
                return devices_oom(err);
        const DomainDevices *ds[] = { d };
        return domain_devices_aliases_check(ds, 1, device_kinds, XML_N(device_kinds), err);
}

int domain_devices_aliases_free(const DomainDevices *have, const DomainDevices *add, VbError *err) {
        const DomainDevices *ds[] = { have, add };
        return domain_devices_aliases_check(ds, 2, device_kinds, XML_N(device_kinds), err);
}

void domain_disk_net_free(DomainDiskNet *n) {
        if (!n)
                return;
        free(n->protocol);
        free(n->host);
        free(n->target);
        free(n->initiator);
        free(n);
}

static void devices_hook(XmlBuf *c, const char *child, const void *obj) {
        /* The caller-handled children written back: mac, source (disks), filterref, listen. */
        if (strcmp(child, "mac") == 0) {
                const DomainInterface *nic = obj;
                char mac[18];
                mac_format(nic->mac, mac);
                xml_buf_open(c, "mac");
                xml_buf_attr(c, "address", mac);
                xml_buf_puts(c, "/>\n");
        } else if (strcmp(child, "source") == 0) {
                domain_disk_source_format(c, obj);     /* disk_format_with_seclabels() */
        } else if (strcmp(child, "iotune") == 0) {
                domain_disk_iotune_format(c, obj);
        } else if (strcmp(child, "filterref") == 0) {
                domain_filterref_format(c, obj);
        } else if (strcmp(child, "bandwidth") == 0) {
                domain_bandwidth_format(c, obj);
        } else if (strcmp(child, "mtu") == 0) {
                domain_interface_mtu_format(c, obj);
        } else if (strcmp(child, "target") == 0) {
                domain_memory_dev_target_format(c, obj);    /* only memory devices have it XF_KNOWN */
        } else if (strcmp(child, "listen") == 0) {
                const DomainGraphics *g = obj;
                if (!g->listen_type)
                        return;
                xml_buf_open(c, "listen");
                xml_buf_attr(c, "type", g->listen_type);
                if (strcmp(g->listen_type, "address") == 0)
                        xml_buf_attr(c, "address", g->listen);
                xml_buf_attr(c, "network", g->listen_network);
                xml_buf_attr(c, "socket", g->listen_socket);
                xml_buf_puts(c, "/>\n");
        }
}

static void graphics_format(XmlBuf *b, const XmlField *t, size_t n, const DomainGraphics *src,
                            unsigned flags) {
        DomainGraphics g = *src;
        if (!(flags & DOMAIN_FORMAT_SECURE))
                g.passwd = NULL;
        /* The port of an automatic display is only meaningful while it runs. */
        if ((flags & DOMAIN_FORMAT_INACTIVE) && g.autoport && strcmp(g.autoport, "yes") == 0 &&
            g.type && strcmp(g.type, "vnc") == 0)
                g.port.v = -1;
        if (g.listen_type && strcmp(g.listen_type, "address") != 0)
                g.listen = NULL;
        xml_fields_format(b, "graphics", t, n, &g, devices_hook);
}

/* A disk whose <source> has <seclabel>s: the source element is the hook's to write. */
static void disk_format_with_seclabels(XmlBuf *b, const DomainDisk *disk) {
        XmlField t[XML_N(disk_fields)];
        memcpy(t, disk_fields, sizeof t);
        for (size_t i = 0; i < XML_N(t); i++)
                if (t[i].child && strcmp(t[i].child, "source") == 0)
                        t[i] = (XmlField) { "source", NULL, XF_KNOWN, 0, NULL };
        xml_fields_format(b, "disk", t, XML_N(t), disk, devices_hook);
}

/* A NIC as a given XML shows it. One of type network that got a macvtap on a pool device
 * (<source dev> and <source mode>): its live XML says type='direct' (libvirt's actual type), its
 * inactive XML names the network alone. Its network port exists while it runs: no portid in
 * the inactive XML (libvirt). False: the NIC as it is. */
static bool nic_format_view(const DomainInterface *src, unsigned flags, DomainInterface *out) {
        bool macvtap = src->type && strcmp(src->type, "network") == 0 && src->source_dev;
        bool no_portid = (flags & DOMAIN_FORMAT_INACTIVE) && src->source_portid;
        if (!macvtap && !no_portid)
                return false;
        *out = *src;
        if (macvtap && (flags & (DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_MIGRATABLE)))
                out->source_dev = out->source_mode = NULL;
        else if (macvtap)
                out->type = (char *) "direct";
        if (no_portid)
                out->source_portid = NULL;
        return true;
}

void domain_devices_format(XmlBuf *b, const DomainDevices *d, unsigned flags) {
        XmlBuf c = XML_BUF_CHILD(b);
        xml_buf_text_element(&c, "emulator", d->emulator);
        for (size_t i = 0; i < XML_N(device_kinds); i++) {
                const DeviceKind *k = &device_kinds[i];
                DomainDeviceCopy copy;
                if (!k->size) {
                        const void *mb = &d->memballoon;
                        if (flags & DOMAIN_FORMAT_INACTIVE)
                                mb = domain_device_without_driver_alias(k, mb, sizeof d->memballoon, &copy);
                        if (d->memballoon.model)
                                xml_fields_format(&c, k->name, k->fields, k->n_fields, mb, NULL);
                        continue;
                }
                const char *array = *(char *const *) ((const char *) d + k->array);
                size_t count = *(const size_t *) ((const char *) d + k->count);
                for (size_t j = 0; j < count; j++) {
                        const void *dev = array + j * k->size;
                        if (flags & DOMAIN_FORMAT_INACTIVE)
                                dev = domain_device_without_driver_alias(k, dev, k->size, &copy);
                        DomainInterface nic;
                        if (k->fields == interface_fields && nic_format_view(dev, flags, &nic))
                                dev = &nic;
                        if (strcmp(k->name, "graphics") == 0)
                                graphics_format(&c, k->fields, k->n_fields, dev, flags);
                        else if (k->fields == disk_fields && ((const DomainDisk *) dev)->n_seclabels)
                                disk_format_with_seclabels(&c, dev);
                        else
                                xml_fields_format(&c, k->name, k->fields, k->n_fields, dev, devices_hook);
                }
        }
        domain_other_devices_format(&c, d);
        xml_buf_open(b, "devices");
        xml_buf_close(b, "devices", &c, true);
}

void domain_devices_free(DomainDevices *d) {
        free(d->emulator);
        for (size_t i = 0; i < d->n_graphics; i++) {
                free(d->graphics[i].listen_type);
                free(d->graphics[i].listen_network);
                free(d->graphics[i].listen_socket);
        }
        domain_other_devices_free(d);
        for (size_t i = 0; i < d->n_disks; i++) {
                domain_disk_net_free(d->disks[i].net);
                domain_disk_seclabels_free(&d->disks[i]);
                free(d->disks[i].iotune.group_name);
        }
        for (size_t i = 0; i < d->n_interfaces; i++)
                domain_filterref_free(&d->interfaces[i]);
        for (size_t i = 0; i < XML_N(device_kinds); i++) {
                const DeviceKind *k = &device_kinds[i];
                if (!k->size) {
                        xml_fields_free(k->fields, k->n_fields, &d->memballoon);
                        continue;
                }
                char **array = (char **) ((char *) d + k->array);
                size_t count = *(size_t *) ((char *) d + k->count);
                for (size_t j = 0; j < count; j++)
                        xml_fields_free(k->fields, k->n_fields, *array + j * k->size);
                free(*array);
        }
}

void domain_disk_clear(DomainDisk *disk) {
        xml_fields_free(disk_fields, XML_N(disk_fields), disk);
        domain_disk_seclabels_free(disk);
        free(disk->iotune.group_name);
        memset(disk, 0, sizeof *disk);
}

void domain_interface_clear(DomainInterface *nic) {
        xml_fields_free(interface_fields, XML_N(interface_fields), nic);
        memset(nic, 0, sizeof *nic);
}

const DeviceKind *domain_device_kinds(size_t *n) {
        *n = XML_N(device_kinds);
        return device_kinds;
}

const DeviceKind *domain_device_kind(const char *name) {
        for (size_t j = 0; name && j < XML_N(device_kinds); j++)
                if (strcmp(device_kinds[j].name, name) == 0)
                        return &device_kinds[j];
        return NULL;
}
