/* test-qemu-find.c: a live QEMU found without its runtime record: command-line matching, and stand-in processes (python3 with QEMU's -name, -uuid and -chardev) found by their monitor socket or command line. */
#include "qmp-test.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "qemu-find.h"
#include "process.h"
#include "../core/test-util.h"

#define UUID "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
#define OTHER_UUID "11111111-9dad-41d1-80b4-00c04fd430c8"

/* argv as /proc/PID/cmdline has it: each argument followed by a NUL. */
static size_t cmdline(char *buf, size_t size, const char *const *argv) {
        size_t n = 0;
        for (; *argv; argv++) {
                size_t l = strlen(*argv) + 1;
                assert_true(n + l <= size);
                memcpy(buf + n, *argv, l);
                n += l;
        }
        return n;
}

static void match(const char *const *argv, const char *name, const char *uuid, const char *mon, bool u, bool m,
                  bool nm) {
        char buf[2048];
        size_t len = cmdline(buf, sizeof buf, argv);
        bool bu = !u, bm = !m, bn = !nm;
        qemu_cmdline_match(buf, len, name, uuid, mon, &bu, &bm, &bn);
        assert_int_equal(bu, u);
        assert_int_equal(bm, m);
        assert_int_equal(bn, nm);
}

static void test_cmdline_match(void **state) {
        const char *const qemu[] = { "/usr/bin/qemu-system-x86_64", "-name", "guest=a,,b,debug-threads=on", "-S",
                                     "-uuid", UUID, "-chardev",
                                     "socket,id=charmonitor,path=/run/vb/qemu/a,,b.monitor,server=on,wait=off",
                                     "-mon", "chardev=charmonitor,id=monitor,mode=control", NULL };
        match(qemu, "a,b", UUID, "/run/vb/qemu/a,b.monitor", true, true, true);
        /* the uuid in capitals; a name that is only a prefix; a path that is only a prefix */
        match(qemu, "a", "6BA7B810-9DAD-41D1-80B4-00C04FD430C8", "/run/vb/qemu/a", true, false, false);
        match(qemu, "a,b,", OTHER_UUID, "/run/vb/qemu/a,b.monitor2", false, false, false);
        /* The older -name form, and values in the wrong place. */
        const char *const old[] = { "qemu", "-name", "vm1,process=x", "-chardev", "path=/m", "-uuid", NULL };
        match(old, "vm1", UUID, "/m", false, true, true);
        const char *const stray[] = { "sh", "-c", UUID, "path=/m", "guest=vm1", "-uuid", NULL };
        match(stray, "vm1", UUID, "/m", false, false, false);
        /* An empty command line (a kernel thread, a zombie) names nothing. */
        bool u = true, m = true, n = true;
        qemu_cmdline_match("", 0, "vm1", UUID, "/m", &u, &m, &n);
        assert_false(u || m || n);
}

typedef struct Fixture {
        char *dir, *mon;
        pid_t child;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        f->dir = tu_mkdtemp();
        f->mon = tu_path(f->dir, "vm,1.monitor");
        *state = f;
        return 0;
}

static void stop_child(Fixture *f) {
        if (f->child > 0) {
                kill(f->child, SIGKILL);
                waitpid(f->child, NULL, 0);
                f->child = 0;
        }
}

static int teardown(void **state) {
        Fixture *f = *state;
        stop_child(f);
        free(f->mon);
        tu_rm_rf(f->dir);
        free(f);
        return 0;
}

/* A stand-in QEMU: python3 with QEMU's arguments, listening on the monitor path when listen. */
static void spawn(Fixture *f, const char *uuid, bool listen) {
        char chardev[512];
        /* the comma in the path doubled, as QEMU's option syntax wants it */
        snprintf(chardev, sizeof chardev, "socket,id=charmonitor,path=%s/vm,,1.monitor,server=on,wait=off", f->dir);
        const char *script = listen ? "import socket, sys, time\n"
                                      "s = socket.socket(socket.AF_UNIX)\n"
                                      "s.bind(sys.argv[1])\n"
                                      "s.listen(4)\n"
                                      "time.sleep(60)\n"
                                    : "import sys, time\ntime.sleep(60)\n";
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                execl("/usr/bin/python3", "python3", "-c", script, f->mon, "-name", "guest=vm,,1", "-uuid", uuid,
                      "-chardev", chardev, (char *) NULL);
                _exit(127);
        }
        f->child = pid;
        /* Until it listens, or until its command line is python's. */
        for (int i = 0; i < 5000; i++) {
                if (listen) {
                        struct stat st;
                        if (stat(f->mon, &st) == 0) {
                                usleep(20000);  /* bound; listen() follows at once */
                                return;
                        }
                } else {
                        char path[64];
                        snprintf(path, sizeof path, "/proc/%d/cmdline", (int) pid);
                        char *c = tu_read_file(path);
                        bool ready = c && strcmp(c, "python3") == 0;
                        free(c);
                        if (ready)
                                return;
                }
                usleep(1000);
        }
        fail_msg("the stand-in QEMU never got ready");
}

static void test_found_by_monitor_socket(void **state) {
        Fixture *f = *state;
        spawn(f, UUID, true);
        QemuFound found;
        assert_int_equal(qemu_find_running("vm,1", UUID, f->mon, &found), 1);
        assert_int_equal(found.pid, f->child);
        assert_string_equal(found.how, "monitor socket");
        assert_true(found.adoptable);
        uint64_t st;
        assert_int_equal(process_read_start_time(f->child, &st), 0);
        assert_true(found.start_time == st);

        /* Another uuid with this monitor socket: found (a start must not steal it), not adoptable. */
        assert_int_equal(qemu_find_running("vm,1", OTHER_UUID, f->mon, &found), 1);
        assert_false(found.adoptable);
        assert_non_null(strstr(found.why, "does not have its uuid"));

        /* Another domain altogether: nothing. */
        char *other = tu_path(f->dir, "other.monitor");
        assert_int_equal(qemu_find_running("other", OTHER_UUID, other, &found), 0);

        /* Gone: its socket file stays, nobody listens, no command line has it. */
        stop_child(f);
        assert_int_equal(qemu_find_running("vm,1", UUID, f->mon, &found), 0);
        free(other);
}

static void test_found_by_command_line(void **state) {
        Fixture *f = *state;
        spawn(f, UUID, false);
        QemuFound found;
        assert_int_equal(qemu_find_running("vm,1", UUID, f->mon, &found), 1);
        assert_int_equal(found.pid, f->child);
        assert_string_equal(found.how, "command line");
        assert_true(found.adoptable);
        /* By its uuid alone (another daemon's copy of the guest): found, not adoptable. */
        char *other = tu_path(f->dir, "elsewhere.monitor");
        assert_int_equal(qemu_find_running("vm,1", UUID, other, &found), 1);
        assert_false(found.adoptable);
        assert_non_null(strstr(found.why, "not its monitor socket"));
        free(other);
        stop_child(f);
        assert_int_equal(qemu_find_running("vm,1", UUID, f->mon, &found), 0);
}

/* A file that is no socket: nobody listens there. A path no socket can have: cannot tell. */
static void test_no_listener(void **state) {
        Fixture *f = *state;
        FILE *fp = fopen(f->mon, "w");
        assert_non_null(fp);
        fclose(fp);
        QemuFound found;
        assert_int_equal(qemu_find_running("vm,1", UUID, f->mon, &found), 0);
        char longpath[200];
        memset(longpath, 'x', sizeof longpath - 1);
        longpath[0] = '/';
        longpath[sizeof longpath - 1] = '\0';
        assert_int_equal(qemu_find_running("vm,1", UUID, longpath, &found), -1);
        assert_string_equal(found.why, "its monitor socket path is too long");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_match),
                cmocka_unit_test_setup_teardown(test_found_by_monitor_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_found_by_command_line, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_listener, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
