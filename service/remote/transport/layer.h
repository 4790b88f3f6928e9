/* layer.h: one layer of a connection's byte stream (the socket, TLS, SASL) as an ops table, and the peer as the layers know it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct RemoteLayer RemoteLayer;

/* Who is at the other end, as far as the layers know it. Each layer adds what it learnt: the
 * socket its credentials or address, TLS (later) the certificate's DN, SASL (later) the user. */
typedef struct RemotePeer {
        bool has_cred;                  /* SO_PEERCRED: unix sockets */
        uid_t uid;
        gid_t gid;
        pid_t pid;
        char address[80];               /* TCP: "host:port" or "[v6]:port"; "" for unix sockets */
        const char *x509_dname;         /* owned by the TLS layer; NULL until it exists */
        const char *sasl_username;      /* owned by the SASL layer; NULL until it exists */
        unsigned tls_ssf;               /* the TLS cipher's key bits; 0 without TLS */
} RemotePeer;

/* A layer turns the byte stream of the layer below into its own. Every operation is
 * non-blocking: -EAGAIN means "not now", and wants() then says which socket readiness lets the
 * layer go on. Other negative values are errno codes that end the connection. */
typedef struct RemoteLayerOps {
        const char *name;
        /* Up to len bytes of this layer's stream: > 0 bytes, 0 the end of the stream, -EAGAIN. */
        ssize_t (*read)(RemoteLayer *l, void *buf, size_t len);
        /* Take bytes to send: how many it took (> 0), or -EAGAIN when it can take none now.
         * Taken bytes may stay inside the layer (an encrypted record half sent): flush() pushes
         * them and wants() asks for EPOLLOUT meanwhile. */
        ssize_t (*writev)(RemoteLayer *l, const struct iovec *iov, size_t n);
        /* Optional. Push output held inside the layer: 0 all out, -EAGAIN, -errno. */
        int (*flush)(RemoteLayer *l);
        /* Optional. Make the layer ready (a TLS or SASL negotiation), which may take many turns
         * of the loop in either direction: 0 done, -EAGAIN more I/O is needed, -errno. */
        int (*handshake)(RemoteLayer *l);
        /* Optional. Bytes read() hands out without touching the socket: the event loop must
         * drain them, as epoll will not say the socket is readable again for them. */
        size_t (*pending)(RemoteLayer *l);
        /* Optional. EPOLLIN / EPOLLOUT the layer itself needs now (its handshake, its own
         * buffered output, a TLS read that must write first). */
        uint32_t (*wants)(RemoteLayer *l);
        /* Optional. Add what this layer knows of the peer to p: 0, or -errno when the peer
         * cannot be named (a unix socket without credentials is not served). */
        int (*identity)(RemoteLayer *l, RemotePeer *p);
        /* Optional (the socket layer of a unix socket). Descriptors came with the bytes of this
         * layer's stream (SCM_RIGHTS): take_fd() hands over the one that came with byte `at`
         * (counted from 0): >= 0, or -ENOENT when none did; drop_fds() closes those that came
         * with bytes before `at` (bytes that were read as packet data). */
        int (*take_fd)(RemoteLayer *l, uint64_t at);
        void (*drop_fds)(RemoteLayer *l, uint64_t at);
        /* Free the layer and what it owns (the socket layer closes its descriptor). */
        void (*close)(RemoteLayer *l);
        /* writev() gets one packet's bytes at a time (TLS: a record never holds the end of one
         * packet and the start of the next). libvirt's client reads one packet, then waits on
         * the socket: a next packet already decrypted inside gnutls waits with it, and the last
         * packets of a stream (its data and the empty end) would never be seen. */
        bool one_packet_per_write;
} RemoteLayerOps;

struct RemoteLayer {
        const RemoteLayerOps *ops;
        RemoteLayer *below;             /* NULL for the socket */
        bool ready;                     /* its handshake is done (or it has none) */
};
