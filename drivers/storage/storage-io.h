/* storage-io.h: a volume transfer's file I/O in a worker thread, one request at a time, each result posted back to the event loop through an eventfd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <systemd/sd-event.h>

typedef struct IoWorker IoWorker;

typedef enum IoOp {
        IO_READ,        /* from pos: a hole up to end (hole set), or at most len bytes of data into the buffer (got) */
        IO_WRITE,       /* len bytes of the buffer at pos */
        IO_ZERO,        /* len bytes of zeros at pos: a punched hole where the file system can */
        IO_SYNC,        /* fsync */
} IoOp;

#define IO_IOV_MAX 64           /* buffers in one vector write */

typedef struct IoReq {
        IoOp op;
        uint64_t pos, len, end;
        char *buf;              /* NULL: the worker's buffer; else len bytes the caller owns until done */
        const struct iovec *iov;        /* IO_WRITE: n_iov buffers (len bytes in all) instead of buf */
        int n_iov;
        /* results */
        int errnum;             /* 0, or what failed */
        uint64_t hole;
        size_t got;
} IoReq;

/* On the event loop: the request is done (req->errnum says how). */
typedef void (*IoDoneFn)(IoWorker *w, const IoReq *req, void *userdata);

/* A thread working on fd (not owned) with a buffer of bufsize bytes. -errno on failure. */
int io_worker_new(sd_event *e, int fd, size_t bufsize, IoDoneFn done, void *userdata, IoWorker **out);
char *io_worker_buf(IoWorker *w);
/* Hand the thread a request: only while none is running (-EBUSY). */
int io_worker_submit(IoWorker *w, const IoReq *req);
bool io_worker_busy(const IoWorker *w);
/* Stop the thread (after the running request, if any: the loop waits for it) and free. */
IoWorker *io_worker_free(IoWorker *w);
