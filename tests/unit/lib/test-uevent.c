/* test-uevent.c: lib/uevent.c's parsing of kernel uevent datagrams: the fields kept, and what is not a kernel uevent refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "uevent.h"

/* A datagram as the kernel sends it: "ACTION@DEVPATH\0KEY=VALUE\0…" (no final NUL needed). */
static size_t datagram(char *buf, const char *const *parts, size_t n) {
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(parts[i]) + 1;
                memcpy(buf + len, parts[i], l);
                len += l;
        }
        return len;
}

static void test_net_add(void **state) {
        const char *parts[] = { "add@/devices/virtual/net/veth0", "ACTION=add", "DEVPATH=/devices/virtual/net/veth0",
                                "SUBSYSTEM=net", "INTERFACE=veth0", "IFINDEX=7", "SEQNUM=4242" };
        char buf[8192];
        Uevent ev;
        assert_int_equal(uevent_parse(buf, datagram(buf, parts, 7), &ev), 0);
        assert_string_equal(ev.action, "add");
        assert_string_equal(ev.devpath, "/devices/virtual/net/veth0");
        assert_string_equal(ev.subsystem, "net");
        assert_string_equal(ev.interface, "veth0");
}

static void test_missing_fields_empty(void **state) {
        const char *parts[] = { "remove@/devices/pci0000:00/0000:00:03.0", "ACTION=remove",
                                "DEVPATH=/devices/pci0000:00/0000:00:03.0" };
        char buf[8192];
        Uevent ev;
        assert_int_equal(uevent_parse(buf, datagram(buf, parts, 3), &ev), 0);
        assert_string_equal(ev.action, "remove");
        assert_string_equal(ev.subsystem, "");
        assert_string_equal(ev.interface, "");
}

static void test_not_uevents(void **state) {
        char buf[8192];
        Uevent ev;
        /* libudev's own broadcasts start with "libudev\0" and a binary header */
        const char *udev[] = { "libudev", "\xfe\xed\xca\xfe" };
        assert_int_equal(uevent_parse(buf, datagram(buf, udev, 2), &ev), -EINVAL);
        /* a header with no ACTION= / DEVPATH= */
        const char *bare[] = { "add@/devices/x", "SUBSYSTEM=net" };
        assert_int_equal(uevent_parse(buf, datagram(buf, bare, 2), &ev), -EINVAL);
        assert_int_equal(uevent_parse(buf, 0, &ev), -EINVAL);
        /* no room for the terminating NUL the parser adds */
        memset(buf, 'a', sizeof buf);
        assert_int_equal(uevent_parse(buf, sizeof buf, &ev), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_net_add),
                cmocka_unit_test(test_missing_fields_empty),
                cmocka_unit_test(test_not_uevents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
