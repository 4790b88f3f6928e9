/* domain-blockjob.c: changes to a running guest's disks that the hypervisor makes in place: virDomainBlockResize (QEMU: block_resize), libvirt's checks first, then the driver's op under the domain's modify job. */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <stdint.h>
#include <string.h>

#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

int domain_block_resize(Domain *d, const char *path, uint64_t size, unsigned flags, Call *call, VbError *err) {
        const DomainTuneOps *ops = d->obj.conn->driver->tune;
        if (!ops || !ops->block_resize)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockResize");
        if (vb_check_flags(flags, DOMAIN_BLOCK_RESIZE_BYTES, "virDomainBlockResize", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (!(flags & DOMAIN_BLOCK_RESIZE_BYTES)) {
                if (size > UINT64_MAX / 1024)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "size must be less than %llu",
                                            (unsigned long long) (UINT64_MAX / 1024));
                size *= 1024;
        }
        const DomainDevices *dev = &d->live->priv->devices;
        size_t i = 0;
        while (i < dev->n_disks && !((dev->disks[i].target_dev && strcmp(dev->disks[i].target_dev, path) == 0) ||
                                     (dev->disks[i].source_file && strcmp(dev->disks[i].source_file, path) == 0) ||
                                     (dev->disks[i].source_dev && strcmp(dev->disks[i].source_dev, path) == 0)))
                i++;
        if (i == dev->n_disks)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "disk '%s' was not found in the domain config",
                                    path);
        const DomainDisk *k = &dev->disks[i];
        if (!k->source_file && !k->source_dev && !k->net)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "disk '%s' has no source", path);
        if (k->readonly || (k->device && strcmp(k->device, "cdrom") == 0))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "cannot resize the read-only disk '%s'", path);
        /* qcow2 images grow in whole sectors, as libvirt rounds them */
        if (k->driver_type && strcmp(k->driver_type, "qcow2") == 0 && size % 512)
                size += 512 - size % 512;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        domain_ref(d);
        log_info("domain %s: disk %s to %llu bytes", d->obj.name, k->target_dev ? k->target_dev : path,
                 (unsigned long long) size);
        int r = ops->block_resize(d, i, size, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
