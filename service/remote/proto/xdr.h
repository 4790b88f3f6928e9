/* xdr.h: XDR (RFC 4506) as libvirt's RPC uses it: a bounded reader that checks every length before it allocates, and a growing writer with a ceiling. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reading: every function returns 0 or -1. A failure is sticky (later reads fail too) and
 * zeroes the output, so a handler may read all its arguments and check once with
 * xdr_reader_ok(). Nothing is allocated for a length that the limit or the remaining payload
 * rules out. */
typedef struct XdrReader {
        const uint8_t *data;
        size_t len, pos;
        bool failed;
} XdrReader;

void xdr_reader_init(XdrReader *r, const uint8_t *data, size_t len);
static inline bool xdr_reader_ok(const XdrReader *r) {
        return !r->failed;
}
static inline size_t xdr_remaining(const XdrReader *r) {
        return r->failed ? 0 : r->len - r->pos;
}

int xdr_get_u32(XdrReader *r, uint32_t *v);
int xdr_get_i32(XdrReader *r, int32_t *v);
int xdr_get_u64(XdrReader *r, uint64_t *v);
int xdr_get_i64(XdrReader *r, int64_t *v);
/* Fixed-length opaque (uuid[16]): n bytes and the padding. */
int xdr_get_fixed(XdrReader *r, uint8_t *out, size_t n);
/* A string of at most max bytes, copied NUL-terminated into a new buffer. Strings with an
 * embedded NUL are refused: no libvirt client sends one and C callers would see less. */
int xdr_get_string(XdrReader *r, size_t max, char **out, size_t *len);
/* remote_string: *out is NULL when the client sent none. */
int xdr_get_opt_string(XdrReader *r, size_t max, char **out);
/* Check a string without keeping it (domain and network names beside their UUIDs). */
int xdr_skip_string(XdrReader *r, size_t max);
/* An optional pointer's discriminator: *present is 0 or 1 (anything else is refused). */
int xdr_get_present(XdrReader *r, bool *present);
/* The count of a variable array T x<max>: refused above max, and when count elements of at
 * least min_size bytes each cannot fit in what is left. */
int xdr_get_array_len(XdrReader *r, uint32_t max, size_t min_size, uint32_t *count);
/* Variable opaque<max>: a new buffer of *len bytes (NULL when empty). */
int xdr_get_opaque(XdrReader *r, uint32_t max, uint8_t **out, size_t *len);

/* Writing: the buffer grows up to max bytes; past that (or out of memory) the writer fails
 * and stays failed, and the caller answers with an error instead. */
typedef struct XdrWriter {
        uint8_t *buf;
        size_t len, cap, max;
        int error;      /* 0, -ENOMEM or -EMSGSIZE */
} XdrWriter;

void xdr_writer_init(XdrWriter *w, size_t max);
void xdr_writer_done(XdrWriter *w);
/* Forget what was written after offset (keep the header, drop a half-written payload). */
void xdr_writer_truncate(XdrWriter *w, size_t len);
/* Hand the buffer over (NULL after a failure). */
uint8_t *xdr_writer_steal(XdrWriter *w, size_t *len);

int xdr_put_u32(XdrWriter *w, uint32_t v);
int xdr_put_i32(XdrWriter *w, int32_t v);
int xdr_put_u64(XdrWriter *w, uint64_t v);
int xdr_put_i64(XdrWriter *w, int64_t v);
int xdr_put_fixed(XdrWriter *w, const void *data, size_t n);
/* remote_nonnull_string: at most REMOTE_STRING_MAX bytes, or the writer fails. */
int xdr_put_string_len(XdrWriter *w, const char *s, size_t len);
int xdr_put_string(XdrWriter *w, const char *s);
/* remote_string: 0, or 1 and the string. */
int xdr_put_opt_string(XdrWriter *w, const char *s);
/* rpcgen's char x<max>: count, then one 4-byte int per char. libvirt counts the trailing NUL. */
int xdr_put_char_array(XdrWriter *w, const char *s);
/* rpcgen's char x[n]: n ints, s NUL-padded (and cut at n). */
int xdr_put_char_fixed(XdrWriter *w, const char *s, size_t n);
/* Overwrite a 32-bit word written earlier (array counts known only at the end). */
void xdr_patch_u32(XdrWriter *w, size_t offset, uint32_t v);
