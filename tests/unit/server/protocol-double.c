/* protocol-double.c: the protocol side's functions as the server tests need them: echo, held calls, close, keepalive. */
#include "protocol-double.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

DoubleState double_state;

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

uint8_t *double_packet(uint32_t prog, int32_t proc, uint32_t type, uint32_t serial, const void *payload,
                       size_t payload_len, size_t *len) {
        size_t n = PACKET_LEN_MIN + payload_len;
        uint8_t *p = malloc(n);
        if (!p)
                return NULL;
        put32(p, (uint32_t) n);
        put32(p + 4, prog);
        put32(p + 8, 1);
        put32(p + 12, (uint32_t) proc);
        put32(p + 16, type);
        put32(p + 20, serial);
        put32(p + 24, MSG_STATUS_OK);
        if (payload_len)
                memcpy(p + PACKET_LEN_MIN, payload, payload_len);
        *len = n;
        return p;
}

void double_parse(const uint8_t *p, PacketHeader *h) {
        *h = (PacketHeader) {
                .prog = get32(p + 4), .vers = get32(p + 8), .proc = (int32_t) get32(p + 12),
                .type = get32(p + 16), .serial = get32(p + 20), .status = get32(p + 24),
        };
}

static void double_reply(RemoteClient *c, const PacketHeader *h, const void *payload, size_t n) {
        size_t len;
        uint8_t *p = double_packet(h->prog, h->proc, MSG_REPLY, h->serial, payload, n, &len);
        double_state.last_send = p ? remote_client_send(c, p, len) : -ENOMEM;
}

void double_reset(void) {
        double_release(SIZE_MAX);
        double_state = (DoubleState) { 0 };
}

size_t double_release(size_t n) {
        size_t done = 0;
        while (done < n && double_state.n_held > 0) {
                RemoteClient *c = double_state.held[0];
                PacketHeader h = { .prog = 0x20008086u, .proc = DOUBLE_PROC_HOLD, .serial = double_state.held_serial[0] };
                memmove(double_state.held, double_state.held + 1, --double_state.n_held * sizeof double_state.held[0]);
                memmove(double_state.held_serial, double_state.held_serial + 1,
                        double_state.n_held * sizeof double_state.held_serial[0]);
                c->pending--;
                double_reply(c, &h, NULL, 0);
                remote_client_unref(c);
                done++;
        }
        return done;
}

/* The double opens no streams. */
static void double_output_drained(RemoteClient *c) {
}

static void double_dropped(RemoteClient *c) {
}

static int double_keepalive(int proc, uint8_t **packet, size_t *len);

void double_dispatch(RemoteClient *c, const uint8_t *packet, size_t len) {
        PacketHeader h;
        double_parse(packet, &h);
        double_state.dispatched++;
        double_state.last_client = c;
        double_state.last_who = c->who;
        double_state.last_readonly = c->readonly;
        if (h.prog == KEEPALIVE_PROGRAM) {
                if (h.proc == KEEPALIVE_PROC_PING) {
                        uint8_t *p;
                        size_t n;
                        if (double_keepalive(KEEPALIVE_PROC_PONG, &p, &n) == 0)
                                remote_client_send(c, p, n);
                } else {
                        double_state.pongs++;
                        remote_client_keepalive_seen(c);
                }
                return;
        }
        switch (h.proc) {
        case DOUBLE_PROC_ECHO:
                double_reply(c, &h, packet + PACKET_LEN_MIN, len - PACKET_LEN_MIN);
                break;
        case DOUBLE_PROC_HOLD:
                if (double_state.n_held < 64) {
                        c->pending++;
                        double_state.held_serial[double_state.n_held] = h.serial;
                        double_state.held[double_state.n_held++] = remote_client_ref(c);
                }
                break;
        case DOUBLE_PROC_CLOSE:
                double_reply(c, &h, NULL, 0);
                remote_client_close(c);
                break;
        case DOUBLE_PROC_AUTH:
                c->authenticated = true;
                double_reply(c, &h, NULL, 0);
                break;
        case DOUBLE_PROC_BIG: {
                size_t n = len >= PACKET_LEN_MIN + 4 ? get32(packet + PACKET_LEN_MIN) : 0;
                uint8_t *payload = calloc(1, n ? n : 1);
                if (payload)
                        double_reply(c, &h, payload, n);
                free(payload);
                break;
        }
        case DOUBLE_PROC_KEEPALIVE:
                remote_client_keepalive_start(c);
                double_reply(c, &h, NULL, 0);
                break;
        default:
                double_reply(c, &h, NULL, 0);
                break;
        }
}

static void double_deliver(RemoteClient *c, const Notice *n) {
        double_state.delivered++;
        size_t len;
        uint8_t *p = double_packet(REMOTE_PROGRAM, 318, MSG_MESSAGE, 1, NULL, 0, &len);
        if (p)
                remote_client_send(c, p, len);
}

static void double_freed(RemoteClient *c) {
        if (c->subs) {
                double_state.subs_freed++;
                c->subs = NULL;
        }
}

static int double_keepalive(int proc, uint8_t **packet, size_t *len) {
        *packet = double_packet(KEEPALIVE_PROGRAM, proc, MSG_MESSAGE, 0, NULL, 0, len);
        return *packet ? 0 : -ENOMEM;
}

const RemoteProtocol protocol_double = {
        .packet = double_dispatch,
        .notice = double_deliver,
        .output_drained = double_output_drained,
        .dropped = double_dropped,
        .freed = double_freed,
        .keepalive = double_keepalive,
};
