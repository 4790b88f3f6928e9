/* dir-copy.c: the blocking halves of clone and wipe, run in a child process (lib/process-run.h: async-signal-safe calls only). */
#include <errno.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "storage-backend.h"

static void tell(uint64_t *progress, uint64_t done) {
        if (progress)
                __atomic_store_n(progress, done, __ATOMIC_RELAXED);
}

static int copy_range(int src, int dst, off_t off, off_t end, uint64_t *progress) {
        while (off < end) {
                loff_t in = off, out = off;
                ssize_t n = copy_file_range(src, &in, dst, &out, (size_t) (end - off), 0);
                if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
                        char buf[1 << 16];
                        ssize_t r = pread(src, buf, sizeof buf < (size_t) (end - off) ? sizeof buf : (size_t) (end - off), off);
                        if (r <= 0)
                                return r < 0 ? errno : EIO;
                        if (pwrite(dst, buf, (size_t) r, off) != r)
                                return errno ? errno : EIO;
                        n = r;
                } else if (n < 0) {
                        return errno;
                } else if (n == 0) {
                        return 0;       /* the source is shorter than it said */
                }
                off += n;
                tell(progress, (uint64_t) off);
        }
        return 0;
}

/* A reflink when the file system shares extents, else the data extents only (SEEK_DATA /
 * SEEK_HOLE): holes stay holes, and the size is set last. */
int dir_copy_sparse(void *arg, char *msg, size_t msg_size) {
        CopyJob *j = arg;
        if (ioctl(j->dst, FICLONE, j->src) == 0) {
                if (ftruncate(j->dst, (off_t) j->size) < 0)
                        goto fail;
                tell(j->progress, j->size);
                return 0;
        }
        off_t off = 0, end = (off_t) j->size;
        while (off < end) {
                off_t data = lseek(j->src, off, SEEK_DATA);
                if (data < 0) {
                        if (errno == ENXIO)
                                break;          /* only a hole remains */
                        goto fail;
                }
                if (data >= end)
                        break;
                off_t hole = lseek(j->src, data, SEEK_HOLE);
                if (hole < 0 || hole > end)
                        hole = end;
                int r = copy_range(j->src, j->dst, data, hole, j->progress);
                if (r) {
                        errno = r;
                        goto fail;
                }
                off = hole;
        }
        if (ftruncate(j->dst, (off_t) j->size) < 0 || fsync(j->dst) < 0)
                goto fail;
        return 0;
fail:;
        int e = errno ? errno : EIO;
        snprintf(msg, msg_size, "cannot copy volume data: %s", strerrordesc_np(e));
        return e;
}

/* libvirt's "zero" algorithm: every byte written with zeros, then synced. */
int dir_zero_file(void *arg, char *msg, size_t msg_size) {
        ZeroJob *j = arg;
        static const char zeros[1 << 16];
        uint64_t off = 0;
        while (off < j->size) {
                size_t n = j->size - off < sizeof zeros ? (size_t) (j->size - off) : sizeof zeros;
                ssize_t w = pwrite(j->fd, zeros, n, (off_t) off);
                if (w <= 0) {
                        int e = w < 0 ? errno : EIO;
                        snprintf(msg, msg_size, "cannot wipe volume: %s", strerrordesc_np(e));
                        return e;
                }
                off += (uint64_t) w;
                tell(j->progress, off);
        }
        if (fsync(j->fd) < 0) {
                int e = errno;
                snprintf(msg, msg_size, "cannot wipe volume: %s", strerrordesc_np(e));
                return e;
        }
        return 0;
}
