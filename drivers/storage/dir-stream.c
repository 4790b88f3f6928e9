/* dir-stream.c: upload and download of a dir pool's volume through a core Stream, holes kept; the file I/O runs in a worker thread (storage-io.c), the loop only moves buffers. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "storage-backend.h"
#include "storage-io.h"
#include "stream.h"

/* One worker request moves at most this much: a download's window holds four (stream.h). */
#define CHUNK STREAM_CHUNK_MAX

typedef struct VolXfer {
        StorageVol *vol;
        Stream *st;
        IoWorker *io;
        int fd;
        uint64_t start, pos, end;
        bool upload;            /* we are the consumer (else the producer) */
        bool finished;          /* download: stream_finish done; upload: the end was read */
        bool ending;            /* the end is decided: once the worker is idle, xfer_end */
        int end_r;
        VbError end_err;
        /* The buffer of the running request (stream_buf_new): a download reads into it and the
         * stream adopts it; an upload writes the chunk it took from the stream. No copies. */
        void *buf;
        size_t buf_cap;         /* download: its size (a read the window cuts short gets a small one) */
        /* upload: the chunks the running write takes at once (all the data queued, up to the
         * window): one hand-over of the worker and one pwritev for several packets */
        void *wbuf[IO_IOV_MAX];
        struct iovec wiov[IO_IOV_MAX];
        int n_wbuf;
        struct VolXfer *next;   /* the live transfers, for the daemon's shutdown */
} VolXfer;

static VolXfer *live_xfers;

static void xfer_free_bufs(VolXfer *x) {
        stream_buf_free(x->buf);
        x->buf = NULL;
        for (int i = 0; i < x->n_wbuf; i++)
                stream_buf_free(x->wbuf[i]);
        x->n_wbuf = 0;
}

static void xfer_unlink(VolXfer *x) {
        for (VolXfer **pp = &live_xfers; *pp; pp = &(*pp)->next)
                if (*pp == x) {
                        *pp = x->next;
                        return;
                }
}

static void xfer_end(VolXfer *x, int r, const VbError *err) {
        StorageVol *v = x->vol;
        VbError e = { 0 };
        if (err)
                e = *err;
        /* Let go of our end only: the door's end finishes its own way. */
        if (x->upload)
                stream_set_consumer(x->st, NULL, NULL);
        else
                stream_set_producer(x->st, NULL, NULL);
        stream_unref(x->st);
        io_worker_free(x->io);          /* idle here: nothing to wait for */
        xfer_free_bufs(x);
        close(x->fd);
        xfer_unlink(x);
        free(x);
        /* The sizes as the file now has them (an upload fills holes). */
        VolDef *fresh = dir_vol_describe(v->pool, v->obj.name);
        if (fresh) {
                v->def->capacity = fresh->capacity;
                v->def->allocation = fresh->allocation;
                vol_def_free(fresh);
        }
        dir_pool_update_sizes(v->pool);
        vol_progress_end(v);
        log_info("volume %s: transfer %s", v->obj.name, r < 0 ? "failed" : "done");
        vol_job_done(v, r, err ? &e : NULL);
}

/* End now, or as soon as the worker's running request is back. */
static void xfer_settle(VolXfer *x, int r, const VbError *err) {
        if (!x->ending) {
                x->ending = true;
                x->end_r = r;
                if (err)
                        x->end_err = *err;
        }
        if (!io_worker_busy(x->io))
                xfer_end(x, x->end_r, x->end_r < 0 && x->end_err.code ? &x->end_err : NULL);
}

static void xfer_fail(VolXfer *x, int errnum, const char *what) {
        VbError e = { 0 };
        storage_sys_error(&e, errnum, what, x->vol->def->path);
        stream_abort(x->st, &e);
        xfer_settle(x, -1, &e);
}

/* ---- download: the file into the stream ---- */

static void download_step(VolXfer *x) {
        Stream *st = x->st;
        if (x->ending || io_worker_busy(x->io))
                return;
        if (stream_is_over(st)) {
                const VbError *e = stream_error(st);
                xfer_settle(x, stream_is_closed(st) || !e ? 0 : -1, e);
                return;
        }
        if (x->finished)
                return;
        if (x->pos >= x->end) {
                stream_finish(st);
                x->finished = true;
                return;
        }
        size_t space = stream_space(st);
        if (space == 0)
                return;         /* the consumer's reads wake us */
        IoReq r = { .op = IO_READ, .pos = x->pos, .len = space < CHUNK ? space : CHUNK, .end = x->end };
        if (x->buf && x->buf_cap < r.len) {
                stream_buf_free(x->buf);
                x->buf = NULL;
        }
        if (!x->buf) {
                if (!(x->buf = stream_buf_new(r.len))) {
                        xfer_fail(x, ENOMEM, "cannot read volume '%s'");
                        return;
                }
                x->buf_cap = r.len;
        }
        r.buf = x->buf;
        io_worker_submit(x->io, &r);
}

static void download_wake(Stream *st, void *userdata) {
        download_step(userdata);
}

/* ---- upload: the stream into the file ---- */

static void upload_step(VolXfer *x) {
        Stream *st = x->st;
        if (x->ending || io_worker_busy(x->io) || x->finished)
                return;
        size_t n = 0;
        uint64_t hole = 0;
        xfer_free_bufs(x);      /* the last write's */
        StreamItem it = stream_take(st, &x->buf, &n, &hole);
        if (it == STREAM_ITEM_NONE)
                return;
        if (it == STREAM_ITEM_ERROR) {
                xfer_settle(x, -1, stream_error(st));
                return;
        }
        if (it == STREAM_ITEM_END) {
                x->finished = true;
                IoReq r = { .op = IO_SYNC };
                io_worker_submit(x->io, &r);
                return;
        }
        uint64_t len = it == STREAM_ITEM_DATA ? n : hole;
        if (it == STREAM_ITEM_DATA && stream_next_is_data(st)) {
                /* more packets wait: write them all in one request */
                x->wbuf[0] = x->buf;
                x->wiov[0] = (struct iovec) { .iov_base = x->buf, .iov_len = n };
                x->buf = NULL;
                x->n_wbuf = 1;
                while (x->n_wbuf < IO_IOV_MAX && stream_next_is_data(st)) {
                        void *b = NULL;
                        if (stream_take(st, &b, &n, &hole) != STREAM_ITEM_DATA)
                                break;          /* cannot happen: the next item was whole data */
                        x->wbuf[x->n_wbuf] = b;
                        x->wiov[x->n_wbuf++] = (struct iovec) { .iov_base = b, .iov_len = n };
                        len += n;
                }
        }
        if (len > x->end - x->pos) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                             "upload to volume '%s' goes past the end it asked for (%llu bytes)",
                             x->vol->obj.name, (unsigned long long) x->end);
                stream_abort(st, &e);
                xfer_settle(x, -1, &e);
                return;
        }
        IoReq r = { .op = it == STREAM_ITEM_DATA ? IO_WRITE : IO_ZERO, .pos = x->pos, .len = len, .buf = x->buf };
        if (x->n_wbuf) {
                r.iov = x->wiov;
                r.n_iov = x->n_wbuf;
        }
        io_worker_submit(x->io, &r);
}

static void upload_wake(Stream *st, void *userdata) {
        upload_step(userdata);
}

/* ---- the worker's results, on the loop ---- */

static void on_io_done(IoWorker *w, const IoReq *r, void *userdata) {
        VolXfer *x = userdata;
        if (x->ending) {
                xfer_settle(x, x->end_r, NULL);
                return;
        }
        if (r->errnum) {
                xfer_fail(x, r->errnum, r->op == IO_READ ? "cannot read volume '%s'"
                                        : r->op == IO_SYNC ? "cannot sync volume '%s'" : "cannot write volume '%s'");
                return;
        }
        switch (r->op) {
        case IO_READ:
                if (r->hole) {
                        stream_write_hole(x->st, r->hole);
                        x->pos += r->hole;
                } else {
                        void *b = x->buf;
                        x->buf = NULL;
                        stream_write_buf(x->st, b, r->got);     /* fits: space only grew */
                        x->pos += r->got;
                }
                break;
        case IO_WRITE:
        case IO_ZERO:
                x->pos += r->len;
                break;
        case IO_SYNC:
                stream_close(x->st);
                xfer_settle(x, 0, NULL);
                return;
        }
        vol_progress_update(x->vol, x->pos - x->start);
        if (x->upload)
                upload_step(x);
        else
                download_step(x);
}

static int xfer_start(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, bool upload, VbError *err) {
        uint64_t size = 0;
        int fd = storage_vol_open(v, upload ? O_WRONLY : O_RDONLY, &size, err);
        if (fd < 0)
                return -1;
        if (offset > size || (length && length > size - offset)) {
                close(fd);
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "range [%llu, +%llu) is outside volume '%s' of %llu bytes",
                                    (unsigned long long) offset, (unsigned long long) length, v->obj.name,
                                    (unsigned long long) size);
        }
        VolXfer *x = calloc(1, sizeof *x);
        /* every request brings its buffer (a stream chunk): the worker needs none of its own */
        int r = x ? io_worker_new(storage_event(v->pool), fd, 0, on_io_done, x, &x->io) : -ENOMEM;
        if (r < 0) {
                free(x);
                close(fd);
                return vb_error_errno(err, r, "volume transfer");
        }
        x->vol = v;
        x->st = stream_ref(st);
        x->fd = fd;
        x->start = x->pos = offset;
        x->end = length ? offset + length : size;
        x->upload = upload;
        x->next = live_xfers;
        live_xfers = x;
        vol_progress_begin(v, upload ? "upload" : "download", x->end - offset);
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

int dir_xfer_shutdown_all(void) {
        int n = 0;
        while (live_xfers) {
                VolXfer *x = live_xfers;
                live_xfers = x->next;
                /* The loop is over: the worker finishes its running request and is joined; what
                 * reached the file stays there, and the log says how far an upload got. */
                io_worker_free(x->io);
                if (x->upload && !x->finished)
                        log_warning("volume %s: upload cut by the daemon's shutdown after %llu of %llu bytes: "
                                    "the volume is half written",
                                    x->vol->def->path, (unsigned long long) (x->pos - x->start),
                                    (unsigned long long) (x->end - x->start));
                else
                        log_info("volume %s: %s cut by the daemon's shutdown", x->vol->def->path,
                                 x->upload ? "upload" : "download");
                if (x->upload)
                        stream_set_consumer(x->st, NULL, NULL);
                else
                        stream_set_producer(x->st, NULL, NULL);
                stream_unref(x->st);
                xfer_free_bufs(x);      /* the worker was joined above */
                close(x->fd);
                free(x);
                n++;
        }
        return n;
}
