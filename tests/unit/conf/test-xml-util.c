/* test-xml-util.c: the hardened reader (DOCTYPE, size, depth, errors) and the shared helpers. */
#include "conf-test.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <libxml/xmlerror.h>

#include "xml-util.h"

static xmlDocPtr read_doc(const char *xml, const char *root, VbError *err) {
        return xml_read_untrusted(xml, strlen(xml), root, "domain_definition", err);
}

static void test_accepts_plain_document(void **state) {
        VbError err = { 0 };
        xmlDocPtr doc = read_doc("<?xml version='1.0'?>\n<domain type='test'><name>a</name></domain>",
                                 "domain", &err);
        assert_non_null(doc);
        xmlFreeDoc(doc);
}

static void test_refuses_doctype_with_entity(void **state) {
        const char *laughs =
                "<?xml version='1.0'?>\n"
                "<!DOCTYPE domain [\n"
                " <!ENTITY a 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>\n"
                " <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
                " <!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
                "]>\n"
                "<domain type='test'><name>&c;</name></domain>\n";
        VbError err = { 0 };
        assert_null(read_doc(laughs, "domain", &err));
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML,
                        "XML error: (domain_definition): DOCTYPE is not allowed");
}

static void test_refuses_external_entity(void **state) {
        const char *xxe = "<!DOCTYPE domain SYSTEM 'file:///etc/passwd'><domain/>";
        VbError err = { 0 };
        assert_null(read_doc(xxe, "domain", &err));
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_non_null(strstr(err.message, "DOCTYPE"));
}

static void test_refuses_oversized_document(void **state) {
        size_t n = XML_MAX_SIZE + 1;
        char *xml = malloc(n + 1);
        assert_non_null(xml);
        /* a valid document, so only the size can be the reason */
        memset(xml, ' ', n);
        memcpy(xml, "<domain>", 8);
        memcpy(xml + n - 9, "</domain>", 9);
        xml[n] = '\0';
        VbError err = { 0 };
        assert_null(xml_read_untrusted(xml, n, "domain", "domain_definition", &err));
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_non_null(strstr(err.message, "exceeds the limit of 4194304 bytes"));

        /* one byte less is fine */
        memcpy(xml + n - 10, "</domain>", 9);
        xml[n - 1] = '\0';
        xmlDocPtr doc = xml_read_untrusted(xml, n - 1, "domain", "domain_definition", &err);
        assert_non_null(doc);
        xmlFreeDoc(doc);
        free(xml);
}

static char *nested(unsigned depth) {
        char *xml = malloc((size_t) depth * 7 + 1);
        char *p = xml;
        for (unsigned i = 0; i < depth; i++)
                p += sprintf(p, "<a>");
        for (unsigned i = 0; i < depth; i++)
                p += sprintf(p, "</a>");
        return xml;
}

static double seconds_since(const struct timespec *t0) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double) (t1.tv_sec - t0->tv_sec) + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_refuses_deep_nesting_fast(void **state) {
        char *xml = nested(10000);
        VbError err = { 0 };
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* the raw pass alone refuses it: no tree is ever built */
        assert_int_equal(xml_check_raw(xml, strlen(xml), XML_MAX_DEPTH, "domain_definition", &err), -1);
        assert_null(xml_read_untrusted(xml, strlen(xml), "a", "domain_definition", &err));
        assert_true(seconds_since(&t0) < 1.0);
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML,
                        "XML error: (domain_definition): elements nest deeper than 64 levels");
        free(xml);
}

static void test_depth_limit_is_exact(void **state) {
        VbError err = { 0 };
        char *ok = nested(XML_MAX_DEPTH);
        xmlDocPtr doc = xml_read_untrusted(ok, strlen(ok), "a", "x", &err);
        assert_non_null(doc);
        xmlFreeDoc(doc);
        char *deep = nested(XML_MAX_DEPTH + 1);
        assert_null(xml_read_untrusted(deep, strlen(deep), "a", "x", &err));
        free(ok);
        free(deep);
}

/* Markup inside comments, CDATA, PIs and quoted attribute values is not nesting. */
static void test_depth_pass_skips_non_elements(void **state) {
        const char *xml =
                "<?xml version='1.0'?><r><!-- <a><b><c> --><x a='>' b=\"/>\"><![CDATA[<e><f>]]>"
                "<?pi <h><i> ?><y/></x><x/></r>";
        VbError err = { 0 };
        assert_int_equal(xml_check_raw(xml, strlen(xml), 3, "x", &err), 0);
        assert_int_equal(xml_check_raw(xml, strlen(xml), 2, "x", &err), -1);
        xmlDocPtr doc = xml_read_untrusted(xml, strlen(xml), "r", "x", &err);
        assert_non_null(doc);
        xmlFreeDoc(doc);
}

static void test_malformed_reports_line_and_text(void **state) {
        VbError err = { 0 };
        assert_null(read_doc("<domain", "domain", &err));
        assert_vb_error(&err, VB_ERR_XML_DETAIL, VB_FROM_XML,
                        "(domain_definition):1: Couldn't find end of Start Tag domain line 1\n"
                        "<domain\n"
                        "-------^");
        assert_null(read_doc("<domain type='test'>\n  <name>a</name>\n  <memory>1</mem>\n</domain>",
                             "domain", &err));
        assert_vb_error_prefix(&err, VB_ERR_XML_DETAIL,
                               "(domain_definition):3: Opening and ending tag mismatch: memory line 3 and mem");
}

/* Raw bytes that broke the parse never reach the message: it must stay valid UTF-8. */
static void test_malformed_context_is_ascii(void **state) {
        VbError err = { 0 };
        assert_null(read_doc("<domain><name>\xff\xfe</name></domain>", "domain", &err));
        assert_int_equal(err.code, VB_ERR_XML_DETAIL);
        for (const char *p = err.message; *p; p++)
                assert_true((unsigned char) *p < 0x80);
}

static void test_wrong_root(void **state) {
        VbError err = { 0 };
        assert_null(read_doc("<network><name>a</name></network>", "domain", &err));
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML,
                        "XML error: expecting root element of 'domain', not 'network'");
}

static void test_empty_document(void **state) {
        VbError err = { 0 };
        assert_null(xml_read_untrusted("", 0, "domain", "domain_definition", &err));
        assert_int_equal(err.code, VB_ERR_XML_DETAIL);
        assert_null(xml_read_untrusted(NULL, 0, "domain", "domain_definition", &err));
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
}

/* libxml2 prints nothing and leaves no error behind in its per-thread state. */
static void test_no_stderr_no_global_error(void **state) {
        fflush(stderr);
        int saved = dup(2);
        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        dup2(fileno(tmp), 2);
        VbError err = { 0 };
        assert_null(read_doc("<domain><a></b></domain>", "domain", &err));
        assert_null(read_doc("<domain", "domain", &err));
        assert_null(read_doc("<domain>&undefined;</domain>", "domain", &err));
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        assert_int_equal(ftell(tmp), 0);
        fclose(tmp);
        assert_null(xmlGetLastError());
}

static void test_undefined_entity_refused(void **state) {
        VbError err = { 0 };
        assert_null(read_doc("<domain><name>&x;</name></domain>", "domain", &err));
        assert_vb_error_prefix(&err, VB_ERR_XML_DETAIL, "(domain_definition):1: Entity 'x' not defined");
}

static void test_scale_units(void **state) {
        static const struct {
                const char *unit;
                uint64_t value, bytes;
        } cases[] = {
                { NULL, 3, 3 * 1024ull }, { "", 3, 3 * 1024ull }, { "b", 3, 3 }, { "bytes", 3, 3 },
                { "k", 1, 1024 }, { "KiB", 1, 1024 }, { "KB", 1, 1000 }, { "M", 1, 1048576 },
                { "MiB", 2, 2097152 }, { "MB", 1, 1000000 }, { "G", 1, 1073741824ull },
                { "GiB", 1, 1073741824ull }, { "GB", 1, 1000000000ull },
                { "T", 1, 1099511627776ull }, { "TiB", 1, 1099511627776ull },
                { "TB", 1, 1000000000000ull }, { "kib", 1, 1024 }, { "P", 1, 1125899906842624ull },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                uint64_t out = 0;
                VbError err = { 0 };
                assert_int_equal(xml_scale_u64(cases[i].value, cases[i].unit, 1024, &out, &err), 0);
                assert_int_equal(out, cases[i].bytes);
        }
        VbError err = { 0 };
        uint64_t out;
        assert_int_equal(xml_scale_u64(1, "XB", 1024, &out, &err), -1);
        assert_vb_error(&err, VB_ERR_INVALID_ARG, VB_FROM_XML, "invalid argument: unknown suffix 'XB'");
        assert_int_equal(xml_scale_u64(1, "KiBs", 1024, &out, &err), -1);
        assert_int_equal(xml_scale_u64(UINT64_MAX / 2, "k", 1024, &out, &err), -1);
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
}

static void test_numbers_are_strict(void **state) {
        uint64_t u;
        int64_t i;
        assert_int_equal(xml_parse_u64("42", &u), 0);
        assert_int_equal(u, 42);
        assert_int_equal(xml_parse_u64("-1", &u), -EINVAL);
        assert_int_equal(xml_parse_u64(" 1", &u), -EINVAL);
        assert_int_equal(xml_parse_u64("1x", &u), -EINVAL);
        assert_int_equal(xml_parse_u64("", &u), -EINVAL);
        assert_int_equal(xml_parse_u64("99999999999999999999999", &u), -EINVAL);
        assert_int_equal(xml_parse_i64("-1", &i), 0);
        assert_int_equal(i, -1);
        assert_int_equal(xml_parse_i64("-", &i), -EINVAL);
}

static void test_buf_escapes_like_libvirt(void **state) {
        XmlBuf b = XML_BUF_INIT;
        xml_buf_escape(&b, "<a href=\"x\">it's & \x01\n\t\r</a>");
        char *s = xml_buf_steal(&b);
        assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;it&apos;s &amp; \n\t&#13;&lt;/a&gt;");
        free(s);

        xml_buf_attr(&b, "v", "a\nb\tc'\x02");
        s = xml_buf_steal(&b);
        assert_string_equal(s, " v='a&#10;b&#9;c&apos;'");
        free(s);

        XmlBuf e = XML_BUF_INIT;
        s = xml_buf_steal(&e);
        assert_string_equal(s, "");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepts_plain_document),
                cmocka_unit_test(test_refuses_doctype_with_entity),
                cmocka_unit_test(test_refuses_external_entity),
                cmocka_unit_test(test_refuses_oversized_document),
                cmocka_unit_test(test_refuses_deep_nesting_fast),
                cmocka_unit_test(test_depth_limit_is_exact),
                cmocka_unit_test(test_depth_pass_skips_non_elements),
                cmocka_unit_test(test_malformed_reports_line_and_text),
                cmocka_unit_test(test_malformed_context_is_ascii),
                cmocka_unit_test(test_wrong_root),
                cmocka_unit_test(test_empty_document),
                cmocka_unit_test(test_no_stderr_no_global_error),
                cmocka_unit_test(test_undefined_entity_refused),
                cmocka_unit_test(test_scale_units),
                cmocka_unit_test(test_numbers_are_strict),
                cmocka_unit_test(test_buf_escapes_like_libvirt),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
