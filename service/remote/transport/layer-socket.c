/* layer-socket.c: the bottom layer: the plain socket, non-blocking reads and gathered writes, descriptors that come with the bytes (unix sockets), the peer's credentials or address. */
#include "layer-socket.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "packet.h"

/* A descriptor received with byte `at` of the stream, not yet taken. */
typedef struct InboxFd {
        uint64_t at;
        int fd;
} InboxFd;

typedef struct SocketLayer {
        RemoteLayer base;
        int fd;
        bool is_unix;                   /* read with recvmsg(): descriptors may come with the bytes */
        uint64_t rx_off;                /* bytes read so far: the offset of the next one */
        /* A client sends the descriptors of a call right after it, each with one byte, and the
         * reader takes them as it reaches those bytes: more than a call may carry waiting here is
         * a peer misbehaving. */
        InboxFd inbox[PACKET_FDS_MAX];
        size_t n_inbox;
} SocketLayer;

static void inbox_close_before(SocketLayer *s, uint64_t at) {
        size_t kept = 0;
        for (size_t i = 0; i < s->n_inbox; i++) {
                if (s->inbox[i].at < at)
                        close(s->inbox[i].fd);
                else
                        s->inbox[kept++] = s->inbox[i];
        }
        s->n_inbox = kept;
}

/* The descriptors of one recvmsg() go with its last byte: the kernel ends a read at the first
 * message that carries some. CLOEXEC from the start; a control message cut short (more than a
 * call may carry at once) or a full inbox is the peer's fault: -ETOOMANYREFS, after closing
 * every descriptor that came. */
static int inbox_add(SocketLayer *s, struct msghdr *mh, uint64_t at) {
        bool overflow = mh->msg_flags & MSG_CTRUNC;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                        if (s->n_inbox < PACKET_FDS_MAX) {
                                s->inbox[s->n_inbox++] = (InboxFd) { .at = at, .fd = fd };
                        } else {
                                close(fd);
                                overflow = true;
                        }
                }
        }
        return overflow ? -ETOOMANYREFS : 0;
}

static ssize_t socket_read(RemoteLayer *l, void *buf, size_t len) {
        SocketLayer *s = (SocketLayer *) l;
        for (;;) {
                ssize_t n;
                if (s->is_unix) {
                        union {
                                struct cmsghdr h;
                                char buf[CMSG_SPACE(sizeof(int) * PACKET_FDS_MAX)];
                        } ctl;
                        struct iovec iov = { .iov_base = buf, .iov_len = len };
                        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                                             .msg_controllen = sizeof ctl.buf };
                        n = recvmsg(s->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
                        if (n > 0 && mh.msg_controllen > 0) {
                                int r = inbox_add(s, &mh, s->rx_off + (uint64_t) n - 1);
                                if (r < 0)
                                        return r;
                        }
                } else {
                        n = read(s->fd, buf, len);
                }
                if (n >= 0) {
                        s->rx_off += (uint64_t) n;
                        return n;
                }
                if (errno != EINTR)
                        return -errno;
        }
}

static int socket_take_fd(RemoteLayer *l, uint64_t at) {
        SocketLayer *s = (SocketLayer *) l;
        inbox_close_before(s, at);
        for (size_t i = 0; i < s->n_inbox; i++) {
                if (s->inbox[i].at != at)
                        continue;
                int fd = s->inbox[i].fd;
                memmove(&s->inbox[i], &s->inbox[i + 1], (s->n_inbox - i - 1) * sizeof s->inbox[0]);
                s->n_inbox--;
                return fd;
        }
        return -ENOENT;
}

static void socket_drop_fds(RemoteLayer *l, uint64_t at) {
        inbox_close_before((SocketLayer *) l, at);
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
        inbox_close_before(s, UINT64_MAX);
        free(s);
}

static const RemoteLayerOps socket_ops = {
        .name = "socket",
        .read = socket_read,
        .writev = socket_writev,
        .identity = socket_identity,
        .take_fd = socket_take_fd,
        .drop_fds = socket_drop_fds,
        .close = socket_close,
};

int remote_layer_socket_new(int fd, RemoteLayer **out) {
        SocketLayer *s = calloc(1, sizeof *s);
        if (!s) {
                close(fd);
                return -ENOMEM;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        bool is_unix = getsockname(fd, (struct sockaddr *) &ss, &len) == 0 && ss.ss_family == AF_UNIX;
        *s = (SocketLayer) { .base = { .ops = &socket_ops, .ready = true }, .fd = fd, .is_unix = is_unix };
        *out = &s->base;
        return 0;
}
