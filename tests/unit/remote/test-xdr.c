/* test-xdr.c: the XDR reader's limits (checked before allocation) and the writer's ceiling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "xdr.h"

static void test_scalars(void **state) {
        static const uint8_t data[] = { 0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 2 };
        XdrReader r;
        int32_t i;
        uint32_t u;
        uint64_t h;
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_i32(&r, &i), 0);
        assert_int_equal(i, -2);
        assert_int_equal(xdr_get_u32(&r, &u), 0);
        assert_int_equal(u, 1);
        assert_int_equal(xdr_get_u64(&r, &h), 0);
        assert_true(h == 0x8000000000000002ull);
        assert_int_equal(xdr_remaining(&r), 0);
        assert_int_equal(xdr_get_u32(&r, &u), -1);      /* past the end */
        assert_false(xdr_reader_ok(&r));
        assert_int_equal(xdr_get_u32(&r, &u), -1);      /* and it stays failed */
}

static void test_string(void **state) {
        static const uint8_t data[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0 };
        XdrReader r;
        char *s = NULL;
        size_t len = 0;
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_string(&r, 16, &s, &len), 0);
        assert_string_equal(s, "hello");
        assert_int_equal(len, 5);
        free(s);
        assert_int_equal(xdr_remaining(&r), 4);
        /* the empty string */
        assert_int_equal(xdr_get_string(&r, 16, &s, &len), 0);
        assert_string_equal(s, "");
        free(s);
}

static void test_string_limits(void **state) {
        XdrReader r;
        char *s = NULL;
        /* longer than the limit: refused from the length word, nothing allocated */
        static const uint8_t big[] = { 0x00, 0x40, 0x00, 0x01, 'x', 'x', 'x', 'x' };
        xdr_reader_init(&r, big, sizeof big);
        assert_int_equal(xdr_get_string(&r, REMOTE_STRING_MAX, &s, NULL), -1);
        assert_null(s);
        /* within the limit but beyond the payload */
        static const uint8_t short_[] = { 0x00, 0x00, 0x10, 0x00, 'x', 'x', 'x', 'x' };
        xdr_reader_init(&r, short_, sizeof short_);
        assert_int_equal(xdr_get_string(&r, REMOTE_STRING_MAX, &s, NULL), -1);
        assert_null(s);
        /* a "negative" length (2^31 and more) */
        static const uint8_t neg[] = { 0xff, 0xff, 0xff, 0xff };
        xdr_reader_init(&r, neg, sizeof neg);
        assert_int_equal(xdr_get_string(&r, REMOTE_STRING_MAX, &s, NULL), -1);
        assert_null(s);
        /* the padding must be there too */
        static const uint8_t nopad[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
        xdr_reader_init(&r, nopad, sizeof nopad);
        assert_int_equal(xdr_get_string(&r, 16, &s, NULL), -1);
        /* an embedded NUL */
        static const uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'c', 0 };
        xdr_reader_init(&r, nul, sizeof nul);
        assert_int_equal(xdr_get_string(&r, 16, &s, NULL), -1);
        assert_null(s);
        /* skip checks the same */
        xdr_reader_init(&r, big, sizeof big);
        assert_int_equal(xdr_skip_string(&r, REMOTE_STRING_MAX), -1);
}

static void test_optional(void **state) {
        static const uint8_t data[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 2 };
        XdrReader r;
        char *s = (char *) 1;
        bool present;
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_opt_string(&r, 16, &s), 0);
        assert_null(s);
        assert_int_equal(xdr_get_opt_string(&r, 16, &s), 0);
        assert_string_equal(s, "a");
        free(s);
        assert_int_equal(xdr_get_present(&r, &present), -1);   /* 2 is no discriminator */
}

static void test_array_len(void **state) {
        static const uint8_t data[] = { 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
        XdrReader r;
        uint32_t n;
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_array_len(&r, 20, 4, &n), 0);
        assert_int_equal(n, 3);
        /* above the maximum */
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_array_len(&r, 2, 4, &n), -1);
        /* more elements than the payload can hold */
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_array_len(&r, 20, 8, &n), -1);
        static const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xff };
        xdr_reader_init(&r, huge, sizeof huge);
        assert_int_equal(xdr_get_array_len(&r, UINT32_MAX, 4, &n), -1);
}

static void test_opaque(void **state) {
        static const uint8_t data[] = { 0, 0, 0, 2, 0xab, 0xcd, 0, 0, 0, 0, 0, 0 };
        XdrReader r;
        uint8_t *o = NULL;
        size_t len;
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_opaque(&r, 8, &o, &len), 0);
        assert_int_equal(len, 2);
        assert_int_equal(o[0], 0xab);
        free(o);
        assert_int_equal(xdr_get_opaque(&r, 8, &o, &len), 0);
        assert_null(o);
        assert_int_equal(len, 0);
        xdr_reader_init(&r, data, sizeof data);
        assert_int_equal(xdr_get_opaque(&r, 1, &o, &len), -1);
        assert_null(o);
}

static void test_writer(void **state) {
        XdrWriter w;
        size_t len;
        xdr_writer_init(&w, 1024);
        xdr_put_string(&w, "test");
        xdr_put_opt_string(&w, NULL);
        xdr_put_opt_string(&w, "abcde");
        xdr_put_i32(&w, -1);
        xdr_put_u64(&w, 9000000);
        xdr_put_char_array(&w, "ab");
        xdr_put_char_fixed(&w, "x", 2);
        uint8_t *b = xdr_writer_steal(&w, &len);
        static const uint8_t want[] = {
                0, 0, 0, 4, 't', 'e', 's', 't',
                0, 0, 0, 0,
                0, 0, 0, 1, 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0,
                0xff, 0xff, 0xff, 0xff,
                0, 0, 0, 0, 0, 0x89, 0x54, 0x40,
                0, 0, 0, 3, 0, 0, 0, 'a', 0, 0, 0, 'b', 0, 0, 0, 0,
                0, 0, 0, 'x', 0, 0, 0, 0,
        };
        assert_int_equal(len, sizeof want);
        assert_memory_equal(b, want, sizeof want);
        free(b);
        xdr_writer_done(&w);
}

static void test_writer_ceiling(void **state) {
        XdrWriter w;
        size_t len;
        char *big = malloc(5000);
        memset(big, 'x', 4999);
        big[4999] = '\0';
        xdr_writer_init(&w, 4096);
        assert_int_equal(xdr_put_u32(&w, 1), 0);
        assert_int_equal(xdr_put_string(&w, big), -1);
        assert_int_equal(w.error, -EMSGSIZE);
        assert_int_equal(xdr_put_u32(&w, 1), -1);       /* sticky */
        assert_null(xdr_writer_steal(&w, &len));
        xdr_writer_done(&w);
        /* exactly the maximum is fine */
        xdr_writer_init(&w, 8);
        assert_int_equal(xdr_put_u64(&w, 1), 0);
        assert_int_equal(xdr_put_u32(&w, 1), -1);
        xdr_writer_done(&w);
        free(big);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scalars),
                cmocka_unit_test(test_string),
                cmocka_unit_test(test_string_limits),
                cmocka_unit_test(test_optional),
                cmocka_unit_test(test_array_len),
                cmocka_unit_test(test_opaque),
                cmocka_unit_test(test_writer),
                cmocka_unit_test(test_writer_ceiling),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
