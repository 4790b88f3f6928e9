/* dir-stream.c: the dir backend's I/O for a volume's upload and download (vol-stream.c runs the transfer): the file's reads, holes, vector writes, punched zeros and fsync in a worker thread (storage-io.c); buffers move between the worker and the Stream without copies. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "storage-backend.h"
#include "storage-io.h"
#include "stream.h"
#include "vol-stream.h"

typedef struct DirXfer {
        VolStream vs;           /* first: vol-stream.c frees us through it */
        IoWorker *io;
        int fd;
        /* The buffer of the running request (stream_buf_new): a download reads into it and the
         * stream adopts it; an upload writes the chunk it took from the stream. No copies. */
        void *buf;
        size_t buf_cap;         /* download: its size (a read the window cuts short gets a small one) */
        /* upload: the chunks the running write takes at once (all the data queued, up to the
         * window): one hand-over of the worker and one pwritev for several packets */
        void *wbuf[IO_IOV_MAX];
        struct iovec wiov[IO_IOV_MAX];
        int n_wbuf;
} DirXfer;

static void xfer_free_bufs(DirXfer *x) {
        stream_buf_free(x->buf);
        x->buf = NULL;
        for (int i = 0; i < x->n_wbuf; i++)
                stream_buf_free(x->wbuf[i]);
        x->n_wbuf = 0;
}

static void xfer_sys_error(DirXfer *x, int errnum, const char *what, VbError *e) {
        storage_sys_error(e, errnum, what, x->vs.vol->def->path);
}

static bool dir_busy(const VolStream *vs) {
        return io_worker_busy(((const DirXfer *) vs)->io);
}

/* One worker request moves at most a chunk: a download's window holds four (stream.h). */
static void dir_read(VolStream *vs, uint64_t len) {
        DirXfer *x = (DirXfer *) vs;
        IoReq r = { .op = IO_READ, .pos = vs->pos, .len = len, .end = vs->end };
        if (x->buf && x->buf_cap < len) {
                stream_buf_free(x->buf);
                x->buf = NULL;
        }
        if (!x->buf) {
                if (!(x->buf = stream_buf_new(len))) {
                        VbError e = { 0 };
                        xfer_sys_error(x, ENOMEM, "cannot read volume '%s'", &e);
                        vol_stream_fail(vs, &e);
                        return;
                }
                x->buf_cap = len;
        }
        r.buf = x->buf;
        io_worker_submit(x->io, &r);
}

static void dir_queue(VolStream *vs, size_t n) {
        DirXfer *x = (DirXfer *) vs;
        void *b = x->buf;
        x->buf = NULL;
        stream_write_buf(vs->st, b, n);
}

static StreamItem dir_take(VolStream *vs, uint64_t *len) {
        DirXfer *x = (DirXfer *) vs;
        Stream *st = vs->st;
        size_t n = 0;
        uint64_t hole = 0;
        xfer_free_bufs(x);      /* the last write's */
        StreamItem it = stream_take(st, &x->buf, &n, &hole);
        *len = it == STREAM_ITEM_DATA ? n : hole;
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
                        *len += n;
                }
        }
        return it;
}

static void dir_write(VolStream *vs, bool zeros, uint64_t len) {
        DirXfer *x = (DirXfer *) vs;
        IoReq r = { .op = zeros ? IO_ZERO : IO_WRITE, .pos = vs->pos, .len = len, .buf = x->buf };
        if (x->n_wbuf) {
                r.iov = x->wiov;
                r.n_iov = x->n_wbuf;
        }
        io_worker_submit(x->io, &r);
}

static void dir_sync(VolStream *vs) {
        IoReq r = { .op = IO_SYNC };
        io_worker_submit(((DirXfer *) vs)->io, &r);
}

/* Idle at the end; at the shutdown the worker finishes its running request and is joined. */
static void dir_release(VolStream *vs, bool loop_over) {
        DirXfer *x = (DirXfer *) vs;
        io_worker_free(x->io);
        xfer_free_bufs(x);
        close(x->fd);
        free(x);
}

/* The sizes as the file now has them (an upload fills holes). */
static void dir_ended(StorageVol *v) {
        dir_vol_update_sizes(v);
        dir_pool_update_sizes(v->pool);
}

static const VolStreamOps dir_stream_ops = {
        .noun = "volume", .what = "transfer", .chunk = STREAM_CHUNK_MAX, .busy = dir_busy, .read = dir_read,
        .queue = dir_queue, .take = dir_take, .write = dir_write, .sync = dir_sync, .release = dir_release,
        .ended = dir_ended,
};

static void on_io_done(IoWorker *w, const IoReq *r, void *userdata) {
        DirXfer *x = userdata;
        VbError e = { 0 };
        VolStreamResult res = {
                .step = r->op == IO_READ ? VOL_STREAM_READ : r->op == IO_SYNC ? VOL_STREAM_SYNC : VOL_STREAM_WRITE,
                .hole = r->hole,
                .n = r->op == IO_READ ? r->got : r->len,
        };
        if (r->errnum) {
                xfer_sys_error(x, r->errnum, r->op == IO_READ ? "cannot read volume '%s'"
                                             : r->op == IO_SYNC ? "cannot sync volume '%s'" : "cannot write volume '%s'", &e);
                res.err = &e;
        }
        vol_stream_done(&x->vs, &res);
}

static int xfer_start(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, bool upload, VbError *err) {
        uint64_t size = 0;
        int fd = storage_vol_open(v, upload ? O_WRONLY : O_RDONLY, &size, err);
        if (fd < 0)
                return -1;
        if (vol_stream_check_range(v, offset, length, size, err) < 0) {
                close(fd);
                return -1;
        }
        DirXfer *x = calloc(1, sizeof *x);
        /* every request brings its buffer (a stream chunk): the worker needs none of its own */
        int r = x ? io_worker_new(storage_event(v->pool), fd, 0, on_io_done, x, &x->io) : -ENOMEM;
        if (r < 0) {
                free(x);
                close(fd);
                return vb_error_errno(err, r, "volume transfer");
        }
        x->fd = fd;
        vol_stream_begin(&x->vs, &dir_stream_ops, v, st, offset, length, size, upload);
        return 0;
}

int dir_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, false, err);
}

int dir_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, true, err);
}
