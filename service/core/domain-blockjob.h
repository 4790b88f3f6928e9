/* domain-blockjob.h: block jobs of running guests (virDomainBlockPull/Rebase/Commit,
 * GetBlockJobInfo, BlockJobAbort, BlockJobSetSpeed): the core checks the request and finds the
 * disk, the driver runs the job in the hypervisor and reports its end as a NOTICE_BLOCK_JOB. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "error.h"

typedef struct Domain Domain;

/* virDomainBlockJobType */
enum {
        DOMAIN_BLOCK_JOB_TYPE_UNKNOWN = 0,
        DOMAIN_BLOCK_JOB_TYPE_PULL = 1,
        DOMAIN_BLOCK_JOB_TYPE_COPY = 2,
        DOMAIN_BLOCK_JOB_TYPE_COMMIT = 3,
        DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,
};
/* virConnectDomainEventBlockJobStatus */
enum {
        DOMAIN_BLOCK_JOB_COMPLETED = 0,
        DOMAIN_BLOCK_JOB_FAILED = 1,
        DOMAIN_BLOCK_JOB_CANCELED = 2,
        DOMAIN_BLOCK_JOB_READY = 3,
};
/* Flags, libvirt's values. */
#define DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES 64u
#define DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES 64u
#define DOMAIN_BLOCK_REBASE_SHALLOW 1u
#define DOMAIN_BLOCK_REBASE_REUSE_EXT 2u
#define DOMAIN_BLOCK_REBASE_COPY_RAW 4u
#define DOMAIN_BLOCK_REBASE_COPY 8u
#define DOMAIN_BLOCK_COMMIT_SHALLOW 1u
#define DOMAIN_BLOCK_COMMIT_DELETE 2u
#define DOMAIN_BLOCK_COMMIT_ACTIVE 4u
#define DOMAIN_BLOCK_COMMIT_RELATIVE 8u
#define DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES 16u
#define DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES 1u
#define DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES 1u
#define DOMAIN_BLOCK_JOB_ABORT_ASYNC 1u
#define DOMAIN_BLOCK_JOB_ABORT_PIVOT 2u
/* virDomainBlockCopy's flags */
#define DOMAIN_BLOCK_COPY_SHALLOW 1u
#define DOMAIN_BLOCK_COPY_REUSE_EXT 2u
#define DOMAIN_BLOCK_COPY_TRANSIENT_JOB 4u
#define DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES 8u

/* virDomainBlockCopy's typed parameters, checked: bandwidth in bytes/s, granularity (a power
 * of 2 from 512 to 64 MiB; 0: QEMU's), buf_size (0: QEMU's); writes mirrored synchronously. */
typedef struct DomainBlockCopyTuning {
        uint64_t bandwidth;
        uint32_t granularity;
        uint64_t buf_size;
        bool sync_writes;
} DomainBlockCopyTuning;

/* virDomainBlockJobInfo; type 0: no job on the disk. */
typedef struct DomainBlockJobInfo {
        int type;
        uint64_t bandwidth;
        uint64_t cur, end;
} DomainBlockJobInfo;

/* The driver's side. index: the disk in d->live. Every op may answer VERB_PENDING and complete
 * call later (info: with a DomainBlockJobInfo, borrowed, as the result). */
typedef struct DomainBlockJobOps {
        /* Stream the backing chain into the top image (base NULL: all of it). */
        int (*pull)(Domain *d, size_t index, const char *base, uint64_t bandwidth, Call *call, VbError *err);
        /* Copy the disk to dest (format "raw" or "qcow2") and mirror writes there until a pivot
         * or an abort; flags: DOMAIN_BLOCK_REBASE_SHALLOW (the top only), REUSE_EXT (dest is
         * there already). */
        int (*copy)(Domain *d, size_t index, const char *dest, const char *format, uint64_t bandwidth, unsigned flags,
                    Call *call, VbError *err);
        /* Commit top (NULL: the active image, flags has ACTIVE) into base (NULL: the bottom). */
        int (*commit)(Domain *d, size_t index, const char *base, const char *top, uint64_t bandwidth, unsigned flags,
                      Call *call, VbError *err);
        /* out->bandwidth in bytes/s with bytes, else in MiB/s rounded up (libvirt's units). */
        int (*info)(Domain *d, size_t index, bool bytes, Call *call, DomainBlockJobInfo *out, VbError *err);
        /* Cancel, or with PIVOT finish a ready job; without ASYNC the call completes once the job
         * is gone. No job: libvirt's "No active block job". */
        int (*abort)(Domain *d, size_t index, unsigned flags, Call *call, VbError *err);
        int (*set_speed)(Domain *d, size_t index, uint64_t bandwidth, Call *call, VbError *err);
        /* virDomainBlockCopy: copy with QEMU's tuning (t); flags as copy's (SHALLOW, REUSE_EXT). */
        int (*copy_tuned)(Domain *d, size_t index, const char *dest, const char *format, unsigned flags,
                          const DomainBlockCopyTuning *t, Call *call, VbError *err);
} DomainBlockJobOps;

/* The verbs, for both doors (BlockRebase with DOMAIN_BLOCK_REBASE_COPY: base is the copy's
 * destination): 0, VERB_PENDING (call completes) or -1 with err. path: a disk's
 * target or source file. Bandwidths in MiB/s unless the flag says bytes. */
int domain_block_pull(Domain *d, const char *path, const char *base, uint64_t bandwidth, unsigned flags, Call *call,
                      VbError *err);
int domain_block_commit(Domain *d, const char *path, const char *base, const char *top, uint64_t bandwidth,
                        unsigned flags, Call *call, VbError *err);
/* 0 with out filled (type 0: no job) or VERB_PENDING (call's result: a DomainBlockJobInfo); the
 * bandwidth in out is already in the unit flags asks. */
int domain_block_job_info(Domain *d, const char *path, unsigned flags, Call *call, DomainBlockJobInfo *out,
                          VbError *err);
int domain_block_job_abort(Domain *d, const char *path, unsigned flags, Call *call, VbError *err);
/* virDomainBlockCopy: path's disk mirrored to the <disk> destxml describes (a file or a block
 * device), with libvirt's typed parameters (bandwidth, granularity, buf-size). */
typedef struct DomainTuneParam DomainTuneParam;
int domain_block_copy(Domain *d, const char *path, const char *destxml, const DomainTuneParam *params, size_t n,
                      unsigned flags, Call *call, VbError *err);
int domain_block_job_set_speed(Domain *d, const char *path, uint64_t bandwidth, unsigned flags, Call *call,
                               VbError *err);
/* For drivers: tell the observers (remote BLOCK_JOB / BLOCK_JOB_2 events, the D-Bus BlockJob
 * signal) that disk index's job of type ended or became ready (status DOMAIN_BLOCK_JOB_*). */
void domain_notify_block_job(Domain *d, size_t index, int type, int status);
