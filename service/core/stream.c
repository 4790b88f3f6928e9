/* stream.c: the core Stream: a bounded queue of data and holes, and the wake-ups that make a fast end wait for a slow one. */
#define LOG_MODULE "stream"
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct Chunk {
        struct Chunk *next;
        uint64_t hole;          /* > 0: a hole of this many bytes, no data */
        size_t len, off;
        size_t cap;             /* stream_buf_new's: the data's room */
        uint8_t data[];
} Chunk;

typedef struct StreamEnd {
        StreamWakeFn wake;
        void *userdata;
        bool waiting;           /* its last call found nothing to do: wake it when that changes */
        bool wake_due;
} StreamEnd;

struct Stream {
        unsigned n_ref;
        sd_event_source *defer;
        size_t window, buffered, peak;
        Chunk *head, *tail;
        bool finished, closed, aborted;
        VbError err;
        StreamEnd producer, consumer;
};

static void stream_drop_queue(Stream *s) {
        while (s->head) {
                Chunk *c = s->head;
                s->head = c->next;
                free(c);
        }
        s->tail = NULL;
        s->buffered = 0;
}

static int stream_on_defer(sd_event_source *es, void *userdata) {
        Stream *s = stream_ref(userdata);
        /* the consumer first: what it reads makes room for the producer */
        if (s->consumer.wake_due) {
                s->consumer.wake_due = false;
                if (s->consumer.wake)
                        s->consumer.wake(s, s->consumer.userdata);
        }
        if (s->producer.wake_due) {
                s->producer.wake_due = false;
                if (s->producer.wake)
                        s->producer.wake(s, s->producer.userdata);
        }
        stream_unref(s);
        return 0;
}

static void stream_schedule(Stream *s, StreamEnd *end) {
        end->waiting = false;
        end->wake_due = true;
        if (s->defer)
                sd_event_source_set_enabled(s->defer, SD_EVENT_ONESHOT);
}

/* Something changed for the consumer: wake it if it waits. */
static void stream_poke_consumer(Stream *s) {
        if (s->consumer.waiting)
                stream_schedule(s, &s->consumer);
}

int stream_new(sd_event *event, size_t window, Stream **out) {
        if (!event || window == 0)
                return -EINVAL;
        Stream *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->n_ref = 1;
        s->window = window;
        int r = sd_event_add_defer(event, &s->defer, stream_on_defer, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->defer, SD_EVENT_OFF);
        if (r < 0) {
                sd_event_source_disable_unref(s->defer);
                free(s);
                return r;
        }
        *out = s;
        return 0;
}

Stream *stream_ref(Stream *s) {
        if (s)
                s->n_ref++;
        return s;
}

Stream *stream_unref(Stream *s) {
        if (!s || --s->n_ref > 0)
                return NULL;
        sd_event_source_disable_unref(s->defer);
        stream_drop_queue(s);
        free(s);
        return NULL;
}

/* ---- producer ---- */

void stream_set_producer(Stream *s, StreamWakeFn wake, void *userdata) {
        s->producer = (StreamEnd) { .wake = wake, .userdata = userdata };
        if (wake)
                stream_schedule(s, &s->producer);
}

bool stream_is_over(const Stream *s) {
        return s->aborted || s->closed;
}

size_t stream_space(const Stream *s) {
        if (stream_is_over(s) || s->finished || s->buffered >= s->window)
                return 0;
        return s->window - s->buffered;
}

static void stream_append(Stream *s, Chunk *c);

static int stream_queue(Stream *s, const void *buf, size_t len, uint64_t hole) {
        Chunk *c = malloc(sizeof *c + len);
        if (!c)
                return -ENOMEM;
        *c = (Chunk) { .hole = hole, .len = len, .cap = len };
        if (len)
                memcpy(c->data, buf, len);
        stream_append(s, c);
        return 0;
}

static void stream_append(Stream *s, Chunk *c) {
        if (s->tail)
                s->tail->next = c;
        else
                s->head = c;
        s->tail = c;
        s->buffered += c->len;
        if (s->buffered > s->peak)
                s->peak = s->buffered;
        stream_poke_consumer(s);
}

int64_t stream_write(Stream *s, const void *buf, size_t len) {
        if (stream_is_over(s) || s->finished)
                return -EPIPE;
        size_t n = stream_space(s);
        if (n > len)
                n = len;
        if (n > 0) {
                int r = stream_queue(s, buf, n, 0);
                if (r < 0)
                        return r;
        }
        if (n < len || stream_space(s) == 0)
                s->producer.waiting = true;
        return (int64_t) n;
}

int stream_push(Stream *s, const void *buf, size_t len) {
        if (stream_is_over(s) || s->finished)
                return -EPIPE;
        if (len == 0)
                return 0;
        int r = stream_queue(s, buf, len, 0);
        if (r >= 0 && stream_space(s) == 0)
                s->producer.waiting = true;
        return r;
}

void *stream_buf_new(size_t cap) {
        Chunk *c = malloc(sizeof *c + cap);
        if (!c)
                return NULL;
        *c = (Chunk) { .cap = cap };
        return c->data;
}

static Chunk *chunk_of(void *buf) {
        return (Chunk *) ((uint8_t *) buf - offsetof(Chunk, data));
}

void stream_buf_free(void *buf) {
        if (buf)
                free(chunk_of(buf));
}

int stream_write_buf(Stream *s, void *buf, size_t len) {
        if (stream_is_over(s) || s->finished || len == 0) {
                stream_buf_free(buf);
                return len == 0 && !stream_is_over(s) && !s->finished ? 0 : -EPIPE;
        }
        Chunk *c = chunk_of(buf);
        if (c->cap - len > c->cap / 2) {
                /* A short read into a big buffer (the end of a data run): the window counts bytes
                 * queued, so give back the room they do not use, or a file of small runs would
                 * hold a window of whole buffers. Shrinking in place moves nothing. */
                Chunk *small = realloc(c, sizeof *c + len);
                c = small ? small : c;
        }
        *c = (Chunk) { .len = len, .cap = len };
        stream_append(s, c);
        if (stream_space(s) == 0)
                s->producer.waiting = true;
        return 0;
}

int stream_write_hole(Stream *s, uint64_t len) {
        if (stream_is_over(s) || s->finished)
                return -EPIPE;
        if (len == 0)
                return 0;
        if (s->tail && s->tail->hole) {         /* two holes in a row are one */
                s->tail->hole += len;
                stream_poke_consumer(s);
                return 0;
        }
        return stream_queue(s, NULL, 0, len);
}

int stream_finish(Stream *s) {
        if (stream_is_over(s))
                return -EPIPE;
        s->finished = true;
        stream_poke_consumer(s);
        return 0;
}

/* ---- consumer ---- */

void stream_set_consumer(Stream *s, StreamWakeFn wake, void *userdata) {
        s->consumer = (StreamEnd) { .wake = wake, .userdata = userdata };
        if (wake)
                stream_schedule(s, &s->consumer);
}

StreamItem stream_read(Stream *s, void *buf, size_t cap, size_t *n, uint64_t *hole) {
        *n = 0;
        *hole = 0;
        if (s->aborted)
                return STREAM_ITEM_ERROR;
        Chunk *c = s->head;
        if (!c) {
                if (s->finished)
                        return STREAM_ITEM_END;
                s->consumer.waiting = true;
                return STREAM_ITEM_NONE;
        }
        StreamItem item;
        if (c->hole) {
                *hole = c->hole;
                c->off = c->len;
                item = STREAM_ITEM_HOLE;
        } else {
                size_t k = c->len - c->off;
                if (k > cap)
                        k = cap;
                memcpy(buf, c->data + c->off, k);
                c->off += k;
                s->buffered -= k;
                *n = k;
                item = STREAM_ITEM_DATA;
        }
        if (c->off == c->len) {
                s->head = c->next;
                if (!s->head)
                        s->tail = NULL;
                free(c);
        }
        if (s->producer.waiting && stream_space(s) > 0)
                stream_schedule(s, &s->producer);
        return item;
}

void stream_close(Stream *s) {
        if (stream_is_over(s))
                return;
        s->closed = true;
        stream_drop_queue(s);
        stream_schedule(s, &s->producer);
}

/* ---- either end ---- */

void stream_abort(Stream *s, const VbError *e) {
        if (stream_is_over(s))
                return;
        s->aborted = true;
        if (e && e->message[0])
                s->err = *e;
        else
                vb_error_set(&s->err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "stream aborted");
        log_debug("stream %p aborted: %s", (void *) s, s->err.message);
        stream_drop_queue(s);
        stream_schedule(s, &s->producer);
        stream_schedule(s, &s->consumer);
}

bool stream_is_closed(const Stream *s) {
        return s->closed;
}

const VbError *stream_error(const Stream *s) {
        return s->aborted ? &s->err : NULL;
}

size_t stream_buffered(const Stream *s) {
        return s->buffered;
}

size_t stream_buffered_peak(const Stream *s) {
        return s->peak;
}

/* ---- a producer of bytes already in memory ---- */

typedef struct BufferSource {
        const uint8_t *data;
        size_t len, off;
        void (*free_fn)(void *);
        void *free_data;
} BufferSource;

static void buffer_source_done(Stream *s, BufferSource *b) {
        stream_set_producer(s, NULL, NULL);
        if (b->free_fn)
                b->free_fn(b->free_data);
        free(b);
        stream_unref(s);
}

static void buffer_source_wake(Stream *s, void *userdata) {
        BufferSource *b = userdata;
        if (stream_is_over(s)) {
                buffer_source_done(s, b);
                return;
        }
        while (b->off < b->len) {
                int64_t n = stream_write(s, b->data + b->off, b->len - b->off);
                if (n < 0) {
                        VbError e = { 0 };
                        vb_error_errno(&e, (int) n, "stream");
                        stream_abort(s, &e);
                        buffer_source_done(s, b);
                        return;
                }
                if (n == 0)
                        return;         /* full: the consumer's reads wake us */
                b->off += (size_t) n;
        }
        stream_finish(s);
        buffer_source_done(s, b);
}

int stream_produce_buffer(Stream *s, const void *data, size_t len, void (*free_fn)(void *), void *free_data) {
        BufferSource *b = calloc(1, sizeof *b);
        if (!b)
                return -ENOMEM;
        *b = (BufferSource) { .data = data, .len = len, .free_fn = free_fn, .free_data = free_data };
        stream_set_producer(stream_ref(s), buffer_source_wake, b);
        return 0;
}

bool stream_next_is_data(const Stream *s) {
        return stream_next_data_len(s) > 0;
}

size_t stream_next_data_len(const Stream *s) {
        return !s->aborted && s->head && !s->head->hole && !s->head->off ? s->head->len : 0;
}

StreamItem stream_take(Stream *s, void **buf, size_t *n, uint64_t *hole) {
        *buf = NULL;
        Chunk *c = s->head;
        if (s->aborted || !c || c->hole || c->off) {
                /* no data to hand over whole: a hole, the end, an error, nothing yet, or the rest
                 * of a chunk stream_read began (copied) */
                size_t rest = c && !c->hole && !s->aborted ? c->len - c->off : 0;
                void *b = rest ? stream_buf_new(rest) : NULL;
                if (rest && !b) {
                        VbError e = { 0 };
                        vb_error_errno(&e, -ENOMEM, "stream");
                        stream_abort(s, &e);
                        *n = 0;
                        *hole = 0;
                        return STREAM_ITEM_ERROR;
                }
                StreamItem it = stream_read(s, b, rest, n, hole);
                if (it == STREAM_ITEM_DATA)
                        *buf = b;
                else
                        stream_buf_free(b);
                return it;
        }
        s->head = c->next;
        if (!s->head)
                s->tail = NULL;
        s->buffered -= c->len;
        *n = c->len;
        *hole = 0;
        *buf = c->data;
        if (s->producer.waiting && stream_space(s) > 0)
                stream_schedule(s, &s->producer);
        return STREAM_ITEM_DATA;
}

int stream_limit_check(size_t open, unsigned max, const char *whose, VbError *err) {
        if (max == 0 || open < max)
                return 0;
        return vb_error_set(err, VB_ERR_RESOURCE_BUSY, VB_FROM_NONE,
                            "too many streams open by %s: %zu, the limit max_client_streams is %u; finish or abort "
                            "one first",
                            whose, open, max);
}
