/* transport.c: the layer stack of one connection: each operation goes to the top layer, which uses the one below. */
#include "transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "layer-socket.h"

int remote_transport_new(int fd, RemoteTransport **out) {
        RemoteTransport *t = calloc(1, sizeof *t);
        if (!t) {
                close(fd);
                return -ENOMEM;
        }
        int r = remote_layer_socket_new(fd, &t->top);
        if (r < 0) {
                free(t);
                return r;
        }
        t->fd = fd;
        *out = t;
        return 0;
}

void remote_transport_push(RemoteTransport *t, RemoteLayer *l) {
        l->below = t->top;
        l->ready = !l->ops->handshake;
        t->top = l;
}

RemoteTransport *remote_transport_free(RemoteTransport *t) {
        if (!t)
                return NULL;
        while (t->top) {
                RemoteLayer *l = t->top;
                t->top = l->below;
                l->ops->close(l);
        }
        free(t);
        return NULL;
}

ssize_t remote_layer_read(RemoteLayer *l, void *buf, size_t len) {
        return l->ops->read(l, buf, len);
}

ssize_t remote_layer_writev(RemoteLayer *l, const struct iovec *iov, size_t n) {
        return l->ops->writev(l, iov, n);
}

ssize_t remote_transport_read(RemoteTransport *t, void *buf, size_t len) {
        return remote_layer_read(t->top, buf, len);
}

ssize_t remote_transport_writev(RemoteTransport *t, const struct iovec *iov, size_t n) {
        return remote_layer_writev(t->top, iov, n);
}

bool remote_transport_can_pass_fds(RemoteTransport *t) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        return t && t->top && !t->top->below && getsockname(t->fd, (struct sockaddr *) &ss, &len) == 0 &&
               ss.ss_family == AF_UNIX;
}

int remote_transport_send_fd(RemoteTransport *t, int fd) {
        if (!remote_transport_can_pass_fds(t))
                return -ENOTSUP;
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = { 0 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                             .msg_controllen = sizeof ctl.buf };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        for (;;) {
                ssize_t w = sendmsg(t->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w == 1)
                        return 0;
                if (w < 0 && errno == EINTR)
                        continue;
                return w < 0 ? -errno : -EIO;
        }
}

int remote_transport_take_fd(RemoteTransport *t, uint64_t at) {
        RemoteLayer *l = t ? t->top : NULL;
        return l && !l->below && l->ops->take_fd ? l->ops->take_fd(l, at) : -ENOENT;
}

void remote_transport_drop_fds(RemoteTransport *t, uint64_t at) {
        RemoteLayer *l = t ? t->top : NULL;
        if (l && !l->below && l->ops->drop_fds)
                l->ops->drop_fds(l, at);
}

int remote_transport_flush(RemoteTransport *t) {
        /* From the top down: what an upper layer pushes out lands in the one below it. */
        int r = 0;
        for (RemoteLayer *l = t->top; l; l = l->below) {
                int q = l->ops->flush ? l->ops->flush(l) : 0;
                if (q < 0 && q != -EAGAIN)
                        return q;
                if (q == -EAGAIN)
                        r = -EAGAIN;
        }
        return r;
}

static int layer_handshake(RemoteLayer *l) {
        if (l->below) {
                int r = layer_handshake(l->below);
                if (r < 0)
                        return r;
        }
        if (l->ready)
                return 0;
        int r = l->ops->handshake(l);
        if (r == 0)
                l->ready = true;
        return r;
}

int remote_transport_handshake(RemoteTransport *t) {
        return layer_handshake(t->top);
}

bool remote_transport_one_packet_per_write(const RemoteTransport *t) {
        for (const RemoteLayer *l = t->top; l; l = l->below)
                if (l->ops->one_packet_per_write)
                        return true;
        return false;
}

bool remote_transport_ready(const RemoteTransport *t) {
        return !remote_transport_unready(t);
}

const RemoteLayer *remote_transport_unready(const RemoteTransport *t) {
        const RemoteLayer *lowest = NULL;
        for (const RemoteLayer *l = t->top; l; l = l->below)
                if (!l->ready)
                        lowest = l;
        return lowest;
}

size_t remote_transport_pending(const RemoteTransport *t) {
        size_t n = 0;
        for (RemoteLayer *l = t->top; l; l = l->below)
                if (l->ops->pending)
                        n += l->ops->pending(l);
        return n;
}

uint32_t remote_transport_wants(const RemoteTransport *t) {
        uint32_t ev = 0;
        for (RemoteLayer *l = t->top; l; l = l->below)
                if (l->ops->wants)
                        ev |= l->ops->wants(l);
        return ev;
}

static int layer_identity(RemoteLayer *l, RemotePeer *p) {
        if (l->below) {
                int r = layer_identity(l->below, p);
                if (r < 0)
                        return r;
        }
        return l->ops->identity ? l->ops->identity(l, p) : 0;
}

int remote_transport_identity(const RemoteTransport *t, RemotePeer *p) {
        *p = (RemotePeer) { .uid = (uid_t) -1, .gid = (gid_t) -1, .pid = -1 };
        return layer_identity(t->top, p);
}
