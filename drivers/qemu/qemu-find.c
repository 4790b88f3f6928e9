/* qemu-find.c: a live QEMU of a domain found without its runtime record: the listener on its monitor socket, and the command lines in /proc. */
#include "qemu-find.h"

#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "process.h"

const ProcessProgram qemu_program = { "QEMU", VB_FROM_QEMU };

#define CMDLINE_MAX ((size_t) 1024 * 1024)

/* Does the field of opts (a QEMU option string: fields split by single commas, ",," being a
 * comma) that starts with key= (key NULL: the first field) hold exactly want? */
static bool opt_value_is(const char *opts, const char *key, const char *want) {
        size_t klen = key ? strlen(key) : 0;
        bool first = true;
        for (const char *p = opts;; first = false) {
                bool hit = key ? strncmp(p, key, klen) == 0 && p[klen] == '=' : first;
                const char *v = hit && key ? p + klen + 1 : p, *w = want;
                bool same = hit;
                for (; *v; v++) {
                        if (*v == ',') {
                                if (v[1] != ',')
                                        break;
                                v++;
                        }
                        if (same && *w++ != *v)
                                same = false;
                }
                if (same && !*w)
                        return true;
                if (!*v)
                        return false;
                p = v + 1;
        }
}

void qemu_cmdline_match(const char *cmdline, size_t len, const char *name, const char *uuid,
                        const char *monitor_path, bool *by_uuid, bool *by_monitor, bool *by_name) {
        bool u = false, m = false, n = false;
        const char *end = cmdline + len, *prev = NULL;
        for (const char *a = cmdline; a < end; a += strnlen(a, (size_t) (end - a)) + 1) {
                if (prev && strcmp(prev, "-uuid") == 0 && uuid && strcasecmp(a, uuid) == 0)
                        u = true;
                else if (prev && strcmp(prev, "-chardev") == 0 && monitor_path &&
                         opt_value_is(a, "path", monitor_path))
                        m = true;
                else if (prev && strcmp(prev, "-name") == 0 && name) {
                        /* "guest=NAME,…", or the older "NAME,…" */
                        if (strncmp(a, "guest=", 6) == 0 ? opt_value_is(a, "guest", name)
                                                          : opt_value_is(a, NULL, name))
                                n = true;
                }
                prev = a;
        }
        if (by_uuid)
                *by_uuid = u;
        if (by_monitor)
                *by_monitor = m;
        if (by_name)
                *by_name = n;
}

/* 1 with *pid: something listens on path; 0: nothing does; -1: cannot tell (why). */
static int probe_monitor(const char *path, pid_t *pid, char *why, size_t whylen) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path) {
                snprintf(why, whylen, "its monitor socket path is too long");
                return -1;
        }
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                snprintf(why, whylen, "cannot make a socket: %s", strerror(errno));
                return -1;
        }
        int r = connect(fd, (struct sockaddr *) &sa, sizeof sa);
        int e = errno;
        if (r == 0) {
                struct ucred cred;
                socklen_t l = sizeof cred;
                r = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &l);
                e = errno;
                close(fd);
                if (r < 0 || cred.pid <= 0) {
                        snprintf(why, whylen, "something listens on its monitor socket %s, but who cannot be told (%s)",
                                 path, r < 0 ? strerror(e) : "no pid");
                        return -1;
                }
                *pid = cred.pid;
                return 1;
        }
        close(fd);
        if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
                return 0;
        if (e == EAGAIN)
                snprintf(why, whylen, "its monitor socket %s has a listener that does not accept", path);
        else
                snprintf(why, whylen, "cannot connect to its monitor socket %s: %s", path, strerror(e));
        return -1;
}

/* /proc/PID/cmdline: 0 with the bytes, -ESRCH when the process is gone, else -errno. */
static int read_cmdline(pid_t pid, char **out, size_t *len) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        size_t cap = 4096, n = 0;
        char *buf = malloc(cap);
        int r = 0;
        while (buf) {
                if (n == cap) {
                        if (cap >= CMDLINE_MAX)
                                break;  /* what is past 1 MiB is not looked at */
                        char *b = realloc(buf, cap * 2);
                        if (!b)
                                break;
                        buf = b;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        r = errno == ESRCH ? -ESRCH : -errno;
                        break;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        close(fd);
        if (!buf)
                return -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *out = buf;
        *len = n;
        return 0;
}

static void cmdline_of(pid_t pid, const char *name, const char *uuid, const char *monitor_path, bool *u, bool *m,
                       bool *n) {
        char *cmd = NULL;
        size_t len = 0;
        *u = *m = *n = false;
        if (read_cmdline(pid, &cmd, &len) == 0)
                qemu_cmdline_match(cmd, len, name, uuid, monitor_path, u, m, n);
        free(cmd);
}

int qemu_find_running(const char *name, const char *uuid, const char *monitor_path, QemuFound *out) {
        memset(out, 0, sizeof *out);
        pid_t self = getpid(), listener = 0;
        char why[sizeof out->why] = "";
        int k = monitor_path ? probe_monitor(monitor_path, &listener, why, sizeof why) : 0;
        bool unsure = k < 0;
        if (listener == self)
                listener = 0;

        /* Every process's command line. */
        unsigned matches = 0;
        pid_t first = 0;
        DIR *dir = opendir("/proc");
        if (!dir) {
                snprintf(why, sizeof why, "cannot read /proc: %s", strerror(errno));
                unsure = true;
        }
        for (struct dirent *de; dir && (de = readdir(dir));) {
                char *end;
                long v = strtol(de->d_name, &end, 10);
                if (*end || v <= 0 || (pid_t) v == self)
                        continue;
                char *cmd = NULL;
                size_t len = 0;
                int r = read_cmdline((pid_t) v, &cmd, &len);
                if (r == -ESRCH)
                        continue;       /* ended meanwhile */
                if (r < 0) {
                        snprintf(why, sizeof why, "cannot read /proc/%ld/cmdline: %s", v, strerror(-r));
                        unsure = true;
                        continue;
                }
                bool u, m;
                qemu_cmdline_match(cmd, len, name, uuid, monitor_path, &u, &m, NULL);
                free(cmd);
                if ((u || m) && (pid_t) v != listener && matches++ == 0)
                        first = (pid_t) v;
        }
        if (dir)
                closedir(dir);

        pid_t pid = listener ? listener : first;
        unsigned total = matches + (listener ? 1 : 0);
        if (!pid) {
                if (unsure)
                        snprintf(out->why, sizeof out->why, "%s", why);
                return unsure ? -1 : 0;
        }
        out->pid = pid;
        out->how = listener ? "monitor socket" : "command line";
        bool u, m, n;
        cmdline_of(pid, name, uuid, monitor_path, &u, &m, &n);
        if (listener)
                m = true;       /* it holds the socket, whatever its command line says */
        out->adoptable = u && m && total == 1 && process_read_start_time(pid, &out->start_time) == 0;
        if (total > 1)
                snprintf(out->why, sizeof out->why, "%u processes name this domain (pid %d among them)", total,
                         (int) pid);
        else if (!out->adoptable)
                snprintf(out->why, sizeof out->why, "process %d %s%s%s", (int) pid,
                         u ? "has its uuid" : "does not have its uuid",
                         m ? " and its monitor socket" : ", not its monitor socket", n ? " and its name" : "");
        return 1;
}
