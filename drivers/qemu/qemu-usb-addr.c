/* qemu-usb-addr.c: USB ports for redirdevs and hubs, written into the definition when it is
 * defined, as libvirt does (<address type='usb' bus='0' port='N'/>), and given to QEMU as
 * usb-redir/usb-hub ",port=N" so the XML says where the device really is. Clients read them:
 * cockpit-machines' XML parser reads every <redirdev>'s <address> and fails on one without it
 * (the VM never shows up in its list).
 *
 * Numbering: USB inputs (tablet, mouse, keyboard on bus usb) and USB sound come first in
 * QEMU's command line and take ports 1.. by QEMU's own assignment, in that order; redirdevs
 * then hubs follow them. For virt-install's, cockpit's and virt-manager's XML (a tablet and
 * two SPICE redirdevs) that is libvirt's numbering: tablet 1, redirdevs 2 and 3. libvirt
 * numbers hubs first; virtbus numbers them last (none of those tools adds one). A port written
 * in the XML is kept and skipped. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-usb-addr.h"

#define USB_MAX_PORT 64                /* far above any controller's ports */

const char *qemu_input_bus(const DomainInputDev *in) {
        if (in->bus)
                return in->bus;
        return in->type && strcmp(in->type, "tablet") == 0 ? "usb" : "ps2";
}

static bool is_usb_input(const DomainInputDev *in) {
        return strcmp(qemu_input_bus(in), "usb") == 0;
}

bool qemu_devices_need_usb(const DomainDevices *d) {
        for (size_t i = 0; i < d->n_inputs; i++)
                if (is_usb_input(&d->inputs[i]))
                        return true;
        for (size_t i = 0; i < d->n_sounds; i++)
                if (d->sounds[i].model && strcmp(d->sounds[i].model, "usb") == 0)
                        return true;
        return d->n_redirdevs > 0 || d->n_hubs > 0;
}

static bool has_port(const DomainAddress *a) {
        return a->type && strcmp(a->type, "usb") == 0 && a->port;
}

/* Marks ports written in the XML; returns false when one is not a number in range. */
static bool mark(const DomainAddress *a, bool *used) {
        if (!has_port(a))
                return true;
        char *end;
        long p = strtol(a->port, &end, 10);
        if (*end || p < 1 || p > USB_MAX_PORT)
                return false;
        used[p] = true;
        return true;
}

static int give(DomainAddress *a, bool *used, unsigned *next) {
        if (a->type || has_port(a))
                return 0;                  /* another address kind is refused by the generator */
        while (*next <= USB_MAX_PORT && used[*next])
                (*next)++;
        if (*next > USB_MAX_PORT)
                return -2;
        char port[8];
        snprintf(port, sizeof port, "%u", *next);
        a->type = strdup("usb");
        a->bus = strdup("0");
        a->port = strdup(port);
        if (!a->type || !a->bus || !a->port)
                return -1;
        used[(*next)++] = true;
        return 0;
}

int qemu_define_usb_addresses(DomainDef *def, VbError *err) {
        DomainDevices *d = &def->priv->devices;
        bool used[USB_MAX_PORT + 1] = { false };
        unsigned next = 1;
        for (size_t i = 0; i < d->n_redirdevs; i++)
                if (!mark(&d->redirdevs[i].address, used))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "invalid USB port '%s' in <redirdev> <address>",
                                            d->redirdevs[i].address.port);
        for (size_t i = 0; i < d->n_hubs; i++)
                if (!mark(&d->hubs[i].address, used))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "invalid USB port '%s' in <hub> <address>", d->hubs[i].address.port);
        for (size_t i = 0; i < d->n_inputs; i++) {
                if (!is_usb_input(&d->inputs[i]))
                        continue;
                if (!has_port(&d->inputs[i].address))
                        next++;         /* QEMU gives it the next port */
                else if (!mark(&d->inputs[i].address, used))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "invalid USB port '%s' in <input> <address>", d->inputs[i].address.port);
        }
        for (size_t i = 0; i < d->n_sounds; i++)
                if (d->sounds[i].model && strcmp(d->sounds[i].model, "usb") == 0)
                        next++;
        int r = 0;
        for (size_t i = 0; i < d->n_redirdevs && r == 0; i++)
                r = give(&d->redirdevs[i].address, used, &next);
        for (size_t i = 0; i < d->n_hubs && r == 0; i++)
                r = give(&d->hubs[i].address, used, &next);
        if (r == -2)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "no free USB port for a <redirdev> or <hub> (at most %d)", USB_MAX_PORT);
        return r < 0 ? vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL) : 0;
}

/* One device in QEMU's command line order: a written port is taken, else QEMU gives the
 * lowest free one. */
static void simulate(const DomainAddress *a, bool *used) {
        if (has_port(a)) {
                mark(a, used);
                return;
        }
        for (unsigned p = 1; p <= USB_MAX_PORT; p++)
                if (!used[p]) {
                        used[p] = true;
                        return;
                }
}

/* The ports of the controller's root hub: xHCI's USB 2 ports (`ports`, QEMU's default 4),
 * UHCI's 2, EHCI's 6; 0 when the domain has no USB controller. */
static unsigned root_ports(const DomainDevices *d) {
        for (size_t i = 0; i < d->n_controllers; i++) {
                const DomainController *c = &d->controllers[i];
                if (!c->type || strcmp(c->type, "usb") != 0 || (c->index.set && c->index.v != 0))
                        continue;
                const char *m = c->model ? c->model : "qemu-xhci";
                if (strcmp(m, "none") == 0)
                        return 0;
                if (strncmp(m, "ich9-uhci", 9) == 0)
                        continue;
                if (strcmp(m, "piix3-uhci") == 0)
                        return 2;
                if (strcmp(m, "ich9-ehci1") == 0)
                        return 6;
                return c->ports.set && c->ports.v > 0 && c->ports.v <= 15 ? (unsigned) c->ports.v : 4;
        }
        return qemu_devices_need_usb(d) ? 4 : 0;    /* the xHCI controller the command line adds, or none */
}

int qemu_usb_free_port(const DomainDef *def, unsigned want, const char *what, VbError *err) {
        const DomainDevices *d = &def->priv->devices;
        unsigned n = root_ports(d);
        if (n == 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot attach %s: domain '%s' has no USB controller", what, def->name);
        bool used[USB_MAX_PORT + 1] = { false };
        for (size_t i = 0; i < d->n_inputs; i++)
                if (is_usb_input(&d->inputs[i]))
                        simulate(&d->inputs[i].address, used);
        for (size_t i = 0; i < d->n_sounds; i++)
                if (d->sounds[i].model && strcmp(d->sounds[i].model, "usb") == 0)
                        simulate(&d->sounds[i].address, used);
        for (size_t i = 0; i < d->n_redirdevs; i++)
                simulate(&d->redirdevs[i].address, used);
        for (size_t i = 0; i < d->n_hubs; i++)
                simulate(&d->hubs[i].address, used);
        if (want > n)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "USB port %u does not exist (the controller has %u)", want, n);
        if (want && used[want])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "USB port %u is already in use", want);
        if (want)
                return (int) want;
        for (unsigned p = 1; p <= n; p++)
                if (!used[p])
                        return (int) p;
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "No free USB ports");
}
