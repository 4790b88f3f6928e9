/* domain-blkio-tune.c: virDomainGet/SetBlkioParameters and virDomainGet/SetNumaParameters: libvirt's typed parameters over the definition's <blkiotune> and <numatune>, checked whole, applied live by the driver, kept in the live and/or persistent definition. */
#define LOG_MODULE "domain"
#include "domain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "driver.h"
#include "log.h"

static const char *const device_params[] = { "device_weight", "device_read_iops_sec", "device_write_iops_sec",
                                             "device_read_bytes_sec", "device_write_bytes_sec" };
static const char *const numa_modes[] = { "strict", "preferred", "interleave", "restrictive" };

static uint64_t *device_slot(DomainBlkioDevice *d, size_t which, uint64_t *weight) {
        switch (which) {
        case 0: return weight;
        case 1: return &d->read_iops_sec;
        case 2: return &d->write_iops_sec;
        case 3: return &d->read_bytes_sec;
        default: return &d->write_bytes_sec;
        }
}

static int pick(Domain *d, unsigned *flags, const char *api, bool set, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        *flags &= ~(1u << 2);   /* VIR_TYPED_PARAM_STRING_OKAY: strings are what these answer */
        if (vb_check_flags(*flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, api, err) < 0)
                return -1;
        return domain_affect_resolve(d, flags, set, NULL, err);
}

static void param_u(DomainTuneParam *p, const char *name, DomainStatType type, uint64_t v) {
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", name);
        p->type = type;
        p->ull = v;
}

static void param_s(DomainTuneParam *p, const char *name, const char *s) {
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", name);
        p->type = DOMAIN_STAT_STRING;
        snprintf(p->str, sizeof p->str, "%s", s);
}

/* ---- blkio ---- */

static void blkiotune_clear(DomainBlkiotune *t) {
        for (size_t i = 0; i < t->n_devices; i++)
                free(t->devices[i].path);
        free(t->devices);
        t->devices = NULL;
        t->n_devices = 0;
}

static int blkiotune_copy(DomainBlkiotune *dst, const DomainBlkiotune *src) {
        *dst = (DomainBlkiotune) { .weight = src->weight };
        dst->devices = calloc(src->n_devices ? src->n_devices : 1, sizeof *dst->devices);
        if (!dst->devices)
                return -ENOMEM;
        for (size_t i = 0; i < src->n_devices; i++) {
                dst->devices[i] = src->devices[i];
                dst->devices[i].path = strdup(src->devices[i].path);
                dst->n_devices = i + 1;
                if (!dst->devices[i].path)
                        return -ENOMEM;
        }
        return 0;
}

int domain_get_blkio_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_BLKIO_NPARAMS], VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_blkiotune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainGetBlkioParameters");
        if (pick(d, &flags, "virDomainGetBlkioParameters", false, err) < 0)
                return -1;
        const DomainBlkiotune *t = &(flags & DOMAIN_AFFECT_LIVE ? d->live : d->def)->priv->blkiotune;
        param_u(&out[0], "weight", DOMAIN_STAT_UINT, t->weight);
        for (size_t k = 0; k < 5; k++) {
                char s[DOMAIN_TUNE_STR_MAX] = "";
                size_t len = 0;
                for (size_t i = 0; i < t->n_devices; i++) {
                        DomainBlkioDevice dev = t->devices[i];
                        uint64_t w = dev.weight, v = *device_slot(&dev, k, &w);
                        if (!v)
                                continue;
                        int n = snprintf(s + len, sizeof s - len, "%s%s,%llu", len ? "," : "", dev.path,
                                         (unsigned long long) v);
                        if (n < 0 || (size_t) n >= sizeof s - len)
                                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                                                    "blkio device list longer than %d bytes", DOMAIN_TUNE_STR_MAX - 1);
                        len += (size_t) n;
                }
                param_s(&out[1 + k], device_params[k], s);
        }
        return DOMAIN_BLKIO_NPARAMS;
}

/* "PATH,VALUE[,PATH,VALUE…]" into t's devices' field k. */
static int merge_devices(DomainBlkiotune *t, size_t k, const char *list, VbError *err) {
        char *copy = strdup(list), *save = NULL;
        if (!copy)
                return vb_error_errno(err, -ENOMEM, "blkio");
        int r = 0;
        for (char *path = strtok_r(copy, ",", &save); path && r == 0; path = strtok_r(NULL, ",", &save)) {
                char *val = strtok_r(NULL, ",", &save), *end = NULL;
                unsigned long long v = val ? strtoull(val, &end, 10) : 0;
                if (!val || !*val || *end || path[0] != '/' || (k == 0 && v > 1000) || (k == 0 && v && v < 100)) {
                        r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid value '%s' for parameter '%s'",
                                         list, device_params[k]);
                        break;
                }
                DomainBlkioDevice *dev = NULL;
                for (size_t i = 0; i < t->n_devices && !dev; i++)
                        if (strcmp(t->devices[i].path, path) == 0)
                                dev = &t->devices[i];
                if (!dev) {
                        DomainBlkioDevice *more = realloc(t->devices, (t->n_devices + 1) * sizeof *more);
                        if (!more) {
                                r = vb_error_errno(err, -ENOMEM, "blkio");
                                break;
                        }
                        t->devices = more;
                        dev = &t->devices[t->n_devices];
                        *dev = (DomainBlkioDevice) { .path = strdup(path) };
                        if (!dev->path) {
                                r = vb_error_errno(err, -ENOMEM, "blkio");
                                break;
                        }
                        t->n_devices++;
                }
                uint64_t w = dev->weight;
                *device_slot(dev, k, &w) = v;
                if (k == 0)
                        dev->weight = (unsigned) v;
        }
        free(copy);
        return r;
}

static int blkio_merge(DomainBlkiotune *t, const DomainTuneParam *params, size_t n, VbError *err) {
        for (size_t i = 0; i < n; i++) {
                const DomainTuneParam *p = &params[i];
                if (strcmp(p->name, "weight") == 0) {
                        if (p->type != DOMAIN_STAT_UINT)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "invalid type for parameter 'weight', expected 'uint'");
                        if (p->ull && (p->ull < 100 || p->ull > 1000))
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "value of 'weight' is out of range [100, 1000]");
                        t->weight = (unsigned) p->ull;
                        continue;
                }
                size_t k = 0;
                while (k < 5 && strcmp(p->name, device_params[k]) != 0)
                        k++;
                if (k == 5)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                if (p->type != DOMAIN_STAT_STRING)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter '%s', expected 'string'", p->name);
                if (merge_devices(t, k, p->str, err) < 0)
                        return -1;
        }
        return 0;
}

int domain_set_blkio_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_blkiotune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetBlkioParameters");
        if (pick(d, &flags, "virDomainSetBlkioParameters", true, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        DomainBlkiotune lt = { 0 }, ct = { 0 };
        int r = 0;
        if (live && (blkiotune_copy(&lt, &d->live->priv->blkiotune) < 0 || blkio_merge(&lt, params, n, err) < 0))
                r = err->code ? -1 : vb_error_errno(err, -ENOMEM, "blkio");
        if (r == 0 && config &&
            (blkiotune_copy(&ct, &d->def->priv->blkiotune) < 0 || blkio_merge(&ct, params, n, err) < 0))
                r = err->code ? -1 : vb_error_errno(err, -ENOMEM, "blkio");
        if (r == 0 && domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                r = -1;
        else if (r == 0) {
                if (live && ops->set_blkiotune(d, &lt, err) < 0)
                        r = -1;
                if (r == 0 && live) {
                        blkiotune_clear(&d->live->priv->blkiotune);
                        d->live->priv->blkiotune = lt;
                        lt = (DomainBlkiotune) { 0 };
                }
                if (r == 0 && config) {
                        DomainDef *nd = domain_def_copy(d->def);
                        if (!nd) {
                                r = vb_error_errno(err, -ENOMEM, "copy domain definition");
                        } else {
                                blkiotune_clear(&nd->priv->blkiotune);
                                nd->priv->blkiotune = ct;
                                ct = (DomainBlkiotune) { 0 };
                                if (domain_save_config(d->obj.conn, nd, err) < 0) {
                                        domain_def_free(nd);
                                        r = -1;
                                } else {
                                        domain_def_free(d->def);
                                        d->def = nd;
                                }
                        }
                }
                domain_job_end(d);
        }
        blkiotune_clear(&lt);
        blkiotune_clear(&ct);
        return r;
}

/* ---- NUMA ---- */

static int mode_index(const char *mode) {
        for (int i = 0; i < 4; i++)
                if (mode && strcmp(mode, numa_modes[i]) == 0)
                        return i;
        return 0;       /* unset: strict */
}

int domain_get_numa_params(Domain *d, unsigned flags, DomainTuneParam out[DOMAIN_NUMA_NPARAMS], VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_numatune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainGetNumaParameters");
        if (pick(d, &flags, "virDomainGetNumaParameters", false, err) < 0)
                return -1;
        const DomainNumatune *t = &(flags & DOMAIN_AFFECT_LIVE ? d->live : d->def)->priv->numatune;
        param_u(&out[0], "numa_mode", DOMAIN_STAT_INT, (uint64_t) mode_index(t->mode));
        param_s(&out[1], "numa_nodeset", t->nodeset ? t->nodeset : "");
        return DOMAIN_NUMA_NPARAMS;
}

static int numa_replace(DomainNumatune *t, const char *mode, const char *nodeset) {
        char *m = strdup(mode), *s = strdup(nodeset);
        if (!m || !s) {
                free(m);
                free(s);
                return -ENOMEM;
        }
        free(t->mode);
        free(t->nodeset);
        t->mode = m;
        t->nodeset = s;
        return 0;
}

int domain_set_numa_params(Domain *d, const DomainTuneParam *params, size_t n, unsigned flags, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->set_numatune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetNumaParameters");
        if (pick(d, &flags, "virDomainSetNumaParameters", true, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        int mode = -1;
        const char *nodeset = NULL;
        for (size_t i = 0; i < n; i++) {
                const DomainTuneParam *p = &params[i];
                if (strcmp(p->name, "numa_mode") == 0) {
                        if (p->type != DOMAIN_STAT_INT)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "invalid type for parameter 'numa_mode', expected 'int'");
                        if ((int) p->ull < 0 || (int) p->ull > 3)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unsupported numatune mode: '%d'",
                                                    (int) p->ull);
                        mode = (int) p->ull;
                } else if (strcmp(p->name, "numa_nodeset") == 0) {
                        uint8_t map[DOMAIN_CPUMAP_NODES / 8];
                        if (p->type != DOMAIN_STAT_STRING)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "invalid type for parameter 'numa_nodeset', expected 'string'");
                        if (cpumap_parse(p->str, map, sizeof map) < 0)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Invalid nodeset '%s'", p->str);
                        nodeset = p->str;
                } else {
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                }
        }
        const DomainNumatune *cur = &d->live->priv->numatune;
        if (live && mode >= 0 && mode != mode_index(cur->mode))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "can't change numatune mode for running domain");
        if (live && !nodeset)
                return 0;       /* nothing to change live */
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        int r = 0;
        if (live) {
                DomainNumatune nt = { .mode = (char *) numa_modes[mode_index(cur->mode)], .nodeset = (char *) nodeset };
                if (ops->set_numatune(d, &nt, err) < 0)
                        r = -1;
                else if (numa_replace(&d->live->priv->numatune, nt.mode, nodeset) < 0)
                        r = vb_error_errno(err, -ENOMEM, "numatune");
        }
        if (r == 0 && config) {
                DomainDef *nd = domain_def_copy(d->def);
                const DomainNumatune *old = &d->def->priv->numatune;
                const char *m = mode >= 0 ? numa_modes[mode] : numa_modes[mode_index(old->mode)];
                const char *s = nodeset ? nodeset : old->nodeset;
                if (!nd) {
                        r = vb_error_errno(err, -ENOMEM, "copy domain definition");
                } else if (!s) {
                        domain_def_free(nd);
                        r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "numa_nodeset is needed for numatune");
                } else if (numa_replace(&nd->priv->numatune, m, s) < 0 || domain_save_config(d->obj.conn, nd, err) < 0) {
                        r = err->code ? -1 : vb_error_errno(err, -ENOMEM, "numatune");
                        domain_def_free(nd);
                } else {
                        domain_def_free(d->def);
                        d->def = nd;
                }
        }
        domain_job_end(d);
        return r;
}
