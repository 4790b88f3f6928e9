/* storage-backend.h: what the files of drivers/storage share (dir pools and their volumes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "driver.h"
#include "process-run.h"
#include "storage.h"

#define QEMU_IMG "/usr/bin/qemu-img"

/* The helper children, as lib/process-run.h names them in the log and in errors (storage-util.c). */
extern const ProcessProgram storage_qemu_img;   /* qemu-img */
extern const ProcessProgram storage_helper;     /* a function in a forked child: copy, zeroing */

/* An active dir pool: its target directory, held open, so that every volume is reached
 * relative to it (openat with O_NOFOLLOW): a symlink never leads out of the pool. */
typedef struct DirPool {
        int dirfd;
} DirPool;

static inline int dir_pool_fd(const StoragePool *p) {
        return p->driver_data ? ((const DirPool *) p->driver_data)->dirfd : -1;
}

static inline sd_event *storage_event(const StoragePool *p) {
        return p->obj.conn->manager->event;
}

/* One pool type's verbs (the PoolOps of the host's storage subsystem pick the backend by
 * <pool type>). check completes and checks a parsed definition of that type; a NULL verb
 * answers libvirt's "not supported". */
typedef struct StorageBackend {
        const char *type;
        bool no_target_path;    /* the pool has no <target><path> (iscsi-direct: LUNs over the network) */
        int (*check)(PoolDef *def, VbError *err);
        int (*build)(StoragePool *p, unsigned flags, Call *call, VbError *err);
        int (*start)(StoragePool *p, Call *call, VbError *err);
        int (*stop)(StoragePool *p, Call *call, VbError *err);
        int (*refresh)(StoragePool *p, Call *call, VbError *err);
        int (*remove)(StoragePool *p, unsigned flags, Call *call, VbError *err);
        int (*vol_create)(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err);
        int (*vol_delete)(StorageVol *v, unsigned flags, Call *call, VbError *err);
        int (*vol_wipe)(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err);
        int (*vol_resize)(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);
        int (*vol_download)(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
        int (*vol_upload)(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
        /* Open the volume's storage (flags: O_RDONLY, O_RDWR, …) and tell its size in bytes:
         * a file relative to the pool directory (dir_vol_open), a block device. */
        int (*vol_open)(StorageVol *v, int flags, uint64_t *size, VbError *err);
        /* FindStoragePoolSources for this type: VERB_PENDING and call completed with the
         * <sources> XML, or -1. */
        int (*find_sources)(sd_event *e, const char *spec, Call *call, VbError *err);
        /* Where a network volume is, for a guest disk on it (PoolOps.network_source). */
        int (*network_source)(StorageVol *v, DomainDiskNet *net, VbError *err);
} StorageBackend;

/* storage-backends.c: the backend of a pool type (NULL: none on this host), of a pool. */
const StorageBackend *storage_backend_of_type(const char *type);
const StorageBackend *storage_backend_of(const StoragePool *p);
/* libvirt's "not supported": "<what> of a '<type>' pool". */
int storage_no_support(const StoragePool *p, const char *what, VbError *err);
/* The volume's storage, opened by its backend's vol_open: a descriptor, or -1 with err set. */
int storage_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err);
/* "cannot <what> volume 'x': it is in use by running domain 'y'" (dir-vol-ops.c). */
int storage_vol_check_unused(StorageVol *v, const char *what, VbError *err);

extern const StorageBackend storage_backend_dir;        /* dir-pool.c */
extern const StorageBackend storage_backend_fs;         /* fs-pool.c */
extern const StorageBackend storage_backend_logical;    /* logical-pool.c */
extern const StorageBackend storage_backend_iscsi_direct;       /* iscsi-direct-backend.c */

/* virStoragePoolBuildFlags */
enum { POOL_BUILD_NO_OVERWRITE = 1u << 2, POOL_BUILD_OVERWRITE = 1u << 3 };

/* storage-util.c: errno → libvirt's system error ("cannot open directory '/x': No such file or directory"). */
int storage_sys_error(VbError *err, int errnum, const char *fmt, const char *what);

/* A helper child that ended with status != 0: "<what> failed: <its output, trimmed>". */
int storage_child_error(VbError *err, int status, const char *out, const char *fmt, const char *what);

/* A volume name is one path element inside the pool: no '/', no leading '.', not empty. */
int storage_check_vol_name(const char *name, VbError *err);

/* dir-pool.c */
int dir_pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err);
int dir_pool_start(StoragePool *p, Call *call, VbError *err);
int dir_pool_stop(StoragePool *p, Call *call, VbError *err);
int dir_pool_refresh(StoragePool *p, Call *call, VbError *err);
int dir_pool_remove(StoragePool *p, unsigned flags, Call *call, VbError *err);
/* dir-describe.c: the pool's sizes from the file system (statvfs). */
void dir_pool_update_sizes(StoragePool *p);
/* What the file name in the pool is, as a volume definition (NULL: not a volume: a
 * directory, a symlink, a special file). */
VolDef *dir_vol_describe(StoragePool *p, const char *name);
/* A volume's capacity and allocation as its file now has them (after a write, a resize). */
void dir_vol_update_sizes(StorageVol *v);

/* A regular file of the pool directory, never through a symlink. */
int dir_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err);

/* dir-vol.c */
int dir_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err);
int dir_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err);
int dir_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);

/* wipe.c: virStorageVolWipePattern's algorithms on what storage_vol_open gives (any backend). */
int storage_wipe(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err);
/* The name of virStorageVolWipeAlgorithm algorithm ("zero", "dod", …), NULL past the last. */
const char *storage_wipe_algorithm_name(unsigned algorithm);

/* dir-stream.c: the file's I/O under vol-stream.c (which vol_stream_shutdown_all() ends at the
 * daemon's shutdown). */
int dir_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
int dir_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);

/* dir-copy.c: run in a child process (lib/process-run.h: async-signal-safe calls only). */
typedef struct CopyJob {
        int src, dst;           /* open files */
        uint64_t size;          /* bytes of src to copy (holes kept) */
        uint64_t *progress;     /* may be NULL: bytes done so far (child-progress.h) */
} CopyJob;
int dir_copy_sparse(void *arg, char *msg, size_t msg_size);
typedef struct ZeroJob {
        int fd;
        uint64_t size;
        uint64_t *progress;     /* may be NULL */
} ZeroJob;
int dir_zero_file(void *arg, char *msg, size_t msg_size);
