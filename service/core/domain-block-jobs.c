/* domain-block-jobs.c: the block-job verbs (domain-blockjob.h): libvirt's checks (flags, a
 * running guest, the disk, bandwidth limits), then the driver's op; and the job-end notice. */
#define LOG_MODULE "domain"
#include "domain-blockjob.h"

#include <stdint.h>
#include <string.h>

#include "domain-device.h"
#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"

/* libvirt keeps bandwidths in bytes/s as signed 64-bit values: MiB/s beyond that are refused. */
#define MIB ((uint64_t) 1024 * 1024)

static const DomainBlockJobOps *ops_of(Domain *d, const char *api, VbError *err) {
        const DomainBlockJobOps *ops = d->obj.conn->driver->blockjob;
        if (!ops) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
                return NULL;
        }
        if (d->removed) {
                vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
                return NULL;
        }
        if (!domain_is_active(d)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
                return NULL;
        }
        return ops;
}

/* The disk of d->live whose target or source is path; its index, or -1 with err. */
static long find_disk(Domain *d, const char *path, VbError *err) {
        const DomainDevices *dev = &d->live->priv->devices;
        for (size_t i = 0; path && i < dev->n_disks; i++) {
                const DomainDisk *k = &dev->disks[i];
                if ((k->target_dev && strcmp(k->target_dev, path) == 0) ||
                    (k->source_file && strcmp(k->source_file, path) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, path) == 0)) {
                        if (!k->source_file && !k->source_dev && !k->net) {
                                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "disk '%s' has no source",
                                             path);
                                return -1;
                        }
                        return (long) i;
                }
        }
        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "disk '%s' not found in domain", path ? path : "");
        return -1;
}

static int to_bytes(uint64_t bandwidth, bool bytes, uint64_t *out, VbError *err) {
        if (!bytes && bandwidth > (uint64_t) INT64_MAX / MIB)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "bandwidth must be less than %llu",
                                    (unsigned long long) ((uint64_t) INT64_MAX / MIB) + 1);
        if (bytes && bandwidth > (uint64_t) INT64_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "bandwidth must be less than %llu",
                                    (unsigned long long) INT64_MAX);
        *out = bytes ? bandwidth : bandwidth * MIB;
        return 0;
}

/* BlockRebase with COPY: a mirror to dest, of the source's format unless COPY_RAW. */
static int block_copy(Domain *d, const DomainBlockJobOps *ops, const char *path, const char *dest, uint64_t bw,
                      unsigned flags, Call *call, VbError *err) {
        if (!ops->copy)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockRebase");
        if (!dest || !*dest)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a block copy needs a destination");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        const DomainDisk *k = &d->live->priv->devices.disks[i];
        const char *fmt = flags & DOMAIN_BLOCK_REBASE_COPY_RAW ? "raw" : k->driver_type ? k->driver_type : "raw";
        if (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "unsupported format '%s' for a block copy",
                                    fmt);
        log_info("domain %s: block copy of %s to %s", d->obj.name, path, dest);
        return ops->copy(d, (size_t) i, dest, fmt, bw, flags & (DOMAIN_BLOCK_REBASE_SHALLOW | DOMAIN_BLOCK_REBASE_REUSE_EXT),
                         call, err);
}

int domain_block_pull(Domain *d, const char *path, const char *base, uint64_t bandwidth, unsigned flags, Call *call,
                      VbError *err) {
        const char *api = base || (flags & DOMAIN_BLOCK_REBASE_COPY) ? "virDomainBlockRebase" : "virDomainBlockPull";
        const DomainBlockJobOps *ops = ops_of(d, api, err);
        unsigned copy = DOMAIN_BLOCK_REBASE_COPY | DOMAIN_BLOCK_REBASE_SHALLOW | DOMAIN_BLOCK_REBASE_REUSE_EXT |
                        DOMAIN_BLOCK_REBASE_COPY_RAW;
        uint64_t bw;
        if (!ops ||
            vb_check_flags(flags, DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES | (base && (flags & DOMAIN_BLOCK_REBASE_COPY) ? copy : 0), api,
                           err) < 0 ||
            to_bytes(bandwidth, flags & DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES, &bw, err) < 0)
                return -1;
        if (flags & DOMAIN_BLOCK_REBASE_COPY)
                return block_copy(d, ops, path, base, bw, flags, call, err);
        if (!ops->pull)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        log_info("domain %s: block pull on %s", d->obj.name, path);
        return ops->pull(d, (size_t) i, base, bw, call, err);
}

int domain_block_commit(Domain *d, const char *path, const char *base, const char *top, uint64_t bandwidth,
                        unsigned flags, Call *call, VbError *err) {
        const DomainBlockJobOps *ops = ops_of(d, "virDomainBlockCommit", err);
        uint64_t bw;
        if (!ops ||
            vb_check_flags(flags, DOMAIN_BLOCK_COMMIT_ACTIVE | DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES,
                           "virDomainBlockCommit", err) < 0 ||
            to_bytes(bandwidth, flags & DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES, &bw, err) < 0)
                return -1;
        if (!ops->commit)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockCommit");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        const DomainDisk *k = &d->live->priv->devices.disks[i];
        bool active = !top || (k->source_file && strcmp(top, k->source_file) == 0) || strcmp(top, path) == 0;
        if (active && !(flags & DOMAIN_BLOCK_COMMIT_ACTIVE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "commit of '%s' active layer requires active flag", path);
        if (!active && (flags & DOMAIN_BLOCK_COMMIT_ACTIVE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "active commit requested but '%s' is not active", top);
        log_info("domain %s: block commit on %s", d->obj.name, path);
        return ops->commit(d, (size_t) i, base, active ? NULL : top, bw, flags, call, err);
}

int domain_block_job_info(Domain *d, const char *path, unsigned flags, Call *call, DomainBlockJobInfo *out,
                          VbError *err) {
        const DomainBlockJobOps *ops = ops_of(d, "virDomainGetBlockJobInfo", err);
        if (!ops || vb_check_flags(flags, DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, "virDomainGetBlockJobInfo", err) < 0)
                return -1;
        if (!ops->info)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainGetBlockJobInfo");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        memset(out, 0, sizeof *out);
        return ops->info(d, (size_t) i, flags & DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, call, out, err);
}

int domain_block_job_abort(Domain *d, const char *path, unsigned flags, Call *call, VbError *err) {
        const DomainBlockJobOps *ops = ops_of(d, "virDomainBlockJobAbort", err);
        if (!ops || vb_check_flags(flags, DOMAIN_BLOCK_JOB_ABORT_ASYNC | DOMAIN_BLOCK_JOB_ABORT_PIVOT,
                                   "virDomainBlockJobAbort", err) < 0)
                return -1;
        if (!ops->abort)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockJobAbort");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        return ops->abort(d, (size_t) i, flags, call, err);
}

int domain_block_job_set_speed(Domain *d, const char *path, uint64_t bandwidth, unsigned flags, Call *call,
                               VbError *err) {
        const DomainBlockJobOps *ops = ops_of(d, "virDomainBlockJobSetSpeed", err);
        uint64_t bw;
        if (!ops ||
            vb_check_flags(flags, DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, "virDomainBlockJobSetSpeed", err) < 0 ||
            to_bytes(bandwidth, flags & DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, &bw, err) < 0)
                return -1;
        if (!ops->set_speed)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockJobSetSpeed");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        return ops->set_speed(d, (size_t) i, bw, call, err);
}

void domain_notify_block_job(Domain *d, size_t index, int type, int status) {
        if (!d->live || index >= d->live->priv->devices.n_disks)
                return;
        const DomainDisk *k = &d->live->priv->devices.disks[index];
        Notice n = { .type = NOTICE_BLOCK_JOB, .obj = &d->obj, .event = type, .detail = status,
                     .text = k->target_dev ? k->target_dev : "",
                     .path = k->source_file ? k->source_file : k->source_dev ? k->source_dev : "" };
        manager_notify(d->obj.conn->manager, &n);
}

/* virDomainBlockCopy's parameters into t: libvirt's names and types, checked. */
static int copy_tuning(const DomainTuneParam *params, size_t n, DomainBlockCopyTuning *t, VbError *err) {
        static const struct {
                const char *name;
                DomainStatType type;
        } known[] = { { "bandwidth", DOMAIN_STAT_ULLONG }, { "granularity", DOMAIN_STAT_UINT },
                      { "buf-size", DOMAIN_STAT_ULLONG } };
        static const char *const type_names[] = { "", "int", "uint", "llong", "ullong", "double", "boolean", "string" };
        for (size_t i = 0; i < n; i++) {
                size_t k = 0;
                while (k < 3 && strcmp(params[i].name, known[k].name) != 0)
                        k++;
                if (k == 3)
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "parameter '%s' not supported", params[i].name);
                if (params[i].type != known[k].type)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type '%s' for parameter '%s', expected '%s'",
                                            params[i].type >= 1 && params[i].type <= 7 ? type_names[params[i].type] : "?",
                                            params[i].name, type_names[known[k].type]);
                if (k == 0 && to_bytes(params[i].ull, true, &t->bandwidth, err) < 0)
                        return -1;
                if (k == 1)
                        t->granularity = (uint32_t) params[i].ull;
                if (k == 2)
                        t->buf_size = params[i].ull;
        }
        uint32_t g = t->granularity;
        if (g && (g & (g - 1)))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "granularity must be power of 2");
        if (g && (g < 512 || g > 64u * 1024 * 1024))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "granularity must be between 512 and 67108864 bytes");
        if (t->buf_size > (uint64_t) INT64_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "buf-size must be less than %llu",
                                    (unsigned long long) INT64_MAX);
        return 0;
}

int domain_block_copy(Domain *d, const char *path, const char *destxml, const DomainTuneParam *params, size_t n,
                      unsigned flags, Call *call, VbError *err) {
        const DomainBlockJobOps *ops = ops_of(d, "virDomainBlockCopy", err);
        DomainBlockCopyTuning t = { 0 };
        if (!ops ||
            vb_check_flags(flags, DOMAIN_BLOCK_COPY_SHALLOW | DOMAIN_BLOCK_COPY_REUSE_EXT |
                                  DOMAIN_BLOCK_COPY_TRANSIENT_JOB | DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES,
                           "virDomainBlockCopy", err) < 0 ||
            copy_tuning(params, n, &t, err) < 0)
                return -1;
        if (!ops->copy_tuned)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBlockCopy");
        long i = find_disk(d, path, err);
        if (i < 0)
                return -1;
        const char *kind = NULL;
        DomainDevices *dest = domain_device_parse(destxml ? destxml : "", destxml ? strlen(destxml) : 0, &kind, err);
        if (!dest)
                return -1;
        int r = -1;
        const DomainDisk *to = dest->n_disks == 1 ? &dest->disks[0] : NULL;
        const char *file = to ? (to->source_file ? to->source_file : to->source_dev) : NULL;
        const DomainDisk *k = &d->live->priv->devices.disks[i];
        const char *fmt = to && to->driver_type ? to->driver_type : k->driver_type ? k->driver_type : "raw";
        unsigned copy = flags & DOMAIN_BLOCK_COPY_SHALLOW ? DOMAIN_BLOCK_REBASE_SHALLOW : 0;
        /* QEMU cannot make a block device: one is always the existing destination */
        if ((flags & DOMAIN_BLOCK_COPY_REUSE_EXT) || (to && to->source_dev))
                copy |= DOMAIN_BLOCK_REBASE_REUSE_EXT;
        t.sync_writes = flags & DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES;
        if (!to)
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "the destination must be one <disk>, not <%s>",
                             kind && *kind ? kind : "?");
        else if (!file || to->net)
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                             "the destination of a block copy must be a local file or block device");
        else if (file[0] != '/')
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "the destination '%s' is not an absolute path",
                             file);
        else if (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0)
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "unsupported format '%s' for a block copy",
                             fmt);
        else {
                log_info("domain %s: block copy of %s to %s", d->obj.name, path, file);
                r = ops->copy_tuned(d, (size_t) i, file, fmt, copy, &t, call, err);
        }
        domain_device_free(dest);
        return r;
}
