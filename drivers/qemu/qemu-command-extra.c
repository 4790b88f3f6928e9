/* qemu-command-extra.c: sound cards, USB redirection and hubs, the panic device, and the refusal of devices the driver cannot make, each by its element. */
#include "qemu-command-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-alias.h"

/* What a definition may hold that no generator makes: refused, never dropped. */
int qemu_cmd_check_unsupported_devices(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (d->n_others)
                return qemu_cmd_unsupported(c, "device <%s> is not supported by the QEMU driver", d->others[0].name);
        for (size_t i = 0; i < d->n_hubs; i++)
                if (!qemu_str_eq(d->hubs[i].type, "usb"))
                        return qemu_cmd_unsupported(c, "hub type '%s' is not supported",
                                                    d->hubs[i].type ? d->hubs[i].type : "");
        return 0;
}

static bool has_spice(const QemuCmd *c) {
        for (size_t i = 0; i < c->devs->n_graphics; i++)
                if (qemu_str_eq(c->devs->graphics[i].type, "spice"))
                        return true;
        return false;
}

/* One audio backend for every card, as libvirt: SPICE's when the guest has SPICE, else none
 * (VNC carries no sound). */
static void audiodev(QemuCmd *c) {
        qemu_cmd_arg(c, "-audiodev");
        qemu_cmd_arg(c, has_spice(c) ? "spice,id=audio1" : "none,id=audio1");
}

int qemu_cmd_sounds(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (d->n_sounds)
                audiodev(c);
        for (size_t i = 0; i < d->n_sounds; i++) {
                const DomainSound *snd = &d->sounds[i];
                const char *model = snd->model ? snd->model : "";
                const char *dev = strcmp(model, "ich6") == 0 ? "intel-hda"
                                : strcmp(model, "ich9") == 0 ? "ich9-intel-hda"
                                : strcmp(model, "ac97") == 0 ? "AC97"
                                : strcmp(model, "es1370") == 0 ? "ES1370"
                                : strcmp(model, "sb16") == 0 ? "sb16"
                                : strcmp(model, "usb") == 0 ? "usb-audio" : NULL;
                if (!dev)
                        return qemu_cmd_unsupported(c, "sound model '%s' is not supported", model);
                bool hda = strstr(dev, "intel-hda") != NULL;
                QemuStr s = { 0 };
                char id[64];
                qemu_device_id(snd->alias, QEMU_ID_SOUND, i, id, sizeof id);
                qstr_printf(&s, "%s,id=%s", dev, id);
                if (!hda)
                        qstr_printf(&s, ",audiodev=audio1");
                if (strcmp(model, "usb") == 0)
                        qstr_printf(&s, ",bus=usb.0");
                qemu_pci_append(c, &s, &c->pci->sound[i]);
                qemu_cmd_opt(c, "-device", &s);
                if (!hda) {
                        if (snd->codec_type)
                                return qemu_cmd_unsupported(c, "sound model '%s' has no codecs", model);
                        continue;
                }
                const char *codec = snd->codec_type ? snd->codec_type : "duplex";
                qstr_printf(&s, "hda-%s,id=%s-codec0,bus=%s.0,cad=0,audiodev=audio1", codec, id, id);
                qemu_cmd_opt(c, "-device", &s);
        }
        return 0;
}

/* The USB port a definition names (qemu-usb-addr.c gives redirdevs and hubs one), or "". */
static const char *usb_port(const DomainAddress *a) {
        return a->type && strcmp(a->type, "usb") == 0 && a->port ? a->port : "";
}

/* USB redirection over SPICE (virt-install adds two), and USB hubs. */
int qemu_cmd_redirdevs(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        for (size_t i = 0; i < d->n_redirdevs; i++) {
                const DomainRedirdev *r = &d->redirdevs[i];
                if (!qemu_str_eq(r->bus, "usb") && r->bus)
                        return qemu_cmd_unsupported(c, "redirdev bus '%s' is not supported", r->bus);
                if (!qemu_str_eq(r->type, "spicevmc"))
                        return qemu_cmd_unsupported(c, "<redirdev type='%s'> is not supported (only spicevmc is)",
                                                    r->type ? r->type : "");
                if (!has_spice(c))
                        return qemu_cmd_unsupported(c, "<redirdev type='spicevmc'> needs SPICE graphics");
                qemu_cmd_arg(c, "-chardev");
                qemu_cmd_argf(c, "spicevmc,id=charredir%zu,name=usbredir", i);
                qemu_cmd_arg(c, "-device");
                char id[64];
                qemu_device_id(r->alias, QEMU_ID_REDIRDEV, i, id, sizeof id);
                qemu_cmd_argf(c, "usb-redir,chardev=charredir%zu,id=%s,bus=usb.0%s%s", i, id,
                              *usb_port(&r->address) ? ",port=" : "", usb_port(&r->address));
        }
        for (size_t i = 0; i < d->n_hubs; i++) {
                qemu_cmd_arg(c, "-device");
                char id[64];
                qemu_usb_dev_id(d->hubs[i].alias, "hub", i, id, sizeof id);
                qemu_cmd_argf(c, "usb-hub,id=%s,bus=usb.0%s%s", id, *usb_port(&d->hubs[i].address) ? ",port=" : "",
                              usb_port(&d->hubs[i].address));
        }
        return 0;
}

/* The ISA pvpanic device at libvirt's port 0x505. */
int qemu_cmd_panics(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (d->n_panics > 1)
                return qemu_cmd_unsupported(c, "only one panic device is supported");
        for (size_t i = 0; i < d->n_panics; i++) {
                const char *model = d->panics[i].model ? d->panics[i].model : "isa";
                if (strcmp(model, "isa") != 0)
                        return qemu_cmd_unsupported(c, "panic model '%s' is not supported on x86 (only isa is)", model);
                if (d->panics[i].address.type && !qemu_str_eq(d->panics[i].address.type, "isa"))
                        return qemu_cmd_unsupported(c, "panic address type '%s' is not supported",
                                                    d->panics[i].address.type);
                qemu_cmd_arg(c, "-device");
                qemu_cmd_arg(c, "pvpanic,ioport=1285");
        }
        return 0;
}
