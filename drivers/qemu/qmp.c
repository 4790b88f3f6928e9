/* qmp.c: the QMP client: a non-blocking unix socket, an incremental JSON reader, a FIFO of commands awaiting replies. */
#define LOG_MODULE "qemu.qmp"

#include "qmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* How long to wait between attempts to connect while QEMU has not created its socket yet. */
#define QMP_RETRY_FIRST_USEC 1000
#define QMP_RETRY_MAX_USEC 10000
/* Read at most this much per wakeup, so one chatty monitor cannot starve the loop. */
#define QMP_READ_CHUNK 65536
#define QMP_READS_PER_WAKEUP 16
/* QMP replies nest a few levels; query-qmp-schema is the deepest in practice. */
#define QMP_JSON_DEPTH 64

typedef enum QmpState {
        QMP_CONNECTING,         /* waiting for the socket to accept */
        QMP_GREETING,           /* connected, waiting for {"QMP": …} */
        QMP_NEGOTIATING,        /* qmp_capabilities sent */
        QMP_READY,
        QMP_BROKEN,             /* failed or closed by the peer; waiting for qmp_close() */
        QMP_CLOSED,             /* qmp_close() called; memory goes with the last reference */
} QmpState;

typedef struct QmpPending {
        struct QmpPending *next;
        uint64_t id;
        char *text;             /* the serialized command until it is queued for writing */
        bool handshake;         /* qmp_capabilities: may go out before the monitor is ready */
        int pass_fd;            /* a descriptor its first byte carries (SCM_RIGHTS), or -1 */
        QmpReplyFn fn;
        void *userdata;
} QmpPending;

struct Qmp {
        unsigned n_ref;
        QmpState state;
        sd_event *event;
        char *path;             /* NULL for qmp_open_fd() */
        int fd;
        sd_event_source *io, *timer;
        uint64_t deadline;      /* CLOCK_MONOTONIC µs; 0 for none */
        uint64_t retry_usec;
        json_tokener *tok;
        size_t msg_bytes;       /* bytes of the message being read so far */
        char *wbuf;
        size_t wlen, wpos, wcap;
        QmpPending *pending, *pending_tail;
        int out_fd;             /* the descriptor the byte at wbuf[out_fd_at] carries, or -1 */
        size_t out_fd_at;
        uint64_t next_id;
        json_object *greeting;
        QmpEventFn on_event;
        QmpClosedFn on_closed;
        QmpReadyFn on_ready;
        void *userdata;
};

static const char *qmp_name(const Qmp *q) {
        return q->path ? q->path : "(fd)";
}

static bool qmp_live(const Qmp *q) {
        return q->state < QMP_BROKEN;
}

static Qmp *qmp_ref(Qmp *q) {
        q->n_ref++;
        return q;
}

static void qmp_unref(Qmp *q) {
        if (--q->n_ref > 0)
                return;
        json_tokener_free(q->tok);
        json_object_put(q->greeting);
        free(q->wbuf);
        free(q->path);
        free(q);
}

/* Drop the socket and the event sources; q stays allocated. */
static void qmp_release(Qmp *q) {
        q->io = sd_event_source_disable_unref(q->io);
        q->timer = sd_event_source_disable_unref(q->timer);
        if (q->fd >= 0)
                close(q->fd);
        q->fd = -1;
        q->wlen = q->wpos = 0;
        if (q->out_fd >= 0)
                close(q->out_fd);
        q->out_fd = -1;
}

/* Answer every command still waiting with "Disconnected", once each. A callback may send
 * (refused: the state is no longer live) or close q (held by our reference). */
static void qmp_fail_pending(Qmp *q, const char *why) {
        QmpPending *p = q->pending;
        q->pending = q->pending_tail = NULL;
        qmp_ref(q);
        while (p) {
                QmpPending *next = p->next;
                if (p->fn)
                        p->fn(q, NULL, "Disconnected", why, p->userdata);
                if (p->pass_fd >= 0)
                        close(p->pass_fd);
                free(p->text);
                free(p);
                p = next;
        }
        qmp_unref(q);
}

/* The monitor failed (or the peer closed it): tell whoever waits, once. */
static void qmp_fail(Qmp *q, int r) {
        if (!qmp_live(q))
                return;
        bool was_ready = q->state == QMP_READY;
        q->state = QMP_BROKEN;
        qmp_release(q);
        if (r == -EMSGSIZE)
                log_error("QMP %s: a message exceeds %zu bytes; monitor dropped", qmp_name(q), QMP_MESSAGE_MAX);
        else if (r == 0 || r == -ECONNRESET)
                log_debug("QMP %s: closed by QEMU", qmp_name(q));
        else
                log_warning("QMP %s: monitor lost: %s", qmp_name(q), strerror(-r));
        qmp_ref(q);
        qmp_fail_pending(q, r == 0 ? "monitor closed by QEMU" : strerror(-r));
        if (q->state == QMP_BROKEN) {   /* not closed by a reply callback */
                if (was_ready) {
                        if (q->on_closed)
                                q->on_closed(q, r, q->userdata);
                } else if (q->on_ready) {
                        q->on_ready(q, r == 0 ? -ECONNRESET : r, q->userdata);
                }
        }
        qmp_unref(q);
}

static int qmp_wbuf_append(Qmp *q, const char *s, size_t n) {
        if (q->wpos > 0 && q->wpos == q->wlen)
                q->wpos = q->wlen = 0;
        if (q->wlen + n > q->wcap) {
                size_t cap = q->wcap ? q->wcap : 4096;
                while (cap < q->wlen + n)
                        cap *= 2;
                char *b = realloc(q->wbuf, cap);
                if (!b)
                        return -ENOMEM;
                q->wbuf = b;
                q->wcap = cap;
        }
        memcpy(q->wbuf + q->wlen, s, n);
        q->wlen += n;
        return 0;
}

static int qmp_update_events(Qmp *q) {
        if (!q->io)
                return 0;
        return sd_event_source_set_io_events(q->io, EPOLLIN | (q->wpos < q->wlen ? EPOLLOUT : 0));
}

/* Move commands that may go out now into the write buffer, in order. */
static int qmp_flush_queue(Qmp *q) {
        if (!q->io)
                return 0;
        for (QmpPending *p = q->pending; p; p = p->next) {
                if (!p->text || !(q->state == QMP_READY || p->handshake))
                        continue;
                if (p->pass_fd >= 0) {
                        if (q->out_fd >= 0)
                                break;          /* one descriptor in the buffer at a time: the rest waits */
                        q->out_fd = p->pass_fd;
                        q->out_fd_at = q->wlen;
                        p->pass_fd = -1;
                }
                log_debug("QMP %s: send %s", qmp_name(q), p->text);
                int r = qmp_wbuf_append(q, p->text, strlen(p->text));
                if (r < 0)
                        return r;
                free(p->text);
                p->text = NULL;
        }
        return qmp_update_events(q);
}

/* pass_fd (or -1) is taken in every case. */
static int qmp_queue_fd(Qmp *q, const char *command, json_object *args, QmpReplyFn fn, void *userdata,
                        bool handshake, int pass_fd) {
        QmpPending *p = calloc(1, sizeof *p);
        json_object *msg = json_object_new_object();
        if (!p || !msg) {
                free(p);
                json_object_put(msg);
                json_object_put(args);
                if (pass_fd >= 0)
                        close(pass_fd);
                return -ENOMEM;
        }
        p->id = ++q->next_id;
        json_object_object_add(msg, "execute", json_object_new_string(command));
        if (args)
                json_object_object_add(msg, "arguments", args);
        json_object_object_add(msg, "id", json_object_new_int64((int64_t) p->id));
        const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || asprintf(&p->text, "%s\n", s) < 0) {
                json_object_put(msg);
                free(p);
                if (pass_fd >= 0)
                        close(pass_fd);
                return -ENOMEM;
        }
        json_object_put(msg);
        p->handshake = handshake;
        p->pass_fd = pass_fd;
        p->fn = fn;
        p->userdata = userdata;
        if (q->pending_tail)
                q->pending_tail->next = p;
        else
                q->pending = p;
        q->pending_tail = p;
        return qmp_flush_queue(q);
}

static int qmp_queue(Qmp *q, const char *command, json_object *args, QmpReplyFn fn, void *userdata,
                     bool handshake) {
        return qmp_queue_fd(q, command, args, fn, userdata, handshake, -1);
}

int qmp_send(Qmp *q, const char *command, json_object *args, QmpReplyFn fn, void *userdata) {
        if (!q || !qmp_live(q)) {
                json_object_put(args);
                return -ENOTCONN;
        }
        return qmp_queue(q, command, args, fn, userdata, false);
}

int qmp_send_fd(Qmp *q, const char *command, json_object *args, int fd, QmpReplyFn fn, void *userdata) {
        if (!q || !qmp_live(q)) {
                json_object_put(args);
                close(fd);
                return -ENOTCONN;
        }
        return qmp_queue_fd(q, command, args, fn, userdata, false, fd);
}

static QmpPending *qmp_take_pending(Qmp *q, uint64_t id) {
        QmpPending *prev = NULL;
        for (QmpPending *p = q->pending; p; prev = p, p = p->next) {
                if (p->id != id || p->text)
                        continue;
                if (prev)
                        prev->next = p->next;
                else
                        q->pending = p->next;
                if (q->pending_tail == p)
                        q->pending_tail = prev;
                p->next = NULL;
                return p;
        }
        return NULL;
}

static void qmp_on_capabilities(Qmp *q, json_object *ret, const char *error_class, const char *error_desc,
                                void *userdata) {
        if (!ret) {
                if (qmp_live(q)) {
                        log_error("QMP %s: qmp_capabilities failed: %s: %s", qmp_name(q), error_class,
                                  error_desc ? error_desc : "");
                        qmp_fail(q, -EPROTO);
                }
                return;
        }
        q->state = QMP_READY;
        q->timer = sd_event_source_disable_unref(q->timer);
        int r = qmp_flush_queue(q);
        if (r < 0) {
                /* Still "before ready" for the caller: report it through ready. */
                q->state = QMP_NEGOTIATING;
                qmp_fail(q, r);
                return;
        }
        log_debug("QMP %s: ready", qmp_name(q));
        if (q->on_ready)
                q->on_ready(q, 0, q->userdata);
}

static int qmp_dispatch_reply(Qmp *q, json_object *msg) {
        json_object *id, *ret = NULL, *error;
        if (!json_object_object_get_ex(msg, "id", &id) || !json_object_is_type(id, json_type_int)) {
                /* QEMU answers a line it could not parse without an id; nothing waits for it. */
                log_warning("QMP %s: message without a usable id ignored: %s", qmp_name(q),
                            json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
                return 0;
        }
        QmpPending *p = qmp_take_pending(q, (uint64_t) json_object_get_int64(id));
        if (!p) {
                log_warning("QMP %s: reply to unknown id %s ignored", qmp_name(q), json_object_get_string(id));
                return 0;
        }
        const char *cls = NULL, *desc = NULL;
        if (json_object_object_get_ex(msg, "return", &ret) && ret) {
                /* a value */
        } else if (json_object_object_get_ex(msg, "error", &error)) {
                json_object *v;
                ret = NULL;
                cls = json_object_object_get_ex(error, "class", &v) ? json_object_get_string(v) : NULL;
                desc = json_object_object_get_ex(error, "desc", &v) ? json_object_get_string(v) : NULL;
                cls = cls ? cls : "GenericError";
                desc = desc ? desc : "";
        } else {
                ret = NULL;
                cls = "GenericError";
                desc = "reply with neither return value nor error";
        }
        qmp_ref(q);
        if (p->fn)
                p->fn(q, ret, cls, desc, p->userdata);
        free(p);
        qmp_unref(q);
        return 0;
}

static int qmp_dispatch(Qmp *q, json_object *msg) {
        json_object *v;
        if (!json_object_is_type(msg, json_type_object))
                return -EPROTO;
        if (log_enabled(LOG_MODULE, LOG_LEVEL_DEBUG)) {
                const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
                log_debug("QMP %s: recv %.512s%s", qmp_name(q), s, strlen(s) > 512 ? "…" : "");
        }
        if (q->state == QMP_GREETING) {
                if (!json_object_object_get_ex(msg, "QMP", &v) || !json_object_is_type(v, json_type_object)) {
                        log_error("QMP %s: expected a greeting", qmp_name(q));
                        return -EPROTO;
                }
                q->greeting = json_object_get(v);
                q->state = QMP_NEGOTIATING;
                return qmp_queue(q, "qmp_capabilities", NULL, qmp_on_capabilities, NULL, true);
        }
        if (json_object_object_get_ex(msg, "event", &v)) {
                json_object *data = NULL;
                json_object_object_get_ex(msg, "data", &data);
                if (q->on_event)
                        q->on_event(q, json_object_get_string(v), data, q->userdata);
                return 0;
        }
        return qmp_dispatch_reply(q, msg);
}

/* Feed bytes to the tokenizer; dispatch each complete message. Stops when q is no longer live. */
static int qmp_feed(Qmp *q, const char *buf, size_t len) {
        while (len > 0 && qmp_live(q)) {
                json_object *o = json_tokener_parse_ex(q->tok, buf, (int) len);
                enum json_tokener_error jerr = json_tokener_get_error(q->tok);
                if (jerr == json_tokener_continue) {
                        q->msg_bytes += len;
                        return q->msg_bytes > QMP_MESSAGE_MAX ? -EMSGSIZE : 0;
                }
                if (jerr != json_tokener_success) {
                        log_error("QMP %s: malformed JSON: %s", qmp_name(q), json_tokener_error_desc(jerr));
                        return -EPROTO;
                }
                size_t used = json_tokener_get_parse_end(q->tok);
                q->msg_bytes += used;
                buf += used;
                len -= used;
                if (q->msg_bytes > QMP_MESSAGE_MAX) {
                        json_object_put(o);
                        return -EMSGSIZE;
                }
                q->msg_bytes = 0;
                if (!o)         /* a bare null */
                        return -EPROTO;
                int r = qmp_dispatch(q, o);
                json_object_put(o);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Returns 1 at end of file, 0 when the socket has no more for now, or a negative errno. */
static int qmp_read(Qmp *q) {
        char buf[QMP_READ_CHUNK];
        for (unsigned i = 0; i < QMP_READS_PER_WAKEUP && qmp_live(q); i++) {
                ssize_t n = read(q->fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return 0;
                        return -errno;
                }
                if (n == 0)
                        return 1;
                int r = qmp_feed(q, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The bytes from wpos, up to the descriptor's byte (which goes with the descriptor). */
static ssize_t qmp_send_bytes(Qmp *q) {
        size_t end = q->out_fd >= 0 && q->out_fd_at > q->wpos ? q->out_fd_at : q->wlen;
        struct iovec iov = { .iov_base = q->wbuf + q->wpos, .iov_len = end - q->wpos };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = { 0 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        bool with_fd = q->out_fd >= 0 && q->out_fd_at == q->wpos;
        if (with_fd) {
                mh.msg_control = ctl.buf;
                mh.msg_controllen = sizeof ctl.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &q->out_fd, sizeof(int));
        }
        ssize_t n = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0 && with_fd) {
                close(q->out_fd);       /* QEMU has its copy */
                q->out_fd = -1;
        }
        return n;
}

static int qmp_write(Qmp *q) {
        while (q->wpos < q->wlen) {
                ssize_t n = qmp_send_bytes(q);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                break;
                        return -errno;
                }
                q->wpos += (size_t) n;
        }
        if (q->wpos == q->wlen) {
                q->wpos = q->wlen = 0;
                /* commands held behind a descriptor go now */
                for (QmpPending *p = q->pending; p; p = p->next)
                        if (p->text && q->state == QMP_READY)
                                return qmp_flush_queue(q);
        }
        return qmp_update_events(q);
}

static int qmp_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Qmp *q = qmp_ref(userdata);
        int r = 0;
        if (revents & EPOLLOUT)
                r = qmp_write(q);
        /* On HUP/ERR read anyway: what QEMU wrote last comes before the end of file. */
        if (r >= 0 && qmp_live(q) && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                r = qmp_read(q);
                if (r == 1) {
                        qmp_fail(q, 0);
                        r = 0;
                }
        }
        if (r < 0)
                qmp_fail(q, r);
        qmp_unref(q);
        return 0;
}

static int qmp_attach(Qmp *q, int fd) {
        q->fd = fd;
        int r = sd_event_add_io(q->event, &q->io, fd, EPOLLIN, qmp_on_io, q);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(q->io, "qmp");
        q->state = QMP_GREETING;
        return qmp_flush_queue(q);
}

/* 1 connected, 0 not yet (try again later), or a negative errno. */
static int qmp_try_connect(Qmp *q) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strncpy(sa.sun_path, q->path, sizeof sa.sun_path - 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                close(fd);
                /* Not there yet, not listening yet, or the backlog is full: all pass soon. */
                if (r == -ENOENT || r == -ECONNREFUSED || r == -EAGAIN || r == -EINPROGRESS)
                        return 0;
                return r;
        }
        int r = qmp_attach(q, fd);
        return r < 0 ? r : 1;
}

/* The clock itself, not sd_event_now(): that is the time of the last wakeup, which may be
 * long past when qmp_open() is called between iterations, and would shorten the deadline. */
static uint64_t qmp_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int qmp_on_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* The next retry, or the deadline if it comes first. */
static int qmp_arm_timer(Qmp *q, uint64_t when) {
        if (q->deadline && (when == 0 || when > q->deadline))
                when = q->deadline;
        if (when == 0)
                return 0;
        if (q->timer) {
                int r = sd_event_source_set_time(q->timer, when);
                return r < 0 ? r : sd_event_source_set_enabled(q->timer, SD_EVENT_ONESHOT);
        }
        /* A small accuracy: the default (250 ms) would delay a start by that much. */
        int r = sd_event_add_time(q->event, &q->timer, CLOCK_MONOTONIC, when, 1, qmp_on_timer, q);
        if (r >= 0)
                (void) sd_event_source_set_description(q->timer, "qmp-timer");
        return r;
}

static int qmp_on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Qmp *q = userdata;
        int r = 0;
        if (q->deadline && usec >= q->deadline) {
                log_warning("QMP %s: no monitor within the deadline", qmp_name(q));
                qmp_fail(q, -ETIMEDOUT);
                return 0;
        }
        if (q->state == QMP_CONNECTING) {
                r = qmp_try_connect(q);
                if (r == 0) {
                        q->retry_usec = q->retry_usec * 2 > QMP_RETRY_MAX_USEC ? QMP_RETRY_MAX_USEC : q->retry_usec * 2;
                        r = qmp_arm_timer(q, qmp_now() + q->retry_usec);
                } else if (r > 0) {
                        r = qmp_arm_timer(q, 0);
                }
        }
        if (r < 0)
                qmp_fail(q, r);
        return 0;
}

static int qmp_new(sd_event *e, uint64_t timeout_usec, QmpEventFn ev, QmpClosedFn closed, QmpReadyFn ready,
                   void *userdata, Qmp **out) {
        Qmp *q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->n_ref = 1;
        q->fd = -1;
        q->out_fd = -1;
        q->event = e;
        q->tok = json_tokener_new_ex(QMP_JSON_DEPTH);
        if (!q->tok) {
                free(q);
                return -ENOMEM;
        }
        q->on_event = ev;
        q->on_closed = closed;
        q->on_ready = ready;
        q->userdata = userdata;
        q->retry_usec = QMP_RETRY_FIRST_USEC;
        if (timeout_usec)
                q->deadline = qmp_now() + timeout_usec;
        *out = q;
        return 0;
}

int qmp_open(sd_event *e, const char *socket_path, uint64_t connect_timeout_usec, QmpEventFn ev,
             QmpClosedFn closed, QmpReadyFn ready, void *userdata, Qmp **out) {
        if (strlen(socket_path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path)
                return -ENAMETOOLONG;
        Qmp *q;
        int r = qmp_new(e, connect_timeout_usec, ev, closed, ready, userdata, &q);
        if (r < 0)
                return r;
        q->path = strdup(socket_path);
        if (!q->path) {
                qmp_unref(q);
                return -ENOMEM;
        }
        q->state = QMP_CONNECTING;
        r = qmp_try_connect(q);
        if (r >= 0)
                r = qmp_arm_timer(q, r == 0 ? qmp_now() + q->retry_usec : 0);
        if (r < 0) {
                qmp_release(q);
                qmp_unref(q);
                return r;
        }
        *out = q;
        return 0;
}

int qmp_open_fd(sd_event *e, int fd, uint64_t timeout_usec, QmpEventFn ev, QmpClosedFn closed,
                QmpReadyFn ready, void *userdata, Qmp **out) {
        Qmp *q;
        int r = qmp_new(e, timeout_usec, ev, closed, ready, userdata, &q);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = qmp_attach(q, fd);
        if (r >= 0)
                r = qmp_arm_timer(q, 0);
        if (r < 0) {
                qmp_release(q);
                qmp_unref(q);
                return r;
        }
        *out = q;
        return 0;
}

Qmp *qmp_close(Qmp *q) {
        if (!q || q->state == QMP_CLOSED)
                return NULL;
        q->state = QMP_CLOSED;
        qmp_release(q);
        qmp_fail_pending(q, "monitor closed");
        qmp_unref(q);
        return NULL;
}

json_object *qmp_greeting(Qmp *q) {
        return q->greeting;
}

bool qmp_is_ready(const Qmp *q) {
        return q->state == QMP_READY;
}
