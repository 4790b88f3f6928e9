/* dir-stream.c: upload and download of a dir pool's volume through a core Stream, holes kept (SEEK_DATA/SEEK_HOLE, punched holes). */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "storage-backend.h"
#include "stream.h"

/* At most this much file I/O per wake-up: the loop serves others between chunks. */
#define CHUNK (256u * 1024u)

typedef struct VolXfer {
        StorageVol *vol;
        Stream *st;
        int fd;
        uint64_t pos, end;
        bool upload;            /* we are the consumer (else the producer) */
        bool finished;          /* download: stream_finish done */
        char *buf;
} VolXfer;

static void xfer_end(VolXfer *x, int r, const VbError *err) {
        StorageVol *v = x->vol;
        /* Let go of our end only: the door's end finishes its own way. */
        if (x->upload)
                stream_set_consumer(x->st, NULL, NULL);
        else
                stream_set_producer(x->st, NULL, NULL);
        stream_unref(x->st);
        close(x->fd);
        free(x->buf);
        free(x);
        /* The sizes as the file now has them (an upload fills holes). */
        VolDef *fresh = dir_vol_describe(v->pool, v->obj.name);
        if (fresh) {
                v->def->capacity = fresh->capacity;
                v->def->allocation = fresh->allocation;
                vol_def_free(fresh);
        }
        dir_pool_update_sizes(v->pool);
        log_info("volume %s: transfer %s", v->obj.name, r < 0 ? "failed" : "done");
        vol_job_done(v, r, err);
}

static void xfer_fail(VolXfer *x, int errnum, const char *what) {
        VbError e = { 0 };
        storage_sys_error(&e, errnum, what, x->vol->def->path);
        stream_abort(x->st, &e);
        xfer_end(x, -1, &e);
}

/* ---- download: the file into the stream ---- */

static void download_wake(Stream *st, void *userdata) {
        VolXfer *x = userdata;
        if (stream_is_over(st)) {
                const VbError *e = stream_error(st);
                xfer_end(x, stream_is_closed(st) || !e ? 0 : -1, e);
                return;
        }
        while (!x->finished && stream_space(st) > 0) {
                if (x->pos >= x->end) {
                        stream_finish(st);
                        x->finished = true;
                        return;
                }
                off_t data = lseek(x->fd, (off_t) x->pos, SEEK_DATA);
                if (data < 0 && errno != ENXIO)
                        data = (off_t) x->pos;          /* no hole support: all data */
                if (data < 0 || (uint64_t) data >= x->end)
                        data = (off_t) x->end;
                if ((uint64_t) data > x->pos) {
                        stream_write_hole(st, (uint64_t) data - x->pos);
                        x->pos = (uint64_t) data;
                        continue;
                }
                off_t hole = lseek(x->fd, (off_t) x->pos, SEEK_HOLE);
                uint64_t stop = hole < 0 || (uint64_t) hole > x->end ? x->end : (uint64_t) hole;
                size_t n = stream_space(st);
                if (n > CHUNK)
                        n = CHUNK;
                if (n > stop - x->pos)
                        n = (size_t) (stop - x->pos);
                ssize_t got = pread(x->fd, x->buf, n, (off_t) x->pos);
                if (got <= 0) {
                        xfer_fail(x, got < 0 ? errno : EIO, "cannot read volume '%s'");
                        return;
                }
                stream_write(st, x->buf, (size_t) got);
                x->pos += (uint64_t) got;
        }
}

/* ---- upload: the stream into the file ---- */

static int zero_range(int fd, uint64_t off, uint64_t len) {
        if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) off, (off_t) len) == 0)
                return 0;
        static const char zeros[65536];
        while (len) {
                size_t n = len < sizeof zeros ? (size_t) len : sizeof zeros;
                ssize_t w = pwrite(fd, zeros, n, (off_t) off);
                if (w <= 0)
                        return -1;
                off += (uint64_t) w;
                len -= (uint64_t) w;
        }
        return 0;
}

static void upload_wake(Stream *st, void *userdata) {
        VolXfer *x = userdata;
        for (;;) {
                size_t n = 0;
                uint64_t hole = 0;
                StreamItem it = stream_read(st, x->buf, CHUNK, &n, &hole);
                if (it == STREAM_ITEM_NONE)
                        return;
                if (it == STREAM_ITEM_ERROR) {
                        xfer_end(x, -1, stream_error(st));
                        return;
                }
                if (it == STREAM_ITEM_END) {
                        if (fsync(x->fd) < 0) {
                                xfer_fail(x, errno, "cannot sync volume '%s'");
                                return;
                        }
                        stream_close(st);
                        xfer_end(x, 0, NULL);
                        return;
                }
                uint64_t len = it == STREAM_ITEM_DATA ? n : hole;
                if (len > x->end - x->pos) {
                        VbError e = { 0 };
                        vb_error_set(&e, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                     "upload to volume '%s' goes past the end it asked for (%llu bytes)",
                                     x->vol->obj.name, (unsigned long long) x->end);
                        stream_abort(st, &e);
                        xfer_end(x, -1, &e);
                        return;
                }
                if (it == STREAM_ITEM_DATA) {
                        for (size_t done = 0; done < n;) {
                                ssize_t w = pwrite(x->fd, x->buf + done, n - done, (off_t) (x->pos + done));
                                if (w <= 0) {
                                        xfer_fail(x, w < 0 ? errno : EIO, "cannot write volume '%s'");
                                        return;
                                }
                                done += (size_t) w;
                        }
                } else if (zero_range(x->fd, x->pos, hole) < 0) {
                        xfer_fail(x, errno, "cannot write volume '%s'");
                        return;
                }
                x->pos += len;
        }
}

static int xfer_start(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, bool upload, VbError *err) {
        int fd = openat(dir_pool_fd(v->pool), v->obj.name, (upload ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return storage_sys_error(err, errno, "cannot open volume '%s'", v->def->path);
        struct stat sb;
        if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
                close(fd);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "volume '%s' is not a regular file", v->def->path);
        }
        uint64_t size = (uint64_t) sb.st_size;
        if (offset > size || (length && length > size - offset)) {
                close(fd);
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "range [%llu, +%llu) is outside volume '%s' of %llu bytes",
                                    (unsigned long long) offset, (unsigned long long) length, v->obj.name,
                                    (unsigned long long) size);
        }
        VolXfer *x = calloc(1, sizeof *x);
        char *buf = malloc(CHUNK);
        if (!x || !buf) {
                free(x);
                free(buf);
                close(fd);
                return vb_error_errno(err, -ENOMEM, "volume transfer");
        }
        *x = (VolXfer) { .vol = v, .st = stream_ref(st), .fd = fd, .pos = offset,
                         .end = length ? offset + length : size, .buf = buf, .upload = upload };
        if (upload)
                stream_set_consumer(st, upload_wake, x);
        else
                stream_set_producer(st, download_wake, x);
        return 0;
}

int dir_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, false, err);
}

int dir_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, true, err);
}
