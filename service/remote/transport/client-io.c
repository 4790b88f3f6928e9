/* client-io.c: a remote client's bytes: packets in within the limits over its layer stack, the output queue out, handshakes, flow control. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "client-internal.h"
#include "log.h"

#define RX_BATCH 16             /* packets per wakeup, so that a busy client does not starve the others */
#define TX_IOV 16               /* queued packets per write to the transport */

/* ---- output ---- */

static void client_send_failed(Client *c, int e) {
        remote_client_drop(&c->pub, e == EPIPE || e == ECONNRESET ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                           "cannot send: %s", strerror(e));
}

/* Nothing waits to go out: neither queued packets nor bytes a layer holds (a TLS record half
 * sent). Closing and the end of input wait for this. */
bool client_output_empty(const Client *c) {
        return out_queue_empty(&c->out) && (!c->t || !(remote_transport_wants(c->t) & EPOLLOUT));
}

/* The queue into the top layer, then the layers' own held output down to the socket. The one
 * place where output leaves: the queue is drained when this returns with client_output_empty(). */
void client_flush(Client *c) {
        if (c->dropped || !remote_transport_ready(c->t))
                return;         /* a handshake first; its end flushes what was queued meanwhile */
        bool one_packet = remote_transport_one_packet_per_write(c->t);
        while (!out_queue_empty(&c->out) && !c->dropped) {
                int fd = out_queue_head_fd(&c->out);
                if (fd >= 0) {
                        /* a REPLY_WITH_FDS is out: its descriptors follow, one per message */
                        int r = remote_transport_send_fd(c->t, fd);
                        if (r == -EAGAIN)
                                break;
                        if (r < 0) {
                                client_send_failed(c, -r);
                                return;
                        }
                        out_queue_fd_sent(&c->out);
                        continue;
                }
                struct iovec iov[TX_IOV];
                size_t want;
                size_t n = one_packet ? out_queue_iov_head(&c->out, iov, TX_IOV, &want)
                                      : out_queue_iov(&c->out, iov, TX_IOV, &want);
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
        return remote_client_send_fds(rc, packet, len, NULL, 0);
}

bool remote_client_can_pass_fds(RemoteClient *rc) {
        Client *c = client_of(rc);
        return !c->dropped && remote_transport_can_pass_fds(c->t);
}

/* Room in the output queue for len more bytes: 0, or -ENOBUFS and the client dropped. */
static int client_output_room(Client *c, size_t len) {
        const RemoteLimits *lim = client_limits(c);
        if (c->out.bytes > 0 && c->out.bytes + len > lim->output_max) {
                remote_client_drop(&c->pub, LOG_LEVEL_WARNING, "more than %zu bytes of output waiting: it does not read",
                                   lim->output_max);
                return -ENOBUFS;
        }
        return 0;
}

/* A packet has just gone into the queue (r: out_queue_push*'s answer): try to send it. */
static int client_queued(Client *c, int r, bool was_empty) {
        if (r < 0) {
                remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "out of memory for its output");
                return -ENOMEM;
        }
        if (was_empty)
                client_flush(c);        /* nothing was waiting: try at once, saving a trip through the loop */
        if (client_wait_over(c))
                client_kick(c);         /* the reply ended a pending call */
        client_update(c);
        return 0;
}

int remote_client_send_fds(RemoteClient *rc, uint8_t *packet, size_t len, const int *fds, size_t n_fds) {
        Client *c = client_of(rc);
        if (c->dropped || (n_fds && !remote_transport_can_pass_fds(c->t))) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                free(packet);
                return c->dropped ? -ENOTCONN : -ENOTSUP;
        }
        if (client_output_room(c, len) < 0) {
                free(packet);
                return -ENOBUFS;
        }
        bool was_empty = out_queue_empty(&c->out);
        if (c->next_layer)
                c->next_layer_armed = true;     /* this is the reply that goes out in plaintext */
        return client_queued(c, out_queue_push_fds(&c->out, packet, len, fds, n_fds), was_empty);
}

int remote_client_send_body(RemoteClient *rc, uint8_t *head, size_t len, void *body, size_t body_len,
                            void (*body_free)(void *)) {
        Client *c = client_of(rc);
        int r = c->dropped ? -ENOTCONN : client_output_room(c, len + body_len);
        if (r < 0) {
                free(head);
                body_free(body);
                return r;
        }
        bool was_empty = out_queue_empty(&c->out);
        if (c->next_layer)
                c->next_layer_armed = true;
        return client_queued(c, out_queue_push_body(&c->out, head, len, body, body_len, body_free), was_empty);
}

/* ---- input ---- */

/* Whether input is wanted now: the one rule client_update() turns into EPOLLIN (and into a kick
 * when the layers hold input already). A reason to pause input belongs here. */
bool client_may_read(const Client *c) {
        return !c->dropped && !c->pub.closing && !c->eof && !c->input_paused && remote_transport_ready(c->t) &&
               c->pub.pending < client_limits(c)->max_client_requests;
}

/* A packet whose payload was read into the protocol side's buffer is complete: hand both over. */
static int client_payload_in(Client *c) {
        void *pay = c->rx_pay;
        size_t len = c->rx_pay_len;
        c->rx_pay = NULL;
        c->rx_pay_len = c->rx_pay_got = 0;
        c->rx_off += PACKET_LEN_MIN + len;
        remote_transport_drop_fds(c->t, c->rx_off);      /* not a call's: as client_packet_in() */
        c->proto->packet_payload(&c->pub, c->rx_hdr, pay, len);
        return 1;
}

/* A packet longer than rx whose header is in rx: the protocol side may take its payload into a
 * buffer of its own (a stream's data: the stream adopts it as it is). The bytes of the payload
 * rx holds already (under RX_INLINE) move over; the rest is read straight into it. 1 taken, 0
 * not (the packet is read whole, as any other). */
static int client_payload_begin(Client *c, uint32_t len) {
        if (!c->proto->payload_buf)
                return 0;
        void *pay = c->proto->payload_buf(&c->pub, c->rx, len - PACKET_LEN_MIN);
        if (!pay)
                return 0;
        memcpy(c->rx_hdr, c->rx, PACKET_LEN_MIN);
        c->rx_pay = pay;
        c->rx_pay_len = len - PACKET_LEN_MIN;
        c->rx_pay_got = c->rx_used - PACKET_LEN_MIN;
        memcpy(pay, c->rx + PACKET_LEN_MIN, c->rx_pay_got);
        c->rx_used = 0;
        return 1;
}

/* Dispatch the next complete packet: 1 done, 0 more bytes are needed, -1 the client was dropped. */
static int client_rx_next(Client *c) {
        if (c->fd_pkt)
                return client_fds_collect(c);
        if (c->rx_pay)
                return c->rx_pay_got < c->rx_pay_len ? 0 : client_payload_in(c);
        if (c->rx_big) {
                if (c->rx_big_got < c->rx_big_len)
                        return 0;
                uint8_t *p = c->rx_big;
                size_t len = c->rx_big_len;
                c->rx_big = NULL;
                c->rx_big_len = c->rx_big_got = 0;
                return client_packet_in(c, p, len, true);
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
                int r = client_packet_in(c, c->rx, len, false);
                memmove(c->rx, c->rx + len, c->rx_used - len);
                c->rx_used -= len;
                return r;
        }
        if (len <= RX_INLINE)
                return 0;
        if (c->proto->payload_buf) {
                /* The header first: it says whether the payload is bulk the protocol takes. rx
                 * cannot fill past this packet meanwhile: the packet is longer than rx. */
                if (c->rx_used < PACKET_LEN_MIN)
                        return 0;
                if (client_payload_begin(c, len))
                        return 0;
        }
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
        bool partial = c->rx_used || c->rx_big || c->rx_pay || c->fd_pkt;
        if (hup || partial) {
                remote_client_drop(&c->pub, LOG_LEVEL_DEBUG,
                                   partial ? "disconnected in the middle of a packet" : "disconnected");
                return;
        }
        /* A half-close (shutdown(SHUT_WR)) still wants its answers. */
        c->eof = true;
        c->close_deadline = client_now(c) + client_limits(c)->close_timeout_usec;
        client_timer_update(c);
}

void client_read(Client *c, bool hup) {
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
                uint8_t *buf;
                size_t want;
                if (c->rx_pay) {
                        buf = (uint8_t *) c->rx_pay + c->rx_pay_got;
                        want = c->rx_pay_len - c->rx_pay_got;
                } else if (c->rx_big) {
                        buf = c->rx_big + c->rx_big_got;
                        want = c->rx_big_len - c->rx_big_got;
                } else {
                        buf = c->rx + c->rx_used;
                        want = RX_INLINE - c->rx_used;
                }
                ssize_t got = remote_transport_read(c->t, buf, want);
                if (got == -ETOOMANYREFS) {
                        remote_client_drop(&c->pub, LOG_LEVEL_WARNING,
                                           "sent more descriptors than a call may carry (%u)", PACKET_FDS_MAX);
                        return;
                }
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
                if (c->rx_pay)
                        c->rx_pay_got += (size_t) got;
                else if (c->rx_big)
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
void client_update(Client *c) {
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

int client_on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
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

int client_on_kick(sd_event_source *es, void *userdata) {
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

unsigned remote_client_max_streams(RemoteClient *rc) {
        return client_limits(client_of(rc))->max_client_streams;
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
