/* test-authz-remote.c: the remote door's polkit handshake (auth_list, auth_polkit) over the protocol side with a fake transport and a double for polkit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <systemd/sd-event.h>

#include "authz.h"
#include "dispatch.h"
#include "fake-server.h"

static AuthzRequest *submitted[16];
static size_t n_submitted;

static void *fake_start(void) {
        static int token;
        return &token;
}

static void fake_submit(void *backend, AuthzRequest *req) {
        submitted[n_submitted++] = req;
}

static void fake_stop(void *backend) {
}

static const AuthzBackend fake_backend = { fake_start, fake_submit, fake_stop };

typedef struct Fixture {
        sd_event *e;
        Authz *a;
        RemoteServer *s;
        uint32_t serial;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_int_equal(sd_event_new(&f->e), 0);
        assert_int_equal(authz_new_with_backend(f->e, &fake_backend, &f->a), 0);
        f->s = fake_server_new(NULL);
        n_submitted = 0;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        authz_free(f->a);
        fake_server_free(f->s);
        sd_event_unref(f->e);
        free(f);
        return 0;
}

static FakeClient *polkit_client(Fixture *f, bool readonly) {
        FakeClient *fc = fake_client_new(f->s, false, REMOTE_AUTH_POLKIT);
        fc->c.who = (Identity) { .uid = 1000, .gid = 1000, .pid = 4242, .readonly = readonly };
        fc->c.readonly = readonly;
        fc->c.start_time = 777;
        fc->c.authz = f->a;
        return fc;
}

typedef struct Reply {
        uint32_t status;
        const uint8_t *payload;
        size_t len;
        int32_t code, domain;
        char message[512];
} Reply;

static Reply last_reply(FakeClient *fc) {
        const FakePacket *p = fake_out(fc, fc->n_out - 1);
        Reply r = { .status = fake_be32(p->data + 24), .payload = p->data + 28, .len = p->len - 28 };
        if (r.status == MSG_STATUS_ERROR) {
                XdrReader x;
                char *s = NULL;
                xdr_reader_init(&x, r.payload, r.len);
                xdr_get_i32(&x, &r.code);
                xdr_get_i32(&x, &r.domain);
                xdr_get_opt_string(&x, 4096, &s);
                snprintf(r.message, sizeof r.message, "%s", s ? s : "(null)");
                free(s);
        }
        return r;
}

static void run_loop(Fixture *f) {
        for (int i = 0; i < 5; i++)
                sd_event_run(f->e, 1000);
}

static void test_handshake(void **state) {
        Fixture *f = *state;
        FakeClient *fc = polkit_client(f, false);

        fake_call(fc, 66, ++f->serial, NULL, 0);                /* auth_list → [2] */
        Reply r = last_reply(fc);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(fake_be32(r.payload), 1);
        assert_int_equal(fake_be32(r.payload + 4), REMOTE_AUTH_POLKIT);

        fake_call(fc, 3, ++f->serial, NULL, 0);                 /* the gate */
        r = last_reply(fc);
        assert_string_equal(r.message, "authentication required");

        /* auth_polkit: pending until polkit answers; the subject is pid + start time + uid */
        size_t before = fc->n_out;
        fake_call(fc, 70, ++f->serial, NULL, 0);
        assert_int_equal(fc->n_out, before);
        assert_int_equal(fc->c.pending, 1);
        assert_int_equal(n_submitted, 1);
        const AuthzSubject *subj = authz_request_subject(submitted[0]);
        assert_int_equal(subj->kind, AUTHZ_SUBJECT_PROCESS);
        assert_int_equal(subj->pid, 4242);
        assert_int_equal(subj->start_time, 777);
        assert_int_equal(subj->uid, 1000);
        assert_string_equal(authz_request_action(submitted[0]), AUTHZ_ACTION_MANAGE);
        assert_true(authz_request_interactive(submitted[0]));

        /* a second one while the first is pending is refused */
        fake_call(fc, 70, ++f->serial, NULL, 0);
        r = last_reply(fc);
        assert_int_equal(r.code, 45);
        before = fc->n_out;

        authz_request_answer(submitted[0], AUTHZ_ANSWER_CHALLENGE, NULL);
        run_loop(f);
        assert_int_equal(fc->n_out, before + 1);
        r = last_reply(fc);
        assert_int_equal(r.code, 94);
        assert_int_equal(r.domain, 60);
        assert_string_equal(r.message, "authentication unavailable: no polkit agent available to authenticate action "
                                       "'org.libvirt.unix.manage'");
        assert_false(fc->c.authenticated);
        assert_int_equal(fc->c.pending, 0);

        /* again, allowed this time: {complete = 1}, and the gate opens */
        fake_call(fc, 70, ++f->serial, NULL, 0);
        authz_request_answer(submitted[1], AUTHZ_ANSWER_YES, NULL);
        run_loop(f);
        r = last_reply(fc);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 4);
        assert_int_equal(fake_be32(r.payload), 1);
        assert_true(fc->c.authenticated);
        fake_call(fc, 3, ++f->serial, NULL, 0);
        r = last_reply(fc);
        assert_string_equal(r.message, "internal error: hypervisor connection not open");
        fake_client_drop(fc);
}

static void test_readonly_asks_monitor(void **state) {
        Fixture *f = *state;
        FakeClient *fc = polkit_client(f, true);
        fake_call(fc, 70, ++f->serial, NULL, 0);
        assert_int_equal(n_submitted, 1);
        assert_string_equal(authz_request_action(submitted[0]), AUTHZ_ACTION_MONITOR);
        authz_request_answer(submitted[0], AUTHZ_ANSWER_NO, NULL);
        run_loop(f);
        Reply r = last_reply(fc);
        assert_int_equal(r.code, 45);
        assert_string_equal(r.message, "authentication failed: access denied by policy");
        fake_client_drop(fc);
}

/* The client goes while polkit thinks: the answer finds a client nobody else holds. */
static void test_client_gone_before_answer(void **state) {
        Fixture *f = *state;
        FakeClient *fc = polkit_client(f, false);
        fake_call(fc, 70, ++f->serial, NULL, 0);
        fake_client_drop(fc);
        authz_request_answer(submitted[0], AUTHZ_ANSWER_ERROR, "subject gone");
        run_loop(f);
        assert_int_equal(authz_n_pending(f->a), 0);
}

static void test_without_authz_or_polkit(void **state) {
        Fixture *f = *state;
        FakeClient *fc = polkit_client(f, false);
        fc->c.authz = NULL;
        fake_call(fc, 70, ++f->serial, NULL, 0);
        Reply r = last_reply(fc);
        assert_int_equal(r.status, MSG_STATUS_ERROR);
        assert_non_null(strstr(r.message, "polkit"));
        assert_false(fc->c.authenticated);
        fake_client_drop(fc);
        /* a client whose socket does not use polkit */
        fc = fake_client_new(f->s, true, REMOTE_AUTH_NONE);
        fake_call(fc, 70, ++f->serial, NULL, 0);
        r = last_reply(fc);
        assert_int_equal(r.code, 45);
        fake_client_drop(fc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
                cmocka_unit_test_setup_teardown(test_readonly_asks_monitor, setup, teardown),
                cmocka_unit_test_setup_teardown(test_client_gone_before_answer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_without_authz_or_polkit, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
