/* outqueue.c: a client's output queue: packets appended whole (a header and perhaps a body of another owner's), sent in order, freed once out. */
#include "outqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_FDS_MAX 32          /* libvirt's VIR_NET_MESSAGE_NUM_FDS_MAX */

struct OutPacket {
        OutPacket *next;
        uint8_t *data;
        size_t len;                     /* of data */
        void *body;                     /* the rest of the packet (a stream's buffer), after data */
        size_t body_len;
        void (*body_free)(void *);
        size_t off;                     /* sent, of len + body_len */
        int fds[OUT_FDS_MAX];
        size_t n_fds, fds_sent;
};

static void packet_free(OutPacket *o) {
        for (size_t i = o->fds_sent; i < o->n_fds; i++)
                close(o->fds[i]);
        free(o->data);
        if (o->body)
                o->body_free(o->body);
        free(o);
}

static size_t packet_len(const OutPacket *o) {
        return o->len + o->body_len;
}

static void queue_append(OutQueue *q, OutPacket *o) {
        if (q->tail)
                q->tail->next = o;
        else
                q->head = o;
        q->tail = o;
        q->bytes += packet_len(o);
}

int out_queue_push(OutQueue *q, uint8_t *packet, size_t len) {
        return out_queue_push_fds(q, packet, len, NULL, 0);
}

int out_queue_push_fds(OutQueue *q, uint8_t *packet, size_t len, const int *fds, size_t n_fds) {
        OutPacket *o = n_fds <= OUT_FDS_MAX ? malloc(sizeof *o) : NULL;
        if (!o) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                free(packet);
                return n_fds <= OUT_FDS_MAX ? -ENOMEM : -E2BIG;
        }
        *o = (OutPacket) { .data = packet, .len = len, .n_fds = n_fds };
        if (n_fds)
                memcpy(o->fds, fds, n_fds * sizeof *fds);
        queue_append(q, o);
        return 0;
}

int out_queue_push_body(OutQueue *q, uint8_t *head, size_t len, void *body, size_t body_len,
                        void (*body_free)(void *)) {
        OutPacket *o = malloc(sizeof *o);
        if (!o) {
                free(head);
                body_free(body);
                return -ENOMEM;
        }
        *o = (OutPacket) { .data = head, .len = len, .body = body, .body_len = body_len, .body_free = body_free };
        queue_append(q, o);
        return 0;
}

static size_t queue_iov(const OutQueue *q, struct iovec *iov, size_t max, size_t *total, bool one) {
        size_t n = 0;
        *total = 0;
        for (OutPacket *o = q->head; o && n < max && (!one || o == q->head); o = o->next) {
                if (o->off < o->len) {
                        iov[n] = (struct iovec) { .iov_base = o->data + o->off, .iov_len = o->len - o->off };
                        *total += iov[n++].iov_len;
                }
                if (o->off < packet_len(o) && o->body_len) {
                        if (n == max)
                                break;          /* the body goes first in the next call */
                        size_t done = o->off > o->len ? o->off - o->len : 0;
                        iov[n] = (struct iovec) { .iov_base = (uint8_t *) o->body + done,
                                                  .iov_len = o->body_len - done };
                        *total += iov[n++].iov_len;
                }
                if (o->fds_sent < o->n_fds)
                        break;          /* its descriptors go before the next packet's bytes */
        }
        return n;
}

size_t out_queue_iov(const OutQueue *q, struct iovec *iov, size_t max, size_t *total) {
        return queue_iov(q, iov, max, total, false);
}

size_t out_queue_iov_head(const OutQueue *q, struct iovec *iov, size_t max, size_t *total) {
        return queue_iov(q, iov, max, total, true);
}

void out_queue_advance(OutQueue *q, size_t n) {
        q->bytes -= n;
        while (n > 0) {
                OutPacket *o = q->head;
                size_t rest = packet_len(o) - o->off;
                if (n < rest) {
                        o->off += n;
                        break;
                }
                n -= rest;
                o->off = packet_len(o);
                if (o->fds_sent < o->n_fds)
                        break;          /* stays until its descriptors are out */
                q->head = o->next;
                packet_free(o);
        }
        if (!q->head)
                q->tail = NULL;
}

int out_queue_head_fd(const OutQueue *q) {
        const OutPacket *o = q->head;
        return o && o->off == packet_len(o) && o->fds_sent < o->n_fds ? o->fds[o->fds_sent] : -1;
}

void out_queue_fd_sent(OutQueue *q) {
        OutPacket *o = q->head;
        if (!o || o->off != packet_len(o) || o->fds_sent >= o->n_fds)
                return;
        close(o->fds[o->fds_sent++]);
        if (o->fds_sent == o->n_fds) {
                q->head = o->next;
                packet_free(o);
                if (!q->head)
                        q->tail = NULL;
        }
}

void out_queue_clear(OutQueue *q) {
        while (q->head) {
                OutPacket *o = q->head;
                q->head = o->next;
                packet_free(o);
        }
        *q = (OutQueue) { 0 };
}
