/* client-internal.h: a remote client's private state, shared by client*.c (state, I/O, descriptors, timers, creation). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "client-owner.h"
#include "outqueue.h"
#include "packet.h"
#include "transport.h"

#define RX_INLINE 1024          /* small packets are read and dispatched from here, without an allocation */
#define TIMER_ACCURACY_USEC (50ull * 1000ull)

typedef struct Client {
        RemoteClient pub;               /* first: what the protocol side sees */
        unsigned id;
        bool admin;                     /* on the admin socket: its own protocol, no events */
        ListenKind kind;                /* the listener it came from (admin: the transport it reports) */
        int64_t connected_at;           /* CLOCK_REALTIME seconds, for the admin interface */
        RemoteTransport *t;             /* the layers, the socket at the bottom; NULL once dropped */
        const RemoteProtocol *proto;    /* where complete packets go: the protocol side */
        const ClientOwner *owner;       /* the server's limits and callbacks, while pub.server is set */
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
        uint64_t rx_off;                /* the stream offset of rx[0] (of rx_big[0] while it fills) */
        /* Or, when the protocol side gave a buffer for it (payload_buf: a stream's data), the
         * header in rx_hdr and the payload straight into rx_pay: no copy of the bulk. */
        uint8_t rx_hdr[PACKET_LEN_MIN];
        void *rx_pay;
        size_t rx_pay_len, rx_pay_got;
        /* A CALL_WITH_FDS read whole, waiting for the bytes that carry its descriptors
         * (client-fds.c): its count was checked before fd_pkt was allocated. */
        uint8_t *fd_pkt;
        size_t fd_pkt_len;
        unsigned fd_want, fd_got;
        int fds[PACKET_FDS_MAX];
        /* Output, in order. */
        OutQueue out;
        /* Timers (CLOCK_MONOTONIC usec, 0 = none); one sd-event timer serves the earliest. */
        uint64_t auth_deadline, close_deadline, handshake_deadline;
        bool ka_on;
        uint64_t ka_last_rx, ka_last_ping;
        unsigned ka_unanswered;
        uint8_t rx[RX_INLINE];
} Client;

/* The limits of a client the server has let go of. */
extern const RemoteLimits client_fallback_limits;

static inline Client *client_of(RemoteClient *rc) {
        return (Client *) rc;
}

static inline const RemoteLimits *client_limits(const Client *c) {
        return c->pub.server ? c->owner->limits : &client_fallback_limits;
}

static inline uint64_t client_now(const Client *c) {
        uint64_t t = 0;
        sd_event_now(c->event, CLOCK_MONOTONIC, &t);
        return t;
}

/* The files below stand in floors, each using only those listed before it: client-state.c (the
 * state, references, the drop), client-timers.c, client-fds.c, client-io.c, client-expiry.c,
 * client-new.c (which wires the handlers). The transport-loops test holds them to it. */

/* client-state.c */
void client_free(Client *c);
/* Reading waited for pending calls to end: are they over? */
bool client_wait_over(const Client *c);
/* Run client_on_kick() soon (input already read, a pending call ended). */
void client_kick(Client *c);
/* Give a payload being read back to the protocol side (a drop, the end). */
void client_payload_reset(Client *c);
/* Forget a held call and close the descriptors it got (a drop, the end). */
void client_fds_reset(Client *c);

/* client-timers.c */
/* The one sd-event timer (made with the client) at the earliest of the client's deadlines. */
void client_timer_update(Client *c);
/* When the next keepalive PING is due, or 0. */
uint64_t client_keepalive_deadline(const Client *c);

/* client-fds.c */
/* A complete packet read at c->rx_off (owned: p is malloc'ed and taken): hand it to the
 * protocol, or hold a CALL_WITH_FDS until its descriptors are read. 1 done, -1 dropped. */
int client_packet_in(Client *c, uint8_t *p, size_t len, bool owned);
/* The held call's descriptors from the bytes read so far: 1 the call went out, 0 more bytes
 * are needed, -1 dropped. */
int client_fds_collect(Client *c);

/* client-io.c */
/* Reading, writing and closing follow from the client's state: call after every change to it. */
void client_update(Client *c);
void client_flush(Client *c);
bool client_output_empty(const Client *c);
bool client_may_read(const Client *c);
void client_read(Client *c, bool hup);
int client_on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata);
int client_on_kick(sd_event_source *es, void *userdata);

/* client-expiry.c */
int client_on_timer(sd_event_source *es, uint64_t usec, void *userdata);
