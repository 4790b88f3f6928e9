/* uevent.c: a NETLINK_KOBJECT_UEVENT socket in the event loop: each kernel datagram parsed into a Uevent and handed on. */
#define LOG_MODULE "uevent"
#include "uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define UEVENT_BUF 8192                 /* the kernel's UEVENT_BUFFER_SIZE is 2048 */
#define UEVENT_RCVBUF (1 << 20)         /* bursts (a bridge and its ports) must not overflow */

struct UeventMonitor {
        int fd;
        sd_event_source *source;
        UeventFn fn;
        void *userdata;
};

int uevent_parse(char *buf, size_t len, Uevent *ev) {
        if (len == 0 || len >= UEVENT_BUF)
                return -EINVAL;
        buf[len] = '\0';
        char *at = strchr(buf, '@');
        if (!at || at - buf >= (ptrdiff_t) strnlen(buf, len))
                return -EINVAL;         /* libudev's "libudev\0" messages and anything else */
        *ev = (Uevent) { .action = "", .devpath = "", .subsystem = "", .interface = "" };
        for (size_t off = strlen(buf) + 1; off < len; off += strlen(buf + off) + 1) {
                const char *kv = buf + off;
                if (strncmp(kv, "ACTION=", 7) == 0)
                        ev->action = kv + 7;
                else if (strncmp(kv, "DEVPATH=", 8) == 0)
                        ev->devpath = kv + 8;
                else if (strncmp(kv, "SUBSYSTEM=", 10) == 0)
                        ev->subsystem = kv + 10;
                else if (strncmp(kv, "INTERFACE=", 10) == 0)
                        ev->interface = kv + 10;
        }
        return *ev->action && *ev->devpath ? 0 : -EINVAL;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        UeventMonitor *m = userdata;
        for (;;) {
                char buf[UEVENT_BUF];
                struct sockaddr_nl sa = { 0 };
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
                struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == ENOBUFS) {         /* lost some: the listener rescans anyway */
                                log_warning("kernel uevents were lost (receive buffer full)");
                                Uevent all = { .action = "overflow", .devpath = "", .subsystem = "", .interface = "" };
                                m->fn(&all, m->userdata);
                                continue;
                        }
                        return 0;       /* EAGAIN, EINTR: next time */
                }
                /* only the kernel (port 0) sends on the uevent group; anything else is not trusted */
                if (sa.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
                        continue;
                Uevent ev;
                if (uevent_parse(buf, (size_t) n, &ev) == 0)
                        m->fn(&ev, m->userdata);
        }
}

int uevent_monitor_new(sd_event *e, UeventFn fn, void *userdata, UeventMonitor **out) {
        UeventMonitor *m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->fn = fn;
        m->userdata = userdata;
        m->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        if (m->fd < 0) {
                int r = -errno;
                free(m);
                return r;
        }
        int size = UEVENT_RCVBUF;
        (void) setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };    /* the kernel's group */
        int r = bind(m->fd, (struct sockaddr *) &sa, sizeof sa) < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(e, &m->source, m->fd, EPOLLIN, on_readable, m);
        if (r < 0) {
                uevent_monitor_free(m);
                return r;
        }
        *out = m;
        return 0;
}

UeventMonitor *uevent_monitor_free(UeventMonitor *m) {
        if (!m)
                return NULL;
        sd_event_source_disable_unref(m->source);
        if (m->fd >= 0)
                close(m->fd);
        free(m);
        return NULL;
}
