/* vol-stream.h: a volume's upload or download through a core Stream, the state machine every backend shares (the window, the I/O's results, holes, progress, the end, the daemon's shutdown); a backend brings only its I/O. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "storage-backend.h"
#include "stream.h"

typedef struct VolStream VolStream;

/* A backend's I/O, one request at a time off the loop (a worker thread, an iSCSI session's
 * thread); each request's result comes back through vol_stream_done(). */
typedef struct VolStreamOps {
        const char *noun;       /* what the log calls the storage: "volume", "LUN" */
        const char *what;       /* what the log calls a transfer: "transfer", "iSCSI transfer" */
        uint64_t chunk;         /* the most one read asks for */
        bool (*busy)(const VolStream *x);
        /* Download: from x->pos, a hole (up to x->end) or at most len bytes of data (never past
         * x->end). A request that cannot be made calls vol_stream_fail(). */
        void (*read)(VolStream *x, uint64_t len);
        /* Download: the n bytes of data the last read brought, queued on x->st (there is space). */
        void (*queue)(VolStream *x, size_t n);
        /* Upload: the next item of x->st (as stream_read); *len: a hole's length, or how many
         * bytes of data the next write() holds. */
        StreamItem (*take)(VolStream *x, uint64_t *len);
        /* Upload: len bytes at x->pos: the data take() gave, or zeros. */
        void (*write)(VolStream *x, bool zeros, uint64_t len);
        /* Upload: everything written is made durable. */
        void (*sync)(VolStream *x);
        /* The outcome is decided and no request runs: NULL or false, end now; true: a last
         * request was started (an iSCSI logout) and its result calls vol_stream_end(). */
        bool (*wind_down)(VolStream *x);
        /* Free the backend's I/O and x itself (it holds x as its first member). The normal end:
         * nothing runs. After the loop is over (the daemon's shutdown, loop_over): the running
         * request is waited for, and what must be closed is closed (a logout), in the thread. */
        void (*release)(VolStream *x, bool loop_over);
        /* May be NULL: after the end, before the job is done (the volume's sizes read again). */
        void (*ended)(StorageVol *v);
} VolStreamOps;

/* The first member of a backend's transfer. */
struct VolStream {
        const VolStreamOps *ops;
        StorageVol *vol;
        Stream *st;
        uint64_t start, pos, end;
        bool upload;            /* we are the consumer (else the producer) */
        bool finished;          /* download: stream_finish done; upload: the end was read */
        bool ending;            /* the outcome is decided: once no request runs, the end */
        int end_r;
        VbError end_err;
        VolStream *next;        /* the live transfers, for the daemon's shutdown */
};

typedef enum VolStreamStep {
        VOL_STREAM_READ,        /* hole, or n bytes of data */
        VOL_STREAM_WRITE,       /* n bytes written or zeroed */
        VOL_STREAM_SYNC,
} VolStreamStep;

typedef struct VolStreamResult {
        VolStreamStep step;
        const VbError *err;     /* NULL: done; else what failed, as the user is told */
        uint64_t hole;
        uint64_t n;
} VolStreamResult;

/* libvirt's check of [offset, +length) against a volume of size bytes (length 0: to the end). */
int vol_stream_check_range(const StorageVol *v, uint64_t offset, uint64_t length, uint64_t size, VbError *err);
/* The transfer starts: x (zeroed, its backend's I/O ready) takes a reference on st and becomes
 * its consumer (upload) or producer (download). */
void vol_stream_begin(VolStream *x, const VolStreamOps *ops, StorageVol *v, Stream *st, uint64_t offset,
                      uint64_t length, uint64_t size, bool upload);
/* On the loop: the backend's request is back. */
void vol_stream_done(VolStream *x, const VolStreamResult *r);
/* The stream aborted with e, the transfer failing with it. */
void vol_stream_fail(VolStream *x, const VbError *e);
/* The end: the streams let go, the backend's release(), progress over, the volume's job done. */
void vol_stream_end(VolStream *x);
/* At the daemon's shutdown (the loop is over): every transfer still running joined and freed,
 * each logged (an upload cut half way says so). Returns how many there were. */
int vol_stream_shutdown_all(void);
