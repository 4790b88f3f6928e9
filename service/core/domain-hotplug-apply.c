/* domain-hotplug-apply.c: what every device kind's attach and detach share (domain-hotplug.c,
 * -nic.c, -dev.c), and with them the live calls that change the definition first (domain-live-calls.c):
 * under the modify job, the definition edited and saved, then the driver's live part, and the
 * definition put back when the driver refuses at once. */
#define LOG_MODULE "core"
#include "domain-hotplug-apply.h"

#include <errno.h>

#include "domain-device.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

DomainDevices *domain_hotplug_devices(const DomainDef *def) {
        return def && def->priv ? &def->priv->devices : NULL;
}

int domain_hotplug_change_config(Domain *d, DomainConfigEdit edit, DomainDevices *dev, long index, DomainDef **old,
                                 VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd || edit(nd, dev, index) < 0) {
                domain_def_free(nd);
                return vb_error_errno(err, -ENOMEM, "device");
        }
        /* A device added gets what the driver settles at define (its PCI address, a USB port),
         * around the places the others keep. */
        Connection *c = d->obj.conn;
        if (dev && c->driver->domain_post_parse && c->driver->domain_post_parse(c, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        *old = d->def;
        d->def = nd;
        return 0;
}

static void config_back(Domain *d, DomainDef *old) {
        VbError e = { 0 };
        if (domain_save_config(d->obj.conn, old, &e) < 0) {
                log_warning("domain %s: cannot put the definition back: %s", d->obj.name, e.message);
                domain_def_free(old);
                return;
        }
        domain_def_free(d->def);
        d->def = old;
}

int domain_run_live(Domain *d, DomainDef *old, DomainLiveOp op, const void *arg, Call *call, VbError *err) {
        domain_ref(d);          /* the op may complete the call, and with it drop a transient domain */
        int r = op(d, arg, call, err);
        if (r < 0 && old)
                config_back(d, old);
        else
                domain_def_free(old);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

static int hotplug_live(Domain *d, const void *arg, Call *call, VbError *err) {
        const DomainHotplugLive *live = arg;
        return live->dev ? live->attach(d, live->dev, call, err) : live->detach(d, (size_t) live->index, call, err);
}

int domain_hotplug_apply(Domain *d, DomainConfigEdit edit, DomainDevices *cdev, long ci, const DomainHotplugLive *live,
                         Call *call, VbError *err) {
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                domain_device_free(cdev);
                domain_device_free(live->dev);
                return -1;
        }
        DomainDef *old = NULL;
        int r = cdev || ci >= 0 ? domain_hotplug_change_config(d, edit, cdev, ci, &old, err) : 0;
        domain_device_free(cdev);
        if (r < 0 || (!live->dev && live->index < 0)) {
                domain_device_free(live->dev);
                domain_def_free(old);
                domain_job_end(d);
                return r;
        }
        log_info("domain %s: %s", d->obj.name, live->what);
        return domain_run_live(d, old, hotplug_live, live, call, err);
}
