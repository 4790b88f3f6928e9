/* test-secret-conf.c: secret XML: golden files (parse → format → parse is a fixed point; the .out.xml are what libvirt 9.0's virSecretDefFormat writes for the .in.xml) and libvirt's refusals. */
#include "conf-test.h"

#include "secret-conf.h"

static const char *const golden[] = { "secret-volume", "secret-ceph", "secret-none", "secret-iscsi",
                                      "secret-tls", "secret-vtpm" };

static char *roundtrip(const char *xml) {
        VbError err = { 0 };
        SecretDef *def = secret_def_parse(xml, strlen(xml), &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = secret_def_format(def);
        secret_def_free(def);
        assert_non_null(out);
        return out;
}

static void test_golden(void **state) {
        for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
                char name[128];
                snprintf(name, sizeof name, "%s.in.xml", golden[i]);
                char *in = conf_test_read(name);
                snprintf(name, sizeof name, "%s.out.xml", golden[i]);
                char *expected = conf_test_read(name);
                char *once = roundtrip(in);
                assert_string_equal(once, expected);
                char *twice = roundtrip(once);
                assert_string_equal(twice, expected);
                free(twice);
                free(once);
                free(expected);
                free(in);
        }
}

static void test_fields(void **state) {
        char *xml = conf_test_read("secret-ceph.in.xml");
        VbError err = { 0 };
        SecretDef *def = secret_def_parse(xml, strlen(xml), &err);
        assert_non_null(def);
        assert_true(def->ephemeral);
        assert_true(def->private_);
        assert_int_equal(def->usage_type, SECRET_USAGE_CEPH);
        assert_string_equal(def->usage_id, "client.admin secret");
        assert_null(def->description);
        secret_def_free(def);
        free(xml);
}

static void test_generated_uuid(void **state) {
        VbError err = { 0 };
        const char *xml = "<secret/>";
        SecretDef *a = secret_def_parse(xml, strlen(xml), &err), *b = secret_def_parse(xml, strlen(xml), &err);
        assert_non_null(a);
        assert_non_null(b);
        assert_memory_not_equal(a->uuid, b->uuid, 16);
        assert_int_equal(a->usage_type, SECRET_USAGE_NONE);
        assert_null(a->usage_id);
        secret_def_free(a);
        secret_def_free(b);
}

static void expect_refused(const char *xml, int code, const char *msg) {
        VbError err = { 0 };
        assert_null(secret_def_parse(xml, strlen(xml), &err));
        assert_vb_error(&err, code, VB_FROM_SECRET, msg);
}

static void test_refusals(void **state) {
        expect_refused("<secret><usage type='volume'/></secret>", VB_ERR_INTERNAL_ERROR,
                       "internal error: volume usage specified, but volume path is missing");
        expect_refused("<secret><usage type='ceph'><name> </name></usage></secret>", VB_ERR_INTERNAL_ERROR,
                       "internal error: Ceph usage specified, but name is missing");
        expect_refused("<secret><usage type='iscsi'/></secret>", VB_ERR_INTERNAL_ERROR,
                       "internal error: iSCSI usage specified, but target is missing");
        expect_refused("<secret><usage type='floppy'/></secret>", VB_ERR_INTERNAL_ERROR,
                       "internal error: unknown secret usage type floppy");
        expect_refused("<secret><usage/></secret>", VB_ERR_XML_ERROR, "XML error: unknown secret usage type");
        expect_refused("<secret private='maybe'/>", VB_ERR_XML_ERROR, "XML error: invalid value of 'private'");
        expect_refused("<secret><uuid>not-a-uuid</uuid></secret>", VB_ERR_INTERNAL_ERROR,
                       "internal error: malformed uuid element");
        VbError err = { 0 };
        assert_null(secret_def_parse("<domain/>", 9, &err));
        assert_int_not_equal(err.code, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_generated_uuid),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
