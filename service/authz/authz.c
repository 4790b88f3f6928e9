/* authz.c: the loop side of authorization: checks waiting and in flight (both bounded), answers coming back from the backend's thread through an eventfd. */
#define LOG_MODULE "authz"
#include "authz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

struct AuthzRequest {
        AuthzRequest *next;             /* in the answered queue */
        AuthzRequest *prev_live, *next_live;    /* in the loop's list of checks not answered */
        AuthzRequest *next_waiting;     /* in the queue of checks not yet asked of the backend */
        bool submitted;                 /* asked of the backend (else waiting) */
        Authz *authz;
        AuthzSubject subject;
        char *bus_name;
        char *action;
        char **details;
        bool interactive;
        AuthzAnswer answer;
        char *message;
        AuthzDoneFn done;
        void *userdata;
};

struct Authz {
        sd_event *event;
        sd_event_source *io;
        int efd;
        const AuthzBackend *backend;
        void *backend_data;
        bool backend_failed;
        pthread_mutex_t lock;
        AuthzRequest *answered;         /* under lock, pushed by any thread */
        AuthzRequest *live;             /* loop only */
        AuthzRequest *waiting, *waiting_tail;   /* loop only: not yet submitted, oldest first */
        unsigned n_pending, n_in_flight;
        bool stopping;                  /* the backend is stopped: nothing more is submitted */
};

const AuthzSubject *authz_request_subject(const AuthzRequest *req) {
        return &req->subject;
}

const char *authz_request_action(const AuthzRequest *req) {
        return req->action;
}

char *const *authz_request_details(const AuthzRequest *req) {
        return req->details;
}

bool authz_request_interactive(const AuthzRequest *req) {
        return req->interactive;
}

void authz_request_answer(AuthzRequest *req, AuthzAnswer answer, const char *message) {
        Authz *a = req->authz;
        req->answer = answer;
        req->message = message ? strdup(message) : NULL;
        pthread_mutex_lock(&a->lock);
        req->next = a->answered;
        a->answered = req;
        pthread_mutex_unlock(&a->lock);
        uint64_t one = 1;
        if (write(a->efd, &one, sizeof one) < 0 && errno != EAGAIN)
                log_error("cannot wake the event loop for an authorization answer: %s", strerror(errno));
}

static void request_free(AuthzRequest *req) {
        for (char **p = req->details; p && *p; p++)
                free(*p);
        free(req->details);
        free(req->bus_name);
        free(req->action);
        free(req->message);
        free(req);
}

static void request_unlink(Authz *a, AuthzRequest *req) {
        if (req->prev_live)
                req->prev_live->next_live = req->next_live;
        else
                a->live = req->next_live;
        if (req->next_live)
                req->next_live->prev_live = req->prev_live;
        req->prev_live = req->next_live = NULL;
        a->n_pending--;
}

/* The caller-facing refusal, with libvirt's codes and words (virpolkit.c). */
static int answer_to_error(const AuthzRequest *req, VbError *err) {
        switch (req->answer) {
        case AUTHZ_ANSWER_YES:
                return 0;
        case AUTHZ_ANSWER_CHALLENGE:
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_UNAVAILABLE, VB_FROM_POLKIT,
                                        "authentication unavailable: no polkit agent available to authenticate "
                                        "action '%s'", req->action);
        case AUTHZ_ANSWER_DISMISSED:
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_CANCELLED, VB_FROM_POLKIT,
                                        "authentication cancelled: user cancelled authentication process");
        case AUTHZ_ANSWER_NO:
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_FAILED, VB_FROM_POLKIT,
                                        "authentication failed: access denied by policy");
        case AUTHZ_ANSWER_ERROR:
        default:
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_FAILED, VB_FROM_POLKIT,
                                        "authentication failed: polkit: %s",
                                        req->message ? req->message : "no answer");
        }
}

/* Ask the backend for waiting checks, oldest first, while fewer than AUTHZ_MAX_IN_FLIGHT are. */
static void submit_waiting(Authz *a) {
        while (!a->stopping && a->waiting && a->n_in_flight < AUTHZ_MAX_IN_FLIGHT) {
                AuthzRequest *req = a->waiting;
                a->waiting = req->next_waiting;
                if (!a->waiting)
                        a->waiting_tail = NULL;
                req->next_waiting = NULL;
                req->submitted = true;
                a->n_in_flight++;
                a->backend->submit(a->backend_data, req);
        }
}

static void waiting_remove(Authz *a, AuthzRequest *req) {
        AuthzRequest *prev = NULL;
        for (AuthzRequest *w = a->waiting; w; prev = w, w = w->next_waiting)
                if (w == req) {
                        if (prev)
                                prev->next_waiting = w->next_waiting;
                        else
                                a->waiting = w->next_waiting;
                        if (a->waiting_tail == w)
                                a->waiting_tail = prev;
                        w->next_waiting = NULL;
                        return;
                }
}

static void request_finish(Authz *a, AuthzRequest *req) {
        VbError err = { 0 };
        int r = answer_to_error(req, &err);
        request_unlink(a, req);
        if (req->submitted)
                a->n_in_flight--;
        else
                waiting_remove(a, req);
        if (r < 0 && req->subject.kind == AUTHZ_SUBJECT_BUS_NAME)
                log_info("%s refused for bus name %s: %s", req->action, req->bus_name, err.message);
        else if (r < 0)
                log_info("%s refused for pid %d (uid %u): %s", req->action, (int) req->subject.pid,
                         (unsigned) req->subject.uid, err.message);
        req->done(r < 0 ? -1 : 0, r < 0 ? &err : NULL, req->userdata);
        request_free(req);
        submit_waiting(a);
}

static int authz_on_answer(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Authz *a = userdata;
        uint64_t n;
        (void) !read(a->efd, &n, sizeof n);
        pthread_mutex_lock(&a->lock);
        AuthzRequest *list = a->answered;
        a->answered = NULL;
        pthread_mutex_unlock(&a->lock);
        /* oldest first */
        AuthzRequest *rev = NULL;
        while (list) {
                AuthzRequest *next = list->next;
                list->next = rev;
                rev = list;
                list = next;
        }
        while (rev) {
                AuthzRequest *next = rev->next;
                request_finish(a, rev);
                rev = next;
        }
        return 0;
}

int authz_new_with_backend(sd_event *e, const AuthzBackend *backend, Authz **out) {
        Authz *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->event = sd_event_ref(e);
        a->backend = backend;
        pthread_mutex_init(&a->lock, NULL);
        a->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = a->efd < 0 ? -errno : sd_event_add_io(e, &a->io, a->efd, EPOLLIN, authz_on_answer, a);
        if (r < 0) {
                authz_free(a);
                return r;
        }
        *out = a;
        return 0;
}

Authz *authz_free(Authz *a) {
        if (!a)
                return NULL;
        if (a->backend_data)
                a->backend->stop(a->backend_data);
        a->stopping = true;
        /* Answers that arrived, then every check nobody answered (or asked): refused. */
        if (a->efd >= 0)
                authz_on_answer(NULL, a->efd, 0, a);
        while (a->live) {
                AuthzRequest *req = a->live;
                req->answer = AUTHZ_ANSWER_ERROR;
                free(req->message);
                req->message = strdup("the daemon is shutting down");
                request_finish(a, req);
        }
        sd_event_source_disable_unref(a->io);
        if (a->efd >= 0)
                close(a->efd);
        pthread_mutex_destroy(&a->lock);
        sd_event_unref(a->event);
        free(a);
        return NULL;
}

unsigned authz_n_pending(const Authz *a) {
        return a ? a->n_pending : 0;
}

int authz_check(Authz *a, const AuthzSubject *subject, const char *action, const char *const *details,
                bool interactive, AuthzDoneFn done, void *userdata, VbError *err) {
        if (!a)
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_FAILED, VB_FROM_POLKIT,
                                        "authentication failed: polkit: authorization is not available");
        if (a->n_pending >= AUTHZ_MAX_PENDING) {
                log_warning("%s refused: too many pending authorizations (%u)", action, AUTHZ_MAX_PENDING);
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_UNAVAILABLE, VB_FROM_POLKIT,
                                        "authentication unavailable: too many pending authorizations (%u); try again "
                                        "later", AUTHZ_MAX_PENDING);
        }
        if (!a->backend_data && !a->backend_failed) {
                a->backend_data = a->backend->start();
                a->backend_failed = !a->backend_data;
        }
        if (!a->backend_data)
                return vb_error_set_raw(err, (VbErrorCode) AUTHZ_ERR_AUTH_FAILED, VB_FROM_POLKIT,
                                        "authentication failed: polkit: the authorization thread could not start");

        AuthzRequest *req = calloc(1, sizeof *req);
        if (!req)
                return vb_error_errno(err, -ENOMEM, "authorization");
        size_t n = 0;
        while (details && details[n])
                n++;
        req->authz = a;
        req->subject = *subject;
        req->bus_name = subject->bus_name ? strdup(subject->bus_name) : NULL;
        req->subject.bus_name = req->bus_name;
        req->action = strdup(action);
        req->details = calloc(n + 1, sizeof *req->details);
        bool ok = req->action && req->details && (!subject->bus_name || req->bus_name);
        for (size_t i = 0; ok && i < n; i++)
                ok = (req->details[i] = strdup(details[i])) != NULL;
        if (!ok) {
                request_free(req);
                return vb_error_errno(err, -ENOMEM, "authorization");
        }
        req->interactive = interactive;
        req->done = done;
        req->userdata = userdata;
        req->next_live = a->live;
        if (a->live)
                a->live->prev_live = req;
        a->live = req;
        a->n_pending++;
        if (a->waiting_tail)
                a->waiting_tail->next_waiting = req;
        else
                a->waiting = req;
        a->waiting_tail = req;
        submit_waiting(a);
        return AUTHZ_PENDING;
}

/* ---- process start time ---- */

int authz_parse_stat_start_time(const char *stat, uint64_t *out) {
        /* The command name (field 2) may hold spaces and parentheses: fields 3.. follow the last ')'. */
        const char *p = strrchr(stat, ')');
        if (!p)
                return -EINVAL;
        p++;
        for (int field = 3; field < 22; field++) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EINVAL;
                while (*p && *p != ' ')
                        p++;
        }
        while (*p == ' ')
                p++;
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end == p || (*end && *end != ' ' && *end != '\n'))
                return -EINVAL;
        *out = v;
        return 0;
}

int authz_process_start_time(pid_t pid, uint64_t *out) {
        char path[64], buf[1024];
        if (pid <= 0)
                return -EINVAL;
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        buf[n] = '\0';
        return authz_parse_stat_start_time(buf, out);
}
