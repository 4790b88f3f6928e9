/* file-peek.c: a few bytes of a local file read off the event loop: the open (a stale network mount can hang it) and the pread run in a detached thread of their own; its eventfd wakes the loop, which hands the bytes over and frees the request. */
#include "file-peek.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct FilePeek {
        char *path;
        uint64_t offset;
        size_t size, got;
        int errnum;
        FilePeekStage stage;
        int wake_fd;
        sd_event_source *source;
        FilePeekDoneFn done;
        void *userdata;
        uint8_t buf[];
} FilePeek;

static void peek_free(FilePeek *p) {
        sd_event_source_disable_unref(p->source);
        if (p->wake_fd >= 0)
                close(p->wake_fd);
        free(p->path);
        free(p);
}

static void peek_read(FilePeek *p) {
        if (p->offset > (uint64_t) INT64_MAX - p->size) {
                p->stage = FILE_PEEK_SEEK;
                p->errnum = EINVAL;
                return;
        }
        int fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                p->stage = FILE_PEEK_OPEN;
                p->errnum = errno;
                return;
        }
        p->stage = FILE_PEEK_READ;
        while (p->got < p->size) {
                ssize_t n = pread(fd, p->buf + p->got, p->size - p->got, (off_t) (p->offset + p->got));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        p->errnum = errno;
                        break;
                }
                if (n == 0)
                        break;
                p->got += (size_t) n;
        }
        close(fd);
}

static void *peek_thread(void *arg) {
        FilePeek *p = arg;
        peek_read(p);
        uint64_t one = 1;
        /* An eventfd write of 1 cannot fail short of a broken descriptor; the loop then never
         * learns of the read, as if it hung. */
        (void) !write(p->wake_fd, &one, sizeof one);
        return NULL;
}

static int peek_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        FilePeek *p = userdata;
        p->done(p->buf, p->got, p->errnum, p->stage, p->userdata);
        peek_free(p);
        return 0;
}

int file_peek(sd_event *e, const char *path, uint64_t offset, size_t size, FilePeekDoneFn done, void *userdata) {
        if (!e || !path || !done || size == 0 || size > FILE_PEEK_MAX)
                return -EINVAL;
        FilePeek *p = calloc(1, sizeof *p + size);
        if (!p)
                return -ENOMEM;
        *p = (FilePeek) { .offset = offset, .size = size, .wake_fd = -1, .done = done, .userdata = userdata };
        p->path = strdup(path);
        p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = !p->path ? -ENOMEM : p->wake_fd < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(e, &p->source, p->wake_fd, EPOLLIN, peek_done, p);
        if (r == 0)
                (void) sd_event_source_set_description(p->source, "file-peek");
        if (r < 0) {
                peek_free(p);
                return r;
        }
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = pthread_create(&t, &attr, peek_thread, p);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                peek_free(p);
                return -r;
        }
        return 0;
}
