/* qemu-hotplug-usb.c: USB inputs (tablet, mouse, keyboard) and hubs attached to and detached from a running guest: a port of USB bus 0 (qemu-usb-addr.c), QMP device_add, and device_del awaited through DEVICE_DELETED. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-command-priv.h"

/* What a USB element of dev is: its kind, QEMU id prefix, QEMU device and address. */
typedef struct UsbDev {
        const char *kind;               /* "input", "hub" */
        const char *driver;             /* usb-tablet, usb-mouse, usb-kbd, usb-hub; NULL: not USB */
        DomainAddress *address;
        char **alias;
} UsbDev;

static bool usb_dev(DomainDevices *dev, size_t i, const char *kind, UsbDev *u) {
        memset(u, 0, sizeof *u);
        u->kind = kind;
        if (strcmp(kind, "input") == 0 && i < dev->n_inputs) {
                DomainInputDev *in = &dev->inputs[i];
                const char *bus = in->bus ? in->bus : qemu_str_eq(in->type, "tablet") ? "usb" : "ps2";
                u->address = &in->address;
                u->alias = &in->alias;
                if (strcmp(bus, "usb") == 0)
                        u->driver = qemu_str_eq(in->type, "tablet") ? "usb-tablet"
                                  : qemu_str_eq(in->type, "mouse") ? "usb-mouse"
                                  : qemu_str_eq(in->type, "keyboard") ? "usb-kbd" : NULL;
                return true;
        }
        if (strcmp(kind, "hub") == 0 && i < dev->n_hubs) {
                u->address = &dev->hubs[i].address;
                u->alias = &dev->hubs[i].alias;
                u->driver = qemu_str_eq(dev->hubs[i].type, "usb") ? "usb-hub" : NULL;
                return true;
        }
        return false;
}

/* The one USB element of dev (an attach's argument), or false. */
static bool usb_dev_of(DomainDevices *dev, UsbDev *u) {
        return usb_dev(dev, 0, dev->n_inputs ? "input" : "hub", u) && (dev->n_inputs + dev->n_hubs == 1);
}

static int set_str(char **dst, const char *v) {
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

int qemu_usb_prepare(const DomainDef *def, DomainDevices *dev, VbError *err) {
        UsbDev u;
        if (!usb_dev_of(dev, &u))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "not one USB device");
        if (!u.driver)
                return 0;               /* a PS/2 input in a definition: no port */
        const DomainAddress *a = u.address;
        if (a->type && strcmp(a->type, "usb") != 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "<%s> needs a USB address, not '%s'", u.kind, a->type);
        if (a->bus && strcmp(a->bus, "0") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "USB bus %s is not supported (only bus 0 is)", a->bus);
        unsigned want = 0;
        if (a->port) {
                char *end;
                unsigned long p = strtoul(a->port, &end, 10);
                if (*end || p < 1 || p > 64)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                            "invalid USB port '%s' in <%s> <address>", a->port, u.kind);
                want = (unsigned) p;
        }
        char what[16];
        snprintf(what, sizeof what, "<%s>", u.kind);
        int port = qemu_usb_free_port(def, want, what, err);
        if (port < 0)
                return -1;
        char ps[12];
        snprintf(ps, sizeof ps, "%d", port);
        if (set_str(&u.address->type, "usb") < 0 || set_str(&u.address->bus, "0") < 0 ||
            set_str(&u.address->port, ps) < 0)
                return vb_error_errno(err, -ENOMEM, "USB address");
        return 0;
}

/* libvirt's choice of a new alias: one more than the highest inputN / hubN the guest has. */
static void new_alias(DomainDef *live, const char *kind, char *buf, size_t len) {
        DomainDevices *d = &live->priv->devices;
        size_t n = strcmp(kind, "input") == 0 ? d->n_inputs : d->n_hubs;
        unsigned long next = 0;
        for (size_t i = 0; i < n; i++) {
                UsbDev u;
                char id[64], *end;
                usb_dev(d, i, kind, &u);
                qemu_usb_dev_id(*u.alias, kind, i, id, sizeof id);
                if (strncmp(id, kind, strlen(kind)) != 0)
                        continue;
                unsigned long v = strtoul(id + strlen(kind), &end, 10);
                if (!*end && v >= next)
                        next = v + 1;
        }
        snprintf(buf, len, "%s%lu", kind, next);
}

typedef struct UsbAttach {
        QemuDomain *qd;
        DomainDevices *dev;
        char alias[32];
} UsbAttach;

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        UsbAttach *a = userdata;
        QemuDomain *qd = a->qd;
        (void) ret;
        if (q != qd->qmp || !qd->job) {
                domain_device_free(a->dev);
                free(a);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        UsbDev u;
        usb_dev_of(a->dev, &u);
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach <%s> %s: %s", u.kind, a->alias,
                             desc ? desc : cls);
        } else if (set_str(u.alias, a->alias) < 0 || !d->live ||
                   domain_devices_move(&d->live->priv->devices, a->dev, u.kind, 0) < 0) {
                vb_error_errno(&e, -ENOMEM, "attach");
        } else {
                r = 0;
                log_info("domain %s: <%s> attached as %s", d->obj.name, u.kind, a->alias);
                qemu_hotplug_added(d, a->alias);
        }
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        domain_device_free(a->dev);
        free(a);
        domain_unref(d);
}

int qemu_usb_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        UsbDev u;
        UsbAttach *a = NULL;
        json_object *args = NULL;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                             "the QEMU monitor of domain '%s' is not available", d->obj.name);
                goto fail;
        }
        if (!usb_dev_of(dev, &u) || !u.driver || !u.address->port) {
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "the USB device has no port");
                goto fail;
        }
        if (!(a = calloc(1, sizeof *a)) || !(args = json_object_new_object())) {
                vb_error_errno(err, -ENOMEM, "attach");
                goto fail;
        }
        new_alias(d->live, u.kind, a->alias, sizeof a->alias);
        json_object_object_add(args, "driver", json_object_new_string(u.driver));
        json_object_object_add(args, "id", json_object_new_string(a->alias));
        json_object_object_add(args, "bus", json_object_new_string("usb.0"));
        json_object_object_add(args, "port", json_object_new_string(u.address->port));
        a->qd = qd;
        a->dev = dev;
        int r = qmp_send(qd->qmp, "device_add", args, on_attach, a);
        args = NULL;
        if (r < 0) {
                vb_error_errno(err, r, "device_add");
                goto fail;
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
fail:
        json_object_put(args);
        free(a);
        domain_device_free(dev);
        return -1;
}

/* Every element of kind gets its id as its alias, so that indexes may shift. */
static void keep_aliases(DomainDef *live, const char *kind) {
        DomainDevices *d = &live->priv->devices;
        UsbDev u;
        for (size_t i = 0; usb_dev(d, i, kind, &u); i++) {
                char id[64];
                qemu_usb_dev_id(*u.alias, kind, i, id, sizeof id);
                if (!*u.alias && set_str(u.alias, id) < 0)
                        log_warning("domain %s: the alias of %s is not kept", live->name, id);
        }
}

static void removed(QemuDomain *qd, const char *alias, const char *kind) {
        Domain *d = qd->domain;
        if (!d->live)
                return;
        DomainDevices *devs = &d->live->priv->devices;
        UsbDev u;
        for (size_t i = 0; usb_dev(devs, i, kind, &u); i++)
                if (*u.alias && strcmp(*u.alias, alias) == 0) {
                        domain_devices_remove(devs, kind, i);
                        return;
                }
}

static void input_removed(QemuDomain *qd, const char *alias, const char *target) {
        (void) target;
        removed(qd, alias, "input");
}

static void hub_removed(QemuDomain *qd, const char *alias, const char *target) {
        (void) target;
        removed(qd, alias, "hub");
}

int qemu_usb_detach(Domain *d, const char *kind, size_t index, Call *call, VbError *err) {
        UsbDev u;
        if (!usb_dev(&d->live->priv->devices, index, kind, &u) || !u.driver)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "this <%s> cannot be hot unplugged (only USB ones can)", kind);
        keep_aliases(d->live, kind);
        usb_dev(&d->live->priv->devices, index, kind, &u);
        if (!*u.alias)
                return vb_error_errno(err, -ENOMEM, "detach");
        char alias[64];
        snprintf(alias, sizeof alias, "%s", *u.alias);
        return qemu_unplug_begin(d->driver_data, alias, kind, alias,
                                 strcmp(kind, "input") == 0 ? input_removed : hub_removed, call, err);
}
