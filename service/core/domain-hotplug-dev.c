/* domain-hotplug-dev.c: virDomainAttachDevice(Flags) / DetachDevice(Flags) of the device kinds beyond disks and NICs (USB inputs and hubs, controllers, channels, DIMMs): the checks, the persistent definition, and the driver for the running guest. */
#define LOG_MODULE "core"
#include "domain-hotplug-dev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug-apply.h"
#include "domain-model.h"
#include "driver.h"
#include "log.h"

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

/* The element a refusal names: the kind conf models, else the element kept as written. */
static const char *element_of(const DomainDevices *dev, const char *kind) {
        if (kind && kind[0])
                return kind;
        return dev && dev->n_others == 1 ? dev->others[0].name : "unknown";
}

const char *domain_hotplug_kind(const char *xml, size_t len, char *buf, size_t size) {
        const char *kind = "";
        VbError e = { 0 };
        DomainDevices *dev = domain_device_parse(xml, len, &kind, &e);
        snprintf(buf, size, "%s", dev ? element_of(dev, kind) : "");
        domain_device_free(dev);
        return buf;
}

bool domain_hotplug_is_dev(const char *kind) {
        return str_eq(kind, "input") || str_eq(kind, "hub") || str_eq(kind, "controller") || str_eq(kind, "channel") ||
               str_eq(kind, "memory");
}

static const char *input_bus(const DomainInputDev *in) {
        return in->bus ? in->bus : str_eq(in->type, "tablet") ? "usb" : "ps2";
}

/* One element of kind, checked for what the verb needs (live: the running guest's). */
static DomainDevices *parse_one(const char *xml, size_t len, const char *kind, bool live, VbError *err) {
        DomainDevices *dev = domain_device_parse(xml, len, NULL, err);
        if (!dev)
                return NULL;
        if (str_eq(kind, "memory") && domain_devices_count(dev, kind) == 0) {
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                             "only <memory model='dimm'> devices can be attached or detached");
                return domain_device_free(dev);
        }
        if (domain_devices_count(dev, kind) != 1) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "expected one <%s> element", kind);
                return domain_device_free(dev);
        }
        if (str_eq(kind, "input")) {
                const DomainInputDev *in = &dev->inputs[0];
                if (!in->type) {
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                     "Missing required attribute 'type' in element 'input'");
                        return domain_device_free(dev);
                }
                if (live && strcmp(input_bus(in), "usb") != 0) {
                        vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                     "input device on bus '%s' cannot be hot plugged.", input_bus(in));
                        return domain_device_free(dev);
                }
        }
        if (str_eq(kind, "controller") && !dev->controllers[0].type) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                             "Missing required attribute 'type' in element 'controller'");
                return domain_device_free(dev);
        }
        if (str_eq(kind, "hub") && !str_eq(dev->hubs[0].type, "usb")) {
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "hub type '%s' is not supported",
                             dev->hubs[0].type ? dev->hubs[0].type : "");
                return domain_device_free(dev);
        }
        return dev;
}

static int input_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move(domain_hotplug_devices(nd), dev, "input", 0);
        domain_devices_remove(domain_hotplug_devices(nd), "input", (size_t) index);
        return 0;
}

static int hub_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move(domain_hotplug_devices(nd), dev, "hub", 0);
        domain_devices_remove(domain_hotplug_devices(nd), "hub", (size_t) index);
        return 0;
}

static int controller_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move(domain_hotplug_devices(nd), dev, "controller", 0);
        domain_devices_remove(domain_hotplug_devices(nd), "controller", (size_t) index);
        return 0;
}

static int channel_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move(domain_hotplug_devices(nd), dev, "channel", 0);
        domain_devices_remove(domain_hotplug_devices(nd), "channel", (size_t) index);
        return 0;
}

/* A DIMM's size counts in <memory> and <currentMemory>, as libvirt's. */
static int memory_edit(DomainDef *nd, DomainDevices *dev, long index) {
        DomainDevices *d = domain_hotplug_devices(nd);
        if (dev) {
                uint64_t size = dev->memories[0].target_size_kib;
                int r = domain_devices_move(d, dev, "memory", 0);
                if (r == 0) {
                        nd->memory_kib += size;
                        nd->current_memory_kib += size;
                }
                return r;
        }
        uint64_t size = d->memories[index].target_size_kib;
        nd->memory_kib -= size < nd->memory_kib ? size : 0;
        nd->current_memory_kib -= size < nd->current_memory_kib ? size : 0;
        if (nd->current_memory_kib > nd->memory_kib)
                nd->current_memory_kib = nd->memory_kib;
        domain_devices_remove(d, "memory", (size_t) index);
        return 0;
}

static DomainConfigEdit edit_of(const char *kind) {
        if (str_eq(kind, "memory"))
                return memory_edit;
        return str_eq(kind, "input") ? input_edit : str_eq(kind, "hub") ? hub_edit
             : str_eq(kind, "channel") ? channel_edit : controller_edit;
}

static const DomainOps *ops_of(Domain *d, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops->prepare_device || !ops->attach_device || !ops->detach_device || !ops->check_detach) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainAttachDeviceFlags");
                return NULL;
        }
        return ops;
}

int domain_attach_dev(Domain *d, const char *kind, const char *xml, size_t len, unsigned flags, Call *call,
                      VbError *err) {
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        const DomainOps *ops = ops_of(d, err);
        if (!ops)
                return -1;
        DomainDevices *cdev = config ? parse_one(xml, len, kind, false, err) : NULL;
        DomainDevices *ldev = live && (!config || cdev) ? parse_one(xml, len, kind, true, err) : NULL;
        if ((config && !cdev) || (live && !ldev) ||
            (cdev && domain_devices_aliases_free(domain_hotplug_devices(d->def), cdev, err) < 0) ||
            (ldev && domain_devices_aliases_free(domain_hotplug_devices(d->live), ldev, err) < 0) ||
            (cdev && ops->prepare_device(d->def, cdev, err) < 0) ||
            (ldev && ops->prepare_device(d->live, ldev, err) < 0)) {
                domain_device_free(cdev);
                domain_device_free(ldev);
                return -1;
        }
        DomainHotplugLive l = { .attach = ops->attach_device, .dev = ldev, .index = -1, .what = "attaching a device" };
        return domain_hotplug_apply(d, edit_of(kind), cdev, -1, &l, call, err);
}

/* want's USB port, when it names one. */
static const char *usb_port(const DomainAddress *a) {
        return str_eq(a->type, "usb") ? a->port : NULL;
}

/* The first element of def like want (libvirt's match: an input's type and bus; the address
 * and alias when want gives them), or -1. */
static long find(const DomainDef *def, const char *kind, const DomainDevices *want) {
        const DomainDevices *d = domain_hotplug_devices(def);
        if (str_eq(kind, "input")) {
                const DomainInputDev *w = &want->inputs[0];
                for (size_t i = 0; d && i < d->n_inputs; i++) {
                        const DomainInputDev *in = &d->inputs[i];
                        if (str_eq(in->type, w->type) && strcmp(input_bus(in), input_bus(w)) == 0 &&
                            (!usb_port(&w->address) || str_eq(usb_port(&in->address), usb_port(&w->address))) &&
                            (!w->alias || str_eq(in->alias, w->alias)))
                                return (long) i;
                }
                return -1;
        }
        if (str_eq(kind, "controller")) {
                const DomainController *w = &want->controllers[0];
                for (size_t i = 0; d && i < d->n_controllers; i++)
                        if (str_eq(d->controllers[i].type, w->type) && d->controllers[i].index.v == w->index.v)
                                return (long) i;
                return -1;
        }
        if (str_eq(kind, "memory")) {
                const DomainMemoryDev *w = &want->memories[0];
                for (size_t i = 0; d && i < d->n_memories; i++) {
                        const DomainMemoryDev *m = &d->memories[i];
                        if (str_eq(m->model, w->model) && m->target_size_kib == w->target_size_kib &&
                            (!w->target_node.set || m->target_node.v == w->target_node.v) &&
                            (!w->address.slot || str_eq(m->address.slot, w->address.slot)) &&
                            (!w->alias || str_eq(m->alias, w->alias)))
                                return (long) i;
                }
                return -1;
        }
        if (str_eq(kind, "channel")) {
                const DomainChr *w = &want->channels[0];
                for (size_t i = 0; d && i < d->n_channels; i++)
                        if (str_eq(d->channels[i].target_type, w->target_type) &&
                            str_eq(d->channels[i].target_name, w->target_name))
                                return (long) i;
                return -1;
        }
        const DomainHub *w = &want->hubs[0];
        for (size_t i = 0; d && i < d->n_hubs; i++)
                if ((!usb_port(&w->address) || str_eq(usb_port(&d->hubs[i].address), usb_port(&w->address))) &&
                    (!w->alias || str_eq(d->hubs[i].alias, w->alias)))
                        return (long) i;
        return -1;
}

static int detach_input(Domain *d, size_t index, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->detach_device(d, "input", index, call, err);
}

static int detach_hub(Domain *d, size_t index, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->detach_device(d, "hub", index, call, err);
}

static int detach_controller(Domain *d, size_t index, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->detach_device(d, "controller", index, call, err);
}

static int detach_channel(Domain *d, size_t index, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->detach_device(d, "channel", index, call, err);
}

static int detach_memory(Domain *d, size_t index, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->detach_device(d, "memory", index, call, err);
}

int domain_detach_dev_index(Domain *d, const char *kind, long ci, long li, Call *call, VbError *err) {
        const DomainOps *ops = ops_of(d, err);
        if (!ops || (ci >= 0 && ops->check_detach(d->def, kind, (size_t) ci, err) < 0) ||
            (li >= 0 && ops->check_detach(d->live, kind, (size_t) li, err) < 0))
                return -1;
        DomainHotplugLive l = { .detach = str_eq(kind, "memory") ? detach_memory : str_eq(kind, "input") ? detach_input
                                        : str_eq(kind, "hub") ? detach_hub
                                        : str_eq(kind, "channel") ? detach_channel : detach_controller, .index = li,
                                .what = "detaching a device" };
        return domain_hotplug_apply(d, edit_of(kind), NULL, ci, &l, call, err);
}

int domain_detach_dev(Domain *d, const char *kind, const char *xml, size_t len, unsigned flags, Call *call,
                      VbError *err) {
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (!ops_of(d, err))
                return -1;
        DomainDevices *dev = parse_one(xml, len, kind, false, err);
        if (!dev)
                return -1;
        long ci = config ? find(d->def, kind, dev) : -1;
        long li = live ? find(d->live, kind, dev) : -1;
        if ((config && ci < 0) || (live && li < 0)) {
                if (str_eq(kind, "memory"))
                        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                     "matching memory device was not found");
                else if (str_eq(kind, "channel"))
                        vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN,
                                     "device not present in domain configuration");
                else if (str_eq(kind, "controller"))
                        vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN,
                                     "controller %s:%lld not found", dev->controllers[0].type,
                                     dev->controllers[0].index.v);
                else
                        vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN, "matching %s device not found",
                                     kind);
                domain_device_free(dev);
                return -1;
        }
        domain_device_free(dev);
        if (live && str_eq(kind, "input") && strcmp(input_bus(&d->live->priv->devices.inputs[li]), "usb") != 0)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "input device on bus '%s' cannot be hot unplugged.",
                                    input_bus(&d->live->priv->devices.inputs[li]));
        return domain_detach_dev_index(d, kind, ci, li, call, err);
}
