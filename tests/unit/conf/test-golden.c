/* test-golden.c: parse → format → parse is a fixed point, against the tests/data/xml golden files (NAME.in.xml, NAME.out.xml). */
#include "conf-test.h"

#include "domain-conf.h"
#include "network-conf.h"
#include "storage-conf.h"

typedef enum { KIND_DOMAIN, KIND_NETWORK, KIND_POOL, KIND_VOL } Kind;

typedef struct GoldenCase {
        const char *input;       /* <input>.in.xml */
        const char *output;      /* <output>.out.xml */
        Kind kind;
        unsigned parse_flags;    /* DOMAIN_PARSE_STATUS for live XML */
        unsigned format_flags;
} GoldenCase;

static const GoldenCase golden_cases[] = {
        { "domain-rich", "domain-rich", KIND_DOMAIN, 0, 0 },
        { "domain-rich", "domain-rich-inactive", KIND_DOMAIN, 0, DOMAIN_FORMAT_INACTIVE },
        { "domain-live", "domain-live", KIND_DOMAIN, DOMAIN_PARSE_STATUS, 0 },
        { "domain-live", "domain-live-inactive", KIND_DOMAIN, DOMAIN_PARSE_STATUS, DOMAIN_FORMAT_INACTIVE },
        /* every device's <alias> as libvirt 9.0's QEMU driver writes it (its live XML, with
         * two ua- aliases added); the inactive XML and a definition keep the ua- ones only */
        { "domain-aliases", "domain-aliases", KIND_DOMAIN, DOMAIN_PARSE_STATUS, 0 },
        { "domain-aliases", "domain-aliases-inactive", KIND_DOMAIN, DOMAIN_PARSE_STATUS, DOMAIN_FORMAT_INACTIVE },
        { "domain-aliases-def", "domain-aliases-def", KIND_DOMAIN, 0, 0 },
        { "domain-defaults", "domain-defaults", KIND_DOMAIN, 0, 0 },
        { "domain-metadata", "domain-metadata", KIND_DOMAIN, 0, 0 },
        { "domain-tune", "domain-tune", KIND_DOMAIN, 0, 0 },
        { "domain-seclabel", "domain-seclabel", KIND_DOMAIN, DOMAIN_PARSE_STATUS, 0 },
        { "domain-seclabel-static", "domain-seclabel-static", KIND_DOMAIN, 0, 0 },
        { "domain-filterref", "domain-filterref", KIND_DOMAIN, 0, 0 },
        { "domain-iotune", "domain-iotune", KIND_DOMAIN, 0, 0 },
        { "domain-fdgroup", "domain-fdgroup", KIND_DOMAIN, 0, 0 },
        { "domain-console", "domain-console", KIND_DOMAIN, 0, 0 },
        { "domain-iothreads", "domain-iothreads", KIND_DOMAIN, 0, 0 },
        { "domain-perf", "domain-perf", KIND_DOMAIN, 0, 0 },
        { "domain-bandwidth", "domain-bandwidth", KIND_DOMAIN, 0, 0 },
        { "network-nat", "network-nat", KIND_NETWORK, 0, 0 },
        { "network-isolated", "network-isolated", KIND_NETWORK, 0, 0 },
        { "network-bridge", "network-bridge", KIND_NETWORK, 0, 0 },
        { "network-dns", "network-dns", KIND_NETWORK, 0, 0 },
        { "network-dns-off", "network-dns-off", KIND_NETWORK, 0, 0 },
        { "network-qos", "network-qos", KIND_NETWORK, 0, 0 },
        { "network-macvtap", "network-macvtap", KIND_NETWORK, 0, 0 },
        { "network-macvtap-dev", "network-macvtap-dev", KIND_NETWORK, 0, 0 },
        { "network-macvtap-pf", "network-macvtap-pf", KIND_NETWORK, 0, 0 },
        { "network-portgroup", "network-portgroup", KIND_NETWORK, 0, 0 },
        { "pool-dir", "pool-dir", KIND_POOL, 0, 0 },
        { "pool-netfs", "pool-netfs", KIND_POOL, 0, 0 },
        { "pool-logical", "pool-logical", KIND_POOL, 0, 0 },
        { "vol-qcow2", "vol-qcow2", KIND_VOL, 0, 0 },
        { "vol-block", "vol-block", KIND_VOL, 0, 0 },
};

/* parse, optionally copy, then format; NULL with err set when parsing fails. validate adds
 * each kind's VALIDATE flag to parse_flags. */
static char *golden_roundtrip(Kind kind, const char *xml, unsigned parse_flags, bool validate,
                              unsigned format_flags, bool copy, VbError *err) {
        size_t len = strlen(xml);
        char *out = NULL;
        switch (kind) {
        case KIND_DOMAIN: {
                DomainDef *d = domain_def_parse(xml, len, parse_flags | (validate ? DOMAIN_PARSE_VALIDATE : 0), err);
                DomainDef *c = d && copy ? domain_def_copy(d) : NULL;
                if (d)
                        out = domain_def_format(copy ? c : d, format_flags);
                domain_def_free(c);
                domain_def_free(d);
                break;
        }
        case KIND_NETWORK: {
                NetworkDef *d = network_def_parse(xml, len, parse_flags | (validate ? NETWORK_PARSE_VALIDATE : 0), err);
                NetworkDef *c = d && copy ? network_def_copy(d) : NULL;
                if (d)
                        out = network_def_format(copy ? c : d, format_flags);
                network_def_free(c);
                network_def_free(d);
                break;
        }
        case KIND_POOL: {
                PoolDef *d = pool_def_parse(xml, len, parse_flags | (validate ? POOL_PARSE_VALIDATE : 0), err);
                PoolDef *c = d && copy ? pool_def_copy(d) : NULL;
                if (d)
                        out = pool_def_format(copy ? c : d, format_flags);
                pool_def_free(c);
                pool_def_free(d);
                break;
        }
        case KIND_VOL: {
                VolDef *d = vol_def_parse(xml, len, parse_flags | (validate ? VOL_PARSE_VALIDATE : 0), err);
                VolDef *c = d && copy ? vol_def_copy(d) : NULL;
                if (d)
                        out = vol_def_format(copy ? c : d, format_flags);
                vol_def_free(c);
                vol_def_free(d);
                break;
        }
        }
        if (!out)
                print_error("round trip failed: %s\n", err->message);
        return out;
}

static void test_golden_case(void **state) {
        const GoldenCase *g = *state;
        char name[256];
        snprintf(name, sizeof name, "%s.in.xml", g->input);
        char *in = conf_test_read(name);
        snprintf(name, sizeof name, "%s.out.xml", g->output);
        char *expected = conf_test_read(name);
        VbError err = { 0 };

        char *once = golden_roundtrip(g->kind, in, g->parse_flags, false, g->format_flags, false, &err);
        assert_non_null(once);
        assert_string_equal(once, expected);

        char *twice = golden_roundtrip(g->kind, expected, g->parse_flags, false, g->format_flags, false, &err);
        assert_non_null(twice);
        assert_string_equal(twice, expected);

        /* What we write, we accept even when validating strictly. */
        char *strict = golden_roundtrip(g->kind, expected, g->parse_flags, true, g->format_flags, false, &err);
        assert_non_null(strict);
        assert_string_equal(strict, expected);

        /* Copies are exact. */
        char *copied = golden_roundtrip(g->kind, expected, g->parse_flags, false, g->format_flags, true, &err);
        assert_non_null(copied);
        assert_string_equal(copied, expected);

        free(copied);
        free(strict);
        free(twice);
        free(once);
        free(expected);
        free(in);
}

int main(void) {
        enum { N = sizeof golden_cases / sizeof golden_cases[0] };
        struct CMUnitTest tests[N];
        static char names[N][128];
        for (size_t i = 0; i < N; i++) {
                snprintf(names[i], sizeof names[i], "golden %s -> %s", golden_cases[i].input,
                         golden_cases[i].output);
                tests[i] = (struct CMUnitTest) {
                        .name = names[i],
                        .test_func = test_golden_case,
                        .initial_state = (void *) &golden_cases[i],
                };
        }
        return _cmocka_run_group_tests("golden", tests, N, NULL, NULL);
}
