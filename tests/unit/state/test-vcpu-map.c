/* test-vcpu-map.c: setvcpu's vCPU lists in libvirt's bitmap syntax: ranges and exclusions read, and bad syntax or ids past the maximum refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain-vcpu.h"

static void expect_set(const char *map, const char *want) {
        bool set[8];
        VbError err = { 0 };
        assert_int_equal(vcpu_map_parse(map, 7, set, &err), 0);
        char got[9] = { 0 };
        for (int i = 0; i < 8; i++)
                got[i] = set[i] ? '1' : '0';
        assert_string_equal(got, want);
}

static void test_syntax(void **state) {
        (void) state;
        expect_set("1", "01000000");
        expect_set("1-3", "01110000");
        expect_set("0-7,^2,^5", "11011011");
        expect_set("6,1", "01000010");
}

static void test_refusals(void **state) {
        (void) state;
        bool set[8];
        const char *bad[] = { "", "x", "1-", "3-1", "1,,", "^1", "-1", "1 2", "1-x" };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                VbError err = { 0 };
                assert_int_equal(vcpu_map_parse(bad[i], 7, set, &err), -1);
                assert_int_equal(err.code, VB_ERR_INVALID_ARG);
                assert_non_null(strstr(err.message, "Failed to parse bitmap"));
        }
        VbError err = { 0 };
        assert_int_equal(vcpu_map_parse("2-9", 7, set, &err), -1);
        assert_non_null(strstr(err.message, "vCPU 9 is out of range: the domain has vCPUs 0-7"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
