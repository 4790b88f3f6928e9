/* process-run.c: a helper child (a program, or a function after a fork) made by process_fork(), its output kept in a memfd and handed over when it ends. */
#define LOG_MODULE "process"

#include "process-run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

typedef struct Run {
        Process *proc;
        int outfd;
        ProcessRunDoneFn done;
        void *userdata;
        /* what the child runs */
        const char *path;
        char *const *argv;
        const int *keep;
        size_t n_keep;
        ProcessRunFn fn;
        void *arg;
} Run;

static char *const run_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=/", NULL };

static void run_free(Run *r) {
        process_free(r->proc);
        if (r->outfd >= 0)
                close(r->outfd);
        free(r);
}

static void on_run_exited(Process *p, const siginfo_t *si, void *userdata) {
        Run *r = userdata;
        int status = si->si_code == CLD_EXITED ? si->si_status
                   : si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED ? 128 + si->si_status
                   : 125;
        char *out = malloc(PROCESS_RUN_OUT_MAX + 1);
        ssize_t n = out ? pread(r->outfd, out, PROCESS_RUN_OUT_MAX, 0) : -1;
        if (out)
                out[n > 0 ? n : 0] = '\0';
        ProcessRunDoneFn done = r->done;
        void *ud = r->userdata;
        run_free(r);
        done(status, out ? out : "", n > 0 ? (size_t) n : 0, ud);
        free(out);
}

static void child_puts(const char *s) {
        (void) !write(STDERR_FILENO, s, strlen(s));
}

/* In the child (async-signal-safe): the kept descriptors lose close-on-exec, every other one
 * above 2 goes, then the program. */
static int child_exec(void *arg) {
        Run *r = arg;
        for (size_t i = 0; i < r->n_keep; i++)
                (void) fcntl(r->keep[i], F_SETFD, 0);
        for (int fd = 3; fd >= 0;) {
                int next = -1;
                for (size_t i = 0; i < r->n_keep; i++)
                        if (r->keep[i] >= fd && (next < 0 || r->keep[i] < next))
                                next = r->keep[i];
                if (next < 0) {
                        (void) close_range((unsigned) fd, ~0U, 0);
                        break;
                }
                if (next > fd)
                        (void) close_range((unsigned) fd, (unsigned) next - 1, 0);
                fd = next + 1;
        }
        execve(r->path, r->argv, run_env);
        const char *why = strerrordesc_np(errno);
        child_puts("cannot run ");
        child_puts(r->path);
        child_puts(": ");
        child_puts(why ? why : "error");
        return 127;
}

static int child_fn(void *arg) {
        Run *r = arg;
        char msg[512] = "";
        int rc = r->fn(r->arg, msg, sizeof msg);
        if (msg[0])
                child_puts(msg);
        return rc > 0 && rc < 126 ? rc : (rc ? 125 : 0);
}

static int run_start(sd_event *e, const ProcessProgram *prog, Run *r, ProcessChildFn child, VbError *err) {
        r->outfd = memfd_create("virtbus-child-output", MFD_CLOEXEC);
        if (r->outfd < 0 || r->outfd < 3) {
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "cannot run %s: memfd_create: %s", prog->name,
                                 strerror(r->outfd < 0 ? errno : EBADF));
                run_free(r);
                return -1;
        }
        /* The child works on a copy of r made at the fork; the parent's r lives until the end. */
        if (process_fork(e, prog, r->outfd, child, r, on_run_exited, r, &r->proc, err) < 0) {
                run_free(r);
                return -1;
        }
        return 0;
}

static Run *run_new(ProcessRunDoneFn done, void *userdata) {
        Run *r = calloc(1, sizeof *r);
        if (r) {
                r->outfd = -1;
                r->done = done;
                r->userdata = userdata;
        }
        return r;
}

int process_run_exec(sd_event *e, const ProcessProgram *prog, char *const argv[], const int *keep_fds, size_t n_keep,
                     ProcessRunDoneFn done, void *userdata, VbError *err) {
        if (!argv || !argv[0] || argv[0][0] != '/' || access(argv[0], X_OK) < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, prog->error_from, "Cannot find %s binary %s: %s",
                                        prog->name, argv && argv[0] ? argv[0] : "(none)",
                                        strerror(argv && argv[0] && argv[0][0] == '/' ? errno : EINVAL));
        for (size_t i = 0; i < n_keep; i++)
                if (keep_fds[i] < 3 || fcntl(keep_fds[i], F_GETFD) < 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, prog->error_from,
                                            "cannot pass descriptor %d to %s", keep_fds[i], prog->name);
        Run *r = run_new(done, userdata);
        if (!r)
                return vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
        /* argv and keep_fds are read only by the child, which has its own copy of them. */
        r->path = argv[0];
        r->argv = argv;
        r->keep = keep_fds;
        r->n_keep = n_keep;
        log_debug("running %s", argv[0]);
        return run_start(e, prog, r, child_exec, err);
}

int process_run_fn(sd_event *e, const ProcessProgram *prog, ProcessRunFn fn, void *arg, ProcessRunDoneFn done,
                   void *userdata, VbError *err) {
        Run *r = run_new(done, userdata);
        if (!r)
                return vb_error_set(err, VB_ERR_NO_MEMORY, prog->error_from, NULL);
        r->fn = fn;
        r->arg = arg;
        return run_start(e, prog, r, child_fn, err);
}
