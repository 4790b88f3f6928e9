/* server-test.h: a server on a real sd-event loop in a scratch directory, and blocking-free test clients driving it. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "connection.h"
#include "manager.h"
#include "protocol-double.h"
#include "server.h"

typedef struct Fixture {
        char *dir;              /* scratch directory */
        char *sock_dir;         /* dir/run: unix_sock_dir */
        sd_event *e;
        Manager *m;
        RemoteServer *s;
        Config cfg;
        const RemoteProtocol *proto;    /* protocol_double unless a test says otherwise */
        char err[512];
} Fixture;

static inline uint64_t st_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ull + (uint64_t) ts.tv_nsec / 1000ull;
}

static inline int st_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static inline Fixture *fx_new(void) {
        Fixture *f = calloc(1, sizeof *f);
        const char *base = getenv("TMPDIR");
        if (asprintf(&f->dir, "%s/vb-srv.XXXXXX", base && *base ? base : "/tmp") < 0 || !mkdtemp(f->dir))
                abort();
        if (asprintf(&f->sock_dir, "%s/run", f->dir) < 0)
                abort();
        if (sd_event_new(&f->e) < 0 || manager_new(f->e, &f->m) < 0)
                abort();
        config_init(&f->cfg);
        f->cfg.unix_sock_dir = strdup(f->sock_dir);
        double_reset();
        f->proto = &protocol_double;
        return f;
}

static inline int fx_start(Fixture *f) {
        f->err[0] = '\0';
        return remote_server_new_with_fds(f->m, f->e, &f->cfg, false, NULL, NULL, NULL, 0, f->proto, &f->s, f->err, sizeof f->err);
}

static inline char *fx_path(Fixture *f, const char *name) {
        char *p;
        if (asprintf(&p, "%s/%s", f->sock_dir, name) < 0)
                abort();
        return p;
}

/* Runs the loop for usec, or until pred(ud) holds; returns whether it holds. */
static inline bool fx_run_until(Fixture *f, bool (*pred)(Fixture *f, void *ud), void *ud, uint64_t usec) {
        uint64_t end = st_now() + usec;
        for (;;) {
                if (pred && pred(f, ud))
                        return true;
                if (st_now() >= end)
                        return false;
                sd_event_run(f->e, 5000);
        }
}

static inline void fx_run(Fixture *f, uint64_t usec) {
        fx_run_until(f, NULL, NULL, usec);
}

static inline void fx_free(Fixture *f) {
        double_reset();
        f->s = remote_server_free(f->s);
        /* Let dropped clients' deferred work run out before the loop goes. */
        sd_event_run(f->e, 0);
        manager_free(f->m);
        sd_event_unref(f->e);
        config_done(&f->cfg);
        nftw(f->dir, st_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(f->dir);
        free(f->sock_dir);
        free(f);
}

/* Entries of dir besides . and .. */
static inline int st_count_entries(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return -1;
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        closedir(d);
        return n;
}

static inline int st_connect_unix(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        return fd;
}

/* Writes all of buf, running the server's loop whenever the socket is full. */
static inline int st_send_all(Fixture *f, int fd, const void *buf, size_t len) {
        const uint8_t *p = buf;
        uint64_t end = st_now() + 10000000ull;
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno != EAGAIN)
                                return -errno;
                        if (st_now() > end)
                                return -ETIMEDOUT;
                        sd_event_run(f->e, 5000);
                        continue;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static inline int st_call(Fixture *f, int fd, int32_t proc, uint32_t serial, const void *payload, size_t n) {
        size_t len;
        uint8_t *p = double_packet(REMOTE_PROGRAM, proc, MSG_CALL, serial, payload, n, &len);
        int r = st_send_all(f, fd, p, len);
        free(p);
        return r;
}

static inline int st_send_word(Fixture *f, int fd, uint32_t w) {
        uint8_t b[4] = { (uint8_t) (w >> 24), (uint8_t) (w >> 16), (uint8_t) (w >> 8), (uint8_t) w };
        return st_send_all(f, fd, b, 4);
}

/* Reads exactly len bytes: 1 done, 0 the server closed the connection, -ETIMEDOUT. */
static inline int st_recv_exact(Fixture *f, int fd, uint8_t *buf, size_t len, uint64_t usec) {
        uint64_t end = st_now() + usec;
        size_t got = 0;
        while (got < len) {
                ssize_t n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno == ECONNRESET))
                        return 0;
                if (n < 0) {
                        if (errno != EAGAIN)
                                return -errno;
                        if (st_now() > end)
                                return -ETIMEDOUT;
                        sd_event_run(f->e, 5000);
                        continue;
                }
                got += (size_t) n;
        }
        return 1;
}

/* One packet (malloc'ed, length word included) or 0 / -ETIMEDOUT as st_recv_exact(). */
static inline int st_recv_packet(Fixture *f, int fd, uint8_t **pkt, size_t *len, uint64_t usec) {
        uint8_t w[4];
        int r = st_recv_exact(f, fd, w, 4, usec);
        if (r <= 0)
                return r;
        size_t n = (size_t) w[0] << 24 | (size_t) w[1] << 16 | (size_t) w[2] << 8 | w[3];
        if (n < 4)
                return -EBADMSG;
        uint8_t *p = malloc(n);
        memcpy(p, w, 4);
        r = st_recv_exact(f, fd, p + 4, n - 4, usec);
        if (r <= 0) {
                free(p);
                return r;
        }
        *pkt = p;
        *len = n;
        return 1;
}

/* The next packet's header, skipping keepalive PINGs when skip_pings (answering nothing). */
static inline int st_recv_header(Fixture *f, int fd, PacketHeader *h, uint64_t usec) {
        uint8_t *p;
        size_t n;
        int r = st_recv_packet(f, fd, &p, &n, usec);
        if (r <= 0)
                return r;
        double_parse(p, h);
        free(p);
        return 1;
}

/* Did the server close fd within usec? Data before the end is read and thrown away. */
static inline bool st_closed_within(Fixture *f, int fd, uint64_t usec) {
        uint64_t end = st_now() + usec;
        uint8_t buf[4096];
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN))
                        return true;
                if (n > 0)
                        continue;
                if (st_now() > end)
                        return false;
                sd_event_run(f->e, 5000);
        }
}

/* An ECHO call answered with the same serial. */
static inline bool st_echo_ok(Fixture *f, int fd, uint32_t serial) {
        if (st_call(f, fd, DOUBLE_PROC_ECHO, serial, "ping", 4) < 0)
                return false;
        PacketHeader h;
        return st_recv_header(f, fd, &h, 3000000) == 1 && h.type == MSG_REPLY && h.serial == serial &&
               h.proc == DOUBLE_PROC_ECHO;
}
