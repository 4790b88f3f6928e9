/* layer-socket.c: the bottom layer: the plain socket, non-blocking reads and gathered writes, the peer's credentials or address. */
#include "transport.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct SocketLayer {
        RemoteLayer base;
        int fd;
} SocketLayer;

static ssize_t socket_read(RemoteLayer *l, void *buf, size_t len) {
        SocketLayer *s = (SocketLayer *) l;
        for (;;) {
                ssize_t n = read(s->fd, buf, len);
                if (n >= 0)
                        return n;
                if (errno != EINTR)
                        return -errno;
        }
}

static ssize_t socket_writev(RemoteLayer *l, const struct iovec *iov, size_t n) {
        SocketLayer *s = (SocketLayer *) l;
        struct msghdr mh = { .msg_iov = (struct iovec *) iov, .msg_iovlen = n };
        for (;;) {
                ssize_t w = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w >= 0)
                        return w;
                if (errno != EINTR)
                        return -errno;
        }
}

static int socket_identity(RemoteLayer *l, RemotePeer *p) {
        SocketLayer *s = (SocketLayer *) l;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(s->fd, (struct sockaddr *) &ss, &len) < 0)
                return -errno;
        if (ss.ss_family == AF_UNIX) {
                struct ucred cr;
                len = sizeof cr;
                if (getsockopt(s->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
                        return -errno;  /* no identity, no service */
                p->has_cred = true;
                p->uid = cr.uid;
                p->gid = cr.gid;
                p->pid = cr.pid;
                return 0;
        }
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        len = sizeof ss;
        if (getpeername(s->fd, (struct sockaddr *) &ss, &len) < 0 ||
            getnameinfo((struct sockaddr *) &ss, len, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0)
                snprintf(p->address, sizeof p->address, "tcp peer");
        else
                snprintf(p->address, sizeof p->address, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
        return 0;
}

static void socket_close(RemoteLayer *l) {
        SocketLayer *s = (SocketLayer *) l;
        if (s->fd >= 0)
                close(s->fd);
        free(s);
}

static const RemoteLayerOps socket_ops = {
        .name = "socket",
        .read = socket_read,
        .writev = socket_writev,
        .identity = socket_identity,
        .close = socket_close,
};

int remote_layer_socket_new(int fd, RemoteLayer **out) {
        SocketLayer *s = calloc(1, sizeof *s);
        if (!s) {
                close(fd);
                return -ENOMEM;
        }
        *s = (SocketLayer) { .base = { .ops = &socket_ops, .ready = true }, .fd = fd };
        *out = &s->base;
        return 0;
}
