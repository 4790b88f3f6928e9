/* test-machined.c: lib/machined.c against a private dbus-daemon with fake-machined.py in machine1's place: the machine name libvirt gives a guest, RegisterMachineWithNetwork and TerminateMachine as the fake records them (the call shapes only: no real machined here), and no registration where machine1 is absent. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <systemd/sd-event.h>

#include "machined.h"

static void names(void **state) {
        (void) state;
        char buf[128];
        assert_int_equal(machined_name(3, "web-1.example", buf, sizeof buf), 0);
        assert_string_equal(buf, "qemu-3-web-1.example");
        assert_int_equal(machined_name(12, "a b/c:d_é", buf, sizeof buf), 0);
        assert_string_equal(buf, "qemu-12-abcd_");
        char longname[200];
        memset(longname, 'x', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        assert_int_equal(machined_name(1, longname, buf, sizeof buf), 0);
        assert_int_equal(strlen(buf), 64);
        assert_int_equal(machined_name(1, "x", buf, 4), -ENOSPC);
}

static pid_t spawn_sh(const char *cmd) {
        pid_t p = fork();
        if (p == 0) {
                execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
                _exit(127);
        }
        return p;
}

static int wait_file(const char *path, int tenths) {
        for (int i = 0; i < tenths; i++) {
                if (access(path, F_OK) == 0)
                        return 0;
                usleep(100000);
        }
        return -1;
}

static void run_until(sd_event *e, const char *record, const char *needle) {
        for (int i = 0; i < 100; i++) {
                (void) sd_event_run(e, 100000);
                FILE *f = fopen(record, "r");
                char buf[4096] = "";
                if (f) {
                        size_t n = fread(buf, 1, sizeof buf - 1, f);
                        buf[n] = '\0';
                        fclose(f);
                }
                if (strstr(buf, needle))
                        return;
        }
        fail_msg("no %s recorded in %s", needle, record);
}

static void register_and_terminate(void **state) {
        (void) state;
        char dir[] = "/tmp/test-machined-XXXXXX", cmd[2048], addr[512], record[600];
        assert_non_null(mkdtemp(dir));
        snprintf(cmd, sizeof cmd, "exec dbus-daemon --session --nofork --address=unix:path=%s/bus --print-address=1 > %s/addr",
                 dir, dir);
        pid_t daemon = spawn_sh(cmd);
        snprintf(addr, sizeof addr, "%s/bus", dir);
        assert_int_equal(wait_file(addr, 100), 0);
        snprintf(addr, sizeof addr, "unix:path=%s/bus", dir);
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);

        /* machine1 absent: a handle, never present, so nothing is sent */
        Machined *ma = NULL;
        assert_int_equal(machined_open_async(e, addr, &ma), 0);
        assert_non_null(ma);
        for (int i = 0; i < 20; i++)
                (void) sd_event_run(e, 20000);
        assert_false(machined_present(ma));
        assert_int_equal(machined_register(ma, "qemu-1-x", (const uint8_t *) "0123456789abcdef", 1), 0);
        ma = machined_free(ma);

        snprintf(record, sizeof record, "%s/calls", dir);
        snprintf(cmd, sizeof cmd, "exec /usr/bin/python3 %s/fake-machined.py %s %s", FAKE_DIR, addr, record);
        pid_t fake = spawn_sh(cmd);
        char ready[640];
        snprintf(ready, sizeof ready, "%s.ready", record);
        assert_int_equal(wait_file(ready, 300), 0);

        /* the asynchronous look-up finds the fake on the loop */
        assert_int_equal(machined_open_async(e, addr, &ma), 0);
        assert_non_null(ma);
        assert_false(machined_present(ma));
        for (int i = 0; i < 100 && !machined_present(ma); i++)
                (void) sd_event_run(e, 100000);
        assert_true(machined_present(ma));
        Machined *m = ma;   /* the daemon's handle registers and terminates */
        const uint8_t uuid[16] = { 0x4d, 0xea, 0x22, 0xb3, 0x1d, 0x52, 0xd8, 0xf3, 0x25, 0x16, 0x78, 0x2e, 0x98, 0xab, 0x3f, 0xa0 };
        char name[80];
        assert_int_equal(machined_name(7, "guest one", name, sizeof name), 0);
        assert_true(machined_register(m, name, uuid, 4242) >= 0);
        run_until(e, record, "RegisterMachineWithNetwork");
        assert_true(machined_terminate(m, name) >= 0);
        run_until(e, record, "TerminateMachine");
        FILE *f = fopen(record, "r");
        char line1[1024], line2[1024];
        assert_non_null(fgets(line1, sizeof line1, f));
        assert_non_null(fgets(line2, sizeof line2, f));
        fclose(f);
        assert_string_equal(line1, "[\"RegisterMachineWithNetwork\", \"qemu-7-guestone\", "
                                   "\"4dea22b31d52d8f32516782e98ab3fa0\", \"virtbus-qemu\", \"vm\", 4242, \"\", []]\n");
        assert_string_equal(line2, "[\"TerminateMachine\", \"qemu-7-guestone\"]\n");
        machined_free(m);
        sd_event_unref(e);
        kill(fake, SIGTERM);
        kill(daemon, SIGTERM);
        waitpid(fake, NULL, 0);
        waitpid(daemon, NULL, 0);
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(names),
                cmocka_unit_test(register_and_terminate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
