/* test-network-leases.c: virtbus-leases-helper run as dnsmasq runs it (add, old, del, with
 * dnsmasq's environment) keeps a 0600 JSON status file atomically; the driver's reader turns it
 * into leases, leaving out expired ones and other MACs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "network-leases.h"

static char dir[] = "/tmp/vb-leases-XXXXXX";
static char status[256];

/* Run the helper with argv and "NAME=VALUE" pairs in env (NULL-terminated). */
static int helper(const char *const *args, const char *const *env) {
        const char *path = getenv("T_HELPER");
        assert_non_null(path);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                clearenv();
                setenv("VIRTBUS_LEASES_STATUS", status, 1);
                for (const char *const *e = env; e && *e; e++)
                        putenv((char *) *e);
                char *argv[8] = { (char *) path };
                for (int i = 0; args[i] && i < 6; i++)
                        argv[i + 1] = (char *) args[i];
                execv(path, argv);
                _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = calloc(1, 65536);
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static void leases(const char *mac, NetworkLease **out, size_t *n) {
        NetworkPlanIp ip = { .ipv6 = false, .prefix = 24 };
        NetworkPlan plan = { .name = "default", .bridge = "virbr0", .ips = &ip, .n_ips = 1 };
        char *text = slurp(status);
        assert_non_null(text);
        assert_int_equal(network_leases_parse(text, &plan, (int64_t) time(NULL), mac, out, n), 0);
        free(text);
}

static void test_add_old_del(void **state) {
        char later[64], earlier[64];
        snprintf(later, sizeof later, "DNSMASQ_LEASE_EXPIRES=%lld", (long long) time(NULL) + 3600);
        snprintf(earlier, sizeof earlier, "DNSMASQ_LEASE_EXPIRES=%lld", (long long) time(NULL) - 10);
        const char *env_a[] = { later, "DNSMASQ_CLIENT_ID=01:52:54:00:aa:00:01", "DNSMASQ_INTERFACE=virbr0", NULL };
        assert_int_equal(helper((const char *[]) { "add", "52:54:00:aa:00:01", "192.168.122.10", "guest-a", NULL },
                                env_a), 0);
        struct stat st;
        assert_int_equal(stat(status, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        const char *env_b[] = { later, NULL };
        assert_int_equal(helper((const char *[]) { "old", "52:54:00:aa:00:02", "192.168.122.11", NULL }, env_b), 0);
        const char *env_c[] = { earlier, NULL };
        assert_int_equal(helper((const char *[]) { "add", "52:54:00:aa:00:03", "192.168.122.12", "gone", NULL },
                                env_c), 0);
        /* a renewal of the same address replaces the lease, it does not add one */
        assert_int_equal(helper((const char *[]) { "old", "52:54:00:aa:00:01", "192.168.122.10", "guest-a", NULL },
                                env_a), 0);

        NetworkLease *l;
        size_t n;
        leases(NULL, &l, &n);
        assert_int_equal(n, 2);         /* the expired one is left out */
        assert_string_equal(l[0].ipaddr, "192.168.122.11");
        assert_null(l[0].hostname);
        assert_string_equal(l[1].mac, "52:54:00:aa:00:01");
        assert_string_equal(l[1].hostname, "guest-a");
        assert_string_equal(l[1].clientid, "01:52:54:00:aa:00:01");
        assert_string_equal(l[1].iface, "virbr0");
        assert_int_equal(l[1].prefix, 24);
        assert_true(l[1].expiry > time(NULL));
        network_leases_free(l, n);
        leases("52:54:00:AA:00:02", &l, &n);
        assert_int_equal(n, 1);
        assert_string_equal(l[0].ipaddr, "192.168.122.11");
        network_leases_free(l, n);

        assert_int_equal(helper((const char *[]) { "del", "52:54:00:aa:00:01", "192.168.122.10", NULL }, NULL), 0);
        leases(NULL, &l, &n);
        assert_int_equal(n, 1);
        network_leases_free(l, n);
        /* actions the helper does not keep are accepted and change nothing */
        assert_int_equal(helper((const char *[]) { "init", NULL }, NULL), 0);
        assert_int_equal(helper((const char *[]) { "tftp", "1", "10.0.0.1", "/f", NULL }, NULL), 0);
        leases(NULL, &l, &n);
        assert_int_equal(n, 1);
        network_leases_free(l, n);
}

static const char *later_env(void) {
        static char buf[64];
        snprintf(buf, sizeof buf, "DNSMASQ_LEASE_EXPIRES=%lld", (long long) time(NULL) + 3600);
        return buf;
}

static void test_bad_input(void **state) {
        /* an IPv6 lease: the IAID, and the MAC dnsmasq gives in DNSMASQ_MAC */
        const char *env6[] = { later_env(), "DNSMASQ_IAID=12345", "DNSMASQ_MAC=52:54:00:aa:00:06", NULL };
        assert_int_equal(helper((const char *[]) { "add", "12345", "fd00::5", "six", NULL }, env6), 0);
        NetworkPlanIp ips[2] = { { .ipv6 = false, .prefix = 24 }, { .ipv6 = true, .prefix = 64 } };
        NetworkPlan plan6 = { .name = "default", .bridge = "virbr0", .ips = ips, .n_ips = 2 };
        NetworkLease *l6;
        size_t n6;
        char *text6 = slurp(status);
        assert_int_equal(network_leases_parse(text6, &plan6, (int64_t) time(NULL), "52:54:00:AA:00:06", &l6, &n6), 0);
        free(text6);
        assert_int_equal(n6, 1);
        assert_int_equal(l6[0].type, NETWORK_LEASE_IPV6);
        assert_string_equal(l6[0].iaid, "12345");
        assert_int_equal(l6[0].prefix, 64);
        assert_string_equal(l6[0].hostname, "six");
        network_leases_free(l6, n6);
        assert_int_equal(helper((const char *[]) { "del", "12345", "fd00::5", NULL }, env6), 0);

        /* a status file that is not a JSON array is refused by the reader, restarted by the helper */
        FILE *f = fopen(status, "we");
        fputs("{\"not\": \"an array\"}", f);
        fclose(f);
        NetworkPlan plan = { .name = "default", .bridge = "virbr0" };
        NetworkLease *l;
        size_t n;
        char *text = slurp(status);
        assert_int_equal(network_leases_parse(text, &plan, 0, NULL, &l, &n), -2);
        free(text);
        assert_int_equal(helper((const char *[]) { "add", "52:54:00:aa:00:04", "192.168.122.13", NULL }, NULL), 0);
        leases(NULL, &l, &n);
        assert_int_equal(n, 1);
        assert_int_equal(l[0].expiry, 0);
        network_leases_free(l, n);
        /* too few arguments: an error, the file is untouched */
        assert_int_not_equal(helper((const char *[]) { "add", "52:54:00:aa:00:05", NULL }, NULL), 0);
        leases(NULL, &l, &n);
        assert_int_equal(n, 1);
        network_leases_free(l, n);
}

int main(void) {
        if (!mkdtemp(dir))
                return 1;
        snprintf(status, sizeof status, "%s/default.status", dir);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_old_del),
                cmocka_unit_test(test_bad_input),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        unlink(status);
        rmdir(dir);
        return r;
}
