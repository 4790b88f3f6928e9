/* test-nwfilter-nft.c: filter bindings as nftables rules against golden files (tests/data/nwfilter/NAME.nft), with libvirt's standard filters (nwfilter-builtin.c) and the lab filters of tests/data/nwfilter; and what the translation refuses, by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwfilter-builtin.h"
#include "nwfilter-nft-gen.h"

#define FILTERS_MAX 64

static NWFilterDef *filters[FILTERS_MAX];
static size_t n_filters;

/* VIRTBUS_NWFILTER_DATA/name, whole (malloc'ed), or NULL. */
static char *slurp(const char *name) {
        char path[1024], *buf = NULL;
        snprintf(path, sizeof path, "%s/%s", getenv("VIRTBUS_NWFILTER_DATA"), name);
        FILE *f = fopen(path, "re");
        long size = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t) size + 1)) &&
            fread(buf, 1, (size_t) size, f) != (size_t) size) {
                free(buf);
                buf = NULL;
        }
        if (f)
                fclose(f);
        return buf;
}

static void add_filter(const char *xml) {
        VbError err = { 0 };
        NWFilterDef *def = nwfilter_def_parse(xml, strlen(xml), &err);
        if (!def)
                fail_msg("%s: %s", xml, err.message);
        assert_true(n_filters < FILTERS_MAX);
        filters[n_filters++] = def;
}

static const NWFilterDef *lookup(const char *name, void *userdata) {
        (void) userdata;
        for (size_t i = n_filters; i-- > 0;)     /* the last defined wins (a redefinition) */
                if (strcmp(filters[i]->name, name) == 0)
                        return filters[i];
        return NULL;
}

static int setup(void **state) {
        for (const NWFilterBuiltin *b = nwfilter_builtins; b->name; b++)
                add_filter(b->xml);
        for (const char *const *n = (const char *const[]) { "lab-rules.xml", "lab-ipv4.xml", NULL }; *n; n++) {
                char *xml = slurp(*n);
                assert_non_null(xml);
                add_filter(xml);
                free(xml);
        }
        return 0;
}

static int teardown(void **state) {
        while (n_filters)
                nwfilter_def_free(filters[--n_filters]);
        return 0;
}

static NWFilterBindingDef *binding(const char *xml) {
        VbError err = { 0 };
        NWFilterBindingDef *b = nwfilter_binding_def_parse(xml, strlen(xml), &err);
        if (!b)
                fail_msg("%s", err.message);
        return b;
}

static NWFilterBindingDef *binding_file(const char *name) {
        char *xml = slurp(name);
        assert_non_null(xml);
        NWFilterBindingDef *b = binding(xml);
        free(xml);
        return b;
}

/* Compare with the golden file; VIRTBUS_REGENERATE=1 rewrites it instead. */
static void golden(const char *name, const char *text) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", getenv("VIRTBUS_NWFILTER_DATA"), name);
        if (getenv("VIRTBUS_REGENERATE")) {
                FILE *f = fopen(path, "we");
                assert_non_null(f);
                fputs(text, f);
                fclose(f);
        }
        char *want = slurp(name);
        if (!want)
                fail_msg("missing golden file %s", path);
        if (strcmp(want, text) != 0)
                fail_msg("%s differs; got:\n%s", path, text);
        free(want);
}

static char *script(NWFilterBindingDef **b, size_t n) {
        char *out = NULL;
        VbError err = { 0 };
        if (nwfilter_nft_script((const NWFilterBindingDef *const *) b, n, lookup, NULL, &out, &err) < 0)
                fail_msg("%s", err.message);
        return out;
}

static void test_standard_filters_parse(void **state) {
        /* every standard filter's references exist, and none is there twice */
        for (size_t i = 0; nwfilter_builtins[i].name; i++) {
                const NWFilterDef *def = lookup(nwfilter_builtins[i].name, NULL);
                assert_non_null(def);
                assert_string_equal(def->name, nwfilter_builtins[i].name);
                for (size_t j = 0; j < def->n_entries; j++)
                        if (def->entries[j].ref)
                                assert_non_null(lookup(def->entries[j].ref, NULL));
                for (size_t j = i + 1; nwfilter_builtins[j].name; j++)
                        assert_string_not_equal(nwfilter_builtins[i].name, nwfilter_builtins[j].name);
        }
}

static void test_clean_traffic(void **state) {
        NWFilterBindingDef *b = binding_file("clean-traffic.binding.xml");
        char *s = script(&b, 1);
        golden("clean-traffic.nft", s);
        free(s);
        nwfilter_binding_def_free(b);
}

static void test_lab_rules(void **state) {
        NWFilterBindingDef *b[2] = { binding_file("lab.binding.xml"), binding_file("clean-traffic.binding.xml") };
        char *s = script(b, 2);
        golden("two-bindings.nft", s);
        free(s);
        nwfilter_binding_def_free(b[0]);
        nwfilter_binding_def_free(b[1]);
}

static void test_no_binding_removes_table(void **state) {
        char *s = script(NULL, 0);
        assert_string_equal(s, "table bridge virtbus_nwfilter {}\ndelete table bridge virtbus_nwfilter\n");
        free(s);
}

/* A binding the translation cannot do is refused whole, naming why. */
static void refused(const char *filter, const char *params, const char *port, const char *want) {
        char xml[2048];
        snprintf(xml, sizeof xml,
                 "<filterbinding><owner><name>g</name><uuid>44444444-5555-6666-7777-888888888888</uuid></owner>"
                 "<portdev name='%s'/><mac address='52:54:00:00:00:01'/><filterref filter='%s'>%s</filterref>"
                 "</filterbinding>", port, filter, params);
        NWFilterBindingDef *b = binding(xml);
        char *out = NULL;
        VbError err = { 0 };
        assert_int_equal(nwfilter_nft_script((const NWFilterBindingDef *const *) &b, 1, lookup, NULL, &out, &err), -1);
        assert_null(out);
        if (!strstr(err.message, want))
                fail_msg("expected '%s' in '%s'", want, err.message);
        nwfilter_binding_def_free(b);
}

static void test_refused(void **state) {
        refused("clean-traffic", "", "vnet0",
                "cannot instantiate filter due to unresolvable variables or unavailable list elements: IP");
        refused("no-such", "", "vnet0", "referenced filter 'no-such' is missing");
        refused("clean-traffic", "<parameter name='IP' value='10.0.0.1 accept'/>", "vnet0",
                "<ip> attribute srcipaddr='10.0.0.1 accept': not an IPv4 address");
        refused("no-mac-spoofing", "<parameter name='MAC' value='52:54:00:00:00:01;'/>", "vnet0",
                "srcmacaddr='52:54:00:00:00:01;': not a MAC address");
        refused("clean-traffic", "<parameter name='IP' value='10.0.0.1'/>", "vnet\"0", "port device 'vnet\"0'");
        add_filter("<filter name='stateful'><rule action='accept' direction='in'>"
                   "<tcp dstportstart='22' state='NEW'/></rule></filter>");
        refused("stateful", "", "vnet0", "<tcp> attribute 'state' is not supported by the nftables translation");
        add_filter("<filter name='ports-alone'><rule action='accept' direction='in'>"
                   "<ip dstportstart='22'/></rule></filter>");
        refused("ports-alone", "", "vnet0", "ports need protocol tcp, udp, udplite or sctp");
        add_filter("<filter name='vlan-rule'><rule action='accept' direction='in'><vlan vlanid='5'/></rule></filter>");
        refused("vlan-rule", "", "vnet0", "<vlan> rules are not supported by the nftables translation");
        add_filter("<filter name='indexed'><rule action='accept' direction='in'><ip srcipaddr='$IP[@1]'/></rule>"
                   "</filter>");
        refused("indexed", "", "vnet0", "variable reference '$IP[@1]' is not supported");
}

/* A filter redefined: the lookup sees the new definition, the rules follow it. */
static void test_redefined(void **state) {
        NWFilterBindingDef *b = binding_file("clean-traffic.binding.xml");
        char *before = script(&b, 1);
        add_filter("<filter name='no-other-l2-traffic'><rule action='accept' direction='inout' priority='1000'/></filter>");
        char *after = script(&b, 1);
        assert_string_not_equal(before, after);
        assert_non_null(strstr(before, "\t\tdrop\n\t}\n\tchain from-vnet0-mac"));
        assert_non_null(strstr(after, "\t\taccept\n\t}\n\tchain from-vnet0-mac"));
        nwfilter_def_free(filters[--n_filters]);
        free(before);
        free(after);
        nwfilter_binding_def_free(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_standard_filters_parse),
                cmocka_unit_test(test_clean_traffic),
                cmocka_unit_test(test_lab_rules),
                cmocka_unit_test(test_no_binding_removes_table),
                cmocka_unit_test(test_redefined),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
