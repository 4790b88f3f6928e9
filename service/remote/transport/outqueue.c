/* outqueue.c: a client's output queue: packets appended whole, sent in order, freed once out. */
#include "outqueue.h"

#include <errno.h>
#include <stdlib.h>

struct OutPacket {
        OutPacket *next;
        uint8_t *data;
        size_t len, off;
};

int out_queue_push(OutQueue *q, uint8_t *packet, size_t len) {
        OutPacket *o = malloc(sizeof *o);
        if (!o) {
                free(packet);
                return -ENOMEM;
        }
        *o = (OutPacket) { .data = packet, .len = len };
        if (q->tail)
                q->tail->next = o;
        else
                q->head = o;
        q->tail = o;
        q->bytes += len;
        return 0;
}

size_t out_queue_iov(const OutQueue *q, struct iovec *iov, size_t max, size_t *total) {
        size_t n = 0;
        *total = 0;
        for (OutPacket *o = q->head; o && n < max; o = o->next, n++) {
                iov[n] = (struct iovec) { .iov_base = o->data + o->off, .iov_len = o->len - o->off };
                *total += iov[n].iov_len;
        }
        return n;
}

void out_queue_advance(OutQueue *q, size_t n) {
        q->bytes -= n;
        while (n > 0) {
                OutPacket *o = q->head;
                size_t rest = o->len - o->off;
                if (n < rest) {
                        o->off += n;
                        break;
                }
                n -= rest;
                q->head = o->next;
                free(o->data);
                free(o);
        }
        if (!q->head)
                q->tail = NULL;
}

void out_queue_clear(OutQueue *q) {
        while (q->head) {
                OutPacket *o = q->head;
                q->head = o->next;
                free(o->data);
                free(o);
        }
        *q = (OutQueue) { 0 };
}
