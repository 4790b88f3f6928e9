/* test-nwfilter-conf.c: network filter and binding XML against golden files whose .out.xml libvirt 9.0's own formatter wrote from the .in.xml, and refusals. */
#include "conf-test.h"

#include "nwfilter-conf.h"

static char *filter_roundtrip(const char *xml) {
        VbError err = { 0 };
        NWFilterDef *def = nwfilter_def_parse(xml, strlen(xml), &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = nwfilter_def_format(def);
        nwfilter_def_free(def);
        assert_non_null(out);
        return out;
}

static char *binding_roundtrip(const char *xml) {
        VbError err = { 0 };
        NWFilterBindingDef *def = nwfilter_binding_def_parse(xml, strlen(xml), &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = nwfilter_binding_def_format(def);
        nwfilter_binding_def_free(def);
        assert_non_null(out);
        return out;
}

static void check_golden(const char *name, char *(*roundtrip)(const char *)) {
        char path[128];
        snprintf(path, sizeof path, "%s.in.xml", name);
        char *in = conf_test_read(path);
        snprintf(path, sizeof path, "%s.out.xml", name);
        char *expected = conf_test_read(path);
        char *once = roundtrip(in), *twice = roundtrip(once);
        assert_string_equal(once, expected);
        assert_string_equal(twice, expected);
        free(twice);
        free(once);
        free(expected);
        free(in);
}

static void test_golden(void **state) {
        check_golden("nwfilter-no-mac-spoofing", filter_roundtrip);
        check_golden("nwfilter-clean-traffic", filter_roundtrip);
        check_golden("nwfilter-rules", filter_roundtrip);
        check_golden("nwfilter-binding", binding_roundtrip);
}

static void expect_refused(const char *xml, int code, const char *msg) {
        VbError err = { 0 };
        assert_null(nwfilter_def_parse(xml, strlen(xml), &err));
        assert_vb_error(&err, code, VB_FROM_NWFILTER, msg);
}

static void test_refusals(void **state) {
        expect_refused("<filter/>", VB_ERR_NO_NAME, "missing name information: filter has no name");
        expect_refused("<filter name='x' chain='bogus'/>", VB_ERR_INVALID_NWFILTER,
                       "Invalid network filter: unknown chain suffix 'bogus'");
        expect_refused("<filter name='x'><rule action='zap' direction='in'/></filter>", VB_ERR_XML_ERROR,
                       "XML error: unknown rule action 'zap'");
        expect_refused("<filter name='x'><rule action='drop'/></filter>", VB_ERR_XML_ERROR,
                       "XML error: rule node requires direction attribute");
        expect_refused("<filter name='x'><rule action='drop' direction='in' priority='5000'/></filter>",
                       VB_ERR_XML_ERROR, "XML error: rule priority must be a number from -1000 to 1000");
        expect_refused("<filter name='x'><rule action='drop' direction='in'><tcp bogus='1'/></rule></filter>",
                       VB_ERR_XML_ERROR, "XML error: unknown attribute 'bogus' of protocol element 'tcp'");
        expect_refused("<filter name='x'><rule action='drop' direction='in'><ftp/></rule></filter>",
                       VB_ERR_XML_ERROR, "XML error: unknown protocol element 'ftp' in rule");
        expect_refused("<filter name='x'><rule action='drop' direction='in'><tcp/><udp/></rule></filter>",
                       VB_ERR_XML_ERROR, "XML error: a rule has one protocol element");
        VbError err = { 0 };
        const char *b = "<filterbinding><owner><name>g</name><uuid>33333333-4444-5555-6666-777777777777</uuid></owner>"
                        "<mac address='52:54:00:00:00:01'/><filterref filter='f'/></filterbinding>";
        assert_null(nwfilter_binding_def_parse(b, strlen(b), &err));
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "XML error: filter binding has no port dev name");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
