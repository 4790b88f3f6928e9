/* test-server-clients.c: client connections: framing limits, max_clients, pending calls, output limits, closing, event fan-out. */
#include <stdarg.h>
#include <stddef.h>
#include <sys/resource.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server-test.h"
#include "../core/test-util.h"

static Fixture *started(void) {
        Fixture *f = fx_new();
        assert_int_equal(fx_start(f), 0);
        return f;
}

static int connect_rw(Fixture *f) {
        char *p = fx_path(f, "libvirt-sock");
        int fd = st_connect_unix(p);
        free(p);
        assert_true(fd >= 0);
        return fd;
}

static bool clients_are(Fixture *f, void *ud) {
        return remote_server_n_clients(f->s) == (size_t) (uintptr_t) ud;
}

static void test_echo_small_big_and_pipelined(void **state) {
        Fixture *f = started();
        int fd = connect_rw(f);
        assert_true(st_echo_ok(f, fd, 1));

        /* The smallest packet (header only). */
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_ECHO, 2, NULL, 0), 0);
        uint8_t *p;
        size_t n;
        assert_int_equal(st_recv_packet(f, fd, &p, &n, 3000000), 1);
        assert_int_equal(n, PACKET_LEN_MIN);
        free(p);

        /* Bigger than the inline buffer, and bigger than a socket buffer. */
        size_t big = 3 * 1024 * 1024;
        uint8_t *payload = malloc(big);
        for (size_t i = 0; i < big; i++)
                payload[i] = (uint8_t) (i * 7);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_ECHO, 3, payload, big), 0);
        assert_int_equal(st_recv_packet(f, fd, &p, &n, 10000000), 1);
        assert_int_equal(n, PACKET_LEN_MIN + big);
        assert_memory_equal(p + PACKET_LEN_MIN, payload, big);
        free(p);
        free(payload);

        /* Many calls in one write come back in order. */
        uint8_t batch[40 * 32];
        size_t off = 0;
        for (uint32_t s = 100; s < 140; s++) {
                uint8_t *q = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_ECHO, MSG_CALL, s, "abcd", 4, &n);
                memcpy(batch + off, q, n);
                off += n;
                free(q);
        }
        assert_int_equal(st_send_all(f, fd, batch, off), 0);
        for (uint32_t s = 100; s < 140; s++) {
                PacketHeader h;
                assert_int_equal(st_recv_header(f, fd, &h, 3000000), 1);
                assert_int_equal(h.serial, s);
        }
        close(fd);
        assert_true(fx_run_until(f, clients_are, (void *) 0, 2000000));
        fx_free(f);
}

static void test_bad_length_words_close_only_that_client(void **state) {
        Fixture *f = started();
        int good = connect_rw(f);
        assert_true(st_echo_ok(f, good, 1));
        const uint32_t bad[] = { 0, 4, 27, PACKET_LEN_MAX + 1, 0xffffffffu };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                int fd = connect_rw(f);
                assert_true(st_echo_ok(f, fd, 10));
                unsigned before = double_state.dispatched;
                assert_int_equal(st_send_word(f, fd, bad[i]), 0);
                assert_true(st_closed_within(f, fd, 2000000));
                assert_int_equal(double_state.dispatched, before);
                close(fd);
                assert_true(st_echo_ok(f, good, 20 + (uint32_t) i));
        }
        /* The largest length is accepted: the connection waits for the rest. */
        int fd = connect_rw(f);
        assert_int_equal(st_send_word(f, fd, PACKET_LEN_MAX), 0);
        assert_false(st_closed_within(f, fd, 200000));
        assert_true(st_echo_ok(f, good, 99));
        close(fd);
        close(good);
        assert_true(fx_run_until(f, clients_are, (void *) 0, 2000000));
        fx_free(f);
}

static void test_max_clients(void **state) {
        Fixture *f = fx_new();
        f->cfg.max_clients = 2;
        assert_int_equal(fx_start(f), 0);
        int a = connect_rw(f), b = connect_rw(f);
        assert_true(st_echo_ok(f, a, 1));
        assert_true(st_echo_ok(f, b, 1));
        int c = connect_rw(f);          /* the kernel accepts; the server closes at once */
        assert_true(st_closed_within(f, c, 2000000));
        close(c);
        assert_int_equal(remote_server_n_clients(f->s), 2);
        assert_true(st_echo_ok(f, a, 2));
        close(a);
        assert_true(fx_run_until(f, clients_are, (void *) 1, 2000000));
        c = connect_rw(f);
        assert_true(st_echo_ok(f, c, 3));
        close(b);
        close(c);
        fx_free(f);
}

static void test_max_anonymous_clients(void **state) {
        Fixture *f = fx_new();
        f->cfg.max_anonymous_clients = 1;
        assert_int_equal(fx_start(f), 0);
        remote_server_set_auth(f->s, REMOTE_AUTH_SASL);
        int a = connect_rw(f);
        assert_true(st_echo_ok(f, a, 1));
        int b = connect_rw(f);
        assert_true(st_closed_within(f, b, 2000000));
        close(b);
        /* Once a has authenticated, the next may come. */
        assert_int_equal(st_call(f, a, DOUBLE_PROC_AUTH, 2, NULL, 0), 0);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, a, &h, 2000000), 1);
        b = connect_rw(f);
        assert_true(st_echo_ok(f, b, 3));
        close(a);
        close(b);
        fx_free(f);
}

static void test_max_client_requests_stops_reading(void **state) {
        Fixture *f = fx_new();
        f->cfg.max_client_requests = 2;
        assert_int_equal(fx_start(f), 0);
        int fd = connect_rw(f), other = connect_rw(f);
        for (uint32_t s = 1; s <= 3; s++)
                assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, s, NULL, 0), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_ECHO, 4, NULL, 0), 0);
        fx_run(f, 200000);
        assert_int_equal(double_state.n_held, 2);       /* the third waits in the socket */
        assert_true(st_echo_ok(f, other, 1));           /* others are served meanwhile */
        assert_int_equal(double_release(1), 1);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
        assert_int_equal(h.serial, 1);
        fx_run(f, 100000);
        assert_int_equal(double_state.n_held, 2);       /* call 3 read; the echo still waits */
        assert_int_equal(double_release(2), 2);
        for (uint32_t s = 2; s <= 4; s++) {
                assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
                assert_int_equal(h.serial, s);
        }
        /* A lower limit applies live. */
        f->cfg.max_client_requests = 1;
        assert_int_equal(remote_server_reconfigure(f->s, &f->cfg), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, 5, NULL, 0), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, 6, NULL, 0), 0);
        fx_run(f, 200000);
        assert_int_equal(double_state.n_held, 1);
        double_release(SIZE_MAX);
        fx_run(f, 100000);
        assert_int_equal(double_state.n_held, 1);
        double_release(SIZE_MAX);
        close(fd);
        close(other);
        fx_free(f);
}

static void test_client_gone_during_a_call(void **state) {
        Fixture *f = started();
        int fd = connect_rw(f);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, 1, NULL, 0), 0);
        fx_run(f, 100000);
        assert_int_equal(double_state.n_held, 1);
        close(fd);
        assert_true(fx_run_until(f, clients_are, (void *) 0, 2000000));
        fx_run(f, 50000);
        /* The call ends after its client: the reply goes nowhere, nothing freed is touched. */
        assert_int_equal(double_release(1), 1);
        assert_int_equal(double_state.last_send, -ENOTCONN);
        assert_int_equal(double_state.subs_freed, 0);   /* the double never makes subs */
        fx_free(f);
}

static void test_server_freed_before_a_pending_call(void **state) {
        Fixture *f = started();
        int fd = connect_rw(f);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, 1, NULL, 0), 0);
        fx_run(f, 100000);
        assert_int_equal(double_state.n_held, 1);
        RemoteClient *c = double_state.held[0];
        f->s = remote_server_free(f->s);
        assert_null(c->server);
        assert_true(st_closed_within(f, fd, 1000000));
        assert_int_equal(double_release(1), 1);         /* frees the client */
        close(fd);
        fx_free(f);
}

static void test_output_limit_drops_a_client_that_does_not_read(void **state) {
        Fixture *f = started();
        remote_server_limits(f->s)->output_max = 256 * 1024;
        int lazy = connect_rw(f), busy = connect_rw(f);
        uint8_t size[4] = { 0, 1, 0, 0 };       /* 64 KiB replies */
        for (uint32_t s = 1; s <= 64; s++)
                assert_int_equal(st_call(f, lazy, DOUBLE_PROC_BIG, s, size, 4), 0);
        fx_run(f, 300000);
        assert_int_equal(double_state.last_send, -ENOBUFS);
        assert_int_equal(remote_server_n_clients(f->s), 1);
        assert_true(st_echo_ok(f, busy, 1));
        close(lazy);
        close(busy);
        fx_free(f);
}

static void test_close_after_reply(void **state) {
        Fixture *f = started();
        int fd = connect_rw(f);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_CLOSE, 5, NULL, 0), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_ECHO, 6, NULL, 0), 0);   /* never read */
        PacketHeader h;
        assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
        assert_int_equal(h.serial, 5);
        assert_true(st_closed_within(f, fd, 2000000));
        close(fd);
        fx_free(f);
}

static void test_half_close_gets_its_answers(void **state) {
        Fixture *f = started();
        int fd = connect_rw(f);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_HOLD, 1, NULL, 0), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_ECHO, 2, NULL, 0), 0);
        shutdown(fd, SHUT_WR);
        fx_run(f, 200000);
        assert_int_equal(remote_server_n_clients(f->s), 1);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
        assert_int_equal(h.serial, 2);
        double_release(1);
        assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
        assert_int_equal(h.serial, 1);
        assert_true(st_closed_within(f, fd, 2000000));
        close(fd);
        fx_free(f);
}

static void test_events_reach_every_client(void **state) {
        Fixture *f = started();
        int a = connect_rw(f), b = connect_rw(f);
        char *ro = fx_path(f, "libvirt-sock-ro");
        int c = st_connect_unix(ro);
        free(ro);
        assert_true(st_echo_ok(f, a, 1) && st_echo_ok(f, b, 1) && st_echo_ok(f, c, 1));
        Notice n = { .type = NOTICE_LIFECYCLE };
        manager_notify(f->m, &n);
        assert_int_equal(double_state.delivered, 3);
        int fds[] = { a, b, c };
        for (size_t i = 0; i < 3; i++) {
                PacketHeader h;
                assert_int_equal(st_recv_header(f, fds[i], &h, 2000000), 1);
                assert_int_equal(h.type, MSG_MESSAGE);
                assert_int_equal(h.proc, 318);
        }
        /* A dropped client gets none. */
        close(b);
        assert_true(fx_run_until(f, clients_are, (void *) 2, 2000000));
        manager_notify(f->m, &n);
        assert_int_equal(double_state.delivered, 5);
        /* Without a server, no observer is left. */
        f->s = remote_server_free(f->s);
        manager_notify(f->m, &n);
        assert_int_equal(double_state.delivered, 5);
        close(a);
        close(c);
        fx_free(f);
}

static void test_callback_ids(void **state) {
        Fixture *f = started();
        assert_int_equal(remote_server_next_callback_id(f->s), 0);
        assert_int_equal(remote_server_next_callback_id(f->s), 1);
        assert_int_equal(remote_server_next_callback_id(f->s), 2);
        fx_free(f);
}

static void count_client(RemoteClient *c, void *ud) {
        (*(int *) ud)++;
}

static void test_foreach_skips_closing(void **state) {
        Fixture *f = started();
        int a = connect_rw(f), b = connect_rw(f);
        assert_true(st_echo_ok(f, a, 1) && st_echo_ok(f, b, 1));
        int n = 0;
        remote_server_foreach_client(f->s, count_client, &n);
        assert_int_equal(n, 2);
        assert_int_equal(st_call(f, b, DOUBLE_PROC_HOLD, 2, NULL, 0), 0);
        fx_run(f, 100000);
        remote_client_close(double_state.held[0]);
        n = 0;
        remote_server_foreach_client(f->s, count_client, &n);
        assert_int_equal(n, 1);
        double_release(1);
        close(a);
        close(b);
        fx_free(f);
}

static void test_out_of_descriptors_pauses_accepting(void **state) {
        /* valgrind emulates EMFILE after the kernel accepted, losing the connection. */
        const char *preload = getenv("LD_PRELOAD");
        if (preload && strstr(preload, "vgpreload"))
                TU_SKIP("under valgrind, which loses the connection when it emulates EMFILE");
        Fixture *f = started();
        int early = connect_rw(f);
        assert_true(st_echo_ok(f, early, 1));
        /* A client socket made now, connected once no descriptor is left for accept(). */
        int late = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(late >= 0);
        int probe = dup(0);
        assert_true(probe >= 0);
        close(probe);
        struct rlimit saved, low;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
        low = saved;
        low.rlim_cur = (rlim_t) probe;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s/libvirt-sock", f->sock_dir);
        assert_int_equal(connect(late, (struct sockaddr *) &sa, sizeof sa), 0);
        fcntl(late, F_SETFL, O_NONBLOCK);
        uint64_t t0 = st_now();
        fx_run(f, 300000);              /* EMFILE: accepting pauses instead of spinning */
        assert_int_equal(remote_server_n_clients(f->s), 1);
        assert_true(st_echo_ok(f, early, 2));   /* the connected client is still served */
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
        assert_true(st_echo_ok(f, late, 3));    /* accepted once the pause is over */
        assert_true(st_now() - t0 >= 500000);
        close(early);
        close(late);
        fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_echo_small_big_and_pipelined),
                cmocka_unit_test(test_bad_length_words_close_only_that_client),
                cmocka_unit_test(test_max_clients),
                cmocka_unit_test(test_max_anonymous_clients),
                cmocka_unit_test(test_max_client_requests_stops_reading),
                cmocka_unit_test(test_client_gone_during_a_call),
                cmocka_unit_test(test_server_freed_before_a_pending_call),
                cmocka_unit_test(test_output_limit_drops_a_client_that_does_not_read),
                cmocka_unit_test(test_close_after_reply),
                cmocka_unit_test(test_half_close_gets_its_answers),
                cmocka_unit_test(test_events_reach_every_client),
                cmocka_unit_test(test_callback_ids),
                cmocka_unit_test(test_foreach_skips_closing),
                cmocka_unit_test(test_out_of_descriptors_pauses_accepting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
