/* work-thread.c: work off the loop. Each piece gets a detached thread (the callers bound how many
 * run at once: one SASL step per unauthenticated client, and those are limited by
 * max_anonymous_clients); finished pieces queue under a mutex and an eventfd wakes the loop,
 * which runs their done callbacks in order. */
#define LOG_MODULE "remote"

#include "work-thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

typedef struct Work {
        void (*work)(void *);
        void (*done)(void *);
        void *userdata;
        struct Work *next;
} Work;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Work *finished, **finished_tail = &finished;
static int wake_fd = -1;
static sd_event_source *wake_source;

static int work_finished(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        uint64_t n;
        if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
                log_warning("work queue: %s", strerror(errno));
        pthread_mutex_lock(&lock);
        Work *list = finished;
        finished = NULL;
        finished_tail = &finished;
        pthread_mutex_unlock(&lock);
        while (list) {
                Work *w = list;
                list = w->next;
                w->done(w->userdata);
                free(w);
        }
        return 0;
}

static void *work_thread(void *arg) {
        Work *w = arg;
        w->work(w->userdata);
        pthread_mutex_lock(&lock);
        *finished_tail = w;
        finished_tail = &w->next;
        pthread_mutex_unlock(&lock);
        uint64_t one = 1;
        if (write(wake_fd, &one, sizeof one) < 0)
                log_warning("work queue: cannot wake the loop: %s", strerror(errno));
        return NULL;
}

/* The eventfd and its source, once, on the loop's thread. */
static int work_setup(sd_event *e) {
        if (wake_source)
                return 0;
        if (!e)
                return -EINVAL;
        wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wake_fd < 0)
                return -errno;
        int r = sd_event_add_io(e, &wake_source, wake_fd, EPOLLIN, work_finished, NULL);
        if (r < 0) {
                close(wake_fd);
                wake_fd = -1;
                return r;
        }
        (void) sd_event_source_set_description(wake_source, "remote-work");
        return 0;
}

int remote_work_run(sd_event *e, void (*work)(void *userdata), void (*done)(void *userdata), void *userdata) {
        int r = work_setup(e);
        if (r < 0)
                return r;
        Work *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (Work) { .work = work, .done = done, .userdata = userdata };
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = pthread_create(&t, &attr, work_thread, w);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                free(w);
                return -r;
        }
        return 0;
}
