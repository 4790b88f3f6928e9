/* test-log.c: log filters, output parsing, the file output's format and mode, level gating. */
#include "test-util.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define LOG_MODULE "testmod"
#include "log.h"

typedef struct Fixture {
        char *dir;
        char *file;             /* dir/log */
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_non_null(f);
        f->dir = tu_mkdtemp();
        assert_non_null(f->dir);
        f->file = tu_path(f->dir, "log");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        log_force_debug(false);
        log_close();
        free(f->file);
        tu_rm_rf(f->dir);
        free(f);
        return 0;
}

/* "1:file:PATH" and friends for f's log file. */
static char *file_output(const Fixture *f, int level) {
        char *s;
        assert_true(asprintf(&s, "%d:file:%s", level, f->file) > 0);
        return s;
}

static void setup_ok(int level, const char *filters, const char *outputs) {
        char err[256] = "";
        int r = log_setup(level, filters, outputs, err, sizeof err);
        if (r < 0)
                fail_msg("log_setup: %s", err);
}

static void test_defaults(void **state) {
        assert_false(log_enabled("core", LOG_LEVEL_INFO));
        assert_true(log_enabled("core", LOG_LEVEL_WARNING));
        assert_true(log_enabled("core", LOG_LEVEL_ERROR));
}

static void test_level_gating(void **state) {
        setup_ok(2, NULL, NULL);
        assert_false(log_enabled("core", LOG_LEVEL_DEBUG));
        assert_true(log_enabled("core", LOG_LEVEL_INFO));
        setup_ok(4, NULL, NULL);
        assert_false(log_enabled("core", LOG_LEVEL_WARNING));
        assert_true(log_enabled("core", LOG_LEVEL_ERROR));
}

static void test_filters_prefix(void **state) {
        setup_ok(3, "1:qemu 4:remote", NULL);
        assert_true(log_enabled("qemu", LOG_LEVEL_DEBUG));
        assert_true(log_enabled("qemu.monitor", LOG_LEVEL_DEBUG));
        assert_false(log_enabled("qem", LOG_LEVEL_DEBUG));
        assert_false(log_enabled("remote", LOG_LEVEL_WARNING));
        assert_true(log_enabled("remote", LOG_LEVEL_ERROR));
        assert_false(log_enabled("core", LOG_LEVEL_INFO));
        assert_true(log_enabled("core", LOG_LEVEL_WARNING));
}

static void test_filters_first_match_wins(void **state) {
        setup_ok(3, "1:qemu.monitor 4:qemu", NULL);
        assert_true(log_enabled("qemu.monitor", LOG_LEVEL_DEBUG));
        assert_false(log_enabled("qemu.process", LOG_LEVEL_WARNING));
        setup_ok(3, "4:qemu 1:qemu.monitor", NULL);
        assert_false(log_enabled("qemu.monitor", LOG_LEVEL_DEBUG));
}

static void test_filters_plus_and_glob(void **state) {
        setup_ok(4, "1:+qemu", NULL);
        assert_true(log_enabled("qemu", LOG_LEVEL_DEBUG));
        setup_ok(4, "3:remote 1:*", NULL);
        assert_true(log_enabled("anything", LOG_LEVEL_DEBUG));
        assert_false(log_enabled("remote", LOG_LEVEL_INFO));
        /* Extra spaces, tabs and newlines between tokens are fine. */
        setup_ok(4, "  2:bus\t\n 1:qemu  ", NULL);
        assert_true(log_enabled("bus", LOG_LEVEL_INFO));
        assert_true(log_enabled("qemu", LOG_LEVEL_DEBUG));
}

static void test_outputs_gate_levels(void **state) {
        /* The filter lets qemu's debug through, but no output takes debug messages. */
        setup_ok(3, "1:qemu", "2:stderr");
        assert_false(log_enabled("qemu", LOG_LEVEL_DEBUG));
        assert_true(log_enabled("qemu", LOG_LEVEL_INFO));
        setup_ok(3, "1:qemu", "2:stderr 1:journald");
        assert_true(log_enabled("qemu", LOG_LEVEL_DEBUG));
        assert_false(log_enabled("core", LOG_LEVEL_INFO));
}

static void expect_setup_error(int level, const char *filters, const char *outputs, int code,
                               const char *needle) {
        char err[256] = "";
        assert_int_equal(log_setup(level, filters, outputs, err, sizeof err), code);
        if (!strstr(err, needle))
                fail_msg("message '%s' does not name '%s'", err, needle);
}

static void test_setup_errors(void **state) {
        expect_setup_error(0, NULL, NULL, -EINVAL, "log_level 0");
        expect_setup_error(5, NULL, NULL, -EINVAL, "log_level 5");
        expect_setup_error(3, "3:remote 5:qemu", NULL, -EINVAL, "'5:qemu'");
        expect_setup_error(3, "x:qemu", NULL, -EINVAL, "'x:qemu'");
        expect_setup_error(3, "3qemu", NULL, -EINVAL, "'3qemu'");
        expect_setup_error(3, "3:", NULL, -EINVAL, "'3:'");
        expect_setup_error(3, "3:+", NULL, -EINVAL, "'3:+'");
        expect_setup_error(3, "12:qemu", NULL, -EINVAL, "'12:qemu'");
        expect_setup_error(3, NULL, "3:nowhere", -EINVAL, "'3:nowhere'");
        expect_setup_error(3, NULL, "1:stderr stderr", -EINVAL, "'stderr'");
        expect_setup_error(3, NULL, "9:stderr", -EINVAL, "'9:stderr'");
        expect_setup_error(3, NULL, "3:file", -EINVAL, "'3:file'");
        expect_setup_error(3, NULL, "3:file:relative/log", -EINVAL, "'3:file:relative/log'");
        expect_setup_error(3, NULL, "3:stderr:extra", -EINVAL, "'3:stderr:extra'");
        expect_setup_error(3, NULL, "3:syslog", -EINVAL, "'3:syslog'");
        expect_setup_error(3, NULL, "3:file:/nonexistent-dir/x/log", -ENOENT, "/nonexistent-dir/x/log");
        /* errbuf may be absent. */
        assert_int_equal(log_setup(3, "bad", NULL, NULL, 0), -EINVAL);
}

static void test_journald_outputs_parse(void **state) {
        setup_ok(3, NULL, "2:journald");
        assert_true(log_enabled("core", LOG_LEVEL_WARNING));
        setup_ok(3, NULL, "3:syslog:virtbusd");
}

static void test_bad_setup_keeps_previous(void **state) {
        Fixture *f = *state;
        char *out = file_output(f, 1);
        setup_ok(2, "1:qemu", out);
        expect_setup_error(4, "4:qemu", "1:stderr 3:bogus", -EINVAL, "'3:bogus'");
        expect_setup_error(4, "0:qemu", out, -EINVAL, "'0:qemu'");
        assert_true(log_enabled("qemu", LOG_LEVEL_DEBUG));
        assert_true(log_enabled("core", LOG_LEVEL_INFO));
        log_info("still here");
        char *text = tu_read_file(f->file);
        assert_non_null(text);
        assert_non_null(strstr(text, "still here"));
        free(text);
        free(out);
}

static void test_file_output_format_and_mode(void **state) {
        Fixture *f = *state;
        char *out = file_output(f, 1);
        mode_t old = umask(022);
        setup_ok(1, NULL, out);
        umask(old);

        log_info("hello %d", 42); int line = __LINE__;
        log_debug("with newline\n");

        struct stat st;
        assert_int_equal(stat(f->file, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);

        char *text = tu_read_file(f->file), *expect;
        assert_non_null(text);
        assert_true(asprintf(&expect,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\+0000: "
                             "%ld: info : testmod: test-log\\.c:%d : hello 42\n"
                             "[^\n]*: %ld: debug : testmod: test-log\\.c:%d : with newline\n$",
                             (long) getpid(), line, (long) getpid(), line + 1) > 0);
        regex_t re;
        assert_int_equal(regcomp(&re, expect, REG_EXTENDED | REG_NOSUB), 0);
        if (regexec(&re, text, 0, NULL, 0) != 0)
                fail_msg("log file:\n%s\ndoes not match\n%s", text, expect);
        regfree(&re);
        free(expect);
        free(text);
        free(out);
}

static void test_file_output_appends(void **state) {
        Fixture *f = *state;
        char *out = file_output(f, 3);
        assert_int_equal(tu_write_file(f->file, "earlier line\n", 13), 0);
        setup_ok(3, NULL, out);
        log_error("later line");
        char *text = tu_read_file(f->file);
        assert_non_null(text);
        assert_memory_equal(text, "earlier line\n", 13);
        assert_non_null(strstr(text + 13, ": error : testmod: "));
        assert_non_null(strstr(text + 13, " : later line\n"));
        free(text);
        free(out);
}

static void test_several_outputs(void **state) {
        Fixture *f = *state;
        char *a = tu_path(f->dir, "a"), *b = tu_path(f->dir, "b"), *outs;
        assert_true(asprintf(&outs, "2:file:%s 4:file:%s", a, b) > 0);
        setup_ok(2, NULL, outs);
        log_info("info line");
        log_error("error line");
        char *ta = tu_read_file(a), *tb = tu_read_file(b);
        assert_non_null(ta);
        assert_non_null(tb);
        assert_non_null(strstr(ta, "info line"));
        assert_non_null(strstr(ta, "error line"));
        assert_null(strstr(tb, "info line"));
        assert_non_null(strstr(tb, "error line"));
        free(ta);
        free(tb);
        free(outs);
        free(a);
        free(b);
}

static void test_force_debug(void **state) {
        Fixture *f = *state;
        char *out = file_output(f, 4);
        setup_ok(4, "4:testmod", out);
        assert_false(log_enabled("testmod", LOG_LEVEL_DEBUG));
        log_force_debug(true);
        assert_true(log_enabled("testmod", LOG_LEVEL_DEBUG));
        log_debug("verbose line");
        log_force_debug(false);
        assert_false(log_enabled("testmod", LOG_LEVEL_DEBUG));
        log_debug("quiet line");
        char *text = tu_read_file(f->file);
        assert_non_null(strstr(text, "verbose line"));
        assert_null(strstr(text, "quiet line"));
        free(text);
        free(out);
}

static void test_long_message_and_errno(void **state) {
        Fixture *f = *state;
        char *out = file_output(f, 1);
        setup_ok(1, NULL, out);
        char big[5000];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        errno = EBUSY;
        log_info("<%s>", big);
        assert_int_equal(errno, EBUSY);
        char *text = tu_read_file(f->file);
        char *open = strchr(text, '<');
        assert_non_null(open);
        assert_int_equal(strlen(open), sizeof big + 2);         /* '<', 4999 x, '>', '\n' */
        assert_string_equal(open + sizeof big, ">\n");
        free(text);
        free(out);
}

/* With no outputs configured, messages go to stderr. */
static void test_default_stderr(void **state) {
        Fixture *f = *state;
        int fd = open(f->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        setup_ok(3, NULL, "  ");
        log_warning("to stderr");
        log_info("not shown");
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(fd);
        char *text = tu_read_file(f->file);
        assert_non_null(strstr(text, ": warning : testmod: test-log.c:"));
        assert_null(strstr(text, "not shown"));
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_level_gating, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters_prefix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters_first_match_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters_plus_and_glob, setup, teardown),
                cmocka_unit_test_setup_teardown(test_outputs_gate_levels, setup, teardown),
                cmocka_unit_test_setup_teardown(test_setup_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_journald_outputs_parse, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_setup_keeps_previous, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_output_format_and_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_output_appends, setup, teardown),
                cmocka_unit_test_setup_teardown(test_several_outputs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_force_debug, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_message_and_errno, setup, teardown),
                cmocka_unit_test_setup_teardown(test_default_stderr, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
