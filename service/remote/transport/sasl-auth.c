/* sasl-auth.c: SASL sessions with cyrus-sasl under libvirt's application name, and the security layer they may negotiate. */
#define LOG_MODULE "remote"

#include "sasl-auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sasl/sasl.h>

#include "log.h"
#include "tls-context.h"

#define SASL_APP_NAME "libvirt"         /* /etc/sasl2/libvirt.conf, saslpasswd2 -a libvirt */
#define SASL_MIN_SSF_PLAIN 56           /* libvirt's floor for a security layer on plain TCP */
#define SASL_MAX_BUF 8192               /* what libvirt's server offers */
#define SASL_OUT_HIGH (64 * 1024)

struct RemoteSasl {
        sasl_conn_t *conn;
};

static bool sasl_inited;

static void sasl_set(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void sasl_set(char *buf, size_t len, const char *fmt, ...) {
        if (!buf || !len)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
}

/* cyrus-sasl's own locks are no-ops unless given real ones: steps run in threads
 * (proc-auth-sasl.c), one session each, while the loop makes and disposes of other sessions. */
static void *sasl_mutex_alloc(void) {
        pthread_mutex_t *m = malloc(sizeof *m);
        if (m)
                pthread_mutex_init(m, NULL);
        return m;
}

static int sasl_mutex_lock(void *m) {
        return pthread_mutex_lock(m) == 0 ? SASL_OK : SASL_FAIL;
}

static int sasl_mutex_unlock(void *m) {
        return pthread_mutex_unlock(m) == 0 ? SASL_OK : SASL_FAIL;
}

static void sasl_mutex_free(void *m) {
        if (m) {
                pthread_mutex_destroy(m);
                free(m);
        }
}

int remote_sasl_global_init(char *errbuf, size_t errlen) {
        if (sasl_inited)
                return 0;
        sasl_set_mutex(sasl_mutex_alloc, sasl_mutex_lock, sasl_mutex_unlock, sasl_mutex_free);
        int e = sasl_server_init(NULL, SASL_APP_NAME);
        if (e != SASL_OK) {
                sasl_set(errbuf, errlen, "cannot initialize SASL: %s", sasl_errstring(e, NULL, NULL));
                return -EIO;
        }
        sasl_inited = true;
        return 0;
}

int remote_sasl_new(const char *local, const char *remote, unsigned external_ssf, bool unix_socket, RemoteSasl **out,
                    char *errbuf, size_t errlen) {
        int r = remote_sasl_global_init(errbuf, errlen);
        if (r < 0)
                return r;
        RemoteSasl *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        int e = sasl_server_new(SASL_APP_NAME, NULL, NULL, local, remote, NULL, SASL_SUCCESS_DATA, &s->conn);
        if (e != SASL_OK) {
                sasl_set(errbuf, errlen, "cannot start a SASL session: %s", sasl_errstring(e, NULL, NULL));
                free(s);
                return -EIO;
        }
        sasl_ssf_t ext = external_ssf;
        sasl_security_properties_t props = {
                .min_ssf = external_ssf || unix_socket ? 0 : SASL_MIN_SSF_PLAIN,
                .max_ssf = unix_socket ? 0 : 100000,    /* libvirt's: no layer on a unix socket */
                .maxbufsize = SASL_MAX_BUF,
                /* libvirt's: mech_list decides on a unix socket (PLAIN, ANONYMOUS if named) */
                .security_flags = unix_socket ? 0 : SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT,
        };
        if ((e = sasl_setprop(s->conn, SASL_SSF_EXTERNAL, &ext)) != SASL_OK ||
            (e = sasl_setprop(s->conn, SASL_SEC_PROPS, &props)) != SASL_OK) {
                sasl_set(errbuf, errlen, "cannot set SASL properties: %s", sasl_errdetail(s->conn));
                remote_sasl_free(s);
                return -EIO;
        }
        *out = s;
        return 0;
}

RemoteSasl *remote_sasl_free(RemoteSasl *s) {
        if (s) {
                sasl_dispose(&s->conn);
                free(s);
        }
        return NULL;
}

int remote_sasl_mechlist(RemoteSasl *s, char **out, char *why, size_t whylen) {
        const char *list = NULL;
        int e = sasl_listmech(s->conn, NULL, "", ",", "", &list, NULL, NULL);
        if (e != SASL_OK) {
                sasl_set(why, whylen, "no SASL mechanism is available: %s", sasl_errdetail(s->conn));
                return -ENOENT;
        }
        return (*out = strdup(list)) ? 0 : -ENOMEM;
}

static RemoteSaslResult sasl_result(RemoteSasl *s, int e, const char *out, unsigned outlen, const void **pout,
                                    size_t *poutlen, char *why, size_t whylen) {
        if (e != SASL_OK && e != SASL_CONTINUE) {
                sasl_set(why, whylen, "%s", sasl_errdetail(s->conn));
                return REMOTE_SASL_FAILED;
        }
        *pout = out;
        *poutlen = outlen;
        return e == SASL_OK ? REMOTE_SASL_DONE : REMOTE_SASL_CONTINUE;
}

RemoteSaslResult remote_sasl_start(RemoteSasl *s, const char *mech, const void *in, size_t inlen, bool nil,
                                   const void **out, size_t *outlen, char *why, size_t whylen) {
        const char *o = NULL;
        unsigned olen = 0;
        int e = sasl_server_start(s->conn, mech, nil ? NULL : in, nil ? 0 : (unsigned) inlen, &o, &olen);
        return sasl_result(s, e, o, olen, out, outlen, why, whylen);
}

RemoteSaslResult remote_sasl_step(RemoteSasl *s, const void *in, size_t inlen, bool nil, const void **out,
                                  size_t *outlen, char *why, size_t whylen) {
        const char *o = NULL;
        unsigned olen = 0;
        int e = sasl_server_step(s->conn, nil ? NULL : in, nil ? 0 : (unsigned) inlen, &o, &olen);
        return sasl_result(s, e, o, olen, out, outlen, why, whylen);
}

unsigned remote_sasl_ssf(RemoteSasl *s) {
        const void *v = NULL;
        return sasl_getprop(s->conn, SASL_SSF, &v) == SASL_OK && v ? *(const sasl_ssf_t *) v : 0;
}

const char *remote_sasl_username(RemoteSasl *s) {
        const void *v = NULL;
        return sasl_getprop(s->conn, SASL_USERNAME, &v) == SASL_OK ? v : NULL;
}

bool remote_sasl_user_allowed(char *const *list, const char *user) {
        if (!list)
                return true;
        for (char *const *p = list; user && *p; p++)
                if (tls_dn_match(*p, user))     /* the same wildcards as tls_allowed_dn_list */
                        return true;
        return false;
}

/* ---- the security layer ---- */

typedef struct SaslLayer {
        RemoteLayer base;
        RemoteSasl *sasl;
        unsigned maxout;                /* plaintext per sasl_encode() */
        uint8_t *in;                    /* decoded, not yet handed out */
        size_t in_len, in_off, in_cap;
        uint8_t *out;                   /* encoded, not yet written below */
        size_t out_len, out_cap;
} SaslLayer;

static int buf_append(uint8_t **buf, size_t *len, size_t *cap, const void *data, size_t n) {
        if (*len + n > *cap) {
                size_t c = *cap ? *cap : 4096;
                while (c < *len + n)
                        c *= 2;
                uint8_t *v = realloc(*buf, c);
                if (!v)
                        return -ENOMEM;
                *buf = v;
                *cap = c;
        }
        memcpy(*buf + *len, data, n);
        *len += n;
        return 0;
}

static int sasl_flush(RemoteLayer *l) {
        SaslLayer *s = (SaslLayer *) l;
        size_t off = 0;
        int r = 0;
        while (off < s->out_len) {
                struct iovec iov = { s->out + off, s->out_len - off };
                ssize_t w = remote_layer_writev(l->below, &iov, 1);
                if (w < 0) {
                        r = (int) w;
                        break;
                }
                off += (size_t) w;
        }
        memmove(s->out, s->out + off, s->out_len - off);
        s->out_len -= off;
        return r;
}

static ssize_t sasl_read(RemoteLayer *l, void *buf, size_t len) {
        SaslLayer *s = (SaslLayer *) l;
        while (s->in_off == s->in_len) {
                uint8_t raw[SASL_MAX_BUF];
                ssize_t n = remote_layer_read(l->below, raw, sizeof raw);
                if (n <= 0)
                        return n;
                const char *dec = NULL;
                unsigned declen = 0;
                int e = sasl_decode(s->sasl->conn, (const char *) raw, (unsigned) n, &dec, &declen);
                if (e != SASL_OK) {
                        log_warning("SASL decoding failed: %s", sasl_errdetail(s->sasl->conn));
                        return -EPROTO;
                }
                s->in_off = s->in_len = 0;
                if (declen && buf_append(&s->in, &s->in_len, &s->in_cap, dec, declen) < 0)
                        return -ENOMEM;
        }
        size_t k = s->in_len - s->in_off < len ? s->in_len - s->in_off : len;
        memcpy(buf, s->in + s->in_off, k);
        s->in_off += k;
        return (ssize_t) k;
}

static ssize_t sasl_writev(RemoteLayer *l, const struct iovec *iov, size_t n) {
        SaslLayer *s = (SaslLayer *) l;
        if (s->out_len >= SASL_OUT_HIGH) {
                int r = sasl_flush(l);
                if (r < 0 && r != -EAGAIN)
                        return r;
                if (s->out_len >= SASL_OUT_HIGH)
                        return -EAGAIN;
        }
        uint8_t gather[SASL_MAX_BUF];
        size_t len = 0, cap = s->maxout < sizeof gather ? s->maxout : sizeof gather;
        for (size_t i = 0; i < n && len < cap; i++) {
                size_t k = iov[i].iov_len < cap - len ? iov[i].iov_len : cap - len;
                memcpy(gather + len, iov[i].iov_base, k);
                len += k;
        }
        if (len == 0)
                return 0;
        const char *enc = NULL;
        unsigned enclen = 0;
        if (sasl_encode(s->sasl->conn, (const char *) gather, (unsigned) len, &enc, &enclen) != SASL_OK) {
                log_warning("SASL encoding failed: %s", sasl_errdetail(s->sasl->conn));
                return -EPROTO;
        }
        if (buf_append(&s->out, &s->out_len, &s->out_cap, enc, enclen) < 0)
                return -ENOMEM;
        int r = sasl_flush(l);
        if (r < 0 && r != -EAGAIN)
                return r;
        return (ssize_t) len;
}

static size_t sasl_pending(RemoteLayer *l) {
        SaslLayer *s = (SaslLayer *) l;
        return s->in_len - s->in_off;
}

static uint32_t sasl_wants(RemoteLayer *l) {
        return ((SaslLayer *) l)->out_len ? EPOLLOUT : 0;
}

static int sasl_identity(RemoteLayer *l, RemotePeer *p) {
        p->sasl_username = remote_sasl_username(((SaslLayer *) l)->sasl);
        return 0;
}

static void sasl_close(RemoteLayer *l) {
        SaslLayer *s = (SaslLayer *) l;
        remote_sasl_free(s->sasl);
        free(s->in);
        free(s->out);
        free(s);
}

static const RemoteLayerOps sasl_ops = {
        .name = "SASL",
        .read = sasl_read,
        .writev = sasl_writev,
        .flush = sasl_flush,
        .pending = sasl_pending,
        .wants = sasl_wants,
        .identity = sasl_identity,
        .close = sasl_close,
};

int remote_layer_sasl_new(RemoteSasl *sasl, RemoteLayer **out) {
        SaslLayer *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        const void *v = NULL;
        s->maxout = sasl_getprop(sasl->conn, SASL_MAXOUTBUF, &v) == SASL_OK && v ? *(const unsigned *) v : 0;
        if (s->maxout == 0 || s->maxout > SASL_MAX_BUF)
                s->maxout = SASL_MAX_BUF;
        s->base.ops = &sasl_ops;
        s->sasl = sasl;
        *out = &s->base;
        return 0;
}
