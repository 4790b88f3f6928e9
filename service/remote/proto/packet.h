/* packet.h: libvirt RPC framing: the length word, the 24-byte header, programs, types and limits. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define REMOTE_PROGRAM 0x20008086u
#define QEMU_PROGRAM 0x20008087u            /* libvirt-qemu's (qemu_protocol.x) */
#define QEMU_PROTOCOL_VERSION 1u
#define REMOTE_PROTOCOL_VERSION 1u
#define QEMU_PROGRAM 0x20008087u
#define KEEPALIVE_PROGRAM 0x6b656570u
#define KEEPALIVE_PROTOCOL_VERSION 1u

#define PACKET_HEADER_SIZE 24u
#define PACKET_LEN_MIN 28u                                  /* length word + header */
#define PACKET_LEN_MAX (32u * 1024u * 1024u + 4u)           /* VIR_NET_MESSAGE_MAX + the length word */
#define REMOTE_STRING_MAX (4u * 1024u * 1024u)
/* Descriptors one CALL_WITH_FDS may carry (VIR_NET_MESSAGE_NUM_FDS_MAX): the count is a u32
 * after the header, checked before anything is allocated for them. */
#define PACKET_FDS_MAX 32u

enum { MSG_CALL = 0, MSG_REPLY = 1, MSG_MESSAGE = 2, MSG_STREAM = 3, MSG_CALL_WITH_FDS = 4,
       MSG_REPLY_WITH_FDS = 5, MSG_STREAM_HOLE = 6 };
enum { MSG_STATUS_OK = 0, MSG_STATUS_ERROR = 1, MSG_STATUS_CONTINUE = 2 };
enum { KEEPALIVE_PROC_PING = 1, KEEPALIVE_PROC_PONG = 2 };

typedef struct PacketHeader {
        uint32_t prog;
        uint32_t vers;
        int32_t proc;
        uint32_t type;
        uint32_t serial;
        uint32_t status;
} PacketHeader;

/* Is a length word acceptable? Checked before any buffer is allocated. */
static inline int packet_length_ok(uint32_t len) {
        return len >= PACKET_LEN_MIN && len <= PACKET_LEN_MAX;
}
