/* xdr.c: the bounded XDR reader and the capped XDR writer of the remote protocol. */
#include "xdr.h"

#include "packet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t pad4(size_t n) {
        return (4 - (n & 3)) & 3;
}

void xdr_reader_init(XdrReader *r, const uint8_t *data, size_t len) {
        *r = (XdrReader) { .data = data, .len = len };
}

static int reader_fail(XdrReader *r) {
        r->failed = true;
        return -1;
}

/* Room for n bytes? n may come from the wire, so compare without adding to pos. */
static bool reader_has(const XdrReader *r, size_t n) {
        return !r->failed && n <= r->len - r->pos;
}

/* Outputs are zeroed on failure, so a value read after a failed one is never garbage. */
int xdr_get_u32(XdrReader *r, uint32_t *v) {
        *v = 0;
        if (!reader_has(r, 4))
                return reader_fail(r);
        const uint8_t *p = r->data + r->pos;
        *v = (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
        r->pos += 4;
        return 0;
}

int xdr_get_i32(XdrReader *r, int32_t *v) {
        uint32_t u;
        int ret = xdr_get_u32(r, &u);
        *v = (int32_t) u;
        return ret;
}

int xdr_get_u64(XdrReader *r, uint64_t *v) {
        uint32_t hi, lo;
        *v = 0;
        if (xdr_get_u32(r, &hi) < 0 || xdr_get_u32(r, &lo) < 0)
                return -1;
        *v = (uint64_t) hi << 32 | lo;
        return 0;
}

int xdr_get_i64(XdrReader *r, int64_t *v) {
        uint64_t u;
        int ret = xdr_get_u64(r, &u);
        *v = (int64_t) u;
        return ret;
}

int xdr_get_fixed(XdrReader *r, uint8_t *out, size_t n) {
        size_t total = n + pad4(n);
        if (!reader_has(r, total)) {
                memset(out, 0, n);
                return reader_fail(r);
        }
        memcpy(out, r->data + r->pos, n);
        r->pos += total;
        return 0;
}

/* The length word of a string or opaque, checked against max and what is left. */
static int get_length(XdrReader *r, size_t max, size_t *n) {
        uint32_t len;
        if (xdr_get_u32(r, &len) < 0)
                return -1;
        /* len + pad4(len) cannot overflow size_t: len < 2^32 */
        if (len > max || !reader_has(r, (size_t) len + pad4(len)))
                return reader_fail(r);
        *n = len;
        return 0;
}

int xdr_get_string(XdrReader *r, size_t max, char **out, size_t *len) {
        size_t n;
        *out = NULL;
        if (len)
                *len = 0;
        if (get_length(r, max, &n) < 0)
                return -1;
        const uint8_t *p = r->data + r->pos;
        if (memchr(p, '\0', n))
                return reader_fail(r);
        char *s = malloc(n + 1);
        if (!s)
                return reader_fail(r);
        memcpy(s, p, n);
        s[n] = '\0';
        r->pos += n + pad4(n);
        *out = s;
        if (len)
                *len = n;
        return 0;
}

int xdr_skip_string(XdrReader *r, size_t max) {
        size_t n;
        if (get_length(r, max, &n) < 0)
                return -1;
        r->pos += n + pad4(n);
        return 0;
}

int xdr_get_present(XdrReader *r, bool *present) {
        uint32_t v;
        *present = false;
        if (xdr_get_u32(r, &v) < 0)
                return -1;
        if (v > 1)
                return reader_fail(r);
        *present = v == 1;
        return 0;
}

int xdr_get_opt_string(XdrReader *r, size_t max, char **out) {
        bool present;
        *out = NULL;
        if (xdr_get_present(r, &present) < 0)
                return -1;
        return present ? xdr_get_string(r, max, out, NULL) : 0;
}

int xdr_get_array_len(XdrReader *r, uint32_t max, size_t min_size, uint32_t *count) {
        uint32_t n;
        *count = 0;
        if (xdr_get_u32(r, &n) < 0)
                return -1;
        if (n > max)
                return reader_fail(r);
        if (min_size && n > (r->len - r->pos) / min_size)
                return reader_fail(r);
        *count = n;
        return 0;
}

int xdr_get_opaque(XdrReader *r, uint32_t max, uint8_t **out, size_t *len) {
        size_t n;
        *out = NULL;
        *len = 0;
        if (get_length(r, max, &n) < 0)
                return -1;
        if (n > 0) {
                *out = malloc(n);
                if (!*out)
                        return reader_fail(r);
                memcpy(*out, r->data + r->pos, n);
        }
        r->pos += n + pad4(n);
        *len = n;
        return 0;
}

/* ------------------------------------------------------------------ writer */

void xdr_writer_init(XdrWriter *w, size_t max) {
        *w = (XdrWriter) { .max = max };
}

void xdr_writer_done(XdrWriter *w) {
        free(w->buf);
        *w = (XdrWriter) { .max = w->max };
}

void xdr_writer_truncate(XdrWriter *w, size_t len) {
        if (len <= w->len)
                w->len = len;
        w->error = 0;
}

uint8_t *xdr_writer_steal(XdrWriter *w, size_t *len) {
        if (w->error) {
                xdr_writer_done(w);
                return NULL;
        }
        uint8_t *b = w->buf;
        *len = w->len;
        w->buf = NULL;
        w->len = w->cap = 0;
        return b;
}

/* Room for n more bytes, growing by doubling, never past max. */
static int writer_reserve(XdrWriter *w, size_t n) {
        if (w->error)
                return -1;
        if (n > w->max || w->len > w->max - n) {
                w->error = -EMSGSIZE;
                return -1;
        }
        size_t need = w->len + n;
        if (need <= w->cap)
                return 0;
        size_t cap = w->cap ? w->cap : 256;
        while (cap < need)
                cap = cap > w->max / 2 ? w->max : cap * 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) {
                w->error = -ENOMEM;
                return -1;
        }
        w->buf = b;
        w->cap = cap;
        return 0;
}

static void put_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

int xdr_put_u32(XdrWriter *w, uint32_t v) {
        if (writer_reserve(w, 4) < 0)
                return -1;
        put_be32(w->buf + w->len, v);
        w->len += 4;
        return 0;
}

int xdr_put_i32(XdrWriter *w, int32_t v) {
        return xdr_put_u32(w, (uint32_t) v);
}

int xdr_put_u64(XdrWriter *w, uint64_t v) {
        if (xdr_put_u32(w, (uint32_t) (v >> 32)) < 0)
                return -1;
        return xdr_put_u32(w, (uint32_t) v);
}

int xdr_put_i64(XdrWriter *w, int64_t v) {
        return xdr_put_u64(w, (uint64_t) v);
}

int xdr_put_fixed(XdrWriter *w, const void *data, size_t n) {
        size_t pad = pad4(n);
        if (n > SIZE_MAX - 4 || writer_reserve(w, n + pad) < 0)
                return -1;
        if (n)
                memcpy(w->buf + w->len, data, n);
        memset(w->buf + w->len + n, 0, pad);
        w->len += n + pad;
        return 0;
}

/* Clients decode strings with REMOTE_STRING_MAX; a longer one would break the whole reply. */
int xdr_put_string_len(XdrWriter *w, const char *s, size_t len) {
        if (len > REMOTE_STRING_MAX) {
                w->error = -EMSGSIZE;
                return -1;
        }
        if (xdr_put_u32(w, (uint32_t) len) < 0)
                return -1;
        return xdr_put_fixed(w, s, len);
}

int xdr_put_string(XdrWriter *w, const char *s) {
        return xdr_put_string_len(w, s ? s : "", s ? strlen(s) : 0);
}

int xdr_put_opt_string(XdrWriter *w, const char *s) {
        if (!s)
                return xdr_put_u32(w, 0);
        if (xdr_put_u32(w, 1) < 0)
                return -1;
        return xdr_put_string(w, s);
}

int xdr_put_char_array(XdrWriter *w, const char *s) {
        size_t n = strlen(s) + 1;
        if (n > UINT32_MAX / 4) {
                w->error = -EMSGSIZE;
                return -1;
        }
        if (xdr_put_u32(w, (uint32_t) n) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (xdr_put_i32(w, (signed char) s[i]) < 0)
                        return -1;
        return 0;
}

int xdr_put_char_fixed(XdrWriter *w, const char *s, size_t n) {
        size_t len = strnlen(s, n);
        for (size_t i = 0; i < n; i++)
                if (xdr_put_i32(w, i < len ? (signed char) s[i] : 0) < 0)
                        return -1;
        return 0;
}

void xdr_patch_u32(XdrWriter *w, size_t offset, uint32_t v) {
        if (!w->error && offset + 4 <= w->len)
                put_be32(w->buf + offset, v);
}
