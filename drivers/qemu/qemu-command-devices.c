/* qemu-command-devices.c: NICs, character devices, input, graphics, video, watchdog, balloon and RNG on the QEMU command line. */
#include "qemu-command-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-alias.h"
#include "qemu-usb-addr.h"
#include "uuid.h"

#define ISA_SERIAL_PORTS 4

/* ---- network interfaces ---- */

static const char *nic_model(const char *model) {
        static const char *const models[][2] = {
                { "virtio", "virtio-net-pci" },
                { "e1000", "e1000" },
                { "e1000e", "e1000e" },
                { "rtl8139", "rtl8139" },
        };
        if (!model)
                return "rtl8139";
        for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
                if (strcmp(model, models[i][0]) == 0)
                        return models[i][1];
        return NULL;
}

/* Interfaces whose backend is a tap-like descriptor the driver opened: a tap (on a bridge, or
 * alone for ethernet) or a macvtap (direct). */
static bool nic_has_tap(const char *type) {
        return strcmp(type, "bridge") == 0 || strcmp(type, "network") == 0 || strcmp(type, "direct") == 0 ||
               strcmp(type, "ethernet") == 0;
}

/* -netdev tap,fd=N (one queue) or fds=A:B:… (<driver queues='N'>, one descriptor per queue). */
static int nic_tap_netdev(QemuCmd *c, size_t i, const char *type, unsigned queues, const char *netdev) {
        const QemuCommandInput *in = c->in;
        /* A driver that gives no tap fds at all creates no taps: say so plainly rather than fail
         * at start for a reason the user cannot act on. */
        if (!in->tap_fds)
                return vb_error_set(c->err, VB_ERR_NO_SUPPORT, VB_FROM_QEMU,
                                    "interface type '%s' (no tap device can be created for it yet)", type);
        int fd = i < in->n_tap_fds ? in->tap_fds[i] : -1;
        const int *q = queues > 1 && in->tap_queue_fds && i < in->n_tap_fds ? in->tap_queue_fds[i] : NULL;
        if (fd < 0 || (queues > 1 && !q))
                return vb_error_set(c->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "no tap device was opened for interface %zu (type '%s')", i, type);
        QemuStr s = { 0 };
        if (queues > 1) {
                qstr_printf(&s, "tap,fds=%d", q[0]);
                for (unsigned k = 1; k < queues; k++)
                        qstr_printf(&s, ":%d", q[k]);
        } else {
                qstr_printf(&s, "tap,fd=%d", fd);
        }
        qstr_printf(&s, ",id=%s", netdev);
        qemu_cmd_opt(c, "-netdev", &s);
        return 0;
}

int qemu_cmd_interfaces(QemuCmd *c) {
        for (size_t i = 0; i < c->devs->n_interfaces; i++) {
                const DomainInterface *nic = &c->devs->interfaces[i];
                const char *type = nic->type ? nic->type : "";
                const char *model = nic_model(nic->model_type);
                if (!model)
                        return qemu_cmd_unsupported(c, "interface model '%s' is not supported", nic->model_type);
                unsigned queues = nic->driver_queues.set && nic->driver_queues.v > 1 ? (unsigned) nic->driver_queues.v : 1;
                if (queues > 1 && strcmp(model, "virtio-net-pci") != 0)
                        return qemu_cmd_unsupported(c, "multiqueue (<driver queues='%u'>) needs the virtio model", queues);
                if (queues > 1 && !nic_has_tap(type))
                        return qemu_cmd_unsupported(c, "multiqueue is not supported for interfaces of type '%s'", type);
                /* libvirt 9.0: an MTU is for taps (network, bridge, ethernet) only */
                if (nic->mtu && strcmp(type, "network") != 0 && strcmp(type, "bridge") != 0 &&
                    strcmp(type, "ethernet") != 0)
                        return qemu_cmd_unsupported(c, "setting MTU on interface type %s is not supported yet", type);
                if (qemu_str_eq(nic->driver_name, "vhost") && qemu_str_eq(c->in->def->virt_type, "kvm"))
                        return qemu_cmd_unsupported(c, "vhost-net (<driver name='vhost'>) is not supported yet");
                /* its alias when it has one (a user's ua-, a restored hotplugged one): QEMU's id is
                 * the one the live XML and the monitor calls (qemu_nic_alias) use, and its backend
                 * is "host" + that id, which is what a detach removes */
                char id[64], netdev[sizeof id + 4];
                qemu_usb_dev_id(nic->alias, "net", i, id, sizeof id);
                snprintf(netdev, sizeof netdev, "host%s", id);
                if (strcmp(type, "user") == 0) {
                        qemu_cmd_arg(c, "-netdev");
                        qemu_cmd_argf(c, "user,id=%s", netdev);
                } else if (nic_has_tap(type)) {
                        if (nic_tap_netdev(c, i, type, queues, netdev) < 0)
                                return -1;
                } else {
                        return qemu_cmd_unsupported(c, "interface type '%s' is not supported", type);
                }
                char mac[18];
                mac_format(nic->mac, mac);
                QemuStr s = { 0 };
                qstr_printf(&s, "%s", model);
                if (nic->mtu && strcmp(model, "virtio-net-pci") == 0)  /* the guest learns it (VIRTIO_NET_F_MTU) */
                        qstr_printf(&s, ",host_mtu=%u", nic->mtu);
                if (queues > 1)         /* a vector per queue each way, one for config, one for control */
                        qstr_printf(&s, ",mq=on,vectors=%u", 2 * queues + 2);
                qstr_printf(&s, ",netdev=%s,id=%s,mac=%s", netdev, id, mac);
                qemu_pci_append(c, &s, &c->pci->nic[i]);
                if (c->nic_boot[i])
                        qstr_printf(&s, ",bootindex=%d", c->nic_boot[i]);
                qemu_cmd_opt(c, "-device", &s);
        }
        return 0;
}

/* ---- character devices ---- */

/* -chardev for chr under id. what names the element in messages ("serial"); path, when not
 * NULL, stands in for a missing <source path> (unix channels). */
static int qemu_chardev(QemuCmd *c, const DomainChr *chr, const char *id, const char *what,
                        const char *path) {
        const char *type = chr->type ? chr->type : "pty";
        QemuStr s = { 0 };
        if (strcmp(type, "pty") == 0 || strcmp(type, "null") == 0) {
                qstr_printf(&s, "%s,id=%s", type, id);
        } else if (strcmp(type, "file") == 0 || strcmp(type, "unix") == 0) {
                const char *p = chr->source_path ? chr->source_path : path;
                if (!p)
                        return qemu_cmd_unsupported(c, "<%s type='%s'> needs a <source path>", what, type);
                if (p[0] != '/')
                        return qemu_cmd_unsupported(c, "<%s> source path '%s' must be absolute", what, p);
                size_t si = (size_t) (chr - c->devs->serials);
                bool is_serial = c->devs->n_serials && chr >= c->devs->serials &&
                                 si < c->devs->n_serials;
                int pipe_fd = strcmp(type, "file") == 0 && is_serial && si < c->in->n_serial_file_fds
                              ? c->in->serial_file_fds[si] : -1;
                qstr_printf(&s, "%s,id=%s", strcmp(type, "file") == 0 ? "file" : "socket", id);
                if (pipe_fd >= 0) {
                        /* the log writer's pipe: QEMU opens it through an fd set (set 100 + i) */
                        qemu_cmd_arg(c, "-add-fd");
                        qemu_cmd_argf(c, "fd=%d,set=%zu", pipe_fd, 100 + si);
                        qstr_printf(&s, ",path=/dev/fdset/%zu,append=on", 100 + si);
                } else {
                        qstr_kv(&s, "path", p);
                }
                if (strcmp(type, "unix") == 0 && !qemu_str_eq(chr->source_mode, "connect"))
                        qstr_printf(&s, ",server=on,wait=off");
        } else if (strcmp(type, "spicevmc") == 0) {
                /* virt-install's SPICE agent channel (com.redhat.spice.0) */
                bool spice = false;
                for (size_t i = 0; i < c->devs->n_graphics; i++)
                        spice |= qemu_str_eq(c->devs->graphics[i].type, "spice");
                if (!spice)
                        return qemu_cmd_unsupported(c, "<%s type='spicevmc'> needs SPICE graphics", what);
                qstr_printf(&s, "spicevmc,id=%s,name=vdagent", id);
        } else {
                return qemu_cmd_unsupported(c, "character device type '%s' of <%s> is not supported", type, what);
        }
        qemu_cmd_opt(c, "-chardev", &s);
        return 0;
}

static int qemu_serial(QemuCmd *c, const DomainChr *chr, unsigned port, const char *what) {
        char id[32];
        snprintf(id, sizeof id, "charserial%u", port);
        if (qemu_chardev(c, chr, id, what, NULL) < 0)
                return -1;
        qemu_cmd_arg(c, "-device");
        qemu_cmd_argf(c, "isa-serial,chardev=charserial%u,id=serial%u,index=%u", port, port, port);
        return 0;
}

static int chr_port(QemuCmd *c, const DomainChr *chr, long long dflt, const char *what) {
        long long port = chr->target_port.set ? chr->target_port.v : dflt;
        if (port < 0 || port >= ISA_SERIAL_PORTS)
                return qemu_cmd_unsupported(c, "<%s> port %lld is out of range (0 to %d)", what, port,
                                            ISA_SERIAL_PORTS - 1);
        return (int) port;
}

static int qemu_cmd_channel(QemuCmd *c, size_t i) {
        const DomainChr *chr = &c->devs->channels[i];
        if (!qemu_str_eq(chr->target_type, "virtio"))
                return qemu_cmd_unsupported(c, "channel target type '%s' is not supported",
                                            chr->target_type ? chr->target_type : "");
        if (!chr->target_name || !*chr->target_name)
                return qemu_cmd_unsupported(c, "virtio channel %zu has no target name", i);
        char *path = NULL;
        if (qemu_str_eq(chr->type, "unix") && !chr->source_path) {
                if (!c->in->channel_dir)
                        return vb_error_set(c->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                            "no directory was given for the socket of channel '%s'",
                                            chr->target_name);
                if (strchr(chr->target_name, '/'))
                        return qemu_cmd_unsupported(c, "channel target name '%s' must not contain '/'",
                                                    chr->target_name);
                path = qemu_channel_default_path(c->in->channel_dir, c->in->name ? c->in->name : c->def->name,
                                                 chr->target_name);
                if (!path)
                        return vb_error_set(c->err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        char dev_id[QEMU_ID_MAX], id[QEMU_ID_MAX + 4];
        qemu_device_id(chr->alias, QEMU_ID_CHANNEL, i, dev_id, sizeof dev_id);
        snprintf(id, sizeof id, "char%s", dev_id);
        int fd = path && i < c->in->n_channel_fds && c->in->channel_fds ? c->in->channel_fds[i] : -1;
        int r = 0;
        if (fd > 0 && !qemu_str_eq(chr->source_mode, "connect")) {
                /* the daemon's socket at path, inherited: QEMU listens on it */
                QemuStr s = { 0 };
                qstr_printf(&s, "socket,id=%s,fd=%d,server=on,wait=off", id, fd);
                qemu_cmd_opt(c, "-chardev", &s);
        } else {
                r = qemu_chardev(c, chr, id, "channel", path);
        }
        free(path);
        if (r < 0)
                return -1;
        QemuStr s = { 0 };
        qstr_printf(&s, "virtserialport,bus=virtio-serial0.0,chardev=%s,id=%s", id, dev_id);
        qstr_kv(&s, "name", chr->target_name);
        qemu_cmd_opt(c, "-device", &s);
        return 0;
}

/* Serials, then consoles (a serial console is the serial with its port, or becomes one),
 * then channels. */
int qemu_cmd_chardevs(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        bool used[ISA_SERIAL_PORTS] = { false };
        for (size_t i = 0; i < d->n_serials; i++) {
                const DomainChr *chr = &d->serials[i];
                if (chr->target_type && strcmp(chr->target_type, "isa-serial") != 0)
                        return qemu_cmd_unsupported(c, "serial target type '%s' is not supported", chr->target_type);
                int port = chr_port(c, chr, (long long) i, "serial");
                if (port < 0)
                        return -1;
                if (used[port])
                        return qemu_cmd_unsupported(c, "serial port %d is used twice", port);
                used[port] = true;
                if (qemu_serial(c, chr, (unsigned) port, "serial") < 0)
                        return -1;
        }
        for (size_t i = 0; i < d->n_consoles; i++) {
                const DomainChr *chr = &d->consoles[i];
                if (!chr->target_type || strcmp(chr->target_type, "serial") == 0) {
                        int port = chr_port(c, chr, 0, "console");
                        if (port < 0)
                                return -1;
                        if (!used[port] && qemu_serial(c, chr, (unsigned) port, "console") < 0)
                                return -1;
                        used[port] = true;
                } else if (strcmp(chr->target_type, "virtio") == 0) {
                        char id[32];
                        snprintf(id, sizeof id, "charconsole%zu", i);
                        if (qemu_chardev(c, chr, id, "console", NULL) < 0)
                                return -1;
                        qemu_cmd_arg(c, "-device");
                        qemu_cmd_argf(c, "virtconsole,bus=virtio-serial0.0,chardev=charconsole%zu,id=console%zu",
                                      i, i);
                } else {
                        return qemu_cmd_unsupported(c, "console target type '%s' is not supported", chr->target_type);
                }
        }
        for (size_t i = 0; i < d->n_channels; i++)
                if (qemu_cmd_channel(c, i) < 0)
                        return -1;
        return 0;
}

/* ---- input ---- */

int qemu_cmd_inputs(QemuCmd *c) {
        for (size_t i = 0; i < c->devs->n_inputs; i++) {
                const DomainInputDev *in = &c->devs->inputs[i];
                const char *type = in->type ? in->type : "", *bus = qemu_input_bus(in);
                const char *usb = NULL, *virtio = NULL;
                if (strcmp(type, "tablet") == 0) {
                        usb = "usb-tablet";
                        virtio = "virtio-tablet-pci";
                } else if (strcmp(type, "mouse") == 0) {
                        usb = "usb-mouse";
                        virtio = "virtio-mouse-pci";
                } else if (strcmp(type, "keyboard") == 0) {
                        usb = "usb-kbd";
                        virtio = "virtio-keyboard-pci";
                } else {
                        return qemu_cmd_unsupported(c, "input type '%s' is not supported", type);
                }
                if (strcmp(bus, "ps2") == 0 && strcmp(type, "tablet") != 0)
                        continue;          /* the PC's own i8042 */
                if (strcmp(bus, "usb") == 0) {
                        /* a hotplugged one (a live definition: restore) keeps its id and port */
                        char id[64];
                        qemu_usb_dev_id(in->alias, "input", i, id, sizeof id);
                        bool port = in->address.type && strcmp(in->address.type, "usb") == 0 && in->address.port;
                        qemu_cmd_arg(c, "-device");
                        qemu_cmd_argf(c, "%s,id=%s,bus=usb.0%s%s", usb, id, port ? ",port=" : "",
                                      port ? in->address.port : "");
                } else if (strcmp(bus, "virtio") == 0) {
                        QemuStr s = { 0 };
                        qstr_printf(&s, "%s,id=input%zu", virtio, i);
                        qemu_pci_append(c, &s, &c->pci->input[i]);
                        qemu_cmd_opt(c, "-device", &s);
                } else {
                        return qemu_cmd_unsupported(c, "input '%s' on bus '%s' is not supported", type, bus);
                }
        }
        return 0;
}

/* ---- graphics ---- */

static int graphics_port(QemuCmd *c, const DomainGraphics *g, int chosen, const char *type) {
        bool autoport = qemu_str_eq(g->autoport, "yes") || !g->port.set || g->port.v == -1;
        long long port = autoport ? chosen : g->port.v;
        if (autoport && (chosen < 5900 || chosen > 65535))
                return vb_error_set(c->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "no port was chosen for the automatic %s display", type);
        if (port < 5900 || port > 65535)
                return qemu_cmd_unsupported(c, "%s port must be in range [5900,65535]", type);
        return (int) port;
}

static int graphics_listen(QemuCmd *c, const DomainGraphics *g, const char *dflt, const char **addr) {
        *addr = g->listen ? g->listen : dflt ? dflt : "127.0.0.1";
        static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-";
        if (!**addr || (*addr)[strspn(*addr, ok)] != '\0')
                return qemu_cmd_unsupported(c, "graphics listen address '%s' is not valid", *addr);
        return 0;
}

static int qemu_cmd_vnc(QemuCmd *c, const DomainGraphics *g) {
        const QemuConfig *cfg = c->in->cfg;
        const char *ltype = g->listen_type ? g->listen_type : "address";
        QemuStr s = { 0 };
        if (strcmp(ltype, "none") == 0) {
                qstr_printf(&s, "none");
        } else if (strcmp(ltype, "socket") == 0) {
                if (!g->listen_socket || g->listen_socket[0] != '/')
                        return qemu_cmd_unsupported(c, "VNC <listen type='socket'> needs an absolute socket path");
                qstr_printf(&s, "unix:");
                qstr_escaped(&s, g->listen_socket);
        } else if (strcmp(ltype, "address") == 0) {
                const char *addr;
                int port = graphics_port(c, g, c->in->vnc_port, "vnc");
                if (port < 0 || graphics_listen(c, g, cfg ? cfg->vnc_listen : NULL, &addr) < 0)
                        return -1;
                qstr_printf(&s, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr, port - 5900);
        } else {
                return qemu_cmd_unsupported(c, "VNC listen type '%s' is not supported", ltype);
        }
        if (g->websocket.set) {
                long long ws = g->websocket.v == -1 ? c->in->websocket_port : g->websocket.v;
                if (strcmp(ltype, "address") != 0) {
                        free(s.s);
                        return qemu_cmd_unsupported(c, "VNC websocket needs a listen address");
                }
                if (ws < 1 || ws > 65535) {
                        free(s.s);
                        return g->websocket.v == -1
                               ? vb_error_set(c->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                              "no port was chosen for the automatic VNC websocket")
                               : qemu_cmd_unsupported(c, "VNC websocket port %lld is not in [1,65535]", ws);
                }
                qstr_printf(&s, ",websocket=%lld", ws);
        }
        if (g->passwd)
                qstr_printf(&s, ",password=on");
        qemu_cmd_opt(c, "-vnc", &s);
        if (g->keymap) {
                if (!qemu_token_ok(g->keymap))
                        return qemu_cmd_unsupported(c, "keymap '%s' is not valid", g->keymap);
                qemu_cmd_arg(c, "-k");
                qemu_cmd_arg(c, g->keymap);
        }
        return 0;
}

static int qemu_cmd_spice(QemuCmd *c, const DomainGraphics *g) {
        const QemuConfig *cfg = c->in->cfg;
        if (g->listen_type && strcmp(g->listen_type, "address") != 0)
                return qemu_cmd_unsupported(c, "SPICE listen type '%s' is not supported", g->listen_type);
        if (g->tls_port.set && g->tls_port.v != -1)
                return qemu_cmd_unsupported(c, "SPICE TLS is not supported");
        if (g->keymap)
                return qemu_cmd_unsupported(c, "a keymap is not supported with SPICE");
        const char *addr;
        int port = graphics_port(c, g, c->in->spice_port, "spice");
        if (port < 0 || graphics_listen(c, g, cfg ? cfg->spice_listen : NULL, &addr) < 0)
                return -1;
        QemuStr s = { 0 };
        qstr_printf(&s, "port=%d,addr=%s", port, addr);
        if (!g->passwd)
                qstr_printf(&s, ",disable-ticketing=on");
        if (g->image_compression) {
                static const char *const modes[] = { "auto_glz", "auto_lz", "quic", "glz", "lz", "off", NULL };
                bool ok = false;
                for (size_t i = 0; modes[i]; i++)
                        ok |= strcmp(g->image_compression, modes[i]) == 0;
                if (!ok) {
                        free(s.s);
                        return qemu_cmd_unsupported(c, "SPICE image compression '%s' is not supported",
                                                    g->image_compression);
                }
                qstr_printf(&s, ",image-compression=%s", g->image_compression);
        }
        qstr_printf(&s, ",seamless-migration=on");
        qemu_cmd_opt(c, "-spice", &s);
        return 0;
}

int qemu_cmd_graphics(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        bool vnc = false, spice = false;
        if (d->n_graphics == 0) {
                qemu_cmd_arg(c, "-display");
                qemu_cmd_arg(c, "none");
                return 0;
        }
        for (size_t i = 0; i < d->n_graphics; i++) {
                const DomainGraphics *g = &d->graphics[i];
                bool *seen = qemu_str_eq(g->type, "vnc") ? &vnc : qemu_str_eq(g->type, "spice") ? &spice : NULL;
                if (!seen)
                        return qemu_cmd_unsupported(c, "graphics type '%s' is not supported", g->type ? g->type : "");
                if (*seen)
                        return qemu_cmd_unsupported(c, "only 1 graphics device of each type (sdl, vnc, spice) "
                                                    "is supported");
                *seen = true;
                if ((seen == &vnc ? qemu_cmd_vnc(c, g) : qemu_cmd_spice(c, g)) < 0)
                        return -1;
        }
        return 0;
}

/* ---- video ---- */

typedef struct VideoModel {
        const char *type;
        const char *primary, *secondary;     /* device names; NULL: not in that role */
} VideoModel;

static const VideoModel video_models[] = {
        { "vga", "VGA", NULL },
        { "cirrus", "cirrus-vga", NULL },
        { "vmvga", "vmware-svga", NULL },
        { "qxl", "qxl-vga", "qxl" },
        { "virtio", "virtio-vga", "virtio-gpu-pci" },
        { "bochs", "bochs-display", "bochs-display" },
        { "ramfb", "ramfb", NULL },
};

static int qemu_cmd_video(QemuCmd *c, size_t i, bool primary) {
        const DomainVideo *v = &c->devs->videos[i];
        const char *type = v->model_type ? v->model_type : "vga";
        const VideoModel *m = NULL;
        for (size_t k = 0; k < sizeof video_models / sizeof video_models[0]; k++)
                if (strcmp(type, video_models[k].type) == 0)
                        m = &video_models[k];
        if (!m)
                return qemu_cmd_unsupported(c, "video type '%s' is not supported", type);
        const char *dev = primary ? m->primary : m->secondary;
        if (!dev)
                return qemu_cmd_unsupported(c, "video type '%s' is only valid as primary video device", type);
        QemuStr s = { 0 };
        char id[64];
        qemu_device_id(v->alias, QEMU_ID_VIDEO, i, id, sizeof id);
        qstr_printf(&s, "%s,id=%s", dev, id);
        qemu_pci_append(c, &s, &c->pci->video[i]);
        bool qxl = strcmp(type, "qxl") == 0;
        if ((qxl || strcmp(type, "virtio") == 0) && v->heads.set)
                qstr_printf(&s, ",max_outputs=%lld", v->heads.v);
        if (qxl && v->ram.set)
                qstr_printf(&s, ",ram_size=%lld", v->ram.v * 1024);
        if (qxl && v->vram.set)
                qstr_printf(&s, ",vram_size=%lld", v->vram.v * 1024);
        if ((qxl || strcmp(type, "vga") == 0 || strcmp(type, "vmvga") == 0) && v->vgamem.set)
                qstr_printf(&s, ",vgamem_mb=%lld", v->vgamem.v / 1024);
        qemu_cmd_opt(c, "-device", &s);
        return 0;
}

int qemu_cmd_videos(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (d->n_videos == 0) {
                if (d->n_graphics) {
                        QemuStr s = { 0 };
                        char id[64];
                        qemu_device_id(NULL, QEMU_ID_VIDEO, 0, id, sizeof id);
                        qstr_printf(&s, "VGA,id=%s", id);
                        qemu_pci_append(c, &s, &c->pci->default_video);
                        qemu_cmd_opt(c, "-device", &s);
                }
                return 0;
        }
        size_t primary = 0;
        for (size_t i = 0; i < d->n_videos; i++)
                if (qemu_str_eq(d->videos[i].primary, "yes"))
                        primary = i;
        for (size_t i = 0; i < d->n_videos; i++) {
                if (qemu_str_eq(d->videos[i].model_type, "none")) {
                        if (d->n_videos > 1)
                                return qemu_cmd_unsupported(c, "a 'none' video device must be the only one");
                        continue;
                }
                if (qemu_cmd_video(c, i, i == primary) < 0)
                        return -1;
        }
        return 0;
}

/* ---- watchdog, balloon, RNG ---- */

int qemu_cmd_watchdogs(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (d->n_watchdogs > 1)
                return qemu_cmd_unsupported(c, "only one watchdog device is supported");
        for (size_t i = 0; i < d->n_watchdogs; i++) {
                const DomainWatchdog *w = &d->watchdogs[i];
                const char *model = w->model ? w->model : "";
                if (strcmp(model, "i6300esb") != 0 && strcmp(model, "ib700") != 0)
                        return qemu_cmd_unsupported(c, "watchdog model '%s' is not supported", model);
                QemuStr s = { 0 };
                char id[64];
                qemu_device_id(w->alias, QEMU_ID_WATCHDOG, i, id, sizeof id);
                qstr_printf(&s, "%s,id=%s", model, id);
                qemu_pci_append(c, &s, &c->pci->watchdog[i]);
                qemu_cmd_opt(c, "-device", &s);
                if (!w->action)
                        continue;
                if (strcmp(w->action, "dump") == 0)
                        return qemu_cmd_unsupported(c, "watchdog action 'dump' is not supported");
                qemu_cmd_arg(c, "-action");
                qemu_cmd_argf(c, "watchdog=%s", w->action);
        }
        return 0;
}

int qemu_cmd_memballoon(QemuCmd *c) {
        const DomainMemballoon *b = &c->devs->memballoon;
        const char *model = b->model ? b->model : "virtio";
        const char *dev;
        if (strcmp(model, "none") == 0)
                return 0;
        if (strcmp(model, "virtio") == 0)
                dev = "virtio-balloon-pci";
        else if (strcmp(model, "virtio-transitional") == 0)
                dev = "virtio-balloon-pci-transitional";
        else if (strcmp(model, "virtio-non-transitional") == 0)
                dev = "virtio-balloon-pci-non-transitional";
        else
                return qemu_cmd_unsupported(c, "memballoon model '%s' is not supported", model);
        QemuStr s = { 0 };
        char id[64];
        qemu_device_id(b->alias, QEMU_ID_BALLOON, 0, id, sizeof id);
        qstr_printf(&s, "%s,id=%s%s", dev, id, qemu_str_eq(b->autodeflate, "on") ? ",deflate-on-oom=on" : "");
        qemu_pci_append(c, &s, &c->pci->balloon);
        qemu_cmd_opt(c, "-device", &s);
        return 0;
}

int qemu_cmd_rngs(QemuCmd *c) {
        for (size_t i = 0; i < c->devs->n_rngs; i++) {
                const DomainRng *rng = &c->devs->rngs[i];
                const char *model = rng->model ? rng->model : "";
                const char *dev = strcmp(model, "virtio") == 0 ? "virtio-rng-pci"
                                : strcmp(model, "virtio-transitional") == 0 ? "virtio-rng-pci-transitional"
                                : strcmp(model, "virtio-non-transitional") == 0 ? "virtio-rng-pci-non-transitional"
                                : NULL;
                if (!dev)
                        return qemu_cmd_unsupported(c, "rng model '%s' is not supported", model);
                const char *backend = rng->backend_model ? rng->backend_model : "random";
                QemuStr s = { 0 };
                if (strcmp(backend, "random") == 0) {
                        const char *path = rng->backend && *rng->backend ? rng->backend : "/dev/urandom";
                        if (path[0] != '/')
                                return qemu_cmd_unsupported(c, "rng backend '%s' must be an absolute path", path);
                        qstr_printf(&s, "rng-random");
                        qstr_kv(&s, "filename", path);
                        qstr_printf(&s, ",id=objrng%zu", i);
                } else if (strcmp(backend, "builtin") == 0) {
                        qstr_printf(&s, "rng-builtin,id=objrng%zu", i);
                } else {
                        return qemu_cmd_unsupported(c, "rng backend model '%s' is not supported", backend);
                }
                qemu_cmd_opt(c, "-object", &s);
                char id[64];
                qemu_device_id(rng->alias, QEMU_ID_RNG, i, id, sizeof id);
                qstr_printf(&s, "%s,rng=objrng%zu,id=%s", dev, i, id);
                qemu_pci_append(c, &s, &c->pci->rng[i]);
                qemu_cmd_opt(c, "-device", &s);
        }
        return 0;
}

char *qemu_channel_default_path(const char *dir, const char *domain, const char *target) {
        char *p = NULL;
        if (!dir || !domain || !target || strchr(target, '/') || asprintf(&p, "%s/%s.channel.%s", dir, domain, target) < 0)
                return NULL;
        return p;
}
