/* client.c: one remote client's connection: packets in within the limits over its layer stack, the output queue, keepalive and the client's timers. */
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
#include "outqueue.h"
#include "sasl-auth.h"
#include "server.h"
#include "transport.h"

#define RX_INLINE 1024          /* small packets are read and dispatched from here, without an allocation */
#define RX_BATCH 16             /* packets per wakeup, so that a busy client does not starve the others */
#define TX_IOV 16               /* queued packets per write to the transport */
#define TIMER_ACCURACY_USEC (50ull * 1000ull)

typedef struct Client {
        RemoteClient pub;               /* first: what the protocol side sees */
        unsigned id;
        RemoteTransport *t;             /* the layers, the socket at the bottom; NULL once dropped */
        const RemoteProtocol *proto;    /* where complete packets go: the protocol side */
        sd_event *event;
        char *peer;                     /* for messages */
        bool dropped;                   /* socket closed; the server forgets it at its next reap */
        bool eof;                       /* the peer shut down its side: answer what is pending, then close */
        bool waiting;                   /* reading waits for c->pending to fall or the end of input */
        unsigned input_paused;          /* streams whose sink is full (remote_client_pause_input) */
        RemoteLayer *next_layer;        /* goes on once the reply queued after it is out (SASL) */
        bool next_layer_armed;          /* that reply is queued */
        sd_event_source *io, *timer, *kick;
        uint32_t io_events;
        bool io_enabled;
        /* Input: a packet is read into rx when it fits, else into rx_big, allocated only once its
         * length word has been checked. */
        size_t rx_used;
        uint8_t *rx_big;
        size_t rx_big_len, rx_big_got;
        /* Output, in order. */
        OutQueue out;
        /* Timers (CLOCK_MONOTONIC usec, 0 = none); one sd-event timer serves the earliest. */
        uint64_t auth_deadline, close_deadline, handshake_deadline;
        bool ka_on;
        uint64_t ka_last_rx, ka_last_ping;
        unsigned ka_unanswered;
        uint8_t rx[RX_INLINE];
} Client;

static const RemoteLimits fallback_limits = {
        .max_clients = 1, .max_client_requests = 1, .keepalive_interval = -1,
        .auth_timeout_usec = REMOTE_AUTH_TIMEOUT_USEC, .handshake_timeout_usec = REMOTE_HANDSHAKE_TIMEOUT_USEC,
        .close_timeout_usec = REMOTE_CLOSE_TIMEOUT_USEC,
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

static void client_free(Client *c) {
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->kick);
        c->proto->freed(&c->pub);
        if (c->next_layer)
                c->next_layer->ops->close(c->next_layer);
        remote_sasl_free(c->pub.sasl);
        free(c->pub.sasl_username);
        free(c->pub.x509_dname);
        remote_transport_free(c->t);
        out_queue_clear(&c->out);
        free(c->rx_big);
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
        c->t = remote_transport_free(c->t);
        out_queue_clear(&c->out);
        free(c->rx_big);
        c->rx_big = NULL;
        c->waiting = false;
        c->proto->dropped(rc);
        remote_server_client_gone(rc->server, rc);
}

static void client_kick(Client *c) {
        if (!c->dropped)
                sd_event_source_set_enabled(c->kick, SD_EVENT_ONESHOT);
}

/* ---- output ---- */

static void client_send_failed(Client *c, int e) {
        remote_client_drop(&c->pub, e == EPIPE || e == ECONNRESET ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                           "cannot send: %s", strerror(e));
}

/* Nothing waits to go out: neither queued packets nor bytes a layer holds (a TLS record half
 * sent). Closing and the end of input wait for this. */
static bool client_output_empty(const Client *c) {
        return out_queue_empty(&c->out) && (!c->t || !(remote_transport_wants(c->t) & EPOLLOUT));
}

/* The queue into the top layer, then the layers' own held output down to the socket. The one
 * place where output leaves: the queue is drained when this returns with client_output_empty(). */
static void client_flush(Client *c) {
        if (c->dropped || !remote_transport_ready(c->t))
                return;         /* a handshake first; its end flushes what was queued meanwhile */
        while (!out_queue_empty(&c->out) && !c->dropped) {
                struct iovec iov[TX_IOV];
                size_t want;
                size_t n = out_queue_iov(&c->out, iov, TX_IOV, &want);
                ssize_t w = remote_transport_writev(c->t, iov, n);
                if (w == -EAGAIN)
                        break;
                if (w < 0) {
                        client_send_failed(c, (int) -w);
                        return;
                }
                out_queue_advance(&c->out, (size_t) w);
                if ((size_t) w < want)
                        break;          /* the transport is full: EPOLLOUT says when to go on */
        }
        int r = c->dropped ? 0 : remote_transport_flush(c->t);
        if (r < 0 && r != -EAGAIN)
                client_send_failed(c, -r);
        if (c->next_layer_armed && !c->dropped && out_queue_empty(&c->out)) {
                /* The last plaintext reply has gone into the layers: from now on, the new one. */
                RemoteLayer *l = c->next_layer;
                c->next_layer = NULL;
                c->next_layer_armed = false;
                remote_transport_push(c->t, l);
                log_debug("client %u (%s): %s layer on", c->id, c->peer, l->ops->name);
        }
}

int remote_client_send(RemoteClient *rc, uint8_t *packet, size_t len) {
        Client *c = client_of(rc);
        if (c->dropped) {
                free(packet);
                return -ENOTCONN;
        }
        const RemoteLimits *lim = client_limits(c);
        if (c->out.bytes > 0 && c->out.bytes + len > lim->output_max) {
                free(packet);
                remote_client_drop(rc, LOG_LEVEL_WARNING, "more than %zu bytes of output waiting: it does not read",
                                   lim->output_max);
                return -ENOBUFS;
        }
        bool was_empty = out_queue_empty(&c->out);
        if (c->next_layer)
                c->next_layer_armed = true;     /* this is the reply that goes out in plaintext */
        if (out_queue_push(&c->out, packet, len) < 0) {
                remote_client_drop(rc, LOG_LEVEL_ERROR, "out of memory for its output");
                return -ENOMEM;
        }
        if (was_empty)
                client_flush(c);        /* nothing was waiting: try at once, saving a trip through the loop */
        if (client_wait_over(c))
                client_kick(c);         /* the reply ended a pending call */
        client_update(c);
        return 0;
}

/* ---- input ---- */

/* Whether input is wanted now: the one rule client_update() turns into EPOLLIN (and into a kick
 * when the layers hold input already). A reason to pause input belongs here. */
static bool client_may_read(const Client *c) {
        return !c->dropped && !c->pub.closing && !c->eof && !c->input_paused && remote_transport_ready(c->t) &&
               c->pub.pending < client_limits(c)->max_client_requests;
}

static void client_deliver(Client *c, const uint8_t *packet, size_t len) {
        c->proto->packet(&c->pub, packet, len);
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
                client_deliver(c, p, len);
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
                client_deliver(c, c->rx, len);
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
                ssize_t got = remote_transport_read(c->t, buf, want);
                if (got < 0) {
                        if (got != -EAGAIN)
                                remote_client_drop(&c->pub, got == -ECONNRESET ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                                                   "cannot read: %s", strerror((int) -got));
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
                /* Short, but a layer may hold more (a decrypted record): that is not the socket
                 * emptied, and epoll would never say so. */
                drained = (size_t) got < want && remote_transport_pending(c->t) == 0;
                remote_client_keepalive_seen(&c->pub);   /* any byte shows the peer is alive */
        }
        client_kick(c);         /* the batch is used up: packets already read wait for the next turn */
}

/* Reading, writing and closing follow from the client's state; called after everything that
 * changes it. The one place that turns the socket's events on and off. */
static void client_update(Client *c) {
        if (c->dropped)
                return;
        bool out_empty = client_output_empty(c);
        if (c->pub.closing && out_empty) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "closed after its last reply");
                return;
        }
        if (c->eof && out_empty && c->pub.pending == 0) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "disconnected");
                return;
        }
        bool busy = c->pub.pending >= client_limits(c)->max_client_requests;
        bool reading = client_may_read(c);
        c->waiting = c->eof || (busy && !c->pub.closing);
        /* Input a layer already holds never makes the socket readable: drain it from the loop. */
        if (reading && remote_transport_pending(c->t) > 0)
                client_kick(c);
        bool ready = remote_transport_ready(c->t);
        uint32_t layers = remote_transport_wants(c->t);
        if (!ready && !layers)
                layers = EPOLLIN;       /* a handshake that did not say: the peer speaks first */
        uint32_t ev = (reading ? EPOLLIN : 0) | (!out_queue_empty(&c->out) && ready ? EPOLLOUT : 0) | layers;
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

/* The layers' handshakes, as the socket allows: false while they are not done (or failed). */
static bool client_handshake(Client *c) {
        if (remote_transport_ready(c->t))
                return true;
        int r = remote_transport_handshake(c->t);
        if (r == -EAGAIN)
                return false;
        if (r < 0) {
                remote_client_drop(&c->pub, r == -ECONNRESET ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                                   "%s handshake failed: %s", remote_transport_unready(c->t)->ops->name, strerror(-r));
                return false;
        }
        log_debug("client %u (%s): handshake done", c->id, c->peer);
        RemotePeer peer;
        if (!c->pub.x509_dname && remote_transport_identity(c->t, &peer) == 0 && peer.x509_dname)
                c->pub.x509_dname = strdup(peer.x509_dname);
        client_timer_update(c);         /* the handshake's deadline is over */
        client_flush(c);        /* what was queued meanwhile */
        return true;
}

static int client_on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Client *c = userdata;
        remote_client_ref(&c->pub);
        if (revents & EPOLLERR) {
                int e = 0;
                socklen_t len = sizeof e;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "connection error: %s", e ? strerror(e) : "unknown");
        } else if (client_handshake(c)) {
                /* A layer that asked for events of its own (a TLS read that must write) is
                 * served by a read as much as by a flush. */
                bool layer_io = c->t && remote_transport_wants(c->t);
                if (revents & EPOLLOUT) {
                        client_flush(c);
                        if (out_queue_empty(&c->out) && !c->dropped)
                                c->proto->output_drained(&c->pub);
                }
                if (revents & EPOLLIN || (layer_io && client_may_read(c)))
                        client_read(c, revents & EPOLLHUP);
                else if (revents & EPOLLHUP)
                        remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "hung up");
        } else if (revents & EPOLLHUP && !c->dropped)
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG, "hung up during the handshake");
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
        return client_of(rc)->out.bytes;
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
        if (c->proto->keepalive(KEEPALIVE_PROC_PING, &p, &len) < 0) {
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
        else if (c->handshake_deadline && now >= c->handshake_deadline && !remote_transport_ready(c->t))
                remote_client_drop(&c->pub, LOG_LEVEL_INFO, "did not finish its %s handshake within %llu s",
                                   remote_transport_unready(c->t)->ops->name,
                                   (unsigned long long) (client_limits(c)->handshake_timeout_usec / 1000000ull));
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
        if (c->handshake_deadline && remote_transport_ready(c->t))
                c->handshake_deadline = 0;
        uint64_t d[4] = {
                c->handshake_deadline,
                c->pub.authenticated ? 0 : c->auth_deadline,
                c->pub.closing || c->eof ? c->close_deadline : 0,
                client_keepalive_deadline(c),
        };
        uint64_t next = 0;
        for (size_t i = 0; i < 4; i++)
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

static char *client_describe_peer(const RemotePeer *p) {
        char *s = NULL;
        if (!p->has_cred)
                return strdup(p->address[0] ? p->address : "tcp peer");
        return asprintf(&s, "pid %d, uid %u", (int) p->pid, (unsigned) p->uid) < 0 ? NULL : s;
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
        c->proto = remote_server_protocol(s);
        c->event = sd_event_ref(remote_server_event(s));
        if (l->kind == LISTEN_TCP || l->kind == LISTEN_TLS) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* small RPCs, one at a time */
        }
        RemotePeer peer;
        int r = remote_transport_new(fd, &c->t);
        if (r == 0)
                r = remote_transport_identity(c->t, &peer);     /* a unix socket without credentials is not served */
        if (r == 0 && peer.has_cred)
                c->pub.who = (Identity) { .uid = peer.uid, .gid = peer.gid, .pid = peer.pid, .readonly = readonly };
        if (r == 0 && !(c->peer = client_describe_peer(&peer)))
                r = -ENOMEM;
        if (r == 0)
                r = sd_event_add_io(c->event, &c->io, c->t->fd, EPOLLIN, client_on_io, c);
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

void remote_client_push_layer(RemoteClient *rc, RemoteLayer *l) {
        Client *c = client_of(rc);
        if (c->dropped) {
                l->ops->close(l);
                return;
        }
        remote_transport_push(c->t, l);
        if (!l->ready && !c->handshake_deadline) {
                c->handshake_deadline = client_now(c) + client_limits(c)->handshake_timeout_usec;
                client_timer_update(c);
        }
        client_update(c);       /* reading waits for the handshake, which may speak first */
}

void remote_client_push_layer_after_reply(RemoteClient *rc, RemoteLayer *l) {
        Client *c = client_of(rc);
        if (c->dropped || c->next_layer) {
                l->ops->close(l);
                return;
        }
        c->next_layer = l;
        c->next_layer_armed = false;
}

/* "ip;port" of a socket address, as cyrus-sasl wants it. */
static int client_sasl_addr(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        if (getnameinfo((const struct sockaddr *) ss, len, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0)
                return -EINVAL;
        return snprintf(buf, size, "%s;%s", host, serv) < (int) size ? 0 : -ENAMETOOLONG;
}

int remote_client_sasl_new(RemoteClient *rc, RemoteSasl **out, char *errbuf, size_t errlen) {
        Client *c = client_of(rc);
        if (c->dropped)
                return -ENOTCONN;
        struct sockaddr_storage local, remote;
        socklen_t llen = sizeof local, rlen = sizeof remote;
        char la[NI_MAXHOST + NI_MAXSERV + 2], ra[NI_MAXHOST + NI_MAXSERV + 2];
        bool inet = getsockname(c->t->fd, (struct sockaddr *) &local, &llen) == 0 &&
                    getpeername(c->t->fd, (struct sockaddr *) &remote, &rlen) == 0 &&
                    local.ss_family != AF_UNIX && client_sasl_addr(&local, llen, la, sizeof la) == 0 &&
                    client_sasl_addr(&remote, rlen, ra, sizeof ra) == 0;
        RemotePeer peer;
        if (remote_transport_identity(c->t, &peer) < 0)
                peer.tls_ssf = 0;
        return remote_sasl_new(inet ? la : NULL, inet ? ra : NULL, peer.tls_ssf, out, errbuf, errlen);
}

const char *remote_client_peer_name(RemoteClient *rc) {
        return client_of(rc)->peer;
}

bool remote_client_has_tls(RemoteClient *rc) {
        Client *c = client_of(rc);
        RemotePeer peer;
        return !c->dropped && remote_transport_identity(c->t, &peer) == 0 && peer.tls_ssf > 0;
}
