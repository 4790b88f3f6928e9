/* test-outqueue-fds.c: the output queue with a REPLY_WITH_FDS packet: its descriptors go after its bytes and before the next packet's, and none leaks. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "outqueue.h"

static uint8_t *bytes(const char *s) {
        uint8_t *b = malloc(strlen(s));
        assert_non_null(b);
        memcpy(b, s, strlen(s));
        return b;
}

static bool is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static void test_fds_after_their_packet(void **state) {
        (void) state;
        OutQueue q = { 0 };
        int p[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(out_queue_push(&q, bytes("aaaa"), 4), 0);
        assert_int_equal(out_queue_push_fds(&q, bytes("bbbbbb"), 6, p, 2), 0);
        assert_int_equal(out_queue_push(&q, bytes("cc"), 2), 0);
        struct iovec iov[8];
        size_t total;
        /* the bytes stop after the packet with descriptors */
        assert_int_equal(out_queue_iov(&q, iov, 8, &total), 2);
        assert_int_equal(total, 10);
        assert_int_equal(out_queue_head_fd(&q), -1);    /* its bytes are not out yet */
        out_queue_advance(&q, 7);
        assert_int_equal(out_queue_head_fd(&q), -1);
        assert_int_equal(out_queue_iov(&q, iov, 8, &total), 1);
        assert_int_equal(total, 3);
        out_queue_advance(&q, 3);
        /* now the descriptors, in order, and nothing else */
        assert_int_equal(out_queue_iov(&q, iov, 8, &total), 0);
        assert_int_equal(out_queue_head_fd(&q), p[0]);
        out_queue_fd_sent(&q);
        assert_false(is_open(p[0]));
        assert_int_equal(out_queue_head_fd(&q), p[1]);
        out_queue_fd_sent(&q);
        assert_false(is_open(p[1]));
        assert_int_equal(out_queue_iov(&q, iov, 8, &total), 1);
        assert_int_equal(total, 2);
        assert_memory_equal(iov[0].iov_base, "cc", 2);
        out_queue_advance(&q, 2);
        assert_true(out_queue_empty(&q));
}

static void test_clear_closes_unsent(void **state) {
        (void) state;
        OutQueue q = { 0 };
        int p[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(out_queue_push_fds(&q, bytes("x"), 1, p, 2), 0);
        out_queue_clear(&q);
        assert_false(is_open(p[0]));
        assert_false(is_open(p[1]));
        /* too many descriptors: refused, closed, nothing queued */
        int many[33];
        for (size_t i = 0; i < 33; i++)
                many[i] = dup(0);
        assert_int_equal(out_queue_push_fds(&q, bytes("y"), 1, many, 33), -E2BIG);
        assert_true(out_queue_empty(&q));
        for (size_t i = 0; i < 33; i++)
                assert_false(is_open(many[i]));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fds_after_their_packet),
                cmocka_unit_test(test_clear_closes_unsent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
