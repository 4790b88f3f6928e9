/* layer-tls.c: the TLS layer of a TLS listener's clients (gnutls over the layer below): a non-blocking handshake, libvirt's check of the client's certificate, then records. */
#define LOG_MODULE "remote"

#include "layer-tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"

/* Encrypted output waiting for the socket. gnutls hands whole records to the push function and
 * cannot resume a half-pushed one on its own, so the push function always takes everything and
 * the plaintext side stops taking bytes while this much is waiting. */
#define TLS_OUT_HIGH (64 * 1024)
#define TLS_RECORD_MAX 16384

typedef enum TlsState {
        TLS_HANDSHAKE,          /* gnutls_handshake() goes on */
        TLS_OPEN,               /* checked and confirmed: records flow */
        TLS_FAILED,
} TlsState;

typedef struct TlsLayer {
        RemoteLayer base;
        TlsContext *ctx;
        gnutls_session_t session;
        TlsState state;
        bool hs_wants_write;    /* gnutls_record_get_direction() after the last -EAGAIN */
        int below_error;        /* errno of the layer below that gnutls saw, to hand up */
        uint8_t *out;
        size_t out_len, out_cap;
        char *dn;
} TlsLayer;

static ssize_t tls_push(gnutls_transport_ptr_t p, const void *data, size_t len) {
        TlsLayer *t = p;
        if (t->out_len + len > t->out_cap) {
                size_t cap = t->out_cap ? t->out_cap : 4096;
                while (cap < t->out_len + len)
                        cap *= 2;
                uint8_t *v = realloc(t->out, cap);
                if (!v) {
                        gnutls_transport_set_errno(t->session, ENOMEM);
                        return -1;
                }
                t->out = v;
                t->out_cap = cap;
        }
        memcpy(t->out + t->out_len, data, len);
        t->out_len += len;
        return (ssize_t) len;
}

static ssize_t tls_pull(gnutls_transport_ptr_t p, void *buf, size_t len) {
        TlsLayer *t = p;
        ssize_t n = remote_layer_read(t->base.below, buf, len);
        if (n >= 0)
                return n;
        if (n != -EAGAIN)
                t->below_error = (int) -n;
        gnutls_transport_set_errno(t->session, (int) -n);
        return -1;
}

static int tls_flush(RemoteLayer *l) {
        TlsLayer *t = (TlsLayer *) l;
        size_t off = 0;
        int r = 0;
        while (off < t->out_len) {
                struct iovec iov = { t->out + off, t->out_len - off };
                ssize_t w = remote_layer_writev(l->below, &iov, 1);
                if (w < 0) {
                        r = (int) w;
                        break;
                }
                off += (size_t) w;
        }
        memmove(t->out, t->out + off, t->out_len - off);
        t->out_len -= off;
        return r;
}

/* A gnutls error as the transport's errno: the peer going away is not worth a warning. */
static int tls_errno(TlsLayer *t, int g) {
        if (t->below_error)
                return -t->below_error;
        if (g == GNUTLS_E_PREMATURE_TERMINATION)
                return -ECONNRESET;
        if (g == GNUTLS_E_MEMORY_ERROR)
                return -ENOMEM;
        return -EPROTO;
}

static void tls_peer_address(TlsLayer *t, char *buf, size_t len) {
        RemotePeer p = { 0 };
        RemoteLayer *bottom = t->base.below;
        while (bottom && bottom->below)
                bottom = bottom->below;
        if (bottom && bottom->ops->identity && bottom->ops->identity(bottom, &p) == 0 && p.address[0])
                snprintf(buf, len, "%s", p.address);
        else
                snprintf(buf, len, "a TLS client");
}

static int tls_handshake(RemoteLayer *l) {
        TlsLayer *t = (TlsLayer *) l;
        if (t->state == TLS_FAILED)
                return -EPROTO;
        int r = tls_flush(l);
        if (r < 0 && r != -EAGAIN)
                return r;
        int g;
        do
                g = gnutls_handshake(t->session);
        while (g == GNUTLS_E_INTERRUPTED);
        r = tls_flush(l);
        if (r < 0 && r != -EAGAIN)
                return r;
        if (g == GNUTLS_E_AGAIN) {
                t->hs_wants_write = gnutls_record_get_direction(t->session) == 1;
                return -EAGAIN;
        }
        char addr[80];
        if (g < 0) {
                t->state = TLS_FAILED;
                tls_peer_address(t, addr, sizeof addr);
                log_at(g == GNUTLS_E_PREMATURE_TERMINATION ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING,
                       "TLS handshake with %s failed: %s", addr, gnutls_strerror(g));
                return tls_errno(t, g);
        }
        char why[512];
        r = tls_context_check_peer(t->ctx, t->session, &t->dn, why, sizeof why);
        if (r < 0) {
                t->state = TLS_FAILED;
                tls_peer_address(t, addr, sizeof addr);
                log_warning("TLS client %s refused: %s", addr, why);
                /* A clean close_notify instead of the confirmation byte: libvirt's clients then
                 * say "server verification (of our certificate or IP address) failed". The
                 * alert is a few bytes into an empty socket buffer: one try is enough. */
                gnutls_bye(t->session, GNUTLS_SHUT_WR);
                tls_flush(l);
                return r;
        }
        /* The byte libvirt's clients wait for: the server has accepted their certificate. */
        g = gnutls_record_send(t->session, "\1", 1);
        if (g != 1)
                return tls_errno(t, g);
        t->state = TLS_OPEN;
        log_debug("TLS session with %s: %s", t->dn ? t->dn : "a client without certificate",
                  gnutls_protocol_get_name(gnutls_protocol_get_version(t->session)));
        r = tls_flush(l);
        return r == -EAGAIN ? 0 : r;    /* what is left goes out as the socket allows (wants()) */
}

static ssize_t tls_read(RemoteLayer *l, void *buf, size_t len) {
        TlsLayer *t = (TlsLayer *) l;
        ssize_t g;
        do
                g = gnutls_record_recv(t->session, buf, len);
        while (g == GNUTLS_E_INTERRUPTED);
        /* Post-handshake messages (key updates) may have queued records of our own. */
        int r = tls_flush(l);
        if (r < 0 && r != -EAGAIN)
                return r;
        if (g >= 0)
                return g;
        if (g == GNUTLS_E_AGAIN || g == GNUTLS_E_REHANDSHAKE)
                return -EAGAIN;
        return tls_errno(t, (int) g);
}

static ssize_t tls_writev(RemoteLayer *l, const struct iovec *iov, size_t n) {
        TlsLayer *t = (TlsLayer *) l;
        if (t->out_len >= TLS_OUT_HIGH) {
                int r = tls_flush(l);
                if (r < 0 && r != -EAGAIN)
                        return r;
                if (t->out_len >= TLS_OUT_HIGH)
                        return -EAGAIN;
        }
        /* One record's worth: straight from a large buffer, gathered from small ones. */
        uint8_t gather[TLS_RECORD_MAX];
        const void *data;
        size_t len = 0;
        size_t i = 0;
        while (i < n && iov[i].iov_len == 0)
                i++;
        if (i == n)
                return 0;
        if (iov[i].iov_len >= TLS_RECORD_MAX) {
                data = iov[i].iov_base;
                len = TLS_RECORD_MAX;
        } else {
                for (; i < n && len < TLS_RECORD_MAX; i++) {
                        size_t k = iov[i].iov_len < TLS_RECORD_MAX - len ? iov[i].iov_len : TLS_RECORD_MAX - len;
                        memcpy(gather + len, iov[i].iov_base, k);
                        len += k;
                }
                data = gather;
        }
        ssize_t g;
        do
                g = gnutls_record_send(t->session, data, len);
        while (g == GNUTLS_E_INTERRUPTED);
        if (g < 0)
                return g == GNUTLS_E_AGAIN ? -EAGAIN : tls_errno(t, (int) g);
        int r = tls_flush(l);
        if (r < 0 && r != -EAGAIN)
                return r;
        return g;
}

static size_t tls_pending(RemoteLayer *l) {
        TlsLayer *t = (TlsLayer *) l;
        return t->state == TLS_OPEN ? gnutls_record_check_pending(t->session) : 0;
}

static uint32_t tls_wants(RemoteLayer *l) {
        TlsLayer *t = (TlsLayer *) l;
        uint32_t ev = t->out_len ? EPOLLOUT : 0;
        if (t->state == TLS_HANDSHAKE && !t->hs_wants_write)
                ev |= EPOLLIN;
        return ev;
}

static int tls_identity(RemoteLayer *l, RemotePeer *p) {
        TlsLayer *t = (TlsLayer *) l;
        p->x509_dname = t->dn;
        if (t->state == TLS_OPEN)
                p->tls_ssf = (unsigned) gnutls_cipher_get_key_size(gnutls_cipher_get(t->session)) * 8;
        return 0;
}

static void tls_close(RemoteLayer *l) {
        TlsLayer *t = (TlsLayer *) l;
        gnutls_deinit(t->session);
        tls_context_unref(t->ctx);
        free(t->out);
        free(t->dn);
        free(t);
}

static const RemoteLayerOps tls_ops = {
        .name = "TLS",
        .one_packet_per_write = true,   /* the records end where the packets do, as libvirtd's */
        .read = tls_read,
        .writev = tls_writev,
        .flush = tls_flush,
        .handshake = tls_handshake,
        .pending = tls_pending,
        .wants = tls_wants,
        .identity = tls_identity,
        .close = tls_close,
};

int remote_layer_tls_new(TlsContext *ctx, RemoteLayer **out) {
        TlsLayer *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        int r = tls_context_session(ctx, &t->session);
        if (r < 0) {
                free(t);
                return r;
        }
        t->base.ops = &tls_ops;
        t->ctx = tls_context_ref(ctx);
        gnutls_transport_set_ptr(t->session, t);
        gnutls_transport_set_push_function(t->session, tls_push);
        gnutls_transport_set_pull_function(t->session, tls_pull);
        *out = &t->base;
        return 0;
}
