/* process.c: start a program as a direct child (clone3 with a pidfd), watch the pidfd, reap at once, find a survivor again. */
#define LOG_MODULE "process"

#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"
#include "process-ns.h"

struct Process {
        const ProcessProgram *prog;
        sd_event_source *src;
        int pidfd;
        pid_t pid;
        uint64_t start_time;
        bool exited;
        char *log_path;
        off_t log_start;
        ProcessExitedFn exited_fn;
        void *userdata;
};

static char *const child_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=/", NULL };

int process_read_start_time(pid_t pid, uint64_t *out) {
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

static int process_on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Process *p = userdata;
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
                log_info("%s %d exited with status %d", p->prog->name, (int) p->pid, si.si_status);
        else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
                log_info("%s %d killed by signal %d", p->prog->name, (int) p->pid, si.si_status);
        else
                log_info("%s %d ended", p->prog->name, (int) p->pid);
        if (p->exited_fn)
                p->exited_fn(p, &si, p->userdata);      /* may free p */
        return 0;
}

static int process_watch(Process *p, sd_event *e) {
        int r = sd_event_add_io(e, &p->src, p->pidfd, EPOLLIN, process_on_pidfd, p);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->src, "process-pidfd");
        return 0;
}

/* argv[0] as an absolute path, looked up in the PATH the child gets when it has no slash. */
static int process_resolve(const char *name, char **out) {
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

/* One line of header before the program's own output, like libvirt's per-domain log. */
static void process_write_header(int fd, char *const argv[]) {
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
        for (char *const *v = child_env; *v; v++)
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
                log_warning("cannot write the log header: %s", strerror(errno));
        free(line);
}

static void child_puts(const char *s) {
        (void) !write(STDERR_FILENO, s, strlen(s));
}

static _Noreturn void child_fail(const char *what) {
        const char *why = strerrordesc_np(errno);
        child_puts("virtbus: cannot ");
        child_puts(what);
        child_puts(": ");
        child_puts(why ? why : "error");
        child_puts("\n");
        _exit(127);
}

/* Raw system calls: glibc's set*id() wrappers would try to reach the parent's other threads,
 * which do not exist in the child. */
static void child_set_creds(const ProcessCreds *c, int cap_last) {
        for (int cap = 0; cap <= cap_last; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        child_fail("drop the capability bounding set");
        if (syscall(SYS_setgroups, c->n_groups, c->groups) < 0)
                child_fail("set the supplementary groups");
        if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0)
                child_fail("set the group id");
        if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
                child_fail("set the user id");
        if (c->uid != 0) {
                (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
                struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
                struct __user_cap_data_struct d[2] = { 0 };
                if (syscall(SYS_capset, &h, d) < 0)
                        child_fail("clear the capabilities");
        }
}

/* The context (or profile) the program is executed in, as setexeccon/aa_change_onexec do. */
static void child_set_exec_label(const char *attr, const char *label) {
        int fd = open(attr, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                child_fail("open the exec security attribute");
        size_t len = strlen(label);
        if (write(fd, label, len) != (ssize_t) len)
                child_fail("set the exec security label");
        (void) close(fd);
}

/* In the child, between clone and exec: async-signal-safe calls only (the daemon may have
 * threads, whose locks are frozen here). */
static _Noreturn void child_exec(const char *path, char *const argv[], int null_fd, int log_fd,
                                       const int *keep, size_t n_keep, const ProcessCreds *creds, int cap_last,
                                       pid_t tie_to) {
        for (int sig = 1; sig < _NSIG; sig++) {
                struct sigaction sa = { .sa_handler = SIG_DFL };
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL);
        }
        (void) setsid();
        /* tied to the daemon: the signal comes when it ends; if it ended before this, go now */
        if (tie_to > 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != tie_to))
                _exit(127);
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
        if (creds && creds->mount_ns) {
                const char *what = process_child_mount_ns(creds->mount_ns);
                if (what)
                        child_fail(what);
        }
        if (creds && creds->exec_attr && creds->exec_label)
                child_set_exec_label(creds->exec_attr, creds->exec_label);
        if (creds && !creds->keep_ids)
                child_set_creds(creds, cap_last);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, child_env);
        const char *why = strerrordesc_np(errno);
        child_puts("virtbus: cannot execute ");
        child_puts(path);
        child_puts(": ");
        child_puts(why ? why : "error");
        child_puts("\n");
        _exit(127);
}

static int fd_cmp(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* fork(), but atomically with a pidfd: nobody can reap the child before we hold the pidfd. */
static pid_t process_clone(int *pidfd) {
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

/* The highest capability number the kernel knows (the bounding set to empty); 63 when unknown
 * (dropping a number the kernel does not know gives EINVAL, which the child ignores). */
static int cap_last_cap(void) {
        int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        char buf[16];
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
                close(fd);
        if (n <= 0)
                return 63;
        buf[n] = '\0';
        int v = atoi(buf);
        return v > 0 && v < 64 ? v : 63;
}

int process_spawn(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path, const int *keep_fds,
                       size_t n_keep_fds, ProcessExitedFn exited, void *userdata, Process **out,
                       VbError *err) {
        return process_spawn_as(e, prog, argv, log_path, keep_fds, n_keep_fds, NULL, exited, userdata, out, err);
}

int process_spawn_as(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path,
                     const int *keep_fds, size_t n_keep_fds, const ProcessCreds *creds, ProcessExitedFn exited,
                     void *userdata, Process **out, VbError *err) {
        return process_spawn_fd_as(e, prog, argv, log_path, -1, keep_fds, n_keep_fds, creds, exited, userdata, out,
                                   err);
}

int process_spawn_fd_as(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path,
                        int out_fd, const int *keep_fds, size_t n_keep_fds, const ProcessCreds *creds,
                        ProcessExitedFn exited, void *userdata, Process **out, VbError *err) {
        if (creds && (creds->n_groups > PROCESS_MAX_GROUPS || (creds->n_groups && !creds->groups)))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, prog->error_from, "too many groups for %s", prog->name);
        int cap_last = creds ? cap_last_cap() : 0;
        if (!argv || !argv[0])
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, prog->error_from, "no %s command line", prog->name);
        for (size_t i = 0; i < n_keep_fds; i++)
                if (keep_fds[i] < 3 || fcntl(keep_fds[i], F_GETFD) < 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, prog->error_from,
                                            "cannot pass descriptor %d to %s", keep_fds[i], prog->name);
        char *path = NULL;
        int r = process_resolve(argv[0], &path);
        if (r < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "Cannot find %s binary %s: %s", prog->name, argv[0],
                                 strerror(-r));
                return -1;
        }
        Process *p = calloc(1, sizeof *p);
        int *keep = malloc((n_keep_fds ? n_keep_fds : 1) * sizeof *keep);
        int log_fd = -1, null_fd = -1;
        if (p) {
                p->pidfd = -1;
                p->prog = prog;
        }
        if (!p || !keep || !(p->log_path = strdup(log_path))) {
                vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
                goto fail;
        }
        if (n_keep_fds > 0) {
                memcpy(keep, keep_fds, n_keep_fds * sizeof *keep);
                qsort(keep, n_keep_fds, sizeof *keep, fd_cmp);
        }

        /* Both at 3 or above, so that the child's dup2() onto 0-2 cannot overwrite one with the other. */
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
        if (fd >= 0 && out_fd >= 0) {
                /* the header straight into the log; the program's output through out_fd */
                process_write_header(fd, argv);
                struct stat hst;
                p->log_start = fstat(fd, &hst) == 0 ? hst.st_size : 0;
                close(fd);
                fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
                if (fd >= 0) {
                        log_fd = fd;
                        fd = -1;
                }
        }
        if (fd >= 0) {
                log_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
        }
        if (log_fd < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot open log file '%s': %s", log_path,
                                 strerror(errno));
                goto fail;
        }
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                null_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
        }
        if (null_fd < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot open /dev/null: %s", strerror(errno));
                goto fail;
        }
        struct stat st;
        if (out_fd < 0) {
                process_write_header(log_fd, argv);
                p->log_start = fstat(log_fd, &st) == 0 ? st.st_size : 0;
        }

        /* Block every signal across the clone so that no handler runs in the child before exec;
         * the child restores defaults and unblocks. */
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        pid_t self = creds && creds->dies_with_daemon ? getpid() : 0;
        pid_t pid = process_clone(&p->pidfd);
        if (pid == 0)
                child_exec(path, argv, null_fd, log_fd, keep, n_keep_fds, creds, cap_last, self);
        int clone_errno = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot start %s: %s", path,
                                 strerror(clone_errno));
                goto fail;
        }
        p->pid = pid;
        /* The child exists until we reap it, so its start time is readable even if it died. */
        r = process_read_start_time(pid, &p->start_time);
        if (r >= 0)
                r = process_watch(p, e);
        if (r < 0) {
                /* A child we cannot watch would be lost: take it back now. */
                if (r == -ENOMEM)
                        vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
                else
                        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot watch the %s process: %s",
                                         prog->name, strerror(-r));
                (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                siginfo_t si;
                (void) waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED);
                goto fail;
        }
        p->exited_fn = exited;
        p->userdata = userdata;
        log_info("started %s %s as pid %d, log %s", prog->name, path, (int) pid, log_path);
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
        process_free(p);
        return -1;
}

int process_adopt(sd_event *e, const ProcessProgram *prog, pid_t pid, uint64_t start_time, const char *log_path,
                       ProcessExitedFn exited, void *userdata, Process **out, VbError *err) {
        Process *p = calloc(1, sizeof *p);
        if (p) {
                p->pidfd = -1;
                p->prog = prog;
        }
        if (!p || (log_path && !(p->log_path = strdup(log_path)))) {
                process_free(p);
                vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
                return -ENOMEM;
        }
        p->pid = pid;
        /* Open the pidfd first, then check the start time: the pidfd then names the process
         * whose start time matched, even if pid is reused later. */
        p->pidfd = pidfd_open(pid, 0);
        int r = p->pidfd < 0 ? -errno : process_read_start_time(pid, &p->start_time);
        if (r >= 0 && p->start_time != start_time) {
                log_warning("pid %d started at %llu, not %llu: not the %s we started", (int) pid,
                            (unsigned long long) p->start_time, (unsigned long long) start_time, prog->name);
                r = -ESRCH;
        }
        if (r == -ESRCH) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, prog->error_from, "%s process %d is gone", prog->name, (int) pid);
                goto fail;
        }
        if (r >= 0)
                r = process_watch(p, e);
        if (r < 0) {
                if (r == -ENOMEM)
                        vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
                else
                        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot watch the %s process: %s",
                                         prog->name, strerror(-r));
                goto fail;
        }
        if (p->log_path) {
                struct stat st;
                p->log_start = stat(p->log_path, &st) == 0 ? st.st_size : 0;
        }
        p->exited_fn = exited;
        p->userdata = userdata;
        log_info("found %s pid %d again", prog->name, (int) pid);
        *out = p;
        return 0;
fail:
        process_free(p);
        return r;
}

int process_kill(Process *p, int sig) {
        if (p->exited)
                return -ESRCH;
        if (pidfd_send_signal(p->pidfd, sig, NULL, 0) < 0)
                return -errno;
        return 0;
}

pid_t process_pid(const Process *p) {
        return p->pid;
}

uint64_t process_start_time(const Process *p) {
        return p->start_time;
}

bool process_has_exited(const Process *p) {
        return p->exited;
}

int log_file_tail(const char *path, off_t since, size_t max, char **out) {
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

int process_log_tail(const Process *p, size_t max, char **out) {
        if (!p->log_path) {
                *out = strdup("");
                return *out ? 0 : -ENOMEM;
        }
        return log_file_tail(p->log_path, p->log_start, max, out);
}

Process *process_free(Process *p) {
        if (!p)
                return NULL;
        sd_event_source_disable_unref(p->src);
        if (p->pidfd >= 0)
                close(p->pidfd);
        free(p->log_path);
        free(p);
        return NULL;
}

int process_fork(sd_event *e, const ProcessProgram *prog, int out_fd, ProcessChildFn fn, void *arg,
                 ProcessExitedFn exited, void *userdata, Process **out, VbError *err) {
        if (out_fd < 3 || fcntl(out_fd, F_GETFD) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, prog->error_from, "cannot pass descriptor %d to %s",
                                    out_fd, prog->name);
        Process *p = calloc(1, sizeof *p);
        if (!p)
                return vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
        p->pidfd = -1;
        p->prog = prog;
        int null_fd = -1, fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                null_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
        }
        if (null_fd < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot open /dev/null: %s", strerror(errno));
                process_free(p);
                return -1;
        }
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        pid_t pid = process_clone(&p->pidfd);
        if (pid == 0) {
                for (int sig = 1; sig < _NSIG; sig++) {
                        struct sigaction sa = { .sa_handler = SIG_DFL };
                        if (sig != SIGKILL && sig != SIGSTOP)
                                (void) sigaction(sig, &sa, NULL);
                }
                if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
                    dup2(out_fd, STDERR_FILENO) < 0)
                        _exit(127);
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                _exit(fn(arg) & 0xff);
        }
        int clone_errno = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(null_fd);
        if (pid < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot start %s: %s", prog->name,
                                 strerror(clone_errno));
                process_free(p);
                return -1;
        }
        p->pid = pid;
        int r = process_read_start_time(pid, &p->start_time);
        if (r >= 0)
                r = process_watch(p, e);
        if (r < 0) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot watch the %s process: %s", prog->name,
                                 strerror(-r));
                (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                siginfo_t si;
                (void) waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED);
                process_free(p);
                return -1;
        }
        p->exited_fn = exited;
        p->userdata = userdata;
        log_debug("forked %s as pid %d", prog->name, (int) pid);
        *out = p;
        return 0;
}
