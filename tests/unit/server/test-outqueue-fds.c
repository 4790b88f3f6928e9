/* test-outqueue-fds.c: the output queue with a REPLY_WITH_FDS packet (its descriptors go after its bytes and before the next packet's, and none leaks) and with two-part packets (a header, then a stream's buffer sent as it is). */
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

static int bodies_freed;

static void body_free(void *b) {
        bodies_freed++;
        free(b);
}

/* What a writev of the queue's iovecs would put on the wire, n bytes at most. */
static size_t gather(const OutQueue *q, size_t max_iov, char *out, size_t n) {
        struct iovec iov[8];
        size_t total, k = 0;
        size_t cnt = out_queue_iov(q, iov, max_iov, &total);
        for (size_t i = 0; i < cnt && k < n; i++) {
                size_t m = iov[i].iov_len < n - k ? iov[i].iov_len : n - k;
                memcpy(out + k, iov[i].iov_base, m);
                k += m;
        }
        return k;
}

static void test_body_follows_its_header(void **state) {
        (void) state;
        OutQueue q = { 0 };
        bodies_freed = 0;
        assert_int_equal(out_queue_push(&q, bytes("aa"), 2), 0);
        assert_int_equal(out_queue_push_body(&q, bytes("HHH"), 3, bytes("bodybody"), 8, body_free), 0);
        assert_int_equal(out_queue_push(&q, bytes("zz"), 2), 0);
        assert_int_equal(q.bytes, 15);
        char wire[32];
        /* everything in order, the body right after its header */
        assert_int_equal(gather(&q, 8, wire, sizeof wire), 15);
        assert_memory_equal(wire, "aaHHHbodybodyzz", 15);
        /* a short write that ends inside the header, then one inside the body */
        out_queue_advance(&q, 4);
        assert_int_equal(gather(&q, 8, wire, sizeof wire), 11);
        assert_memory_equal(wire, "Hbodybodyzz", 11);
        out_queue_advance(&q, 3);
        assert_int_equal(bodies_freed, 0);
        assert_int_equal(gather(&q, 8, wire, sizeof wire), 8);
        assert_memory_equal(wire, "dybodyzz", 8);
        /* one iovec at a time: the body alone, then the next packet */
        assert_int_equal(gather(&q, 1, wire, sizeof wire), 6);
        out_queue_advance(&q, 6);
        assert_int_equal(bodies_freed, 1);      /* freed once its last byte is out */
        assert_int_equal(gather(&q, 8, wire, sizeof wire), 2);
        assert_memory_equal(wire, "zz", 2);
        out_queue_advance(&q, 2);
        assert_true(out_queue_empty(&q));
        assert_int_equal(q.bytes, 0);
}

static void test_body_with_room_for_the_header_only(void **state) {
        (void) state;
        OutQueue q = { 0 };
        bodies_freed = 0;
        assert_int_equal(out_queue_push_body(&q, bytes("HH"), 2, bytes("bb"), 2, body_free), 0);
        struct iovec iov[1];
        size_t total;
        /* one iovec left: the header goes, the body waits for the next call, nothing after it */
        assert_int_equal(out_queue_iov(&q, iov, 1, &total), 1);
        assert_int_equal(total, 2);
        assert_memory_equal(iov[0].iov_base, "HH", 2);
        out_queue_advance(&q, 2);
        assert_int_equal(out_queue_iov(&q, iov, 1, &total), 1);
        assert_memory_equal(iov[0].iov_base, "bb", 2);
        /* the head packet alone (TLS: a record holds one packet's bytes), then the next */
        assert_int_equal(out_queue_push(&q, bytes("nn"), 2), 0);
        assert_int_equal(out_queue_iov_head(&q, iov, 1, &total), 1);
        assert_int_equal(total, 2);
        assert_memory_equal(iov[0].iov_base, "bb", 2);
        struct iovec two[4];
        assert_int_equal(out_queue_iov(&q, two, 4, &total), 2);         /* the body and "nn" */
        assert_int_equal(out_queue_iov_head(&q, two, 4, &total), 1);    /* the body only */
        /* a client that goes: the unsent body is freed with the queue */
        out_queue_clear(&q);
        assert_int_equal(bodies_freed, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fds_after_their_packet),
                cmocka_unit_test(test_clear_closes_unsent),
                cmocka_unit_test(test_body_follows_its_header),
                cmocka_unit_test(test_body_with_room_for_the_header_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
