/* qemu-log-writer.c: virtbus-qemu-log, the per-guest reader of QEMU's output: a pipe in, the guest's log file out, rotated by size with a kept count (virtlogd's job). It outlives the daemon and ends when QEMU closes the pipe. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*   virtbus-qemu-log FD PATH MAX_SIZE MAX_BACKUPS
 * FD: the pipe's read end. MAX_SIZE 0: never rotate. MAX_BACKUPS: PATH.1 … PATH.N kept
 * (0: the log starts over instead). Exit status 0 at the pipe's end, 1 on bad arguments,
 * 2 when the log cannot be written. */

typedef struct Log {
        const char *path;
        unsigned long long max_size;
        unsigned backups;
        int fd;
        unsigned long long size;
} Log;

static int log_open(Log *l) {
        l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
        if (l->fd < 0) {
                fprintf(stderr, "virtbus-qemu-log: cannot open %s: %s\n", l->path, strerror(errno));
                return -1;
        }
        struct stat st;
        l->size = fstat(l->fd, &st) == 0 ? (unsigned long long) st.st_size : 0;
        return 0;
}

/* PATH.N-1 → PATH.N … PATH → PATH.1, the oldest dropped; then a new PATH. */
static int log_rotate(Log *l) {
        char from[PATH_MAX], to[PATH_MAX];
        close(l->fd);
        if (l->backups == 0) {
                if (truncate(l->path, 0) < 0 && errno != ENOENT)
                        fprintf(stderr, "virtbus-qemu-log: cannot truncate %s: %s\n", l->path, strerror(errno));
                return log_open(l);
        }
        for (unsigned i = l->backups; i > 0; i--) {
                if (i > 1)
                        snprintf(from, sizeof from, "%s.%u", l->path, i - 1);
                else
                        snprintf(from, sizeof from, "%s", l->path);
                snprintf(to, sizeof to, "%s.%u", l->path, i);
                if (rename(from, to) < 0 && errno != ENOENT)
                        fprintf(stderr, "virtbus-qemu-log: cannot rename %s: %s\n", from, strerror(errno));
        }
        return log_open(l);
}

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, buf, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                buf += w;
                n -= (size_t) w;
        }
        return 0;
}

/* buf into the log, rotating first whenever the next bytes would pass max_size. */
static int log_write(Log *l, const char *buf, size_t n) {
        while (n > 0) {
                size_t chunk = n;
                if (l->max_size) {
                        if (l->size >= l->max_size && log_rotate(l) < 0)
                                return -1;
                        unsigned long long room = l->max_size - l->size;
                        if (chunk > room) {
                                /* end the file at a line break when the chunk has one that fits */
                                const char *nl = NULL;
                                for (size_t i = (size_t) room; i > 0 && !nl; i--)
                                        if (buf[i - 1] == '\n')
                                                nl = buf + i;
                                chunk = nl ? (size_t) (nl - buf) : (l->size ? 0 : (size_t) room);
                                if (chunk == 0) {
                                        if (log_rotate(l) < 0)
                                                return -1;
                                        continue;
                                }
                        }
                }
                if (write_all(l->fd, buf, chunk) < 0) {
                        fprintf(stderr, "virtbus-qemu-log: cannot write %s: %s\n", l->path, strerror(errno));
                        return -1;
                }
                l->size += chunk;
                buf += chunk;
                n -= chunk;
        }
        return 0;
}

static int parse_ull(const char *s, unsigned long long max, unsigned long long *out) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v > max)
                return -1;
        *out = v;
        return 0;
}

int main(int argc, char **argv) {
        unsigned long long fd, max_size, backups;
        if (argc != 5 || parse_ull(argv[1], INT_MAX, &fd) < 0 || parse_ull(argv[3], ULLONG_MAX, &max_size) < 0 ||
            parse_ull(argv[4], 1000, &backups) < 0 || argv[2][0] != '/') {
                fprintf(stderr, "usage: virtbus-qemu-log FD /ABSOLUTE/PATH MAX_SIZE MAX_BACKUPS(0-1000)\n");
                return 1;
        }
        /* the daemon may go and come back: nothing of its session or terminal ends this */
        signal(SIGHUP, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        Log l = { .path = argv[2], .max_size = max_size, .backups = (unsigned) backups, .fd = -1 };
        if (log_open(&l) < 0)
                return 2;
        char buf[65536];
        for (;;) {
                ssize_t n = read((int) fd, buf, sizeof buf);
                if (n == 0)
                        break;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "virtbus-qemu-log: cannot read its pipe: %s\n", strerror(errno));
                        return 2;
                }
                if (log_write(&l, buf, (size_t) n) < 0)
                        return 2;
        }
        close(l.fd);
        return 0;
}
