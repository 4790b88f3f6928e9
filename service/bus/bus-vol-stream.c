/* bus-vol-stream.c: StorageVol.Upload and Download (virtbus extensions): the caller passes a unix fd, the door moves the volume's bytes between it and a core Stream, and answers when the transfer is over. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-path.h"
#include "log.h"
#include "storage.h"
#include "stream.h"

#define XFER_BUF (256u * 1024u)

/* One transfer between the caller's fd and a Stream. A pipe or socket is watched with epoll
 * (non-blocking); a regular file cannot be, and is read or written as the stream allows. A
 * download into a regular file keeps holes (the offset skips them, the size is set at the end). */
typedef struct FdXfer {
        struct FdXfer *next;    /* in bus->xfers */
        Bus *bus;               /* NULL once the bus is closed */
        char *sender;           /* the caller's unique name: max_client_streams counts per caller */
        Stream *st;
        Call *call;
        int fd;
        bool upload, regular;
        sd_event_source *io;
        uint64_t zeros;         /* download into a pipe: zeros of a hole still to write */
        size_t len, off;
        uint8_t buf[XFER_BUF];
} FdXfer;

static void xfer_free(FdXfer *x, int r, const VbError *err) {
        for (FdXfer **p = x->bus ? &x->bus->xfers : NULL; p && *p; p = &(*p)->next)
                if (*p == x) {
                        *p = x->next;
                        break;
                }
        free(x->sender);
        if (x->upload)
                stream_set_producer(x->st, NULL, NULL);
        else
                stream_set_consumer(x->st, NULL, NULL);
        if (r < 0 && !stream_is_over(x->st))
                stream_abort(x->st, err);
        sd_event_source_disable_unref(x->io);
        close(x->fd);
        stream_unref(x->st);
        call_complete(x->call, r, err, NULL);
        call_unref(x->call);
        free(x);
}

static void xfer_fail_errno(FdXfer *x, int e, const char *what) {
        VbError err = { 0 };
        vb_error_set_raw(&err, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "%s: %s", what, strerror(e));
        xfer_free(x, -1, &err);
}

static void io_wait(FdXfer *x, bool on) {
        if (x->io)
                sd_event_source_set_enabled(x->io, on ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* ---- upload: the caller's fd → the stream ---- */

/* A regular file's holes go as holes (SEEK_DATA): 1 a hole was sent, 0 data is next, -1 error. */
static int upload_hole(FdXfer *x) {
        off_t pos = lseek(x->fd, 0, SEEK_CUR);
        if (pos < 0)
                return 0;
        off_t data = lseek(x->fd, pos, SEEK_DATA);
        if (data < 0 && errno == ENXIO) {
                struct stat sb;     /* only a hole up to the end */
                if (fstat(x->fd, &sb) < 0)
                        return -1;
                data = sb.st_size;
        } else if (data < 0) {
                lseek(x->fd, pos, SEEK_SET);
                return 0;
        }
        if (data <= pos)
                return 0;
        if (stream_write_hole(x->st, (uint64_t) (data - pos)) < 0 || lseek(x->fd, data, SEEK_SET) < 0)
                return -1;
        return 1;
}

static void upload_pump(FdXfer *x) {
        for (;;) {
                if (stream_is_over(x->st)) {
                        const VbError *e = stream_error(x->st);
                        if (e || !stream_is_closed(x->st))
                                xfer_free(x, -1, e);
                        else
                                xfer_free(x, 0, NULL);
                        return;
                }
                size_t space = stream_space(x->st);
                if (space == 0) {
                        io_wait(x, false);      /* the stream wakes us when it has room (or is done) */
                        return;
                }
                if (x->regular) {
                        int h = upload_hole(x);
                        if (h < 0) {
                                xfer_fail_errno(x, errno ? errno : EIO, "cannot read the upload descriptor");
                                return;
                        }
                        if (h > 0)
                                continue;
                }
                ssize_t n = read(x->fd, x->buf, space < sizeof x->buf ? space : sizeof x->buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        io_wait(x, true);
                        return;
                }
                if (n < 0) {
                        xfer_fail_errno(x, errno, "cannot read the upload descriptor");
                        return;
                }
                if (n == 0) {
                        stream_finish(x->st);   /* the backend closes the stream when all is written */
                        io_wait(x, false);
                        return;
                }
                stream_write(x->st, x->buf, (size_t) n);
        }
}

/* ---- download: the stream → the caller's fd ---- */

static int download_fill(FdXfer *x) {
        if (x->zeros) {
                x->len = x->zeros < sizeof x->buf ? (size_t) x->zeros : sizeof x->buf;
                memset(x->buf, 0, x->len);
                x->zeros -= x->len;
                x->off = 0;
                return 1;
        }
        size_t n = 0;
        uint64_t hole = 0;
        switch (stream_read(x->st, x->buf, sizeof x->buf, &n, &hole)) {
        case STREAM_ITEM_DATA:
                x->len = n;
                x->off = 0;
                return 1;
        case STREAM_ITEM_HOLE:
                if (x->regular) {
                        off_t at = lseek(x->fd, (off_t) hole, SEEK_CUR);
                        if (at < 0 || ftruncate(x->fd, at) < 0) {
                                xfer_fail_errno(x, errno, "cannot write the download descriptor");
                                return -1;
                        }
                        return download_fill(x);
                }
                x->zeros = hole;
                return download_fill(x);
        case STREAM_ITEM_NONE:
                return 0;
        case STREAM_ITEM_END:
                stream_close(x->st);
                xfer_free(x, 0, NULL);
                return -1;
        case STREAM_ITEM_ERROR:
        default:
                xfer_free(x, -1, stream_error(x->st));
                return -1;
        }
}

static void download_pump(FdXfer *x) {
        for (;;) {
                if (x->off == x->len) {
                        int r = download_fill(x);
                        if (r < 0)
                                return;
                        if (r == 0) {
                                io_wait(x, false);
                                return;
                        }
                }
                ssize_t w = write(x->fd, x->buf + x->off, x->len - x->off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0 && errno == EAGAIN) {
                        io_wait(x, true);
                        return;
                }
                if (w <= 0) {
                        xfer_fail_errno(x, w < 0 ? errno : EIO, "cannot write the download descriptor");
                        return;
                }
                x->off += (size_t) w;
        }
}

static void xfer_wake(Stream *st, void *userdata) {
        FdXfer *x = userdata;
        if (x->upload)
                upload_pump(x);
        else
                download_pump(x);
}

static int xfer_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        xfer_wake(NULL, userdata);
        return 0;
}

/* Checked before the verb makes its Stream (and the transfer its buffer). */
static int xfer_room(Bus *b, const char *sender, VbError *err) {
        size_t n = 0;
        for (FdXfer *x = b->xfers; x; x = x->next)
                if (sender ? x->sender && strcmp(x->sender, sender) == 0 : !x->sender)
                        n++;
        return stream_limit_check(n, b->max_caller_streams, "this D-Bus caller", err);
}

void bus_vol_streams_detach(Bus *b) {
        for (FdXfer *x = b->xfers; x; x = x->next)
                x->bus = NULL;
        b->xfers = NULL;
}

void bus_set_stream_limit(Bus *b, unsigned max) {
        if (b)
                b->max_caller_streams = max;
}

static int xfer_start(Bus *b, Stream *st, Call *call, int fd, bool upload, const char *sender, VbError *err) {
        struct stat sb;
        if (fstat(fd, &sb) < 0)
                return vb_error_errno(err, -errno, "the transfer descriptor");
        int acc = fcntl(fd, F_GETFL);
        if (acc < 0 || (upload && (acc & O_ACCMODE) == O_WRONLY) || (!upload && (acc & O_ACCMODE) == O_RDONLY))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE, "the descriptor is not open for %s",
                                    upload ? "reading" : "writing");
        sd_event *event = b->manager->event;
        FdXfer *x = malloc(sizeof *x);
        if (!x)
                return vb_error_errno(err, -ENOMEM, "transfer");
        *x = (FdXfer) { .fd = fcntl(fd, F_DUPFD_CLOEXEC, 3), .upload = upload, .regular = S_ISREG(sb.st_mode) };
        if (x->fd < 0) {
                free(x);
                return vb_error_errno(err, -errno, "the transfer descriptor");
        }
        if (!x->regular) {
                int r = fcntl(x->fd, F_SETFL, acc | O_NONBLOCK) < 0 ? -errno : 0;
                if (r >= 0)
                        r = sd_event_add_io(event, &x->io, x->fd, upload ? EPOLLIN : EPOLLOUT, xfer_on_io, x);
                if (r >= 0)
                        r = sd_event_source_set_enabled(x->io, SD_EVENT_OFF);
                if (r < 0) {
                        sd_event_source_disable_unref(x->io);
                        close(x->fd);
                        free(x);
                        return vb_error_errno(err, r, "watch the transfer descriptor");
                }
        }
        x->sender = sender ? strdup(sender) : NULL;
        x->bus = b;
        x->next = b->xfers;
        b->xfers = x;
        x->st = stream_ref(st);
        x->call = call_ref(call);
        if (upload)
                stream_set_producer(st, xfer_wake, x);  /* first wake soon: starts reading */
        else
                stream_set_consumer(st, xfer_wake, x);
        return 0;
}

/* (t offset, t length, u flags, h fd): the answer comes when the transfer is over. */
static int method_vol_transfer(sd_bus_message *m, BusSubtree *t, bool upload, sd_bus_error *ret_error) {
        uint64_t offset, length;
        unsigned flags;
        int fd;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ttuh", &offset, &length, &flags, &fd);
        if (r < 0)
                return r;
        StorageVol *v = bus_path_vol(t->conn, t->path, sd_bus_message_get_path(m), &err);
        const char *sender = sd_bus_message_get_sender(m);
        Stream *st = NULL;
        if (!v || xfer_room(t->bus, sender, &err) < 0 ||
            (upload ? vol_upload : vol_download)(v, offset, length, flags, &st, &err) < 0)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call) {
                stream_abort(st, NULL);
                stream_unref(st);
                return -ENOMEM;
        }
        r = xfer_start(t->bus, st, call, fd, upload, sender, &err);
        if (r < 0)
                stream_abort(st, &err);
        stream_unref(st);
        log_debug("volume %s: %s through fd begins", v->obj.name, upload ? "upload" : "download");
        return bus_call_finish(call, r < 0 ? -1 : VERB_PENDING, &err, NULL, ret_error);
}

int bus_method_vol_upload(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return method_vol_transfer(m, userdata, true, ret_error);
}

int bus_method_vol_download(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return method_vol_transfer(m, userdata, false, ret_error);
}
