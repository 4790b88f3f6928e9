/* test-netport-conf.c: network port XML: golden files (parse → format → parse is a fixed point; the .out.xml
 * follow libvirt's virNetworkPortDefFormat order: uuid, owner, group, mac, bandwidth, rxfilters, plug) and the
 * refusals of bad documents. */
#include "conf-test.h"

#include "netport-conf.h"

static const char *const golden[] = { "netport-record", "netport-direct" };

static char *roundtrip(const char *xml) {
        VbError err = { 0 };
        NetPortDef *def = netport_def_parse(xml, strlen(xml), &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = netport_def_format(def);
        netport_def_free(def);
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

static void refused(const char *xml, const char *msg) {
        VbError err = { 0 };
        NetPortDef *def = netport_def_parse(xml, strlen(xml), &err);
        if (def)
                print_error("accepted: %s\n", xml);
        assert_null(def);
        char expected[512];
        snprintf(expected, sizeof expected, "XML error: %s", msg);
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_string_equal(err.message, expected);
}

#define OWNER "<owner><name>a</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>"
#define UUID "<uuid>3f0e2a8c-6d41-4b7a-a0c5-1d2e3f405162</uuid>"
#define MAC "<mac address='52:54:00:00:00:01'/>"

static void test_refusals(void **state) {
        refused("<networkport>" OWNER MAC "</networkport>", "network port has no uuid");
        refused("<networkport>" UUID MAC "</networkport>", "network port has no owner name");
        refused("<networkport>" UUID "<owner><name>a</name></owner>" MAC "</networkport>",
                "network port has no owner UUID");
        refused("<networkport>" UUID "<owner><name>a</name><uuid>nope</uuid></owner>" MAC "</networkport>",
                "Unable to parse UUID 'nope'");
        refused("<networkport>" UUID OWNER "</networkport>", "network port has no mac");
        refused("<networkport>" UUID OWNER "<mac address='52:54'/></networkport>", "Unable to parse MAC '52:54'");
        refused("<networkport>" UUID OWNER MAC "<plug type='tap'/></networkport>",
                "Invalid value for attribute 'type' in element 'plug': 'tap'. Expected network, bridge or direct value");
        refused("<networkport>" UUID OWNER MAC "<plug type='network'/></networkport>", "Missing network port bridge name");
        refused("<networkport>" UUID OWNER MAC "<plug type='direct'/></networkport>",
                "Missing network port link device name");
        refused("<networkport>" UUID OWNER MAC "<bandwidth><inbound peak='5'/></bandwidth></networkport>",
                "Missing mandatory average or floor attributes");
        VbError err = { 0 };
        assert_null(netport_def_parse("<domain/>", 9, &err));
        assert_int_not_equal(err.code, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
