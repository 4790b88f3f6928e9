/* layer-double.c: a test-only layer stacked over the socket on both ends, holding input as a TLS layer holds decrypted records. */
#include "layer-double.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#define HELLO "XOR"
#define HELLO_LEN 4                     /* "XOR" and the key byte */
#define RX_BUF 4096

LayerDoubleStats layer_double_stats;

typedef struct XorLayer {
        RemoteLayer base;
        uint8_t key, peer_key;
        size_t read_chunk;
        uint8_t hello_out[HELLO_LEN], hello_in[HELLO_LEN];
        size_t hello_sent, hello_got;
        uint32_t want;                  /* during the handshake: what it waits for */
        uint8_t rx[RX_BUF];
        size_t rx_off, rx_len;          /* decoded bytes held: rx[rx_off .. rx_len) */
} XorLayer;

static int xor_handshake(RemoteLayer *l) {
        XorLayer *x = (XorLayer *) l;
        while (x->hello_sent < HELLO_LEN) {
                struct iovec iov = { x->hello_out + x->hello_sent, HELLO_LEN - x->hello_sent };
                ssize_t w = remote_layer_writev(l->below, &iov, 1);
                if (w == -EAGAIN)
                        x->want = EPOLLOUT;
                if (w < 0)
                        return (int) w;
                x->hello_sent += (size_t) w;
        }
        while (x->hello_got < HELLO_LEN) {
                ssize_t n = remote_layer_read(l->below, x->hello_in + x->hello_got, HELLO_LEN - x->hello_got);
                if (n == -EAGAIN)
                        x->want = EPOLLIN;
                if (n == 0)
                        return -ECONNRESET;
                if (n < 0)
                        return (int) n;
                x->hello_got += (size_t) n;
        }
        x->want = 0;
        if (memcmp(x->hello_in, HELLO, 3) != 0) {
                layer_double_stats.refused++;
                return -EPROTO;
        }
        x->peer_key = x->hello_in[3];
        layer_double_stats.handshakes++;
        return 0;
}

static ssize_t xor_read(RemoteLayer *l, void *buf, size_t len) {
        XorLayer *x = (XorLayer *) l;
        if (x->rx_off == x->rx_len) {
                ssize_t n = remote_layer_read(l->below, x->rx, RX_BUF);
                if (n <= 0)
                        return n;
                for (ssize_t i = 0; i < n; i++)
                        x->rx[i] ^= x->peer_key;
                x->rx_off = 0;
                x->rx_len = (size_t) n;
        }
        size_t give = x->rx_len - x->rx_off;
        if (give > len)
                give = len;
        if (give > x->read_chunk)
                give = x->read_chunk;
        memcpy(buf, x->rx + x->rx_off, give);
        x->rx_off += give;
        if (x->rx_len - x->rx_off > layer_double_stats.max_pending)
                layer_double_stats.max_pending = x->rx_len - x->rx_off;
        return (ssize_t) give;
}

/* One byte per write below, as long as the layer below takes them. */
static ssize_t xor_writev(RemoteLayer *l, const struct iovec *iov, size_t n) {
        XorLayer *x = (XorLayer *) l;
        size_t taken = 0;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < iov[i].iov_len; j++) {
                        uint8_t b = ((const uint8_t *) iov[i].iov_base)[j] ^ x->key;
                        struct iovec one = { &b, 1 };
                        ssize_t w = remote_layer_writev(l->below, &one, 1);
                        if (w < 0)
                                return taken ? (ssize_t) taken : w;
                        layer_double_stats.chunk_writes++;
                        taken++;
                }
        return (ssize_t) taken;
}

static size_t xor_pending(RemoteLayer *l) {
        XorLayer *x = (XorLayer *) l;
        return x->rx_len - x->rx_off;
}

static uint32_t xor_wants(RemoteLayer *l) {
        return l->ready ? 0 : ((XorLayer *) l)->want;
}

static int xor_identity(RemoteLayer *l, RemotePeer *p) {
        p->sasl_username = "xor";       /* stands for what SASL will name */
        return 0;
}

static void xor_close(RemoteLayer *l) {
        free(l);
}

static const RemoteLayerOps xor_ops = {
        .name = "xor",
        .read = xor_read,
        .writev = xor_writev,
        .handshake = xor_handshake,
        .pending = xor_pending,
        .wants = xor_wants,
        .identity = xor_identity,
        .close = xor_close,
};

int layer_double_new(uint8_t key, size_t read_chunk, RemoteLayer **out) {
        XorLayer *x = calloc(1, sizeof *x);
        if (!x)
                return -ENOMEM;
        x->base.ops = &xor_ops;
        x->key = key;
        x->read_chunk = read_chunk ? read_chunk : 1;
        memcpy(x->hello_out, HELLO, 3);
        x->hello_out[3] = key;
        x->want = EPOLLOUT;
        *out = &x->base;
        return 0;
}
