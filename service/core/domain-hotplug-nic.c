/* domain-hotplug-nic.c: virDomainAttachDevice(Flags) / DetachDevice(Flags) of an <interface>: MAC checks, the persistent definition, and the driver for the running guest. */
#define LOG_MODULE "core"
#include "domain-hotplug-nic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug-apply.h"
#include "domain-model.h"
#include "driver.h"
#include "log.h"
#include "uuid.h"

bool domain_hotplug_is_interface(const char *xml, size_t len) {
        const char *kind = "";
        VbError e = { 0 };
        DomainDevices *dev = domain_device_parse(xml, len, &kind, &e);
        bool nic = dev && strcmp(kind, "interface") == 0 && dev->n_interfaces == 1;
        domain_device_free(dev);
        return nic;
}

static DomainDevices *parse_nic(const char *xml, size_t len, VbError *err) {
        DomainDevices *dev = domain_device_parse(xml, len, NULL, err);
        if (dev && dev->n_interfaces != 1) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "expected one <interface> element");
                return domain_device_free(dev);
        }
        return dev;
}

static int nic_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move_interface(domain_hotplug_devices(nd), dev, 0);
        domain_devices_remove_interface(domain_hotplug_devices(nd), (size_t) index);
        return 0;
}

static const DomainOps *ops_of(Domain *d, bool live, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (live && (!ops->attach_interface || !ops->detach_interface)) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainAttachDeviceFlags");
                return NULL;
        }
        return ops;
}

int domain_attach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err) {
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        const DomainOps *ops = ops_of(d, live, err);
        if (!ops)
                return -1;
        DomainDevices *ldev = live ? parse_nic(xml, len, err) : NULL;
        DomainDevices *cdev = config ? parse_nic(xml, len, err) : NULL;
        /* a user's alias names one device of any kind (a disk's, a channel's…), checked first as
         * libvirt does: the driver's own check sees only the guest's NICs */
        if ((live && !ldev) || (config && !cdev) ||
            (cdev && domain_devices_aliases_free(domain_hotplug_devices(d->def), cdev, err) < 0) ||
            (ldev && domain_devices_aliases_free(domain_hotplug_devices(d->live), ldev, err) < 0)) {
                domain_device_free(ldev);
                domain_device_free(cdev);
                return -1;
        }
        if (ldev && cdev)       /* a generated MAC: the same in the guest and its definition */
                memcpy(cdev->interfaces[0].mac, ldev->interfaces[0].mac, 6);
        const uint8_t *mac = (ldev ? ldev : cdev)->interfaces[0].mac;
        if ((config && domain_devices_find_interface(domain_hotplug_devices(d->def), mac) >= 0) ||
            (live && domain_devices_find_interface(domain_hotplug_devices(d->live), mac) >= 0)) {
                char m[18];
                mac_format(mac, m);
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "network device with mac %s already exists", m);
                domain_device_free(ldev);
                domain_device_free(cdev);
                return -1;
        }
        DomainHotplugLive l = { .attach = ops->attach_interface, .dev = ldev, .index = -1,
                                .what = "attaching an interface" };
        return domain_hotplug_apply(d, nic_edit, cdev, -1, &l, call, err);
}

int domain_detach_interface_index(Domain *d, long ci, long li, Call *call, VbError *err) {
        const DomainOps *ops = ops_of(d, li >= 0, err);
        if (!ops)
                return -1;
        DomainHotplugLive l = { .detach = ops->detach_interface, .index = li, .what = "detaching an interface" };
        return domain_hotplug_apply(d, nic_edit, NULL, ci, &l, call, err);
}

int domain_detach_interface(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err) {
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        DomainDevices *dev = parse_nic(xml, len, err);
        if (!dev)
                return -1;
        const uint8_t *mac = dev->interfaces[0].mac;
        long ci = config ? domain_devices_find_interface(domain_hotplug_devices(d->def), mac) : -1;
        long li = live ? domain_devices_find_interface(domain_hotplug_devices(d->live), mac) : -1;
        if ((config && ci < 0) || (live && li < 0)) {
                char m[18];
                mac_format(mac, m);
                vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN, "no device matching MAC address %s found", m);
                domain_device_free(dev);
                return -1;
        }
        domain_device_free(dev);
        return domain_detach_interface_index(d, ci, li, call, err);
}
