/* domain-peek.c: virDomainBlockPeek, virDomainMemoryPeek, virDomainPMWakeup and virDomainPMSuspendForDuration: the checks libvirt makes, in its order and words, then the driver's op. */
#define LOG_MODULE "domain"
#include "domain-peek.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"

static VbErrorFrom driver_from(const Domain *d) {
        return (VbErrorFrom) d->obj.conn->driver->error_from;
}

/* libvirt names its driver's function in flag errors ("qemuDomainPMWakeup",
 * "testDomainMemoryPeek"): the driver's type in lower case, then what. */
static int check_flags(Domain *d, unsigned flags, unsigned allowed, const char *what, VbError *err) {
        char fn[64];
        const char *type = d->obj.conn->driver->type;
        size_t i = 0;
        for (; type && type[i] && i < 16; i++)
                fn[i] = (char) tolower((unsigned char) type[i]);
        snprintf(fn + i, sizeof fn - i, "%s", what);
        if (vb_check_flags(flags, allowed, fn, err) < 0) {
                err->from = driver_from(d);     /* the driver's check, as libvirt's */
                return -1;
        }
        return 0;
}

static int check_running(Domain *d, VbErrorFrom from, VbError *err) {
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, from, "domain is not running");
        return 0;
}

/* The disk named by its target or its source, as libvirt's virDomainDiskByName. */
static long disk_by_name(const DomainDef *def, const char *name) {
        const DomainDevices *devs = &def->priv->devices;
        for (size_t i = 0; name && i < devs->n_disks; i++) {
                const DomainDisk *k = &devs->disks[i];
                if (k->target_dev && strcmp(k->target_dev, name) == 0)
                        return (long) i;
        }
        for (size_t i = 0; name && i < devs->n_disks; i++) {
                const DomainDisk *k = &devs->disks[i];
                if ((k->source_file && strcmp(k->source_file, name) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, name) == 0))
                        return (long) i;
        }
        return -1;
}

int domain_block_peek(Domain *d, const char *disk, uint64_t offset, size_t size, unsigned flags, Call *call,
                      VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->block_peek)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockPeek");
        if (check_flags(d, flags, 0, "DomainBlockPeek", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (size > DOMAIN_PEEK_BUFFER_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "size %zu is over %zu bytes", size,
                                    DOMAIN_PEEK_BUFFER_MAX);
        /* Inactive domains too, as libvirt: the file is read, not what the guest sees. */
        const DomainDef *def = domain_is_active(d) && d->live ? d->live : d->def;
        long i = disk_by_name(def, disk);
        if (i < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, driver_from(d), "disk '%s' not found in domain",
                                    disk ? disk : "");
        log_debug("domain %s: peeking %zu bytes at %llu of disk %s", d->obj.name, size, (unsigned long long) offset,
                  disk);
        return ops->block_peek(d, def, (size_t) i, disk, offset, size, call, err);
}

int domain_memory_peek(Domain *d, uint64_t start, size_t size, unsigned flags, uint8_t *out, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        /* libvirt's own check comes before any driver's */
        if ((flags & DOMAIN_MEMORY_VIRTUAL) && (flags & DOMAIN_MEMORY_PHYSICAL))
                return vb_error_set_raw(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "Flags 'VIR_MEMORY_VIRTUAL' and 'VIR_MEMORY_PHYSICAL' are mutually exclusive");
        if (!ops || !ops->memory_peek)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainMemoryPeek");
        if (check_flags(d, flags, DOMAIN_MEMORY_VIRTUAL | DOMAIN_MEMORY_PHYSICAL, "DomainMemoryPeek", err) < 0)
                return -1;
        if (flags != DOMAIN_MEMORY_VIRTUAL && flags != DOMAIN_MEMORY_PHYSICAL)
                return vb_error_set(err, VB_ERR_INVALID_ARG, driver_from(d),
                                    "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL");
        if (check_running(d, VB_FROM_DOMAIN, err) < 0)
                return -1;
        if (size > DOMAIN_PEEK_BUFFER_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "size %zu is over %zu bytes", size,
                                    DOMAIN_PEEK_BUFFER_MAX);
        if (size == 0)
                return 0;       /* nothing to read: libvirt's drivers answer an empty buffer */
        log_debug("domain %s: peeking %zu bytes of %s memory at 0x%llx", d->obj.name, size,
                  flags == DOMAIN_MEMORY_PHYSICAL ? "physical" : "virtual", (unsigned long long) start);
        return ops->memory_peek(d, start, size, flags == DOMAIN_MEMORY_PHYSICAL, out, call, err);
}

int domain_pm_wakeup(Domain *d, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->pm_wakeup)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainPMWakeup");
        if (check_flags(d, flags, 0, "DomainPMWakeup", err) < 0 || check_running(d, VB_FROM_DOMAIN, err) < 0)
                return -1;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        domain_ref(d);
        log_info("domain %s: waking the guest up", d->obj.name);
        int r = ops->pm_wakeup(d, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

int domain_pm_suspend(Domain *d, unsigned target, uint64_t duration, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->pm_suspend)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainPMSuspendForDuration");
        VbErrorFrom from = driver_from(d);
        if (check_flags(d, flags, 0, "DomainPMSuspendForDuration", err) < 0)
                return -1;
        if (duration != 0)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, from, "Duration not supported. Use 0 for now");
        if (target != DOMAIN_SUSPEND_TARGET_MEM && target != DOMAIN_SUSPEND_TARGET_DISK &&
            target != DOMAIN_SUSPEND_TARGET_HYBRID)
                return vb_error_set(err, VB_ERR_INVALID_ARG, from, "Unknown suspend target: %u", target);
        if (check_running(d, from, err) < 0)
                return -1;
        const DomainPm *pm = &(d->live ? d->live : d->def)->priv->pm;
        if (target != DOMAIN_SUSPEND_TARGET_DISK && pm->suspend_to_mem && strcmp(pm->suspend_to_mem, "no") == 0)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, from, "S3 state is disabled for this domain");
        if (target == DOMAIN_SUSPEND_TARGET_DISK && pm->suspend_to_disk && strcmp(pm->suspend_to_disk, "no") == 0)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, from, "S4 state is disabled for this domain");
        static const char *const names[] = { "mem", "disk", "hybrid" };
        log_info("domain %s: asking the guest to suspend to %s", d->obj.name, names[target]);
        return ops->pm_suspend(d, target, call, err);
}

