/* peer-conn.c: an outgoing remote-protocol connection on the event loop: the packet framing of a client (length word, header, serials), a connect that completes in the background, one call at a time; packets that are not the awaited reply (keepalive, events) are skipped. */
#include "peer-conn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define REMOTE_PROGRAM 0x20008086u
#define REMOTE_VERSION 1u
#define HEADER_LEN 28u                          /* length word and six header words */
#define PEER_PACKET_MAX (32u * 1024u * 1024u)   /* libvirt's largest reply */

enum { TYPE_CALL = 0, TYPE_REPLY = 1 };

struct PeerConn {
        int fd;
        sd_event_source *io;
        PeerReplyFn fn;
        void *userdata;
        uint32_t serial;
        bool waiting;           /* a call in flight */
        bool connected;
        uint8_t *out;
        size_t out_len, out_off;
        uint8_t *in;
        size_t in_len, in_cap;
};

static void put32(uint8_t *p, uint32_t v) {
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}

static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void update_events(PeerConn *c) {
        sd_event_source_set_io_events(c->io, EPOLLIN | (c->out_len > c->out_off || !c->connected ? EPOLLOUT : 0));
}

/* The connection is over: the caller waiting hears it once. */
static void conn_fail(PeerConn *c, int error) {
        sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
        if (c->waiting) {
                c->waiting = false;
                c->fn(c, error, NULL, 0, c->userdata);
        }
}

static int flush_out(PeerConn *c) {
        while (c->out_off < c->out_len) {
                ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                c->out_off += n;
        }
        free(c->out);
        c->out = NULL;
        c->out_len = c->out_off = 0;
        return 0;
}

/* Whole packets in c->in: the awaited reply goes to fn (1), others are dropped (0 when none is
 * complete), a length out of bounds or a reply to no call fails the connection (<0). */
static int take_packet(PeerConn *c) {
        if (c->in_len < 4)
                return 0;
        uint32_t len = get32(c->in);
        if (len < HEADER_LEN || len > PEER_PACKET_MAX)
                return -EBADMSG;
        if (c->in_len < len)
                return 0;
        uint32_t prog = get32(c->in + 4), type = get32(c->in + 16), serial = get32(c->in + 20),
                 status = get32(c->in + 24);
        bool ours = prog == REMOTE_PROGRAM && type == TYPE_REPLY && c->waiting && serial == c->serial;
        uint8_t *packet = c->in;
        size_t rest = c->in_len - len;
        if (!ours) {
                memmove(c->in, c->in + len, rest);
                c->in_len = rest;
                return 1;
        }
        /* The buffer is handed to fn whole: fn may free c. */
        c->in = rest ? malloc(rest > 4096 ? rest : 4096) : NULL;
        c->in_cap = c->in ? (rest > 4096 ? rest : 4096) : 0;
        if (rest && !c->in) {
                free(packet);
                return -ENOMEM;
        }
        if (rest)
                memcpy(c->in, packet + len, rest);
        c->in_len = rest;
        c->waiting = false;
        c->fn(c, status == 0 ? 0 : 1, packet + HEADER_LEN, len - HEADER_LEN, c->userdata);
        free(packet);
        return 2;
}

static int read_in(PeerConn *c) {
        for (;;) {
                if (c->in_cap - c->in_len < 4096) {
                        size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
                        if (cap > PEER_PACKET_MAX + 8192)
                                return -EBADMSG;
                        uint8_t *p = realloc(c->in, cap);
                        if (!p)
                                return -ENOMEM;
                        c->in = p;
                        c->in_cap = cap;
                }
                ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
                if (n == 0)
                        return -ECONNRESET;
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                c->in_len += n;
                int r;
                while ((r = take_packet(c)) == 1)
                        ;
                if (r != 0)
                        return r;       /* 2: fn ran (c may be gone), or an error */
        }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PeerConn *c = userdata;
        if (!c->connected && (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int error = 0;
                socklen_t len = sizeof error;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                        error = errno;
                if (error) {
                        conn_fail(c, -error);
                        return 0;
                }
                c->connected = true;
        }
        int r = c->connected ? flush_out(c) : 0;
        if (r == 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                r = read_in(c);
        if (r == 2)
                return 0;
        if (r < 0) {
                conn_fail(c, r);
                return 0;
        }
        update_events(c);
        return 0;
}

PeerConn *peer_conn_new(sd_event *event, int fd, PeerReplyFn fn, void *userdata) {
        PeerConn *c = calloc(1, sizeof *c);
        if (!c || sd_event_add_io(event, &c->io, fd, EPOLLIN | EPOLLOUT, on_io, c) < 0) {
                free(c);
                close(fd);
                return NULL;
        }
        c->fd = fd;
        c->fn = fn;
        c->userdata = userdata;
        return c;
}

int peer_conn_call(PeerConn *c, uint32_t proc, const uint8_t *args, size_t len) {
        if (c->waiting)
                return -EBUSY;
        if (len > PEER_PACKET_MAX - HEADER_LEN)
                return -EMSGSIZE;
        uint8_t *p = malloc(HEADER_LEN + len);
        if (!p)
                return -ENOMEM;
        uint32_t words[7] = { HEADER_LEN + len, REMOTE_PROGRAM, REMOTE_VERSION, proc, TYPE_CALL, ++c->serial, 0 };
        for (size_t i = 0; i < 7; i++)
                put32(p + 4 * i, words[i]);
        if (len)
                memcpy(p + HEADER_LEN, args, len);
        free(c->out);
        c->out = p;
        c->out_len = HEADER_LEN + len;
        c->out_off = 0;
        c->waiting = true;
        update_events(c);
        return 0;
}

PeerConn *peer_conn_free(PeerConn *c) {
        if (!c)
                return NULL;
        sd_event_source_disable_unref(c->io);
        close(c->fd);
        free(c->out);
        free(c->in);
        free(c);
        return NULL;
}
