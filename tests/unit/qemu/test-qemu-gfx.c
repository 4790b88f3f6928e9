/* test-qemu-gfx.c: the display port allocator, the keycode translation of send-key, and the VNC websocket and password options on the command line. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "qemu-keycodes.h"
#include "qemu-ports.h"
#include "qemu-test.h"

static char **build_xml(const char *xml, QemuTestInput *t, bool kvm, VbError *err, DomainDef **out) {
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, err);
        assert_non_null(def);
        qt_input(t, def, kvm);
        *out = def;
        return qemu_command_build(&t->in, err);
}

static bool argv_has(char **argv, const char *opt, const char *value) {
        for (size_t i = 0; argv[i] && argv[i + 1]; i++)
                if (strcmp(argv[i], opt) == 0 && strcmp(argv[i + 1], value) == 0)
                        return true;
        return false;
}

static int listen_on(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* A range of n ports nobody listens on, or 0. */
static int free_base(int n) {
        for (int base = 31000; base < 60000; base += 97) {
                QemuPorts p = { 0 };
                bool ok = true;
                for (int i = 0; i < n && ok; i++)
                        ok = qemu_ports_acquire(&p, base + i, base + i) == base + i;
                if (ok)
                        return base;
        }
        return 0;
}

static void test_ports(void **state) {
        (void) state;
        int base = free_base(4);
        assert_int_not_equal(base, 0);
        QemuPorts *p = calloc(1, sizeof *p);
        assert_non_null(p);
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), base);
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), base + 1);     /* reserved: skipped */
        /* a port another program listens on is skipped too */
        int fd = listen_on(base + 2);
        assert_true(fd >= 0);
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), base + 3);
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), -1);           /* range exhausted */
        close(fd);
        qemu_ports_release(p, base);
        assert_false(qemu_ports_reserved(p, base));
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), base);         /* given back */
        qemu_ports_hold(p, base + 2);                                          /* a restart's */
        assert_true(qemu_ports_reserved(p, base + 2));
        assert_int_equal(qemu_ports_acquire(p, base, base + 3), -1);
        qemu_ports_release(p, 0);                                              /* no effect */
        qemu_ports_release(p, 70000);
        free(p);
}

static void test_keycodes(void **state) {
        (void) state;
        assert_int_equal(qemu_key_to_qnum(0, 30), 0x1e);        /* linux KEY_A */
        assert_int_equal(qemu_key_to_qnum(0, 103), 0xc8);       /* linux KEY_UP */
        assert_int_equal(qemu_key_to_qnum(0, 88), 0x58);        /* linux KEY_F12 */
        assert_int_equal(qemu_key_to_qnum(0, 999), -1);
        assert_int_equal(qemu_key_to_qnum(1, 0x1e), 0x1e);      /* xt */
        assert_int_equal(qemu_key_to_qnum(1, 0x1e0), -1);
        assert_int_equal(qemu_key_to_qnum(2, 0xe048), 0xc8);    /* atset1 E0 48: up */
        assert_int_equal(qemu_key_to_qnum(9, 0x9d), 0x9d);      /* qnum */
        assert_int_equal(qemu_key_to_qnum(9, 0x100), -1);
        assert_int_equal(qemu_key_to_qnum(7, 4), -1);           /* usb: not translated */
        assert_string_equal(qemu_keycode_set_name(1), "xt");
        assert_string_equal(qemu_keycode_set_name(42), "unknown");
}

static void test_websocket_and_password(void **state) {
        (void) state;
        const char *xml = "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>"
                          "<devices><graphics type='vnc' autoport='yes' websocket='-1' passwd='x'/></devices></domain>";
        QemuTestInput t;
        DomainDef *def;
        VbError err = { 0 };
        char **argv = build_xml(xml, &t, false, &err, &def);
        assert_null(argv);      /* no websocket port chosen */
        assert_string_equal(err.message, "internal error: no port was chosen for the automatic VNC websocket");
        vb_error_clear(&err);
        t.in.vnc_port = 5903;
        t.in.websocket_port = 5701;
        argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        assert_true(argv_has(argv, "-vnc", "127.0.0.1:3,websocket=5701,password=on"));
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ports),
                cmocka_unit_test(test_keycodes),
                cmocka_unit_test(test_websocket_and_password),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
