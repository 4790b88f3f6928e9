/* domain-hotplug.c: virDomainAttachDevice(Flags) / DetachDevice(Flags) for disks: the checks, the persistent definition, and the driver for the running guest. */
#define LOG_MODULE "core"
#include "domain-hotplug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

/* The common checks of both verbs; *flags resolved (CURRENT → LIVE or CONFIG). */
static int check_target(Domain *d, unsigned *flags, const char *api, VbError *err) {
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, api, err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->attach_disk || !ops->detach_disk)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
        return domain_affect_resolve(d, flags, true, "cannot modify device on transient domain", err);
}

/* One <disk> element parsed, or NULL with err (another kind: not supported yet). */
static DomainDevices *parse_disk(const char *xml, size_t len, const char *verb, VbError *err) {
        const char *kind = "";
        DomainDevices *dev = domain_device_parse(xml, len, &kind, err);
        if (!dev)
                return NULL;
        if (strcmp(kind, "disk") != 0 || dev->n_disks != 1) {
                const char *name = kind[0] ? kind : dev->n_others == 1 ? dev->others[0].name : "unknown";
                vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                             "%s of a <%s> device is not supported yet (only <disk>, <interface>, USB <input>, "
                             "<hub>, <controller>, <channel> and <memory>)", verb, name);
                domain_device_free(dev);
                return NULL;
        }
        if (!dev->disks[0].target_dev || !dev->disks[0].target_dev[0]) {
                domain_device_free(dev);
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "missing target information for device %s",
                             dev->disks[0].source_file ? dev->disks[0].source_file : "<disk>");
                return NULL;
        }
        return dev;
}

static int disk_edit(DomainDef *nd, DomainDevices *dev, long index) {
        if (dev)
                return domain_devices_move_disk(domain_hotplug_devices(nd), dev, 0);
        domain_devices_remove_disk(domain_hotplug_devices(nd), (size_t) index);
        return 0;
}

int domain_attach_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err) {
        if (check_target(d, &flags, "virDomainAttachDeviceFlags", err) < 0)
                return -1;
        if (domain_hotplug_is_interface(xml, len))
                return domain_attach_interface(d, xml, len, flags, call, err);
        char kind[32];
        if (domain_hotplug_is_dev(domain_hotplug_kind(xml, len, kind, sizeof kind)))
                return domain_attach_dev(d, kind, xml, len, flags, call, err);
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        DomainDevices *cdev = config ? parse_disk(xml, len, "attaching", err) : NULL;
        DomainDevices *ldev = live ? parse_disk(xml, len, "attaching", err) : NULL;
        /* a user's alias names one device of any kind, first of all (libvirt's order) */
        if ((config && !cdev) || (live && !ldev) ||
            (cdev && domain_devices_aliases_free(domain_hotplug_devices(d->def), cdev, err) < 0) ||
            (ldev && domain_devices_aliases_free(domain_hotplug_devices(d->live), ldev, err) < 0)) {
                domain_device_free(cdev);
                domain_device_free(ldev);
                return -1;
        }
        const char *target = (cdev ? cdev : ldev)->disks[0].target_dev;
        if ((config && domain_devices_find_disk(domain_hotplug_devices(d->def), target) >= 0) ||
            (live && domain_devices_find_disk(domain_hotplug_devices(d->live), target) >= 0)) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "target %s already exists", target);
                domain_device_free(cdev);
                domain_device_free(ldev);
                return -1;
        }
        const DomainOps *ops = d->obj.conn->driver->domain;
        DomainHotplugLive l = { .attach = ops->attach_disk, .dev = ldev, .index = -1, .what = "attaching a disk" };
        return domain_hotplug_apply(d, disk_edit, cdev, -1, &l, call, err);
}

/* Detach disk ci of the definition (CONFIG, ci >= 0) and/or li of the running guest (LIVE). */
static int detach(Domain *d, long ci, long li, Call *call, VbError *err) {
        DomainHotplugLive l = { .detach = d->obj.conn->driver->domain->detach_disk, .index = li,
                                .what = "detaching a disk" };
        return domain_hotplug_apply(d, disk_edit, NULL, ci, &l, call, err);
}

int domain_detach_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err) {
        if (check_target(d, &flags, "virDomainDetachDeviceFlags", err) < 0)
                return -1;
        if (domain_hotplug_is_interface(xml, len))
                return domain_detach_interface(d, xml, len, flags, call, err);
        char kind[32];
        if (domain_hotplug_is_dev(domain_hotplug_kind(xml, len, kind, sizeof kind)))
                return domain_detach_dev(d, kind, xml, len, flags, call, err);
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        DomainDevices *dev = parse_disk(xml, len, "detaching", err);
        if (!dev)
                return -1;
        const char *target = dev->disks[0].target_dev;
        long ci = config ? domain_devices_find_disk(domain_hotplug_devices(d->def), target) : -1;
        long li = live ? domain_devices_find_disk(domain_hotplug_devices(d->live), target) : -1;
        if ((config && ci < 0) || (live && li < 0)) {
                vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN, "disk %s not found", target);
                domain_device_free(dev);
                return -1;
        }
        domain_device_free(dev);
        return detach(d, ci, li, call, err);
}

int domain_detach_device_alias(Domain *d, const char *alias, unsigned flags, Call *call, VbError *err) {
        unsigned f = flags;
        if (check_target(d, &f, "virDomainDetachDeviceAlias", err) < 0)
                return -1;
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops->disk_by_alias)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainDetachDeviceAlias");
        bool live = f & DOMAIN_AFFECT_LIVE, config = f & DOMAIN_AFFECT_CONFIG;
        long ci = config ? ops->disk_by_alias(d->def, alias) : -1;
        long li = live ? ops->disk_by_alias(d->live, alias) : -1;
        if ((config && ci < 0) || (live && li < 0)) {
                long nci = config && ops->interface_by_alias ? ops->interface_by_alias(d->def, alias) : -1;
                long nli = live && ops->interface_by_alias ? ops->interface_by_alias(d->live, alias) : -1;
                if ((!config || nci >= 0) && (!live || nli >= 0))
                        return domain_detach_interface_index(d, nci, nli, call, err);
        }
        if (((config && ci < 0) || (live && li < 0)) && ops->device_by_alias) {
                const char *ck = NULL, *lk = NULL;
                long oci = config ? ops->device_by_alias(d->def, alias, &ck) : -1;
                long oli = live ? ops->device_by_alias(d->live, alias, &lk) : -1;
                const char *kind = lk ? lk : ck;
                if ((!config || oci >= 0) && (!live || oli >= 0) && (!ck || !lk || strcmp(ck, lk) == 0))
                        return domain_detach_dev_index(d, kind, oci, oli, call, err);
        }
        if ((config && ci < 0) || (live && li < 0))
                return vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN, "no device found with alias %s", alias);
        return detach(d, ci, li, call, err);
}

void domain_notify_device(Domain *d, NoticeType type, const char *alias) {
        Notice n = { .type = type, .obj = &d->obj, .text = alias };
        manager_notify(d->obj.conn->manager, &n);
}

static int set_str(char **dst, const char *src) {
        char *c = src ? strdup(src) : NULL;
        if (src && !c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

int domain_update_disk(Domain *d, DomainDevices *dev, bool live, bool config, Call *call, VbError *err) {
        const DomainDisk *want = &dev->disks[0];
        const DomainOps *ops = d->obj.conn->driver->domain;
        const char *target = want->target_dev ? want->target_dev : "";
        long ci = config ? domain_devices_find_disk(domain_hotplug_devices(d->def), target) : -1;
        long li = live ? domain_devices_find_disk(domain_hotplug_devices(d->live), target) : -1;
        int r = -1;
        if (!ops->change_media) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainUpdateDeviceFlags");
        } else if ((config && ci < 0) || (live && li < 0)) {
                vb_error_set(err, VB_ERR_DEVICE_MISSING, VB_FROM_DOMAIN, "disk %s not found", target);
        } else if (!want->device || strcmp(want->device, "cdrom") != 0 ||
                   (ci >= 0 && strcmp(domain_hotplug_devices(d->def)->disks[ci].device, "cdrom") != 0) ||
                   (li >= 0 && strcmp(domain_hotplug_devices(d->live)->disks[li].device, "cdrom") != 0)) {
                vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                             "disk %s: only the media of a cdrom can be changed", target);
        } else if (want->type && strcmp(want->type, "file") != 0) {
                vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                             "disk %s: only file media can be inserted", target);
        } else if (want->source_file && want->source_file[0] != '/') {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "disk %s: the media path '%s' is not absolute",
                             target, want->source_file);
        } else {
                r = 0;
        }
        if (r < 0 || domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                domain_device_free(dev);
                return -1;
        }
        if (ci >= 0) {
                DomainDef *nd = domain_def_copy(d->def);
                DomainDisk *c = nd ? &domain_hotplug_devices(nd)->disks[ci] : NULL;
                if (!c || set_str(&c->source_file, want->source_file) < 0 ||
                    (want->driver_type && set_str(&c->driver_type, want->driver_type) < 0)) {
                        r = vb_error_errno(err, -ENOMEM, "update device");
                } else if ((r = domain_save_config(d->obj.conn, nd, err)) == 0) {
                        domain_def_free(d->def);
                        d->def = nd;
                        nd = NULL;
                }
                domain_def_free(nd);
        }
        if (r < 0 || li < 0) {
                domain_device_free(dev);
                domain_job_end(d);
                return r;
        }
        domain_ref(d);
        log_info("domain %s: cdrom %s media %s", d->obj.name, target, want->source_file ? want->source_file : "ejected");
        r = ops->change_media(d, (size_t) li, want->source_file, want->driver_type ? want->driver_type : "raw", call, err);
        domain_device_free(dev);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
