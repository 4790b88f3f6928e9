/* domain-vcpu.c: virDomainSetVcpu (setvcpu --enable/--disable LIST) and the old virDomainSetVcpus, as vCPU counts: virtbus keeps a guest's vCPUs 0..n-1 enabled, in order. */
#define LOG_MODULE "core"
#include "domain-vcpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-conf.h"
#include "domain-live-calls.h"
#include "domain.h"

/* libvirt's bitmap syntax: "0-3,^2,5". Ids at most max_id; -1 with err otherwise. */
int vcpu_map_parse(const char *map, unsigned max_id, bool *set, VbError *err) {
        memset(set, 0, (size_t) max_id + 1);
        const char *p = map;
        bool any = false;
        while (p && *p) {
                bool neg = *p == '^';
                if (neg)
                        p++;
                char *end;
                errno = 0;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (end == p || errno || *p == '-' || *p == '+')
                        goto bad;
                p = end;
                if (*p == '-' && !neg) {
                        p++;
                        b = strtoul(p, &end, 10);
                        if (end == p || errno || b < a)
                                goto bad;
                        p = end;
                }
                if (*p && *p != ',')
                        goto bad;
                if (*p == ',')
                        p++;
                if (b > max_id)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "vCPU %lu is out of range: the domain has vCPUs 0-%u", b, max_id);
                for (unsigned long i = a; i <= b; i++)
                        set[i] = !neg;
                any = any || !neg;
        }
        if (!any)
                goto bad;
        return 0;
bad:
        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Failed to parse bitmap '%s'", map ? map : "");
}

/* The count the enabled set becomes; -1 when it would not be 0..n-1. */
static int target_count(const bool *set, unsigned max, unsigned cur, bool enable, VbError *err) {
        if (!enable && set[0])
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN, "vcpu '0' can't be unplugged");
        for (unsigned i = 0; i < max; i++)
                if (set[i] && (i < cur) == enable)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "vcpu '%u' is already in requested state",
                                            i);
        unsigned n = 0;
        bool gap = false;
        for (unsigned i = 0; i < max; i++) {
                bool on = enable ? (i < cur || set[i]) : (i < cur && !set[i]);
                if (on && gap && enable)
                        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "vCPU %u must be enabled before vCPU %u (vCPUs are plugged in order)", n, i);
                if (on && gap)
                        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "vCPU %u must be disabled with vCPU %u (vCPUs are unplugged from the last)", i, n);
                if (on)
                        n++;
                else
                        gap = true;
        }
        return (int) n;
}

int domain_set_vcpu(Domain *d, const char *map, int state, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, "virDomainSetVcpu", err) < 0)
                return -1;
        if (state != 0 && state != 1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "state must be 0 (disable) or 1 (enable)");
        bool live = flags & DOMAIN_AFFECT_LIVE ? true : flags & DOMAIN_AFFECT_CONFIG ? false : domain_is_active(d);
        if (live && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        const DomainDef *def = live ? d->live : d->def;
        if (!def)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "transient domains do not have any persistent config");
        unsigned max = def->vcpus, cur = def->current_vcpus ? def->current_vcpus : def->vcpus;
        if (max == 0 || max > DOMAIN_VCPU_MAP_MAX)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "the domain has %u vCPUs", max);
        bool set[DOMAIN_VCPU_MAP_MAX];
        if (vcpu_map_parse(map, DOMAIN_VCPU_MAP_MAX - 1, set, err) < 0)
                return -1;
        for (unsigned i = max; i < DOMAIN_VCPU_MAP_MAX; i++)
                if (set[i])
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "vcpu %u is not present in %s config", i,
                                            live ? "live" : "persistent");
        int n = target_count(set, max, cur, state == 1, err);
        if (n < 0)
                return -1;
        /* With both LIVE and CONFIG, the running definition decides; setvcpus applies it to both. */
        return domain_set_vcpus(d, (unsigned) n, flags, call, err);
}
