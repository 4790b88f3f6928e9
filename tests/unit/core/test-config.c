/* test-config.c: virtbusd.conf parsing: values, lists, comments, every error with its file:line. */
#include "test-util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"
#include "log.h"

/* A table with one key of each type, standing in for keys Config does not have yet. */
typedef struct TestConf {
        int number;
        bool flag;
        char *text;
        char **names;
} TestConf;

static const ConfigKey test_keys[] = {
        CONFIG_KEY_INT(TestConf, number, -10, 10),
        CONFIG_KEY_BOOL(TestConf, flag),
        CONFIG_KEY_STRING(TestConf, text),
        CONFIG_KEY_STRING_LIST(TestConf, names),
};
#define N_TEST_KEYS (sizeof test_keys / sizeof test_keys[0])

static int parse_test(TestConf *t, const char *text, char *err, size_t errlen) {
        return config_parse_table(test_keys, N_TEST_KEYS, t, "t.conf", text, strlen(text), err, errlen);
}

static int parse(Config *c, const char *text, char *err, size_t errlen) {
        return config_parse(c, "t.conf", text, strlen(text), err, errlen);
}

static void test_good_file(void **state) {
        const char *text =
                "# virtbusd.conf\n"
                "\n"
                "log_level = 1   # debug\n"
                "   log_filters=\"1:qemu # not a comment\"\n"
                "log_outputs = '3:file:/var/log/x \"quoted\"'\n"
                "\t# indented comment\n";
        Config c;
        config_init(&c);
        assert_int_equal(c.log_level, 3);
        assert_null(c.log_filters);
        assert_null(c.log_outputs);
        char err[256] = "";
        assert_int_equal(parse(&c, text, err, sizeof err), 0);
        assert_int_equal(c.log_level, 1);
        assert_string_equal(c.log_filters, "1:qemu # not a comment");
        assert_string_equal(c.log_outputs, "3:file:/var/log/x \"quoted\"");
        config_done(&c);
}

static void test_empty_and_odd_whitespace(void **state) {
        Config c;
        config_init(&c);
        char err[256] = "";
        assert_int_equal(parse(&c, "", err, sizeof err), 0);
        assert_int_equal(c.log_level, 3);
        /* CRLF endings, no final newline, a later line winning over an earlier one. */
        assert_int_equal(parse(&c, "log_level = 2\r\nlog_filters = \"a\"\r\nlog_filters = \"b\"\r\nlog_level=4", err,
                               sizeof err), 0);
        assert_int_equal(c.log_level, 4);
        assert_string_equal(c.log_filters, "b");
        config_done(&c);
}

static void test_types_through_table(void **state) {
        TestConf t = { 0 };
        char err[256] = "";
        int r = parse_test(&t,
                           "number = -7\n"
                           "flag = 1\n"
                           "text = 'single'\n"
                           "names = [ \"a\", 'b' ]\n",
                           err, sizeof err);
        if (r < 0)
                fail_msg("%s", err);
        assert_int_equal(t.number, -7);
        assert_true(t.flag);
        assert_string_equal(t.text, "single");
        assert_non_null(t.names);
        assert_string_equal(t.names[0], "a");
        assert_string_equal(t.names[1], "b");
        assert_null(t.names[2]);
        assert_int_equal(parse_test(&t, "flag = 0\nnumber = +10\nnames = []\n", err, sizeof err), 0);
        assert_false(t.flag);
        assert_int_equal(t.number, 10);
        assert_null(t.names[0]);
        config_free_table(test_keys, N_TEST_KEYS, &t);
        assert_null(t.text);
        assert_null(t.names);
}

static void test_multiline_list(void **state) {
        TestConf t = { 0 };
        char err[256] = "";
        int r = parse_test(&t,
                           "names = [\n"
                           "    \"one\",   # first\n"
                           "\n"
                           "    # a comment line inside\n"
                           "    \"two, with comma\",\n"
                           "    'three # not a comment',\n"
                           "]  # trailing comma allowed\n"
                           "number = 3\n",
                           err, sizeof err);
        if (r < 0)
                fail_msg("%s", err);
        assert_string_equal(t.names[0], "one");
        assert_string_equal(t.names[1], "two, with comma");
        assert_string_equal(t.names[2], "three # not a comment");
        assert_null(t.names[3]);
        assert_int_equal(t.number, 3);
        config_free_table(test_keys, N_TEST_KEYS, &t);
}

static void expect_config_error(const char *text, const char *message) {
        Config c;
        config_init(&c);
        char err[256] = "";
        assert_int_equal(parse(&c, text, err, sizeof err), -EINVAL);
        assert_string_equal(err, message);
        config_done(&c);
}

static void expect_table_error(const char *text, const char *message) {
        TestConf t = { 0 };
        char err[256] = "";
        assert_int_equal(parse_test(&t, text, err, sizeof err), -EINVAL);
        assert_string_equal(err, message);
        config_free_table(test_keys, N_TEST_KEYS, &t);
}

static void test_wrong_type_and_range(void **state) {
        expect_config_error("# comment\n\nlog_level = \"debug\"\n", "t.conf:3: log_level: expected an integer");
        expect_config_error("log_level = 7\n", "t.conf:1: log_level: must be between 1 and 4");
        expect_config_error("log_level = 0\n", "t.conf:1: log_level: must be between 1 and 4");
        expect_config_error("log_level = [ \"1\" ]\n", "t.conf:1: log_level: expected an integer");
        expect_config_error("\nlog_filters = 3\n", "t.conf:2: log_filters: expected a string");
        expect_config_error("log_outputs = [\n\"a\"\n]\n", "t.conf:1: log_outputs: expected a string");
        expect_table_error("number = -11\n", "t.conf:1: number: must be between -10 and 10");
        expect_table_error("number = 99999999999999999999\n", "t.conf:1: integer out of range");
        expect_table_error("flag = 2\n", "t.conf:1: flag: expected 0 or 1");
        expect_table_error("flag = \"yes\"\n", "t.conf:1: flag: expected 0 or 1");
        expect_table_error("names = \"a\"\n", "t.conf:1: names: expected a list of strings");
}

static void test_malformed(void **state) {
        expect_config_error("log_level 3\n", "t.conf:1: expected '=' after 'log_level', found '3'");
        expect_config_error("log_level\n", "t.conf:1: expected '=' after 'log_level', found end of line");
        expect_config_error("log_level =\n", "t.conf:1: expected a value after '='");
        expect_config_error("log_level =", "t.conf:1: expected a value after '='");
        expect_config_error("log_level = # nothing\n", "t.conf:1: expected a value after '='");
        expect_config_error("log_level = debug\n",
                            "t.conf:1: expected a value (a \"string\", an integer or a [ list ]), found 'd'");
        expect_config_error("\n\nlog_filters = \"abc\n", "t.conf:3: unterminated string (missing closing \")");
        expect_config_error("log_filters = 'abc", "t.conf:1: unterminated string (missing closing ')");
        expect_config_error("log_level = 3 4\n",
                            "t.conf:1: expected the end of the line after the value of 'log_level', found '4'");
        expect_config_error("log_level = 3x\n",
                            "t.conf:1: expected the end of the line after the value of 'log_level', found 'x'");
        expect_config_error("log_filters = \"a\" \"b\"\n",
                            "t.conf:1: expected the end of the line after the value of 'log_filters', found '\"'");
        expect_config_error("3 = 4\n", "t.conf:1: expected a key name, found '3'");
        expect_config_error("= 4\n", "t.conf:1: expected a key name, found '='");
        expect_config_error("log_level = -\n", "t.conf:1: expected digits after '-'");
        expect_table_error("\nnames = [ \"a\",\n  \"b\"\n", "t.conf:2: unterminated list (missing ']')");
        expect_table_error("names = [ \"a\" \"b\" ]\n", "t.conf:1: expected ',' or ']' in the list, found '\"'");
        expect_table_error("names = [\n  \"a\",\n  3\n]\n", "t.conf:3: expected a string or ']' in the list, found '3'");
        expect_table_error("names = [ , ]\n", "t.conf:1: expected a string or ']' in the list, found ','");
        expect_table_error("names = [ \"a\" ] x\n",
                           "t.conf:1: expected the end of the line after the value of 'names', found 'x'");
}

static void test_nul_byte(void **state) {
        static const char text[] = "text = \"a\0b\"\n";
        TestConf t = { 0 };
        char err[256] = "";
        assert_int_equal(config_parse_table(test_keys, N_TEST_KEYS, &t, "t.conf", text, sizeof text - 1, err,
                                            sizeof err), -EINVAL);
        assert_string_equal(err, "t.conf:1: NUL byte in a string");
}

static void test_state_unchanged_on_error(void **state) {
        Config c;
        config_init(&c);
        char err[256] = "";
        assert_int_equal(parse(&c, "log_level = 2\nlog_filters = \"1:qemu\"\n", err, sizeof err), 0);
        char *filters = c.log_filters;
        assert_int_equal(parse(&c, "log_level = 4\nlog_filters = \"3:x\"\nlog_outputs = 9\n", err, sizeof err),
                         -EINVAL);
        assert_string_equal(err, "t.conf:3: log_outputs: expected a string");
        assert_int_equal(c.log_level, 2);
        assert_ptr_equal(c.log_filters, filters);
        assert_string_equal(c.log_filters, "1:qemu");
        assert_null(c.log_outputs);
        /* A good parse replaces everything: keys it does not mention return to their defaults. */
        assert_int_equal(parse(&c, "log_outputs = \"1:stderr\"\n", err, sizeof err), 0);
        assert_int_equal(c.log_level, 3);
        assert_null(c.log_filters);
        assert_string_equal(c.log_outputs, "1:stderr");
        config_done(&c);
}

static void test_unknown_key_warns(void **state) {
        char *dir = tu_mkdtemp(), *logfile = tu_path(dir, "log"), *outputs, err[256] = "";
        assert_true(asprintf(&outputs, "3:file:%s", logfile) > 0);
        assert_int_equal(log_setup(3, NULL, outputs, err, sizeof err), 0);
        Config c;
        config_init(&c);
        assert_int_equal(parse(&c, "log_level = 2\nfoo = [ \"x\",\n \"y\" ]\nbar = 1\nlog_level = 1\n", err,
                               sizeof err), 0);
        assert_int_equal(c.log_level, 1);
        config_done(&c);
        log_close();
        char *text = tu_read_file(logfile);
        assert_non_null(text);
        assert_non_null(strstr(text, ": warning : config: "));
        assert_non_null(strstr(text, " : t.conf:2: unknown key 'foo'\n"));
        assert_non_null(strstr(text, " : t.conf:4: unknown key 'bar'\n"));
        free(text);
        free(outputs);
        free(logfile);
        tu_rm_rf(dir);
}

static void test_load_file(void **state) {
        char *dir = tu_mkdtemp(), *path = tu_path(dir, "virtbusd.conf"), err[512] = "";
        const char *text = "log_level = 2\nlog_outputs = \"2:stderr\"\n";
        assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
        Config c;
        config_init(&c);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), 0);
        assert_int_equal(c.log_level, 2);
        assert_string_equal(c.log_outputs, "2:stderr");

        /* Errors name the file by its path. */
        text = "log_level = 2\n\nlog_level = 5\n";
        assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), -EINVAL);
        char *expect;
        assert_true(asprintf(&expect, "%s:3: log_level: must be between 1 and 4", path) > 0);
        assert_string_equal(err, expect);
        free(expect);
        assert_string_equal(c.log_outputs, "2:stderr");

        /* A missing file: an error unless optional, when the defaults stand. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), -ENOENT);
        assert_non_null(strstr(err, path));
        assert_string_equal(c.log_outputs, "2:stderr");
        assert_int_equal(config_load(&c, path, true, err, sizeof err), 0);
        assert_int_equal(c.log_level, 3);
        assert_null(c.log_outputs);
        config_done(&c);
        free(path);
        tu_rm_rf(dir);
}

static void test_size_limit_and_file_kinds(void **state) {
        char *dir = tu_mkdtemp(), *path = tu_path(dir, "virtbusd.conf"), err[512] = "";
        Config c;
        config_init(&c);

        /* Exactly the limit is fine: one comment line filling the file. */
        char *big = malloc(CONFIG_FILE_MAX + 1);
        assert_non_null(big);
        memset(big, ' ', CONFIG_FILE_MAX + 1);
        big[0] = '#';
        assert_int_equal(tu_write_file(path, big, CONFIG_FILE_MAX), 0);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), 0);
        assert_int_equal(tu_write_file(path, big, CONFIG_FILE_MAX + 1), 0);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), -EFBIG);
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, "too large"));
        free(big);

        /* A huge sparse file is refused from its size alone, before any of it is read. */
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) 1 << 34), 0);
        close(fd);
        assert_int_equal(config_load(&c, path, false, err, sizeof err), -EFBIG);

        /* Not regular files: a directory, a FIFO (which must not block). */
        assert_int_equal(config_load(&c, dir, false, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "not a regular file"));
        char *fifo = tu_path(dir, "fifo");
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(config_load(&c, fifo, false, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, fifo));
        assert_int_equal(c.log_level, 3);
        config_done(&c);
        free(fifo);
        free(path);
        tu_rm_rf(dir);
}

static void test_errbuf_optional(void **state) {
        Config c;
        config_init(&c);
        assert_int_equal(parse(&c, "log_level = x\n", NULL, 0), -EINVAL);
        char tiny[8];
        assert_int_equal(parse(&c, "log_level = x\n", tiny, sizeof tiny), -EINVAL);
        assert_string_equal(tiny, "t.conf:");
        config_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_file),
                cmocka_unit_test(test_empty_and_odd_whitespace),
                cmocka_unit_test(test_types_through_table),
                cmocka_unit_test(test_multiline_list),
                cmocka_unit_test(test_wrong_type_and_range),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_nul_byte),
                cmocka_unit_test(test_state_unchanged_on_error),
                cmocka_unit_test(test_unknown_key_warns),
                cmocka_unit_test(test_load_file),
                cmocka_unit_test(test_size_limit_and_file_kinds),
                cmocka_unit_test(test_errbuf_optional),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
