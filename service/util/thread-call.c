/* thread-call.c: one blocking function (an NSS lookup that may ask sssd or LDAP, a read of a file on a stale
 * mount, a SASL step that runs PBKDF2 or waits for another host) run in a detached thread; an eventfd wakes the
 * loop, which runs the caller's continuation and frees the request. The callers bound how many run at once. */
#include "thread-call.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct ThreadCall {
        void (*work)(void *);
        void (*done)(void *);
        void *arg;
        int wake_fd;
        sd_event_source *source;
} ThreadCall;

static void call_free(ThreadCall *t) {
        sd_event_source_disable_unref(t->source);
        if (t->wake_fd >= 0)
                close(t->wake_fd);
        free(t);
}

static void *call_thread(void *p) {
        ThreadCall *t = p;
        t->work(t->arg);
        uint64_t one = 1;
        /* cannot fail short of a broken descriptor (then the loop never learns of it) */
        (void) !write(t->wake_fd, &one, sizeof one);
        return NULL;
}

static int call_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ThreadCall *t = userdata;
        t->done(t->arg);
        call_free(t);
        return 0;
}

int thread_call(sd_event *e, void (*work)(void *arg), void (*done)(void *arg), void *arg) {
        if (!e || !work || !done)
                return -EINVAL;
        ThreadCall *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        *t = (ThreadCall) { .work = work, .done = done, .arg = arg, .wake_fd = -1 };
        t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = t->wake_fd < 0 ? -errno : sd_event_add_io(e, &t->source, t->wake_fd, EPOLLIN, call_done, t);
        if (r == 0)
                (void) sd_event_source_set_description(t->source, "thread-call");
        if (r < 0) {
                call_free(t);
                return r;
        }
        pthread_attr_t attr;
        pthread_t th;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = pthread_create(&th, &attr, call_thread, t);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                call_free(t);
                return -r;
        }
        return 0;
}
