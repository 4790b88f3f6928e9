/* domain-pin.c: virDomainPinVcpuFlags / virDomainPinEmulator: libvirt's checks, the driver's live op, then <cputune>'s vcpupin/emulatorpin in the live and/or persistent definition. */
#define LOG_MODULE "domain"
#include "domain-pin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

int domain_pick_affect(Domain *d, unsigned *flags, unsigned extra, const char *api, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | extra, api, err) < 0)
                return -1;
        return domain_affect_resolve(d, flags, true, NULL, err);
}

/* vcpu's <vcpupin> in t set to cpuset (replaced or added). */
static int cputune_set_vcpupin(DomainCputune *t, unsigned vcpu, const char *cpuset) {
        char *s = strdup(cpuset);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_vcpupins; i++) {
                if (t->vcpupins[i].vcpu.set && t->vcpupins[i].vcpu.v == (long long) vcpu) {
                        free(t->vcpupins[i].cpuset);
                        t->vcpupins[i].cpuset = s;
                        return 0;
                }
        }
        DomainVcpuPin *more = realloc(t->vcpupins, (t->n_vcpupins + 1) * sizeof *more);
        if (!more) {
                free(s);
                return -ENOMEM;
        }
        t->vcpupins = more;
        t->vcpupins[t->n_vcpupins++] = (DomainVcpuPin) { .vcpu = { .set = true, .v = vcpu }, .cpuset = s };
        return 0;
}

static int cputune_set_emulatorpin(DomainCputune *t, const char *cpuset) {
        char *s = strdup(cpuset);
        if (!s)
                return -ENOMEM;
        free(t->emulatorpin);
        t->emulatorpin = s;
        return 0;
}

/* The persistent definition with one change, saved. */
static int config_change(Domain *d, unsigned vcpu, bool emulator, const char *cpuset, VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        int r = emulator ? cputune_set_emulatorpin(&nd->priv->cputune, cpuset)
                         : cputune_set_vcpupin(&nd->priv->cputune, vcpu, cpuset);
        if (r < 0 || domain_save_config(d->obj.conn, nd, err) < 0) {
                if (r < 0)
                        vb_error_errno(err, r, "pin");
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

static int pin(Domain *d, bool emulator, unsigned vcpu, const uint8_t *map, size_t maplen, unsigned flags,
               VbError *err) {
        const char *api = emulator ? "virDomainPinEmulator" : "virDomainPinVcpuFlags";
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !(emulator ? (void *) ops->pin_emulator : (void *) ops->pin_vcpu))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
        if (domain_pick_affect(d, &flags, 0, api, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (!emulator && live && vcpu >= d->live->vcpus)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "vcpu %u is out of range of live cpu count %u", vcpu, d->live->vcpus);
        if (!emulator && config && vcpu >= d->def->vcpus)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "vcpu %u is out of range of persistent cpu count %u", vcpu, d->def->vcpus);
        if (cpumap_count(map, maplen) == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Empty cpu list for pinning");
        char *cpuset = cpumap_format(map, maplen);
        if (!cpuset)
                return vb_error_errno(err, -ENOMEM, "cpu list");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                free(cpuset);
                return -1;
        }
        int r = 0;
        if (live) {
                r = emulator ? ops->pin_emulator(d, map, maplen, cpuset, err)
                             : ops->pin_vcpu(d, vcpu, map, maplen, cpuset, err);
                if (r == 0) {
                        DomainCputune *t = &d->live->priv->cputune;
                        int k = emulator ? cputune_set_emulatorpin(t, cpuset) : cputune_set_vcpupin(t, vcpu, cpuset);
                        if (k < 0)
                                r = vb_error_errno(err, k, "pin");
                }
                if (r == 0 && emulator)
                        log_info("domain %s: emulator pinned to %s", d->obj.name, cpuset);
                else if (r == 0)
                        log_info("domain %s: vcpu %u pinned to %s", d->obj.name, vcpu, cpuset);
        }
        if (r == 0 && config)
                r = config_change(d, vcpu, emulator, cpuset, err);
        domain_job_end(d);
        free(cpuset);
        return r;
}

int domain_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, unsigned flags, VbError *err) {
        return pin(d, false, vcpu, map, maplen, flags, err);
}

int domain_pin_emulator(Domain *d, const uint8_t *map, size_t maplen, unsigned flags, VbError *err) {
        return pin(d, true, 0, map, maplen, flags, err);
}
