/* transport.h: a client connection's byte stream as a stack of layers (socket, later TLS and SASL), each an ops table. */
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

/* The stack of one connection: the socket at the bottom, the protocol reads the top. */
typedef struct RemoteTransport {
        RemoteLayer *top;
        int fd;                         /* the socket, for the event loop; owned by the socket layer */
} RemoteTransport;

/* The plain socket layer over fd (non-blocking, owned by the layer from now, closed even on
 * failure). */
int remote_layer_socket_new(int fd, RemoteLayer **out);

/* A transport of the socket alone. Takes fd in every case. */
int remote_transport_new(int fd, RemoteTransport **out);
/* Put l on top of the stack (l->below is set here). The transport owns l from now. */
void remote_transport_push(RemoteTransport *t, RemoteLayer *l);
/* Closes every layer, top first, and with the socket layer the descriptor. Returns NULL. */
RemoteTransport *remote_transport_free(RemoteTransport *t);

ssize_t remote_transport_read(RemoteTransport *t, void *buf, size_t len);
ssize_t remote_transport_writev(RemoteTransport *t, const struct iovec *iov, size_t n);
/* Descriptors travel only over a unix socket with no layer on it (no TLS, no SASL). */
bool remote_transport_can_pass_fds(RemoteTransport *t);
/* fd with one zero byte (SCM_RIGHTS), as libvirt's virSocketSendFD: 0, -EAGAIN, -errno. */
int remote_transport_send_fd(RemoteTransport *t, int fd);
/* Received descriptors (see RemoteLayerOps.take_fd), at the offsets of the top layer's stream:
 * only a socket layer alone carries them; elsewhere take finds none (-ENOENT). */
int remote_transport_take_fd(RemoteTransport *t, uint64_t at);
void remote_transport_drop_fds(RemoteTransport *t, uint64_t at);
/* Every layer's held output, bottom-most last: 0 all out, -EAGAIN, -errno. */
int remote_transport_flush(RemoteTransport *t);
/* Runs the handshakes of the layers not ready yet, from the socket up: 0 all ready, -EAGAIN,
 * -errno. */
int remote_transport_handshake(RemoteTransport *t);
bool remote_transport_ready(const RemoteTransport *t);
/* The lowest layer whose handshake is not done (the one that failed, after a failure), or NULL. */
const RemoteLayer *remote_transport_unready(const RemoteTransport *t);
/* Bytes held readable inside the layers. */
size_t remote_transport_pending(const RemoteTransport *t);
/* Whether a layer asks for one packet per writev (RemoteLayerOps.one_packet_per_write). */
bool remote_transport_one_packet_per_write(const RemoteTransport *t);
/* EPOLLIN / EPOLLOUT the layers need on their own account. */
uint32_t remote_transport_wants(const RemoteTransport *t);
/* The peer as every layer knows it, from the socket up. */
int remote_transport_identity(const RemoteTransport *t, RemotePeer *p);

/* For a layer's own ops: the same operations on the layer below it. */
ssize_t remote_layer_read(RemoteLayer *l, void *buf, size_t len);
ssize_t remote_layer_writev(RemoteLayer *l, const struct iovec *iov, size_t n);
