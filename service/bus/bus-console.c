/* bus-console.c: a console's two core Streams on the D-Bus door: the caller gets one end of a socket pair, the daemon pumps the other against the streams from the event loop. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "stream.h"

#define BUS_CONSOLE_BUF 4096u

/* The door consumes out (guest → caller) and produces into in (caller → guest). The caller
 * closing its end, or the guest's side ending, ends both. */
typedef struct BusConsole {
        Stream *out, *in;
        int fd;
        sd_event_source *io;
        size_t len, off;                 /* out's data not yet written to the socket */
        uint8_t buf[BUS_CONSOLE_BUF];
} BusConsole;

static void bus_console_free(BusConsole *bc, const char *why) {
        stream_set_consumer(bc->out, NULL, NULL);
        stream_set_producer(bc->in, NULL, NULL);
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "%s", why ? why : "console closed");
        stream_abort(bc->out, &e);
        if (why)
                stream_abort(bc->in, &e);
        else
                stream_finish(bc->in);
        sd_event_source_disable_unref(bc->io);
        if (bc->fd >= 0)
                close(bc->fd);
        stream_unref(bc->out);
        stream_unref(bc->in);
        free(bc);
}

static void bus_console_update(BusConsole *bc) {
        uint32_t ev = 0;
        if (stream_space(bc->in) > 0)
                ev |= EPOLLIN;
        if (bc->off < bc->len)
                ev |= EPOLLOUT;
        sd_event_source_set_io_events(bc->io, ev);
}

/* Move out's data into the socket while it takes it: 0, or -1 when bc was freed. */
static int bus_console_pump_out(BusConsole *bc) {
        for (;;) {
                while (bc->off < bc->len) {
                        ssize_t n = write(bc->fd, bc->buf + bc->off, bc->len - bc->off);
                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                return 0;
                        if (n < 0) {
                                bus_console_free(bc, "the caller closed the console");
                                return -1;
                        }
                        bc->off += (size_t) n;
                }
                bc->len = bc->off = 0;
                size_t n = 0;
                uint64_t hole = 0;
                switch (stream_read(bc->out, bc->buf, sizeof bc->buf, &n, &hole)) {
                case STREAM_ITEM_DATA:
                        bc->len = n;
                        break;
                case STREAM_ITEM_HOLE:
                        break;
                case STREAM_ITEM_NONE:
                        return 0;
                case STREAM_ITEM_END:
                case STREAM_ITEM_ERROR:
                        bus_console_free(bc, NULL);     /* the guest's side ended: the caller sees EOF */
                        return -1;
                }
        }
}

static int on_console_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        BusConsole *bc = userdata;
        if (revents & EPOLLIN) {
                uint8_t buf[BUS_CONSOLE_BUF];
                size_t space = stream_space(bc->in);
                ssize_t n = read(fd, buf, space < sizeof buf ? space : sizeof buf);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                        bus_console_free(bc, NULL);
                        return 0;
                }
                if (n > 0 && stream_write(bc->in, buf, (size_t) n) < 0) {
                        bus_console_free(bc, NULL);
                        return 0;
                }
        } else if (revents & (EPOLLHUP | EPOLLERR)) {
                bus_console_free(bc, NULL);
                return 0;
        }
        if ((revents & EPOLLOUT) && bus_console_pump_out(bc) < 0)
                return 0;
        bus_console_update(bc);
        return 0;
}

static void on_out_wake(Stream *st, void *userdata) {
        BusConsole *bc = userdata;
        if (bus_console_pump_out(bc) == 0)
                bus_console_update(bc);
}

static void on_in_wake(Stream *st, void *userdata) {
        BusConsole *bc = userdata;
        if (stream_is_over(st)) {
                bus_console_free(bc, NULL);
                return;
        }
        bus_console_update(bc);
}

int bus_console_fd(sd_event *event, Stream *out, Stream *in, int *client) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
                return -errno;
        BusConsole *bc = calloc(1, sizeof *bc);
        int r = bc ? sd_event_add_io(event, &bc->io, sv[0], EPOLLIN, on_console_io, bc) : -ENOMEM;
        if (r < 0) {
                free(bc);
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        bc->fd = sv[0];
        bc->out = stream_ref(out);
        bc->in = stream_ref(in);
        stream_set_consumer(out, on_out_wake, bc);
        stream_set_producer(in, on_in_wake, bc);
        *client = sv[1];
        return 0;
}
