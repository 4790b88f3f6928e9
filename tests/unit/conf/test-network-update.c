/* test-network-update.c: virNetworkUpdate's portgroup section and the sections it refuses, with libvirt 9.0's
 * results and texts (virsh -c test:///default net-update … was the oracle). */
#include "conf-test.h"

#include "network-conf.h"
#include "network-update.h"

#define NET "<network><name>default</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid><forward mode='nat'/>" \
            "<bridge name='virbr0'/><ip address='192.168.122.1' netmask='255.255.255.0'><dhcp>"                    \
            "<range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>"

#define HEAD "<network>\n  <name>default</name>\n  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n" \
             "  <forward mode='nat'/>\n  <bridge name='virbr0' stp='on' delay='0'/>\n"                  \
             "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n    <dhcp>\n"                      \
             "      <range start='192.168.122.2' end='192.168.122.254'/>\n    </dhcp>\n  </ip>\n"

enum { MOD = NETWORK_UPDATE_MODIFY, DEL = NETWORK_UPDATE_DELETE, LAST = NETWORK_UPDATE_ADD_LAST,
       FIRST = NETWORK_UPDATE_ADD_FIRST, PG = NETWORK_SECTION_PORTGROUP };

static NetworkDef *net(void) {
        VbError err = { 0 };
        NetworkDef *d = network_def_parse(NET, strlen(NET), 0, &err);
        assert_non_null(d);
        return d;
}

static void ok(NetworkDef *d, unsigned cmd, unsigned section, const char *xml) {
        VbError err = { 0 };
        int r = network_def_update(d, cmd, section, -1, xml, &err);
        if (r < 0)
                print_error("refused %s: %s\n", xml, err.message);
        assert_int_equal(r, 0);
        vb_error_clear(&err);
}

static void refused(NetworkDef *d, unsigned cmd, unsigned section, const char *xml, int code, int from,
                    const char *message) {
        char *before = network_def_format(d, 0);
        VbError err = { 0 };
        assert_int_equal(network_def_update(d, cmd, section, -1, xml, &err), -1);
        assert_vb_error(&err, code, from, message);
        vb_error_clear(&err);
        char *after = network_def_format(d, 0);
        assert_string_equal(before, after);            /* a refusal changes nothing */
        free(before);
        free(after);
}

static void expect(const NetworkDef *d, const char *tail) {
        char *xml = network_def_format(d, 0);
        char want[4096];
        snprintf(want, sizeof want, "%s%s</network>\n", HEAD, tail);
        assert_string_equal(xml, want);
        free(xml);
}

/* The sequence run against test:///default, with its net-dumpxml after each step. */
static void test_portgroup_sequence(void **state) {
        NetworkDef *d = net();
        ok(d, LAST, PG, "<portgroup name='pg1' default='yes'><vlan><tag id='42'/></vlan></portgroup>");
        ok(d, FIRST, PG, "<portgroup name='pg0' trustGuestRxFilters='yes'><bandwidth><inbound average='1000'/>"
                         "</bandwidth></portgroup>");
        expect(d, "  <portgroup name='pg0' trustGuestRxFilters='yes'>\n    <bandwidth>\n"
                  "      <inbound average='1000'/>\n    </bandwidth>\n  </portgroup>\n"
                  "  <portgroup name='pg1' default='yes'>\n    <vlan>\n      <tag id='42'/>\n    </vlan>\n"
                  "  </portgroup>\n");
        refused(d, LAST, PG, "<portgroup name='pg1'/>", VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                "Requested operation is not valid: there is an existing portgroup entry in network 'default' that "
                "matches \"<portgroup name='pg1'>\"");
        refused(d, LAST, PG, "<portgroup name='pg2' default='yes'/>", VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                "Requested operation is not valid: a different portgroup entry in network 'default' is already set "
                "as the default. Only one default is allowed.");
        refused(d, MOD, PG, "<portgroup name='nope'/>", VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                "Requested operation is not valid: couldn't find a portgroup entry in network 'default' matching "
                "<portgroup name='nope'>");
        refused(d, DEL, PG, "<portgroup name='nope' default='yes'/>", VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                "Requested operation is not valid: couldn't find a portgroup entry in network 'default' matching "
                "<portgroup name='nope'>");
        refused(d, MOD, PG, "<portgroup name='pg0' default='yes'/>", VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                "Requested operation is not valid: a different portgroup entry in network 'default' is already set "
                "as the default. Only one default is allowed.");
        ok(d, MOD, PG, "<portgroup name='pg1'/>");
        ok(d, MOD, PG, "<portgroup name='pg0' default='yes'/>");
        expect(d, "  <portgroup name='pg0' default='yes'>\n  </portgroup>\n  <portgroup name='pg1'>\n  </portgroup>\n");
        /* the default may be modified in place, and delete matches by name alone */
        ok(d, MOD, PG, "<portgroup name='pg0' default='yes' trustGuestRxFilters='no'/>");
        ok(d, DEL, PG, "<portgroup name='pg0' trustGuestRxFilters='yes'/>");
        expect(d, "  <portgroup name='pg1'>\n  </portgroup>\n");
        network_def_free(d);
}

static void test_portgroup_refusals(void **state) {
        static const struct {
                const char *xml;
                int code, from;
                const char *message;
        } cases[] = {
                { "<range name='x'/>", VB_ERR_XML_ERROR, VB_FROM_NETWORK,
                  "XML error: unexpected element <range>, expecting <portgroup>, while updating network 'default'" },
                { "<portgroup/>", VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Missing required name attribute in portgroup" },
                { "<portgroup name='a' trustGuestRxFilters='maybe'/>", VB_ERR_XML_ERROR, VB_FROM_XML,
                  "XML error: Invalid value for attribute 'trustGuestRxFilters' in element 'portgroup': 'maybe'." },
                { "<portgroup name='a'><vlan><tag id='5000'/></vlan></portgroup>", VB_ERR_XML_ERROR, VB_FROM_XML,
                  "XML error: vlan tag id 5000 too large (maximum 4095)" },
                { "<portgroup name='a'><vlan><tag/></vlan></portgroup>", VB_ERR_XML_ERROR, VB_FROM_XML,
                  "XML error: Missing required attribute 'id' in element 'tag'" },
                { "<portgroup name='a'><vlan/></portgroup>", VB_ERR_XML_ERROR, VB_FROM_XML,
                  "XML error: missing tag id - each <vlan> must have at least one <tag id='n'/> subelement" },
                { "<portgroup name='a'><vlan trunk='no'><tag id='1'/><tag id='2'/></vlan></portgroup>", VB_ERR_XML_ERROR,
                  VB_FROM_XML,
                  "XML error: invalid \"trunk='no'\" in <vlan> - trunk='yes' is required for more than one vlan tag" },
                { "<portgroup name='a'><vlan><tag id='1' nativeMode='tagged'/><tag id='2' nativeMode='untagged'/>"
                  "</vlan></portgroup>", VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: duplicate native vlan setting" },
                { "<portgroup name='a'><virtualport type='bogus'/></portgroup>", VB_ERR_CONFIG_UNSUPPORTED,
                  VB_FROM_NETWORK, "unsupported configuration: unknown virtualport type bogus" },
                { "<portgroup name='a'><virtualport type='802.1Qbg'><parameters interfaceid='x' profileid='x'/>"
                  "</virtualport></portgroup>", VB_ERR_XML_ERROR, VB_FROM_XML,
                  "XML error: extra profileid unsupported in <virtualport type='802.1Qbg'>" },
                { "<portgroup name='a'><bandwidth><inbound floor='10'/></bandwidth></portgroup>",
                  VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                  "unsupported configuration: floor attribute is not supported for this config" },
        };
        NetworkDef *d = net();
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                refused(d, LAST, PG, cases[i].xml, cases[i].code, cases[i].from, cases[i].message);
        network_def_free(d);
}

/* The sections libvirt 9.0 does not update, with its words ("forward pf" with a space). */
static void test_refused_sections(void **state) {
        static const struct {
                unsigned section;
                const char *xml, *name;
        } cases[] = {
                { 1, "<bridge name='x'/>", "bridge" }, { 2, "<domain name='x'/>", "domain" },
                { 3, "<ip address='1.2.3.4'/>", "ip" }, { 6, "<forward/>", "forward" },
                { 8, "<pf dev='x'/>", "forward pf" },
        };
        NetworkDef *d = net();
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char msg[256];
                snprintf(msg, sizeof msg,
                         "Operation not supported: can't update '%s' section of network 'default'", cases[i].name);
                refused(d, LAST, cases[i].section, cases[i].xml, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NETWORK, msg);
        }
        network_def_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_portgroup_sequence),
                cmocka_unit_test(test_portgroup_refusals),
                cmocka_unit_test(test_refused_sections),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
