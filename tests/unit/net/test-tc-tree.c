/* test-tc-tree.c: lib/tc-tree.c in a private network namespace: a bridge's htb tree (1:1 the network, 1:2 the rest), a floor class per MAC with its u32 filter, the shared class's rate changed, classes and the tree removed; read back with tc(8) as a user would. */
#include <errno.h>
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
#include "tc-tree.h"

static char *tc_show(const char *args) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "tc %s 2>&1", args);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        static char out[16384];
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        pclose(p);
        return out;
}

#define assert_shows(args, want) do { \
                const char *o_ = tc_show(args); \
                if (!strstr(o_, want)) \
                        fail_msg("'%s' not in tc %s:\n%s", want, args, o_); \
        } while (0)

static void test_tree_and_floors(void **state) {
        VbError err = { 0 };
        NetlinkBridge br = { .name = "tcbr0" };
        assert_int_equal(netlink_bridge_create(&br, &err), 0);
        assert_int_equal(netlink_link_set_up("tcbr0", true, &err), 0);

        /* the network: 1000 kB/s average, 2000 peak */
        TcRate net = { .rate = 1000000, .ceil = 2000000 };
        assert_int_equal(tc_tree_shape("tcbr0", &net, &err), 0);
        assert_shows("qdisc show dev tcbr0", "qdisc htb 1: root refcnt 2 r2q 10 default 0x2");
        assert_shows("class show dev tcbr0", "class htb 1:1 root rate 8Mbit ceil 16Mbit");
        assert_shows("class show dev tcbr0", "class htb 1:2 parent 1:1 prio 0 rate 8Mbit ceil 16Mbit");

        /* a NIC guaranteed 300 kB/s, up to the network's peak */
        const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 };
        TcRate floor = { .rate = 300000, .ceil = 2000000 };
        assert_int_equal(tc_tree_plug("tcbr0", 3, mac, &floor, &err), 0);
        assert_shows("class show dev tcbr0", "class htb 1:3 parent 1:1 prio 0 rate 2400Kbit ceil 16Mbit");
        /* as libvirt's "tc filter add … handle 800::803 u32 match u16 0x5254 0xffff at -14 match u32
         * 0x00aa0001 0xffffffff at -12 flowid 1:3" shows */
        assert_shows("filter show dev tcbr0", "fh 800::803 order 2051 key ht 800 bkt 0 flowid 1:3");
        assert_shows("filter show dev tcbr0", "match 00005254/0000ffff at -16");
        assert_shows("filter show dev tcbr0", "match 00aa0001/ffffffff at -12");
        /* plugging the same id again replaces it */
        floor.rate = 100000;
        assert_int_equal(tc_tree_plug("tcbr0", 3, mac, &floor, &err), 0);
        assert_shows("class show dev tcbr0", "class htb 1:3 parent 1:1 prio 0 rate 800Kbit ceil 16Mbit");

        /* the rest gets what is left */
        TcRate rest = { .rate = 900000, .ceil = 2000000 };
        assert_int_equal(tc_tree_set_default("tcbr0", &rest, &err), 0);
        assert_shows("class show dev tcbr0", "class htb 1:2 parent 1:1 prio 0 rate 7200Kbit ceil 16Mbit");

        assert_int_equal(tc_tree_unplug("tcbr0", 3, &err), 0);
        assert_null(strstr(tc_show("class show dev tcbr0"), "1:3"));
        assert_null(strstr(tc_show("filter show dev tcbr0"), "flowid 1:3"));
        assert_int_equal(tc_tree_unplug("tcbr0", 3, &err), 0);   /* nothing there: no error */

        /* three floors; the reservations name 4 only: 3 and 5 go with their filters, 1:2 stays */
        for (unsigned id = 3; id <= 5; id++) {
                const uint8_t m[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, (uint8_t) id };
                assert_int_equal(tc_tree_plug("tcbr0", id, m, &floor, &err), 0);
        }
        const unsigned keep[] = { 4 };
        assert_int_equal(tc_tree_unplug_others("tcbr0", keep, 1, &err), 0);
        const char *classes = tc_show("class show dev tcbr0");
        assert_null(strstr(classes, "1:3 "));
        assert_null(strstr(classes, "1:5 "));
        assert_non_null(strstr(classes, "class htb 1:4 parent 1:1 prio 0 rate 800Kbit"));
        assert_non_null(strstr(classes, "class htb 1:2 parent 1:1"));
        const char *filters = tc_show("filter show dev tcbr0");
        assert_null(strstr(filters, "flowid 1:3"));
        assert_null(strstr(filters, "flowid 1:5"));
        assert_non_null(strstr(filters, "flowid 1:4"));
        assert_int_equal(tc_tree_unplug_others("tcbr0", NULL, 0, &err), 0);
        assert_null(strstr(tc_show("class show dev tcbr0"), "1:4 "));

        assert_int_equal(tc_tree_shape("tcbr0", NULL, &err), 0);
        assert_null(strstr(tc_show("qdisc show dev tcbr0"), "htb"));
        assert_int_equal(netlink_link_delete("tcbr0", &err), 0);
}

static void test_errors(void **state) {
        VbError err = { 0 };
        const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 1 };
        TcRate r = { .rate = 1000 };
        assert_int_equal(tc_tree_shape("nosuch0", &r, &err), -1);
        assert_string_equal(err.message, "no network interface named 'nosuch0'");
        vb_error_clear(&err);
        assert_int_equal(tc_tree_unplug_others("nosuch0", NULL, 0, &err), -1);
        assert_string_equal(err.message, "no network interface named 'nosuch0'");
        vb_error_clear(&err);
        assert_int_equal(tc_tree_plug("lo", 2, mac, &r, &err), -1);
        assert_string_equal(err.message, "operation failed: class id 2 out of range (3 to 199)");
        vb_error_clear(&err);
        /* a floor class needs the tree: lo has none */
        assert_int_equal(tc_tree_plug("lo", 3, mac, &r, &err), -1);
        assert_non_null(strstr(err.message, "cannot guarantee a NIC's floor of 'lo'"));
        vb_error_clear(&err);
}

int main(void) {
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "test-tc-tree: unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tree_and_floors),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
