/* test-persist.c: atomic writes, reads with limits, removal, and loading a directory of objects. */
#include "test-util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log.h"
#include "persist.h"

static int setup(void **state) {
        char *dir = tu_mkdtemp();
        assert_non_null(dir);
        *state = dir;
        /* Refused files are logged as errors; keep the test output to the test's own. */
        assert_int_equal(log_setup(4, NULL, "4:file:/dev/null", NULL, 0), 0);
        return 0;
}

static int teardown(void **state) {
        log_close();
        tu_rm_rf(*state);
        return 0;
}

static void assert_file_is(const char *dir, const char *name, const char *content) {
        char *path = tu_path(dir, name), *text = tu_read_file(path);
        if (!text)
                fail_msg("cannot read %s", path);
        assert_string_equal(text, content);
        free(text);
        free(path);
}

static void test_ensure_dir(void **state) {
        const char *dir = *state;
        char *deep = tu_path(dir, "a/b/c"), *file = tu_path(dir, "file");
        VbError err = { 0 };
        assert_int_equal(persist_ensure_dir(deep, &err), 0);
        struct stat st;
        assert_int_equal(stat(deep, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(persist_ensure_dir(deep, &err), 0);    /* already there */

        assert_int_equal(tu_write_file(file, "x", 1), 0);
        assert_int_equal(persist_ensure_dir(file, &err), -ENOTDIR);
        assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
        assert_non_null(strstr(err.message, file));
        char *below = tu_path(file, "sub");
        assert_true(persist_ensure_dir(below, &err) < 0);
        assert_non_null(strstr(err.message, file));
        free(below);
        free(file);
        free(deep);
}

typedef int (*PersistWriteFn)(const char *, const char *, const char *, size_t, VbError *);

/* write content to dir/name under a umask of 0277: the file is there, mode 0600 whatever the umask. */
static void write_under_umask(PersistWriteFn write, const char *dir, const char *name, const char *content) {
        VbError err = { 0 };
        mode_t old = umask(0277);
        assert_int_equal(write(dir, name, content, strlen(content), &err), 0);
        umask(old);
        char *path = tu_path(dir, name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_file_is(dir, name, content);
        free(path);
}

static void test_write_read_replace(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        write_under_umask(persist_write, dir, "a.xml", "<first/>");

        assert_int_equal(persist_write(dir, "a.xml", "<second/>\n", 10, &err), 0);
        assert_file_is(dir, "a.xml", "<second/>\n");
        assert_int_equal(tu_count_entries(dir), 1);     /* no temporary file left behind */

        char *data = NULL;
        size_t len = 0;
        assert_int_equal(persist_read(dir, "a.xml", 100, &data, &len, &err), 0);
        assert_int_equal(len, 10);
        assert_string_equal(data, "<second/>\n");
        free(data);

        /* An empty file is a file. */
        assert_int_equal(persist_write(dir, "empty.xml", "", 0, &err), 0);
        assert_int_equal(persist_read(dir, "empty.xml", 100, &data, &len, &err), 0);
        assert_int_equal(len, 0);
        assert_string_equal(data, "");
        free(data);
}

static void test_read_limits(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(persist_write(dir, "a.xml", "0123456789", 10, &err), 0);
        assert_int_equal(persist_read(dir, "a.xml", 10, &data, &len, &err), 0);
        free(data);
        assert_int_equal(persist_read(dir, "a.xml", 9, &data, &len, &err), -EFBIG);
        assert_int_equal(err.code, VB_ERR_OPERATION_FAILED);
        assert_non_null(strstr(err.message, "a.xml"));
        assert_non_null(strstr(err.message, "too large"));

        assert_int_equal(persist_read(dir, "missing.xml", 10, &data, &len, &err), -ENOENT);
        assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
        assert_non_null(strstr(err.message, "missing.xml"));
        assert_non_null(strstr(err.message, strerror(ENOENT)));
}

static void test_bad_names(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        assert_int_equal(persist_write(dir, "", "x", 1, &err), -EINVAL);
        assert_int_equal(persist_write(dir, ".hidden.xml", "x", 1, &err), -EINVAL);
        assert_int_equal(persist_write(dir, "../escape.xml", "x", 1, &err), -EINVAL);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        assert_non_null(strstr(err.message, "../escape.xml"));
        assert_int_equal(persist_remove(dir, "a/b", &err), -EINVAL);
        assert_int_equal(tu_count_entries(dir), 0);
}

static void test_write_into_missing_dir(void **state) {
        const char *dir = *state;
        char *missing = tu_path(dir, "no-such-dir");
        VbError err = { 0 };
        assert_int_equal(persist_write(missing, "a.xml", "x", 1, &err), -ENOENT);
        assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
        assert_non_null(strstr(err.message, missing));
        assert_non_null(strstr(err.message, strerror(ENOENT)));
        assert_int_equal(tu_count_entries(dir), 0);
        free(missing);
}

static void test_write_over_directory(void **state) {
        const char *dir = *state;
        char *sub = tu_path(dir, "sub.xml"), *inner = tu_path(sub, "keep");
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(tu_write_file(inner, "kept", 4), 0);
        VbError err = { 0 };
        int r = persist_write(dir, "sub.xml", "new", 3, &err);
        assert_true(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);
        assert_non_null(strstr(err.message, sub));
        assert_int_equal(tu_count_entries(dir), 1);     /* only sub.xml: the temporary file is gone */
        assert_file_is(sub, "keep", "kept");
        free(inner);
        free(sub);
}

/* A write that fails halfway (here: the file size limit) leaves the old content alone. */
/* write 4 KiB to dir/name with a 1 KiB file size limit: what it returns. */
static int write_past_fsize_limit(PersistWriteFn write, const char *dir, const char *name, VbError *err) {
        char big[4096];
        memset(big, 'n', sizeof big);
        struct rlimit saved, small;
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
        small = saved;
        small.rlim_cur = 1024;
        void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
        int r = write(dir, name, big, sizeof big, err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
        signal(SIGXFSZ, old_handler);
        return r;
}

static void test_failed_write_keeps_old(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        assert_int_equal(persist_write(dir, "a.xml", "<old/>", 6, &err), 0);

        int r = write_past_fsize_limit(persist_write, dir, "a.xml", &err);
        assert_int_equal(r, -EFBIG);
        assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
        assert_non_null(strstr(err.message, "/.a.xml."));
        assert_file_is(dir, "a.xml", "<old/>");
        assert_int_equal(tu_count_entries(dir), 1);
}

/* The runtime variant (no fsync) keeps every other promise: 0600, atomic replacement, no
 * temporary file left, the old file kept when the write fails, names checked. */
static void test_write_runtime(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        write_under_umask(persist_write_runtime, dir, "s.xml", "<one/>");
        assert_int_equal(persist_write_runtime(dir, "s.xml", "<two/>\n", 7, &err), 0);
        assert_file_is(dir, "s.xml", "<two/>\n");
        assert_int_equal(tu_count_entries(dir), 1);

        assert_int_equal(write_past_fsize_limit(persist_write_runtime, dir, "s.xml", &err), -EFBIG);
        assert_file_is(dir, "s.xml", "<two/>\n");
        assert_int_equal(tu_count_entries(dir), 1);

        assert_true(persist_write_runtime(dir, ".hidden", "x", 1, &err) < 0);
        assert_int_equal(tu_count_entries(dir), 1);
}

static void test_remove(void **state) {
        const char *dir = *state;
        VbError err = { 0 };
        assert_int_equal(persist_write(dir, "a.xml", "x", 1, &err), 0);
        assert_int_equal(persist_remove(dir, "a.xml", &err), 0);
        assert_int_equal(tu_count_entries(dir), 0);
        assert_int_equal(persist_remove(dir, "a.xml", &err), 0);       /* already gone */
        char *missing = tu_path(dir, "no-such-dir");
        assert_int_equal(persist_remove(missing, "a.xml", &err), 0);
        free(missing);
}

typedef struct Loaded {
        char names[16][64];
        char data[16][64];
        size_t n;
        const char *refuse;     /* fn refuses this one, as a parser would a corrupt file */
} Loaded;

static int record(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        Loaded *l = userdata;
        assert_true(l->n < 16);
        assert_int_equal(strlen(data), len);    /* NUL-terminated, no stray bytes */
        snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
        snprintf(l->data[l->n], sizeof l->data[0], "%s", data);
        l->n++;
        return l->refuse && strcmp(name, l->refuse) == 0 ? -EINVAL : 0;
}

static void make_file(const char *dir, const char *name, const char *content) {
        char *path = tu_path(dir, name);
        assert_int_equal(tu_write_file(path, content, strlen(content)), 0);
        free(path);
}

static void test_load_dir(void **state) {
        const char *dir = *state;
        make_file(dir, "c.xml", "<c/>");
        make_file(dir, "a.xml", "<a/>");
        make_file(dir, "b.xml", "corrupt");
        make_file(dir, ".a.xml.Xy12Zq", "<half written/>");     /* an interrupted write */
        make_file(dir, ".hidden.xml", "<hidden/>");
        make_file(dir, "notes.txt", "not xml");
        char *sub = tu_path(dir, "sub.xml"), *fifo = tu_path(dir, "fifo.xml"), *link = tu_path(dir, "d.xml");
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(symlink("a.xml", link), 0);

        Loaded l = { .refuse = "b.xml" };
        assert_int_equal(persist_load_dir(dir, ".xml", record, &l), 1);
        assert_int_equal(l.n, 4);
        assert_string_equal(l.names[0], "a.xml");
        assert_string_equal(l.data[0], "<a/>");
        assert_string_equal(l.names[1], "b.xml");
        assert_string_equal(l.names[2], "c.xml");       /* the corrupt b.xml did not stop c.xml */
        assert_string_equal(l.data[2], "<c/>");
        assert_string_equal(l.names[3], "d.xml");       /* a symlink to a regular file */
        assert_string_equal(l.data[3], "<a/>");
        free(link);
        free(fifo);
        free(sub);
}

static void test_load_dir_missing_and_empty(void **state) {
        const char *dir = *state;
        Loaded l = { 0 };
        char *missing = tu_path(dir, "no-such-dir");
        assert_int_equal(persist_load_dir(missing, ".xml", record, &l), 0);
        assert_int_equal(persist_load_dir(dir, ".xml", record, &l), 0);
        assert_int_equal(l.n, 0);
        free(missing);
        char *file = tu_path(dir, "file");
        assert_int_equal(tu_write_file(file, "x", 1), 0);
        assert_int_equal(persist_load_dir(file, ".xml", record, &l), -ENOTDIR);
        free(file);
}

static void test_load_dir_size_limit(void **state) {
        const char *dir = *state;
        char *big = malloc(PERSIST_FILE_MAX + 1);
        assert_non_null(big);
        memset(big, 'x', PERSIST_FILE_MAX + 1);
        char *at = tu_path(dir, "at-limit.xml"), *over = tu_path(dir, "over-limit.xml");
        assert_int_equal(tu_write_file(at, big, PERSIST_FILE_MAX), 0);
        assert_int_equal(tu_write_file(over, big, PERSIST_FILE_MAX + 1), 0);
        free(big);

        Loaded l = { 0 };
        assert_int_equal(persist_load_dir(dir, ".xml", record, &l), 1);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.names[0], "at-limit.xml");
        free(at);
        free(over);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ensure_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_read_replace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_into_missing_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_over_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failed_write_keeps_old, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_runtime, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_dir_missing_and_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_dir_size_limit, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
