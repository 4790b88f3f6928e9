/* test-qemu-process.c: QEMU as a direct child: clean start, kept and closed descriptors, exit seen through the pidfd, adoption after a restart, failures with QEMU's own words. */
#include "qmp-test.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "qemu-find.h"
#include "../core/test-util.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct Exit {
        bool done;
        unsigned count;
        siginfo_t si;
} Exit;

static void on_exited(Process *p, const siginfo_t *si, void *userdata) {
        Exit *x = userdata;
        x->done = true;
        x->count++;
        x->si = *si;
}

typedef struct Fixture {
        sd_event *e;
        char *dir, *log;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_int_equal(sd_event_new(&f->e), 0);
        f->dir = tu_mkdtemp();
        f->log = tu_path(f->dir, "qemu.log");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        sd_event_unref(f->e);
        free(f->log);
        tu_rm_rf(f->dir);
        free(f);
        return 0;
}

/* A QEMU that idles until told otherwise: no machine, no display, no monitor. */
static char *idle_argv[] = { QEMU, "-S", "-no-user-config", "-nodefaults", "-display", "none", "-machine", "none", NULL };

/* Wait (sleeping: this is the test, not the daemon) until pid runs QEMU rather than our fork. */
static void wait_exec(pid_t pid) {
        char link[64], target[PATH_MAX];
        snprintf(link, sizeof link, "/proc/%d/exe", (int) pid);
        for (int i = 0; i < 2000; i++) {
                ssize_t n = readlink(link, target, sizeof target - 1);
                if (n > 0) {
                        target[n] = '\0';
                        if (strcmp(target, QEMU) == 0)
                                return;
                }
                usleep(1000);
        }
        fail_msg("pid %d never became QEMU", (int) pid);
}

/* Wait until QEMU handles SIGTERM (its main loop is set up): SigCgt in /proc/PID/status. */
static void wait_sigterm_handler(pid_t pid) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        for (int i = 0; i < 5000; i++) {
                char *status = tu_read_file(path);
                char *cgt = status ? strstr(status, "SigCgt:") : NULL;
                unsigned long long mask = cgt ? strtoull(cgt + 7, NULL, 16) : 0;
                free(status);
                if (mask & (1ULL << (SIGTERM - 1)))
                        return;
                usleep(1000);
        }
        fail_msg("QEMU %d never handled SIGTERM", (int) pid);
}

/* process_spawn, and the child tracked for the end of the group. */
static int spawn(Fixture *f, char *const argv[], const int *keep, size_t n_keep, Exit *x, Process **p,
                 VbError *err) {
        int r = process_spawn(f->e, &qemu_program, argv, f->log, keep, n_keep, on_exited, x, p, err);
        if (r >= 0)
                tq_track(process_pid(*p));
        return r;
}

static void test_missing_binary(void **state) {
        Fixture *f = *state;
        Process *p = NULL;
        VbError err = { 0 };
        char *argv[] = { "/nonexistent/qemu-system-x86_64", "-S", NULL };
        assert_int_equal(process_spawn(f->e, &qemu_program, argv, f->log, NULL, 0, on_exited, NULL, &p, &err), -1);
        assert_null(p);
        assert_string_equal(err.message,
                            "Cannot find QEMU binary /nonexistent/qemu-system-x86_64: No such file or directory");
        assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
        assert_int_equal(access(f->log, F_OK), -1);     /* nothing started, no log */

        char *argv2[] = { "no-such-qemu-binary", NULL };
        assert_int_equal(process_spawn(f->e, &qemu_program, argv2, f->log, NULL, 0, on_exited, NULL, &p, &err), -1);
        assert_non_null(strstr(err.message, "no-such-qemu-binary"));

        /* Descriptors 0-2 cannot be passed, nor closed ones. */
        int bad[] = { 1 };
        assert_int_equal(process_spawn(f->e, &qemu_program, idle_argv, f->log, bad, 1, on_exited, NULL, &p, &err), -1);
        int closed_fd[] = { 999 };
        assert_int_equal(process_spawn(f->e, &qemu_program, idle_argv, f->log, closed_fd, 1, on_exited, NULL, &p, &err), -1);
}

/* QEMU refuses its command line: the exit is seen, and the log tail is QEMU's own message. */
static void test_qemu_error_in_log(void **state) {
        Fixture *f = *state;
        struct {
                char *argv[16];
                const char *expect;
        } cases[] = {
                { { QEMU, "-bogus-option", NULL }, "qemu-system-x86_64: -bogus-option: invalid option" },
                { { QEMU, "-S", "-nodefaults", "-display", "none", "-machine", "none", "-blockdev",
                    "driver=file,filename=/nonexistent.img,node-name=d0", NULL },
                  "qemu-system-x86_64: -blockdev driver=file,filename=/nonexistent.img,node-name=d0: "
                  "Could not open '/nonexistent.img': No such file or directory" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                Process *p = NULL;
                VbError err = { 0 };
                Exit x = { 0 };
                assert_int_equal(spawn(f, cases[i].argv, NULL, 0, &x, &p, &err), 0);
                tq_run_until(f->e, &x.done, 10000);
                assert_int_equal(x.si.si_code, CLD_EXITED);
                assert_int_equal(x.si.si_status, 1);
                assert_int_equal(x.si.si_pid, process_pid(p));
                assert_true(process_has_exited(p));
                assert_int_equal(process_kill(p, SIGTERM), -ESRCH);
                char *tail = NULL;
                assert_int_equal(process_log_tail(p, 4096, &tail), 0);
                assert_string_equal(tail, cases[i].expect);     /* only what this QEMU wrote */
                free(tail);
                /* A short tail starts at a line start. */
                assert_int_equal(process_log_tail(p, 20, &tail), 0);
                assert_true(strlen(tail) <= 20);
                free(tail);
                process_free(p);
        }
        struct stat st;
        assert_int_equal(stat(f->log, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        char *all = tu_read_file(f->log);
        assert_non_null(strstr(all, "starting up virtbus"));
        assert_non_null(strstr(all, "PATH=/usr/bin:/bin LC_ALL=C HOME=/ " QEMU " -bogus-option\n"));
        free(all);
}

/* What descriptor fd of pid refers to ("pipe:[123]", a path), or "" */
static void fd_target(pid_t pid, int fd, char *out, size_t size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", (int) pid, fd);
        ssize_t n = readlink(path, out, size - 1);
        out[n > 0 ? n : 0] = '\0';
}

/* How many of pid's descriptors refer to target. (QEMU opens descriptors of its own, so the
 * numbers we closed may be in use again: compare what they refer to.) */
static int count_fds_to(pid_t pid, const char *target) {
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", (int) pid);
        DIR *d = opendir(dir);
        assert_non_null(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                char t[PATH_MAX];
                if (de->d_name[0] == '.')
                        continue;
                fd_target(pid, atoi(de->d_name), t, sizeof t);
                n += strcmp(t, target) == 0;
        }
        closedir(d);
        return n;
}

static void test_clean_start(void **state) {
        Fixture *f = *state;
        int pipefd[2];
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        /* A descriptor the daemon forgot to mark close-on-exec must not leak into QEMU. */
        char *canary = tu_path(f->dir, "canary");
        int leaky = open(canary, O_RDWR | O_CREAT, 0600);
        assert_true(leaky >= 3);
        Process *p = NULL;
        VbError err = { 0 };
        Exit x = { 0 };
        int keep[] = { pipefd[1] };
        assert_int_equal(spawn(f, idle_argv, keep, 1, &x, &p, &err), 0);
        pid_t pid = process_pid(p);
        wait_exec(pid);
        wait_sigterm_handler(pid);      /* past exec for sure: its environment is in place */

        /* The kept end under its own number, the other end and the canary nowhere. */
        char pipe_name[64], kept[64];
        fd_target(getpid(), pipefd[1], pipe_name, sizeof pipe_name);
        fd_target(pid, pipefd[1], kept, sizeof kept);
        assert_string_equal(kept, pipe_name);
        assert_int_equal(count_fds_to(pid, pipe_name), 1);
        assert_int_equal(count_fds_to(pid, canary), 0);
        assert_true(count_fds_to(pid, "/dev/null") >= 1);       /* stdin */
        assert_int_equal(count_fds_to(pid, f->log), 2);         /* stdout, stderr */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/environ", (int) pid);
        int fd = open(path, O_RDONLY);
        char env[256] = "";
        ssize_t n = read(fd, env, sizeof env);
        close(fd);
        assert_int_equal(n, (ssize_t) sizeof "PATH=/usr/bin:/bin\0LC_ALL=C\0HOME=/");
        assert_memory_equal(env, "PATH=/usr/bin:/bin\0LC_ALL=C\0HOME=/", (size_t) n);
        /* A session leader: the daemon's terminal and process group signals stay away. */
        assert_int_equal(getsid(pid), pid);
        assert_int_equal(getpgid(pid), pid);
        uint64_t st;
        assert_int_equal(process_read_start_time(pid, &st), 0);
        assert_true(st == process_start_time(p));
        assert_true(st > 0);

        /* SIGTERM: QEMU says so in its log and exits 0; the pidfd wakes us, the child is reaped. */
        assert_int_equal(process_kill(p, SIGTERM), 0);
        tq_run_until(f->e, &x.done, 10000);
        assert_int_equal(x.si.si_code, CLD_EXITED);
        assert_int_equal(x.si.si_status, 0);
        assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);      /* already reaped */
        assert_int_equal(errno, ECHILD);
        char *tail = NULL;
        assert_int_equal(process_log_tail(p, 4096, &tail), 0);
        assert_non_null(strstr(tail, "terminating on signal 15"));
        free(tail);
        tq_run_for(f->e, 20);
        assert_int_equal(x.count, 1);
        process_free(p);
        close(pipefd[0]);
        close(pipefd[1]);
        close(leaky);
        free(canary);
}

static void test_killed_status(void **state) {
        Fixture *f = *state;
        Process *p = NULL;
        VbError err = { 0 };
        Exit x = { 0 };
        assert_int_equal(spawn(f, idle_argv, NULL, 0, &x, &p, &err), 0);
        assert_int_equal(process_kill(p, SIGKILL), 0);
        tq_run_until(f->e, &x.done, 10000);
        assert_int_equal(x.si.si_code, CLD_KILLED);
        assert_int_equal(x.si.si_status, SIGKILL);
        process_free(p);
}

/* Restart recovery: a running QEMU found again by pid and start time. */
static void test_adopt_child(void **state) {
        Fixture *f = *state;
        Process *p = NULL, *a = NULL;
        VbError err = { 0 };
        Exit x = { 0 }, y = { 0 };
        assert_int_equal(spawn(f, idle_argv, NULL, 0, &x, &p, &err), 0);
        pid_t pid = process_pid(p);
        uint64_t start = process_start_time(p);
        /* The daemon restarted: the old handle is gone, the process is not. */
        process_free(p);
        assert_int_equal(kill(pid, 0), 0);

        /* Same pid, different start time: another process now has the pid. */
        assert_int_equal(process_adopt(f->e, &qemu_program, pid, start + 1, NULL, on_exited, &y, &a, &err), -ESRCH);
        assert_null(a);
        assert_int_equal(process_adopt(f->e, &qemu_program, pid, start, f->log, on_exited, &y, &a, &err), 0);
        assert_int_equal(process_pid(a), pid);
        assert_true(process_start_time(a) == start);
        assert_int_equal(process_kill(a, SIGKILL), 0);
        tq_run_until(f->e, &y.done, 10000);
        /* Still our child here, so the status is known. */
        assert_int_equal(y.si.si_code, CLD_KILLED);
        assert_false(x.done);
        process_free(a);

        /* A pid nobody uses any more. */
        assert_int_equal(process_adopt(f->e, &qemu_program, pid, start, NULL, on_exited, &y, &a, &err), -ESRCH);
}

/* A QEMU that is not our child (started by the daemon before its restart): its end is seen,
 * its status cannot be. */
static void test_adopt_stranger(void **state) {
        Fixture *f = *state;
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                pid_t g = fork();
                if (g == 0) {
                        setsid();
                        int null = open("/dev/null", O_RDWR);
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                        execv(QEMU, idle_argv);
                        _exit(127);
                }
                (void) !write(pfd[1], &g, sizeof g);
                _exit(0);
        }
        pid_t pid = 0;
        assert_int_equal(read(pfd[0], &pid, sizeof pid), (ssize_t) sizeof pid);
        assert_int_equal(waitpid(child, NULL, 0), child);
        close(pfd[0]);
        close(pfd[1]);
        tq_track(pid);
        wait_exec(pid);
        uint64_t start;
        assert_int_equal(process_read_start_time(pid, &start), 0);
        Process *a = NULL;
        VbError err = { 0 };
        Exit y = { 0 };
        assert_int_equal(process_adopt(f->e, &qemu_program, pid, start, NULL, on_exited, &y, &a, &err), 0);
        assert_int_equal(process_kill(a, SIGTERM), 0);
        tq_run_until(f->e, &y.done, 10000);
        assert_int_equal(y.si.si_code, 0);
        assert_int_equal(y.si.si_pid, pid);
        assert_true(process_has_exited(a));
        char *tail = NULL;
        assert_int_equal(process_log_tail(a, 100, &tail), 0);
        assert_string_equal(tail, "");
        free(tail);
        process_free(a);
}

static void test_log_tail(void **state) {
        Fixture *f = *state;
        const char *text = "old line\nfirst\nsecond line\nthird\n\n";
        assert_int_equal(tu_write_file(f->log, text, strlen(text)), 0);
        char *tail = NULL;
        assert_int_equal(log_file_tail(f->log, 9, 4096, &tail), 0);
        assert_string_equal(tail, "first\nsecond line\nthird");
        free(tail);
        assert_int_equal(log_file_tail(f->log, 0, 10, &tail), 0);
        assert_string_equal(tail, "third");
        free(tail);
        assert_int_equal(log_file_tail(f->log, 1000, 10, &tail), 0);
        assert_string_equal(tail, "");
        free(tail);
        assert_int_equal(log_file_tail("/nonexistent/log", 0, 10, &tail), -ENOENT);
}

/* 1 when pid has ended (gone, or a zombie nobody reaped yet), else 0. */
static int pid_ended(pid_t pid) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        char *stat = tu_read_file(path);
        const char *rp = stat ? strrchr(stat, ')') : NULL;
        int ended = !rp || rp[1] == '\0' || rp[2] == 'Z' || rp[2] == 'X';
        free(stat);
        return ended;
}

/* A daemon killed with SIGKILL takes its capabilities probe (dies_with_daemon) along, and
 * leaves its guests (no such mark) running: the "daemon" is a forked child of the test. */
static void test_dies_with_daemon(void **state) {
        Fixture *f = *state;
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t daemon = fork();
        assert_true(daemon >= 0);
        if (daemon == 0) {
                sd_event *e = NULL;
                Process *tied = NULL, *guest = NULL;
                VbError err = { 0 };
                Exit x = { 0 };
                const ProcessCreds tie = { .keep_ids = true, .dies_with_daemon = true };
                if (sd_event_new(&e) < 0 ||
                    process_spawn_as(e, &qemu_program, idle_argv, f->log, NULL, 0, &tie, on_exited, &x, &tied, &err) < 0 ||
                    process_spawn(e, &qemu_program, idle_argv, f->log, NULL, 0, on_exited, &x, &guest, &err) < 0)
                        _exit(1);
                pid_t pids[2] = { process_pid(tied), process_pid(guest) };
                if (write(pfd[1], pids, sizeof pids) != (ssize_t) sizeof pids)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(pfd[1]);
        pid_t pids[2];
        assert_int_equal(read(pfd[0], pids, sizeof pids), (ssize_t) sizeof pids);
        close(pfd[0]);
        wait_exec(pids[0]);
        wait_exec(pids[1]);
        assert_int_equal(kill(daemon, SIGKILL), 0);
        assert_int_equal(waitpid(daemon, NULL, 0), daemon);
        int i;
        for (i = 0; i < 10000 && !pid_ended(pids[0]); i++)
                usleep(1000);
        int probe_ended = pid_ended(pids[0]), guest_ended = pid_ended(pids[1]);
        (void) kill(pids[0], SIGKILL);          /* nothing left behind whatever the outcome */
        (void) kill(pids[1], SIGKILL);
        assert_true(probe_ended);
        assert_false(guest_ended);              /* a guest outlives the daemon */
}

int main(void) {
        if (access(QEMU, X_OK) < 0)
                return tu_skip_program(QEMU " is not installed (Debian package qemu-system-x86)");
        log_setup(4, NULL, NULL, NULL, 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_qemu_error_in_log, setup, teardown),
                cmocka_unit_test_setup_teardown(test_clean_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_adopt_child, setup, teardown),
                cmocka_unit_test_setup_teardown(test_adopt_stranger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_tail, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dies_with_daemon, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, tq_kill_tracked);
}
