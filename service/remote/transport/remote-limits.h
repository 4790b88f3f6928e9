/* remote-limits.h: the limits a remote server puts on each of its clients, and their defaults. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

typedef struct RemoteLimits {
        unsigned max_clients;
        unsigned max_anonymous_clients;         /* 0: no limit of its own */
        unsigned max_client_requests;
        unsigned max_client_streams;            /* streams open at once per client (0: no limit) */
        int keepalive_interval;                 /* seconds; <= 0: the server never pings */
        unsigned keepalive_count;
        uint64_t auth_timeout_usec;             /* unauthenticated clients are dropped after it */
        uint64_t handshake_timeout_usec;        /* a layer's handshake (TLS) must be done by then */
        uint64_t close_timeout_usec;            /* a closing client's output must be out by then */
        size_t output_max;                      /* bytes queued for one client */
} RemoteLimits;

#define REMOTE_AUTH_TIMEOUT_USEC (30ull * 1000000ull)
/* A TLS handshake is a few round trips: a client that connects and stalls costs one descriptor
 * this long, and nothing else (the handshake never blocks the loop). */
#define REMOTE_HANDSHAKE_TIMEOUT_USEC (5ull * 1000000ull)
#define REMOTE_CLOSE_TIMEOUT_USEC (10ull * 1000000ull)
#define REMOTE_OUTPUT_MAX ((size_t) 2 * PACKET_LEN_MAX)
