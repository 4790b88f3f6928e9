/* outqueue.h: a client's output: whole packets in order, the first one perhaps partly sent. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

typedef struct OutPacket OutPacket;

typedef struct OutQueue {
        OutPacket *head, *tail;
        size_t bytes;                   /* not yet sent */
} OutQueue;

/* Append packet (malloc'ed; the queue owns it from now, and frees it on failure): 0 or -ENOMEM. */
int out_queue_push(OutQueue *q, uint8_t *packet, size_t len);
/* The same, with descriptors that go after the packet's last byte (SCM_RIGHTS, one per
 * sendmsg, as libvirt's REPLY_WITH_FDS): the queue owns them from now (closed when sent, on
 * clear and on failure). */
int out_queue_push_fds(OutQueue *q, uint8_t *packet, size_t len, const int *fds, size_t n_fds);
/* A packet of two parts sent as one: head (malloc'ed) and then body_len bytes of body, which
 * body_free() frees once they are out (a stream's buffer goes out as it is, not copied into a
 * packet). The queue owns both from now, also on failure. */
int out_queue_push_body(OutQueue *q, uint8_t *head, size_t len, void *body, size_t body_len,
                        void (*body_free)(void *));
/* The descriptor the head packet waits to send now that its bytes are out, or -1. */
int out_queue_head_fd(const OutQueue *q);
/* That descriptor was sent: close it and go on (the packet goes with its last one). */
void out_queue_fd_sent(OutQueue *q);
/* Up to max iovecs of what is still to send, from the front; *total is their byte count. */
size_t out_queue_iov(const OutQueue *q, struct iovec *iov, size_t max, size_t *total);
/* The same for the head packet alone (a layer that takes one packet per write). */
size_t out_queue_iov_head(const OutQueue *q, struct iovec *iov, size_t max, size_t *total);
/* n bytes from the front were sent: drop the packets that are complete. */
void out_queue_advance(OutQueue *q, size_t n);
void out_queue_clear(OutQueue *q);

static inline bool out_queue_empty(const OutQueue *q) {
        return !q->head;
}
