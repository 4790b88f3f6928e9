/* storage-io.c: the worker thread of a volume transfer: reads (holes found with SEEK_DATA/SEEK_HOLE), writes, punched zeros and fsync run off the event loop; each result comes back through an eventfd. */
#define LOG_MODULE "storage"
#include "storage-io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

struct IoWorker {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool pending;           /* a request waits for the thread (under lock) */
        bool quit;              /* under lock */
        bool busy;              /* loop side: submitted, result not yet delivered */
        IoReq req;              /* the thread's while busy */
        int fd, efd;
        uint64_t run_start, run_end;    /* a data run SEEK_HOLE found (the thread's): reads inside it seek no more */
        char *buf;
        size_t bufsize;
        sd_event_source *src;
        IoDoneFn done;
        void *userdata;
};

static int zero_range(int fd, uint64_t off, uint64_t len) {
        if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) off, (off_t) len) == 0)
                return 0;
        static const char zeros[65536];
        while (len) {
                size_t n = len < sizeof zeros ? (size_t) len : sizeof zeros;
                ssize_t w = pwrite(fd, zeros, n, (off_t) off);
                if (w <= 0)
                        return w < 0 ? errno : EIO;
                off += (uint64_t) w;
                len -= (uint64_t) w;
        }
        return 0;
}

/* Reads inside the data run found last need no SEEK_DATA/SEEK_HOLE: on some file systems
 * (tmpfs) each of those walks the file's pages from pos, which made a download quadratic. */
static bool in_known_run(IoWorker *w, IoReq *r) {
        if (r->pos < w->run_start || r->pos >= w->run_end)
                return false;
        uint64_t stop = w->run_end < r->end ? w->run_end : r->end;
        size_t n = r->buf || r->len < w->bufsize ? (size_t) r->len : w->bufsize;
        if (n > stop - r->pos)
                n = (size_t) (stop - r->pos);
        ssize_t got = pread(w->fd, r->buf ? r->buf : w->buf, n, (off_t) r->pos);
        if (got <= 0)
                r->errnum = got < 0 ? errno : EIO;
        else
                r->got = (size_t) got;
        return true;
}

static void io_read(IoWorker *w, IoReq *r) {
        if (in_known_run(w, r))
                return;
        off_t data = lseek(w->fd, (off_t) r->pos, SEEK_DATA);
        if (data < 0 && errno != ENXIO)
                data = (off_t) r->pos;          /* no hole support: all data */
        if (data < 0 || (uint64_t) data >= r->end)
                data = (off_t) r->end;          /* only a hole remains */
        if ((uint64_t) data > r->pos) {
                r->hole = (uint64_t) data - r->pos;
                return;
        }
        off_t hole = lseek(w->fd, (off_t) r->pos, SEEK_HOLE);
        uint64_t stop = hole < 0 || (uint64_t) hole > r->end ? r->end : (uint64_t) hole;
        w->run_start = r->pos;
        w->run_end = stop;
        size_t n = r->buf || r->len < w->bufsize ? (size_t) r->len : w->bufsize;
        if (n > stop - r->pos)
                n = (size_t) (stop - r->pos);
        ssize_t got = pread(w->fd, r->buf ? r->buf : w->buf, n, (off_t) r->pos);
        if (got <= 0)
                r->errnum = got < 0 ? errno : EIO;
        else
                r->got = (size_t) got;
}

/* Several chunks in one pwritev (an upload's queued packets): one hand-over of the worker and
 * one syscall for up to the stream's whole window. */
static void io_writev(IoWorker *w, IoReq *r) {
        struct iovec iov[IO_IOV_MAX];
        int n = r->n_iov < IO_IOV_MAX ? r->n_iov : IO_IOV_MAX;
        memcpy(iov, r->iov, (size_t) n * sizeof *iov);
        uint64_t done = 0;
        int i = 0;
        while (i < n) {
                ssize_t got = pwritev(w->fd, iov + i, n - i, (off_t) (r->pos + done));
                if (got <= 0) {
                        r->errnum = got < 0 ? errno : EIO;
                        return;
                }
                done += (uint64_t) got;
                size_t left = (size_t) got;
                while (i < n && left >= iov[i].iov_len)
                        left -= iov[i++].iov_len;
                if (i < n && left) {            /* a short write ended inside iov[i] */
                        iov[i].iov_base = (char *) iov[i].iov_base + left;
                        iov[i].iov_len -= left;
                }
        }
        if (done != r->len)
                r->errnum = EIO;
}

static void io_write(IoWorker *w, IoReq *r) {
        w->run_start = w->run_end = 0;  /* writes change where the holes are */
        if (r->iov) {
                io_writev(w, r);
                return;
        }
        for (size_t done = 0; done < r->len;) {
                ssize_t n = pwrite(w->fd, (r->buf ? r->buf : w->buf) + done, r->len - done, (off_t) (r->pos + done));
                if (n <= 0) {
                        r->errnum = n < 0 ? errno : EIO;
                        return;
                }
                done += (size_t) n;
        }
}

static void *io_thread(void *arg) {
        IoWorker *w = arg;
        for (;;) {
                pthread_mutex_lock(&w->lock);
                while (!w->pending && !w->quit)
                        pthread_cond_wait(&w->cond, &w->lock);
                if (w->quit && !w->pending) {
                        pthread_mutex_unlock(&w->lock);
                        return NULL;
                }
                IoReq r = w->req;
                pthread_mutex_unlock(&w->lock);
                r.errnum = 0;
                r.hole = 0;
                r.got = 0;
                switch (r.op) {
                case IO_READ:
                        io_read(w, &r);
                        break;
                case IO_WRITE:
                        io_write(w, &r);
                        break;
                case IO_ZERO:
                        w->run_start = w->run_end = 0;
                        r.errnum = zero_range(w->fd, r.pos, r.len);
                        break;
                case IO_SYNC:
                        r.errnum = fsync(w->fd) < 0 ? errno : 0;
                        break;
                }
                pthread_mutex_lock(&w->lock);
                w->req = r;
                w->pending = false;
                pthread_mutex_unlock(&w->lock);
                uint64_t one = 1;
                (void) !write(w->efd, &one, sizeof one);
        }
}

static int io_on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IoWorker *w = userdata;
        uint64_t n;
        if (read(w->efd, &n, sizeof n) < 0)
                return 0;
        pthread_mutex_lock(&w->lock);
        bool ready = w->busy && !w->pending;
        IoReq r = w->req;
        pthread_mutex_unlock(&w->lock);
        if (!ready)
                return 0;
        w->busy = false;
        w->done(w, &r, w->userdata);    /* may submit the next request, or free w */
        return 0;
}

int io_worker_new(sd_event *e, int fd, size_t bufsize, IoDoneFn done, void *userdata, IoWorker **out) {
        IoWorker *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (IoWorker) { .fd = fd, .efd = -1, .bufsize = bufsize, .done = done, .userdata = userdata };
        w->buf = malloc(bufsize);
        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = !w->buf ? -ENOMEM : w->efd < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(e, &w->src, w->efd, EPOLLIN, io_on_done, w);
        if (r == 0) {
                pthread_mutex_init(&w->lock, NULL);
                pthread_cond_init(&w->cond, NULL);
                r = -pthread_create(&w->thread, NULL, io_thread, w);
                if (r < 0) {
                        pthread_mutex_destroy(&w->lock);
                        pthread_cond_destroy(&w->cond);
                }
        }
        if (r < 0) {
                sd_event_source_disable_unref(w->src);
                if (w->efd >= 0)
                        close(w->efd);
                free(w->buf);
                free(w);
                return r;
        }
        *out = w;
        return 0;
}

char *io_worker_buf(IoWorker *w) {
        return w->buf;
}

bool io_worker_busy(const IoWorker *w) {
        return w->busy;
}

int io_worker_submit(IoWorker *w, const IoReq *req) {
        if (w->busy)
                return -EBUSY;
        w->busy = true;
        pthread_mutex_lock(&w->lock);
        w->req = *req;
        w->pending = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        return 0;
}

IoWorker *io_worker_free(IoWorker *w) {
        if (!w)
                return NULL;
        pthread_mutex_lock(&w->lock);
        w->quit = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        if (w->busy)
                log_debug("waiting for a volume I/O request to end");
        pthread_join(w->thread, NULL);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        sd_event_source_disable_unref(w->src);
        close(w->efd);
        free(w->buf);
        free(w);
        return NULL;
}
