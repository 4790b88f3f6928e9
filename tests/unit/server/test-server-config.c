/* test-server-config.c: the remote door's virtbusd.conf keys: defaults, values, and refusals naming file:line. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"

static int parse(Config *c, const char *text, char *err, size_t errlen) {
        return config_parse(c, "t.conf", text, strlen(text), err, errlen);
}

static void test_defaults(void **state) {
        Config c;
        config_init(&c);
        assert_null(c.unix_sock_dir);
        assert_null(c.unix_sock_group);
        assert_null(c.unix_sock_ro_perms);
        assert_null(c.unix_sock_rw_perms);
        assert_false(c.listen_tcp);
        assert_null(c.listen_addr);
        assert_null(c.tcp_port);
        assert_null(c.auth_tcp);
        assert_null(c.auth_unix_ro);
        assert_null(c.auth_unix_rw);
        assert_int_equal(c.max_clients, 5000);
        assert_int_equal(c.max_anonymous_clients, 20);
        assert_int_equal(c.max_client_requests, 5);
        assert_int_equal(c.max_client_streams, 32);
        assert_int_equal(c.keepalive_interval, 5);
        assert_int_equal(c.keepalive_count, 5);
        config_done(&c);
}

static void test_every_key(void **state) {
        const char *text =
                "unix_sock_dir = \"/run/elsewhere\"\n"
                "unix_sock_group = \"libvirt\"\n"
                "unix_sock_ro_perms = \"0777\"\n"
                "unix_sock_rw_perms = \"0770\"\n"
                "listen_tcp = 1\n"
                "listen_addr = \"127.0.0.1\"\n"
                "tcp_port = \"16510\"\n"
                "auth_tcp = \"none\"\n"
                "auth_unix_ro = \"none\"\n"
                "auth_unix_rw = \"none\"\n"
                "max_clients = 10\n"
                "max_anonymous_clients = 0\n"
                "max_client_requests = 1\n"
                "max_client_streams = 3\n"
                "keepalive_interval = -1\n"
                "keepalive_count = 0\n";
        Config c;
        config_init(&c);
        char err[256] = "";
        assert_int_equal(parse(&c, text, err, sizeof err), 0);
        assert_string_equal(c.unix_sock_dir, "/run/elsewhere");
        assert_string_equal(c.unix_sock_group, "libvirt");
        assert_string_equal(c.unix_sock_ro_perms, "0777");
        assert_string_equal(c.unix_sock_rw_perms, "0770");
        assert_true(c.listen_tcp);
        assert_string_equal(c.listen_addr, "127.0.0.1");
        assert_string_equal(c.tcp_port, "16510");
        assert_string_equal(c.auth_tcp, "none");
        assert_string_equal(c.auth_unix_ro, "none");
        assert_string_equal(c.auth_unix_rw, "none");
        assert_int_equal(c.max_clients, 10);
        assert_int_equal(c.max_anonymous_clients, 0);
        assert_int_equal(c.max_client_requests, 1);
        assert_int_equal(c.max_client_streams, 3);
        assert_int_equal(c.keepalive_interval, -1);
        assert_int_equal(c.keepalive_count, 0);
        /* polkit on the unix sockets, and access_drivers as a list. */
        assert_int_equal(parse(&c, "auth_unix_rw = \"polkit\"\nauth_unix_ro = \"polkit\"\n"
                                   "access_drivers = [ \"polkit\" ]\n", err, sizeof err), 0);
        assert_string_equal(c.auth_unix_rw, "polkit");
        assert_string_equal(c.auth_unix_ro, "polkit");
        assert_non_null(c.access_drivers);
        assert_string_equal(c.access_drivers[0], "polkit");
        assert_null(c.access_drivers[1]);
        /* auth_tcp = "sasl" parses (libvirt's default); the server refuses it with TCP on. */
        assert_int_equal(parse(&c, "auth_tcp = \"sasl\"\n", err, sizeof err), 0);
        assert_string_equal(c.auth_tcp, "sasl");
        /* SASL on the unix sockets, as libvirtd takes it. */
        assert_int_equal(parse(&c, "auth_unix_rw = \"sasl\"\nauth_unix_ro = \"sasl\"\n", err, sizeof err), 0);
        assert_string_equal(c.auth_unix_rw, "sasl");
        assert_string_equal(c.auth_unix_ro, "sasl");
        config_done(&c);
}

static void expect_error(const char *text, const char *want) {
        Config c;
        config_init(&c);
        c.max_clients = 77;
        char err[256] = "";
        assert_int_equal(parse(&c, text, err, sizeof err), -EINVAL);
        if (!strstr(err, want))
                fail_msg("error \"%s\" lacks \"%s\"", err, want);
        assert_int_equal(c.max_clients, 77);    /* untouched */
        config_done(&c);
}

static void test_refusals_name_file_and_line(void **state) {
        expect_error("# x\nunix_sock_rw_perms = \"0800\"\n", "t.conf:2: unix_sock_rw_perms: expected an octal mode");
        expect_error("unix_sock_ro_perms = \"rwx\"\n", "t.conf:1: unix_sock_ro_perms: expected an octal mode");
        expect_error("unix_sock_ro_perms = \"\"\n", "t.conf:1: unix_sock_ro_perms");
        expect_error("unix_sock_ro_perms = 777\n", "t.conf:1: unix_sock_ro_perms: expected a string");
        expect_error("\n\ntcp_port = \"abc\"\n", "t.conf:3: tcp_port: expected a port number");
        expect_error("tcp_port = \"0\"\n", "t.conf:1: tcp_port: expected a port number");
        expect_error("tcp_port = \"70000\"\n", "t.conf:1: tcp_port");
        expect_error("tcp_port = 16509\n", "t.conf:1: tcp_port: expected a string");
        expect_error("listen_tcp = 2\n", "t.conf:1: listen_tcp: expected 0 or 1");
        expect_error("listen_addr = \"\"\n", "t.conf:1: listen_addr: must not be empty");
        expect_error("unix_sock_dir = \"run/libvirt\"\n", "t.conf:1: unix_sock_dir: expected an absolute");
        expect_error("auth_tcp = \"polkit\"\n", "t.conf:1: auth_tcp: expected \"none\" or \"sasl\"");
        expect_error("\nauth_unix_rw = \"kerberos\"\n", "t.conf:2: auth_unix_rw: expected \"none\", \"polkit\" or \"sasl\"");
        expect_error("auth_unix_ro = \"kerberos\"\n", "t.conf:1: auth_unix_ro: expected \"none\", \"polkit\" or \"sasl\"");
        expect_error("max_clients = 0\n", "t.conf:1: max_clients: must be between 1 and");
        expect_error("max_anonymous_clients = -1\n", "t.conf:1: max_anonymous_clients");
        expect_error("max_client_requests = 0\n", "t.conf:1: max_client_requests");
        expect_error("max_client_streams = 0\n", "t.conf:1: max_client_streams: must be between 1 and");
        expect_error("keepalive_interval = -2\n", "t.conf:1: keepalive_interval: must be between -1 and");
        expect_error("keepalive_count = -1\n", "t.conf:1: keepalive_count");
        expect_error("keepalive_count = \"5\"\n", "t.conf:1: keepalive_count: expected an integer");
        expect_error("\n\naccess_drivers = [ \"nop\", \"selinux\" ]\n", "t.conf:3: access_drivers: expected \"nop\" or \"polkit\", got \"selinux\"");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_refusals_name_file_and_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
