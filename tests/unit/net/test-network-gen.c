/* test-network-gen.c: the nftables rule set and dnsmasq configuration of networks, against golden files (tests/data/network/NAME.{nft,dnsmasq}); and plans refused with clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "network-gen.h"
#include "network-plan.h"

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        int c;
        while ((c = fgetc(f)) != EOF)
                fputc(c, m);
        fclose(f);
        fclose(m);
        return buf;
}

/* Compare text with the golden file; VIRTBUS_REGENERATE=1 rewrites it instead. */
static void golden(const char *name, const char *suffix, const char *text) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.%s", getenv("VIRTBUS_NET_DATA"), name, suffix);
        if (getenv("VIRTBUS_REGENERATE")) {
                FILE *f = fopen(path, "we");
                assert_non_null(f);
                fputs(text ? text : "", f);
                fclose(f);
        }
        char *want = slurp(path);
        if (!want)
                fail_msg("missing golden file %s", path);
        if (strcmp(want, text ? text : "") != 0)
                fail_msg("%s differs; got:\n%s", path, text ? text : "(nothing)");
        free(want);
}

static NetworkDef *load(const char *name) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.xml", getenv("VIRTBUS_NET_DATA"), name);
        char *xml = slurp(path);
        assert_non_null(xml);
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(xml, strlen(xml), 0, &err);
        if (!def)
                fail_msg("%s: %s", path, err.message);
        free(xml);
        return def;
}

static void check_case(const char *name) {
        NetworkDef *def = load(name);
        NetworkPlan plan;
        VbError err = { 0 };
        assert_int_equal(network_plan_build(def, &plan, &err), 0);
        char *nft = NULL, *conf = NULL;
        assert_int_equal(network_nft_script(&plan, &nft), 0);
        golden(name, "nft", nft);
        DnsmasqPaths paths = { .pid_file = "/run/virtbus/network/x.pid", .lease_file = "/var/lib/virtbus/dnsmasq/x.leases",
                              .lease_helper = "/usr/sbin/virtbus-leases-helper",
                              .hostsfile = "/var/lib/virtbus/dnsmasq/x.hostsfile",
                              .addnhosts = "/var/lib/virtbus/dnsmasq/x.addnhosts",
                              .user = "dnsmasq", .group = "nogroup" };
        if (network_mode_dnsmasq(&plan)) {
                assert_int_equal(network_dnsmasq_conf(&plan, &paths, &conf), 0);
                golden(name, "dnsmasq", conf);
                char *dhcp = NULL, *dns = NULL, *both = NULL;
                assert_int_equal(network_dnsmasq_hosts(&plan, &dhcp, &dns), 0);
                assert_true(asprintf(&both, "## dhcp-hostsfile\n%s## addn-hosts\n%s", dhcp, dns) > 0);
                golden(name, "hosts", both);
                free(dhcp);
                free(dns);
                free(both);
        }
        free(nft);
        free(conf);
        network_plan_done(&plan);
        network_def_free(def);
}

static void test_default(void **state) { check_case("default"); }
static void test_nat_rich(void **state) { check_case("nat-rich"); }
static void test_isolated(void **state) { check_case("isolated"); }
static void test_route_v6(void **state) { check_case("route-v6"); }
static void test_open(void **state) { check_case("open"); }
static void test_dns_rich(void **state) { check_case("dns-rich"); }
static void test_dns_off(void **state) { check_case("dns-off"); }

static void test_table_name(void **state) {
        char t[NETWORK_NFT_TABLE_MAX];
        network_nft_table("br-lab.1", t);
        assert_string_equal(t, "virtbus_br_lab_1");
        char *s = NULL;
        assert_int_equal(network_nft_delete_script("virbr0", &s), 0);
        assert_string_equal(s, "table inet virtbus_virbr0 {}\ndelete table inet virtbus_virbr0\n");
        free(s);
}

/* A plan the host cannot build is refused with the reason. */
static void refused(const char *ip_xml, const char *want) {
        char xml[2048];
        snprintf(xml, sizeof xml, "<network><name>bad</name><forward mode='nat'/><bridge name='virbr3'/>%s</network>",
                 ip_xml);
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        NetworkPlan plan;
        assert_int_equal(network_plan_build(def, &plan, &err), -1);
        if (!strstr(err.message, want))
                fail_msg("expected '%s' in '%s'", want, err.message);
        network_def_free(def);
}

static void test_refused(void **state) {
        refused("<ip address='192.168.5.1' prefix='24'><dhcp><range start='192.168.6.2' end='192.168.6.9'/></dhcp></ip>",
                "range 192.168.6.2 - 192.168.6.9 is not entirely within network 192.168.5.1/24");
        refused("<ip address='192.168.5.1' prefix='24'><dhcp><range start='192.168.5.9' end='192.168.5.2'/></dhcp></ip>",
                "range 192.168.5.9 - 192.168.5.2 is reversed");
        refused("<ip address='192.168.5.1' netmask='255.0.255.0'/>", "Invalid netmask '255.0.255.0'");
        refused("<ip address='192.168.5.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.1'/></dhcp></ip>",
                "DHCP host address 10.0.0.1 is not within network");
        refused("<ip address='192.168.5.1' prefix='24'><dhcp><range start='192.168.5.2' end='192.168.5.3'/></dhcp></ip>"
                "<ip address='192.168.6.1' prefix='24'><dhcp><range start='192.168.6.2' end='192.168.6.3'/></dhcp></ip>",
                "Multiple IPv4 dhcp sections found");
        refused("<ip prefix='24'/>", "Missing IP address in network 'bad'");
}

/* libvirt's define-time QoS checks (network_qos_check): whole documents. */
static void qos_refused(const char *body, const char *want) {
        char xml[2048];
        snprintf(xml, sizeof xml, "<network><name>bad</name>%s</network>", body);
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        NetworkPlan plan;
        assert_int_equal(network_plan_build(def, &plan, &err), -1);
        assert_string_equal(err.message, want);
        vb_error_clear(&err);
        network_def_free(def);
}

static void test_qos_refused(void **state) {
        qos_refused("<forward mode='bridge'/><bridge name='br0'/><bandwidth><inbound average='10'/></bandwidth>",
                    "unsupported configuration: Unsupported network-wide <bandwidth> element in network bad with forward mode='bridge'");
        qos_refused("<forward mode='bridge'/><bridge name='br0'/><portgroup name='p'><bandwidth><inbound average='10'/>"
                    "</bandwidth></portgroup>",
                    "unsupported configuration: Unsupported <bandwidth> element in network 'bad' in portgroup 'p' with forward mode='bridge'");
        qos_refused("<portgroup name='p'/><portgroup name='p'/>",
                    "unsupported configuration: multiple <portgroup> elements with the same name (p) in network 'bad'");
        qos_refused("<portgroup name='p' default='yes'/><portgroup name='q' default='yes'/>",
                    "unsupported configuration: network 'bad' has multiple default <portgroup> elements (p and q), but only one default is allowed");
        /* the same network with its QoS on an own bridge is accepted, and the plan carries it */
        const char *ok = "<network><name>ok</name><bandwidth><inbound average='10'/></bandwidth></network>";
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(ok, strlen(ok), 0, &err);
        NetworkPlan plan;
        assert_int_equal(network_plan_build(def, &plan, &err), 0);
        assert_true(plan.bw_in->set);
        assert_int_equal(plan.bw_in->average, 10);
        assert_false(plan.bw_out->set);
        network_plan_done(&plan);
        network_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default),
                cmocka_unit_test(test_nat_rich),
                cmocka_unit_test(test_isolated),
                cmocka_unit_test(test_route_v6),
                cmocka_unit_test(test_open),
                cmocka_unit_test(test_dns_rich),
                cmocka_unit_test(test_dns_off),
                cmocka_unit_test(test_table_name),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_qos_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
