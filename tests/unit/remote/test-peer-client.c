/* test-peer-client.c: the daemon's own remote-protocol client (service/remote/client/) against a scripted destination on a unix socket: the URI forms it takes and refuses, auth_list → connect_open with keepalive packets skipped, Prepare3Params's parameters on the wire and its URI back, the destination's error in its own words, a dropped connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "peer-client.h"
#include "xdr.h"

typedef struct Answer {
        int calls, r, code;
        char message[1024], str[256];
} Answer;

static void on_done(int r, const VbError *err, const char *str, void *userdata) {
        Answer *a = userdata;
        a->calls++;
        a->r = r;
        a->code = err ? err->code : 0;
        snprintf(a->message, sizeof a->message, "%s", err && r < 0 ? err->message : "");
        snprintf(a->str, sizeof a->str, "%s", str ? str : "");
}

typedef struct Fixture {
        sd_event *event;
        char dir[64], path[128], uri[192];
        int listener, server;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_non_null(f);
        assert_int_equal(sd_event_new(&f->event), 0);
        snprintf(f->dir, sizeof f->dir, "/tmp/peer-client-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/sock", f->dir);
        snprintf(f->uri, sizeof f->uri, "qemu+unix:///session?socket=%s", f->path);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, f->path);
        f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(bind(f->listener, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(f->listener, 4), 0);
        f->server = -1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        if (f->server >= 0)
                close(f->server);
        close(f->listener);
        unlink(f->path);
        rmdir(f->dir);
        sd_event_unref(f->event);
        free(f);
        return 0;
}

/* Turn the loop until the destination has bytes (the client's next call). */
static void wait_readable(Fixture *f, int fd) {
        for (int i = 0; i < 500; i++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 0) == 1)
                        return;
                sd_event_run(f->event, 10000);
        }
        fail_msg("the client sent nothing");
}

static void read_full(int fd, uint8_t *buf, size_t len) {
        size_t got = 0;
        while (got < len) {
                ssize_t n = read(fd, buf + got, len - got);
                assert_true(n > 0);
                got += n;
        }
}

static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* One call from the client: its procedure and serial; its body into *body (malloc'd). */
static uint32_t read_call(Fixture *f, uint32_t *serial, uint8_t **body, size_t *len) {
        wait_readable(f, f->server);
        uint8_t head[28];
        read_full(f->server, head, sizeof head);
        assert_int_equal(get32(head + 4), 0x20008086);
        assert_int_equal(get32(head + 16), 0);     /* CALL */
        *serial = get32(head + 20);
        *len = get32(head) - 28;
        *body = malloc(*len + 1);
        read_full(f->server, *body, *len);
        return get32(head + 12);
}

static void send_packet(Fixture *f, uint32_t prog, uint32_t proc, uint32_t type, uint32_t serial, uint32_t status,
                        XdrWriter *body) {
        XdrWriter w;
        xdr_writer_init(&w, 1 << 20);
        uint32_t words[] = { 0, prog, 1, proc, type, serial, status };
        for (size_t i = 0; i < 7; i++)
                xdr_put_u32(&w, words[i]);
        if (body)
                xdr_put_fixed(&w, body->buf, body->len);
        xdr_patch_u32(&w, 0, w.len);
        assert_int_equal(write(f->server, w.buf, w.len), (ssize_t) w.len);
        xdr_writer_done(&w);
}

static void run_until(Fixture *f, Answer *a, int calls) {
        for (int i = 0; i < 500 && a->calls < calls; i++)
                sd_event_run(f->event, 10000);
        assert_int_equal(a->calls, calls);
}

/* open → auth_list (none) → a keepalive ping, skipped → connect_open answered. */
static MigratePeer *open_peer(Fixture *f, Answer *a) {
        VbError err = { 0 };
        MigratePeer *p = remote_migrate_peer_ops.open(f->event, f->uri, on_done, a, &err);
        assert_non_null(p);
        f->server = accept4(f->listener, NULL, NULL, SOCK_CLOEXEC);
        assert_true(f->server >= 0);
        uint32_t serial;
        uint8_t *body;
        size_t len;
        assert_int_equal(read_call(f, &serial, &body, &len), 66);
        free(body);
        XdrWriter w;
        xdr_writer_init(&w, 1024);
        xdr_put_u32(&w, 1);
        xdr_put_u32(&w, 0);     /* REMOTE_AUTH_NONE */
        send_packet(f, 0x20008086, 66, 1, serial, 0, &w);
        xdr_writer_done(&w);
        assert_int_equal(read_call(f, &serial, &body, &len), 1);
        XdrReader r;
        char *name = NULL;
        xdr_reader_init(&r, body, len);
        xdr_get_opt_string(&r, 1024, &name);
        assert_string_equal(name, "qemu:///session");
        free(name);
        free(body);
        send_packet(f, 0x6b656570, 1, 0, 0, 0, NULL);   /* keepalive PING: not the reply */
        assert_int_equal(a->calls, 0);
        send_packet(f, 0x20008086, 1, 1, serial, 0, NULL);
        run_until(f, a, 1);
        assert_int_equal(a->r, 0);
        return p;
}

static void test_prepare_and_errors(void **state) {
        Fixture *f = *state;
        Answer a = { 0 };
        MigratePeer *p = open_peer(f, &a);

        remote_migrate_peer_ops.prepare(p, "<domain/>", "other", 0x3, on_done, &a);
        uint32_t serial;
        uint8_t *body;
        size_t len;
        assert_int_equal(read_call(f, &serial, &body, &len), 303);
        XdrReader r;
        uint32_t n = 0, flags = 0;
        xdr_reader_init(&r, body, len);
        xdr_get_u32(&r, &n);
        assert_int_equal(n, 2);
        const char *want[][2] = { { "destination_xml", "<domain/>" }, { "destination_name", "other" } };
        for (uint32_t i = 0; i < n; i++) {
                char *field = NULL, *value = NULL;
                int32_t type = 0;
                xdr_get_string(&r, 1024, &field, NULL);
                xdr_get_i32(&r, &type);
                xdr_get_string(&r, 1024, &value, NULL);
                assert_string_equal(field, want[i][0]);
                assert_int_equal(type, 7);
                assert_string_equal(value, want[i][1]);
                free(field);
                free(value);
        }
        uint8_t *cookie = NULL;
        size_t cookie_len = 9;
        xdr_get_opaque(&r, 1024, &cookie, &cookie_len);
        assert_int_equal(cookie_len, 0);
        xdr_get_u32(&r, &flags);
        assert_int_equal(flags, 0x3);
        assert_int_equal(xdr_remaining(&r), 0);
        free(body);
        XdrWriter w;
        xdr_writer_init(&w, 1024);
        xdr_put_u32(&w, 0);
        xdr_put_opt_string(&w, "tcp:host:49152");
        send_packet(f, 0x20008086, 303, 1, serial, 0, &w);
        xdr_writer_done(&w);
        run_until(f, &a, 2);
        assert_int_equal(a.r, 0);
        assert_string_equal(a.str, "tcp:host:49152");

        /* The destination refuses Finish: its remote_error is the answer, word for word. */
        remote_migrate_peer_ops.finish(p, "other", 0x3, true, on_done, &a);
        assert_int_equal(read_call(f, &serial, &body, &len), 306);
        free(body);
        xdr_writer_init(&w, 1024);
        xdr_put_i32(&w, 55);
        xdr_put_i32(&w, 10);
        xdr_put_opt_string(&w, "Requested operation is not valid: no");
        xdr_put_i32(&w, 2);
        send_packet(f, 0x20008086, 306, 1, serial, 1, &w);
        xdr_writer_done(&w);
        run_until(f, &a, 3);
        assert_true(a.r < 0);
        assert_int_equal(a.code, 55);
        assert_string_equal(a.message, "Requested operation is not valid: no");

        /* A destination that goes away: the step in flight hears it once. */
        remote_migrate_peer_ops.finish(p, "other", 0, false, on_done, &a);
        assert_int_equal(read_call(f, &serial, &body, &len), 306);
        free(body);
        close(f->server);
        f->server = -1;
        run_until(f, &a, 4);
        assert_true(a.r < 0);
        assert_non_null(strstr(a.message, "the connection to the destination failed"));
        remote_migrate_peer_ops.close(p);
}

static void open_fails(Fixture *f, const char *uri, const char *text) {
        VbError err = { 0 };
        Answer a = { 0 };
        assert_null(remote_migrate_peer_ops.open(f->event, uri, on_done, &a, &err));
        if (!strstr(err.message, text))
                fail_msg("%s: '%s' does not say '%s'", uri, err.message, text);
        assert_int_equal(a.calls, 0);
}

static void test_uris_refused(void **state) {
        Fixture *f = *state;
        open_fails(f, "qemu+tls://host/system", "transport 'tls' is not supported");
        open_fails(f, "qemu+tcp://example.org/system", "the host must be a numeric address");
        open_fails(f, "qemu+unix:///session?socket=/nonexistent/sock", "Failed to connect socket to '/nonexistent/sock'");
        open_fails(f, "qemu+unix://host/system", "no host name");
        open_fails(f, "nonsense", "not a connection URI");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_prepare_and_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_uris_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
