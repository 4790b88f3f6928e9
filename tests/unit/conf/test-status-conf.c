/* test-status-conf.c: <domstatus> files: golden round trips (tests/data/xml/status-*.xml), the state names, and refusals. */
#include "conf-test.h"

#include "status-conf.h"

/* VIRTBUS_REGENERATE=1 writes NAME.out.xml instead of checking it (review the diff). */
static void check_golden(const char *name, int state, int reason, int id, const char *dom_name) {
        char file[256];
        snprintf(file, sizeof file, "%s.in.xml", name);
        char *in = conf_test_read(file);
        VbError err = { 0 };
        DomainStatus st;
        if (domain_status_parse(in, strlen(in), &st, &err) < 0)
                print_error("%s: %s\n", file, err.message);
        assert_int_equal(st.state, state);
        assert_int_equal(st.reason, reason);
        assert_int_equal(st.id, id);
        assert_string_equal(st.def->name, dom_name);
        char *once = domain_status_format(&st);
        assert_non_null(once);
        domain_status_clear(&st);
        assert_null(st.def);

        snprintf(file, sizeof file, "%s.out.xml", name);
        if (getenv("VIRTBUS_REGENERATE")) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", getenv("VIRTBUS_XML_DATA"), file);
                FILE *f = fopen(path, "w");
                assert_non_null(f);
                fputs(once, f);
                fclose(f);
        }
        char *want = conf_test_read(file);
        assert_string_equal(once, want);

        /* What is written reads back to the same text. */
        assert_int_equal(domain_status_parse(want, strlen(want), &st, &err), 0);
        char *twice = domain_status_format(&st);
        assert_non_null(twice);
        assert_string_equal(twice, want);
        domain_status_clear(&st);
        free(twice);
        free(want);
        free(once);
        free(in);
}

static void test_golden(void **state) {
        check_golden("status-running", 1, 1, 3, "tcg-guest");
        check_golden("status-paused", 3, 5, 12, "io-paused");
}

/* The running definition is kept whole: live values and secrets. */
static void test_live_values_kept(void **state) {
        char *in = conf_test_read("status-running.out.xml");
        VbError err = { 0 };
        DomainStatus st;
        assert_int_equal(domain_status_parse(in, strlen(in), &st, &err), 0);
        assert_int_equal(st.def->id, 3);
        char *xml = domain_def_format(st.def, 0);
        assert_non_null(strstr(xml, "<source path='/dev/pts/7'/>"));
        assert_non_null(strstr(xml, "<console type='pty' tty='/dev/pts/7'>"));
        assert_non_null(strstr(xml, "port='5901'"));
        free(xml);
        assert_non_null(strstr(in, "passwd='s3cret'"));
        domain_status_clear(&st);
        free(in);
}

static void test_state_names(void **state) {
        static const char *const names[] = { "nostate", "running", "blocked", "paused",
                                             "shutdown", "shutoff", "crashed", "pmsuspended" };
        for (int i = 0; i < DOMAIN_STATUS_N_STATES; i++) {
                assert_string_equal(domain_status_state_name(i), names[i]);
                assert_int_equal(domain_status_state_from_name(names[i]), i);
        }
        assert_null(domain_status_state_name(-1));
        assert_null(domain_status_state_name(DOMAIN_STATUS_N_STATES));
        assert_int_equal(domain_status_state_from_name("shut off"), -1);
        assert_int_equal(domain_status_state_from_name("Running"), -1);
        assert_int_equal(domain_status_state_from_name(NULL), -1);
}

#define DOM "<domain type='qemu'><name>x</name><memory>1024</memory><os><type>hvm</type></os></domain>"

static void test_refusals(void **state) {
        static const struct {
                const char *xml;
                int code;
                const char *message;    /* a prefix when prefix is set */
                bool prefix;
        } cases[] = {
                { "<domstatus reason='1' id='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: (domain_status): missing attribute 'state' of <domstatus>", false },
                { "<domstatus state='shut off' reason='1' id='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: Invalid value for attribute 'state' in element 'domstatus': 'shut off'. "
                  "Expected 'nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed' "
                  "or 'pmsuspended' value", false },
                { "<domstatus state='running' id='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: (domain_status): missing attribute 'reason' of <domstatus>", false },
                { "<domstatus state='running' reason='-1' id='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: Invalid value for attribute 'reason' in element 'domstatus': '-1'.", false },
                { "<domstatus state='running' reason='1x' id='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: Invalid value for attribute 'reason' in element 'domstatus': '1x'.", false },
                { "<domstatus state='running' reason='1' id='99999999999'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: Invalid value for attribute 'id' in element 'domstatus': '99999999999'.", false },
                { "<domstatus state='running' reason='1'>" DOM "</domstatus>", VB_ERR_XML_ERROR,
                  "XML error: (domain_status): missing attribute 'id' of <domstatus>", false },
                { "<domstatus state='running' reason='1' id='1'/>", VB_ERR_XML_ERROR,
                  "XML error: (domain_status): <domstatus> has no <domain>", false },
                { "<domain>" DOM "</domain>", VB_ERR_XML_ERROR, "XML error: ", true },
                { "{\"pid\": 12", VB_ERR_XML_DETAIL, "(domain_status):1: Start tag expected", true },
                { "<domstatus state='running' reason='1' id='1'><domain type='qemu'><name>x</name></domain>"
                  "</domstatus>", VB_ERR_XML_ERROR, "XML error: ", true },
                { "", VB_ERR_XML_DETAIL, "(domain_status)", true },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                VbError err = { 0 };
                DomainStatus st = { .state = 42, .def = NULL };
                assert_int_equal(domain_status_parse(cases[i].xml, strlen(cases[i].xml), &st, &err), -1);
                assert_int_equal(st.state, 42);         /* untouched */
                assert_null(st.def);
                if (cases[i].prefix)
                        assert_vb_error_prefix(&err, cases[i].code, cases[i].message);
                else
                        assert_vb_error(&err, cases[i].code, VB_FROM_XML, cases[i].message);
        }
}

static void test_format_refuses_unusable(void **state) {
        const char *xml = DOM;
        VbError err = { 0 };
        DomainStatus st = { .state = 1, .reason = 1, .id = 1, .def = domain_def_parse(xml, strlen(xml), 0, &err) };
        assert_non_null(st.def);
        char *s = domain_status_format(&st);
        assert_non_null(s);
        assert_non_null(strstr(s, "<domstatus state='running' reason='1' id='1'>\n<domain type='qemu'>\n"));
        free(s);
        st.state = DOMAIN_STATUS_N_STATES;
        assert_null(domain_status_format(&st));
        st.state = 1;
        domain_status_clear(&st);
        assert_null(domain_status_format(&st));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_live_values_kept),
                cmocka_unit_test(test_state_names),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_format_refuses_unusable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
