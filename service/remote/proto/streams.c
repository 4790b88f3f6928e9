/* streams.c: core Streams on the remote door: STREAM and STREAM_HOLE packets, with the client's output queue and the stream's window as flow control. */
#define LOG_MODULE "remote"
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* One open stream of a client: the call that opened it names it (serial and procedure). The
 * door is the consumer of a download (daemon → client) and the producer of an upload. */
typedef struct RemoteStream {
        struct RemoteStream *next;
        RemoteClient *client;           /* not referenced: the client frees its streams first */
        PacketHeader hdr;
        Stream *st;
        Stream *up;                     /* duplex: the client → daemon half (st is the other) */
        RemoteStreamDir dir;
        bool sparse;                    /* holes go as STREAM_HOLE packets; else as zeros */
        uint64_t zeros;                 /* download: zeros of a hole still to send */
        bool end_sent;                  /* download: the empty CONTINUE (EOF) is out */
        bool want_output;               /* download: stopped until the output queue drains */
        bool paused;                    /* upload: the client's input is paused for us */
        bool finishing;                 /* upload: the client finished; answer once the sink has all */
        uint8_t *spare;                 /* download: a packet of a full chunk the last read left unused */
} RemoteStream;

static void packet_header_put(uint8_t *p, const PacketHeader *h, uint32_t type, uint32_t status, size_t payload) {
        uint32_t words[7] = { PACKET_LEN_MIN + payload, h->prog, h->vers, (uint32_t) h->proc, type, h->serial, status };
        for (size_t i = 0; i < 7; i++) {
                p[i * 4] = words[i] >> 24;
                p[i * 4 + 1] = words[i] >> 16;
                p[i * 4 + 2] = words[i] >> 8;
                p[i * 4 + 3] = words[i];
        }
}

static uint8_t *packet_raw(const PacketHeader *h, uint32_t type, uint32_t status, size_t payload, size_t *len) {
        uint8_t *p = malloc(PACKET_LEN_MIN + payload);
        if (!p)
                return NULL;
        packet_header_put(p, h, type, status, payload);
        *len = PACKET_LEN_MIN + payload;
        return p;
}

static void rs_send_empty(RemoteStream *rs, uint32_t status) {
        size_t len;
        uint8_t *p = packet_raw(&rs->hdr, MSG_STREAM, status, 0, &len);
        if (p)
                remote_send(rs->client, p, len);
}

static void rs_send_error(RemoteStream *rs, const VbError *e) {
        uint8_t *p = NULL;
        size_t len = 0;
        if (packet_error(&rs->hdr, MSG_STREAM, e, &p, &len) == 0)
                remote_send(rs->client, p, len);
}

/* Forget rs: its end of the stream is let go (the other end sees it over unless it ended). */
static void rs_free(RemoteStream *rs, const char *why) {
        RemoteStream **pp = (RemoteStream **) &rs->client->streams;
        while (*pp && *pp != rs)
                pp = &(*pp)->next;
        if (*pp)
                *pp = rs->next;
        if (rs->paused)
                remote_client_resume_input(rs->client);
        if (rs->dir == REMOTE_STREAM_UPLOAD)
                stream_set_producer(rs->st, NULL, NULL);
        else
                stream_set_consumer(rs->st, NULL, NULL);
        if (rs->up)
                stream_set_producer(rs->up, NULL, NULL);
        VbError e = { 0 };
        if (why)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "%s", why);
        if (why && !stream_is_over(rs->st))
                stream_abort(rs->st, &e);
        if (rs->up && !stream_is_over(rs->up)) {
                if (why)
                        stream_abort(rs->up, &e);
                else
                        stream_finish(rs->up);     /* the client is done typing */
        }
        stream_unref(rs->st);
        stream_unref(rs->up);
        free(rs->spare);
        free(rs);
}

/* ---- download: the stream's data out as packets, while the client's queue has room ---- */

/* n bytes of zeros (a hole of a non-sparse download) as a STREAM packet. */
static void rs_send_zeros(RemoteStream *rs, size_t n) {
        size_t len;
        uint8_t *p = packet_raw(&rs->hdr, MSG_STREAM, MSG_STATUS_CONTINUE, n, &len);
        if (!p) {
                remote_client_close(rs->client);       /* a stream with a gap is worse than none */
                return;
        }
        memset(p + PACKET_LEN_MIN, 0, n);
        remote_send(rs->client, p, len);
}

static void rs_send_hole(RemoteStream *rs, uint64_t hole) {
        size_t len;
        uint8_t *p = packet_raw(&rs->hdr, MSG_STREAM_HOLE, MSG_STATUS_CONTINUE, 12, &len);
        if (!p) {
                remote_client_close(rs->client);
                return;
        }
        uint32_t w[3] = { (uint32_t) (hole >> 32), (uint32_t) hole, 0 };   /* {hyper length; u32 flags} */
        for (size_t i = 0; i < 3; i++)
                for (size_t b = 0; b < 4; b++)
                        p[PACKET_LEN_MIN + i * 4 + b] = (uint8_t) (w[i] >> (24 - 8 * b));
        remote_send(rs->client, p, len);
}

/* The stream's next chunk (whole data, a packet's worth at most) goes out as it is: the packet
 * is its header and then the chunk, which the output queue frees once sent. No copy. */
static void rs_send_chunk(RemoteStream *rs) {
        void *buf = NULL;
        size_t n = 0;
        uint64_t hole = 0;
        stream_take(rs->st, &buf, &n, &hole);   /* whole data: stream_next_data_len() said so */
        uint8_t *head = malloc(PACKET_LEN_MIN);
        if (!head) {
                stream_buf_free(buf);
                remote_client_close(rs->client);        /* a stream with a gap is worse than none */
                return;
        }
        packet_header_put(head, &rs->hdr, MSG_STREAM, MSG_STATUS_CONTINUE, n);
        int r = remote_client_send_body(rs->client, head, PACKET_LEN_MIN, buf, n, stream_buf_free);
        if (r < 0)
                log_debug("client %p: stream packet of %zu bytes not queued: %s", (void *) rs->client, n,
                          strerror(-r));
}

static void rs_pump(RemoteStream *rs) {
        RemoteClient *c = rs->client;
        rs->want_output = false;
        while (!rs->end_sent && !c->closing) {
                if (remote_client_output_bytes(c) >= REMOTE_STREAM_OUTPUT_WINDOW) {
                        rs->want_output = true;         /* remote_streams_output_drained() goes on */
                        return;
                }
                if (rs->zeros > 0) {
                        size_t n = rs->zeros < REMOTE_STREAM_CHUNK ? (size_t) rs->zeros : REMOTE_STREAM_CHUNK;
                        rs->zeros -= n;
                        rs_send_zeros(rs, n);
                        continue;
                }
                size_t whole = stream_next_data_len(rs->st);
                if (whole > 0 && whole <= REMOTE_STREAM_CHUNK) {
                        rs_send_chunk(rs);
                        continue;
                }
                /* Else the data is read straight into the packet that goes out (no bounce buffer). */
                if (!rs->spare && !(rs->spare = malloc(PACKET_LEN_MIN + REMOTE_STREAM_CHUNK))) {
                        remote_client_close(c);         /* a stream with a gap is worse than none */
                        return;
                }
                size_t n = 0;
                uint64_t hole = 0;
                switch (stream_read(rs->st, rs->spare + PACKET_LEN_MIN, REMOTE_STREAM_CHUNK, &n, &hole)) {
                case STREAM_ITEM_DATA: {
                        uint8_t *p = rs->spare;
                        rs->spare = NULL;
                        if (n < REMOTE_STREAM_CHUNK / 2) {      /* the output queue counts bytes sent, not held */
                                uint8_t *q = realloc(p, PACKET_LEN_MIN + n);
                                p = q ? q : p;
                        }
                        packet_header_put(p, &rs->hdr, MSG_STREAM, MSG_STATUS_CONTINUE, n);
                        remote_send(c, p, PACKET_LEN_MIN + n);
                        break;
                }
                case STREAM_ITEM_HOLE:
                        if (rs->sparse)
                                rs_send_hole(rs, hole);
                        else
                                rs->zeros = hole;
                        break;
                case STREAM_ITEM_NONE:
                        return;                         /* the stream wakes us */
                case STREAM_ITEM_END:
                        rs_send_empty(rs, MSG_STATUS_CONTINUE);   /* EOF; the client answers with finish */
                        rs->end_sent = true;
                        return;
                case STREAM_ITEM_ERROR:
                        rs_send_error(rs, stream_error(rs->st));
                        rs_free(rs, NULL);
                        return;
                }
        }
}

static void rs_consumer_wake(Stream *st, void *userdata) {
        rs_pump(userdata);
}

void remote_streams_output_drained(RemoteClient *c) {
        RemoteStream *next;
        for (RemoteStream *rs = c->streams; rs; rs = next) {
                next = rs->next;
                if (rs->want_output)
                        rs_pump(rs);            /* may free rs, never another */
        }
}

/* ---- upload: the client's packets into the stream, and its input paused while the sink is full ---- */

/* The stream the client's packets go into. */
static Stream *rs_sink(const RemoteStream *rs) {
        return rs->dir == REMOTE_STREAM_DUPLEX ? rs->up : rs->st;
}

static void rs_producer_wake(Stream *st, void *userdata) {
        RemoteStream *rs = userdata;
        if (rs->dir == REMOTE_STREAM_DUPLEX && stream_is_over(st)) {
                /* the guest's side went: the download half tells the client */
                if (rs->paused) {
                        rs->paused = false;
                        remote_client_resume_input(rs->client);
                }
                return;
        }
        if (stream_is_over(st)) {
                const VbError *e = stream_error(st);
                if (e)
                        rs_send_error(rs, e);
                else if (rs->finishing)
                        rs_send_empty(rs, MSG_STATUS_OK);
                else
                        return;                 /* closed early: the client's finish is answered then */
                rs_free(rs, NULL);
                return;
        }
        if (rs->paused && stream_space(st) > 0) {
                rs->paused = false;
                remote_client_resume_input(rs->client);
        }
}

/* A packet's data or hole went into the sink with result r: an error aborts the stream, a full
 * sink pauses the client's input. */
static void rs_upload_queued(RemoteStream *rs, int r) {
        if (r < 0 && r != -EPIPE) {
                VbError e = { 0 };
                if (r == -EBADMSG)
                        remote_error_rpc(&e, "Unable to decode message payload");
                else
                        vb_error_errno(&e, r, "stream");
                stream_abort(rs_sink(rs), &e);       /* the producer wake sends the error */
                return;
        }
        if (!rs->paused && !stream_is_over(rs_sink(rs)) && stream_space(rs_sink(rs)) == 0) {
                rs->paused = true;
                remote_client_pause_input(rs->client);
        }
}

static void rs_upload_data(RemoteStream *rs, uint32_t type, const uint8_t *payload, size_t len) {
        int r;
        if (type == MSG_STREAM_HOLE) {
                XdrReader x;
                uint64_t hole = 0;
                uint32_t flags = 0;
                xdr_reader_init(&x, payload, len);
                xdr_get_u64(&x, &hole);
                xdr_get_u32(&x, &flags);
                r = xdr_reader_ok(&x) ? stream_write_hole(rs_sink(rs), hole) : -EBADMSG;
        } else {
                r = stream_push(rs_sink(rs), payload, len);     /* a small packet: copied */
        }
        rs_upload_queued(rs, r);
}

/* ---- packets from the client ---- */

static RemoteStream *rs_find(RemoteClient *c, const PacketHeader *h) {
        for (RemoteStream *rs = c->streams; rs; rs = rs->next)
                if (rs->hdr.serial == h->serial && rs->hdr.proc == h->proc && rs->hdr.prog == h->prog)
                        return rs;
        return NULL;
}

/* An open stream that takes the client's data now (an upload or a console not yet finished). */
static RemoteStream *rs_find_sink(RemoteClient *c, const PacketHeader *h) {
        RemoteStream *rs = rs_find(c, h);
        return rs && rs->dir != REMOTE_STREAM_DOWNLOAD && !rs->finishing ? rs : NULL;
}

void *remote_stream_payload_buf(RemoteClient *c, const PacketHeader *h, size_t len) {
        if (h->status != MSG_STATUS_CONTINUE || !rs_find_sink(c, h))
                return NULL;            /* the ordinary way: whole, then remote_stream_packet() */
        return stream_buf_new(len);
}

void remote_stream_data(RemoteClient *c, const PacketHeader *h, void *payload, size_t len) {
        /* The stream may have gone while the payload was read (aborted by its consumer). */
        RemoteStream *rs = rs_find_sink(c, h);
        if (!rs) {
                log_debug("client %p: stream data (serial %u, proc %d) for no open upload ignored", (void *) c,
                          h->serial, h->proc);
                stream_buf_free(payload);
                return;
        }
        rs_upload_queued(rs, stream_write_buf(rs_sink(rs), payload, len));   /* adopted, not copied */
}

void remote_stream_packet(RemoteClient *c, const PacketHeader *h, const uint8_t *payload, size_t len) {
        RemoteStream *rs = rs_find(c, h);
        if (!rs) {
                /* late data of a stream that has ended: dropped, as libvirt does */
                log_debug("client %p: stream packet (serial %u, proc %d) for no open stream ignored", (void *) c,
                          h->serial, h->proc);
                return;
        }
        switch (h->status) {
        case MSG_STATUS_CONTINUE:
                if (rs->dir != REMOTE_STREAM_DOWNLOAD && !rs->finishing)
                        rs_upload_data(rs, h->type, payload, len);
                else
                        log_debug("client %p: data for a download stream (serial %u) ignored", (void *) c, h->serial);
                return;
        case MSG_STATUS_OK:             /* finish */
                if (rs->dir != REMOTE_STREAM_UPLOAD) {
                        stream_close(rs->st);
                        rs_send_empty(rs, MSG_STATUS_OK);
                        rs_free(rs, NULL);
                } else if (!rs->finishing) {
                        rs->finishing = true;
                        if (stream_is_closed(rs->st)) {
                                rs_send_empty(rs, MSG_STATUS_OK);
                                rs_free(rs, NULL);
                        } else {
                                stream_finish(rs->st);   /* answered when the sink has taken it all */
                        }
                }
                return;
        case MSG_STATUS_ERROR:          /* abort */
        default: {
                log_debug("client %p: stream (serial %u, proc %d) aborted by the client", (void *) c, h->serial,
                          h->proc);
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "stream aborted at client request");
                stream_abort(rs->st, &e);
                rs_send_empty(rs, MSG_STATUS_OK);
                rs_free(rs, NULL);
                return;
        }
        }
}

/* ---- opening and closing ---- */

int remote_stream_room(RemoteCall *rc) {
        RemoteClient *c = rc->client;
        size_t n = 0;
        for (RemoteStream *rs = c->streams; rs; rs = rs->next)
                n++;
        return stream_limit_check(n, remote_client_max_streams(c), "this connection", &rc->err);
}

int remote_stream_open(RemoteCall *rc, Stream *st, RemoteStreamDir dir, bool sparse) {
        RemoteStream *rs = calloc(1, sizeof *rs);
        if (!rs)
                return vb_error_errno(&rc->err, -ENOMEM, "stream");
        *rs = (RemoteStream) {
                .next = rc->client->streams,
                .client = rc->client,
                .hdr = rc->hdr,
                .st = stream_ref(st),
                .dir = dir,
                .sparse = sparse,
        };
        rc->client->streams = rs;
        /* the first wake-up runs from the loop, after the reply this call is about to send */
        if (dir == REMOTE_STREAM_UPLOAD)
                stream_set_producer(st, rs_producer_wake, rs);
        else
                stream_set_consumer(st, rs_consumer_wake, rs);
        return 0;
}

int remote_stream_open_duplex(RemoteCall *rc, Stream *out, Stream *in) {
        if (remote_stream_open(rc, out, REMOTE_STREAM_DUPLEX, false) < 0)
                return -1;
        RemoteStream *rs = rc->client->streams;
        rs->up = stream_ref(in);
        stream_set_producer(in, rs_producer_wake, rs);
        return 0;
}

void remote_streams_free(RemoteClient *c) {
        while (c->streams)
                rs_free(c->streams, "the client has disconnected");
}
