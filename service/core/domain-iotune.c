/* domain-iotune.c: virDomainSetBlockIoTune / GetBlockIoTune: a disk's <iotune> (libvirt's typed parameters total_bytes_sec … write_iops_sec_max_length and group_name), checked as libvirt's QEMU driver checks them, applied live by the driver's set_block_io_tune (QEMU: block_set_io_throttle) and kept in the running and/or persistent definition once that has succeeded (domain-tune-later.c). */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain-pin.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

#define IOTUNE_LIMIT 1000000000000000ULL        /* QEMU's own limit, as libvirt checks it */
#define IOTUNE_GROUP_MAX 128u
#define TYPED_PARAM_STRING_OKAY (1u << 2)

static DomainDisk *find_disk(DomainDef *def, const char *path) {
        DomainDevices *dev = def ? &def->priv->devices : NULL;
        for (size_t i = 0; dev && path && i < dev->n_disks; i++) {
                DomainDisk *k = &dev->disks[i];
                if ((k->target_dev && strcmp(k->target_dev, path) == 0) ||
                    (k->source_file && strcmp(k->source_file, path) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, path) == 0))
                        return k;
        }
        return NULL;
}

/* ---- get ---- */

int domain_get_block_io_tune(Domain *d, const char *disk, unsigned flags, DomainTuneParam *out, VbError *err) {
        if (!d->obj.conn->driver->tune || !d->obj.conn->driver->tune->set_block_io_tune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainGetBlockIoTune");
        if (domain_pick_affect(d, &flags, TYPED_PARAM_STRING_OKAY, "virDomainGetBlockIoTune", err) < 0)
                return -1;
        if (!out)       /* how many there are (virsh asks so, without a disk) */
                return (flags & TYPED_PARAM_STRING_OKAY) ? DOMAIN_IOTUNE_NPARAMS : DOMAIN_IOTUNE_NPARAMS - 1;
        /* both: the running definition's, as libvirt */
        DomainDef *def = (flags & DOMAIN_AFFECT_LIVE) ? d->live : d->def;
        const DomainDisk *k = find_disk(def, disk);
        if (!k)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "disk '%s' was not found in the domain config",
                                    disk ? disk : "");
        int n = 0;
        for (unsigned i = 0; i < DISK_IOTUNE_N; i++) {
                if (i == DISK_IOTUNE_LENGTH_BASE && (flags & TYPED_PARAM_STRING_OKAY)) {
                        DomainTuneParam *p = &out[n++];
                        memset(p, 0, sizeof *p);
                        snprintf(p->name, sizeof p->name, "group_name");
                        p->type = DOMAIN_STAT_STRING;
                        snprintf(p->str, sizeof p->str, "%s", k->iotune.group_name ? k->iotune.group_name : "");
                }
                DomainTuneParam *p = &out[n++];
                memset(p, 0, sizeof *p);
                snprintf(p->name, sizeof p->name, "%s", domain_disk_iotune_name(i));
                p->type = DOMAIN_STAT_ULLONG;
                p->ull = k->iotune.v[i];
        }
        return n;
}

/* ---- set ---- */

typedef struct IotuneChange {
        char *disk;
        DomainDiskIotune live, config;
} IotuneChange;

static void iotune_clear(DomainDiskIotune *t) {
        free(t->group_name);
        memset(t, 0, sizeof *t);
}

static void change_free(void *data) {
        IotuneChange *c = data;
        if (!c)
                return;
        free(c->disk);
        iotune_clear(&c->live);
        iotune_clear(&c->config);
        free(c);
}

static int iotune_copy(DomainDiskIotune *dst, const DomainDiskIotune *src) {
        *dst = *src;
        dst->group_name = NULL;
        return src->group_name && !(dst->group_name = strdup(src->group_name)) ? -ENOMEM : 0;
}

/* Which groups of three (bytes, iops, their _max, their _max_length) the caller names: naming
 * one member resets the others, as libvirt does. */
static int iotune_merge(DomainDiskIotune *t, const DomainTuneParam *params, size_t n, VbError *err) {
        bool group_set[DISK_IOTUNE_N / 3 + 1] = { false };
        for (size_t i = 0; i < n; i++) {
                const DomainTuneParam *p = &params[i];
                unsigned k = 0;
                while (k < DISK_IOTUNE_N && strcmp(p->name, domain_disk_iotune_name(k)) != 0)
                        k++;
                if (k == DISK_IOTUNE_N && strcmp(p->name, "group_name") != 0)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", p->name);
                if (k == DISK_IOTUNE_N) {
                        if (p->type != DOMAIN_STAT_STRING)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "invalid type for parameter 'group_name', expected 'string'");
                        if (strlen(p->str) > IOTUNE_GROUP_MAX)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "group_name must be at most %u characters", IOTUNE_GROUP_MAX);
                        free(t->group_name);
                        t->group_name = *p->str ? strdup(p->str) : NULL;
                        if (*p->str && !t->group_name)
                                return vb_error_errno(err, -ENOMEM, "group_name");
                        continue;
                }
                if (p->type != DOMAIN_STAT_ULLONG)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter '%s', expected 'ullong'", p->name);
                if (p->ull > IOTUNE_LIMIT)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "block I/O throttle limit value must be no more than %llu",
                                            (unsigned long long) IOTUNE_LIMIT);
                unsigned g = k == DISK_IOTUNE_SIZE_IOPS ? DISK_IOTUNE_N / 3 : (k < 12 ? k / 3 : (k - 1) / 3);
                if (!group_set[g] && k != DISK_IOTUNE_SIZE_IOPS) {
                        unsigned first = k < 12 ? g * 3 : g * 3 + 1;
                        for (unsigned j = first; j < first + 3; j++)
                                t->v[j] = 0;
                }
                group_set[g] = true;
                t->v[k] = p->ull;
        }
        return 0;
}

/* libvirt's QEMU driver's checks of the merged values. */
static int iotune_check(const DomainDiskIotune *t, VbError *err) {
        static const char *const what[] = { "bytes_sec", "iops_sec" };
        for (unsigned kind = 0; kind < 2; kind++)
                for (unsigned m = 0; m < 2; m++) {
                        const uint64_t *v = &t->v[kind * 3 + m * DISK_IOTUNE_MAX_BASE];
                        if (v[0] && (v[1] || v[2]))
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "total and read/write of %s%s cannot be set at the same time",
                                                    what[kind], m ? "_max" : "");
                }
        for (unsigned i = 0; i < DISK_IOTUNE_MAX_BASE; i++) {
                const char *base = domain_disk_iotune_name(i), *max = domain_disk_iotune_name(i + DISK_IOTUNE_MAX_BASE);
                if (t->v[i + DISK_IOTUNE_MAX_BASE] && !t->v[i])
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "value '%s' cannot be set if '%s' is not set", max, base);
                if (t->v[i + DISK_IOTUNE_LENGTH_BASE] && !t->v[i + DISK_IOTUNE_MAX_BASE])
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "value '%s' cannot be set if '%s' is not set",
                                            domain_disk_iotune_name(i + DISK_IOTUNE_LENGTH_BASE), max);
        }
        return 0;
}

static int iotune_live(Domain *d, void *data, Call *inner, VbError *err) {
        IotuneChange *c = data;
        DomainDevices *dev = &d->live->priv->devices;
        DomainDisk *k = find_disk(d->live, c->disk);
        if (!k)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "disk '%s' not found in domain", c->disk);
        return d->obj.conn->driver->tune->set_block_io_tune(d, (size_t) (k - dev->disks), &c->live, inner, err);
}

static int iotune_record(Domain *d, void *data, bool config, VbError *err) {
        IotuneChange *c = data;
        DomainDisk *k = domain_is_active(d) ? find_disk(d->live, c->disk) : NULL;
        if (k && c->live.v[0] != UINT64_MAX) {
                iotune_clear(&k->iotune);
                k->iotune = c->live;
                memset(&c->live, 0, sizeof c->live);
        }
        if (!config)
                return 0;
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        k = find_disk(nd, c->disk);
        if (k) {
                iotune_clear(&k->iotune);
                k->iotune = c->config;
                memset(&c->config, 0, sizeof c->config);
        }
        if (domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

static int prepare(DomainDef *def, const char *disk, bool persistent, const DomainTuneParam *params, size_t n,
                   DomainDiskIotune *out, VbError *err) {
        const DomainDisk *k = find_disk(def, disk);
        if (!k)
                return persistent ? vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                 "missing persistent configuration for disk '%s'", disk)
                                  : vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                 "disk '%s' not found in domain", disk);
        if (iotune_copy(out, &k->iotune) < 0)
                return vb_error_errno(err, -ENOMEM, "iotune");
        if (iotune_merge(out, params, n, err) < 0 || iotune_check(out, err) < 0)
                return -1;
        return 0;
}

int domain_set_block_io_tune(Domain *d, const char *disk, const DomainTuneParam *params, size_t n, unsigned flags,
                             Call *call, VbError *err) {
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (!ops || !ops->set_block_io_tune)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetBlockIoTune");
        if (domain_pick_affect(d, &flags, TYPED_PARAM_STRING_OKAY, "virDomainSetBlockIoTune", err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        IotuneChange *c = calloc(1, sizeof *c);
        if (!c || !(c->disk = strdup(disk ? disk : ""))) {
                free(c);
                return vb_error_errno(err, -ENOMEM, "iotune");
        }
        c->live.v[0] = UINT64_MAX;      /* no live change */
        if ((live && prepare(d->live, disk, false, params, n, &c->live, err) < 0) ||
            (config && prepare(d->def, disk, true, params, n, &c->config, err) < 0) ||
            domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                change_free(c);
                return -1;
        }
        log_info("domain %s: I/O limits of disk %s (%s%s)", d->obj.name, disk, live ? "live" : "",
                 config ? " config" : "");
        if (!live) {
                int r = iotune_record(d, c, config, err);
                change_free(c);
                domain_job_end(d);
                return r;
        }
        return domain_tune_live_data(d, iotune_live, iotune_record, c, change_free, config, call, err);
}
