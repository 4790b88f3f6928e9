/* test-domain-perf.c: <perf> in a domain definition: libvirt's event names and order, refusals with its texts. */
#include "conf-test.h"

#include "domain-conf.h"
#include "domain-priv.h"

#define HEAD "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os><perf>"
#define TAIL "</perf></domain>"

static DomainDef *parse(const char *xml, unsigned flags, VbError *err) {
        return domain_def_parse(xml, strlen(xml), flags, err);
}

static void test_names_in_libvirt_order(void **state) {
        assert_int_equal(DOMAIN_PERF_NEVENTS, 22);
        assert_string_equal(domain_perf_event_name(0), "cmt");
        assert_string_equal(domain_perf_event_name(3), "cpu_cycles");
        assert_string_equal(domain_perf_event_name(13), "cpu_clock");
        assert_string_equal(domain_perf_event_name(21), "emulation_faults");
        assert_null(domain_perf_event_name(22));
        assert_int_equal(domain_perf_event_index("task_clock"), 14);
        assert_int_equal(domain_perf_event_index("bogus"), -1);
        assert_int_equal(domain_perf_event_index(NULL), -1);
}

static void test_parsed_states(void **state) {
        VbError err = { 0 };
        DomainDef *d = parse(HEAD "<event name='cpu_clock' enabled='yes'/><event name='cmt' enabled='no'/>" TAIL, 0, &err);
        assert_non_null(d);
        assert_int_equal(d->priv->perf[13], DOMAIN_PERF_YES);
        assert_int_equal(d->priv->perf[0], DOMAIN_PERF_NO);
        assert_int_equal(d->priv->perf[3], DOMAIN_PERF_DEFAULT);
        domain_def_free(d);

        /* an empty <perf> is not written back */
        d = parse(HEAD TAIL, 0, &err);
        assert_non_null(d);
        char *out = domain_def_format(d, 0);
        assert_null(strstr(out, "perf"));
        free(out);
        domain_def_free(d);
}

typedef struct Refusal {
        const char *events;
        unsigned flags;
        int code;
        const char *message;
} Refusal;

/* The texts of `virsh -c test:///default define` for the same documents. */
static const Refusal refusals[] = {
        { "<event name='foo' enabled='yes'/>", 0, VB_ERR_XML_ERROR,
          "XML error: Invalid value for attribute 'name' in element 'event': 'foo'." },
        { "<event enabled='yes'/>", 0, VB_ERR_XML_ERROR,
          "XML error: Missing required attribute 'name' in element 'event'" },
        { "<event name='cmt'/>", 0, VB_ERR_XML_ERROR,
          "XML error: Missing required attribute 'enabled' in element 'event'" },
        { "<event name='cmt' enabled='maybe'/>", 0, VB_ERR_XML_ERROR,
          "XML error: Invalid value for attribute 'enabled' in element 'event': 'maybe'." },
        { "<event name='cmt' enabled='yes'/><event name='cmt' enabled='no'/>", 0, VB_ERR_XML_ERROR,
          "XML error: perf event 'cmt' was already specified" },
        { "<event name='cmt' enabled='yes' bogus='1'/>", DOMAIN_PARSE_VALIDATE, VB_ERR_XML_INVALID_SCHEMA,
          "XML document failed to validate against schema: Invalid attribute bogus for element event" },
};

static void test_refusals(void **state) {
        for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
                char xml[512];
                snprintf(xml, sizeof xml, HEAD "%s" TAIL, refusals[i].events);
                VbError err = { 0 };
                DomainDef *d = parse(xml, refusals[i].flags, &err);
                if (d)
                        print_error("accepted: %s\n", xml);
                assert_null(d);
                if (refusals[i].flags & DOMAIN_PARSE_VALIDATE)
                        assert_vb_error_prefix(&err, refusals[i].code, refusals[i].message);
                else
                        assert_vb_error(&err, refusals[i].code, VB_FROM_XML, refusals[i].message);
        }

        /* without validation an unknown attribute is dropped, as libvirt does */
        VbError err = { 0 };
        DomainDef *d = parse(HEAD "<event name='cmt' enabled='yes' bogus='1'/>" TAIL, 0, &err);
        assert_non_null(d);
        char *out = domain_def_format(d, 0);
        assert_non_null(strstr(out, "<event name='cmt' enabled='yes'/>"));
        free(out);
        domain_def_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_in_libvirt_order),
                cmocka_unit_test(test_parsed_states),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
