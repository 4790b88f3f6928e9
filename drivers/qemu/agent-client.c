/* agent-client.c: the guest agent client: a non-blocking unix socket, a queue of commands, each sent after a guest-sync-delimited whose 0xFF sentinel and random id skip whatever a timed-out command left behind. */
#define LOG_MODULE "qemu.agent"

#include "agent-client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define AGENT_READ_CHUNK 65536
#define AGENT_JSON_DEPTH 64
#define AGENT_SENTINEL 0xFF

typedef enum AgentStage {
        STAGE_IDLE,             /* nothing in flight */
        STAGE_SYNC,             /* guest-sync-delimited sent: skip to the sentinel, then our id */
        STAGE_COMMAND,          /* the command sent: the next reply line is its answer */
} AgentStage;

typedef struct AgentCmd {
        struct AgentCmd *next;
        char *text;             /* the command, serialized, with its newline */
        uint64_t timeout_usec;
        unsigned flags;
        AgentReplyFn fn;
        void *userdata;
} AgentCmd;

struct Agent {
        unsigned n_ref;
        bool closed;            /* agent_close() called, or the socket broke */
        sd_event *event;
        int fd;
        sd_event_source *io, *timer;
        char *in;
        size_t in_len, in_cap;
        char *out;
        size_t out_len, out_pos;
        AgentCmd *head, *tail;  /* head is in flight when stage != IDLE */
        size_t n_queued;
        AgentStage stage;
        bool sentinel_seen;
        int64_t sync_id;
        AgentClosedFn on_closed;
        void *userdata;
};

static Agent *agent_ref(Agent *a) {
        a->n_ref++;
        return a;
}

static void agent_free(Agent *a) {
        sd_event_source_disable_unref(a->io);
        sd_event_source_disable_unref(a->timer);
        if (a->fd >= 0)
                close(a->fd);
        sd_event_unref(a->event);
        free(a->in);
        free(a->out);
        free(a);
}

static void agent_unref(Agent *a) {
        if (a && --a->n_ref == 0)
                agent_free(a);
}

static void update_events(Agent *a) {
        if (a->io)
                sd_event_source_set_io_events(a->io, EPOLLIN | (a->out_pos < a->out_len ? EPOLLOUT : 0));
}

static int queue_bytes(Agent *a, const char *s, size_t n) {
        if (a->out_pos == a->out_len)
                a->out_pos = a->out_len = 0;
        char *p = realloc(a->out, a->out_len + n);
        if (!p)
                return -ENOMEM;
        memcpy(p + a->out_len, s, n);
        a->out = p;
        a->out_len += n;
        update_events(a);
        return 0;
}

/* Take the head command off the queue and answer it. */
static void finish_head(Agent *a, json_object *ret, const char *cls, const char *desc) {
        AgentCmd *c = a->head;
        if (!c)
                return;
        a->head = c->next;
        if (!a->head)
                a->tail = NULL;
        a->n_queued--;
        a->stage = STAGE_IDLE;
        sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
        c->fn(a, ret, cls, desc, c->userdata);
        free(c->text);
        free(c);
}

static void fail_all(Agent *a, const char *desc) {
        /* A command that answers nothing on success was sent: the agent going away is its success. */
        if (a->head && a->stage == STAGE_COMMAND && (a->head->flags & AGENT_SEND_NO_REPLY))
                finish_head(a, NULL, NULL, NULL);
        while (a->head)
                finish_head(a, NULL, "Disconnected", desc);
}

static void start_next(Agent *a);

static void arm_timer(Agent *a, uint64_t usec) {
        if (!usec) {
                sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
                return;
        }
        uint64_t now = 0;
        sd_event_now(a->event, CLOCK_MONOTONIC, &now);
        sd_event_source_set_time(a->timer, now + usec);
        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

/* The socket broke (or EOF): fail everything, tell the owner once. */
static void agent_broken(Agent *a, int reason) {
        if (a->closed)
                return;
        a->closed = true;
        a->io = sd_event_source_disable_unref(a->io);
        agent_ref(a);
        fail_all(a, reason ? strerror(-reason) : "end of file from the agent socket");
        if (a->on_closed)
                a->on_closed(a, reason, a->userdata);
        agent_unref(a);
}

static void start_next(Agent *a) {
        while (!a->closed && a->stage == STAGE_IDLE && a->head) {
                uint64_t id = 0;
                if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id)
                        id = (uint64_t) time(NULL) ^ (uint64_t) (uintptr_t) a->head;
                a->sync_id = (int64_t) (id & 0x3fffffffffffffULL);   /* exact in a double too */
                char sync[128];
                /* The 0xFF first resets qemu-ga's parser from any half-written input. */
                int n = snprintf(sync, sizeof sync,
                                 "\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%lld}}\n",
                                 (long long) a->sync_id);
                if (queue_bytes(a, sync, (size_t) n) < 0) {
                        finish_head(a, NULL, "GenericError", "out of memory");
                        continue;
                }
                a->stage = STAGE_SYNC;
                a->sentinel_seen = false;
                arm_timer(a, a->head->timeout_usec);
        }
}

/* One complete line of input (NUL-terminated, without its newline). */
static void handle_line(Agent *a, char *line) {
        if (a->stage == STAGE_IDLE || !*line)
                return;         /* a late answer to a command given up on */
        json_tokener *tok = json_tokener_new_ex(AGENT_JSON_DEPTH);
        json_object *o = tok ? json_tokener_parse_ex(tok, line, (int) strlen(line)) : NULL;
        if (tok)
                json_tokener_free(tok);
        if (!o || !json_object_is_type(o, json_type_object)) {
                log_debug("agent: ignoring a line that is not a JSON object");
                json_object_put(o);
                return;
        }
        json_object *ret = NULL, *err = NULL;
        bool has_ret = json_object_object_get_ex(o, "return", &ret);
        bool has_err = json_object_object_get_ex(o, "error", &err);
        if (a->stage == STAGE_SYNC) {
                if (has_ret && json_object_is_type(ret, json_type_int) && json_object_get_int64(ret) == a->sync_id) {
                        AgentCmd *c = a->head;
                        if (queue_bytes(a, c->text, strlen(c->text)) < 0) {
                                finish_head(a, NULL, "GenericError", "out of memory");
                        } else {
                                a->stage = STAGE_COMMAND;
                                if (c->flags & AGENT_SEND_NO_REPLY)
                                        arm_timer(a, AGENT_NO_REPLY_SETTLE_USEC);
                        }
                } else {
                        a->sentinel_seen = false;       /* someone else's: look for the next sentinel */
                }
        } else if (has_err) {
                json_object *cls = NULL, *desc = NULL;
                if (json_object_is_type(err, json_type_object)) {
                        json_object_object_get_ex(err, "class", &cls);
                        json_object_object_get_ex(err, "desc", &desc);
                }
                finish_head(a, NULL, cls ? json_object_get_string(cls) : "GenericError",
                            desc ? json_object_get_string(desc) : "unknown error");
        } else if (has_ret) {
                finish_head(a, ret, NULL, NULL);
        }
        json_object_put(o);
        start_next(a);
}

/* Split the input into lines; while syncing, skip to the sentinel first. */
static void handle_input(Agent *a) {
        size_t pos = 0;
        while (pos < a->in_len && !a->closed) {
                if (a->stage == STAGE_SYNC && !a->sentinel_seen) {
                        char *s = memchr(a->in + pos, AGENT_SENTINEL, a->in_len - pos);
                        if (!s) {
                                pos = a->in_len;
                                break;
                        }
                        pos = (size_t) (s - a->in) + 1;
                        a->sentinel_seen = true;
                        continue;
                }
                char *nl = memchr(a->in + pos, '\n', a->in_len - pos);
                if (!nl)
                        break;
                *nl = '\0';
                /* A sentinel inside the line (a sync reply after stale bytes): start after it. */
                char *line = a->in + pos;
                char *ff = strrchr(line, (char) AGENT_SENTINEL);
                if (ff)
                        line = ff + 1;
                pos = (size_t) (nl - a->in) + 1;
                handle_line(a, line);
        }
        memmove(a->in, a->in + pos, a->in_len - pos);
        a->in_len -= pos;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Agent *a = agent_ref(userdata);
        if (revents & EPOLLOUT) {
                while (a->out_pos < a->out_len) {
                        ssize_t n = send(fd, a->out + a->out_pos, a->out_len - a->out_pos, MSG_NOSIGNAL | MSG_DONTWAIT);
                        if (n < 0) {
                                if (errno != EAGAIN && errno != EINTR)
                                        agent_broken(a, -errno);
                                break;
                        }
                        a->out_pos += (size_t) n;
                }
                update_events(a);
        }
        if (!a->closed && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                if (a->in_cap - a->in_len < AGENT_READ_CHUNK) {
                        size_t cap = a->in_len + AGENT_READ_CHUNK + 1;
                        char *p = cap > AGENT_MESSAGE_MAX + AGENT_READ_CHUNK + 1 ? NULL : realloc(a->in, cap);
                        if (!p) {
                                agent_broken(a, -EMSGSIZE);
                                agent_unref(a);
                                return 0;
                        }
                        a->in = p;
                        a->in_cap = cap;
                }
                ssize_t n = recv(fd, a->in + a->in_len, a->in_cap - a->in_len - 1, MSG_DONTWAIT);
                if (n == 0) {
                        agent_broken(a, 0);
                } else if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                agent_broken(a, -errno);
                } else {
                        a->in_len += (size_t) n;
                        handle_input(a);
                        if (!a->closed && a->in_len > AGENT_MESSAGE_MAX)
                                agent_broken(a, -EMSGSIZE);
                }
        }
        agent_unref(a);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Agent *a = agent_ref(userdata);
        if (a->head && a->stage == STAGE_COMMAND && (a->head->flags & AGENT_SEND_NO_REPLY))
                finish_head(a, NULL, NULL, NULL);       /* no error came back: done */
        else if (a->head && a->stage != STAGE_IDLE)
                finish_head(a, NULL, "Timeout", "Guest agent not available for now");
        start_next(a);
        agent_unref(a);
        return 0;
}

int agent_open(sd_event *e, const char *path, AgentClosedFn closed, void *userdata, Agent **out) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 && errno != EINPROGRESS) {
                int r = -errno;
                close(fd);
                return r;
        }
        Agent *a = calloc(1, sizeof *a);
        if (!a) {
                close(fd);
                return -ENOMEM;
        }
        a->n_ref = 1;
        a->fd = fd;
        a->event = sd_event_ref(e);
        a->on_closed = closed;
        a->userdata = userdata;
        int r = sd_event_add_io(e, &a->io, fd, EPOLLIN, on_io, a);
        if (r >= 0)
                r = sd_event_add_time(e, &a->timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, a);
        if (r >= 0)
                r = sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
        if (r < 0) {
                agent_free(a);
                return r;
        }
        *out = a;
        return 0;
}

int agent_send(Agent *a, json_object *cmd, uint64_t timeout_usec, unsigned flags, AgentReplyFn fn, void *userdata) {
        if (a->closed) {
                json_object_put(cmd);
                return -ENOTCONN;
        }
        if (a->n_queued >= AGENT_QUEUE_MAX) {
                json_object_put(cmd);
                return -EBUSY;
        }
        AgentCmd *c = calloc(1, sizeof *c);
        const char *s = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
        if (!c || !s || asprintf(&c->text, "%s\n", s) < 0) {
                free(c);
                json_object_put(cmd);
                return -ENOMEM;
        }
        json_object_put(cmd);
        c->timeout_usec = timeout_usec;
        c->flags = flags;
        c->fn = fn;
        c->userdata = userdata;
        if (a->tail)
                a->tail->next = c;
        else
                a->head = c;
        a->tail = c;
        a->n_queued++;
        /* Sent from the loop, so fn never runs inside agent_send(). */
        if (a->stage == STAGE_IDLE && a->head == c) {
                a->stage = STAGE_IDLE;
                start_next(a);
        }
        return 0;
}

void agent_reset(Agent *a) {
        if (!a)
                return;
        agent_ref(a);
        fail_all(a, "the guest agent went away");
        a->in_len = 0;
        agent_unref(a);
}

Agent *agent_close(Agent *a) {
        if (!a)
                return NULL;
        a->closed = true;
        a->io = sd_event_source_disable_unref(a->io);
        a->on_closed = NULL;
        fail_all(a, "the agent connection was closed");
        agent_unref(a);
        return NULL;
}
