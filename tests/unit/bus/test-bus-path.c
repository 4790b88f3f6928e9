/* test-bus-path.c: libvirt-dbus's path encodings (EncodeStr, UUID leaves) and path splitting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus-path.h"
#include "uuid.h"

static void assert_encodes(const char *in, const char *want) {
        char *got = bus_path_encode_str(in);
        assert_non_null(got);
        assert_string_equal(got, want);
        char *back = NULL;
        assert_int_equal(bus_path_decode_str(got, &back), 0);
        assert_string_equal(back, in);
        free(back);
        free(got);
}

/* The vectors of libvirt-dbus's tests/test_util.c, and the volume key of dbus-api.md. */
static void test_encode_str_libvirt_vectors(void **state) {
        assert_encodes("foobar", "foobar");
        assert_encodes("_", "_5f");
        assert_encodes("/path/to/some/file.img", "_2fpath_2fto_2fsome_2ffile_2eimg");
        assert_encodes("/default-pool/sparse.img", "_2fdefault_2dpool_2fsparse_2eimg");
        assert_encodes("aa:bb:cc:dd:ee:ff", "aa_3abb_3acc_3add_3aee_3aff");
        assert_encodes("my snap/1", "my_20snap_2f1");
}

static void test_encode_str_every_byte(void **state) {
        char in[256];
        for (int i = 1; i < 256; i++)
                in[i - 1] = (char) i;
        in[255] = '\0';
        char *got = bus_path_encode_str(in);
        assert_non_null(got);
        /* only [A-Za-z0-9_] may appear in a path element */
        for (const char *p = got; *p; p++)
                assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                            *p == '_');
        /* 62 plain characters and 193 escaped ones */
        assert_int_equal(strlen(got), 62 + 193 * 3);
        /* hex digits are lowercase */
        assert_non_null(strstr(got, "_ff"));
        assert_null(strstr(got, "_FF"));
        char *back = NULL;
        assert_int_equal(bus_path_decode_str(got, &back), 0);
        assert_memory_equal(back, in, 256);
        free(back);
        free(got);
}

static void test_encode_str_empty(void **state) {
        assert_encodes("", "_");
}

static void test_decode_str_invalid(void **state) {
        char *out = (char *) 0x1;
        assert_int_equal(bus_path_decode_str("_", &out), 0);    /* the empty string */
        assert_string_equal(out, "");
        free(out);
        out = NULL;
        assert_int_equal(bus_path_decode_str("_2", &out), -EINVAL);
        assert_int_equal(bus_path_decode_str("a_zz", &out), -EINVAL);
        assert_int_equal(bus_path_decode_str("a_00", &out), -EINVAL);  /* no NUL inside a string */
        assert_int_equal(bus_path_decode_str("a-b", &out), -EINVAL);
        assert_null(out);
        /* uppercase hex is accepted when decoding */
        assert_int_equal(bus_path_decode_str("_2F", &out), 0);
        assert_string_equal(out, "/");
        free(out);
}

static void test_uuid_leaf(void **state) {
        uint8_t uuid[16], back[16];
        char leaf[BUS_UUID_LEAF_LEN], text[BUS_UUID_LEAF_LEN];
        assert_int_equal(uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", uuid), 0);
        bus_path_encode_uuid(uuid, leaf);
        assert_string_equal(leaf, "_6695eb01_f6a4_8304_79aa_97f2502e193f");
        assert_int_equal(bus_path_decode_uuid(leaf, text), 0);
        assert_string_equal(text, "6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_int_equal(uuid_parse(text, back), 0);
        assert_memory_equal(uuid, back, 16);

        assert_int_equal(uuid_parse("dd8fe884-6c02-601e-7551-cca97df1c5df", uuid), 0);
        bus_path_encode_uuid(uuid, leaf);
        assert_string_equal(leaf, "_dd8fe884_6c02_601e_7551_cca97df1c5df");
}

static void test_uuid_leaf_invalid(void **state) {
        char text[BUS_UUID_LEAF_LEN];
        assert_int_equal(bus_path_decode_uuid("6695eb01_f6a4_8304_79aa_97f2502e193f", text), -EINVAL);
        assert_int_equal(bus_path_decode_uuid("_6695eb01_f6a4_8304_79aa_97f2502e193f_00", text), -EINVAL);
        /* malformed but short: decoded, and then refused by the UUID parser as libvirt does */
        uint8_t uuid[16];
        assert_int_equal(bus_path_decode_uuid("_zz", text), 0);
        assert_string_equal(text, "zz");
        assert_true(uuid_parse(text, uuid) < 0);
}

static void test_leaf(void **state) {
        const char *prefix = "/org/libvirt/Test/domain";
        assert_string_equal(bus_path_leaf(prefix, "/org/libvirt/Test/domain/_abc"), "_abc");
        assert_null(bus_path_leaf(prefix, "/org/libvirt/Test/domain"));
        assert_null(bus_path_leaf(prefix, "/org/libvirt/Test/domain/"));
        assert_null(bus_path_leaf(prefix, "/org/libvirt/Test/domain/a/b"));
        assert_null(bus_path_leaf(prefix, "/org/libvirt/Test/domainx/a"));
        assert_null(bus_path_leaf(prefix, "/org/libvirt/Test"));

        char *p = bus_path_join(prefix, "_abc");
        assert_string_equal(p, "/org/libvirt/Test/domain/_abc");
        free(p);
}

/* Objects named by a string: the key's path, the key of a path, the paths of a list of items. */
static void test_key_paths(void **state) {
        const char *prefix = "/org/libvirt/QEMU/interface";
        char *p = bus_path_of_key(prefix, "52:54:00:aa:bb:cc");
        assert_string_equal(p, "/org/libvirt/QEMU/interface/52_3a54_3a00_3aaa_3abb_3acc");
        char *key = bus_path_key(prefix, p);
        assert_string_equal(key, "52:54:00:aa:bb:cc");
        free(key);
        free(p);
        assert_null(bus_path_key(prefix, "/org/libvirt/QEMU/interface/_zz"));       /* not EncodeStr */
        assert_null(bus_path_key(prefix, "/org/libvirt/QEMU/nodedev/eth0"));        /* not below prefix */

        struct Item {
                int other;
                char name[8];
        } items[] = { { 1, "eth0" }, { 2, "lo" } };
        char **v = bus_paths_of_keys("/n", items, 2, sizeof items[0], offsetof(struct Item, name));
        assert_non_null(v);
        assert_string_equal(v[0], "/n/eth0");
        assert_string_equal(v[1], "/n/lo");
        assert_null(v[2]);
        bus_strv_free(v);
        v = bus_paths_of_keys("/n", items, 0, sizeof items[0], offsetof(struct Item, name));
        assert_non_null(v);
        assert_null(v[0]);
        bus_strv_free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode_str_libvirt_vectors),
                cmocka_unit_test(test_encode_str_every_byte),
                cmocka_unit_test(test_encode_str_empty),
                cmocka_unit_test(test_decode_str_invalid),
                cmocka_unit_test(test_uuid_leaf),
                cmocka_unit_test(test_uuid_leaf_invalid),
                cmocka_unit_test(test_leaf),
                cmocka_unit_test(test_key_paths),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
