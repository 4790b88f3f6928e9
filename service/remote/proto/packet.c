/* packet.c: RPC framing: the header, whole packets, remote_error payloads and keepalive messages. */
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

int packet_header_decode(const uint8_t *packet, size_t len, PacketHeader *h) {
        if (len < PACKET_LEN_MIN)
                return -EBADMSG;
        const uint8_t *p = packet + 4;
        *h = (PacketHeader) {
                .prog = get_be32(p),
                .vers = get_be32(p + 4),
                .proc = (int32_t) get_be32(p + 8),
                .type = get_be32(p + 12),
                .serial = get_be32(p + 16),
                .status = get_be32(p + 20),
        };
        return 0;
}

int packet_begin(XdrWriter *w, const PacketHeader *h) {
        xdr_writer_init(w, PACKET_LEN_MAX);
        xdr_put_u32(w, 0);      /* the length word, filled in by packet_end */
        xdr_put_u32(w, h->prog);
        xdr_put_u32(w, h->vers);
        xdr_put_i32(w, h->proc);
        xdr_put_u32(w, h->type);
        xdr_put_u32(w, h->serial);
        return xdr_put_u32(w, h->status);
}

int packet_end(XdrWriter *w, uint8_t **packet, size_t *len) {
        if (w->error) {
                int r = w->error;
                xdr_writer_done(w);
                return r;
        }
        xdr_patch_u32(w, 0, (uint32_t) w->len);
        *packet = xdr_writer_steal(w, len);
        return *packet ? 0 : -ENOMEM;
}

/* libvirt's prefix for codes the core does not report itself. */
static const char *error_prefix(int code) {
        switch (code) {
        case REMOTE_ERR_RPC: return NULL;
        case REMOTE_ERR_AUTH_FAILED: return "authentication failed";
        default: return vb_error_prefix((VbErrorCode) code);
        }
}

/* libvirt sends the format of its message as str1 and the detail as str2: "Domain not found"
 * alone when there is no detail, "internal error: %s" + "hypervisor connection not open", and
 * "%s" + the message for texts without a prefix (RPC errors). */
int packet_put_error(XdrWriter *w, const VbError *e) {
        const char *message = e->message[0] ? e->message : "unknown error";
        const char *prefix = error_prefix(e->code);
        size_t plen = prefix ? strlen(prefix) : 0;
        char format[128];
        const char *str1 = "%s", *str2 = message;

        if (prefix && strncmp(message, prefix, plen) == 0) {
                if (message[plen] == '\0') {
                        str1 = message;
                        str2 = NULL;
                } else if (message[plen] == ':' && message[plen + 1] == ' ' && plen + 4 < sizeof format) {
                        snprintf(format, sizeof format, "%s: %%s", prefix);
                        str1 = format;
                        str2 = message + plen + 2;
                }
        }
        xdr_put_i32(w, e->code);
        xdr_put_i32(w, e->from);
        xdr_put_opt_string(w, message);
        xdr_put_i32(w, 2);              /* level: VIR_ERR_ERROR */
        xdr_put_u32(w, 0);              /* dom: NULL */
        xdr_put_opt_string(w, str1);
        xdr_put_opt_string(w, str2);
        xdr_put_opt_string(w, NULL);    /* str3 */
        xdr_put_i32(w, -1);             /* int1 */
        xdr_put_i32(w, -1);             /* int2 */
        return xdr_put_u32(w, 0);       /* net: NULL */
}

int packet_error(const PacketHeader *req, uint32_t type, const VbError *e, uint8_t **packet, size_t *len) {
        PacketHeader h = *req;
        XdrWriter w;
        h.type = type;
        h.status = MSG_STATUS_ERROR;
        packet_begin(&w, &h);
        packet_put_error(&w, e);
        return packet_end(&w, packet, len);
}

int remote_packet_keepalive(int proc, uint8_t **packet, size_t *len) {
        PacketHeader h = {
                .prog = KEEPALIVE_PROGRAM,
                .vers = KEEPALIVE_PROTOCOL_VERSION,
                .proc = proc,
                .type = MSG_MESSAGE,
                .serial = 0,
                .status = MSG_STATUS_OK,
        };
        XdrWriter w;
        packet_begin(&w, &h);
        return packet_end(&w, packet, len);
}
