/* route.c: one incoming packet, routed by its program and type: keepalive answered here, a
 * stream's data to streams.c, a QEMU-program call to proc-qemu-program.c, a remote-program call to
 * dispatch.c; the reply of either call now or later. */
#define LOG_MODULE "remote"
#include "dispatch.h"

#include "log.h"
#include "protocol.h"

static void dispatch_keepalive(RemoteClient *c, const PacketHeader *h) {
        if (h->proc == KEEPALIVE_PROC_PING) {
                uint8_t *packet = NULL;
                size_t len = 0;
                if (remote_packet_keepalive(KEEPALIVE_PROC_PONG, &packet, &len) == 0)
                        remote_send(c, packet, len);
                remote_client_keepalive_seen(c);
        } else if (h->proc == KEEPALIVE_PROC_PONG) {
                remote_client_keepalive_seen(c);
        } else {
                log_debug("client %p: unknown keepalive message %d ignored", (void *) c, h->proc);
        }
}

/* A stream's data is the one payload worth reading apart from its header: the stream adopts the
 * buffer (no copy of the bulk). Everything else is read whole and routed below. */
void *remote_payload_buf(RemoteClient *c, const uint8_t *header, size_t len) {
        PacketHeader h;
        if (c->closing || packet_header_decode(header, PACKET_LEN_MIN, &h) < 0 || h.type != MSG_STREAM)
                return NULL;
        return remote_stream_payload_buf(c, &h, len);
}

void remote_dispatch_payload(RemoteClient *c, const uint8_t *header, void *payload, size_t len) {
        PacketHeader h;
        if (c->closing || packet_header_decode(header, PACKET_LEN_MIN, &h) < 0) {
                stream_buf_free(payload);
                return;
        }
        remote_stream_data(c, &h, payload, len);
}

void remote_payload_free(void *payload) {
        stream_buf_free(payload);
}

void remote_dispatch(RemoteClient *c, const uint8_t *packet, size_t len) {
        remote_dispatch_fds(c, packet, len, NULL, 0);
}

void remote_dispatch_fds(RemoteClient *c, const uint8_t *packet, size_t len, int *fds, size_t n_fds) {
        PacketHeader h;

        if (c->closing || len < PACKET_LEN_MIN || len > PACKET_LEN_MAX || packet_header_decode(packet, len, &h) < 0) {
                if (!c->closing)
                        log_warning("client %p: malformed packet of %zu bytes", (void *) c, len);
                remote_call_close_fds(fds, n_fds);
                remote_client_close(c);
                return;
        }
        /* a CALL_WITH_FDS's arguments follow the count of its descriptors (the transport read it) */
        size_t skip = h.type == MSG_CALL_WITH_FDS && len >= PACKET_LEN_MIN + 4 ? 4 : 0;
        if (h.type != MSG_CALL_WITH_FDS && n_fds) {
                remote_call_close_fds(fds, n_fds);
                n_fds = 0;
        }

        if (h.prog == KEEPALIVE_PROGRAM && h.vers == KEEPALIVE_PROTOCOL_VERSION && h.type == MSG_MESSAGE) {
                dispatch_keepalive(c, &h);
                return;
        }
        if (h.type == MSG_STREAM || h.type == MSG_STREAM_HOLE) {
                remote_stream_packet(c, &h, packet + PACKET_LEN_MIN, len - PACKET_LEN_MIN);
                return;
        }

        remote_client_ref(c);
        RemoteCall rc = { .client = c, .hdr = h, .fds = fds, .n_fds = n_fds };
        int r;
        remote_reply_begin(&rc.ret, &h);
        if (h.type == MSG_CALL_WITH_FDS && !skip) {
                r = remote_error_rpc(&rc.err, "Unable to decode number of FDs");
        } else if (h.prog == QEMU_PROGRAM && h.vers == QEMU_PROTOCOL_VERSION) {
                xdr_reader_init(&rc.args, packet + PACKET_LEN_MIN + skip, len - PACKET_LEN_MIN - skip);
                r = remote_call_check_header(&rc) < 0 ? -1 : remote_dispatch_qemu(&rc);
        } else if (h.prog != REMOTE_PROGRAM || h.vers != REMOTE_PROTOCOL_VERSION) {
                /* libvirt prints both with %d */
                r = remote_error_rpc(&rc.err, "Cannot find program %d version %d", (int) h.prog, (int) h.vers);
        } else {
                xdr_reader_init(&rc.args, packet + PACKET_LEN_MIN + skip, len - PACKET_LEN_MIN - skip);
                r = remote_dispatch_call(&rc);
        }

        remote_reply(c, &h, &rc, r);
        remote_call_close_fds(fds, n_fds);
        remote_client_unref(c);
}
