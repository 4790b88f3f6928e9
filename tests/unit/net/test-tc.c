/* test-tc.c: lib/tc.c in a private network namespace: a veth end's egress shaped by htb, its ingress redirected to a shaped IFB device, both removed again; read back with tc(8) as a user would. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlink.h"
#include "tc.h"

/* What `tc ARGS` prints (the test's reading; the library never runs tc). */
static char *tc_show(const char *args) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "tc %s 2>&1", args);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        static char out[8192];
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        pclose(p);
        return out;
}

static void test_shape_and_remove(void **state) {
        VbError err = { 0 };
        assert_int_equal(netlink_veth_create("tcv0", "tcv1", &err), 0);
        assert_int_equal(netlink_link_set_up("tcv0", true, &err), 0);

        /* 100 kB/s average, 200 peak, 300 KiB burst: tc's "rate 800Kbit ceil 1600Kbit burst 300Kb" */
        TcRate in = { .rate = 100000, .ceil = 200000, .burst = 300 * 1024 };
        assert_int_equal(tc_egress_shape("tcv0", &in, &err), 0);
        assert_non_null(strstr(tc_show("qdisc show dev tcv0"), "qdisc htb 1: root"));
        char *cls = tc_show("class show dev tcv0");
        assert_non_null(strstr(cls, "class htb 1:1 root"));
        assert_non_null(strstr(cls, "rate 800Kbit ceil 1600Kbit burst 300Kb"));
        /* a second setting replaces the first */
        TcRate slower = { .rate = 50000 };
        assert_int_equal(tc_egress_shape("tcv0", &slower, &err), 0);
        assert_non_null(strstr(tc_show("class show dev tcv0"), "rate 400Kbit ceil 400Kbit"));

        TcRate out = { .rate = 10000, .ceil = 20000, .burst = 30 * 1024 };
        assert_int_equal(tc_ingress_shape("tcv0", "ifb-tcv0", &out, &err), 0);
        assert_non_null(strstr(tc_show("qdisc show dev tcv0"), "qdisc ingress ffff:"));
        assert_non_null(strstr(tc_show("filter show dev tcv0 parent ffff:"), "Egress Redirect to device ifb-tcv0"));
        assert_non_null(strstr(tc_show("class show dev ifb-tcv0"), "rate 80Kbit ceil 160Kbit burst 30Kb"));
        assert_true(netlink_link_is_up("ifb-tcv0"));

        assert_int_equal(tc_egress_shape("tcv0", NULL, &err), 0);
        assert_int_equal(tc_ingress_shape("tcv0", "ifb-tcv0", NULL, &err), 0);
        char *q = tc_show("qdisc show dev tcv0");
        assert_null(strstr(q, "htb"));
        assert_null(strstr(q, "ingress"));
        assert_false(netlink_link_exists("ifb-tcv0"));
        /* removing what is not there is no error */
        assert_int_equal(tc_ingress_shape("tcv0", "ifb-tcv0", NULL, &err), 0);
        assert_int_equal(netlink_link_delete("tcv0", &err), 0);
}

static void test_errors(void **state) {
        VbError err = { 0 };
        TcRate r = { .rate = 1000 };
        assert_int_equal(tc_egress_shape("nosuch0", &r, &err), -1);
        assert_string_equal(err.message, "no network interface named 'nosuch0'");
        vb_error_clear(&err);
        assert_int_equal(tc_ingress_shape("nosuch0", "ifb-a-name-too-long", &r, &err), -1);
        assert_non_null(strstr(err.message, "invalid network interface name 'ifb-a-name-too-long'"));
        vb_error_clear(&err);
}

int main(void) {
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "test-tc: unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shape_and_remove),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
