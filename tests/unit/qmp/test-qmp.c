/* test-qmp.c: the QMP client against a fake QEMU served by the test on the same loop: framing, ids, events, limits, teardown. */
#include "qmp-test.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "../core/test-util.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, " \
                 "\"capabilities\": [\"oob\"]}}\r\n"

/* The fake QEMU: one end of a socket, with an output queue and a record of the commands it got. */
typedef struct Peer {
        int fd;
        sd_event_source *src;
        char *out;
        size_t out_len, out_pos;
        char in[65536];
        size_t in_len;
        json_object *cmds[64];
        size_t n_cmds;
        bool answer_caps;       /* reply to qmp_capabilities by itself */
        bool eof, broken;
        int fds[8];             /* descriptors received (SCM_RIGHTS) */
        size_t fd_cmd[8];       /* with the bytes of which command (its index in cmds) */
        size_t n_fds;
} Peer;

static void peer_update(Peer *p) {
        sd_event_source_set_io_events(p->src, EPOLLIN | (p->out_pos < p->out_len ? EPOLLOUT : 0));
}

static void peer_send(Peer *p, const char *data, size_t n) {
        p->out = realloc(p->out, p->out_len + n);
        assert_non_null(p->out);
        memcpy(p->out + p->out_len, data, n);
        p->out_len += n;
        peer_update(p);
}

static void peer_sendf(Peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void peer_sendf(Peer *p, const char *fmt, ...) {
        char *s;
        va_list ap;
        va_start(ap, fmt);
        assert_true(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        peer_send(p, s, strlen(s));
        free(s);
}

static int64_t peer_cmd_id(const Peer *p, size_t i) {
        json_object *id;
        assert_true(i < p->n_cmds);
        assert_true(json_object_object_get_ex(p->cmds[i], "id", &id));
        return json_object_get_int64(id);
}

static const char *peer_cmd_name(const Peer *p, size_t i) {
        json_object *v;
        assert_true(i < p->n_cmds);
        assert_true(json_object_object_get_ex(p->cmds[i], "execute", &v));
        return json_object_get_string(v);
}

static int peer_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Peer *p = userdata;
        if (revents & EPOLLOUT) {
                ssize_t n = send(fd, p->out + p->out_pos, p->out_len - p->out_pos, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN) {
                        p->broken = true;
                        p->out_pos = p->out_len;
                } else if (n > 0) {
                        p->out_pos += (size_t) n;
                }
                peer_update(p);
        }
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                char control[CMSG_SPACE(sizeof(int) * 4)];
                struct iovec iov = { .iov_base = p->in + p->in_len, .iov_len = sizeof p->in - p->in_len - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                                     .msg_controllen = sizeof control };
                ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
                for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                                int rfd;
                                memcpy(&rfd, CMSG_DATA(cm), sizeof rfd);
                                assert_true(p->n_fds < 8);
                                p->fd_cmd[p->n_fds] = p->n_cmds;        /* the next command completed */
                                p->fds[p->n_fds++] = rfd;
                        }
                if (n <= 0) {
                        p->eof = true;
                        sd_event_source_set_enabled(s, SD_EVENT_OFF);
                        return 0;
                }
                p->in_len += (size_t) n;
                p->in[p->in_len] = '\0';
                char *nl;
                while ((nl = strchr(p->in, '\n'))) {
                        *nl = '\0';
                        json_object *cmd = json_tokener_parse(p->in);
                        assert_non_null(cmd);
                        assert_true(p->n_cmds < 64);
                        p->cmds[p->n_cmds++] = cmd;
                        size_t used = (size_t) (nl + 1 - p->in);
                        memmove(p->in, nl + 1, p->in_len - used + 1);
                        p->in_len -= used;
                        if (p->answer_caps && strcmp(peer_cmd_name(p, p->n_cmds - 1), "qmp_capabilities") == 0)
                                peer_sendf(p, "{\"return\": {}, \"id\": %lld}\r\n", (long long) peer_cmd_id(p, p->n_cmds - 1));
                }
        }
        return 0;
}

static void peer_init(Peer *p, sd_event *e, int fd) {
        memset(p, 0, sizeof *p);
        p->fd = fd;
        p->answer_caps = true;
        assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
        assert_true(sd_event_add_io(e, &p->src, fd, EPOLLIN, peer_on_io, p) >= 0);
}

static void peer_done(Peer *p) {
        sd_event_source_disable_unref(p->src);
        if (p->fd >= 0)
                close(p->fd);
        for (size_t i = 0; i < p->n_cmds; i++)
                json_object_put(p->cmds[i]);
        for (size_t i = 0; i < p->n_fds; i++)
                close(p->fds[i]);
        free(p->out);
}

/* A client and a fake QEMU joined by a socketpair. */
typedef struct Pair {
        sd_event *e;
        Peer peer;
        TqMonitor m;
} Pair;

static void pair_open(Pair *t, uint64_t timeout_usec) {
        memset(t, 0, sizeof *t);
        int sv[2];
        assert_int_equal(sd_event_new(&t->e), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        peer_init(&t->peer, t->e, sv[1]);
        assert_int_equal(qmp_open_fd(t->e, sv[0], timeout_usec, tq_on_event, tq_on_closed, tq_on_ready, &t->m, &t->m.q), 0);
}

/* Greeting and capabilities, until the client says ready. */
static void pair_ready(Pair *t) {
        peer_send(&t->peer, GREETING, strlen(GREETING));
        tq_run_until(t->e, &t->m.ready, 2000);
        assert_int_equal(t->m.ready_r, 0);
        assert_true(qmp_is_ready(t->m.q));
}

static void pair_close(Pair *t) {
        t->m.q = qmp_close(t->m.q);
        peer_done(&t->peer);
        sd_event_unref(t->e);
}

static void wait_cmds(Pair *t, size_t n) {
        uint64_t end = tq_now_usec() + 2000000;
        while (t->peer.n_cmds < n) {
                assert_true(tq_now_usec() < end);
                assert_true(sd_event_run(t->e, 10000) >= 0);
        }
}

static void test_handshake_and_queue(void **state) {
        Pair t;
        pair_open(&t, 0);
        /* A command sent before the handshake waits for it. */
        TqReply r = { 0 };
        assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &r), 0);
        assert_false(r.done);   /* never from inside qmp_send */
        tq_run_for(t.e, 20);
        assert_int_equal(t.peer.n_cmds, 0);
        assert_null(qmp_greeting(t.m.q));

        pair_ready(&t);
        assert_int_equal(t.m.n_ready, 1);
        wait_cmds(&t, 2);
        assert_string_equal(peer_cmd_name(&t.peer, 0), "qmp_capabilities");
        assert_string_equal(peer_cmd_name(&t.peer, 1), "query-status");
        json_object *v;
        assert_true(json_object_object_get_ex(qmp_greeting(t.m.q), "version", &v));

        peer_sendf(&t.peer, "{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": %lld}\r\n",
                   (long long) peer_cmd_id(&t.peer, 1));
        tq_run_until(t.e, &r.done, 2000);
        assert_string_equal(tq_ret_str(&r, "status"), "prelaunch");
        assert_string_equal(r.cls, "");

        /* Arguments go out under "arguments"; an error reply carries class and text. */
        TqReply r2 = { 0 };
        json_object *args = json_object_new_object();
        json_object_object_add(args, "device", json_object_new_string("disk0"));
        assert_int_equal(qmp_send(t.m.q, "device_del", args, tq_on_reply, &r2), 0);
        wait_cmds(&t, 3);
        assert_true(json_object_object_get_ex(t.peer.cmds[2], "arguments", &v));
        assert_true(json_object_object_get_ex(v, "device", &v));
        assert_string_equal(json_object_get_string(v), "disk0");
        peer_sendf(&t.peer, "{\"id\": %lld, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'disk0' not found\"}}\r\n",
                   (long long) peer_cmd_id(&t.peer, 2));
        tq_run_until(t.e, &r2.done, 2000);
        assert_null(r2.ret);
        assert_string_equal(r2.cls, "DeviceNotFound");
        assert_string_equal(r2.desc, "Device 'disk0' not found");
        assert_int_equal(r.count, 1);
        tq_reply_done(&r);
        tq_reply_done(&r2);
        pair_close(&t);
}

/* Run every pending source until the loop is idle. */
static void drain(sd_event *e) {
        while (sd_event_run(e, 0) > 0)
                ;
}

/* Send data in pieces of n bytes, letting the client read each piece alone. */
static void send_in_pieces(Pair *t, const char *data, size_t n) {
        for (size_t off = 0, len = strlen(data); off < len; off += n) {
                peer_send(&t->peer, data + off, len - off < n ? len - off : n);
                drain(t->e);
                assert_int_equal(t->peer.out_pos, t->peer.out_len);
        }
}

/* Every message of the conversation cut into one-byte reads, then into 7-byte reads. */
static void test_split_across_reads(void **state) {
        Pair t;
        pair_open(&t, 0);
        t.peer.answer_caps = false;
        TqReply r = { 0 };
        assert_int_equal(qmp_send(t.m.q, "query-name", NULL, tq_on_reply, &r), 0);
        send_in_pieces(&t, GREETING, 1);
        wait_cmds(&t, 1);
        char msgs[512];
        snprintf(msgs, sizeof msgs,
                 "{\"return\": {}, \"id\": %lld}\r\n"
                 "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n",
                 (long long) peer_cmd_id(&t.peer, 0));
        send_in_pieces(&t, msgs, 1);
        tq_run_until(t.e, &t.m.ready, 2000);
        wait_cmds(&t, 2);
        assert_string_equal(peer_cmd_name(&t.peer, 1), "query-name");
        /* A reply cut inside a string with escaped quotes and a two-byte UTF-8 character. */
        snprintf(msgs, sizeof msgs, "{\"return\": {\"name\": \"a \\\"b\\\" \xc3\xa9\"}, \"id\": %lld}\r\n",
                 (long long) peer_cmd_id(&t.peer, 1));
        send_in_pieces(&t, msgs, 7);
        tq_run_until(t.e, &r.done, 2000);
        assert_string_equal(tq_ret_str(&r, "name"), "a \"b\" \xc3\xa9");
        assert_int_equal(t.m.n_events, 1);
        assert_string_equal(t.m.events[0], "STOP");
        tq_reply_done(&r);
        pair_close(&t);
}

/* Many messages in one read, replies answered out of order: each reaches its own callback. */
static void test_many_per_read_out_of_order(void **state) {
        Pair t;
        pair_open(&t, 0);
        pair_ready(&t);
        TqReply r[3] = { 0 };
        for (int i = 0; i < 3; i++)
                assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &r[i]), 0);
        wait_cmds(&t, 4);
        char msgs[1024];
        snprintf(msgs, sizeof msgs,
                 "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}\r\n"
                 "{\"return\": {\"n\": 3}, \"id\": %lld}\r\n"
                 "{\"event\": \"RESET\", \"data\": {\"guest\": true}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}\r\n"
                 "{\"return\": {\"n\": 1}, \"id\": %lld}\r\n"
                 "{\"return\": {\"n\": 2}, \"id\": %lld}\r\n"
                 "{\"event\": \"STOP\"}",
                 (long long) peer_cmd_id(&t.peer, 3), (long long) peer_cmd_id(&t.peer, 1),
                 (long long) peer_cmd_id(&t.peer, 2));
        peer_send(&t.peer, msgs, strlen(msgs));
        tq_run_until(t.e, &r[1].done, 2000);
        tq_run_for(t.e, 10);
        for (int i = 0; i < 3; i++) {
                assert_int_equal(r[i].count, 1);
                json_object *n;
                assert_true(json_object_object_get_ex(r[i].ret, "n", &n));
                assert_int_equal(json_object_get_int(n), i + 1);
        }
        assert_true(r[2].order < r[0].order && r[0].order < r[1].order);
        assert_int_equal(t.m.n_events, 3);
        assert_string_equal(t.m.events[0], "RESUME");
        assert_string_equal(t.m.events[1], "RESET");
        assert_string_equal(t.m.events[2], "STOP");
        /* A reply to an id nobody waits for, and one without an id, are ignored. */
        peer_sendf(&t.peer, "{\"return\": {}, \"id\": 9999}\r\n{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}}\r\n");
        tq_run_for(t.e, 20);
        assert_false(t.m.closed);
        for (int i = 0; i < 3; i++)
                tq_reply_done(&r[i]);
        pair_close(&t);
}

static void test_message_limit(void **state) {
        Pair t, other;
        pair_open(&t, 0);
        pair_ready(&t);
        pair_open(&other, 0);
        pair_ready(&other);
        TqReply pending = { 0 };
        assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &pending), 0);
        wait_cmds(&t, 2);

        /* 11 MiB of one string and no end: the monitor is dropped once it passes 10 MiB. */
        size_t big = 11 * 1024 * 1024;
        char *data = malloc(big);
        assert_non_null(data);
        memset(data, 'a', big);
        const char *head = "{\"event\": \"X\", \"data\": {\"s\": \"";
        memcpy(data, head, strlen(head));
        peer_send(&t.peer, data, big);
        free(data);
        tq_run_until(t.e, &t.m.closed, 10000);
        assert_int_equal(t.m.closed_r, -EMSGSIZE);
        assert_int_equal(t.m.n_closed, 1);
        assert_true(pending.done);
        assert_int_equal(pending.count, 1);
        assert_string_equal(pending.cls, "Disconnected");
        assert_int_equal(t.m.n_events, 0);
        TqReply refused = { 0 };
        assert_int_equal(qmp_send(t.m.q, "cont", json_object_new_object(), tq_on_reply, &refused), -ENOTCONN);
        tq_run_until(t.e, &t.peer.eof, 2000);       /* the client closed its end */

        /* A message just under the limit on the other monitor still goes through. */
        TqReply r = { 0 };
        assert_int_equal(qmp_send(other.m.q, "query-big", NULL, tq_on_reply, &r), 0);
        wait_cmds(&other, 2);
        size_t n = QMP_MESSAGE_MAX - 100;
        data = malloc(n);
        assert_non_null(data);
        int k = snprintf(data, n, "{\"id\": %lld, \"return\": {\"s\": \"", (long long) peer_cmd_id(&other.peer, 1));
        memset(data + k, 'b', n - (size_t) k - 6);
        memcpy(data + n - 6, "\"}}\r\n", 5);
        data[n - 1] = '\n';
        peer_send(&other.peer, data, n);
        free(data);
        tq_run_until(other.e, &r.done, 10000);
        assert_non_null(tq_ret_str(&r, "s"));
        assert_int_equal(strlen(tq_ret_str(&r, "s")), n - (size_t) k - 6);
        assert_false(other.m.closed);
        tq_reply_done(&r);
        tq_reply_done(&pending);
        pair_close(&t);
        pair_close(&other);
}

static void test_eof_and_close(void **state) {
        Pair t;
        pair_open(&t, 0);
        pair_ready(&t);
        TqReply a = { 0 }, b = { 0 };
        assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &a), 0);
        wait_cmds(&t, 2);
        /* The peer goes away: closed(0), the pending reply fails once. */
        shutdown(t.peer.fd, SHUT_RDWR);
        tq_run_until(t.e, &t.m.closed, 2000);
        assert_int_equal(t.m.closed_r, 0);
        assert_int_equal(a.count, 1);
        assert_string_equal(a.cls, "Disconnected");
        assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &b), -ENOTCONN);
        pair_close(&t);
        assert_int_equal(a.count, 1);
        assert_false(b.done);

        /* qmp_close with replies outstanding: each fails exactly once, closed is not called. */
        pair_open(&t, 0);
        pair_ready(&t);
        TqReply c[2] = { 0 };
        for (int i = 0; i < 2; i++)
                assert_int_equal(qmp_send(t.m.q, "stop", NULL, tq_on_reply, &c[i]), 0);
        t.m.q = qmp_close(t.m.q);
        for (int i = 0; i < 2; i++) {
                assert_int_equal(c[i].count, 1);
                assert_string_equal(c[i].cls, "Disconnected");
        }
        tq_run_for(t.e, 10);
        assert_false(t.m.closed);
        pair_close(&t);
}

/* Closing from an event callback while more messages wait in the same read. */
static void test_close_inside_callback(void **state) {
        Pair t;
        pair_open(&t, 0);
        pair_ready(&t);
        TqReply r = { 0 };
        assert_int_equal(qmp_send(t.m.q, "query-status", NULL, tq_on_reply, &r), 0);
        wait_cmds(&t, 2);
        t.m.close_on_event = true;
        char msgs[256];
        snprintf(msgs, sizeof msgs, "{\"event\": \"STOP\"}\r\n{\"event\": \"RESUME\"}\r\n{\"return\": {}, \"id\": %lld}\r\n",
                 (long long) peer_cmd_id(&t.peer, 1));
        peer_send(&t.peer, msgs, strlen(msgs));
        tq_run_until(t.e, &r.done, 2000);
        tq_run_for(t.e, 10);
        assert_null(t.m.q);
        assert_int_equal(t.m.n_events, 1);
        assert_string_equal(r.cls, "Disconnected");
        assert_int_equal(r.count, 1);
        pair_close(&t);
}

static void test_protocol_errors(void **state) {
        /* Not a greeting. */
        Pair t;
        pair_open(&t, 0);
        peer_sendf(&t.peer, "{\"return\": {}}\r\n");
        tq_run_until(t.e, &t.m.ready, 2000);
        assert_int_equal(t.m.ready_r, -EPROTO);
        assert_false(t.m.closed);
        pair_close(&t);

        /* Garbage after the handshake. */
        pair_open(&t, 0);
        pair_ready(&t);
        peer_sendf(&t.peer, "{\"event\": ]\r\n");
        tq_run_until(t.e, &t.m.closed, 2000);
        assert_int_equal(t.m.closed_r, -EPROTO);
        pair_close(&t);

        /* qmp_capabilities refused. */
        pair_open(&t, 0);
        t.peer.answer_caps = false;
        peer_send(&t.peer, GREETING, strlen(GREETING));
        wait_cmds(&t, 1);
        peer_sendf(&t.peer, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}, \"id\": %lld}\r\n",
                   (long long) peer_cmd_id(&t.peer, 0));
        tq_run_until(t.e, &t.m.ready, 2000);
        assert_int_equal(t.m.ready_r, -EPROTO);
        pair_close(&t);

        /* No greeting within the deadline. */
        pair_open(&t, 50 * 1000);
        uint64_t t0 = tq_now_usec();
        tq_run_until(t.e, &t.m.ready, 2000);
        assert_int_equal(t.m.ready_r, -ETIMEDOUT);
        assert_true(tq_now_usec() - t0 < 1000 * 1000);
        pair_close(&t);
}

/* The socket appears after qmp_open: the client retries on a timer, then negotiates. */
typedef struct Listener {
        sd_event *e;
        char *path;
        int lfd;
        Peer peer;
        bool accepted;
        sd_event_source *accept_src, *create_src;
} Listener;

static int listener_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Listener *l = userdata;
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        assert_true(c >= 0);
        peer_init(&l->peer, l->e, c);
        peer_send(&l->peer, GREETING, strlen(GREETING));
        l->accepted = true;
        sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

static int listener_on_create(sd_event_source *s, uint64_t usec, void *userdata) {
        Listener *l = userdata;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", l->path);
        l->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_int_equal(bind(l->lfd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(l->lfd, 4), 0);
        assert_true(sd_event_add_io(l->e, &l->accept_src, l->lfd, EPOLLIN, listener_on_accept, l) >= 0);
        return 0;
}

static void test_connect_retry(void **state) {
        char *dir = tu_mkdtemp();
        Listener l = { .lfd = -1 };
        TqMonitor m = { 0 };
        assert_int_equal(sd_event_new(&l.e), 0);
        l.path = tu_path(dir, "qmp.sock");
        l.peer.fd = -1;
        assert_int_equal(qmp_open(l.e, l.path, 2 * 1000 * 1000, tq_on_event, tq_on_closed, tq_on_ready, &m, &m.q), 0);
        assert_true(sd_event_add_time_relative(l.e, &l.create_src, CLOCK_MONOTONIC, 30 * 1000, 1, listener_on_create,
                                               &l) >= 0);
        tq_run_until(l.e, &m.ready, 3000);
        assert_int_equal(m.ready_r, 0);
        assert_true(l.accepted);
        m.q = qmp_close(m.q);
        tq_run_until(l.e, &l.peer.eof, 2000);

        /* A socket that never appears: -ETIMEDOUT at the deadline, not before. */
        TqMonitor m2 = { 0 };
        char *nowhere = tu_path(dir, "never.sock");
        uint64_t t0 = tq_now_usec();
        assert_int_equal(qmp_open(l.e, nowhere, 100 * 1000, NULL, NULL, tq_on_ready, &m2, &m2.q), 0);
        tq_run_until(l.e, &m2.ready, 3000);
        assert_int_equal(m2.ready_r, -ETIMEDOUT);
        uint64_t took = tq_now_usec() - t0;
        assert_true(took >= 100 * 1000 && took < 1000 * 1000);
        m2.q = qmp_close(m2.q);

        /* A path too long for a unix socket is refused at once. */
        char longpath[200];
        memset(longpath, 'x', sizeof longpath - 1);
        longpath[0] = '/';
        longpath[sizeof longpath - 1] = '\0';
        Qmp *q = NULL;
        assert_int_equal(qmp_open(l.e, longpath, 0, NULL, NULL, NULL, NULL, &q), -ENAMETOOLONG);

        free(nowhere);
        peer_done(&l.peer);
        sd_event_source_disable_unref(l.accept_src);
        sd_event_source_disable_unref(l.create_src);
        close(l.lfd);
        free(l.path);
        sd_event_unref(l.e);
        tu_rm_rf(dir);
}

/* qmp_send_fd: the descriptor arrives with its own command's bytes, after the commands queued
 * before it and before those after it, and is the same open file. */
static void test_fd_passing(void **state) {
        Pair t;
        pair_open(&t, 0);
        pair_ready(&t);
        int pipefd[2];
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        TqReply r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
        assert_int_equal(qmp_send(t.m.q, "stop", NULL, tq_on_reply, &r1), 0);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "fdname", json_object_new_string("img"));
        assert_int_equal(qmp_send_fd(t.m.q, "getfd", args, pipefd[1], tq_on_reply, &r2), 0);
        assert_int_equal(qmp_send(t.m.q, "migrate", NULL, tq_on_reply, &r3), 0);
        wait_cmds(&t, 4);
        assert_string_equal(peer_cmd_name(&t.peer, 1), "stop");
        assert_string_equal(peer_cmd_name(&t.peer, 2), "getfd");
        assert_string_equal(peer_cmd_name(&t.peer, 3), "migrate");
        assert_int_equal(t.peer.n_fds, 1);
        /* in the read that carried getfd's bytes (stop's may share it), never with migrate's */
        assert_true(t.peer.fd_cmd[0] >= 1 && t.peer.fd_cmd[0] <= 2);
        assert_int_equal(write(t.peer.fds[0], "x", 1), 1);
        char c = 0;
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        assert_int_equal(c, 'x');
        /* the daemon's copy was closed once sent: the received one is the last writer */
        close(t.peer.fds[0]);
        t.peer.n_fds = 0;
        assert_int_equal(read(pipefd[0], &c, 1), 0);
        close(pipefd[0]);
        for (size_t i = 1; i <= 3; i++)
                peer_sendf(&t.peer, "{\"return\": {}, \"id\": %lld}\r\n", (long long) peer_cmd_id(&t.peer, i));
        tq_run_until(t.e, &r3.done, 2000);
        assert_true(r1.done && r2.done);
        tq_reply_done(&r1);
        tq_reply_done(&r2);
        tq_reply_done(&r3);
        pair_close(&t);
}

int main(void) {
        log_setup(4, NULL, NULL, NULL, 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_handshake_and_queue),
                cmocka_unit_test(test_split_across_reads),
                cmocka_unit_test(test_many_per_read_out_of_order),
                cmocka_unit_test(test_message_limit),
                cmocka_unit_test(test_eof_and_close),
                cmocka_unit_test(test_close_inside_callback),
                cmocka_unit_test(test_protocol_errors),
                cmocka_unit_test(test_connect_retry),
                cmocka_unit_test(test_fd_passing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
