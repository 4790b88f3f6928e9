/* test-network-forward.c: a <forward>'s device pool (<interface dev>, <pf dev>): libvirt's refusals, what a macvtap network is, and the live connection counts. */
#include "conf-test.h"

#include "domain-conf.h"
#include "domain-model.h"
#include "network-conf.h"
#include "network-update.h"

static void refused(const char *xml, const char *message) {
        VbError err = { 0 };
        NetworkDef *d = network_def_parse(xml, strlen(xml), NETWORK_PARSE_VALIDATE, &err);
        assert_null(d);
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML, message);
        vb_error_clear(&err);
}

static void test_refusals(void **state) {
        (void) state;
        refused("<network><name>x</name><forward mode='vepa'><interface/></forward></network>",
                "XML error: Missing required dev attribute in <forward> <interface> element of network x");
        refused("<network><name>x</name><forward mode='passthrough'><pf dev='a'/><pf dev='b'/></forward></network>",
                "XML error: Only one <pf> element is allowed in <forward> of network x");
        refused("<network><name>x</name><forward mode='passthrough'><pf/></forward></network>",
                "XML error: Missing required dev attribute in <pf> element of network 'x'");
        refused("<network><name>x</name><forward mode='private' dev='eth9'><interface dev='eth1'/></forward></network>",
                "XML error: <forward dev='eth9'> must match first <interface dev='eth1'/> in network x");
        refused("<network><name>x</name><forward mode='passthrough' dev='eth1'><pf dev='eth3'/></forward></network>",
                "XML error: the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are "
                "present in network x");
        refused("<network><name>x</name><forward mode='vepa' dev='eth1'/><bridge name='br0'/></network>",
                "XML error: bridge name not allowed in vepa mode (network 'x')");
        refused("<network><name>x</name><forward mode='bridge' dev='eth1'/><bridge name='br0'/></network>",
                "XML error: A network with forward mode='bridge' can specify a bridge name or a forward dev, but not "
                "both (network 'x')");
}

static NetworkDef *parse(const char *xml) {
        VbError err = { 0 };
        NetworkDef *d = network_def_parse(xml, strlen(xml), NETWORK_PARSE_VALIDATE, &err);
        if (!d)
                print_error("%s\n", err.message);
        assert_non_null(d);
        return d;
}

static void test_is_macvtap(void **state) {
        (void) state;
        static const struct { const char *forward; bool macvtap; } cases[] = {
                { "<forward mode='bridge'><interface dev='e'/></forward>", true },
                { "<forward mode='bridge'/><bridge name='br0'/>", false },
                { "<forward mode='private' dev='e'/>", true },
                { "<forward mode='vepa' dev='e'/>", true },
                { "<forward mode='passthrough'><pf dev='e'/></forward>", true },
                { "<forward mode='hostdev'><pf dev='e'/></forward>", false },
                { "<forward/>", false },
                { "", false },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char xml[256];
                snprintf(xml, sizeof xml, "<network><name>x</name>%s</network>", cases[i].forward);
                NetworkDef *d = parse(xml);
                assert_int_equal(network_def_is_macvtap(d), cases[i].macvtap);
                network_def_free(d);
        }
}

/* Counts are the driver's (never parsed); the live XML shows them, the inactive one not. */
static void test_connections(void **state) {
        (void) state;
        NetworkDef *d = parse("<network><name>x</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a8b</uuid>"
                              "<forward mode='vepa'><interface dev='e1' connections='7'/><interface dev='e2'/>"
                              "<interface dev='e1'/></forward></network>");
        assert_int_equal(d->n_forward_ifs, 2);          /* a device named twice is one */
        assert_int_equal(d->connections, 0);
        assert_int_equal(d->forward_ifs[0].connections, 0);
        assert_null(network_def_forward_if(d, "e3"));
        network_def_forward_if(d, "e2")->connections = 2;
        d->connections = 2;
        char *live = network_def_format(d, 0);
        assert_string_equal(live, "<network connections='2'>\n"
                                  "  <name>x</name>\n"
                                  "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8b</uuid>\n"
                                  "  <forward dev='e1' mode='vepa'>\n"
                                  "    <interface dev='e1'/>\n"
                                  "    <interface dev='e2' connections='2'/>\n"
                                  "  </forward>\n"
                                  "</network>\n");
        char *inactive = network_def_format(d, NETWORK_FORMAT_INACTIVE);
        assert_null(strstr(inactive, "connections"));
        free(live);
        free(inactive);
        network_def_free(d);
}

static void update_refused(NetworkDef *d, unsigned cmd, const char *xml, int code, const char *message) {
        VbError err = { 0 };
        size_t n = d->n_forward_ifs;
        assert_int_equal(network_def_update(d, cmd, NETWORK_SECTION_FORWARD_INTERFACE, -1, xml, &err), -1);
        assert_vb_error(&err, code, VB_FROM_NETWORK, message);
        vb_error_clear(&err);
        assert_int_equal(d->n_forward_ifs, n);
}

/* net-update forward-interface: libvirt's rules and texts; a device in use is not deleted. */
static void test_update(void **state) {
        (void) state;
        NetworkDef *d = parse("<network><name>x</name><forward mode='vepa'><interface dev='e1'/></forward></network>");
        VbError err = { 0 };
        assert_int_equal(network_def_update(d, NETWORK_UPDATE_ADD_LAST, NETWORK_SECTION_FORWARD_INTERFACE, -1,
                                            "<interface dev='e2'/>", &err), 0);
        assert_int_equal(network_def_update(d, NETWORK_UPDATE_ADD_FIRST, NETWORK_SECTION_FORWARD_INTERFACE, -1,
                                            "<interface dev='e0'/>", &err), 0);
        assert_int_equal(d->n_forward_ifs, 3);
        assert_string_equal(d->forward_ifs[0].dev, "e0");
        assert_string_equal(d->forward_ifs[2].dev, "e2");
        update_refused(d, NETWORK_UPDATE_ADD_LAST, "<interface dev='e1'/>", VB_ERR_OPERATION_INVALID,
                       "Requested operation is not valid: there is an existing interface entry in network 'x' that "
                       "matches \"<interface dev='e1'>\"");
        update_refused(d, NETWORK_UPDATE_MODIFY, "<interface dev='e1'/>", VB_ERR_OPERATION_UNSUPPORTED,
                       "Operation not supported: forward interface entries cannot be modified, only added or deleted");
        update_refused(d, NETWORK_UPDATE_DELETE, "<interface dev='e9'/>", VB_ERR_OPERATION_INVALID,
                       "Requested operation is not valid: couldn't find an interface entry in network 'x' matching "
                       "<interface dev='e9'>");
        update_refused(d, NETWORK_UPDATE_ADD_LAST, "<interface/>", VB_ERR_XML_ERROR,
                       "XML error: missing dev attribute in <interface> element");
        network_def_forward_if(d, "e1")->connections = 2;
        update_refused(d, NETWORK_UPDATE_DELETE, "<interface dev='e1'/>", VB_ERR_OPERATION_INVALID,
                       "Requested operation is not valid: unable to delete interface 'e1' in network 'x'. It is "
                       "currently being used  by 2 domains.");
        assert_int_equal(network_def_update(d, NETWORK_UPDATE_DELETE, NETWORK_SECTION_FORWARD_INTERFACE, -1,
                                            "<interface dev='e0'/>", &err), 0);
        assert_int_equal(d->n_forward_ifs, 2);
        assert_string_equal(d->forward_ifs[0].dev, "e1");
        assert_int_equal(d->forward_ifs[0].connections, 2);
        network_def_free(d);

        /* <forward dev> follows the pool's first device, so the result parses again */
        d = parse("<network><name>x</name><forward mode='vepa' dev='e1'/></network>");
        assert_int_equal(network_def_update(d, NETWORK_UPDATE_ADD_FIRST, NETWORK_SECTION_FORWARD_INTERFACE, -1,
                                            "<interface dev='e0'/>", &err), 0);
        NetworkDef *c = network_def_copy(d);
        assert_non_null(c);
        assert_int_equal(c->n_forward_ifs, 2);
        assert_string_equal(c->forward_ifs[0].dev, "e0");
        network_def_free(c);
        network_def_free(d);
}

/* A guest NIC on a macvtap network: live XML type='direct' with the network, device and mode (libvirt's actual),
 * read back as the network's NIC (status files); the inactive XML names the network alone. */
static void test_domain_nic(void **state) {
        (void) state;
        const char *xml = "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os><devices>"
                          "<interface type='direct'><mac address='52:54:00:00:00:01'/>"
                          "<source network='mv' dev='e1' mode='vepa'/><target dev='macvtap0'/></interface>"
                          "</devices></domain>";
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), DOMAIN_PARSE_STATUS, &err);
        assert_non_null(d);
        const DomainInterface *nic = &d->priv->devices.interfaces[0];
        assert_string_equal(nic->type, "network");
        assert_string_equal(nic->source_dev, "e1");
        char *live = domain_def_format(d, 0);
        assert_non_null(strstr(live, "<interface type='direct'>\n"
                                     "      <mac address='52:54:00:00:00:01'/>\n"
                                     "      <source network='mv' dev='e1' mode='vepa'/>\n"));
        char *inactive = domain_def_format(d, DOMAIN_FORMAT_INACTIVE);
        assert_non_null(strstr(inactive, "<interface type='network'>\n"
                                         "      <mac address='52:54:00:00:00:01'/>\n"
                                         "      <source network='mv'/>\n"));
        free(live);
        free(inactive);
        domain_def_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_is_macvtap),
                cmocka_unit_test(test_connections),
                cmocka_unit_test(test_update),
                cmocka_unit_test(test_domain_nic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
