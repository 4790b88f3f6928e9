/* test-domain-bandwidth.c: a NIC's <bandwidth> refused as libvirt refuses it (the accepted forms are the golden file domain-bandwidth), and its <mtu>. */
#include "conf-test.h"

#include "domain-conf.h"

static void refuse(const char *type, const char *bw, int code, const char *msg) {
        char xml[1024];
        snprintf(xml, sizeof xml,
                 "<domain type='qemu'><name>bw</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                 "<interface type='%s'><bandwidth>%s</bandwidth></interface></devices></domain>", type, bw);
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        assert_null(d);
        assert_vb_error(&err, code, VB_FROM_NONE, msg);
        vb_error_clear(&err);
}

static void test_bandwidth_refused(void **state) {
        (void) state;
        refuse("network", "<inbound peak='5'/>", VB_ERR_XML_DETAIL, "Missing mandatory average or floor attributes");
        refuse("network", "<inbound average='x'/>", VB_ERR_CONFIG_UNSUPPORTED,
               "unsupported configuration: could not convert bandwidth average value 'x'");
        refuse("bridge", "<inbound average='-1'/>", VB_ERR_CONFIG_UNSUPPORTED,
               "unsupported configuration: could not convert bandwidth average value '-1'");
        refuse("network", "<inbound average='5' burst='1k'/>", VB_ERR_CONFIG_UNSUPPORTED,
               "unsupported configuration: could not convert bandwidth burst value '1k'");
        refuse("network", "<outbound average='5' floor='3'/>", VB_ERR_CONFIG_UNSUPPORTED,
               "unsupported configuration: 'floor' attribute allowed only in <inbound> element");
        refuse("network", "<inbound average='5'/><inbound average='6'/>", VB_ERR_XML_DETAIL,
               "Only one child <inbound> element allowed");
        refuse("bridge", "<inbound floor='5'/>", VB_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: floor attribute is not supported for this config");
}

/* <mtu size>: written after <link>, before <boot>, as libvirt 9.0 writes it; 0 is unset; not a
 * number is "malformed mtu size" */
static void test_mtu(void **state) {
        (void) state;
        static const char *const sizes[] = { "9000", "0", "x", "-1", NULL };
        for (size_t i = 0; i < 5; i++) {
                char xml[1024], mtu[64] = "<mtu/>";
                if (sizes[i])
                        snprintf(mtu, sizeof mtu, "<mtu size='%s'/>", sizes[i]);
                snprintf(xml, sizeof xml,
                         "<domain type='qemu'><name>m</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                         "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/>"
                         "<boot order='1'/>%s<link state='up'/></interface></devices></domain>", mtu);
                VbError err = { 0 };
                DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
                if (i >= 2) {
                        assert_null(d);
                        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed mtu size");
                        vb_error_clear(&err);
                        continue;
                }
                assert_non_null(d);
                char *out = domain_def_format(d, 0);
                bool shown = strstr(out, "      <link state='up'/>\n      <mtu size='9000'/>\n      <boot order='1'/>\n");
                assert_true(i == 0 ? shown : strstr(out, "<mtu") == NULL);
                free(out);
                domain_def_free(d);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bandwidth_refused),
                cmocka_unit_test(test_mtu),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
