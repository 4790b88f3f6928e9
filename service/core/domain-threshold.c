/* domain-threshold.c: virDomainSetBlockThreshold (a disk's write threshold, set through the driver: QEMU's block-set-write-threshold) and the BLOCK_THRESHOLD notice when a guest writes past it (the driver then has cleared it, as QEMU and libvirt do). */
#define LOG_MODULE "domain"
#include "domain-threshold.h"

#include <stdint.h>
#include <string.h>

#include "domain-model.h"
#include "domain-tune-stats.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"

/* The running disk named by target or source, as libvirt's qemuDomainGetStorageSourceByDevstr. */
static long find_disk(const DomainDef *live, const char *dev, VbError *err) {
        const DomainDevices *devs = &live->priv->devices;
        for (size_t i = 0; dev && i < devs->n_disks; i++) {
                const DomainDisk *k = &devs->disks[i];
                if ((k->target_dev && strcmp(k->target_dev, dev) == 0) ||
                    (k->source_file && strcmp(k->source_file, dev) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, dev) == 0))
                        return (long) i;
        }
        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "failed to find disk '%s'", dev ? dev : "");
        return -1;
}

int domain_set_block_threshold(Domain *d, const char *dev, uint64_t threshold, unsigned flags, Call *call, VbError *err) {
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (!ops || !ops->set_block_threshold)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetBlockThreshold");
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (vb_check_flags(flags, 0, "virDomainSetBlockThreshold", err) < 0)
                return -1;
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (threshold > INT64_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "threshold %llu is too large",
                                    (unsigned long long) threshold);
        long i = find_disk(d->live, dev, err);
        if (i < 0)
                return -1;
        const DomainDisk *k = &d->live->priv->devices.disks[i];
        if (!k->source_file && !k->source_dev && !k->net)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "disk '%s' has no source", dev);
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        log_info("domain %s: write threshold of disk %s at %llu bytes", d->obj.name, k->target_dev ? k->target_dev : "",
                 (unsigned long long) threshold);
        int r = ops->set_block_threshold(d, (size_t) i, threshold, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        return r;
}

void domain_notify_block_threshold(Domain *d, size_t index, uint64_t threshold, uint64_t excess) {
        if (!d->live || index >= d->live->priv->devices.n_disks)
                return;
        const DomainDisk *k = &d->live->priv->devices.disks[index];
        log_info("domain %s: disk %s written past its threshold %llu (by %llu bytes)", d->obj.name,
                 k->target_dev ? k->target_dev : "", (unsigned long long) threshold, (unsigned long long) excess);
        Notice n = { .type = NOTICE_BLOCK_THRESHOLD, .obj = &d->obj, .text = k->target_dev ? k->target_dev : "",
                     .path = k->source_file ? k->source_file : k->source_dev, .threshold = threshold, .excess = excess };
        manager_notify(d->obj.conn->manager, &n);
}
