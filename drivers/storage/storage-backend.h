/* storage-backend.h: what the files of drivers/storage share (dir pools and their volumes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "driver.h"
#include "process-run.h"
#include "storage.h"

#define QEMU_IMG "/usr/bin/qemu-img"

/* The helper children, as lib/process-run.h names them in the log and in errors. */
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

/* errno → libvirt's system error ("cannot open directory '/x': No such file or directory"). */
int storage_sys_error(VbError *err, int errnum, const char *fmt, const char *what);

/* A volume name is one path element inside the pool: no '/', no leading '.', not empty. */
int storage_check_vol_name(const char *name, VbError *err);

/* dir-pool.c */
int dir_pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err);
int dir_pool_start(StoragePool *p, Call *call, VbError *err);
int dir_pool_stop(StoragePool *p, Call *call, VbError *err);
int dir_pool_refresh(StoragePool *p, Call *call, VbError *err);
int dir_pool_remove(StoragePool *p, unsigned flags, Call *call, VbError *err);
/* The pool's sizes from the file system (statvfs). */
void dir_pool_update_sizes(StoragePool *p);
/* What the file name in the pool is, as a volume definition (NULL: not a volume: a
 * directory, a symlink, a special file). */
VolDef *dir_vol_describe(StoragePool *p, const char *name);

/* dir-vol.c */
int dir_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err);
int dir_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err);
int dir_vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err);
int dir_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);

/* dir-stream.c */
int dir_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
int dir_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
/* At the daemon's shutdown (the loop is over): join and free every transfer still running,
 * logging each (an upload cut half way says so). Returns how many there were. */
int dir_xfer_shutdown_all(void);

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
