/* stream.h: a one-way byte stream with flow control and holes, between one producer and one consumer (a driver on one end, a door on the other). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"

/* A Stream carries data (and holes: runs of zeros that cost no memory) from a producer to a
 * consumer. At most `window` bytes of data are buffered: a producer that finds no space stops
 * and is woken when the consumer has read some. Which end is a driver and which a door depends
 * on the direction (screenshot, volume download: the driver produces; volume upload: the door
 * does). Neither end knows the other: each talks only to the Stream.
 *
 * Wake-ups are never made from inside a stream_* call: they run from the event loop (a defer
 * source), so an end may read or write in its wake function without re-entering the other. */
typedef struct Stream Stream;

typedef void (*StreamWakeFn)(Stream *s, void *userdata);

#define STREAM_WINDOW_DEFAULT (1024u * 1024u)

/* The most data one producer write queues at once, and what a door moves per packet: 1 MiB.
 * libvirt's own daemon sends 256 KiB STREAM packets; its client takes any packet up to
 * VIR_NET_MESSAGE_MAX (32 MiB) and hands it to virStreamRecv in pieces. Bigger packets mean
 * fewer wake-ups of the client for the same bytes. The daemon keeps buffers of this size in the
 * heap (main.c's M_MMAP_THRESHOLD is above it): a fresh mmap per buffer faults its pages in
 * and unmaps them again each time, which cost a download ~10x the CPU (docs/benchmarks-storage.md). */
#define STREAM_CHUNK_MAX (1024u * 1024u)
/* A volume download's window: four chunks, so the file's reader runs while the door sends. */
#define STREAM_WINDOW_DOWNLOAD (4u * STREAM_CHUNK_MAX)

/* -ENOMEM, or -EINVAL without an event loop. */
int stream_new(sd_event *event, size_t window, Stream **out);
/* A door's check before a verb makes a Stream (each holds up to its window and a door's buffers):
 * open streams of one client (whose: "this connection", "this D-Bus caller") against virtbusd.conf's
 * max_client_streams (0: no limit). 0, or -1 with the error naming the limit. */
int stream_limit_check(size_t open, unsigned max, const char *whose, VbError *err);
Stream *stream_ref(Stream *s);
Stream *stream_unref(Stream *s);

/* ---- the producer's end ---- */

/* wake runs when space has opened after a write found none, and when the consumer has closed
 * or aborted the stream (stream_is_over()). It also runs once, soon, after it is set. */
void stream_set_producer(Stream *s, StreamWakeFn wake, void *userdata);
/* Bytes that may be written now (0: full, or the stream is over). */
size_t stream_space(const Stream *s);
/* Queue up to len bytes: returns how many were taken (min(len, space)), or -EPIPE when the
 * stream is over (aborted, closed or finished). */
int64_t stream_write(Stream *s, const void *buf, size_t len);
/* Queue all of len bytes even past the window: for a door that has already read a packet (the
 * caller stops reading while stream_space() is 0, so the excess is one packet at most). */
int stream_push(Stream *s, const void *buf, size_t len);
/* A hole of len bytes (sparse data): costs no buffer space. */
int stream_write_hole(Stream *s, uint64_t len);
/* No more data: the consumer sees the end after what is queued. */
int stream_finish(Stream *s);

/* ---- the consumer's end ---- */

typedef enum StreamItem {
        STREAM_ITEM_NONE,       /* nothing queued yet: wait for the wake-up */
        STREAM_ITEM_DATA,       /* *n bytes copied */
        STREAM_ITEM_HOLE,       /* *hole bytes of zeros, taken whole */
        STREAM_ITEM_END,        /* the producer finished and everything was read */
        STREAM_ITEM_ERROR,      /* aborted: stream_error() says why */
} StreamItem;

/* Whether the next item is a whole chunk of data, which stream_take() hands over without a copy:
 * a consumer that batches several takes asks this before each, so as not to take a hole, the
 * end or an error it would then have to hold. */
bool stream_next_is_data(const Stream *s);
/* Its length, for a consumer that takes whole chunks only up to a size (0: not whole data). */
size_t stream_next_data_len(const Stream *s);

/* wake runs when something is there to read (data, a hole, the end, an error) after a read
 * found nothing, and once, soon, after it is set. */
void stream_set_consumer(Stream *s, StreamWakeFn wake, void *userdata);
/* Take the next item: up to cap bytes of data, or a whole hole. */
StreamItem stream_read(Stream *s, void *buf, size_t cap, size_t *n, uint64_t *hole);
/* The consumer has taken everything it wants (after STREAM_ITEM_END: the transfer is complete);
 * the producer is woken and sees stream_is_over(). */
void stream_close(Stream *s);

/* ---- without copies: buffers handed over whole ---- */

/* A buffer of cap bytes the stream can adopt (stream_write_buf); NULL when out of memory. */
void *stream_buf_new(size_t cap);
/* Free a buffer of stream_buf_new or stream_take (NULL: nothing). */
void stream_buf_free(void *buf);
/* Queue len bytes of buf (from stream_buf_new, at least len bytes) without copying them: the
 * stream owns buf from now on, also when it answers an error (-EPIPE, as stream_write). Like
 * stream_push, all of len is taken, so the producer asks stream_space() first. */
int stream_write_buf(Stream *s, void *buf, size_t len);
/* The next item, as stream_read, but data comes whole as the producer queued it: *buf (the
 * caller's, to free with stream_buf_free) holds *n bytes. */
StreamItem stream_take(Stream *s, void **buf, size_t *n, uint64_t *hole);

/* ---- either end ---- */

/* Abort with e (NULL: "stream aborted"): queued data is dropped, both ends are woken. */
void stream_abort(Stream *s, const VbError *e);
/* Aborted, or closed by the consumer: nothing more will move. */
bool stream_is_over(const Stream *s);
bool stream_is_closed(const Stream *s);         /* the consumer closed it after the end: success */
const VbError *stream_error(const Stream *s);   /* NULL unless aborted */
/* Data bytes queued now (holes excluded): what the window bounds. */
size_t stream_buffered(const Stream *s);
/* The most ever queued at once: for tests of flow control. */
size_t stream_buffered_peak(const Stream *s);

/* A producer for data already in memory (a screenshot): writes data as space opens, then
 * finishes. free_fn(data) runs when the stream no longer needs it (may be NULL). */
int stream_produce_buffer(Stream *s, const void *data, size_t len, void (*free_fn)(void *), void *free_data);
