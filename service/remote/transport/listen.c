/* listen.c: opening the remote door's sockets: unix sockets with their modes and group, stale socket takeover, TCP, systemd's sockets. */
#define LOG_MODULE "remote"

#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "log.h"

/* libvirtd's backlog is 30; a burst of virsh processes should not see ECONNREFUSED. */
#define LISTEN_BACKLOG 256

static int listen_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int listen_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) {
        if (errbuf && errlen > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errbuf, errlen, fmt, ap);
                va_end(ap);
        }
        return r;
}

const char *listen_kind_name(ListenKind kind) {
        switch (kind) {
        case LISTEN_UNIX_RW:
                return "read-write";
        case LISTEN_UNIX_RO:
                return "read-only";
        case LISTEN_TCP:
                return "tcp";
        case LISTEN_TLS:
                return "tls";
        }
        return "?";
}

int listen_parse_mode(const char *s, mode_t *out) {
        size_t n = s ? strspn(s, "01234567") : 0;
        if (n == 0 || n > 6 || s[n] != '\0')
                return -EINVAL;
        unsigned long v = strtoul(s, NULL, 8);
        if (v > 07777)
                return -EINVAL;
        *out = (mode_t) v;
        return 0;
}

int listen_mkdir_p(const char *dir, mode_t mode, char *errbuf, size_t errlen) {
        char *p = strdup(dir);
        if (!p)
                return listen_fail(-ENOMEM, errbuf, errlen, "out of memory");
        int r = 0;
        for (char *slash = p + 1;; slash++) {
                bool last = *slash == '\0';
                if (!last && *slash != '/')
                        continue;
                *slash = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST) {
                        r = listen_fail(-errno, errbuf, errlen, "cannot create directory %s: %s", p, strerror(errno));
                        break;
                }
                if (last)
                        break;
                *slash = '/';
        }
        if (r == 0) {
                struct stat st;
                if (stat(dir, &st) < 0)
                        r = listen_fail(-errno, errbuf, errlen, "cannot use directory %s: %s", dir, strerror(errno));
                else if (!S_ISDIR(st.st_mode))
                        r = listen_fail(-ENOTDIR, errbuf, errlen, "%s is not a directory", dir);
        }
        free(p);
        return r;
}

static int listen_fill_sun(struct sockaddr_un *sa, const char *path) {
        memset(sa, 0, sizeof *sa);
        sa->sun_family = AF_UNIX;
        if (strlen(path) >= sizeof sa->sun_path)
                return -ENAMETOOLONG;
        strcpy(sa->sun_path, path);
        return 0;
}

/* Is someone listening at path? 1 yes, 0 no (the file is stale or gone), <0 cannot tell. */
static int listen_probe_unix(const struct sockaddr_un *sa) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int r = connect(fd, (const struct sockaddr *) sa, sizeof *sa);
        int e = errno;
        close(fd);
        if (r == 0)
                return 1;
        switch (e) {
        case EAGAIN:            /* a full backlog is still a live listener */
        case EINPROGRESS:
                return 1;
        case ECONNREFUSED:
        case ENOENT:
                return 0;
        default:
                return -e;
        }
}

/* Remove a socket file whose owner is gone; refuse one that is in use or not a socket. */
static int listen_take_over(const struct sockaddr_un *sa, char *errbuf, size_t errlen) {
        const char *path = sa->sun_path;
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return listen_fail(-errno, errbuf, errlen, "cannot check %s: %s", path, strerror(errno));
        }
        if (!S_ISSOCK(st.st_mode))
                return listen_fail(-EEXIST, errbuf, errlen, "%s exists and is not a socket", path);
        int r = listen_probe_unix(sa);
        if (r > 0)
                return listen_fail(-EADDRINUSE, errbuf, errlen, "%s is in use by another process", path);
        if (r < 0)
                return listen_fail(r, errbuf, errlen, "cannot check whether %s is in use: %s", path, strerror(-r));
        if (unlink(path) < 0 && errno != ENOENT)
                return listen_fail(-errno, errbuf, errlen, "cannot remove the stale socket %s: %s", path,
                                   strerror(errno));
        log_info("removed the stale socket %s (no process listened on it)", path);
        return 0;
}

int listen_unix(const char *path, ListenKind kind, mode_t mode, gid_t gid, ListenSocket *out,
                char *errbuf, size_t errlen) {
        struct sockaddr_un sa;
        if (listen_fill_sun(&sa, path) < 0)
                return listen_fail(-ENAMETOOLONG, errbuf, errlen, "socket path %s is too long (at most %zu bytes)",
                                   path, sizeof sa.sun_path - 1);
        int r = listen_take_over(&sa, errbuf, errlen);
        if (r < 0)
                return r;

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return listen_fail(-errno, errbuf, errlen, "cannot create a socket: %s", strerror(errno));
        /* The file is born owner-only and widened by chmod() once its group is right. */
        mode_t old_umask = umask(0177);
        r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
        int e = errno;
        umask(old_umask);
        if (r < 0) {
                close(fd);
                if (e == EADDRINUSE)
                        return listen_fail(-EADDRINUSE, errbuf, errlen, "%s is in use by another process", path);
                return listen_fail(-e, errbuf, errlen, "cannot bind %s: %s", path, strerror(e));
        }
        const char *what = NULL;
        struct stat st;
        if (gid != (gid_t) -1 && chown(path, (uid_t) -1, gid) < 0)
                what = "set the group of";
        else if (chmod(path, mode) < 0)
                what = "set the mode of";
        else if (stat(path, &st) < 0)
                what = "check";
        else if (listen(fd, LISTEN_BACKLOG) < 0)
                what = "listen on";
        if (what) {
                e = errno;
                unlink(path);
                close(fd);
                return listen_fail(-e, errbuf, errlen, "cannot %s %s: %s", what, path, strerror(e));
        }
        char *p1 = strdup(path), *p2 = strdup(path);
        if (!p1 || !p2) {
                free(p1);
                free(p2);
                unlink(path);
                close(fd);
                return listen_fail(-ENOMEM, errbuf, errlen, "out of memory");
        }
        *out = (ListenSocket) { .fd = fd, .kind = kind, .name = p1, .path = p2, .dev = st.st_dev, .ino = st.st_ino };
        log_debug("listening on %s (%s, mode %04o)", path, listen_kind_name(kind), (unsigned) mode);
        return 0;
}

static char *listen_describe_addr(const struct sockaddr *sa, socklen_t len) {
        char host[NI_MAXHOST], serv[NI_MAXSERV], *s = NULL;
        if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
                return strdup("?");
        if (asprintf(&s, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv) < 0)
                return NULL;
        return s;
}

static int listen_tcp_one(const struct addrinfo *ai, ListenSocket *out, char *errbuf, size_t errlen) {
        char *name = listen_describe_addr(ai->ai_addr, ai->ai_addrlen);
        if (!name)
                return listen_fail(-ENOMEM, errbuf, errlen, "out of memory");
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        int one = 1, r = 0;
        if (fd < 0)
                r = -errno;
        else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
                r = -errno;
        else if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
                r = -errno;
        else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0)
                r = -errno;
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                listen_fail(r, errbuf, errlen, r == -EADDRINUSE ? "cannot listen on %s: %s (is libvirtd running?)"
                                                                 : "cannot listen on %s: %s",
                            name, strerror(-r));
                free(name);
                return r;
        }
        *out = (ListenSocket) { .fd = fd, .kind = LISTEN_TCP, .name = name };
        log_debug("listening on %s (tcp)", name);
        return 0;
}

int listen_tcp(const char *addr, const char *port, ListenSocket **out, size_t *n_out, char *errbuf, size_t errlen) {
        struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM }, *res = NULL;
        int g = getaddrinfo(addr, port, &hints, &res);
        if (g != 0)
                return listen_fail(-EADDRNOTAVAIL, errbuf, errlen, "listen_addr \"%s\", tcp_port \"%s\": %s",
                                   addr ? addr : "", port, g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        size_t n = 0, cap = 0;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
                cap++;
        ListenSocket *v = calloc(cap ? cap : 1, sizeof *v);
        int r = v ? 0 : listen_fail(-ENOMEM, errbuf, errlen, "out of memory");
        for (struct addrinfo *ai = res; ai && r == 0; ai = ai->ai_next) {
                if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
                        continue;
                int q = listen_tcp_one(ai, &v[n], errbuf, errlen);
                if (q == 0)
                        n++;
                else if (q == -EAFNOSUPPORT || q == -EADDRNOTAVAIL)
                        log_debug("skipping a TCP address: %s", errbuf);   /* no IPv6 here, say */
                else
                        r = q;
        }
        freeaddrinfo(res);
        if (r == 0 && n == 0)
                r = listen_fail(-EADDRNOTAVAIL, errbuf, errlen, "listen_addr \"%s\", tcp_port \"%s\": no address to listen on",
                                addr ? addr : "", port);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        listen_socket_close(&v[i]);
                free(v);
                return r;
        }
        *out = v;
        *n_out = n;
        return 0;
}

static bool listen_str_ends(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

int listen_adopt(int fd, const char *name, ListenSocket *out, char *errbuf, size_t errlen) {
        static const struct {
                const char *name;
                ListenKind kind;
        } known[] = {
                { "virtbusd.socket", LISTEN_UNIX_RW },
                { "virtbusd-ro.socket", LISTEN_UNIX_RO },
                { "virtbusd-tcp.socket", LISTEN_TCP },
                { "virtbusd-tls.socket", LISTEN_TLS },
                { "libvirtd.socket", LISTEN_UNIX_RW },
                { "libvirtd-ro.socket", LISTEN_UNIX_RO },
                { "libvirtd-tcp.socket", LISTEN_TCP },
                { "libvirtd-tls.socket", LISTEN_TLS },
        };
        bool named = name && *name && strcmp(name, "unknown") != 0;
        int kind = -1;
        for (size_t i = 0; named && i < sizeof known / sizeof known[0]; i++)
                if (strcmp(name, known[i].name) == 0)
                        kind = (int) known[i].kind;
        if (named && kind < 0)
                return listen_fail(-EINVAL, errbuf, errlen, "socket %d from systemd (%s) is not one of virtbusd's", fd, name);

        char *desc = NULL;
        if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0) {
                struct sockaddr_un sa = { 0 };
                socklen_t len = sizeof sa;
                if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                        return listen_fail(-errno, errbuf, errlen, "socket %d from systemd: %s", fd, strerror(errno));
                const char *path = sa.sun_path[0] ? sa.sun_path : "(abstract)";
                if (kind < 0)
                        kind = listen_str_ends(path, "-ro") ? LISTEN_UNIX_RO
                             : listen_str_ends(path, "-admin-sock") ? -1 : LISTEN_UNIX_RW;
                if (kind == LISTEN_TCP || kind == LISTEN_TLS || kind < 0)
                        return listen_fail(-EINVAL, errbuf, errlen, "socket %d from systemd (%s) does not fit: %s",
                                           fd, named ? name : "unnamed", path);
                desc = strndup(path, sizeof sa.sun_path);
        } else if (sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) > 0) {
                if (kind < 0)
                        kind = LISTEN_TCP;
                if (kind != LISTEN_TCP && kind != LISTEN_TLS)
                        return listen_fail(-EINVAL, errbuf, errlen, "socket %d from systemd (%s) is a TCP socket", fd, name);
                struct sockaddr_storage ss;
                socklen_t len = sizeof ss;
                if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                        return listen_fail(-errno, errbuf, errlen, "socket %d from systemd: %s", fd, strerror(errno));
                desc = listen_describe_addr((struct sockaddr *) &ss, len);
        } else {
                return listen_fail(-EINVAL, errbuf, errlen,
                                   "socket %d from systemd (%s) is not a listening stream socket", fd,
                                   named ? name : "unnamed");
        }
        if (!desc)
                return listen_fail(-ENOMEM, errbuf, errlen, "out of memory");
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                int e = errno;
                free(desc);
                return listen_fail(-e, errbuf, errlen, "socket %d from systemd: %s", fd, strerror(e));
        }
        *out = (ListenSocket) { .fd = fd, .kind = (ListenKind) kind, .name = desc };
        log_debug("adopted %s from systemd (%s)", desc, listen_kind_name(out->kind));
        return 0;
}

void listen_socket_close(ListenSocket *l) {
        if (!l)
                return;
        if (l->fd >= 0)
                close(l->fd);
        struct stat st;
        /* Only the file this process bound: a successor may already have replaced it. */
        if (l->path && lstat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
                unlink(l->path);
        free(l->path);
        free(l->name);
        *l = (ListenSocket) { .fd = -1 };
}
