/* test-authz.c: the authz module's loop side with a double for polkit: answers, refusals in libvirt's words, the bound on checks in flight, answers from another thread, shutdown with checks pending, process start times. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-event.h>

#include "authz.h"

/* ---- the double: keeps every request; the test answers them ---- */

static AuthzRequest *submitted[AUTHZ_MAX_PENDING + 2];
static size_t n_submitted;
static int fake_started, fake_stopped;

static void *fake_start(void) {
        fake_started++;
        return &fake_started;
}

static void fake_submit(void *backend, AuthzRequest *req) {
        submitted[n_submitted++] = req;
}

static void fake_stop(void *backend) {
        fake_stopped++;
}

static const AuthzBackend fake_backend = { fake_start, fake_submit, fake_stop };

typedef struct Result {
        int calls;
        int r;
        VbError err;
} Result;

static void on_done(int r, const VbError *err, void *userdata) {
        Result *res = userdata;
        res->calls++;
        res->r = r;
        if (err)
                res->err = *err;
}

static void run_until(sd_event *e, const int *calls, int want) {
        for (int i = 0; i < 200 && *calls < want; i++)
                assert_true(sd_event_run(e, 10 * 1000) >= 0);
        assert_int_equal(*calls, want);
}

typedef struct Fixture {
        sd_event *e;
        Authz *a;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_int_equal(sd_event_new(&f->e), 0);
        assert_int_equal(authz_new_with_backend(f->e, &fake_backend, &f->a), 0);
        n_submitted = 0;
        fake_started = fake_stopped = 0;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        authz_free(f->a);
        sd_event_unref(f->e);
        free(f);
        return 0;
}

static const AuthzSubject proc_subject = { .kind = AUTHZ_SUBJECT_PROCESS, .pid = 42, .start_time = 7, .uid = 1000 };

static void test_answers_in_libvirt_words(void **state) {
        Fixture *f = *state;
        const struct {
                AuthzAnswer answer;
                int r, code;
                const char *text;
        } cases[] = {
                { AUTHZ_ANSWER_YES, 0, 0, NULL },
                { AUTHZ_ANSWER_NO, -1, 45, "authentication failed: access denied by policy" },
                { AUTHZ_ANSWER_CHALLENGE, -1, 94, "authentication unavailable: no polkit agent available to "
                                                  "authenticate action 'org.libvirt.unix.manage'" },
                { AUTHZ_ANSWER_DISMISSED, -1, 79, "authentication cancelled: user cancelled authentication process" },
                { AUTHZ_ANSWER_ERROR, -1, 45, "authentication failed: polkit: polkitd is gone" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                Result res = { 0 };
                VbError err = { 0 };
                const char *details[] = { "domain_name", "vm1", NULL };
                assert_int_equal(authz_check(f->a, &proc_subject, AUTHZ_ACTION_MANAGE, details, true, on_done, &res,
                                             &err), AUTHZ_PENDING);
                assert_int_equal(res.calls, 0);         /* never before it returned */
                AuthzRequest *req = submitted[n_submitted - 1];
                assert_string_equal(authz_request_action(req), AUTHZ_ACTION_MANAGE);
                assert_int_equal(authz_request_subject(req)->start_time, 7);
                assert_string_equal(authz_request_details(req)[1], "vm1");
                assert_true(authz_request_interactive(req));
                authz_request_answer(req, cases[i].answer, cases[i].answer == AUTHZ_ANSWER_ERROR ? "polkitd is gone" : NULL);
                assert_int_equal(res.calls, 0);         /* answers come through the loop */
                run_until(f->e, &res.calls, 1);
                assert_int_equal(res.r, cases[i].r);
                if (cases[i].r < 0) {
                        assert_int_equal(res.err.code, cases[i].code);
                        assert_int_equal(res.err.from, 60);   /* VIR_FROM_POLKIT */
                        assert_string_equal(res.err.message, cases[i].text);
                }
        }
        assert_int_equal(fake_started, 1);              /* the backend started once, at the first check */
        assert_int_equal(authz_n_pending(f->a), 0);
}

static void test_bound_on_checks_in_flight(void **state) {
        Fixture *f = *state;
        static Result res[AUTHZ_MAX_PENDING + 1];
        memset(res, 0, sizeof res);
        VbError err = { 0 };
        for (int i = 0; i < AUTHZ_MAX_PENDING; i++)
                assert_int_equal(authz_check(f->a, &proc_subject, AUTHZ_ACTION_MONITOR, NULL, false, on_done, &res[i],
                                             &err), AUTHZ_PENDING);
        assert_int_equal(authz_n_pending(f->a), AUTHZ_MAX_PENDING);
        /* at most AUTHZ_MAX_IN_FLIGHT asked of the backend at once; the others wait in order */
        assert_int_equal(n_submitted, AUTHZ_MAX_IN_FLIGHT);
        assert_int_equal(authz_check(f->a, &proc_subject, AUTHZ_ACTION_MONITOR, NULL, false, on_done,
                                     &res[AUTHZ_MAX_PENDING], &err), -1);
        assert_non_null(strstr(err.message, "too many pending authorizations"));
        assert_int_equal(res[AUTHZ_MAX_PENDING].calls, 0);
        /* one answer frees a slot: the oldest waiting check is asked next, and a new one is taken */
        authz_request_answer(submitted[0], AUTHZ_ANSWER_YES, NULL);
        run_until(f->e, &res[0].calls, 1);
        assert_int_equal(res[0].r, 0);
        assert_int_equal(n_submitted, AUTHZ_MAX_IN_FLIGHT + 1);
        assert_int_equal(authz_check(f->a, &proc_subject, AUTHZ_ACTION_MONITOR, NULL, false, on_done,
                                     &res[AUTHZ_MAX_PENDING], &err), AUTHZ_PENDING);
        /* shutting down refuses every check still pending, asked or waiting, once each */
        authz_free(f->a);
        f->a = NULL;
        assert_int_equal(fake_stopped, 1);
        assert_int_equal(n_submitted, AUTHZ_MAX_IN_FLIGHT + 1);
        for (int i = 1; i <= AUTHZ_MAX_PENDING; i++) {
                assert_int_equal(res[i].calls, 1);
                assert_int_equal(res[i].r, -1);
                assert_non_null(strstr(res[i].err.message, "shutting down"));
        }
}

static void *answer_later(void *arg) {
        usleep(20 * 1000);
        authz_request_answer(arg, AUTHZ_ANSWER_YES, NULL);
        return NULL;
}

static void test_answer_from_another_thread(void **state) {
        Fixture *f = *state;
        Result res = { 0 };
        VbError err = { 0 };
        AuthzSubject bus = { .kind = AUTHZ_SUBJECT_BUS_NAME, .bus_name = ":1.42", .uid = (uid_t) -1 };
        assert_int_equal(authz_check(f->a, &bus, AUTHZ_ACTION_MONITOR, NULL, false, on_done, &res, &err), AUTHZ_PENDING);
        assert_string_equal(authz_request_subject(submitted[0])->bus_name, ":1.42");
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, answer_later, submitted[0]), 0);
        run_until(f->e, &res.calls, 1);
        pthread_join(t, NULL);
        assert_int_equal(res.r, 0);
}

static void test_no_authz_refuses(void **state) {
        VbError err = { 0 };
        Result res = { 0 };
        assert_int_equal(authz_check(NULL, &proc_subject, AUTHZ_ACTION_MANAGE, NULL, false, on_done, &res, &err), -1);
        assert_non_null(strstr(err.message, "polkit"));
        assert_int_equal(res.calls, 0);
}

static void test_start_time(void **state) {
        uint64_t t = 0;
        /* field 2 may hold spaces and parentheses */
        assert_int_equal(authz_parse_stat_start_time("123 (a) b (c)) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
                                                     "987654 99 100\n", &t), 0);
        assert_int_equal(t, 987654);
        assert_int_equal(authz_parse_stat_start_time("123 (x) S 1 2 3\n", &t), -EINVAL);
        assert_int_equal(authz_parse_stat_start_time("no parenthesis", &t), -EINVAL);
        t = 0;
        assert_int_equal(authz_process_start_time(getpid(), &t), 0);
        assert_true(t > 0);
        uint64_t again = 0;
        assert_int_equal(authz_process_start_time(getpid(), &again), 0);
        assert_int_equal(t, again);
        assert_true(authz_process_start_time(0, &t) < 0);
        assert_true(authz_process_start_time(0x3fffffff, &t) < 0);      /* no such process */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_answers_in_libvirt_words, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bound_on_checks_in_flight, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answer_from_another_thread, setup, teardown),
                cmocka_unit_test(test_no_authz_refuses),
                cmocka_unit_test(test_start_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
