/* test-domain-metadata.c: libvirt's virDomainGetMetadata/SetMetadata semantics on a DomainDef. */
#include "conf-test.h"

#include "domain-conf.h"

#define NOVA "http://openstack.org/xmlns/libvirt/nova/1.1"
#define APP "http://example.org/app/1.0"

static DomainDef *load(const char *name) {
        char *xml = conf_test_read(name);
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!def)
                print_error("%s: %s\n", name, err.message);
        assert_non_null(def);
        free(xml);
        return def;
}

static void assert_missing(const DomainDef *def, int type, const char *uri) {
        VbError err = { 0 };
        char *out = (char *) 1;
        assert_int_equal(domain_def_get_metadata(def, type, uri, &out, &err), -1);
        assert_null(out);
        assert_vb_error(&err, VB_ERR_NO_DOMAIN_METADATA, VB_FROM_DOMAIN,
                        "metadata not found: Requested metadata element is not present");
}

static char *get(const DomainDef *def, int type, const char *uri) {
        VbError err = { 0 };
        char *out = NULL;
        if (domain_def_get_metadata(def, type, uri, &out, &err) < 0)
                print_error("get: %s\n", err.message);
        assert_non_null(out);
        return out;
}

static void test_title_and_description(void **state) {
        DomainDef *def = load("domain-rich.in.xml");
        char *t = get(def, DOMAIN_METADATA_TITLE, NULL);
        char *d = get(def, DOMAIN_METADATA_DESCRIPTION, NULL);
        assert_string_equal(t, "A rich guest");
        assert_string_equal(d, "Everything & more: <b> it's \"quoted\"");
        free(t);
        free(d);

        VbError err = { 0 };
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_TITLE, "New title", NULL, NULL, &err), 0);
        t = get(def, DOMAIN_METADATA_TITLE, NULL);
        assert_string_equal(t, "New title");
        free(t);

        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_TITLE, "two\nlines", NULL, NULL, &err), -1);
        assert_vb_error(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                        "invalid argument: Domain title can't contain newlines");

        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_DESCRIPTION, "bad \xff", NULL, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);

        /* whatever the text, the result formats and parses back to the same text */
        const char *odd = "line 1\nline 2\r\n\ttab <&> 'q' \"qq\"";
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_DESCRIPTION, odd, NULL, NULL, &err), 0);
        char *formatted = domain_def_format(def, 0);
        DomainDef *back = domain_def_parse(formatted, strlen(formatted), 0, &err);
        assert_non_null(back);
        assert_string_equal(back->description, odd);
        domain_def_free(back);
        free(formatted);

        /* NULL and "" both remove */
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_TITLE, NULL, NULL, NULL, &err), 0);
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_DESCRIPTION, "", NULL, NULL, &err), 0);
        assert_missing(def, DOMAIN_METADATA_TITLE, NULL);
        assert_missing(def, DOMAIN_METADATA_DESCRIPTION, NULL);
        char *xml = domain_def_format(def, 0);
        assert_null(strstr(xml, "<title>"));
        assert_null(strstr(xml, "<description>"));
        free(xml);
        domain_def_free(def);
}

static void test_get_element_by_namespace(void **state) {
        DomainDef *def = load("domain-metadata.in.xml");
        char *app = get(def, DOMAIN_METADATA_ELEMENT, APP);
        /* as libvirt: handed back without the namespace the caller asked by */
        assert_string_equal(app, "<settings>\n"
                                 "  <color shade=\"dark\">blue &amp; green</color>\n"
                                 "  <empty/>\n"
                                 "</settings>");
        free(app);
        char *nova = get(def, DOMAIN_METADATA_ELEMENT, NOVA);
        assert_non_null(strstr(nova, "<name>vm-1</name>"));
        assert_null(strstr(nova, "second element"));
        free(nova);
        assert_missing(def, DOMAIN_METADATA_ELEMENT, "http://example.org/none");

        VbError err = { 0 };
        char *out = NULL;
        assert_int_equal(domain_def_get_metadata(def, DOMAIN_METADATA_ELEMENT, NULL, &out, &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        assert_int_equal(domain_def_get_metadata(def, 7, NULL, &out, &err), -1);
        assert_vb_error(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid argument: unknown metadata type '7'");
        domain_def_free(def);
}

static void test_set_element_adds_and_replaces(void **state) {
        DomainDef *def = load("domain-metadata.in.xml");
        VbError err = { 0 };

        /* a new namespace: the client's element and its children move into it */
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT,
                                                 "<instance><name>x</name><flavor id='1'/></instance>",
                                                 "foo", "http://foo.example/1", &err), 0);
        char *foo = get(def, DOMAIN_METADATA_ELEMENT, "http://foo.example/1");
        assert_string_equal(foo, "<instance>\n  <name>x</name>\n  <flavor id=\"1\"/>\n</instance>");
        /* … while the definition files it under the namespace */
        char *filed = domain_def_format(def, 0);
        assert_non_null(strstr(filed, "<foo:instance xmlns:foo=\"http://foo.example/1\">"));
        free(filed);
        free(foo);

        /* the same namespace again replaces, whatever the prefix */
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<instance>new</instance>",
                                                 "nv", NOVA, &err), 0);
        char *nova = get(def, DOMAIN_METADATA_ELEMENT, NOVA);
        assert_string_equal(nova, "<instance>new</instance>");
        free(nova);
        filed = domain_def_format(def, 0);
        assert_non_null(strstr(filed, "<nv:instance xmlns:nv=\"" NOVA "\">new</nv:instance>"));
        assert_null(strstr(filed, "<nova:instance"));
        free(filed);

        /* and it survives format and parse, in libvirt's layout */
        char *xml = domain_def_format(def, 0);
        assert_non_null(strstr(xml,
                "  <metadata>\n"
                "    <app:settings xmlns:app=\"" APP "\">\n"
                "      <app:color shade=\"dark\">blue &amp; green</app:color>\n"
                "      <app:empty/>\n"
                "    </app:settings>\n"
                "    <foo:instance xmlns:foo=\"http://foo.example/1\">\n"
                "      <foo:name>x</foo:name>\n"
                "      <foo:flavor id=\"1\"/>\n"
                "    </foo:instance>\n"
                "    <nv:instance xmlns:nv=\"" NOVA "\">new</nv:instance>\n"
                "  </metadata>\n"));
        DomainDef *again = domain_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(again);
        char *xml2 = domain_def_format(again, 0);
        assert_string_equal(xml, xml2);
        free(xml2);
        free(xml);
        domain_def_free(again);
        domain_def_free(def);
}

static void test_set_element_removes(void **state) {
        DomainDef *def = load("domain-metadata.in.xml");
        VbError err = { 0 };
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, NULL, NULL, NOVA, &err), 0);
        assert_missing(def, DOMAIN_METADATA_ELEMENT, NOVA);
        /* removing what is not there is not an error */
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "", NULL, NOVA, &err), 0);
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, NULL, NULL, APP, &err), 0);
        char *xml = domain_def_format(def, 0);
        assert_null(strstr(xml, "<metadata"));
        free(xml);
        domain_def_free(def);
}

static void test_set_element_refusals(void **state) {
        DomainDef *def = load("domain-metadata.in.xml");
        VbError err = { 0 };
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<a/>", NULL, "urn:x", &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<a/>", "1bad", "urn:x", &err), -1);
        assert_vb_error(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                        "invalid argument: failed to validate prefix for a new XML namespace '1bad'");
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<a/>", "k", NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<a>", "k", "urn:x", &err), -1);
        assert_vb_error_prefix(&err, VB_ERR_XML_DETAIL, "(metadata_xml):1: ");
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT,
                                                 "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "k", "urn:x", &err), -1);
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT,
                                                 "<k:a xmlns:k='urn:other'/>", "k", "urn:x", &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        assert_int_equal(domain_def_set_metadata(def, 3, "x", NULL, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);

        /* nothing changed on the way */
        char *xml = domain_def_format(def, 0);
        char *expected = conf_test_read("domain-metadata.out.xml");
        assert_string_equal(xml, expected);
        free(expected);
        free(xml);
        domain_def_free(def);
}

/* A prefix the client already declared for the same URI is simply reused. */
static void test_set_element_with_own_declaration(void **state) {
        DomainDef *def = load("domain-defaults.in.xml");
        VbError err = { 0 };
        assert_int_equal(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT,
                                                 "<k:a xmlns:k='urn:x'><k:b/></k:a>", "k", "urn:x", &err), 0);
        char *a = get(def, DOMAIN_METADATA_ELEMENT, "urn:x");
        assert_string_equal(a, "<a>\n  <b/>\n</a>");
        free(a);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_title_and_description),
                cmocka_unit_test(test_get_element_by_namespace),
                cmocka_unit_test(test_set_element_adds_and_replaces),
                cmocka_unit_test(test_set_element_removes),
                cmocka_unit_test(test_set_element_refusals),
                cmocka_unit_test(test_set_element_with_own_declaration),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
