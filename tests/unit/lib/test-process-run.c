/* test-process-run.c: helper children through lib/process-run.h: output kept, exit status, descriptors kept and closed, functions in a forked child, clear errors. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "process-run.h"

static const ProcessProgram helper = { "helper", VB_FROM_STORAGE };

typedef struct Result {
        bool done;
        int status;
        char out[4096];
        size_t len;
} Result;

static void on_done(int status, const char *out, size_t len, void *userdata) {
        Result *r = userdata;
        r->done = true;
        r->status = status;
        r->len = len;
        snprintf(r->out, sizeof r->out, "%s", out);
}

static void run_loop(sd_event *e, Result *r) {
        for (int i = 0; i < 500 && !r->done; i++)
                assert_true(sd_event_run(e, 20 * 1000) >= 0);
        assert_true(r->done);
}

static void test_exec_output_and_status(void **state) {
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        Result r = { 0 };
        char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
        VbError err = { 0 };
        assert_int_equal(process_run_exec(e, &helper, argv, NULL, 0, on_done, &r, &err), 0);
        run_loop(e, &r);
        assert_int_equal(r.status, 3);
        assert_string_equal(r.out, "out\nerr\n");
        assert_int_equal(r.len, 8);
        sd_event_unref(e);
}

static void test_exec_keeps_only_listed_fds(void **state) {
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        int kept = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int other = open("/dev/null", O_RDONLY);        /* no close-on-exec: closed all the same */
        assert_true(kept >= 3 && other >= 3);
        char script[256];
        snprintf(script, sizeof script, "test -e /proc/self/fd/%d && echo kept; test -e /proc/self/fd/%d || echo closed",
                 kept, other);
        char *argv[] = { "/bin/sh", "-c", script, NULL };
        Result r = { 0 };
        VbError err = { 0 };
        assert_int_equal(process_run_exec(e, &helper, argv, &kept, 1, on_done, &r, &err), 0);
        run_loop(e, &r);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "kept\nclosed\n");
        /* The environment is the minimal one, with the sbin directories for lvm2's tools. */
        char *argv2[] = { "/bin/sh", "-c", "echo $PATH $LC_ALL", NULL };
        Result r2 = { 0 };
        assert_int_equal(process_run_exec(e, &helper, argv2, NULL, 0, on_done, &r2, &err), 0);
        run_loop(e, &r2);
        assert_string_equal(r2.out, "/usr/sbin:/usr/bin:/sbin:/bin C\n");
        close(kept);
        close(other);
        sd_event_unref(e);
}

static void test_exec_refusals(void **state) {
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        Result r = { 0 };
        VbError err = { 0 };
        char *missing[] = { "/nonexistent/qemu-img", NULL };
        assert_int_equal(process_run_exec(e, &helper, missing, NULL, 0, on_done, &r, &err), -1);
        assert_non_null(strstr(err.message, "Cannot find helper binary /nonexistent/qemu-img"));
        vb_error_clear(&err);
        char *relative[] = { "sh", NULL };
        assert_int_equal(process_run_exec(e, &helper, relative, NULL, 0, on_done, &r, &err), -1);
        vb_error_clear(&err);
        int bad = 1;
        char *argv[] = { "/bin/true", NULL };
        assert_int_equal(process_run_exec(e, &helper, argv, &bad, 1, on_done, &r, &err), -1);
        assert_non_null(strstr(err.message, "cannot pass descriptor 1"));
        vb_error_clear(&err);
        assert_false(r.done);
        sd_event_unref(e);
}

typedef struct Work {
        int fd;
        int rc;
        const char *text;
} Work;

static int write_then_fail(void *arg, char *msg, size_t msg_size) {
        Work *w = arg;
        if (write(w->fd, w->text, strlen(w->text)) < 0)
                return errno;
        if (w->rc)
                snprintf(msg, msg_size, "it failed: %s", strerrordesc_np(w->rc));
        return w->rc;
}

static int die_by_signal(void *arg, char *msg, size_t msg_size) {
        raise(SIGKILL);
        return 0;
}

static void test_fn_in_child(void **state) {
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        Work w = { .fd = fileno(tmp), .rc = 0, .text = "data" };
        Result r = { 0 };
        VbError err = { 0 };
        assert_int_equal(process_run_fn(e, &helper, write_then_fail, &w, on_done, &r, &err), 0);
        run_loop(e, &r);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "");
        char buf[16] = "";
        assert_int_equal(pread(fileno(tmp), buf, sizeof buf, 0), 4);
        assert_string_equal(buf, "data");

        Work w2 = { .fd = fileno(tmp), .rc = ENOSPC, .text = "" };
        Result r2 = { 0 };
        assert_int_equal(process_run_fn(e, &helper, write_then_fail, &w2, on_done, &r2, &err), 0);
        run_loop(e, &r2);
        assert_int_equal(r2.status, ENOSPC);
        assert_string_equal(r2.out, "it failed: No space left on device");

        Result r3 = { 0 };
        assert_int_equal(process_run_fn(e, &helper, die_by_signal, NULL, on_done, &r3, &err), 0);
        run_loop(e, &r3);
        assert_int_equal(r3.status, 128 + SIGKILL);
        fclose(tmp);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exec_output_and_status),
                cmocka_unit_test(test_exec_keeps_only_listed_fds),
                cmocka_unit_test(test_exec_refusals),
                cmocka_unit_test(test_fn_in_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
