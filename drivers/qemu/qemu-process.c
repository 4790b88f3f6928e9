/* qemu-process.c: start QEMU as a direct child (clone3 with a pidfd), watch the pidfd, reap at once, find a survivor again. */
#define LOG_MODULE "qemu.process"

#include "qemu-process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"

struct QemuProcess {
        sd_event_source *src;
        int pidfd;
        pid_t pid;
        uint64_t start_time;
        bool exited;
        char *log_path;
        off_t log_start;
        QemuProcessExitedFn exited_fn;
        void *userdata;
};

static char *const qemu_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=/", NULL };

int qemu_process_read_start_time(pid_t pid, uint64_t *out) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return e == ESRCH ? -ESRCH : -e;
        buf[n] = '\0';
        /* "PID (COMM) S …": COMM may hold spaces and parentheses, so count from the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        p++;
        for (int field = 3; field <= 22; field++) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EIO;
                if (field == 22) {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(p, &end, 10);
                        if (errno || end == p)
                                return -EIO;
                        *out = v;
                        return 0;
                }
                while (*p && *p != ' ')
                        p++;
        }
        return -EIO;
}

static int qemu_process_on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        QemuProcess *p = userdata;
        siginfo_t si = { 0 };
        if (waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED | WNOHANG) < 0) {
                if (errno != ECHILD) {
                        log_warning("waitid(%d): %s", (int) p->pid, strerror(errno));
                        return 0;
                }
                /* Not our child (adopted after a restart): it ended, how is not ours to know. */
                memset(&si, 0, sizeof si);
                si.si_signo = SIGCHLD;
                si.si_pid = p->pid;
        } else if (si.si_pid == 0) {
                return 0;       /* readable but not yet waitable: try again at the next wakeup */
        }
        p->exited = true;
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        if (si.si_code == CLD_EXITED)
                log_info("QEMU %d exited with status %d", (int) p->pid, si.si_status);
        else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
                log_info("QEMU %d killed by signal %d", (int) p->pid, si.si_status);
        else
                log_info("QEMU %d ended", (int) p->pid);
        if (p->exited_fn)
                p->exited_fn(p, &si, p->userdata);      /* may free p */
        return 0;
}

static int qemu_process_watch(QemuProcess *p, sd_event *e) {
        int r = sd_event_add_io(e, &p->src, p->pidfd, EPOLLIN, qemu_process_on_pidfd, p);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->src, "qemu-pidfd");
        return 0;
}

/* argv[0] as an absolute path, looked up in the PATH QEMU gets when it has no slash. */
static int qemu_process_resolve(const char *name, char **out) {
        if (strchr(name, '/')) {
                if (access(name, X_OK) < 0)
                        return -errno;
                *out = strdup(name);
                return *out ? 0 : -ENOMEM;
        }
        int r = -ENOENT;
        for (const char *dir = "/usr/bin\0/bin\0"; *dir; dir += strlen(dir) + 1) {
                char *path;
                if (asprintf(&path, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                if (access(path, X_OK) == 0) {
                        *out = path;
                        return 0;
                }
                if (errno != ENOENT)
                        r = -errno;
                free(path);
        }
        return r;
}

/* One line of header before QEMU's own output, like libvirt's per-domain log. */
static void qemu_process_write_header(int fd, char *const argv[]) {
        char *line = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&line, &len);
        if (!f)
                return;
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        char when[64];
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(f, "%s.%03ld+0000: starting up virtbus %s\n", when, ts.tv_nsec / 1000000, VIRTBUS_VERSION);
        for (char *const *v = qemu_env; *v; v++)
                fprintf(f, "%s ", *v);
        for (char *const *a = argv; *a; a++) {
                bool plain = **a && strspn(*a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789-_=,.:/+@%") == strlen(*a);
                if (plain) {
                        fputs(*a, f);
                } else {
                        fputc('\'', f);
                        for (const char *c = *a; *c; c++) {
                                if (*c == '\'')
                                        fputs("'\\''", f);
                                else
                                        fputc(*c, f);
                        }
                        fputc('\'', f);
                }
                fputc(a[1] ? ' ' : '\n', f);
        }
        if (fclose(f) == 0 && write(fd, line, len) < 0)
                log_warning("cannot write the QEMU log header: %s", strerror(errno));
        free(line);
}

static void qemu_child_puts(const char *s) {
        (void) !write(STDERR_FILENO, s, strlen(s));
}

/* In the child, between clone and exec: async-signal-safe calls only (the daemon may have
 * threads, whose locks are frozen here). */
static _Noreturn void qemu_child_exec(const char *path, char *const argv[], int null_fd, int log_fd,
                                       const int *keep, size_t n_keep) {
        for (int sig = 1; sig < _NSIG; sig++) {
                struct sigaction sa = { .sa_handler = SIG_DFL };
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL);
        }
        (void) setsid();
        if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
            dup2(log_fd, STDERR_FILENO) < 0)
                _exit(127);
        for (size_t i = 0; i < n_keep; i++)
                (void) fcntl(keep[i], F_SETFD, 0);
        /* Close everything else: keep[] is sorted, so close the gaps between. */
        unsigned lo = 3;
        for (size_t i = 0; i < n_keep; i++) {
                if ((unsigned) keep[i] > lo)
                        (void) close_range(lo, (unsigned) keep[i] - 1, 0);
                lo = (unsigned) keep[i] + 1;
        }
        (void) close_range(lo, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, qemu_env);
        const char *why = strerrordesc_np(errno);
        qemu_child_puts("virtbus: cannot execute ");
        qemu_child_puts(path);
        qemu_child_puts(": ");
        qemu_child_puts(why ? why : "error");
        qemu_child_puts("\n");
        _exit(127);
}

static int qemu_fd_cmp(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* fork(), but atomically with a pidfd: nobody can reap the child before we hold the pidfd. */
static pid_t qemu_process_clone(int *pidfd) {
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) pidfd,
                .exit_signal = SIGCHLD,
        };
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0 || errno != ENOSYS)
                return pid;
        /* clone3 refused (seccomp filters of some container runtimes, valgrind): fork, then open
         * the pidfd; the child cannot be reaped meanwhile because only we wait for our children. */
        pid = fork();
        if (pid > 0) {
                *pidfd = pidfd_open(pid, 0);
                if (*pidfd < 0) {
                        int e = errno;
                        kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        errno = e;
                        return -1;
                }
        }
        return pid;
}

int qemu_process_spawn(sd_event *e, char *const argv[], const char *log_path, const int *keep_fds,
                       size_t n_keep_fds, QemuProcessExitedFn exited, void *userdata, QemuProcess **out,
                       VbError *err) {
        if (!argv || !argv[0])
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "no QEMU command line");
        for (size_t i = 0; i < n_keep_fds; i++)
                if (keep_fds[i] < 3 || fcntl(keep_fds[i], F_GETFD) < 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                            "cannot pass descriptor %d to QEMU", keep_fds[i]);
        char *path = NULL;
        int r = qemu_process_resolve(argv[0], &path);
        if (r < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "Cannot find QEMU binary %s: %s", argv[0],
                                 strerror(-r));
                return -1;
        }
        QemuProcess *p = calloc(1, sizeof *p);
        int *keep = malloc((n_keep_fds ? n_keep_fds : 1) * sizeof *keep);
        int log_fd = -1, null_fd = -1;
        if (p)
                p->pidfd = -1;
        if (!p || !keep || !(p->log_path = strdup(log_path))) {
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                goto fail;
        }
        if (n_keep_fds > 0) {
                memcpy(keep, keep_fds, n_keep_fds * sizeof *keep);
                qsort(keep, n_keep_fds, sizeof *keep, qemu_fd_cmp);
        }

        /* Both at 3 or above, so that the child's dup2() onto 0-2 cannot overwrite one with the other. */
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
        if (fd >= 0) {
                log_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
        }
        if (log_fd < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot open log file '%s': %s", log_path,
                                 strerror(errno));
                goto fail;
        }
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                null_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
        }
        if (null_fd < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot open /dev/null: %s", strerror(errno));
                goto fail;
        }
        qemu_process_write_header(log_fd, argv);
        struct stat st;
        p->log_start = fstat(log_fd, &st) == 0 ? st.st_size : 0;

        /* Block every signal across the clone so that no handler runs in the child before exec;
         * the child restores defaults and unblocks. */
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        pid_t pid = qemu_process_clone(&p->pidfd);
        if (pid == 0)
                qemu_child_exec(path, argv, null_fd, log_fd, keep, n_keep_fds);
        int clone_errno = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot start %s: %s", path,
                                 strerror(clone_errno));
                goto fail;
        }
        p->pid = pid;
        /* The child exists until we reap it, so its start time is readable even if it died. */
        r = qemu_process_read_start_time(pid, &p->start_time);
        if (r >= 0)
                r = qemu_process_watch(p, e);
        if (r < 0) {
                /* A child we cannot watch would be lost: take it back now. */
                vb_error_errno(err, r, "cannot watch the QEMU process");
                (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                siginfo_t si;
                (void) waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED);
                goto fail;
        }
        p->exited_fn = exited;
        p->userdata = userdata;
        log_info("started QEMU %s as pid %d, log %s", path, (int) pid, log_path);
        close(log_fd);
        close(null_fd);
        free(keep);
        free(path);
        *out = p;
        return 0;
fail:
        if (log_fd >= 0)
                close(log_fd);
        if (null_fd >= 0)
                close(null_fd);
        free(keep);
        free(path);
        qemu_process_free(p);
        return -1;
}

int qemu_process_adopt(sd_event *e, pid_t pid, uint64_t start_time, const char *log_path,
                       QemuProcessExitedFn exited, void *userdata, QemuProcess **out, VbError *err) {
        QemuProcess *p = calloc(1, sizeof *p);
        if (p)
                p->pidfd = -1;
        if (!p || (log_path && !(p->log_path = strdup(log_path)))) {
                qemu_process_free(p);
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                return -ENOMEM;
        }
        p->pid = pid;
        /* Open the pidfd first, then check the start time: the pidfd then names the process
         * whose start time matched, even if pid is reused later. */
        p->pidfd = pidfd_open(pid, 0);
        int r = p->pidfd < 0 ? -errno : qemu_process_read_start_time(pid, &p->start_time);
        if (r >= 0 && p->start_time != start_time) {
                log_warning("pid %d started at %llu, not %llu: not the QEMU we started", (int) pid,
                            (unsigned long long) p->start_time, (unsigned long long) start_time);
                r = -ESRCH;
        }
        if (r == -ESRCH) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "QEMU process %d is gone", (int) pid);
                goto fail;
        }
        if (r >= 0)
                r = qemu_process_watch(p, e);
        if (r < 0) {
                vb_error_errno(err, r, "cannot watch the QEMU process");
                goto fail;
        }
        if (p->log_path) {
                struct stat st;
                p->log_start = stat(p->log_path, &st) == 0 ? st.st_size : 0;
        }
        p->exited_fn = exited;
        p->userdata = userdata;
        log_info("found QEMU pid %d again", (int) pid);
        *out = p;
        return 0;
fail:
        qemu_process_free(p);
        return r;
}

int qemu_process_kill(QemuProcess *p, int sig) {
        if (p->exited)
                return -ESRCH;
        if (pidfd_send_signal(p->pidfd, sig, NULL, 0) < 0)
                return -errno;
        return 0;
}

pid_t qemu_process_pid(const QemuProcess *p) {
        return p->pid;
}

uint64_t qemu_process_start_time(const QemuProcess *p) {
        return p->start_time;
}

bool qemu_process_has_exited(const QemuProcess *p) {
        return p->exited;
}

int qemu_log_tail(const char *path, off_t since, size_t max, char **out) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        off_t from = since;
        if (from > st.st_size)
                from = st.st_size;      /* truncated since: nothing new */
        if (st.st_size - from > (off_t) max)
                from = st.st_size - (off_t) max;
        size_t want = (size_t) (st.st_size - from);
        char *buf = malloc(want + 1);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        ssize_t n = pread(fd, buf, want, from);
        int e = errno;
        close(fd);
        if (n < 0) {
                free(buf);
                return -e;
        }
        buf[n] = '\0';
        char *start = buf;
        /* Cut to a line start when the beginning was cut off. */
        if (from > since) {
                char *nl = strchr(buf, '\n');
                if (nl)
                        start = nl + 1;
        }
        size_t len = strlen(start);
        while (len > 0 && strchr(" \t\r\n", start[len - 1]))
                len--;
        memmove(buf, start, len);
        buf[len] = '\0';
        *out = buf;
        return 0;
}

int qemu_process_log_tail(const QemuProcess *p, size_t max, char **out) {
        if (!p->log_path) {
                *out = strdup("");
                return *out ? 0 : -ENOMEM;
        }
        return qemu_log_tail(p->log_path, p->log_start, max, out);
}

QemuProcess *qemu_process_free(QemuProcess *p) {
        if (!p)
                return NULL;
        sd_event_source_disable_unref(p->src);
        if (p->pidfd >= 0)
                close(p->pidfd);
        free(p->log_path);
        free(p);
        return NULL;
}
