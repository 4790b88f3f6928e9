/* test-server-fds.c: CALL_WITH_FDS on the transport: descriptors read after their call (one byte each, as libvirt's client sends them), the count checked, nothing leaked on any path. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server-test.h"

/* What the protocol side got with the last CALL_WITH_FDS. */
static struct {
        unsigned calls;
        size_t n_fds;
        ino_t ino[PACKET_FDS_MAX];
        bool cloexec[PACKET_FDS_MAX];
        uint32_t count_word;            /* the u32 after the header */
} got;

/* The protocol double with descriptors: records them, closes them, answers an empty REPLY. */
static void fds_packet(RemoteClient *c, const uint8_t *packet, size_t len, int *fds, size_t n) {
        got.calls++;
        got.n_fds = n;
        got.count_word = len >= PACKET_LEN_MIN + 4 ? (uint32_t) packet[28] << 24 | (uint32_t) packet[29] << 16 |
                                                             (uint32_t) packet[30] << 8 | packet[31]
                                                   : UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                got.ino[i] = fstat(fds[i], &st) == 0 ? st.st_ino : 0;
                got.cloexec[i] = fcntl(fds[i], F_GETFD) & FD_CLOEXEC;
                close(fds[i]);
        }
        PacketHeader h;
        double_parse(packet, &h);
        size_t rlen;
        uint8_t *p = double_packet(h.prog, h.proc, MSG_REPLY, h.serial, NULL, 0, &rlen);
        remote_client_send(c, p, rlen);
}

static RemoteProtocol fds_proto;

static int count_open_fds(void) {
        return st_count_entries("/proc/self/fd");
}

static Fixture *started(bool with_fds) {
        Fixture *f = fx_new();
        fds_proto = protocol_double;
        fds_proto.packet_fds = fds_packet;
        if (with_fds)
                f->proto = &fds_proto;
        memset(&got, 0, sizeof got);
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

/* A CALL_WITH_FDS announcing count descriptors (and a payload after the count). */
static int send_call_with_fds(Fixture *f, int fd, uint32_t serial, uint32_t count) {
        uint8_t payload[8] = { (uint8_t) (count >> 24), (uint8_t) (count >> 16), (uint8_t) (count >> 8),
                               (uint8_t) count, 0, 0, 0, 42 };
        size_t len;
        uint8_t *p = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_ECHO, MSG_CALL_WITH_FDS, serial, payload,
                                   sizeof payload, &len);
        int r = st_send_all(f, fd, p, len);
        free(p);
        return r;
}

/* n descriptors with one zero byte (n 0: the byte alone), as libvirt's sendfd. */
static int send_fds_byte(int sock, const int *fds, size_t n) {
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 64)];
        } ctl = { 0 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (n) {
                mh.msg_control = ctl.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static bool got_calls(Fixture *f, void *ud) {
        return got.calls >= *(unsigned *) ud;
}

static ino_t ino_of(int fd) {
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        return st.st_ino;
}

/* Three pipes' ends arrive in order, CLOEXEC, with the call; the next plain call, sent in the
 * same burst, is dispatched as ever; the daemon keeps none of them. */
static void test_call_with_three_fds(void **state) {
        Fixture *f = started(true);
        int base = count_open_fds();
        int sock = connect_rw(f);
        int p1[2], p2[2], p3[2];
        assert_int_equal(pipe(p1), 0);
        assert_int_equal(pipe(p2), 0);
        assert_int_equal(pipe(p3), 0);
        int sent[3] = { p1[0], p2[1], p3[0] };
        assert_int_equal(send_call_with_fds(f, sock, 5, 3), 0);
        for (int i = 0; i < 3; i++)
                assert_int_equal(send_fds_byte(sock, &sent[i], 1), 0);
        assert_int_equal(st_call(f, sock, DOUBLE_PROC_ECHO, 6, "ping", 4), 0);
        unsigned one = 1;
        assert_true(fx_run_until(f, got_calls, &one, 3000000));
        assert_int_equal(got.n_fds, 3);
        assert_int_equal(got.count_word, 3);
        for (int i = 0; i < 3; i++) {
                assert_int_equal(got.ino[i], ino_of(sent[i]));
                assert_true(got.cloexec[i]);
        }
        PacketHeader h;
        assert_int_equal(st_recv_header(f, sock, &h, 3000000), 1);
        assert_int_equal(h.serial, 5);
        assert_int_equal(st_recv_header(f, sock, &h, 3000000), 1);
        assert_int_equal(h.serial, 6);
        assert_int_equal(h.proc, DOUBLE_PROC_ECHO);
        close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]), close(p3[0]), close(p3[1]);
        close(sock);
        fx_run(f, 50000);
        assert_int_equal(count_open_fds(), base);
        fx_free(f);
}

/* A count above 32 closes the connection before anything is read for it. */
static void test_too_many_fds_announced(void **state) {
        Fixture *f = started(true);
        int sock = connect_rw(f);
        assert_int_equal(send_call_with_fds(f, sock, 1, PACKET_FDS_MAX + 1), 0);
        assert_true(st_closed_within(f, sock, 3000000));
        assert_int_equal(got.calls, 0);
        close(sock);
        fx_free(f);
}

/* A zero count is a call like any other. */
static void test_zero_fds(void **state) {
        Fixture *f = started(true);
        int sock = connect_rw(f);
        assert_int_equal(send_call_with_fds(f, sock, 1, 0), 0);
        PacketHeader h;
        assert_int_equal(st_recv_header(f, sock, &h, 3000000), 1);
        assert_int_equal(h.serial, 1);
        assert_int_equal(got.calls, 1);
        assert_int_equal(got.n_fds, 0);
        close(sock);
        fx_free(f);
}

/* One case on a unix socket: a client, a pipe to pass the ends of, and the process's open
 * descriptors before (the server runs in this process). */
typedef struct Case {
        Fixture *f;
        int base, sock, pp[2];
} Case;

static Case case_begin(bool with_fds) {
        Case k = { .f = started(with_fds) };
        k.base = count_open_fds();
        k.sock = connect_rw(k.f);
        assert_int_equal(pipe(k.pp), 0);
        return k;
}

/* The client and the pipe go: the server holds nothing more than before. */
static void case_end(Case *k) {
        if (k->sock >= 0)
                close(k->sock);
        close(k->pp[0]);
        close(k->pp[1]);
        fx_run(k->f, 100000);
        assert_int_equal(count_open_fds(), k->base);
        fx_free(k->f);
}

/* Bytes that should carry descriptors but do not: dropped, and the one that came is closed. */
static void test_byte_without_fd_drops_and_closes(void **state) {
        Case k = case_begin(true);
        assert_int_equal(send_call_with_fds(k.f, k.sock, 1, 2), 0);
        assert_int_equal(send_fds_byte(k.sock, &k.pp[0], 1), 0);
        assert_int_equal(send_fds_byte(k.sock, NULL, 0), 0);
        assert_true(st_closed_within(k.f, k.sock, 3000000));
        assert_int_equal(got.calls, 0);
        case_end(&k);
}

/* The client goes after one of two descriptors: the one received is closed. */
static void test_disconnect_midway_closes(void **state) {
        Case k = case_begin(true);
        assert_int_equal(send_call_with_fds(k.f, k.sock, 1, 2), 0);
        assert_int_equal(send_fds_byte(k.sock, &k.pp[0], 1), 0);
        fx_run(k.f, 100000);
        close(k.sock);
        k.sock = -1;
        fx_run(k.f, 200000);
        assert_int_equal(got.calls, 0);
        assert_int_equal(remote_server_n_clients(k.f->s), 0);
        case_end(&k);
}

/* Descriptors sent with a plain call's bytes are not the call's: closed, the call served. */
static void test_stray_fds_are_closed(void **state) {
        Case k = case_begin(true);
        size_t len;
        uint8_t *p = double_packet(REMOTE_PROGRAM, DOUBLE_PROC_ECHO, MSG_CALL, 3, "ping", 4, &len);
        /* the whole call but its last byte, then that byte with a descriptor */
        assert_int_equal(st_send_all(k.f, k.sock, p, len - 1), 0);
        struct iovec iov = { .iov_base = p + len - 1, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = { 0 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        *c = (struct cmsghdr) { .cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };
        memcpy(CMSG_DATA(c), &k.pp[0], sizeof(int));
        assert_int_equal(sendmsg(k.sock, &mh, MSG_NOSIGNAL), 1);
        free(p);
        PacketHeader h;
        assert_int_equal(st_recv_header(k.f, k.sock, &h, 3000000), 1);
        assert_int_equal(h.serial, 3);
        assert_int_equal(got.calls, 0);
        case_end(&k);
}

/* More descriptors in one message than a call may carry: the kernel closes what does not fit,
 * the daemon the rest, and the client goes. */
static void test_one_message_with_too_many_fds(void **state) {
        Case k = case_begin(true);
        int many[40];
        for (int i = 0; i < 40; i++)
                many[i] = k.pp[0];
        assert_int_equal(send_call_with_fds(k.f, k.sock, 1, 2), 0);
        assert_int_equal(send_fds_byte(k.sock, many, 40), 0);
        assert_true(st_closed_within(k.f, k.sock, 3000000));
        case_end(&k);
}

/* A protocol side without packet_fds gets the call, the descriptors are closed. */
static void test_protocol_without_fds(void **state) {
        Case k = case_begin(false);
        assert_int_equal(send_call_with_fds(k.f, k.sock, 9, 1), 0);
        assert_int_equal(send_fds_byte(k.sock, &k.pp[1], 1), 0);
        PacketHeader h;
        assert_int_equal(st_recv_header(k.f, k.sock, &h, 3000000), 1);
        assert_int_equal(h.serial, 9);
        case_end(&k);
}

/* TCP cannot carry descriptors: a CALL_WITH_FDS there ends the connection (libvirt's server
 * does the same). */
static void test_tcp_refuses(void **state) {
        Fixture *f = fx_new();
        f->proto = &fds_proto;
        fds_proto = protocol_double;
        fds_proto.packet_fds = fds_packet;
        memset(&got, 0, sizeof got);
        int probe = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t slen = sizeof sa;
        assert_int_equal(bind(probe, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(getsockname(probe, (struct sockaddr *) &sa, &slen), 0);
        close(probe);
        f->cfg.listen_tcp = true;
        f->cfg.auth_tcp = strdup("none");
        f->cfg.listen_addr = strdup("127.0.0.1");
        assert_true(asprintf(&f->cfg.tcp_port, "%u", ntohs(sa.sin_port)) > 0);
        assert_int_equal(fx_start(f), 0);
        int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(sock, (struct sockaddr *) &sa, sizeof sa), 0);
        fcntl(sock, F_SETFL, O_NONBLOCK);
        assert_true(st_echo_ok(f, sock, 1));
        assert_int_equal(send_call_with_fds(f, sock, 2, 1), 0);
        assert_true(st_closed_within(f, sock, 3000000));
        assert_int_equal(got.calls, 0);
        close(sock);
        fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_call_with_three_fds),
                cmocka_unit_test(test_too_many_fds_announced),
                cmocka_unit_test(test_zero_fds),
                cmocka_unit_test(test_byte_without_fd_drops_and_closes),
                cmocka_unit_test(test_disconnect_midway_closes),
                cmocka_unit_test(test_stray_fds_are_closed),
                cmocka_unit_test(test_one_message_with_too_many_fds),
                cmocka_unit_test(test_protocol_without_fds),
                cmocka_unit_test(test_tcp_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
