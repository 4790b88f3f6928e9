/* test-server-layers.c: a second layer stacked over the socket on both ends: handshake, input held inside a layer, packets through a callback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layer-double.h"
#include "server-test.h"

#define SERVER_KEY 0x5a
#define CLIENT_KEY 0xa5
#define SERVER_CHUNK 7                  /* bytes per read() the server's layer hands out */
#define CLIENT_CHUNK 5

static unsigned callback_packets;

/* The server's packet callback: counts, then hands over to the protocol double. */
static void counting_dispatch(RemoteClient *c, const uint8_t *packet, size_t len) {
        callback_packets++;
        double_dispatch(c, packet, len);
}

static RemoteProtocol counting_protocol;

static int push_xor(RemoteClient *c, const ListenSocket *l, void *userdata) {
        RemoteLayer *x;
        int r = layer_double_new(SERVER_KEY, SERVER_CHUNK, &x);
        if (r < 0)
                return r;
        remote_client_push_layer(c, x);
        return 0;
}

static Fixture *layered_server(unsigned max_client_requests) {
        Fixture *f = fx_new();
        if (max_client_requests)
                f->cfg.max_client_requests = max_client_requests;
        callback_packets = 0;
        counting_protocol = protocol_double;
        counting_protocol.packet = counting_dispatch;
        f->proto = &counting_protocol;
        assert_int_equal(fx_start(f), 0);
        remote_server_set_layers(f->s, push_xor, NULL);
        layer_double_stats = (LayerDoubleStats) { 0 };
        return f;
}

static int connect_rw(Fixture *f) {
        char *p = fx_path(f, "libvirt-sock");
        int fd = st_connect_unix(p);
        free(p);
        assert_true(fd >= 0);
        return fd;
}

/* The client's end: the same layer over its own socket, driven while the server's loop runs. */
static RemoteTransport *lt_connect(Fixture *f) {
        RemoteTransport *t;
        RemoteLayer *x;
        assert_int_equal(remote_transport_new(connect_rw(f), &t), 0);
        assert_int_equal(layer_double_new(CLIENT_KEY, CLIENT_CHUNK, &x), 0);
        remote_transport_push(t, x);
        uint64_t end = st_now() + 3000000;
        int r;
        while ((r = remote_transport_handshake(t)) == -EAGAIN && st_now() < end)
                sd_event_run(f->e, 5000);
        assert_int_equal(r, 0);
        return t;
}

static int lt_send(Fixture *f, RemoteTransport *t, const void *buf, size_t len) {
        const uint8_t *p = buf;
        uint64_t end = st_now() + 10000000ull;
        while (len > 0) {
                struct iovec iov = { (void *) p, len };
                ssize_t n = remote_transport_writev(t, &iov, 1);
                if (n == -EAGAIN) {
                        if (st_now() > end)
                                return -ETIMEDOUT;
                        sd_event_run(f->e, 5000);
                        continue;
                }
                if (n < 0)
                        return (int) n;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int lt_call(Fixture *f, RemoteTransport *t, int32_t proc, uint32_t serial, const void *payload, size_t n) {
        size_t len;
        uint8_t *p = double_packet(REMOTE_PROGRAM, proc, MSG_CALL, serial, payload, n, &len);
        int r = lt_send(f, t, p, len);
        free(p);
        return r;
}

/* 1 done, 0 the server closed the connection, -ETIMEDOUT. */
static int lt_recv_exact(Fixture *f, RemoteTransport *t, uint8_t *buf, size_t len, uint64_t usec) {
        uint64_t end = st_now() + usec;
        for (size_t got = 0; got < len;) {
                ssize_t n = remote_transport_read(t, buf + got, len - got);
                if (n == 0 || n == -ECONNRESET)
                        return 0;
                if (n == -EAGAIN) {
                        if (st_now() > end)
                                return -ETIMEDOUT;
                        sd_event_run(f->e, 5000);
                        continue;
                }
                if (n < 0)
                        return (int) n;
                got += (size_t) n;
        }
        return 1;
}

static int lt_recv_packet(Fixture *f, RemoteTransport *t, uint8_t **pkt, size_t *len, uint64_t usec) {
        uint8_t w[4];
        int r = lt_recv_exact(f, t, w, 4, usec);
        if (r <= 0)
                return r;
        size_t n = (size_t) w[0] << 24 | (size_t) w[1] << 16 | (size_t) w[2] << 8 | w[3];
        assert_true(n >= PACKET_LEN_MIN);
        uint8_t *p = malloc(n);
        memcpy(p, w, 4);
        r = lt_recv_exact(f, t, p + 4, n - 4, usec);
        if (r <= 0) {
                free(p);
                return r;
        }
        *pkt = p;
        *len = n;
        return 1;
}

static void lt_expect_reply(Fixture *f, RemoteTransport *t, uint32_t serial) {
        uint8_t *p;
        size_t n;
        PacketHeader h;
        assert_int_equal(lt_recv_packet(f, t, &p, &n, 3000000), 1);
        double_parse(p, &h);
        free(p);
        assert_int_equal(h.type, MSG_REPLY);
        assert_int_equal(h.serial, serial);
}

static bool lt_closed_within(Fixture *f, RemoteTransport *t, uint64_t usec) {
        uint8_t buf[256];
        uint64_t end = st_now() + usec;
        for (;;) {
                ssize_t n = remote_transport_read(t, buf, sizeof buf);
                if (n == 0 || (n < 0 && n != -EAGAIN))
                        return true;
                if (n > 0)
                        continue;
                if (st_now() > end)
                        return false;
                sd_event_run(f->e, 5000);
        }
}

static bool clients_are(Fixture *f, void *ud) {
        return remote_server_n_clients(f->s) == (size_t) (uintptr_t) ud;
}

static void test_packets_through_two_layers(void **state) {
        Fixture *f = layered_server(0);
        RemoteTransport *t = lt_connect(f);
        assert_int_equal(layer_double_stats.handshakes, 2);      /* both ends */

        /* The client's end knows its peer through both layers. */
        RemotePeer peer;
        assert_int_equal(remote_transport_identity(t, &peer), 0);
        assert_true(peer.has_cred);
        assert_int_equal(peer.uid, getuid());
        assert_string_equal(peer.sasl_username, "xor");

        assert_int_equal(lt_call(f, t, DOUBLE_PROC_ECHO, 1, "ping", 4), 0);
        lt_expect_reply(f, t, 1);
        assert_int_equal(double_state.last_who.uid, getuid());

        /* Forty calls in one write: the server's layer reads them from the socket at once and
         * holds them, handing out 7 bytes at a time. Only the loop draining the layer, not a
         * readable socket, can bring the later ones to the dispatcher. */
        uint8_t batch[40 * 32];
        size_t off = 0, n;
        for (uint32_t s = 100; s < 140; s++) {
                uint8_t *q = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_ECHO, MSG_CALL, s, "abcd", 4, &n);
                memcpy(batch + off, q, n);
                off += n;
                free(q);
        }
        assert_int_equal(lt_send(f, t, batch, off), 0);
        for (uint32_t s = 100; s < 140; s++)
                lt_expect_reply(f, t, s);
        assert_true(layer_double_stats.max_pending >= PACKET_LEN_MIN);    /* a whole packet, at least */

        /* A packet larger than the inline buffer, and output larger than the socket takes at
         * once (1-byte writes fill it fast): reply bytes must wait for EPOLLOUT. */
        size_t big = 64 * 1024;
        uint8_t *payload = malloc(big), *p;
        for (size_t i = 0; i < big; i++)
                payload[i] = (uint8_t) (i * 13);
        assert_int_equal(lt_call(f, t, DOUBLE_PROC_ECHO, 2, payload, big), 0);
        assert_int_equal(lt_recv_packet(f, t, &p, &n, 20000000), 1);
        assert_int_equal(n, PACKET_LEN_MIN + big);
        assert_memory_equal(p + PACKET_LEN_MIN, payload, big);
        free(p);
        free(payload);

        /* Every packet came through the callback the server was given. */
        assert_int_equal(callback_packets, 42);
        assert_int_equal(double_state.dispatched, 42);
        assert_true(layer_double_stats.chunk_writes > 2 * big);

        remote_transport_free(t);
        assert_true(fx_run_until(f, clients_are, (void *) 0, 2000000));
        fx_free(f);
}

/* Reading stops at max_client_requests while the next call already sits inside the layer: when
 * the call ends, reading must resume from the layer, with nothing new on the socket. */
static void test_input_held_in_the_layer_while_calls_pend(void **state) {
        Fixture *f = layered_server(1);
        RemoteTransport *t = lt_connect(f);
        uint8_t two[64];
        size_t n1, n2;
        uint8_t *a = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_HOLD, MSG_CALL, 1, NULL, 0, &n1);
        uint8_t *b = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_ECHO, MSG_CALL, 2, NULL, 0, &n2);
        memcpy(two, a, n1);
        memcpy(two + n1, b, n2);
        free(a);
        free(b);
        assert_int_equal(lt_send(f, t, two, n1 + n2), 0);
        fx_run(f, 200000);
        assert_int_equal(double_state.n_held, 1);
        assert_int_equal(double_state.dispatched, 1);   /* the echo waits, in the layer */
        assert_true(layer_double_stats.max_pending > 0);
        assert_int_equal(double_release(1), 1);
        lt_expect_reply(f, t, 1);
        lt_expect_reply(f, t, 2);
        remote_transport_free(t);
        fx_free(f);
}

/* A client without the layer fails the handshake: dropped, nothing dispatched, others served. */
static void test_peer_without_the_layer_is_dropped(void **state) {
        Fixture *f = layered_server(0);
        RemoteTransport *good = lt_connect(f);
        int plain = connect_rw(f);
        assert_int_equal(st_call(f, plain, DOUBLE_PROC_ECHO, 1, NULL, 0), 0);
        assert_true(st_closed_within(f, plain, 2000000));
        close(plain);
        assert_int_equal(layer_double_stats.refused, 1);
        assert_int_equal(double_state.dispatched, 0);
        assert_int_equal(lt_call(f, good, DOUBLE_PROC_ECHO, 2, NULL, 0), 0);
        lt_expect_reply(f, good, 2);
        remote_transport_free(good);
        fx_free(f);
}

/* The length word is checked above the layers as below them: no dispatch, no allocation. */
static void test_bad_length_word_through_the_layers(void **state) {
        Fixture *f = layered_server(0);
        RemoteTransport *t = lt_connect(f);
        assert_int_equal(lt_call(f, t, DOUBLE_PROC_ECHO, 1, NULL, 0), 0);
        lt_expect_reply(f, t, 1);
        const uint8_t word[4] = { 0xff, 0xff, 0xff, 0xff };
        assert_int_equal(lt_send(f, t, word, 4), 0);
        assert_true(lt_closed_within(f, t, 2000000));
        assert_int_equal(double_state.dispatched, 1);
        remote_transport_free(t);
        assert_true(fx_run_until(f, clients_are, (void *) 0, 2000000));
        fx_free(f);
}

/* A peer that connects and says nothing costs its descriptor until the handshake's deadline,
 * and meanwhile another client is served at once. */
static void test_silent_peer_dropped_at_the_handshake_deadline(void **state) {
        Fixture *f = layered_server(0);
        remote_server_limits(f->s)->handshake_timeout_usec = 300000;
        int silent = connect_rw(f);
        fx_run(f, 50000);
        RemoteTransport *good = lt_connect(f);
        assert_int_equal(lt_call(f, good, DOUBLE_PROC_ECHO, 1, NULL, 0), 0);
        lt_expect_reply(f, good, 1);
        uint64_t t0 = st_now();
        assert_true(st_closed_within(f, silent, 2000000));
        assert_true(st_now() - t0 < 1000000);
        close(silent);
        /* The served client's deadline ended with its handshake: it stays. */
        fx_run(f, 400000);
        assert_int_equal(lt_call(f, good, DOUBLE_PROC_ECHO, 2, NULL, 0), 0);
        lt_expect_reply(f, good, 2);
        assert_int_equal(remote_server_n_clients(f->s), 1);
        remote_transport_free(good);
        fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_silent_peer_dropped_at_the_handshake_deadline),
                cmocka_unit_test(test_packets_through_two_layers),
                cmocka_unit_test(test_input_held_in_the_layer_while_calls_pend),
                cmocka_unit_test(test_peer_without_the_layer_is_dropped),
                cmocka_unit_test(test_bad_length_word_through_the_layers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
