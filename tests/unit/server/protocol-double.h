/* protocol-double.h: a stand-in for the remote protocol side (dispatch, events, keepalive packets) for the server tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "packet.h"

/* Procedures of the double's own program (any program but keepalive reaches it). */
enum {
        DOUBLE_PROC_ECHO = 1000,        /* the packet comes back as a REPLY, payload and all */
        DOUBLE_PROC_HOLD = 1001,        /* a pending call: c->pending++, answered by double_release() */
        DOUBLE_PROC_CLOSE = 1002,       /* REPLY, then remote_client_close() */
        DOUBLE_PROC_AUTH = 1003,        /* the client is authenticated from now; REPLY */
        DOUBLE_PROC_BIG = 1004,         /* REPLY with a payload of the size the 4-byte payload asks for */
        DOUBLE_PROC_KEEPALIVE = 60,     /* remote_client_keepalive_start(); REPLY */
};

typedef struct DoubleState {
        unsigned dispatched;            /* packets double_dispatch() got */
        unsigned delivered;             /* notices delivered */
        unsigned pongs;                 /* PONGs received */
        unsigned subs_freed;
        int last_send;                  /* what the last remote_client_send() of the double returned */
        RemoteClient *last_client;      /* not referenced: compare only while the client is connected */
        Identity last_who;
        bool last_readonly;
        RemoteClient *held[64];         /* pending HOLD calls, each with a reference */
        uint32_t held_serial[64];
        size_t n_held;
} DoubleState;

extern DoubleState double_state;

/* The double as the transport's protocol side; double_dispatch is its packet handler. */
extern const RemoteProtocol protocol_double;
void double_dispatch(RemoteClient *c, const uint8_t *packet, size_t len);

void double_reset(void);
/* Answer up to n held calls, oldest first; returns how many. */
size_t double_release(size_t n);
/* A packet: length word, header, payload. */
uint8_t *double_packet(uint32_t prog, int32_t proc, uint32_t type, uint32_t serial, const void *payload,
                       size_t payload_len, size_t *len);
/* Parse a packet's header (len >= 28). */
void double_parse(const uint8_t *p, PacketHeader *h);
