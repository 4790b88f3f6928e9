/* qemu-chr-stream.c: a guest's character device (a pty, a channel's socket) between two core Streams, non-blocking on the loop: the one client of the console (virDomainOpenConsole, qemu-console.c) or of a channel (virDomainOpenChannel, qemu-channel.c); a new client takes it over. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "qemu-priv.h"

#define CONSOLE_CHUNK 4096

struct QemuConsole {
        QemuDomain *qd;
        QemuConsole **slot;             /* where qd keeps this client (&qd->console, a channel's) */
        int fd;                         /* the pty's slave side, non-blocking, raw */
        sd_event_source *io;
        Stream *out;                    /* guest → client: we produce */
        Stream *in;                     /* client → guest: we consume */
        uint8_t wbuf[CONSOLE_CHUNK];    /* taken from in, not yet written to the pty */
        size_t wlen, woff;
};

static void console_free(QemuConsole *cc, const VbError *why) {
        if (!cc)
                return;
        if (cc->slot && *cc->slot == cc)
                *cc->slot = NULL;
        sd_event_source_disable_unref(cc->io);
        if (cc->fd >= 0)
                close(cc->fd);
        stream_set_producer(cc->out, NULL, NULL);
        stream_set_consumer(cc->in, NULL, NULL);
        if (why) {
                stream_abort(cc->out, why);
                stream_abort(cc->in, why);
        } else {
                stream_finish(cc->out);         /* the guest's side ended: the client sees EOF */
                stream_close(cc->in);
        }
        stream_unref(cc->out);
        stream_unref(cc->in);
        free(cc);
}

void qemu_console_close(QemuDomain *qd, const VbError *why) {
        console_free(qd->console, why);
}

static void console_update(QemuConsole *cc) {
        uint32_t ev = 0;
        if (stream_space(cc->out) > 0)
                ev |= EPOLLIN;
        if (cc->woff < cc->wlen)
                ev |= EPOLLOUT;
        sd_event_source_set_io_events(cc->io, ev);
}

/* Write what is pending to the pty; take more from the client while the pty takes it. */
static int console_flush(QemuConsole *cc) {
        for (;;) {
                while (cc->woff < cc->wlen) {
                        ssize_t n = write(cc->fd, cc->wbuf + cc->woff, cc->wlen - cc->woff);
                        if (n < 0)
                                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                        cc->woff += (size_t) n;
                }
                cc->wlen = cc->woff = 0;
                size_t n = 0;
                uint64_t hole = 0;
                switch (stream_read(cc->in, cc->wbuf, sizeof cc->wbuf, &n, &hole)) {
                case STREAM_ITEM_DATA:
                        cc->wlen = n;
                        break;
                case STREAM_ITEM_HOLE:
                        break;          /* a console has no holes: nothing to type */
                case STREAM_ITEM_ERROR:
                        return -ECONNRESET;
                case STREAM_ITEM_NONE:
                case STREAM_ITEM_END:   /* the client stopped typing; its output goes on */
                        return 0;
                }
        }
}

static void console_fail(QemuConsole *cc, int r, const char *what) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "console: %s: %s", what, strerror(-r));
        console_free(cc, r == -ECONNRESET ? stream_error(cc->in) : &e);
}

static int on_console_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        QemuConsole *cc = userdata;
        if (revents & EPOLLIN) {
                uint8_t buf[CONSOLE_CHUNK];
                size_t space = stream_space(cc->out);
                ssize_t n = read(fd, buf, space < sizeof buf ? space : sizeof buf);
                if (n == 0 || (n < 0 && errno == EIO)) {
                        console_free(cc, NULL);         /* QEMU closed the pty */
                        return 0;
                }
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        console_fail(cc, -errno, "read");
                        return 0;
                }
                if (n > 0 && stream_write(cc->out, buf, (size_t) n) < 0) {
                        console_free(cc, NULL);
                        return 0;
                }
        } else if (revents & (EPOLLHUP | EPOLLERR)) {
                console_free(cc, NULL);
                return 0;
        }
        if (revents & EPOLLOUT) {
                int r = console_flush(cc);
                if (r < 0) {
                        console_fail(cc, r, "write");
                        return 0;
                }
        }
        console_update(cc);
        return 0;
}

/* Space opened in out (read again), or the client went (out is over). */
static void on_out_wake(Stream *st, void *userdata) {
        QemuConsole *cc = userdata;
        if (stream_is_over(st)) {
                console_free(cc, stream_error(st));
                return;
        }
        console_update(cc);
}

/* The client typed something. */
static void on_in_wake(Stream *st, void *userdata) {
        QemuConsole *cc = userdata;
        int r = console_flush(cc);
        if (r < 0) {
                console_fail(cc, r, "write");
                return;
        }
        console_update(cc);
}

int qemu_chr_stream_attach(QemuDomain *qd, int fd, QemuConsole **slot, Stream *out, Stream *in, VbError *err) {
        QemuConsole *cc = calloc(1, sizeof *cc);
        if (!cc || sd_event_add_io(qd->qc->event, &cc->io, fd, EPOLLIN, on_console_io, cc) < 0) {
                free(cc);
                close(fd);
                return vb_error_errno(err, -ENOMEM, "console");
        }
        if (*slot) {
                VbError taken = { 0 };
                vb_error_set(&taken, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                             "console has been taken over by another client");
                console_free(*slot, &taken);
        }
        cc->qd = qd;
        cc->slot = slot;
        cc->fd = fd;
        cc->out = stream_ref(out);
        cc->in = stream_ref(in);
        *slot = cc;
        stream_set_producer(out, on_out_wake, cc);
        stream_set_consumer(in, on_in_wake, cc);
        return 0;
}

void qemu_chr_stream_close(QemuConsole *cc, const VbError *why) {
        console_free(cc, why);
}
