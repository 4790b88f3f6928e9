/* transport.h: a client connection's byte stream as a stack of layers (socket, later TLS and SASL), each an ops table. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "layer.h"

/* The stack of one connection: the socket at the bottom, the protocol reads the top. */
typedef struct RemoteTransport {
        RemoteLayer *top;
        int fd;                         /* the socket, for the event loop; owned by the socket layer */
} RemoteTransport;

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
