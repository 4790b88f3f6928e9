/* test-netlink.c: bridges, addresses, veth pairs, route collisions and taps, in a private network namespace. */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlink.h"
#include "macvtap.h"
#include "tap.h"

static const uint8_t BR_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void bridge_up(const char *name) {
        VbError err = { 0 };
        NetlinkBridge br = { .name = name, .mac = BR_MAC, .mtu = 1400, .stp = true, .delay = 0 };
        assert_int_equal(netlink_bridge_create(&br, &err), 0);
        assert_int_equal(netlink_link_set_up(name, true, &err), 0);
}

static void test_bridge(void **state) {
        VbError err = { 0 };
        bridge_up("tbr0");
        assert_true(netlink_link_exists("tbr0"));
        assert_true(netlink_link_is_up("tbr0"));
        assert_int_equal(netlink_link_mtu("tbr0"), 1400);
        assert_int_equal(netlink_addr_add("tbr0", "192.168.122.1", 24, &err), 0);
        assert_int_equal(netlink_addr_has("tbr0", "192.168.122.1"), 1);
        assert_int_equal(netlink_addr_has("tbr0", "192.168.122.2"), 0);
        assert_int_equal(netlink_addr_add("tbr0", "fd00:1::1", 64, &err), 0);
        assert_int_equal(netlink_addr_has("tbr0", "fd00:1::1"), 1);

        /* A second bridge of the same name is refused, and the first one is left alone. */
        NetlinkBridge again = { .name = "tbr0" };
        assert_int_equal(netlink_bridge_create(&again, &err), -1);
        assert_int_equal(err.code, 38);
        assert_non_null(strstr(err.message, "cannot create bridge 'tbr0'"));
        assert_true(netlink_addr_has("tbr0", "192.168.122.1"));

        assert_int_equal(netlink_link_delete("tbr0", &err), 0);
        assert_false(netlink_link_exists("tbr0"));
        assert_int_equal(netlink_link_delete("tbr0", &err), -1);
        assert_non_null(strstr(err.message, "no network interface named 'tbr0'"));
}

/* The kernel took the MAC and STP settings of the request (the namespace's own /sys is not
 * mounted, so ask netlink through the address and master lookups instead of sysfs). */
static void test_bridge_mac(void **state) {
        VbError err = { 0 };
        bridge_up("tbr1");
        uint8_t other[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
        assert_int_equal(netlink_link_set_mac("tbr1", other, &err), 0);
        assert_int_equal(netlink_link_set_mtu("tbr1", 1300, &err), 0);
        assert_int_equal(netlink_link_mtu("tbr1"), 1300);
        assert_int_equal(netlink_link_delete("tbr1", &err), 0);
}

static void test_route_conflict(void **state) {
        VbError err = { 0 };
        char dev[IF_NAMESIZE] = "";
        bridge_up("tbr2");
        assert_int_equal(netlink_addr_add("tbr2", "192.168.122.1", 24, &err), 0);
        /* the same subnet, a larger one holding it, a smaller one inside it */
        assert_int_equal(netlink_route_conflict("192.168.122.0", 24, dev, &err), 1);
        assert_string_equal(dev, "tbr2");
        assert_int_equal(netlink_route_conflict("192.168.0.0", 16, dev, &err), 1);
        assert_int_equal(netlink_route_conflict("192.168.122.128", 25, dev, &err), 1);
        assert_int_equal(netlink_route_conflict("192.168.123.0", 24, dev, &err), 0);
        assert_int_equal(netlink_route_conflict("10.0.0.0", 8, dev, &err), 0);
        assert_int_equal(netlink_route_conflict("fd00:2::", 64, dev, &err), 0);
        assert_int_equal(netlink_route_conflict("192.168.300.0", 24, dev, &err), -1);
        assert_non_null(strstr(err.message, "invalid address"));
        assert_int_equal(netlink_link_delete("tbr2", &err), 0);
        assert_int_equal(netlink_route_conflict("192.168.122.0", 24, dev, &err), 0);
}

static void test_veth_master(void **state) {
        VbError err = { 0 };
        char master[IF_NAMESIZE];
        bridge_up("tbr3");
        assert_int_equal(netlink_veth_create("tveth0", "tveth1", &err), 0);
        assert_true(netlink_link_exists("tveth0") && netlink_link_exists("tveth1"));
        assert_int_equal(netlink_link_set_master("tveth0", "tbr3", &err), 0);
        assert_int_equal(netlink_link_get_master("tveth0", master, &err), 0);
        assert_string_equal(master, "tbr3");
        assert_int_equal(netlink_link_set_master("tveth0", NULL, &err), 0);
        assert_int_equal(netlink_link_get_master("tveth0", master, &err), 0);
        assert_string_equal(master, "");
        assert_int_equal(netlink_link_set_master("tveth0", "nosuchbr", &err), -1);
        assert_non_null(strstr(err.message, "'nosuchbr'"));

        /* macvtap on the veth, in each of libvirt's modes */
        const char *modes[] = { "bridge", "vepa", "private", "passthrough" };
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(netlink_macvtap_create("tmvt0", "tveth1", modes[i], BR_MAC, &err), 0);
                assert_true(netlink_link_exists("tmvt0"));
                assert_int_equal(netlink_link_delete("tmvt0", &err), 0);
        }
        /* this test's namespace is not the one /sys was mounted for: the device number is not
         * taken from another namespace's /sys */
        assert_int_equal(netlink_macvtap_create("tmvt0", "tveth1", "bridge", BR_MAC, &err), 0);
        assert_true(netlink_link_is_macvtap("tmvt0"));
        int mfd[2] = { -1, -1 };
        assert_int_equal(macvtap_open("tmvt0", 2, "/tmp", mfd, &err), -1);
        assert_non_null(strstr(err.message, "cannot open macvtap 'tmvt0'"));
        assert_int_equal(mfd[0], -1);
        assert_int_equal(macvtap_open("tmvt0", 17, "/tmp", mfd, &err), -1);
        assert_int_equal(netlink_link_delete("tmvt0", &err), 0);
        assert_int_equal(netlink_macvtap_create("tmvt0", "tveth1", "sideways", NULL, &err), -1);
        assert_non_null(strstr(err.message, "unknown macvtap mode 'sideways'"));
        assert_false(netlink_link_exists("tmvt0"));

        assert_int_equal(netlink_link_delete("tveth0", &err), 0);
        assert_false(netlink_link_exists("tveth1"));   /* the peer goes with it */
        assert_int_equal(netlink_link_delete("tbr3", &err), 0);
}

static void test_bad_names(void **state) {
        VbError err = { 0 };
        NetlinkBridge br = { .name = "a-name-longer-than-15" };
        assert_int_equal(netlink_bridge_create(&br, &err), -1);
        assert_non_null(strstr(err.message, "invalid network interface name"));
        br.name = "bad/name";
        assert_int_equal(netlink_bridge_create(&br, &err), -1);
        assert_false(netlink_link_exists("bad/name"));
}

static void test_tap(void **state) {
        VbError err = { 0 };
        int fd[TAP_QUEUES_MAX];
        char name[IF_NAMESIZE];
        bridge_up("tbr4");
        assert_int_equal(tap_create(NULL, 1, fd, name, &err), 0);
        assert_int_equal(strncmp(name, "vnet", 4), 0);
        assert_true(netlink_link_exists(name));
        uint8_t mac[6] = { 0xfe, 0x54, 0x00, 0x01, 0x02, 0x03 };
        assert_int_equal(netlink_link_set_mac(name, mac, &err), 0);
        assert_int_equal(netlink_link_set_mtu(name, 1400, &err), 0);
        assert_int_equal(netlink_link_set_master(name, "tbr4", &err), 0);
        assert_int_equal(netlink_link_set_up(name, true, &err), 0);
        char master[IF_NAMESIZE];
        assert_int_equal(netlink_link_get_master(name, master, &err), 0);
        assert_string_equal(master, "tbr4");
        NetlinkLinkStats st;
        assert_int_equal(netlink_link_stats(name, &st, &err), 0);
        /* the tap goes with its last descriptor (QEMU's, in the daemon) */
        tap_close_all(fd, 1);
        assert_false(netlink_link_exists(name));

        /* a named multiqueue tap: one descriptor per queue, one device */
        assert_int_equal(tap_create("tmq0", 4, fd, name, &err), 0);
        assert_string_equal(name, "tmq0");
        for (int i = 0; i < 4; i++)
                assert_true(fd[i] >= 0);
        assert_true(netlink_link_exists("tmq0"));
        /* a name in use is refused */
        int fd2[1];
        assert_int_equal(tap_create("tmq0", 1, fd2, name, &err), -1);
        assert_non_null(strstr(err.message, "cannot create tap device 'tmq0'"));
        tap_close_all(fd, 4);
        assert_false(netlink_link_exists("tmq0"));
        assert_int_equal(tap_create("tmq0", 0, fd, name, &err), -1);
        assert_int_equal(tap_create("tmq0", 17, fd, name, &err), -1);

        /* MAC, MTU, bridge and up in one request (qemu-net.c's taps) */
        assert_int_equal(tap_create("tset0", 1, fd, name, &err), 0);
        uint8_t mac2[6] = { 0xfe, 0x54, 0x00, 0x0a, 0x0b, 0x0c };
        assert_int_equal(netlink_link_setup("tset0", mac2, 1300, "tbr4", true, &err), 0);
        assert_int_equal(netlink_link_get_master("tset0", master, &err), 0);
        assert_string_equal(master, "tbr4");
        assert_int_equal(netlink_link_mtu("tset0"), 1300);
        /* the bridge keeps its own MTU (a network's <mtu>) when a smaller port joins, as libvirt's */
        assert_int_equal(netlink_link_mtu("tbr4"), 1400);
        assert_true(netlink_link_is_up("tset0"));
        assert_false(netlink_link_is_macvtap("tset0"));
        assert_int_equal(netlink_link_setup("tset0", NULL, 0, "nosuchbr", true, &err), -1);
        assert_non_null(strstr(err.message, "nosuchbr"));
        tap_close_all(fd, 1);
        assert_int_equal(netlink_link_setup("tset0", NULL, 0, NULL, true, &err), -1);
        assert_int_equal(netlink_link_delete("tbr4", &err), 0);
}

int main(void) {
        /* Our own network namespace: nothing here touches the host's interfaces. */
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "test-netlink: unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bridge),
                cmocka_unit_test(test_bridge_mac),
                cmocka_unit_test(test_route_conflict),
                cmocka_unit_test(test_veth_master),
                cmocka_unit_test(test_bad_names),
                cmocka_unit_test(test_tap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
