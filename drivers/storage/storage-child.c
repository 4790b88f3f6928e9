/* storage-child.c: fork a child for blocking storage work and watch its pidfd on the event loop. */
#define LOG_MODULE "storage"
#include "storage-child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

#define OUT_MAX (64 * 1024)

typedef struct Child {
        sd_event_source *src;
        int pidfd, outfd;
        pid_t pid;
        StorageChildDoneFn done;
        void *userdata;
} Child;

static char *const child_env[] = { "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C", "HOME=/", NULL };

static void child_free(Child *c) {
        sd_event_source_disable_unref(c->src);
        if (c->pidfd >= 0)
                close(c->pidfd);
        if (c->outfd >= 0)
                close(c->outfd);
        free(c);
}

static int on_child_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Child *c = userdata;
        siginfo_t si = { 0 };
        int status;
        if (waitid(P_PIDFD, (id_t) c->pidfd, &si, WEXITED | WNOHANG) < 0) {
                if (errno != ECHILD)
                        return 0;
                status = 125;   /* reaped by someone else: its outcome is unknown */
        } else if (si.si_pid == 0) {
                return 0;       /* not yet */
        } else {
                status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
        }
        char *out = malloc(OUT_MAX + 1);
        ssize_t n = out ? pread(c->outfd, out, OUT_MAX, 0) : -1;
        if (out)
                out[n > 0 ? n : 0] = '\0';
        log_debug("child %d ended with status %d", (int) c->pid, status);
        StorageChildDoneFn done = c->done;
        void *ud = c->userdata;
        child_free(c);
        done(status, out ? out : "", n > 0 ? (size_t) n : 0, ud);
        free(out);
        return 0;
}

/* Fork with the output file on 1 and 2. Returns the child (in the parent), NULL in the child
 * (*in_child set), or NULL with err set. */
static Child *child_fork(sd_event *e, StorageChildDoneFn done, void *userdata, bool *in_child, VbError *err) {
        Child *c = calloc(1, sizeof *c);
        if (!c) {
                vb_error_errno(err, -ENOMEM, "child");
                return NULL;
        }
        c->pidfd = -1;
        c->outfd = memfd_create("virtbus-storage-child", MFD_CLOEXEC);
        if (c->outfd < 0) {
                vb_error_errno(err, -errno, "memfd_create");
                child_free(c);
                return NULL;
        }
        c->done = done;
        c->userdata = userdata;
        pid_t pid = fork();
        if (pid < 0) {
                vb_error_errno(err, -errno, "fork");
                child_free(c);
                return NULL;
        }
        if (pid == 0) {
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                signal(SIGPIPE, SIG_DFL);
                signal(SIGXFSZ, SIG_DFL);
                int devnull = open("/dev/null", O_RDONLY);
                if (devnull >= 0)
                        dup2(devnull, 0);
                dup2(c->outfd, 1);
                dup2(c->outfd, 2);
                *in_child = true;
                return c;
        }
        c->pid = pid;
        c->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        int r = c->pidfd < 0 ? -errno : sd_event_add_io(e, &c->src, c->pidfd, EPOLLIN, on_child_exit, c);
        if (r < 0) {
                /* A child we cannot watch must not run on unobserved. */
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                vb_error_errno(err, r, "watch child");
                child_free(c);
                return NULL;
        }
        return c;
}

int storage_child_exec(sd_event *e, char *const argv[], const int *keep_fds, size_t n_keep,
                       StorageChildDoneFn done, void *userdata, VbError *err) {
        bool in_child = false;
        Child *c = child_fork(e, done, userdata, &in_child, err);
        if (!c)
                return -1;
        if (in_child) {
                for (size_t i = 0; i < n_keep; i++) {
                        int fl = fcntl(keep_fds[i], F_GETFD);
                        if (fl >= 0)
                                fcntl(keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC);
                }
                /* Everything else the daemon holds goes away with exec (or now). */
                for (int fd = 3; fd < 1024; fd++) {
                        bool keep = false;
                        for (size_t i = 0; i < n_keep; i++)
                                keep |= keep_fds[i] == fd;
                        if (!keep)
                                close(fd);
                }
                execve(argv[0], argv, child_env);
                dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
                _exit(127);
        }
        log_debug("child %d: %s", (int) c->pid, argv[0]);
        return 0;
}

int storage_child_run(sd_event *e, StorageChildFn fn, void *arg, StorageChildDoneFn done, void *userdata,
                      VbError *err) {
        bool in_child = false;
        Child *c = child_fork(e, done, userdata, &in_child, err);
        if (!c)
                return -1;
        if (in_child) {
                char msg[512] = "";
                int r = fn(arg, msg, sizeof msg);
                if (msg[0])
                        (void) !write(1, msg, strlen(msg));
                _exit(r > 0 && r < 126 ? r : (r ? 125 : 0));
        }
        return 0;
}
