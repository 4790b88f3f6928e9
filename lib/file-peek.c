/* file-peek.c: a few bytes of a local file read off the event loop: the open (a stale network mount can hang it) and the pread run in a detached thread of their own (thread-call.c), whose end hands the bytes over on the loop and frees the request. */
#include "file-peek.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "thread-call.h"

typedef struct FilePeek {
        char *path;
        uint64_t offset;
        size_t size, got;
        int errnum;
        FilePeekStage stage;
        FilePeekDoneFn done;
        void *userdata;
        uint8_t buf[];
} FilePeek;

static void peek_free(FilePeek *p) {
        free(p->path);
        free(p);
}

static void peek_read(void *arg) {
        FilePeek *p = arg;
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

static void peek_done(void *arg) {
        FilePeek *p = arg;
        p->done(p->buf, p->got, p->errnum, p->stage, p->userdata);
        peek_free(p);
}

int file_peek(sd_event *e, const char *path, uint64_t offset, size_t size, FilePeekDoneFn done, void *userdata) {
        if (!e || !path || !done || size == 0 || size > FILE_PEEK_MAX)
                return -EINVAL;
        FilePeek *p = calloc(1, sizeof *p + size);
        if (!p)
                return -ENOMEM;
        *p = (FilePeek) { .offset = offset, .size = size, .done = done, .userdata = userdata };
        p->path = strdup(path);
        int r = p->path ? thread_call(e, peek_read, peek_done, p) : -ENOMEM;
        if (r < 0)
                peek_free(p);
        return r;
}
