/* domain-iftune.c: virDomainSetInterfaceParameters / GetInterfaceParameters: a guest NIC's <bandwidth> as libvirt's typed parameters inbound.average … outbound.burst, merged as libvirt merges them, applied live by the driver's set_interface_bandwidth and kept in the running and/or persistent definition once that has succeeded (domain-tune-later.c). */
#define LOG_MODULE "domain"
#include "domain-iftune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain-pin.h"
#include "domain-tune-stats.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "uuid.h"

#define TYPED_PARAM_STRING_OKAY (1u << 2)

/* libvirt's parameter names, in its order (that of the Get answer) */
static const char *const iftune_names[DOMAIN_IFTUNE_NPARAMS] = {
        "inbound.average", "inbound.peak", "inbound.burst", "inbound.floor",
        "outbound.average", "outbound.peak", "outbound.burst",
};

static uint64_t *rate_slot(DomainBandwidthRate *in, DomainBandwidthRate *out, unsigned i) {
        switch (i) {
        case 0: return &in->average;
        case 1: return &in->peak;
        case 2: return &in->burst;
        case 3: return &in->floor;
        case 4: return &out->average;
        case 5: return &out->peak;
        default: return &out->burst;
        }
}

/* By MAC when device reads as one, else by the host-side name (<target dev>), as libvirt. */
static DomainInterface *find_nic(DomainDef *def, const char *device, VbError *err) {
        DomainDevices *dev = def ? &def->priv->devices : NULL;
        uint8_t mac[6];
        bool by_mac = device && mac_parse(device, mac) == 0;
        for (size_t i = 0; dev && device && i < dev->n_interfaces; i++) {
                DomainInterface *nic = &dev->interfaces[i];
                if (by_mac ? memcmp(nic->mac, mac, sizeof mac) == 0
                           : nic->target_dev && strcmp(nic->target_dev, device) == 0)
                        return nic;
        }
        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "'%s' is not a known interface", device ? device : "");
        return NULL;
}

static int pick(Domain *d, unsigned *flags, bool one_def, const char *api, VbError *err) {
        if (one_def && (*flags & DOMAIN_AFFECT_LIVE) && (*flags & DOMAIN_AFFECT_CONFIG)) {
                if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | TYPED_PARAM_STRING_OKAY, api,
                                   err) < 0)
                        return -1;
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        }
        return domain_pick_affect(d, flags, TYPED_PARAM_STRING_OKAY, api, err);
}

static const DomainTuneOps *iftune_ops(Domain *d, const char *api, VbError *err) {
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (!ops || !ops->set_interface_bandwidth) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
                return NULL;
        }
        return ops;
}

/* ---- get ---- */

int domain_get_interface_params(Domain *d, const char *device, unsigned flags, DomainTuneParam *out, VbError *err) {
        if (!iftune_ops(d, "virDomainGetInterfaceParameters", err))
                return -1;
        /* the count needs no definition: libvirt answers it before looking at the domain */
        if (!out)
                return vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | TYPED_PARAM_STRING_OKAY,
                                      "virDomainGetInterfaceParameters", err) < 0 ? -1 : DOMAIN_IFTUNE_NPARAMS;
        if (pick(d, &flags, true, "virDomainGetInterfaceParameters", err) < 0)
                return -1;
        DomainInterface *nic = find_nic((flags & DOMAIN_AFFECT_LIVE) ? d->live : d->def, device, err);
        if (!nic)
                return -1;
        for (unsigned i = 0; i < DOMAIN_IFTUNE_NPARAMS; i++) {
                DomainTuneParam *p = &out[i];
                memset(p, 0, sizeof *p);
                snprintf(p->name, sizeof p->name, "%s", iftune_names[i]);
                p->type = DOMAIN_STAT_UINT;
                /* a uint on the wire, as libvirt truncates its unsigned long long */
                p->ull = (uint32_t) *rate_slot(&nic->bw_in, &nic->bw_out, i);
        }
        return DOMAIN_IFTUNE_NPARAMS;
}

/* ---- set ---- */

/* What the caller asked: the values named, and whether each direction's average (inbound: or
 * floor) was named at all. */
typedef struct IftuneRequest {
        DomainBandwidthRate in, out;
        bool in_named, out_named;
} IftuneRequest;

static int request_parse(const DomainTuneParam *params, size_t n, IftuneRequest *req, VbError *err) {
        static const char *const type_names[] = { "", "int", "uint", "llong", "ullong", "double", "boolean", "string" };
        bool seen[DOMAIN_IFTUNE_NPARAMS] = { false };
        memset(req, 0, sizeof *req);
        for (size_t i = 0; i < n; i++) {
                const DomainTuneParam *p = &params[i];
                unsigned k = 0;
                while (k < DOMAIN_IFTUNE_NPARAMS && strcmp(p->name, iftune_names[k]) != 0)
                        k++;
                if (k == DOMAIN_IFTUNE_NPARAMS)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                if (p->type != DOMAIN_STAT_UINT)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type '%s' for parameter '%s', expected 'uint'",
                                            p->type >= 1 && p->type <= 7 ? type_names[p->type] : "?", p->name);
                if (seen[k])
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "parameter '%s' occurs multiple times", p->name);
                seen[k] = true;
                *rate_slot(&req->in, &req->out, k) = (uint32_t) p->ull;
        }
        req->in_named = seen[0] || seen[3];
        req->out_named = seen[4];
        req->in.set = req->in.average || req->in.floor;
        req->out.set = req->out.average != 0;
        return 0;
}

/* The NIC's new bandwidth: a direction given with a non-zero average (or floor) replaces the
 * old one whole, one named with 0 goes, one not named stays. */
static void request_merge(const IftuneRequest *req, const DomainInterface *nic, DomainBandwidthRate *in,
                          DomainBandwidthRate *out) {
        *in = req->in.set ? req->in : req->in_named ? (DomainBandwidthRate) { 0 } : nic->bw_in;
        *out = req->out.set ? req->out : req->out_named ? (DomainBandwidthRate) { 0 } : nic->bw_out;
        out->floor = 0;
}

typedef struct IftuneChange {
        char *device;
        IftuneRequest req;
        bool live;              /* the running guest changes (and so its live definition) */
} IftuneChange;

static void change_free(void *data) {
        IftuneChange *c = data;
        if (c)
                free(c->device);
        free(c);
}

static int iftune_live(Domain *d, void *data, Call *inner, VbError *err) {
        IftuneChange *c = data;
        DomainInterface *nic = find_nic(d->live, c->device, err);
        if (!nic)
                return -1;
        DomainBandwidthRate in, out;
        request_merge(&c->req, nic, &in, &out);
        size_t index = (size_t) (nic - d->live->priv->devices.interfaces);
        return d->obj.conn->driver->tune->set_interface_bandwidth(d, index, &in, &out, inner, err);
}

static int iftune_record(Domain *d, void *data, bool config, VbError *err) {
        IftuneChange *c = data;
        VbError ignored = { 0 };
        DomainInterface *nic = c->live && domain_is_active(d) ? find_nic(d->live, c->device, &ignored) : NULL;
        vb_error_clear(&ignored);
        if (nic) {
                request_merge(&c->req, nic, &nic->bw_in, &nic->bw_out);
                /* the running definition a restarted daemon reads back (the host keeps the qdiscs) */
                if (domain_save_status(d, &ignored) < 0)
                        log_warning("domain %s: cannot save status: %s", d->obj.name, ignored.message);
                vb_error_clear(&ignored);
        }
        if (!config)
                return 0;
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        nic = find_nic(nd, c->device, err);
        if (!nic || (request_merge(&c->req, nic, &nic->bw_in, &nic->bw_out), domain_save_config(d->obj.conn, nd, err) < 0)) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

int domain_iftune_params_check(const DomainTuneParam *params, size_t n, VbError *err) {
        IftuneRequest req;
        return request_parse(params, n, &req, err);
}

int domain_set_interface_params(Domain *d, const char *device, const DomainTuneParam *params, size_t n, unsigned flags,
                                Call *call, VbError *err) {
        const DomainTuneOps *ops = iftune_ops(d, "virDomainSetInterfaceParameters", err);
        if (!ops || pick(d, &flags, ops->interface_bandwidth_one_def, "virDomainSetInterfaceParameters", err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        IftuneChange *c = calloc(1, sizeof *c);
        if (!c || !(c->device = strdup(device ? device : ""))) {
                free(c);
                return vb_error_errno(err, -ENOMEM, "interface parameters");
        }
        c->live = live;
        if (request_parse(params, n, &c->req, err) < 0 || (live && !find_nic(d->live, device, err)) ||
            (config && !find_nic(d->def, device, err)) || domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                change_free(c);
                return -1;
        }
        log_info("domain %s: bandwidth of interface %s (%s%s)", d->obj.name, device, live ? "live" : "",
                 config ? " config" : "");
        if (!live) {
                int r = iftune_record(d, c, config, err);
                change_free(c);
                domain_job_end(d);
                return r;
        }
        return domain_tune_live_data(d, iftune_live, iftune_record, c, change_free, config, call, err);
}
