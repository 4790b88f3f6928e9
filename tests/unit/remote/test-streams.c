/* test-streams.c: core Streams on the remote door with a fake transport and a real event loop: a download never queues more than its window for a client that does not read, an upload pauses the client's input while the sink is full, and the screenshot arrives whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "dispatch.h"
#include "domain.h"
#include "driver.h"
#include "fake-server.h"

#define MiB (1024u * 1024u)
#define TEST_UUID "\x66\x95\xeb\x01\xf6\xa4\x83\x04\x79\xaa\x97\xf2\x50\x2e\x19\x3f"

extern const uint8_t test_screenshot_png[];
extern const size_t test_screenshot_png_len;

typedef struct Fixture {
        sd_event *event;
        Manager *m;
        Connection *conn;
        RemoteServer *s;
        FakeClient *fc;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        VbError err = { 0 };
        assert_int_equal(sd_event_new(&f->event), 0);
        assert_int_equal(manager_new(f->event, &f->m), 0);
        assert_int_equal(manager_add_connection(f->m, &test_driver, &f->conn, &err), 0);
        f->s = fake_server_new(f->m);
        f->fc = fake_client_new(f->s, true, REMOTE_AUTH_NONE);
        f->fc->c.conn = f->conn;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        fake_server_free(f->s);
        manager_free(f->m);
        sd_event_unref(f->event);
        free(f);
        return 0;
}

static void run_loop(Fixture *f) {
        while (sd_event_run(f->event, 0) > 0)
                ;
}

static void stream_packet(FakeClient *fc, uint32_t type, uint32_t serial, uint32_t status, const void *data, size_t len) {
        uint8_t *buf = malloc(28 + len);
        size_t n = fake_packet(buf, 28 + len, REMOTE_PROGRAM, 1, 209, type, serial, status, data, len);
        remote_dispatch(&fc->c, buf, n);
        free(buf);
}

/* A producer of 100 MiB that writes as fast as the stream lets it. */
typedef struct Source {
        uint64_t left;
} Source;

static void source_wake(Stream *st, void *userdata) {
        static uint8_t buf[MiB];
        Source *src = userdata;
        while (src->left > 0) {
                int64_t n = stream_write(st, buf, src->left < sizeof buf ? (size_t) src->left : sizeof buf);
                if (n <= 0)
                        return;
                src->left -= (uint64_t) n;
        }
        stream_finish(st);
        stream_set_producer(st, NULL, NULL);
}

/* Count what the fake client got: data bytes, and whether the EOF (empty CONTINUE) came. */
static void take_output(FakeClient *fc, uint64_t *data, bool *eof) {
        for (size_t i = 0; i < fc->n_out; i++) {
                const FakePacket *p = &fc->out[i];
                assert_int_equal(fake_be32(p->data + 16), MSG_STREAM);
                assert_int_equal(fake_be32(p->data + 20), 7);
                assert_int_equal(fake_be32(p->data + 24), MSG_STATUS_CONTINUE);
                if (p->len == 28)
                        *eof = true;
                *data += p->len - 28;
        }
        fake_client_clear(fc);
}

static void test_download_waits_for_a_client_that_does_not_read(void **state) {
        Fixture *f = *state;
        Stream *st = NULL;
        Source src = { .left = 100ull * MiB };
        assert_int_equal(stream_new(f->event, STREAM_WINDOW_DEFAULT, &st), 0);
        stream_set_producer(st, source_wake, &src);
        RemoteCall rc = { .client = &f->fc->c, .hdr = { REMOTE_PROGRAM, 1, 209, MSG_CALL, 7, 0 } };
        assert_int_equal(remote_stream_open(&rc, st, REMOTE_STREAM_DOWNLOAD, false), 0);

        /* the client reads nothing: the loop goes idle with a bounded queue */
        run_loop(f);
        size_t queued = f->fc->output_bytes;
        assert_true(queued >= REMOTE_STREAM_OUTPUT_WINDOW);
        assert_true(queued < REMOTE_STREAM_OUTPUT_WINDOW + REMOTE_STREAM_CHUNK + 28);
        assert_true(stream_buffered(st) <= STREAM_WINDOW_DEFAULT);
        assert_true(src.left > 90ull * MiB);            /* the producer was held back */
        run_loop(f);
        assert_int_equal(f->fc->output_bytes, queued);  /* and stays so */

        /* the client reads: the queue drains, the stream goes on, never past the window */
        uint64_t got = 0;
        bool eof = false;
        while (!eof) {
                take_output(f->fc, &got, &eof);
                remote_streams_output_drained(&f->fc->c);
                run_loop(f);
                assert_true(f->fc->output_bytes < REMOTE_STREAM_OUTPUT_WINDOW + REMOTE_STREAM_CHUNK + 28);
        }
        assert_int_equal(got, 100ull * MiB);
        assert_true(stream_buffered_peak(st) <= STREAM_WINDOW_DEFAULT);

        /* finish: the client's STREAM/OK is echoed, the stream is closed */
        stream_packet(f->fc, MSG_STREAM, 7, MSG_STATUS_OK, NULL, 0);
        assert_int_equal(f->fc->n_out, 1);
        assert_int_equal(f->fc->out[0].len, 28);
        assert_int_equal(fake_be32(f->fc->out[0].data + 16), MSG_STREAM);
        assert_int_equal(fake_be32(f->fc->out[0].data + 24), MSG_STATUS_OK);
        assert_true(stream_is_closed(st));
        assert_null(f->fc->c.streams);
        stream_unref(st);
}

/* A sink that reads only when told. */
typedef struct Sink {
        uint64_t got, holes;
        bool end;
} Sink;

static void sink_drain(Stream *st, Sink *k) {
        uint8_t buf[8192];
        size_t n;
        uint64_t hole;
        for (;;) {
                StreamItem it = stream_read(st, buf, sizeof buf, &n, &hole);
                k->got += n;
                k->holes += hole;
                if (it == STREAM_ITEM_END) {
                        k->end = true;
                        stream_close(st);
                }
                if (it != STREAM_ITEM_DATA && it != STREAM_ITEM_HOLE)
                        return;
        }
}

static void test_upload_pauses_input_while_the_sink_is_full(void **state) {
        Fixture *f = *state;
        Stream *st = NULL;
        Sink k = { 0 };
        static uint8_t chunk[32 * 1024];
        assert_int_equal(stream_new(f->event, 64 * 1024, &st), 0);
        RemoteCall rc = { .client = &f->fc->c, .hdr = { REMOTE_PROGRAM, 1, 209, MSG_CALL, 9, 0 } };
        assert_int_equal(remote_stream_open(&rc, st, REMOTE_STREAM_UPLOAD, true), 0);
        run_loop(f);

        stream_packet(f->fc, MSG_STREAM, 9, MSG_STATUS_CONTINUE, chunk, sizeof chunk);
        assert_int_equal(f->fc->input_paused, 0);
        stream_packet(f->fc, MSG_STREAM, 9, MSG_STATUS_CONTINUE, chunk, sizeof chunk);
        assert_int_equal(f->fc->input_paused, 1);       /* 64 KiB queued: the sink is full */
        /* a hole (sparse stream): {hyper length; u32 flags} */
        uint8_t hole[12] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };     /* 4 GiB */
        stream_packet(f->fc, MSG_STREAM_HOLE, 9, MSG_STATUS_CONTINUE, hole, sizeof hole);
        assert_int_equal(f->fc->input_paused, 1);
        run_loop(f);
        assert_int_equal(f->fc->input_paused, 1);       /* nothing read: still paused */

        sink_drain(st, &k);
        run_loop(f);
        assert_int_equal(f->fc->input_paused, 0);       /* room again: reading resumes */
        assert_int_equal(k.got, 64 * 1024);
        assert_int_equal(k.holes, 4ull << 30);

        /* finish: answered once the sink has taken everything */
        stream_packet(f->fc, MSG_STREAM, 9, MSG_STATUS_OK, NULL, 0);
        run_loop(f);
        assert_int_equal(f->fc->n_out, 0);
        sink_drain(st, &k);
        assert_true(k.end);
        run_loop(f);
        assert_int_equal(f->fc->n_out, 1);
        assert_int_equal(fake_be32(f->fc->out[0].data + 16), MSG_STREAM);
        assert_int_equal(fake_be32(f->fc->out[0].data + 24), MSG_STATUS_OK);
        assert_null(f->fc->c.streams);
        stream_unref(st);
}

static void test_client_abort_and_disconnect_abort_the_stream(void **state) {
        Fixture *f = *state;
        Stream *a = NULL, *b = NULL;
        assert_int_equal(stream_new(f->event, 1024, &a), 0);
        assert_int_equal(stream_new(f->event, 1024, &b), 0);
        RemoteCall rc = { .client = &f->fc->c, .hdr = { REMOTE_PROGRAM, 1, 209, MSG_CALL, 11, 0 } };
        assert_int_equal(remote_stream_open(&rc, a, REMOTE_STREAM_DOWNLOAD, false), 0);
        rc.hdr.serial = 12;
        assert_int_equal(remote_stream_open(&rc, b, REMOTE_STREAM_UPLOAD, false), 0);
        stream_packet(f->fc, MSG_STREAM, 11, MSG_STATUS_ERROR, NULL, 0);
        assert_non_null(stream_error(a));
        assert_string_equal(stream_error(a)->message, "operation failed: stream aborted at client request");
        remote_streams_free(&f->fc->c);
        assert_non_null(stream_error(b));
        assert_null(f->fc->c.streams);
        /* late packets of a gone stream are dropped */
        stream_packet(f->fc, MSG_STREAM, 12, MSG_STATUS_CONTINUE, "x", 1);
        stream_unref(a);
        stream_unref(b);
}

static void test_screenshot_arrives_whole(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        xdr_writer_init(&w, 4096);
        xdr_put_string(&w, "test");
        xdr_put_fixed(&w, TEST_UUID, 16);
        xdr_put_i32(&w, 1);
        xdr_put_u32(&w, 0);     /* screen */
        xdr_put_u32(&w, 0);     /* flags */
        size_t len;
        uint8_t *args = xdr_writer_steal(&w, &len);
        fake_call(f->fc, 211, 5, args, len);
        free(args);
        /* the reply first: {remote_string mime} = present, "image/png" */
        assert_int_equal(f->fc->n_out, 1);
        const FakePacket *r = &f->fc->out[0];
        assert_int_equal(fake_be32(r->data + 16), MSG_REPLY);
        assert_int_equal(fake_be32(r->data + 24), MSG_STATUS_OK);
        assert_int_equal(r->len, 28 + 4 + 4 + 12);
        assert_memory_equal(r->data + 36, "image/png", 9);
        fake_client_clear(f->fc);
        run_loop(f);
        /* then the image, then the EOF */
        uint8_t *img = malloc(test_screenshot_png_len);
        size_t got = 0;
        bool eof = false;
        for (size_t i = 0; i < f->fc->n_out; i++) {
                const FakePacket *p = &f->fc->out[i];
                assert_int_equal(fake_be32(p->data + 12), 211);
                assert_int_equal(fake_be32(p->data + 20), 5);
                assert_false(eof);
                if (p->len == 28) {
                        eof = true;
                        continue;
                }
                assert_true(got + p->len - 28 <= test_screenshot_png_len);
                memcpy(img + got, p->data + 28, p->len - 28);
                got += p->len - 28;
        }
        assert_true(eof);
        assert_int_equal(got, test_screenshot_png_len);
        assert_memory_equal(img, test_screenshot_png, got);
        assert_memory_equal(img, "\x89PNG", 4);
        free(img);
        fake_client_clear(f->fc);
        uint8_t fin[28];
        size_t n = fake_packet(fin, sizeof fin, REMOTE_PROGRAM, 1, 211, MSG_STREAM, 5, MSG_STATUS_OK, NULL, 0);
        remote_dispatch(&f->fc->c, fin, n);
        assert_int_equal(f->fc->n_out, 1);
        assert_null(f->fc->c.streams);
}

static void test_screenshot_of_an_inactive_domain(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        Domain *d = domain_lookup_name(f->conn, "test", &err);
        assert_non_null(d);
        assert_int_equal(domain_destroy(d, 0, NULL, &err), 0);
        Stream *st = NULL;
        char *mime = NULL;
        assert_int_equal(domain_screenshot(d, 0, 0, &st, &mime, &err), -1);
        assert_string_equal(err.message, "Requested operation is not valid: domain is not running");
        assert_null(st);
        assert_int_equal(domain_screenshot(d, 0, 1, &st, &mime, &err), -1);
        assert_string_equal(err.message, "unsupported flags (0x1) in function virDomainScreenshot");
}

/* A connection whose driver has no screenshot op (QEMU's, for now) says libvirt's "not
 * supported", whatever the domain's state, and streams nothing. */
static void test_screenshot_not_supported_without_the_op(void **state) {
        Fixture *f = *state;
        static DomainOps ops;
        static Driver drv;
        ops = *test_driver.domain;
        ops.screenshot = NULL;
        drv = test_driver;
        drv.domain = &ops;
        drv.uri = "test:///noshot";
        drv.name = "NoShot";
        Connection *conn = NULL;
        VbError err = { 0 };
        assert_int_equal(manager_add_connection(f->m, &drv, &conn, &err), 0);
        Domain *d = domain_lookup_name(conn, "test", &err);
        assert_non_null(d);
        Stream *st = NULL;
        char *mime = NULL;
        assert_int_equal(domain_screenshot(d, 0, 0, &st, &mime, &err), -1);
        assert_int_equal(err.code, VB_ERR_NO_SUPPORT);
        assert_string_equal(err.message, "this function is not supported by the connection driver: virDomainScreenshot");
        assert_null(st);
        assert_null(mime);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_download_waits_for_a_client_that_does_not_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upload_pauses_input_while_the_sink_is_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_client_abort_and_disconnect_abort_the_stream, setup, teardown),
                cmocka_unit_test_setup_teardown(test_screenshot_arrives_whole, setup, teardown),
                cmocka_unit_test_setup_teardown(test_screenshot_of_an_inactive_domain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_screenshot_not_supported_without_the_op, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
