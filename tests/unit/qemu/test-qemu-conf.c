/* test-qemu-conf.c: qemu.conf: defaults, every key, warnings for unknown keys, errors with file:line. */
#include "qemu-test.h"

#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "../core/test-util.h"

static int parse(QemuConfig *c, const char *text, char *err, size_t errlen) {
        return qemu_conf_parse(c, "qemu.conf", text, strlen(text), err, errlen);
}

static void test_defaults(void **state) {
        QemuConfig c;
        assert_int_equal(qemu_conf_init(&c), 0);
        assert_null(c.user);            /* the connection's default: virtbus-qemu or the daemon's user */
        assert_null(c.group);
        assert_true(c.dynamic_ownership);
        assert_true(c.remember_owner);
        assert_true(c.seccomp_sandbox);
        assert_string_equal(c.vnc_listen, "127.0.0.1");
        assert_string_equal(c.spice_listen, "127.0.0.1");
        assert_int_equal(c.remote_display_port_min, 5900);
        assert_int_equal(c.remote_display_port_max, 65535);
        assert_string_equal(c.emulator, "/usr/bin/qemu-system-x86_64");
        assert_string_equal(c.machine_type, "pc");
        qemu_conf_done(&c);
        qemu_conf_done(&c);        /* twice is harmless */
}

static void test_every_key(void **state) {
        const char *text =
                "# qemu.conf\n"
                "user = \"root\"\n"
                "group = \"+0\"\n"
                "vnc_listen = \"0.0.0.0\"\n"
                "spice_listen = \"::\"\n"
                "remote_display_port_min = 5910\n"
                "remote_display_port_max = 5999   # a small range\n"
                "emulator = \"/usr/local/bin/qemu-system-x86_64\"\n"
                "machine_type = \"pc-q35-7.2\"\n"
                "dynamic_ownership = 0\n"
                "remember_owner = 0\n"
                "seccomp_sandbox = 0\n";
        QemuConfig c;
        assert_int_equal(qemu_conf_init(&c), 0);
        char err[256] = "";
        assert_int_equal(parse(&c, text, err, sizeof err), 0);
        assert_string_equal(c.user, "root");
        assert_string_equal(c.group, "+0");
        assert_string_equal(c.vnc_listen, "0.0.0.0");
        assert_string_equal(c.spice_listen, "::");
        assert_int_equal(c.remote_display_port_min, 5910);
        assert_int_equal(c.remote_display_port_max, 5999);
        assert_string_equal(c.emulator, "/usr/local/bin/qemu-system-x86_64");
        assert_string_equal(c.machine_type, "pc-q35-7.2");
        assert_false(c.dynamic_ownership);
        assert_false(c.remember_owner);
        assert_false(c.seccomp_sandbox);
        /* A later parse starts again from the defaults. */
        assert_int_equal(parse(&c, "user = \"+0\"\n", err, sizeof err), 0);
        assert_string_equal(c.user, "+0");
        assert_string_equal(c.machine_type, "pc");
        qemu_conf_done(&c);
}

/* libvirt's security_driver: a string or a list; unset, the host decides (qemu-security.c). */
static void test_security_driver(void **state) {
        QemuConfig c;
        char err[256] = "";
        assert_int_equal(qemu_conf_init(&c), 0);
        assert_null(c.security_driver);
        assert_int_equal(parse(&c, "security_driver = \"none\"\n", err, sizeof err), 0);
        assert_non_null(c.security_driver);
        assert_string_equal(c.security_driver[0], "none");
        assert_null(c.security_driver[1]);
        assert_int_equal(parse(&c, "security_driver = [ \"apparmor\", \"dac\" ]\n", err, sizeof err), 0);
        assert_string_equal(c.security_driver[0], "apparmor");
        assert_string_equal(c.security_driver[1], "dac");
        assert_null(c.security_driver[2]);
        qemu_conf_done(&c);
}

/* libvirt's qemu.conf as shipped is mostly comments, and has keys virtbus does not know. */
static void test_unknown_keys_warn(void **state) {
        const char *text =
                "#vnc_listen = \"0.0.0.0\"\n"
                "clear_emulator_capabilities = 0\n"
                "cgroup_device_acl = [ \"/dev/null\", \"/dev/full\" ]\n"
                "vnc_auto_unix_socket = 1\n"
                "user = \"+0\"\n";
        char *dir = tu_mkdtemp(), *logfile = tu_path(dir, "log"), *outputs, err[256] = "";
        assert_true(asprintf(&outputs, "3:file:%s", logfile) > 0);
        assert_int_equal(log_setup(3, NULL, outputs, err, sizeof err), 0);
        QemuConfig c;
        assert_int_equal(qemu_conf_init(&c), 0);
        assert_int_equal(parse(&c, text, err, sizeof err), 0);
        assert_string_equal(c.user, "+0");
        qemu_conf_done(&c);
        log_close();
        char *log = tu_read_file(logfile);
        assert_non_null(log);
        assert_non_null(strstr(log, " : qemu.conf:2: unknown key 'clear_emulator_capabilities'\n"));
        assert_non_null(strstr(log, " : qemu.conf:3: unknown key 'cgroup_device_acl'\n"));
        assert_non_null(strstr(log, " : qemu.conf:4: unknown key 'vnc_auto_unix_socket'\n"));
        assert_null(strstr(log, "'vnc_listen'"));
        free(log);
        free(outputs);
        free(logfile);
        tu_rm_rf(dir);
}

static void test_errors(void **state) {
        static const struct {
                const char *text, *error;
        } cases[] = {
                { "user = 0\n", "qemu.conf:1: user: expected a string" },
                { "\nuser = \"\"\n", "qemu.conf:2: user: must not be empty" },
                { "emulator = \"qemu-system-x86_64\"\n",
                  "qemu.conf:1: emulator: expected an absolute file name, got \"qemu-system-x86_64\"" },
                { "machine_type = \"pc,accel=kvm\"\n",
                  "qemu.conf:1: machine_type: expected a machine type such as \"pc\" or \"q35\", got \"pc,accel=kvm\"" },
                { "vnc_listen = \"127.0.0.1,password=off\"\n",
                  "qemu.conf:1: vnc_listen: expected an IP address or a host name, got \"127.0.0.1,password=off\"" },
                { "remote_display_port_min = 5000\n", "qemu.conf:1: remote_display_port_min: must be between 5900 and 65535" },
                { "remote_display_port_max = \"6000\"\n", "qemu.conf:1: remote_display_port_max: expected an integer" },
                { "remote_display_port_min = 6000\nremote_display_port_max = 5999\n",
                  "qemu.conf: remote_display_port_min (6000) is greater than remote_display_port_max (5999)" },
                { "user \"qemu\"\n", "qemu.conf:1: expected '=' after 'user', found '\"'" },
                /* A user that does not resolve would fail every start: refused at load. */
                { "# run unprivileged\nuser = \"no-such-user-virbus\"\n",
                  "qemu.conf:2: user: no user named \"no-such-user-virbus\" on this host" },
                { "user = \"root\"\ngroup = \"no-such-group-virbus\"\n",
                  "qemu.conf:2: group: no group named \"no-such-group-virbus\" on this host" },
                { "user = \"+10x\"\n", "qemu.conf:1: user: expected a name or +NUMBER, got \"+10x\"" },
                { "dynamic_ownership = 2\n", "qemu.conf:1: dynamic_ownership: expected 0 or 1" },
                { "security_driver = \"smack\"\n",
                  "qemu.conf:1: security_driver: \"smack\" is not a security driver (selinux, apparmor, dac, none)" },
                { "security_driver = [ \"apparmor\", \"tomoyo\" ]\n",
                  "qemu.conf:1: security_driver: \"tomoyo\" is not a security driver (selinux, apparmor, dac, none)" },
                { "security_driver = 0\n", "qemu.conf:1: security_driver: expected a list of strings" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                QemuConfig c;
                assert_int_equal(qemu_conf_init(&c), 0);
                char err[256] = "";
                assert_int_equal(parse(&c, cases[i].text, err, sizeof err), -EINVAL);
                if (strcmp(err, cases[i].error) != 0)
                        print_error("case %zu: got \"%s\"\n", i, err);
                assert_string_equal(err, cases[i].error);
                /* Refused: the configuration in force is untouched. */
                assert_null(c.user);
                assert_int_equal(c.remote_display_port_min, 5900);
                qemu_conf_done(&c);
        }
}

static void test_load(void **state) {
        char *dir = tu_mkdtemp(), *path = tu_path(dir, "qemu.conf"), err[512] = "";
        assert_non_null(path);
        QemuConfig c;
        assert_int_equal(qemu_conf_init(&c), 0);

        /* Missing: the defaults when optional, an error naming the file when not. */
        free(c.user);
        c.user = strdup("changed");
        assert_int_equal(qemu_conf_load(&c, path, true, err, sizeof err), 0);
        assert_null(c.user);
        assert_int_equal(qemu_conf_load(&c, path, false, err, sizeof err), -ENOENT);
        assert_non_null(strstr(err, path));

        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("machine_type = \"q35\"\nvnc_listen = \"::1\"\n", f);
        fclose(f);
        assert_int_equal(qemu_conf_load(&c, path, false, err, sizeof err), 0);
        assert_string_equal(c.machine_type, "q35");
        assert_string_equal(c.vnc_listen, "::1");

        f = fopen(path, "w");
        assert_non_null(f);
        fputs("# bad\nmachine_type = 35\n", f);
        fclose(f);
        assert_int_equal(qemu_conf_load(&c, path, true, err, sizeof err), -EINVAL);
        char want[1024];
        snprintf(want, sizeof want, "%s:2: machine_type: expected a string", path);
        assert_string_equal(err, want);
        assert_string_equal(c.machine_type, "q35");

        /* A user this host does not know: refused with the file's name and line. */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("vnc_listen = \"::1\"\nuser = \"no-such-user-virbus\"\n", f);
        fclose(f);
        assert_int_equal(qemu_conf_load(&c, path, true, err, sizeof err), -EINVAL);
        snprintf(want, sizeof want, "%s:2: user: no user named \"no-such-user-virbus\" on this host", path);
        assert_string_equal(err, want);
        assert_null(c.user);
        qemu_conf_done(&c);
        free(path);
        tu_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_unknown_keys_warn),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_security_driver),
                cmocka_unit_test(test_load),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
