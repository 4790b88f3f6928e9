/* domain-update.c: virDomainUpdateDeviceFlags for NICs: the link state, live (through the driver) and in the definition (a cdrom's media: domain-hotplug.c). */
#define LOG_MODULE "core"
#include "domain-update.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"
#include "uuid.h"

static DomainDevices *devices_of(const DomainDef *def) {
        return def && def->priv ? &def->priv->devices : NULL;
}

static bool str_same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool link_down(const DomainInterface *n) {
        return n->link_state && strcmp(n->link_state, "down") == 0;
}

/* The NIC of def with want's MAC, or -1 with libvirt's message. */
static long find_nic(const DomainDef *def, const DomainInterface *want, VbError *err) {
        const DomainDevices *dev = devices_of(def);
        for (size_t i = 0; dev && i < dev->n_interfaces; i++)
                if (memcmp(dev->interfaces[i].mac, want->mac, 6) == 0)
                        return (long) i;
        char mac[18];
        mac_format(want->mac, mac);
        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "no device matching MAC address %s found", mac);
        return -1;
}

/* Only the link state may change. A setting the new element leaves out keeps its value (the
 * daemon's own live additions, such as the bridge of a type network NIC or the tap name, need
 * not be sent back). */
static int check_only_link(const DomainInterface *cur, const DomainInterface *want, VbError *err) {
        const char *what = NULL;
        if (!str_same(cur->type, want->type))
                what = "type";
        else if (want->source_network && !str_same(cur->source_network, want->source_network))
                what = "source network";
        else if (want->source_bridge && !str_same(cur->source_bridge, want->source_bridge))
                what = "source bridge";
        else if (want->source_dev && !str_same(cur->source_dev, want->source_dev))
                what = "source device";
        else if (want->source_mode && !str_same(cur->source_mode, want->source_mode))
                what = "source mode";
        else if (want->model_type && !str_same(cur->model_type, want->model_type))
                what = "model";
        else if (want->target_dev && !str_same(cur->target_dev, want->target_dev))
                what = "target device";
        if (!what)
                return 0;
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                            "cannot change the %s of a network interface: only its link state can be updated", what);
}

static int update_config(Domain *d, const DomainInterface *want, VbError *err) {
        long i = find_nic(d->def, want, err);
        if (i < 0 || check_only_link(&devices_of(d->def)->interfaces[i], want, err) < 0)
                return -1;
        DomainDef *nd = domain_def_copy(d->def);
        char *state = strdup(link_down(want) ? "down" : "up");
        if (!nd || !state) {
                domain_def_free(nd);
                free(state);
                return vb_error_errno(err, -ENOMEM, "update device");
        }
        DomainInterface *n = &devices_of(nd)->interfaces[i];
        free(n->link_state);
        n->link_state = state;
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

int domain_update_device(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | DOMAIN_DEVICE_MODIFY_FORCE,
                           "virDomainUpdateDeviceFlags", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        /* A driver that cannot change a running NIC does not update definitions either (libvirt's
         * test driver has no UpdateDevice at all). */
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_interface_link)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainUpdateDeviceFlags");
        const char *kind = "";
        DomainDevices *dev = domain_device_parse(xml, len, &kind, err);
        if (!dev)
                return -1;
        if (strcmp(kind, "disk") == 0 && dev->n_disks == 1)
                return domain_update_disk(d, dev, live, config, call, err);
        if (strcmp(kind, "graphics") == 0 && dev->n_graphics == 1)
                return domain_update_graphics(d, dev, live, config, call, err);
        if (strcmp(kind, "interface") != 0 || dev->n_interfaces != 1) {
                domain_device_free(dev);
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN,
                                    "virDomainUpdateDeviceFlags of a <%s> device", kind[0] ? kind : "unknown");
        }
        const DomainInterface *want = &dev->interfaces[0];
        long li = -1;
        if (live && ((li = find_nic(d->live, want, err)) < 0 ||
                     check_only_link(&devices_of(d->live)->interfaces[li], want, err) < 0)) {
                domain_device_free(dev);
                return -1;
        }
        bool down = link_down(want);
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                domain_device_free(dev);
                return -1;
        }
        int r = config ? update_config(d, want, err) : 0;
        domain_device_free(dev);
        if (r < 0 || !live) {
                domain_job_end(d);
                return r;
        }
        domain_ref(d);
        log_info("domain %s: link of interface %ld %s", d->obj.name, li, down ? "down" : "up");
        r = ops->set_interface_link(d, (size_t) li, !down, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
