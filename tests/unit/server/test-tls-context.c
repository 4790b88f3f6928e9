/* test-tls-context.c: libvirt's wildcard match of tls_allowed_dn_list, and the default PKI paths of both modes. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls-context.h"

static void test_dn_match(void **state) {
        const char *dn = "C=GB,ST=London,L=London,O=virtbus,CN=client1";
        assert_true(tls_dn_match(dn, dn));
        assert_true(tls_dn_match("*", dn));
        assert_true(tls_dn_match("C=GB,*,CN=client*", dn));
        assert_true(tls_dn_match("*CN=client?", dn));
        assert_true(tls_dn_match("C=GB,ST=London,L=London,O=virtbus,CN=client1*", dn));
        assert_false(tls_dn_match("*CN=client", dn));
        assert_false(tls_dn_match("C=GB,ST=London,L=London,O=virtbus,CN=client2", dn));
        assert_false(tls_dn_match("*CN=client??", dn));
        assert_false(tls_dn_match("c=gb*", dn));              /* case matters, as in libvirt */
        assert_false(tls_dn_match("[C]=GB*", dn));            /* no character classes: literal */
        assert_true(tls_dn_match("**,CN=*1", dn));
        assert_true(tls_dn_match("", ""));
        assert_false(tls_dn_match("", dn));
}

static void test_default_paths(void **state) {
        Config c;
        config_init(&c);
        TlsSettings s;
        char err[256];
        assert_int_equal(tls_settings_from_config(&s, &c, true, err, sizeof err), 0);
        assert_string_equal(s.ca_file, "/etc/pki/CA/cacert.pem");
        assert_string_equal(s.cert_file, "/etc/pki/libvirt/servercert.pem");
        assert_string_equal(s.key_file, "/etc/pki/libvirt/private/serverkey.pem");
        assert_string_equal(s.priority, "NORMAL");
        assert_false(s.no_verify);
        tls_settings_done(&s);

        setenv("HOME", "/home/someone", 1);
        assert_int_equal(tls_settings_from_config(&s, &c, false, err, sizeof err), 0);
        assert_string_equal(s.ca_file, "/home/someone/.pki/libvirt/cacert.pem");
        assert_string_equal(s.cert_file, "/home/someone/.pki/libvirt/servercert.pem");
        assert_string_equal(s.key_file, "/home/someone/.pki/libvirt/serverkey.pem");
        assert_null(s.crl_file);        /* the default CRL only when it exists */
        tls_settings_done(&s);

        const char *text = "ca_file = \"/x/ca.pem\"\ncrl_file = \"/x/crl.pem\"\ntls_priority = \"SECURE256\"\n"
                           "tls_allowed_dn_list = [ \"CN=a*\" ]\ntls_no_verify_certificate = 1\n";
        char perr[256];
        assert_int_equal(config_parse(&c, "t.conf", text, strlen(text), perr, sizeof perr), 0);
        assert_int_equal(tls_settings_from_config(&s, &c, true, err, sizeof err), 0);
        assert_string_equal(s.ca_file, "/x/ca.pem");
        assert_string_equal(s.crl_file, "/x/crl.pem");     /* named: kept even if missing */
        assert_true(s.crl_explicit);
        assert_string_equal(s.priority, "SECURE256");
        assert_string_equal(s.allowed_dn[0], "CN=a*");
        assert_null(s.allowed_dn[1]);
        assert_true(s.no_verify);
        tls_settings_done(&s);

        unsetenv("HOME");
        assert_int_equal(tls_settings_from_config(&s, &c, false, err, sizeof err), -ENOENT);
        assert_non_null(strstr(err, "HOME"));
        config_done(&c);
}

static void test_config_refuses_bad_values(void **state) {
        Config c;
        config_init(&c);
        char err[256];
        const char *bad[] = { "ca_file = \"relative.pem\"\n", "tls_port = \"0\"\n", "auth_tls = \"polkit\"\n",
                              "tls_priority = \"\"\n" };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_int_equal(config_parse(&c, "t.conf", bad[i], strlen(bad[i]), err, sizeof err), -EINVAL);
        assert_false(c.listen_tls);
        config_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dn_match),
                cmocka_unit_test(test_default_paths),
                cmocka_unit_test(test_config_refuses_bad_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
