/* test-stream.c: the core Stream: a fast producer is held back by a slow consumer (the buffer stays under the window), holes, the end, abort and close, buffers handed over without copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

#define MiB (1024u * 1024u)
#define WINDOW (256u * 1024u)

typedef struct Flow {
        sd_event *event;
        Stream *s;
        /* producer: 100 MiB of data in 1 MiB writes, with a 1 MiB hole after every 10 MiB */
        uint64_t produced, holes_written, total;
        unsigned producer_wakes;
        bool finished;
        /* consumer: 16 KiB per turn of the loop, never more */
        sd_event_source *slow;
        uint64_t consumed, holes_read;
        bool bad_byte, ended;
        size_t max_buffered;
} Flow;

static uint8_t byte_at(uint64_t off) {
        return (uint8_t) (off * 7 + (off >> 12));
}

static void producer_wake(Stream *s, void *userdata) {
        Flow *f = userdata;
        static uint8_t buf[MiB];
        f->producer_wakes++;
        while (f->produced < f->total) {
                if (f->produced && f->produced % (10 * MiB) == 0 && f->holes_written < f->produced / (10 * MiB)) {
                        assert_int_equal(stream_write_hole(s, MiB), 0);
                        f->holes_written++;
                }
                size_t want = MiB - (size_t) (f->produced % MiB);
                for (size_t i = 0; i < want; i++)
                        buf[i] = byte_at(f->produced + i);
                int64_t n = stream_write(s, buf, want);
                assert_true(n >= 0);
                if (stream_buffered(s) > f->max_buffered)
                        f->max_buffered = stream_buffered(s);
                f->produced += (uint64_t) n;
                if ((size_t) n < want)
                        return;         /* full: wait to be woken */
        }
        if (!f->finished) {
                f->finished = true;
                assert_int_equal(stream_finish(s), 0);
        }
}

static int consumer_turn(sd_event_source *es, void *userdata) {
        Flow *f = userdata;
        static uint8_t buf[16 * 1024];
        size_t n = 0;
        uint64_t hole = 0;
        StreamItem it = stream_read(f->s, buf, sizeof buf, &n, &hole);
        switch (it) {
        case STREAM_ITEM_DATA:
                for (size_t i = 0; i < n; i++)
                        if (buf[i] != byte_at(f->consumed + i))
                                f->bad_byte = true;
                f->consumed += n;
                break;
        case STREAM_ITEM_HOLE:
                f->holes_read += hole;
                break;
        case STREAM_ITEM_NONE:
                sd_event_source_set_enabled(es, SD_EVENT_OFF);   /* the stream wakes us */
                return 0;
        case STREAM_ITEM_END:
                f->ended = true;
                stream_close(f->s);
                sd_event_exit(f->event, 0);
                return 0;
        case STREAM_ITEM_ERROR:
                fail_msg("stream error: %s", stream_error(f->s)->message);
        }
        return 0;
}

static void consumer_wake(Stream *s, void *userdata) {
        Flow *f = userdata;
        sd_event_source_set_enabled(f->slow, SD_EVENT_ON);
}

static void test_slow_consumer_holds_producer_back(void **state) {
        Flow f = { .total = 100ull * MiB };
        assert_int_equal(sd_event_new(&f.event), 0);
        assert_int_equal(stream_new(f.event, WINDOW, &f.s), 0);
        /* one read per loop iteration, at idle priority: the slowest consumer the loop allows */
        assert_int_equal(sd_event_add_defer(f.event, &f.slow, consumer_turn, &f), 0);
        sd_event_source_set_priority(f.slow, SD_EVENT_PRIORITY_IDLE);
        sd_event_source_set_enabled(f.slow, SD_EVENT_OFF);
        stream_set_producer(f.s, producer_wake, &f);
        stream_set_consumer(f.s, consumer_wake, &f);

        assert_int_equal(sd_event_loop(f.event), 0);

        assert_true(f.ended);
        assert_false(f.bad_byte);
        assert_int_equal(f.consumed, 100ull * MiB);
        assert_int_equal(f.holes_read, 9ull * MiB);
        /* the producer wanted to write 1 MiB at a time; the window held it to 256 KiB */
        assert_true(stream_buffered_peak(f.s) <= WINDOW);
        assert_true(f.max_buffered <= WINDOW);
        assert_true(f.producer_wakes > 100);    /* it stopped and was woken again, many times */
        assert_true(stream_is_closed(f.s));
        sd_event_source_unref(f.slow);
        stream_unref(f.s);
        sd_event_unref(f.event);
}

/* A door that has read a packet pushes it whole; stream_space() tells it to stop reading. */
static void test_push_past_window_then_space_is_zero(void **state) {
        sd_event *e = NULL;
        Stream *s = NULL;
        uint8_t buf[100] = { 0 };
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(stream_new(e, 64, &s), 0);
        assert_int_equal(stream_space(s), 64);
        assert_int_equal(stream_push(s, buf, 100), 0);
        assert_int_equal(stream_space(s), 0);
        assert_int_equal(stream_write(s, buf, 10), 0);   /* full: nothing taken */
        size_t n;
        uint64_t hole;
        assert_int_equal(stream_read(s, buf, 60, &n, &hole), STREAM_ITEM_DATA);
        assert_int_equal(n, 60);
        assert_int_equal(stream_space(s), 24);
        stream_unref(s);
        sd_event_unref(e);
}

/* Buffers handed over whole: the consumer gets the producer's very buffer, the window counts
 * it, a chunk begun by stream_read comes as a copy of its rest, holes and the end as usual. */
static void test_buffers_handed_over_without_copies(void **state) {
        sd_event *e = NULL;
        Stream *s = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(stream_new(e, 64, &s), 0);
        uint8_t *a = stream_buf_new(40), *b = stream_buf_new(40);
        assert_non_null(a);
        assert_non_null(b);
        memset(a, 'a', 40);
        memset(b, 'b', 40);
        assert_int_equal(stream_write_buf(s, a, 40), 0);
        assert_int_equal(stream_space(s), 24);
        assert_int_equal(stream_write_buf(s, b, 30), 0);      /* all taken, past the window */
        assert_int_equal(stream_space(s), 0);
        assert_int_equal(stream_buffered(s), 70);
        assert_int_equal(stream_write_hole(s, 1000), 0);
        void *got = NULL;
        size_t n;
        uint64_t hole;
        assert_int_equal(stream_next_data_len(s), 40);         /* a door may take it whole */
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_DATA);
        assert_ptr_equal(got, a);                               /* the same memory: no copy */
        assert_int_equal(n, 40);
        assert_int_equal(stream_buffered(s), 30);
        stream_buf_free(got);
        uint8_t small[10];
        assert_int_equal(stream_read(s, small, 10, &n, &hole), STREAM_ITEM_DATA);
        assert_int_equal(n, 10);
        assert_int_equal(stream_next_data_len(s), 0);          /* begun by a read: not whole */
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_DATA);
        assert_int_equal(n, 20);                                /* the rest of b, copied */
        assert_memory_equal(got, "bbbbbbbbbbbbbbbbbbbb", 20);
        stream_buf_free(got);
        assert_int_equal(stream_next_data_len(s), 0);          /* a hole */
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_HOLE);
        assert_null(got);
        assert_int_equal(hole, 1000);
        /* a short read into a big buffer: the stream keeps its bytes (in a smaller allocation) */
        uint8_t *big = stream_buf_new(1 << 20);
        assert_non_null(big);
        memcpy(big, "short", 5);
        assert_int_equal(stream_write_buf(s, big, 5), 0);
        assert_int_equal(stream_next_data_len(s), 5);
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_DATA);
        assert_int_equal(n, 5);
        assert_memory_equal(got, "short", 5);
        stream_buf_free(got);
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_NONE);
        assert_int_equal(stream_finish(s), 0);
        assert_int_equal(stream_take(s, &got, &n, &hole), STREAM_ITEM_END);
        /* a finished stream refuses a buffer (and frees it: ASan/valgrind see no leak) */
        assert_int_equal(stream_write_buf(s, stream_buf_new(8), 8), -EPIPE);
        stream_unref(s);
        sd_event_unref(e);
}

static void on_wake_count(Stream *s, void *userdata) {
        (*(unsigned *) userdata)++;
}

static void test_abort_wakes_both_ends_and_drops_data(void **state) {
        sd_event *e = NULL;
        Stream *s = NULL;
        unsigned pw = 0, cw = 0;
        uint8_t buf[16];
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(stream_new(e, 64, &s), 0);
        stream_set_producer(s, on_wake_count, &pw);
        stream_set_consumer(s, on_wake_count, &cw);
        sd_event_run(e, 0);
        assert_int_equal(pw, 1);
        assert_int_equal(cw, 1);
        assert_int_equal(stream_write(s, "abcdefgh", 8), 8);
        VbError err = { 0 };
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "disk on fire");
        stream_abort(s, &err);
        assert_int_equal(stream_buffered(s), 0);
        assert_true(stream_is_over(s));
        assert_int_equal(stream_write(s, "x", 1), -EPIPE);
        size_t n;
        uint64_t hole;
        assert_int_equal(stream_read(s, buf, sizeof buf, &n, &hole), STREAM_ITEM_ERROR);
        assert_string_equal(stream_error(s)->message, "operation failed: disk on fire");
        sd_event_run(e, 0);
        assert_int_equal(pw, 2);
        assert_int_equal(cw, 2);
        stream_unref(s);
        sd_event_unref(e);
}

/* Wake-ups come from the loop, never from inside a write or a read. */
static void test_wakes_are_deferred(void **state) {
        sd_event *e = NULL;
        Stream *s = NULL;
        unsigned cw = 0;
        size_t n;
        uint64_t hole;
        uint8_t buf[4];
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(stream_new(e, 64, &s), 0);
        stream_set_consumer(s, on_wake_count, &cw);
        sd_event_run(e, 0);
        assert_int_equal(cw, 1);
        assert_int_equal(stream_read(s, buf, sizeof buf, &n, &hole), STREAM_ITEM_NONE);
        assert_int_equal(stream_write_hole(s, 5), 0);
        assert_int_equal(stream_write_hole(s, 6), 0);    /* one hole of 11 */
        assert_int_equal(stream_finish(s), 0);
        assert_int_equal(cw, 1);
        sd_event_run(e, 0);
        assert_int_equal(cw, 2);
        assert_int_equal(stream_read(s, buf, sizeof buf, &n, &hole), STREAM_ITEM_HOLE);
        assert_int_equal(hole, 11);
        assert_int_equal(stream_read(s, buf, sizeof buf, &n, &hole), STREAM_ITEM_END);
        stream_unref(s);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_slow_consumer_holds_producer_back),
                cmocka_unit_test(test_push_past_window_then_space_is_zero),
                cmocka_unit_test(test_buffers_handed_over_without_copies),
                cmocka_unit_test(test_abort_wakes_both_ends_and_drops_data),
                cmocka_unit_test(test_wakes_are_deferred),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
