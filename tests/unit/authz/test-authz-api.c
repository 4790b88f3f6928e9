/* test-authz-api.c: the fine-grained checks (service/authz-api.c) with a double for polkit: action ids, libvirt's details, two permissions asked one after another, the refusal in libvirt's words. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <systemd/sd-event.h>

#include "api.h"
#include "authz-api.h"
#include "driver.h"
#include "manager.h"

static AuthzRequest *submitted[16];
static size_t n_submitted;
static int fake_token;

static void *fake_start(void) {
        return &fake_token;
}
static void fake_submit(void *backend, AuthzRequest *req) {
        submitted[n_submitted++] = req;
}
static void fake_stop(void *backend) {
}
static const AuthzBackend fake_backend = { fake_start, fake_submit, fake_stop };

typedef struct Result {
        int calls, r;
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

static void run_until_submitted(sd_event *e, size_t want) {
        for (int i = 0; i < 200 && n_submitted < want; i++)
                assert_true(sd_event_run(e, 10 * 1000) >= 0);
        assert_int_equal(n_submitted, want);
}

static const char *detail(const AuthzRequest *req, const char *key) {
        char *const *d = authz_request_details(req);
        for (size_t i = 0; d && d[i] && d[i + 1]; i += 2)
                if (strcmp(d[i], key) == 0)
                        return d[i + 1];
        return NULL;
}

static const AuthzSubject subject = { .kind = AUTHZ_SUBJECT_PROCESS, .pid = 42, .start_time = 7, .uid = 1000 };

static void test_action_ids(void **state) {
        char buf[128];
        assert_int_equal(authz_api_action(AUTHZ_API_DOMAIN, "read_secure", buf, sizeof buf), 0);
        assert_string_equal(buf, "org.libvirt.api.domain.read-secure");
        assert_int_equal(authz_api_action(AUTHZ_API_POOL, "search_storage_vols", buf, sizeof buf), 0);
        assert_string_equal(buf, "org.libvirt.api.storage-pool.search-storage-vols");
        assert_int_equal(authz_api_action(AUTHZ_API_VOL, "data_write", buf, sizeof buf), 0);
        assert_string_equal(buf, "org.libvirt.api.storage-vol.data-write");
        assert_int_equal(authz_api_action(AUTHZ_API_CONNECT, "search_domains", buf, sizeof buf), 0);
        assert_string_equal(buf, "org.libvirt.api.connect.search-domains");
        assert_int_equal(authz_api_action(AUTHZ_API_DOMAIN, "start", buf, 10), -ENAMETOOLONG);
}

static void test_details_and_chain(void **state) {
        sd_event *e = NULL;
        Authz *a = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(authz_new_with_backend(e, &fake_backend, &a), 0);
        n_submitted = 0;

        static const Driver driver = { .name = "Test", .type = "TEST" };
        Connection conn = { .driver = &driver };
        Object dom = { .kind = OBJECT_DOMAIN, .conn = &conn, .name = (char *) "demo",
                       .uuid = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04, 0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f } };
        AuthzApiRule rule = { .object = AUTHZ_API_DOMAIN, .perms = { "write", "save" } };
        Result res = { 0 };
        VbError err = { 0 };
        assert_int_equal(authz_api_check(a, &subject, &rule, &conn, &dom, false, on_done, &res, &err), AUTHZ_PENDING);
        run_until_submitted(e, 1);
        assert_string_equal(authz_request_action(submitted[0]), "org.libvirt.api.domain.write");
        assert_string_equal(detail(submitted[0], "connect_driver"), "TEST");
        assert_string_equal(detail(submitted[0], "domain_name"), "demo");
        assert_string_equal(detail(submitted[0], "domain_uuid"), "6695eb01-f6a4-8304-79aa-97f2502e193f");
        authz_request_answer(submitted[0], AUTHZ_ANSWER_YES, NULL);
        run_until_submitted(e, 2);
        assert_int_equal(res.calls, 0);         /* not before the second permission */
        assert_string_equal(authz_request_action(submitted[1]), "org.libvirt.api.domain.save");
        assert_string_equal(detail(submitted[1], "domain_name"), "demo");
        authz_request_answer(submitted[1], AUTHZ_ANSWER_NO, NULL);
        run_until(e, &res.calls, 1);
        assert_int_equal(res.r, -1);
        assert_int_equal(res.err.code, VB_ERR_ACCESS_DENIED);
        assert_int_equal(res.err.from, VB_FROM_ACCESS);
        assert_string_equal(res.err.message,
                            "access denied: access denied by policy (polkit action org.libvirt.api.domain.save)");

        /* connect-level, both yes: done once with 0, only connect_driver */
        Result ok = { 0 };
        assert_int_equal(authz_api_check(a, &subject, &rule, &conn, NULL, false, on_done, &ok, &err), AUTHZ_PENDING);
        run_until_submitted(e, 3);
        assert_null(detail(submitted[2], "domain_name"));
        assert_string_equal(detail(submitted[2], "connect_driver"), "TEST");
        authz_request_answer(submitted[2], AUTHZ_ANSWER_YES, NULL);
        run_until_submitted(e, 4);
        authz_request_answer(submitted[3], AUTHZ_ANSWER_YES, NULL);
        run_until(e, &ok.calls, 1);
        assert_int_equal(ok.r, 0);

        authz_free(a);
        sd_event_unref(e);
}

/* virNetworkUpdate: write always; save with AFFECT_CONFIG (2), or with neither it nor AFFECT_LIVE (1) */
static void test_network_update_rule(void **state) {
        const ApiRow *row = api_row(API_NETWORK_UPDATE);
        assert_non_null(row);
        assert_true(api_acl_uses_flags(&row->acl));
        assert_int_equal(api_acl_strongest_flags(&row->acl), 2);
        static const struct {
                unsigned flags;
                const char *second;
        } cases[] = { { 0, "save" }, { 1, NULL }, { 2, "save" }, { 3, "save" } };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                AuthzApiRule rule;
                assert_true(authz_api_rule_of(&row->acl, cases[i].flags, &rule));
                assert_string_equal(rule.perms[0], "write");
                if (cases[i].second)
                        assert_string_equal(rule.perms[1], cases[i].second);
                else
                        assert_null(rule.perms[1]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_action_ids),
                cmocka_unit_test(test_details_and_chain),
                cmocka_unit_test(test_network_update_rule),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
