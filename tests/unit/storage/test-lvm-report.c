/* test-lvm-report.c: lvm2's JSON reports as drivers/storage reads them (lvm-run.c): rows found
 * after warnings lvm printed first, sizes in bytes, empty and broken reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lvm-run.h"

static void test_rows_after_warnings(void **state) {
        const char *out = "  WARNING: Not using device /dev/sdz for PV abc.\n"
                          "  {\n      \"report\": [\n          {\n              \"vg\": [\n"
                          "                  {\"vg_name\":\"vg0\", \"vg_size\":\"62914560\", \"vg_free\":\"54525952\"}\n"
                          "              ]\n          }\n      ]\n  }\n"
                          "  WARNING: after the report too\n";
        json_object *doc;
        json_object *rows = lvm_report_rows(out, "vg", &doc);
        assert_non_null(rows);
        assert_int_equal(json_object_array_length(rows), 1);
        json_object *row = json_object_array_get_idx(rows, 0);
        assert_string_equal(lvm_field(row, "vg_name"), "vg0");
        assert_int_equal(lvm_field_u64(row, "vg_size"), 62914560);
        assert_int_equal(lvm_field_u64(row, "vg_free"), 54525952);
        assert_null(lvm_field(row, "lv_name"));
        assert_int_equal(lvm_field_u64(row, "lv_size"), 0);
        json_object_put(doc);
}

static void test_empty_and_other_kind(void **state) {
        const char *out = "{\"report\": [ {\"lv\": [ ]} ]}";
        json_object *doc;
        json_object *rows = lvm_report_rows(out, "lv", &doc);
        assert_non_null(rows);
        assert_int_equal(json_object_array_length(rows), 0);
        json_object_put(doc);
        /* a report of LVs is no report of PVs */
        assert_null(lvm_report_rows(out, "pv", &doc));
        json_object_put(doc);
}

static void test_broken_reports(void **state) {
        json_object *doc;
        assert_null(lvm_report_rows(NULL, "vg", &doc));
        assert_null(doc);
        assert_null(lvm_report_rows("  Volume group \"x\" not found\n", "vg", &doc));
        json_object_put(doc);
        assert_null(lvm_report_rows("{\"report\": [ {\"vg\": [ {\"vg_name\": ", "vg", &doc));
        json_object_put(doc);
        assert_null(lvm_report_rows("{\"report\": {}}", "vg", &doc));
        json_object_put(doc);
        assert_null(lvm_report_rows("{\"report\": [ {\"vg\": 3} ]}", "vg", &doc));
        json_object_put(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_after_warnings),
                cmocka_unit_test(test_empty_and_other_kind),
                cmocka_unit_test(test_broken_reports),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
