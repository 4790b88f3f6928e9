/* domain-update-graphics.c: virDomainUpdateDeviceFlags for <graphics>: a new password and its
 * expiry (passwdValidTo), live through the driver (QEMU's set_password and expire_password)
 * and in the definition. virsh update-device with the display's element, as libvirt takes it. */
#define LOG_MODULE "core"
#include "domain-update-graphics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-device.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

static DomainDevices *devices_of(const DomainDef *def) {
        return def && def->priv ? &def->priv->devices : NULL;
}

static bool str_same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The display of def with want's type, or -1 with libvirt's message. */
static long find_graphics(const DomainDef *def, const DomainGraphics *want, VbError *err) {
        const DomainDevices *dev = devices_of(def);
        for (size_t i = 0; dev && i < dev->n_graphics; i++)
                if (str_same(dev->graphics[i].type, want->type))
                        return (long) i;
        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "cannot find existing graphics device to modify");
        return -1;
}

/* passwdValidTo as libvirt reads it: YYYY-MM-DDTHH:MM:SS, UTC, an optional trailing Z. */
int domain_graphics_valid_to(const char *s, time_t *out) {
        struct tm tm = { 0 };
        const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        if (!end || (*end && strcmp(end, "Z") != 0))
                return -1;
        *out = timegm(&tm);
        return 0;
}

/* Only the password and its expiry may change; a setting left out keeps its value. */
static int check_only_password(const DomainGraphics *cur, const DomainGraphics *want, VbError *err) {
        const char *what = NULL;
        if (want->listen && !str_same(cur->listen, want->listen))
                what = "listen address";
        else if (want->port.set && want->port.v > 0 && (!cur->port.set || cur->port.v != want->port.v))
                what = "port";
        else if (want->keymap && !str_same(cur->keymap, want->keymap))
                what = "keymap";
        if (what)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot change the %s of a graphics device: only its password can be updated", what);
        time_t t;
        if (want->passwd_valid_to && domain_graphics_valid_to(want->passwd_valid_to, &t) < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                    "cannot parse password validity time '%s', expect YYYY-MM-DDTHH:MM:SS",
                                    want->passwd_valid_to);
        return 0;
}

static int set_dup(char **field, const char *v) {
        char *s = v ? strdup(v) : NULL;
        if (v && !s)
                return -1;
        free(*field);
        *field = s;
        return 0;
}

static int update_config(Domain *d, size_t i, const DomainGraphics *want, VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        DomainGraphics *g = nd ? &devices_of(nd)->graphics[i] : NULL;
        if (!g || set_dup(&g->passwd, want->passwd) < 0 || set_dup(&g->passwd_valid_to, want->passwd_valid_to) < 0) {
                domain_def_free(nd);
                return vb_error_errno(err, -ENOMEM, "update device");
        }
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

int domain_update_graphics(Domain *d, DomainDevices *dev, bool live, bool config, Call *call, VbError *err) {
        const DomainGraphics *want = &dev->graphics[0];
        const DomainOps *ops = d->obj.conn->driver->domain;
        long ci = -1, li = -1;
        int r = -1;
        if (live && !ops->set_graphics_password)
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainUpdateDeviceFlags");
        else if ((config && (ci = find_graphics(d->def, want, err)) < 0) ||
                 (live && (li = find_graphics(d->live, want, err)) < 0))
                ;
        else if ((ci >= 0 && check_only_password(&devices_of(d->def)->graphics[ci], want, err) < 0) ||
                 (li >= 0 && check_only_password(&devices_of(d->live)->graphics[li], want, err) < 0))
                ;
        else if (live && !want->passwd)
                vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                             "removing the password of a running display is not supported");
        else
                r = 0;
        if (r < 0 || domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                domain_device_free(dev);
                return -1;
        }
        r = config ? update_config(d, (size_t) ci, want, err) : 0;
        if (r < 0 || !live) {
                domain_device_free(dev);
                domain_job_end(d);
                return r;
        }
        domain_ref(d);
        log_info("domain %s: new password for graphics %ld", d->obj.name, li);
        r = ops->set_graphics_password(d, (size_t) li, want->passwd, want->passwd_valid_to, call, err);
        domain_device_free(dev);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
