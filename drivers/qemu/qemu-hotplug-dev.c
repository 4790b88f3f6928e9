/* qemu-hotplug-dev.c: DomainOps.prepare_device / attach_device / detach_device: each device kind beyond disks and NICs to the file that hotplugs it. */
#include "qemu-priv.h"

#include <string.h>

#include "domain-hotplug.h"
#include "domain-model.h"
#include "qemu-command.h"
#include "qemu-command-priv.h"

int qemu_domain_prepare_device(const DomainDef *def, DomainDevices *dev, VbError *err) {
        if (dev->n_inputs || dev->n_hubs)
                return qemu_usb_prepare(def, dev, err);
        if (dev->n_controllers == 1)
                return qemu_ctrl_prepare(def, dev, err);
        if (dev->n_channels == 1)
                return qemu_chan_prepare(def, dev, err);
        if (dev->n_memories == 1)
                return qemu_mem_prepare(def, dev, err);
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU, "this device cannot be hotplugged");
}

int qemu_domain_attach_device(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        if (dev->n_inputs || dev->n_hubs)
                return qemu_usb_attach(d, dev, call, err);
        if (dev->n_controllers == 1)
                return qemu_ctrl_attach(d, dev, call, err);
        if (dev->n_channels == 1)
                return qemu_chan_attach(d, dev, call, err);
        if (dev->n_memories == 1)
                return qemu_mem_attach(d, dev, call, err);
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU, "this device cannot be hotplugged");
}

int qemu_domain_detach_device(Domain *d, const char *kind, size_t index, Call *call, VbError *err) {
        if (strcmp(kind, "input") == 0 || strcmp(kind, "hub") == 0)
                return qemu_usb_detach(d, kind, index, call, err);
        if (strcmp(kind, "controller") == 0)
                return qemu_ctrl_detach(d, index, call, err);
        if (strcmp(kind, "channel") == 0)
                return qemu_chan_detach(d, index, call, err);
        if (strcmp(kind, "memory") == 0)
                return qemu_mem_detach(d, index, call, err);
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU, "<%s> cannot be hot unplugged", kind);
}

int qemu_domain_check_detach(const DomainDef *def, const char *kind, size_t index, VbError *err) {
        return strcmp(kind, "controller") == 0 ? qemu_ctrl_check_detach(def, index, err) : 0;
}

/* A device is found by its QEMU id or by its user's ua- alias (libvirt's detach-device-alias
 * takes both). */
static bool user_alias_is(const char *mine, const char *alias) {
        return qemu_alias_is_user(mine) && strcmp(mine, alias) == 0;
}

long qemu_device_by_alias(const DomainDef *def, const char *alias, const char **kind) {
        const DomainDevices *d = def && def->priv ? &def->priv->devices : NULL;
        char id[64], memdev[72];
        for (size_t i = 0; d && i < d->n_inputs; i++) {
                qemu_usb_dev_id(d->inputs[i].alias, "input", i, id, sizeof id);
                const DomainInputDev *in = &d->inputs[i];
                const char *bus = in->bus ? in->bus : qemu_str_eq(in->type, "tablet") ? "usb" : "ps2";
                if ((strcmp(id, alias) == 0 || user_alias_is(in->alias, alias)) && strcmp(bus, "usb") == 0)
                        return *kind = "input", (long) i;
        }
        for (size_t i = 0; d && i < d->n_hubs; i++) {
                qemu_usb_dev_id(d->hubs[i].alias, "hub", i, id, sizeof id);
                if (strcmp(id, alias) == 0 || user_alias_is(d->hubs[i].alias, alias))
                        return *kind = "hub", (long) i;
        }
        for (size_t i = 0; d && i < d->n_controllers; i++) {
                if (!qemu_ctrl_hotpluggable(&d->controllers[i]))
                        continue;
                qemu_ctrl_id(&d->controllers[i], id, sizeof id);
                if (strcmp(id, alias) == 0 || user_alias_is(d->controllers[i].alias, alias))
                        return *kind = "controller", (long) i;
        }
        for (size_t i = 0; d && i < d->n_channels; i++) {
                qemu_chan_id(def, i, id, sizeof id);
                if (strcmp(id, alias) == 0 || user_alias_is(d->channels[i].alias, alias))
                        return *kind = "channel", (long) i;
        }
        for (size_t i = 0; d && i < d->n_memories; i++) {
                qemu_dimm_ids(&d->memories[i], i, id, sizeof id, memdev, sizeof memdev);
                if (strcmp(id, alias) == 0 || user_alias_is(d->memories[i].alias, alias))
                        return *kind = "memory", (long) i;
        }
        return -1;
}
