/* bus-stream.c: core Streams on the D-Bus door: the caller gets one end of a pipe, the daemon writes the stream into the other from the event loop. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "stream.h"

#define BUS_STREAM_BUF (64u * 1024u)

/* A download: the door consumes the stream and writes it to a non-blocking pipe. A pipe
 * carries no holes: they are written as zeros. An error or an early close of the reader ends
 * the transfer; the reader sees the end of the file where the data stopped. */
typedef struct BusStream {
        Stream *st;
        int fd;
        sd_event_source *io;
        uint64_t zeros;
        size_t len, off;
        uint8_t buf[BUS_STREAM_BUF];
} BusStream;

static void bus_stream_free(BusStream *bs, const char *why) {
        stream_set_consumer(bs->st, NULL, NULL);
        if (why) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "%s", why);
                stream_abort(bs->st, &e);
        } else {
                stream_close(bs->st);
        }
        sd_event_source_disable_unref(bs->io);
        if (bs->fd >= 0)
                close(bs->fd);
        stream_unref(bs->st);
        free(bs);
}

/* Fill buf from the stream: 1 something to write, 0 wait for the stream, -1 bs was freed. */
static int bus_stream_fill(BusStream *bs) {
        if (bs->zeros > 0) {
                bs->len = bs->zeros < sizeof bs->buf ? (size_t) bs->zeros : sizeof bs->buf;
                memset(bs->buf, 0, bs->len);
                bs->zeros -= bs->len;
                bs->off = 0;
                return 1;
        }
        size_t n = 0;
        uint64_t hole = 0;
        switch (stream_read(bs->st, bs->buf, sizeof bs->buf, &n, &hole)) {
        case STREAM_ITEM_DATA:
                bs->len = n;
                bs->off = 0;
                return 1;
        case STREAM_ITEM_HOLE:
                bs->zeros = hole;
                return bus_stream_fill(bs);
        case STREAM_ITEM_NONE:
                return 0;
        case STREAM_ITEM_END:
                bus_stream_free(bs, NULL);      /* the reader sees the end of the file */
                return -1;
        case STREAM_ITEM_ERROR:
        default:
                log_debug("stream to fd %d ended early: %s", bs->fd, stream_error(bs->st)->message);
                bus_stream_free(bs, NULL);
                return -1;
        }
}

static void bus_stream_pump(BusStream *bs) {
        for (;;) {
                if (bs->off == bs->len) {
                        int r = bus_stream_fill(bs);
                        if (r < 0)
                                return;
                        if (r == 0) {
                                sd_event_source_set_enabled(bs->io, SD_EVENT_OFF);   /* the stream wakes us */
                                return;
                        }
                }
                ssize_t w = write(bs->fd, bs->buf + bs->off, bs->len - bs->off);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                sd_event_source_set_enabled(bs->io, SD_EVENT_ON);   /* the reader is slow */
                                return;
                        }
                        bus_stream_free(bs, errno == EPIPE ? "the reader closed its descriptor" : strerror(errno));
                        return;
                }
                bs->off += (size_t) w;
        }
}

static void bus_stream_wake(Stream *st, void *userdata) {
        bus_stream_pump(userdata);
}

static int bus_stream_on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        bus_stream_pump(userdata);
        return 0;
}

int bus_stream_download_fd(sd_event *event, Stream *st, int *reader) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
                int r = -errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        BusStream *bs = malloc(sizeof *bs);
        if (!bs) {
                close(p[0]);
                close(p[1]);
                return -ENOMEM;
        }
        bs->st = stream_ref(st);
        bs->fd = p[1];
        bs->io = NULL;
        bs->zeros = 0;
        bs->len = bs->off = 0;
        int r = sd_event_add_io(event, &bs->io, bs->fd, EPOLLOUT, bus_stream_on_io, bs);
        if (r >= 0)
                r = sd_event_source_set_enabled(bs->io, SD_EVENT_OFF);
        if (r < 0) {
                close(p[0]);
                bus_stream_free(bs, "cannot watch the pipe");
                return r;
        }
        stream_set_consumer(st, bus_stream_wake, bs);
        *reader = p[0];
        return 0;
}
