/* client.c: one remote client's connection: packets in within the limits, the output queue, keepalive and the client's timers. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

#define RX_INLINE 1024          /* small packets are read and dispatched from here, without an allocation */
#define RX_BATCH 16             /* packets per wakeup, so that a busy client does not starve the others */
#define TX_IOV 16               /* queued packets per sendmsg() */
#define TIMER_ACCURACY_USEC (50ull * 1000ull)

typedef struct OutPacket {
        struct OutPacket *next;
        uint8_t *data;
        size_t len, off;
} OutPacket;

typedef struct Client {
        RemoteClient pub;               /* first: what the protocol side sees */
        unsigned id;
        int fd;
        sd_event *event;
        char *peer;                     /* for messages */
        bool dropped;                   /* socket closed; the server forgets it at its next reap */
        bool eof;                       /* the peer shut down its side: answer what is pending, then close */
        bool waiting;                   /* reading waits for c->pending to fall or the end of input */
        unsigned input_paused;          /* streams whose sink is full (remote_client_pause_input) */
        sd_event_source *io, *timer, *kick;
        uint32_t io_events;
        bool io_enabled;
        /* Input: a packet is read into rx when it fits, else into rx_big, allocated only once its
         * length word has been checked. */
        size_t rx_used;
        uint8_t *rx_big;
        size_t rx_big_len, rx_big_got;
        /* Output, in order. */
        OutPacket *out_head, *out_tail;
        size_t out_bytes;
        /* Timers (CLOCK_MONOTONIC usec, 0 = none); one sd-event timer serves the earliest. */
        uint64_t auth_deadline, close_deadline;
        bool ka_on;
        uint64_t ka_last_rx, ka_last_ping;
        unsigned ka_unanswered;
        uint8_t rx[RX_INLINE];
} Client;

static const RemoteLimits fallback_limits = {
        .max_clients = 1, .max_client_requests = 1, .keepalive_interval = -1,
        .auth_timeout_usec = REMOTE_AUTH_TIMEOUT_USEC, .close_timeout_usec = REMOTE_CLOSE_TIMEOUT_USEC,
        .output_max = REMOTE_OUTPUT_MAX,
};

static void client_update(Client *c);
static void client_timer_update(Client *c);

static Client *client_of(RemoteClient *rc) {
        return (Client *) rc;
}

static const RemoteLimits *client_limits(const Client *c) {
        return c->pub.server ? remote_server_limits(c->pub.server) : &fallback_limits;
}

static uint64_t client_now(const Client *c) {
        uint64_t t = 0;
        sd_event_now(c->event, CLOCK_MONOTONIC, &t);
        return t;
}

static void client_free_output(Client *c) {
        while (c->out_head) {
                OutPacket *o = c->out_head;
                c->out_head = o->next;
                free(o->data);
                free(o);
        }
        c->out_tail = NULL;
        c->out_bytes = 0;
}

static void client_free(Client *c) {
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->kick);
        if (c->fd >= 0)
                close(c->fd);
        remote_streams_free(&c->pub);
        client_free_output(c);
        free(c->rx_big);
        if (c->pub.subs)
                remote_event_subs_free(c->pub.subs);
        if (c->pub.server)
                remote_server_client_freed(c->pub.server, &c->pub);
        sd_event_unref(c->event);
        free(c->peer);
        free(c);
}

/* Reading waited for pending calls to end (or for the last one, after the end of input): are
 * they over? Only then is the kick worth it; kicking on every unref would spin the loop. */
static bool client_wait_over(const Client *c) {
        if (!c->waiting || c->dropped)
                return false;
        if (c->eof)
                return c->pub.pending == 0;
        return c->pub.pending < client_limits(c)->max_client_requests;
}

RemoteClient *remote_client_ref(RemoteClient *rc) {
        if (rc)
                rc->n_ref++;
        return rc;
}

RemoteClient *remote_client_unref(RemoteClient *rc) {
        if (!rc || rc->n_ref == 0)
                return NULL;
        Client *c = client_of(rc);
        if (--rc->n_ref == 0)
                client_free(c);
        else if (client_wait_over(c))
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);   /* a pending call has ended */
        return NULL;
}

bool remote_client_is_dropped(const RemoteClient *rc) {
        return ((const Client *) rc)->dropped;
}

void remote_client_drop(RemoteClient *rc, int level, const char *fmt, ...) {
        Client *c = client_of(rc);
        if (c->dropped)
                return;
        c->dropped = true;
        rc->closing = true;
        if (log_enabled(LOG_MODULE, (LogLevel) level)) {
                char why[256];
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, sizeof why, fmt, ap);
                va_end(ap);
                log_at((LogLevel) level, "client %u (%s): %s; connection closed", c->id, c->peer, why);
        }
        c->io = sd_event_source_disable_unref(c->io);
        c->timer = sd_event_source_disable_unref(c->timer);
        c->kick = sd_event_source_disable_unref(c->kick);
        if (c->fd >= 0)
                close(c->fd);
        c->fd = -1;
        client_free_output(c);
        free(c->rx_big);
        c->rx_big = NULL;
        c->waiting = false;
        remote_streams_free(rc);
        remote_server_client_gone(rc->server, rc);
}

static void client_kick(Client *c) {
        if (!c->dropped)
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);
}

/* ---- output ---- */

static void client_flush(Client *c) {
        while (c->out_head && !c->dropped) {
                struct iovec iov[TX_IOV];
                size_t n = 0, want = 0;
                for (OutPacket *o = c->out_head; o && n < TX_IOV; o = o->next, n++) {
                        iov[n] = (struct iovec) { .iov_base = o->data + o->off, .iov_len = o->len - o->off };
                        want += iov[n].iov_len;
                }
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = n };
                ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return;
                        remote_client_drop(&c->pub, errno == EPIPE || errno == ECONNRESET ? LOG_LEVEL_DEBUG
                                                                                          : LOG_LEVEL_WARNING,
                                           "cannot send: %s", strerror(errno));
                        return;
                }
                c->out_bytes -= (size_t) w;
                for (size_t left = (size_t) w; left > 0;) {
                        OutPacket *o = c->out_head;
                        size_t rest = o->len - o->off;
                        if (left < rest) {
                                o->off += left;
                                break;
                        }
                        left -= rest;
                        c->out_head = o->next;
                        free(o->data);
                        free(o);
                }
                if (!c->out_head)
                        c->out_tail = NULL;
                if ((size_t) w < want)
                        return;         /* the socket is full: EPOLLOUT says when to go on */
        }
}

int remote_client_send(RemoteClient *rc, uint8_t *packet, size_t len) {
        Client *c = client_of(rc);
        if (c->dropped) {
                free(packet);
                return -ENOTCONN;
        }
        const RemoteLimits *lim = client_limits(c);
        if (c->out_bytes > 0 && c->out_bytes + len > lim->output_max) {
                free(packet);
                remote_client_drop(rc, LOG_LEVEL_WARNING, "more than %zu bytes of output waiting: it does not read",
                                   lim->output_max);
                return -ENOBUFS;
        }
        OutPacket *o = malloc(sizeof *o);
        if (!o) {
                free(packet);
                remote_client_drop(rc, LOG_LEVEL_ERROR, "out of memory for its output");
                return -ENOMEM;
        }
        *o = (OutPacket) { .data = packet, .len = len };
        if (c->out_tail)
                c->out_tail->next = o;
        else
                c->out_head = o;
        c->out_tail = o;
        c->out_bytes += len;
        if (c->out_head == o)
                client_flush(c);        /* nothing was waiting: try at once, saving a trip through the loop */
        if (client_wait_over(c))
                client_kick(c);         /* the reply ended a pending call */
        client_update(c);
        return 0;
}

/* ---- input ---- */

static bool client_may_read(const Client *c) {
        return !c->dropped && !c->pub.closing && !c->eof && !c->input_paused &&
               c->pub.pending < client_limits(c)->max_client_requests;
}

/* Dispatch the next complete packet: 1 done, 0 more bytes are needed, -1 the client was dropped. */
static int client_rx_next(Client *c) {
        if (c->rx_big) {
                if (c->rx_big_got < c->rx_big_len)
                        return 0;
                uint8_t *p = c->rx_big;
                size_t len = c->rx_big_len;
                c->rx_big = NULL;
                c->rx_big_len = c->rx_big_got = 0;
                remote_dispatch(&c->pub, p, len);
                free(p);
                return 1;
        }
        if (c->rx_used < 4)
                return 0;
        uint32_t len = (uint32_t) c->rx[0] << 24 | (uint32_t) c->rx[1] << 16 | (uint32_t) c->rx[2] << 8 | c->rx[3];
        if (!packet_length_ok(len)) {
                remote_client_drop(&c->pub, LOG_LEVEL_WARNING, "packet length %u is out of range (%u to %u)", len,
                                   PACKET_LEN_MIN, PACKET_LEN_MAX);
                return -1;
        }
        if (len <= c->rx_used) {
                /* In place: the caller holds a reference, so rx outlives even a drop. */
                remote_dispatch(&c->pub, c->rx, len);
                memmove(c->rx, c->rx + len, c->rx_used - len);
                c->rx_used -= len;
                return 1;
        }
        if (len <= RX_INLINE)
                return 0;
        c->rx_big = malloc(len);
        if (!c->rx_big) {
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "out of memory for a packet of %u bytes", len);
                return -1;
        }
        memcpy(c->rx_big, c->rx, c->rx_used);
        c->rx_big_len = len;
        c->rx_big_got = c->rx_used;
        c->rx_used = 0;
        return 0;
}

static void client_on_eof(Client *c, bool hup) {
        if (hup || c->rx_used || c->rx_big) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG,
                                   c->rx_used || c->rx_big ? "disconnected in the middle of a packet" : "disconnected");
                return;
        }
        /* A half-close (shutdown(SHUT_WR)) still wants its answers. */
        c->eof = true;
        c->close_deadline = client_now(c) + client_limits(c)->close_timeout_usec;
        client_timer_update(c);
}

static void client_read(Client *c, bool hup) {
        bool drained = false;
        for (unsigned n = 0; n < RX_BATCH;) {
                if (!client_may_read(c))
                        return;
                int r = client_rx_next(c);
                if (r < 0)
                        return;
                if (r > 0) {
                        n++;
                        continue;
                }
                /* A short read emptied the socket: epoll says when there is more, sparing a
                 * read() that would only say EAGAIN (one syscall per call saved). */
                if (drained)
                        return;
                uint8_t *buf = c->rx_big ? c->rx_big + c->rx_big_got : c->rx + c->rx_used;
                size_t want = c->rx_big ? c->rx_big_len - c->rx_big_got : RX_INLINE - c->rx_used;
                ssize_t got = read(c->fd, buf, want);
                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                remote_client_drop(&c->pub, errno == ECONNRESET ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                                                   "cannot read: %s", strerror(errno));
                        return;
                }
                if (got == 0) {
                        client_on_eof(c, hup);
                        return;
                }
                if (c->rx_big)
                        c->rx_big_got += (size_t) got;
                else
                        c->rx_used += (size_t) got;
                drained = (size_t) got < want;
                remote_client_keepalive_seen(&c->pub);   /* any byte shows the peer is alive */
        }
        client_kick(c);         /* the batch is used up: packets already read wait for the next turn */
}

/* Reading, writing and closing follow from the client's state; called after everything that
 * changes it. */
static void client_update(Client *c) {
        if (c->dropped)
                return;
        if (c->pub.closing && !c->out_head) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "closed after its last reply");
                return;
        }
        if (c->eof && !c->out_head && c->pub.pending == 0) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "disconnected");
                return;
        }
        bool busy = c->pub.pending >= client_limits(c)->max_client_requests;
        bool reading = !c->pub.closing && !c->eof && !busy && !c->input_paused;
        c->waiting = c->eof || (busy && !c->pub.closing);
        uint32_t ev = (reading ? EPOLLIN : 0) | (c->out_head ? EPOLLOUT : 0);
        int r = 0;
        if (ev && ev != c->io_events) {
                r = sd_event_source_set_io_events(c->io, ev);
                c->io_events = ev;
        }
        if (r >= 0 && (ev != 0) != c->io_enabled) {
                r = sd_event_source_set_enabled(c->io, ev ? SD_EVENT_ON : SD_EVENT_OFF);
                c->io_enabled = ev != 0;
        }
        if (r < 0)
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "cannot watch its socket: %s", strerror(-r));
}

static int client_on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Client *c = userdata;
        remote_client_ref(&c->pub);
        if (revents & EPOLLERR) {
                int e = 0;
                socklen_t len = sizeof e;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "connection error: %s", e ? strerror(e) : "unknown");
        } else {
                if (revents & EPOLLOUT) {
                        client_flush(c);
                        if (!c->out_head && !c->dropped)
                                remote_streams_output_drained(&c->pub);
                }
                if (revents & EPOLLIN)
                        client_read(c, revents & EPOLLHUP);
                else if (revents & EPOLLHUP)
                        remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "hung up");
        }
        client_update(c);
        remote_client_unref(&c->pub);
        return 0;
}

static int client_on_kick(sd_event_source *es, void *userdata) {
        Client *c = userdata;
        remote_client_ref(&c->pub);
        client_update(c);
        if (client_may_read(c))
                client_read(c, false);
        client_update(c);
        remote_client_unref(&c->pub);
        return 0;
}

/* ---- streams: flow control from the protocol side ---- */

void remote_client_pause_input(RemoteClient *rc) {
        Client *c = client_of(rc);
        c->input_paused++;
        client_update(c);
}

void remote_client_resume_input(RemoteClient *rc) {
        Client *c = client_of(rc);
        if (c->input_paused == 0)
                return;
        if (--c->input_paused == 0) {
                client_update(c);
                client_kick(c);         /* packets already read wait in rx */
        }
}

size_t remote_client_output_bytes(RemoteClient *rc) {
        return client_of(rc)->out_bytes;
}

void remote_client_close(RemoteClient *rc) {
        Client *c = client_of(rc);
        if (c->dropped || rc->closing)
                return;
        rc->closing = true;
        c->close_deadline = client_now(c) + client_limits(c)->close_timeout_usec;
        client_timer_update(c);
        client_kick(c);         /* closes once the caller's last reply is out */
}

/* ---- timers: authentication, closing, keepalive ---- */

static uint64_t client_keepalive_deadline(const Client *c) {
        const RemoteLimits *lim = client_limits(c);
        if (!c->ka_on || lim->keepalive_interval <= 0 || c->pub.closing || c->eof)
                return 0;
        uint64_t base = c->ka_unanswered ? c->ka_last_ping : c->ka_last_rx;
        return base + (uint64_t) lim->keepalive_interval * 1000000ull;
}

static void client_keepalive_fire(Client *c, uint64_t now) {
        const RemoteLimits *lim = client_limits(c);
        if (c->ka_unanswered >= lim->keepalive_count) {
                remote_client_drop(&c->pub, LOG_LEVEL_INFO,
                                   "silent for %llu s, %u keepalive PINGs unanswered (keepalive_interval %d, "
                                   "keepalive_count %u)",
                                   (unsigned long long) ((now - c->ka_last_rx) / 1000000ull), c->ka_unanswered,
                                   lim->keepalive_interval, lim->keepalive_count);
                return;
        }
        uint8_t *p = NULL;
        size_t len = 0;
        if (remote_packet_keepalive(KEEPALIVE_PROC_PING, &p, &len) < 0) {
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "out of memory for a keepalive PING");
                return;
        }
        c->ka_unanswered++;
        c->ka_last_ping = now;
        remote_client_send(&c->pub, p, len);
}

static int client_on_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        Client *c = userdata;
        remote_client_ref(&c->pub);
        uint64_t now = client_now(c);
        uint64_t ka = client_keepalive_deadline(c);
        if ((c->pub.closing || c->eof) && c->close_deadline && now >= c->close_deadline)
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, c->eof ? "gone before its calls were answered"
                                                                   : "did not take its last replies in time");
        else if (!c->pub.authenticated && c->auth_deadline && now >= c->auth_deadline)
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, "did not authenticate within %llu s",
                                   (unsigned long long) (client_limits(c)->auth_timeout_usec / 1000000ull));
        else if (ka && now >= ka)
                client_keepalive_fire(c, now);
        client_timer_update(c);
        remote_client_unref(&c->pub);
        return 0;
}

static void client_timer_update(Client *c) {
        if (c->dropped)
                return;
        uint64_t d[3] = {
                c->pub.authenticated ? 0 : c->auth_deadline,
                c->pub.closing || c->eof ? c->close_deadline : 0,
                client_keepalive_deadline(c),
        };
        uint64_t next = 0;
        for (size_t i = 0; i < 3; i++)
                if (d[i] && (!next || d[i] < next))
                        next = d[i];
        int r;
        if (!next)
                r = c->timer ? sd_event_source_set_enabled(c->timer, SD_EVENT_OFF) : 0;
        else if (!c->timer)
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, next, TIMER_ACCURACY_USEC, client_on_timer, c);
        else {
                r = sd_event_source_set_time(c->timer, next);
                if (r >= 0)
                        r = sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "cannot arm its timer: %s", strerror(-r));
}

void remote_client_keepalive_start(RemoteClient *rc) {
        Client *c = client_of(rc);
        rc->keepalive_requested = true;
        if (c->dropped || c->ka_on)
                return;
        c->ka_on = true;
        c->ka_last_rx = client_now(c);
        c->ka_unanswered = 0;
        client_timer_update(c);
}

void remote_client_keepalive_seen(RemoteClient *rc) {
        Client *c = client_of(rc);
        /* No re-arming here: the timer fires at the old deadline and moves itself on. */
        c->ka_last_rx = client_now(c);
        c->ka_unanswered = 0;
}

void remote_client_limits_changed(RemoteClient *rc, bool keepalive_restarted) {
        Client *c = client_of(rc);
        if (keepalive_restarted) {      /* silence while the server did not ping is no fault */
                c->ka_last_rx = client_now(c);
                c->ka_unanswered = 0;
        }
        client_timer_update(c);
        client_kick(c);
}

/* ---- a new client ---- */

static char *client_describe_peer(int fd, ListenKind kind, Identity *who) {
        char *s = NULL;
        if (kind == LISTEN_TCP) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof ss;
                char host[NI_MAXHOST], serv[NI_MAXSERV];
                if (getpeername(fd, (struct sockaddr *) &ss, &len) < 0 ||
                    getnameinfo((struct sockaddr *) &ss, len, host, sizeof host, serv, sizeof serv,
                                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
                        return strdup("tcp peer");
                return asprintf(&s, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv) < 0 ? NULL : s;
        }
        return asprintf(&s, "pid %d, uid %u", (int) who->pid, (unsigned) who->uid) < 0 ? NULL : s;
}

int remote_client_new(RemoteServer *s, int fd, const ListenSocket *l, RemoteAuthType auth, unsigned id,
                      RemoteClient **out) {
        Client *c = calloc(1, sizeof *c);
        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        bool readonly = l->kind == LISTEN_UNIX_RO;
        c->pub = (RemoteClient) {
                .n_ref = 1,
                .server = s,
                .manager = remote_server_manager(s),
                .who = { .uid = (uid_t) -1, .gid = (gid_t) -1, .pid = -1, .readonly = readonly },
                .readonly = readonly,
                .authenticated = auth == REMOTE_AUTH_NONE,
                .auth_type = auth,
        };
        c->id = id;
        c->fd = fd;
        c->event = sd_event_ref(remote_server_event(s));
        int r = 0;
        if (l->kind == LISTEN_TCP) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* small RPCs, one at a time */
        } else {
                struct ucred cr;
                socklen_t len = sizeof cr;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
                        r = -errno;     /* no identity, no service */
                else
                        c->pub.who = (Identity) { .uid = cr.uid, .gid = cr.gid, .pid = cr.pid, .readonly = readonly };
        }
        if (r == 0 && !(c->peer = client_describe_peer(fd, l->kind, &c->pub.who)))
                r = -ENOMEM;
        if (r == 0)
                r = sd_event_add_io(c->event, &c->io, fd, EPOLLIN, client_on_io, c);
        if (r == 0) {
                c->io_events = EPOLLIN;
                c->io_enabled = true;
                r = sd_event_add_defer(c->event, &c->kick, client_on_kick, c);
        }
        if (r == 0)
                r = sd_event_source_set_enabled(c->kick, SD_EVENT_OFF);
        if (r == 0 && !c->pub.authenticated) {
                c->auth_deadline = client_now(c) + client_limits(c)->auth_timeout_usec;
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, c->auth_deadline, TIMER_ACCURACY_USEC,
                                      client_on_timer, c);
        }
        if (r < 0) {
                c->pub.server = NULL;
                client_free(c);
                return r;
        }
        log_debug("client %u (%s) connected on %s%s", id, c->peer, l->name, readonly ? " (read-only)" : "");
        *out = &c->pub;
        return 0;
}
