/* test-qemu-fdgroup.c: disks with <source fdgroup>: their descriptors as -add-fd and /dev/fdset/N on the command line (golden), and refused without them. */
#include "qemu-test.h"

static void test_fdgroup_golden(void **state) {
        (void) state;
        DomainDef *def = qt_parse("disk-fdgroup");
        QemuTestInput t;
        qt_input(&t, def, false);
        static const int fds[] = { 40, 41 };
        QemuDiskFdset sets[2] = { { fds, 2 }, { NULL, 0 } };
        t.in.disk_fdsets = sets;
        t.in.n_disk_fdsets = 2;
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        if (!argv)
                print_error("%s\n", err.message);
        assert_non_null(argv);
        size_t len = 0;
        for (char **a = argv; *a; a++)
                len += strlen(*a) + 1;
        char *got = calloc(1, len + 1);
        assert_non_null(got);
        for (char **a = argv; *a; a++) {
                strcat(got, *a);
                strcat(got, "\n");
        }
        if (getenv("VIRTBUS_REGENERATE")) {
                char *path = qt_path("disk-fdgroup.argv");
                FILE *f = fopen(path, "w");
                assert_non_null(f);
                fputs(got, f);
                fclose(f);
                free(path);
        } else {
                char *want = qt_read("disk-fdgroup.argv");
                assert_non_null(want);
                if (strcmp(want, got) != 0)
                        print_error("disk-fdgroup.argv differs; got:\n%s", got);
                assert_string_equal(want, got);
                free(want);
        }
        assert_null(strstr(got, "/nowhere/a.qcow2"));   /* QEMU is never told the path */
        free(got);
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

static void test_fdgroup_without_descriptors(void **state) {
        (void) state;
        DomainDef *def = qt_parse("disk-fdgroup");
        QemuTestInput t;
        qt_input(&t, def, false);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        assert_null(argv);
        assert_int_equal(err.code, VB_ERR_OPERATION_FAILED);
        assert_string_equal(err.message, "operation failed: file descriptor group 'g1' was not associated with the domain");
        qt_input_done(&t);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fdgroup_golden),
                cmocka_unit_test(test_fdgroup_without_descriptors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
