/* domain-tune-lifecycle.c: virDomainSetLifecycleAction: <on_poweroff>, <on_reboot>, <on_crash> of a running guest (through the driver when its hypervisor must know) and/or of the persistent definition, checked whole first. */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-conf.h"
#include "domain-persist.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

static const char *const lifecycle_types[DOMAIN_LIFECYCLE_TYPES] = { "poweroff", "reboot", "crash" };
static const char *const lifecycle_actions[DOMAIN_LIFECYCLE_ACTIONS] = {
        "destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart",
};

static char **slot(DomainDef *def, unsigned type) {
        return type == 0 ? &def->on_poweroff : type == 1 ? &def->on_reboot : &def->on_crash;
}

static int set_action(DomainDef *def, unsigned type, const char *action) {
        char *s = strdup(action);
        if (!s)
                return -ENOMEM;
        free(*slot(def, type));
        *slot(def, type) = s;
        return 0;
}

static int save_config(Domain *d, unsigned type, const char *action, VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        int r = nd ? set_action(nd, type, action) : -ENOMEM;
        if (r < 0) {
                domain_def_free(nd);
                return vb_error_errno(err, r, "copy domain definition");
        }
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

#define LIVE_BIT 0x100         /* in b: the running definition changes too */

static int lifecycle_live(Domain *d, int type, int b, Call *inner, VbError *err) {
        return d->obj.conn->driver->tune->set_lifecycle_action(d, lifecycle_types[type],
                                                               lifecycle_actions[b & ~LIVE_BIT], inner, err);
}

static int lifecycle_record(Domain *d, int type, int b, bool config, VbError *err) {
        const char *action = lifecycle_actions[b & ~LIVE_BIT];
        if ((b & LIVE_BIT) && d->live && set_action(d->live, (unsigned) type, action) < 0)
                return vb_error_errno(err, -ENOMEM, "lifecycle action");
        return config ? save_config(d, (unsigned) type, action, err) : 0;
}

int domain_set_lifecycle_action(Domain *d, unsigned type, unsigned action, unsigned flags, Call *call, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainSetLifecycleAction", err) < 0)
                return -1;
        if (type >= DOMAIN_LIFECYCLE_TYPES)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unknown lifecycle type %u", type);
        if (action >= DOMAIN_LIFECYCLE_ACTIONS)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unknown lifecycle action %u", action);
        if (type != 2 && action >= 4)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "Lifecycle event '%s' doesn't support '%s' action", lifecycle_types[type],
                                    lifecycle_actions[action]);
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        log_info("domain %s: on_%s %s (%s%s)", d->obj.name, lifecycle_types[type], lifecycle_actions[action],
                 live ? "live" : "", config ? " config" : "");
        if (live && ops && ops->set_lifecycle_action)
                return domain_tune_live(d, lifecycle_live, lifecycle_record, (int) type, (int) action | LIVE_BIT, config,
                                        call, err);
        int r = lifecycle_record(d, (int) type, (int) action | (live ? LIVE_BIT : 0), config, err);
        domain_job_end(d);
        return r;
}
