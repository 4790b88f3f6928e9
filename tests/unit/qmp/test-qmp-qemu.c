/* test-qmp-qemu.c: the QMP client with a real QEMU (TCG, no disk): negotiation, status, the lifecycle events, quit and the reaped exit; start and kill latencies printed. */
#include "qmp-test.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "qemu-find.h"
#include "../core/test-util.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

/* One QEMU with its monitor, and everything their callbacks said. */
typedef struct Vm {
        sd_event *e;
        char *dir, *sock, *log;
        Process *proc;
        TqMonitor m;
        bool exited;
        siginfo_t si;
        uint64_t t_spawn, t_ready, t_exited;
} Vm;

static void vm_on_exited(Process *p, const siginfo_t *si, void *userdata) {
        Vm *vm = userdata;
        vm->exited = true;
        vm->si = *si;
        vm->t_exited = tq_now_usec();
}

static void vm_on_ready(Qmp *q, int r, void *userdata) {
        Vm *vm = userdata;
        vm->t_ready = tq_now_usec();
        tq_on_ready(q, r, &vm->m);
}

static void vm_on_event(Qmp *q, const char *event, json_object *data, void *userdata) {
        tq_on_event(q, event, data, &((Vm *) userdata)->m);
}

static void vm_on_closed(Qmp *q, int r, void *userdata) {
        tq_on_closed(q, r, &((Vm *) userdata)->m);
}

/* pass_fd: the monitor socket is made, bound and listening before QEMU starts, and QEMU gets
 * the descriptor (-chardev socket,fd=N): the client connects at once, with no retries. */
static void vm_start_with(Vm *vm, sd_event *e, bool pass_fd) {
        memset(vm, 0, sizeof *vm);
        vm->e = e;
        vm->dir = tu_mkdtemp();
        vm->sock = tu_path(vm->dir, "qmp.sock");
        vm->log = tu_path(vm->dir, "vm.log");
        char chardev[512];
        int lfd = -1;
        if (pass_fd) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                snprintf(sa.sun_path, sizeof sa.sun_path, "%s", vm->sock);
                lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                assert_int_equal(bind(lfd, (struct sockaddr *) &sa, sizeof sa), 0);
                assert_int_equal(listen(lfd, 1), 0);
                snprintf(chardev, sizeof chardev, "socket,id=mon,fd=%d,server=on,wait=off", lfd);
        } else {
                snprintf(chardev, sizeof chardev, "socket,id=mon,path=%s,server=on,wait=off", vm->sock);
        }
        char *argv[] = { QEMU, "-S", "-no-user-config", "-nodefaults", "-display", "none", "-accel", "tcg",
                         "-machine", "pc", "-m", "64", "-chardev", chardev, "-mon", "chardev=mon,mode=control",
                         NULL };
        VbError err = { 0 };
        vm->t_spawn = tq_now_usec();
        assert_int_equal(process_spawn(e, &qemu_program, argv, vm->log, &lfd, pass_fd ? 1 : 0, vm_on_exited, vm, &vm->proc,
                                            &err), 0);
        tq_track(process_pid(vm->proc));
        if (lfd >= 0)
                close(lfd);
        assert_int_equal(qmp_open(e, vm->sock, 10 * 1000 * 1000, vm_on_event, vm_on_closed, vm_on_ready, vm, &vm->m.q), 0);
        tq_run_until(e, &vm->m.ready, 10000);
        assert_int_equal(vm->m.ready_r, 0);
}

static void vm_start(Vm *vm, sd_event *e) {
        vm_start_with(vm, e, false);
}

static void vm_stop(Vm *vm) {
        vm->m.q = qmp_close(vm->m.q);
        if (!vm->exited) {
                assert_int_equal(process_kill(vm->proc, SIGKILL), 0);
                tq_run_until(vm->e, &vm->exited, 10000);
        }
        process_free(vm->proc);
        free(vm->sock);
        free(vm->log);
        tu_rm_rf(vm->dir);
}

/* Send command and wait for its answer. */
static void vm_cmd(Vm *vm, const char *command, json_object *args, TqReply *r) {
        memset(r, 0, sizeof *r);
        assert_int_equal(qmp_send(vm->m.q, command, args, tq_on_reply, r), 0);
        tq_run_until(vm->e, &r->done, 10000);
}

static void vm_expect_status(Vm *vm, const char *status) {
        TqReply r;
        vm_cmd(vm, "query-status", NULL, &r);
        assert_string_equal(r.cls, "");
        assert_string_equal(tq_ret_str(&r, "status"), status);
        tq_reply_done(&r);
}

static void vm_wait_event(Vm *vm, const char *event) {
        uint64_t end = tq_now_usec() + 10 * 1000000;
        while (!tq_has_event(&vm->m, event)) {
                assert_true(tq_now_usec() < end);
                assert_true(sd_event_run(vm->e, 10000) >= 0);
        }
}

static void test_lifecycle(void **state) {
        sd_event *e;
        assert_int_equal(sd_event_new(&e), 0);
        Vm vm;
        vm_start(&vm, e);
        json_object *v, *greeting = qmp_greeting(vm.m.q);
        assert_true(json_object_object_get_ex(greeting, "version", &v));
        assert_true(json_object_object_get_ex(v, "qemu", &v));
        assert_true(json_object_object_get_ex(v, "major", &v));
        assert_true(json_object_get_int(v) >= 7);

        vm_expect_status(&vm, "prelaunch");
        TqReply r;
        vm_cmd(&vm, "cont", NULL, &r);
        assert_string_equal(r.cls, "");
        tq_reply_done(&r);
        vm_wait_event(&vm, "RESUME");
        vm_expect_status(&vm, "running");

        vm_cmd(&vm, "stop", NULL, &r);
        tq_reply_done(&r);
        vm_wait_event(&vm, "STOP");
        vm_expect_status(&vm, "paused");

        vm_cmd(&vm, "cont", NULL, &r);
        tq_reply_done(&r);
        vm_cmd(&vm, "system_reset", NULL, &r);
        assert_string_equal(r.cls, "");
        tq_reply_done(&r);
        vm_wait_event(&vm, "RESET");
        vm_cmd(&vm, "system_powerdown", NULL, &r);
        assert_string_equal(r.cls, "");
        tq_reply_done(&r);
        vm_wait_event(&vm, "POWERDOWN");

        /* A command QEMU does not know: an error reply, the monitor stays. */
        vm_cmd(&vm, "no-such-command", NULL, &r);
        assert_null(r.ret);
        assert_string_equal(r.cls, "CommandNotFound");
        assert_non_null(strstr(r.desc, "no-such-command"));
        tq_reply_done(&r);

        /* quit: SHUTDOWN, the monitor closes, and the exit is seen through the pidfd. */
        TqReply quit = { 0 };
        assert_int_equal(qmp_send(vm.m.q, "quit", NULL, tq_on_reply, &quit), 0);
        tq_run_until(e, &vm.exited, 10000);
        tq_run_until(e, &vm.m.closed, 10000);
        assert_true(tq_has_event(&vm.m, "SHUTDOWN"));
        /* EOF, or a reset when QEMU went with input unread: both mean it went. */
        assert_true(vm.m.closed_r == 0 || vm.m.closed_r == -ECONNRESET);
        assert_true(quit.done);
        assert_int_equal(quit.count, 1);
        assert_int_equal(vm.si.si_code, CLD_EXITED);
        assert_int_equal(vm.si.si_status, 0);
        assert_int_equal(vm.si.si_pid, process_pid(vm.proc));
        tq_reply_done(&quit);
        vm_stop(&vm);
        sd_event_unref(e);
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* Not asserted: the issue cites 48 ms exec → running and 17 ms kill → reaped for libvirt. */
static void measure(bool pass_fd) {
        enum { RUNS = 5 };
        uint64_t running[RUNS], ready[RUNS], cont[RUNS], killed[RUNS], termed[RUNS];
        sd_event *e;
        assert_int_equal(sd_event_new(&e), 0);
        for (int i = 0; i < RUNS; i++) {
                Vm vm;
                vm_start_with(&vm, e, pass_fd);
                ready[i] = vm.t_ready - vm.t_spawn;
                TqReply r = { 0 };
                assert_int_equal(qmp_send(vm.m.q, "cont", NULL, tq_on_reply, &r), 0);
                vm_wait_event(&vm, "RESUME");
                running[i] = tq_now_usec() - vm.t_spawn;
                cont[i] = running[i] - ready[i];
                tq_run_until(e, &r.done, 10000);
                tq_reply_done(&r);
                /* Alternate SIGKILL (destroy) and SIGTERM (graceful destroy). */
                int sig = i % 2 ? SIGTERM : SIGKILL;
                uint64_t t0 = tq_now_usec();
                assert_int_equal(process_kill(vm.proc, sig), 0);
                tq_run_until(e, &vm.exited, 10000);
                (sig == SIGKILL ? killed : termed)[i / 2] = vm.t_exited - t0;
                vm_stop(&vm);
        }
        qsort(running, RUNS, sizeof running[0], cmp_u64);
        qsort(ready, RUNS, sizeof ready[0], cmp_u64);
        qsort(cont, RUNS, sizeof cont[0], cmp_u64);
        qsort(killed, (RUNS + 1) / 2, sizeof killed[0], cmp_u64);
        qsort(termed, RUNS / 2, sizeof termed[0], cmp_u64);
        printf("# latency (median of %d, TCG, -machine pc, no disk, monitor %s):\n", RUNS,
               pass_fd ? "socket passed as a descriptor" : "socket made by QEMU, connect retried");
        printf("#   exec -> QMP ready:            %6.1f ms\n", ready[RUNS / 2] / 1000.0);
        printf("#   QMP ready -> running:         %6.1f ms\n", cont[RUNS / 2] / 1000.0);
        printf("#   exec -> running (cont, RESUME): %6.1f ms  (libvirt: 48 ms)\n", running[RUNS / 2] / 1000.0);
        printf("#   SIGKILL -> reaped:            %6.1f ms  (libvirt: 17 ms)\n", killed[(RUNS + 1) / 4] / 1000.0);
        printf("#   SIGTERM -> reaped:            %6.1f ms\n", termed[RUNS / 4] / 1000.0);
        sd_event_unref(e);
}

static void test_latency(void **state) {
        measure(false);
        measure(true);
}

int main(void) {
        if (access(QEMU, X_OK) < 0)
                return tu_skip_program(QEMU " is not installed (Debian package qemu-system-x86)");
        log_setup(4, NULL, NULL, NULL, 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lifecycle),
                cmocka_unit_test(test_latency),
        };
        return cmocka_run_group_tests(tests, NULL, tq_kill_tracked);
}
