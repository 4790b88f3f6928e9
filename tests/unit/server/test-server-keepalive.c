/* test-server-keepalive.c: keepalive PINGs and drops, the authentication timeout, and live changes to both. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server-test.h"

static int connect_rw(Fixture *f) {
        char *p = fx_path(f, "libvirt-sock");
        int fd = st_connect_unix(p);
        free(p);
        assert_true(fd >= 0);
        return fd;
}

/* Ask for keepalive (feature 10) as virsh does; the double starts the server's timer. */
static void request_keepalive(Fixture *f, int fd) {
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_KEEPALIVE, 1, NULL, 0), 0);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, fd, &h, 2000000), 1);
        assert_int_equal(h.type, MSG_REPLY);
}

/* Reads until the server closes fd or usec pass; counts the PINGs seen. */
static bool wait_closed_counting_pings(Fixture *f, int fd, uint64_t usec, unsigned *pings) {
        uint64_t end = st_now() + usec;
        while (st_now() < end) {
                uint8_t *p;
                size_t n;
                int r = st_recv_packet(f, fd, &p, &n, end - st_now());
                if (r == 0)
                        return true;
                if (r < 0)
                        return false;
                PacketHeader h;
                double_parse(p, &h);
                if (h.prog == KEEPALIVE_PROGRAM && h.proc == KEEPALIVE_PROC_PING && h.type == MSG_MESSAGE)
                        (*pings)++;
                free(p);
        }
        return false;
}

static void test_unresponsive_client_dropped(void **state) {
        Fixture *f = fx_new();
        f->cfg.keepalive_interval = 1;
        f->cfg.keepalive_count = 1;
        assert_int_equal(fx_start(f), 0);
        int fd = connect_rw(f);
        request_keepalive(f, fd);
        uint64_t t0 = st_now();
        unsigned pings = 0;
        /* interval × (count + 1) = 2 s; generous bounds, not a timing test. */
        assert_true(wait_closed_counting_pings(f, fd, 8000000, &pings));
        uint64_t took = st_now() - t0;
        assert_true(took >= 1000000);
        assert_true(took < 8000000);
        assert_int_equal(pings, 1);
        assert_int_equal(remote_server_n_clients(f->s), 0);
        close(fd);
        fx_free(f);
}

static void test_responsive_client_kept(void **state) {
        Fixture *f = fx_new();
        f->cfg.keepalive_interval = 1;
        f->cfg.keepalive_count = 1;
        assert_int_equal(fx_start(f), 0);
        int fd = connect_rw(f);
        request_keepalive(f, fd);
        unsigned pongs = 0;
        uint64_t end = st_now() + 3500000;
        while (st_now() < end) {
                uint8_t *p;
                size_t n;
                int r = st_recv_packet(f, fd, &p, &n, end - st_now());
                assert_int_not_equal(r, 0);     /* never closed */
                if (r < 0)
                        break;
                PacketHeader h;
                double_parse(p, &h);
                free(p);
                if (h.prog == KEEPALIVE_PROGRAM && h.proc == KEEPALIVE_PROC_PING) {
                        uint8_t *q = double_packet(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PONG, MSG_MESSAGE, 0, NULL, 0, &n);
                        assert_int_equal(st_send_all(f, fd, q, n), 0);
                        free(q);
                        pongs++;
                }
        }
        assert_true(pongs >= 2);
        assert_int_equal(remote_server_n_clients(f->s), 1);
        assert_true(st_echo_ok(f, fd, 2));
        close(fd);
        fx_free(f);
}

static void test_no_pings_without_request(void **state) {
        Fixture *f = fx_new();
        f->cfg.keepalive_interval = 1;
        f->cfg.keepalive_count = 0;
        assert_int_equal(fx_start(f), 0);
        int fd = connect_rw(f);
        assert_true(st_echo_ok(f, fd, 1));
        unsigned pings = 0;
        assert_false(wait_closed_counting_pings(f, fd, 2500000, &pings));
        assert_int_equal(pings, 0);
        assert_true(st_echo_ok(f, fd, 2));
        close(fd);
        fx_free(f);
}

static void test_keepalive_disabled(void **state) {
        Fixture *f = fx_new();
        f->cfg.keepalive_interval = -1;
        assert_int_equal(fx_start(f), 0);
        int fd = connect_rw(f);
        request_keepalive(f, fd);
        unsigned pings = 0;
        assert_false(wait_closed_counting_pings(f, fd, 1500000, &pings));
        assert_int_equal(pings, 0);

        /* A reload turns it on for the clients that asked. */
        f->cfg.keepalive_interval = 1;
        f->cfg.keepalive_count = 0;
        assert_int_equal(remote_server_reconfigure(f->s, &f->cfg), 0);
        uint64_t t0 = st_now();
        assert_true(wait_closed_counting_pings(f, fd, 6000000, &pings));
        assert_true(st_now() - t0 >= 500000);
        assert_int_equal(pings, 0);             /* count 0: dropped after one silent interval, no PING */
        close(fd);
        fx_free(f);
}

static void test_unauthenticated_client_times_out(void **state) {
        Fixture *f = fx_new();
        assert_int_equal(fx_start(f), 0);
        remote_server_set_auth(f->s, REMOTE_AUTH_SASL);
        remote_server_limits(f->s)->auth_timeout_usec = 500000;
        int idle = connect_rw(f), good = connect_rw(f);
        assert_int_equal(st_call(f, good, DOUBLE_PROC_AUTH, 1, NULL, 0), 0);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, good, &h, 2000000), 1);
        uint64_t t0 = st_now();
        assert_true(st_closed_within(f, idle, 5000000));
        assert_true(st_now() - t0 >= 300000);
        assert_true(st_echo_ok(f, good, 2));
        fx_run(f, 700000);
        assert_true(st_echo_ok(f, good, 3));
        close(idle);
        close(good);
        fx_free(f);
}

static Fixture *started_with_close_timeout(void) {
        Fixture *f = fx_new();
        assert_int_equal(fx_start(f), 0);
        remote_server_limits(f->s)->close_timeout_usec = 500000;
        return f;
}

static void test_closing_client_that_never_reads_is_dropped(void **state) {
        Fixture *f = started_with_close_timeout();
        int fd = connect_rw(f);
        uint8_t size[4] = { 0, 0x40, 0, 0 };    /* a 4 MiB reply: more than the socket holds */
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_BIG, 1, size, 4), 0);
        assert_int_equal(st_call(f, fd, DOUBLE_PROC_CLOSE, 2, NULL, 0), 0);
        fx_run(f, 100000);
        assert_int_equal(remote_server_n_clients(f->s), 1);
        uint64_t t0 = st_now();
        while (remote_server_n_clients(f->s) == 1 && st_now() - t0 < 5000000)
                fx_run(f, 50000);
        assert_int_equal(remote_server_n_clients(f->s), 0);
        assert_true(st_now() - t0 >= 200000);
        close(fd);
        fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unresponsive_client_dropped),
                cmocka_unit_test(test_responsive_client_kept),
                cmocka_unit_test(test_no_pings_without_request),
                cmocka_unit_test(test_keepalive_disabled),
                cmocka_unit_test(test_unauthenticated_client_times_out),
                cmocka_unit_test(test_closing_client_that_never_reads_is_dropped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
